"""Special functions (scipy.special names) as the frameworks provide them, with mpmath as the oracle.

Domains keep random draws away from poles and branch points; the special points go at them: the
zeros of the functions, tiny and huge magnitudes, the ends of the domain. Orders stop where the exact
derivative overflows float64 (noted at the point).
"""

from __future__ import annotations

import mpmath
import numpy as np

from .table import Op

INF = np.inf
TINY = 1e-300
GAMMA_MIN = 1.4616321449683622  # the positive minimum of Γ: digamma's zero


def _ndtri(p):
    """Φ⁻¹(p) = √2 erfinv(2p − 1), at enough extra digits that 2p − 1 keeps p's digits for tiny p."""
    extra = int(-mpmath.log10(min(p, 1 - p))) + 10 if 0 < p < 1 else 10
    with mpmath.extradps(extra):
        return mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1)


def _multigammaln(x, d):
    """log Γ_d(x) = d(d−1)/4 log π + Σ_{j=1..d} log Γ(x + (1 − j)/2)."""
    return d * (d - 1) / mpmath.mpf(4) * mpmath.log(mpmath.pi) + mpmath.fsum(
        mpmath.loggamma(x + mpmath.mpf(1 - j) / 2) for j in range(1, d + 1)
    )


def _positive_second(x: np.ndarray) -> str | None:
    return None if np.all(x[1] > 0) else "the second argument must be > 0"


def _above_minus_one(x: np.ndarray) -> str | None:
    return None if np.all(x[1] > -1) else "the second argument must be > -1"


OPS: list[Op] = [
    Op(
        "gammaln",
        "special",
        mpmath.loggamma,
        {
            "torch": ("torch.special.gammaln", "torch.lgamma"),
            "jax": ("jax.scipy.special.gammaln", "jax.lax.lgamma"),
            "tensorflow": ("tf.math.lgamma",),
            "numpy": ("scipy.special.gammaln",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[
            ("1", 1.0),
            ("2", 2.0),
            ("argmin of gamma", GAMMA_MIN),
            ("large", 1e10),
            ("tiny", TINY, (1,), "gammaln'' = 1/x² overflows"),
        ],
        doc="log Γ(x), x > 0",
    ),
    Op(
        "digamma",
        "special",
        mpmath.digamma,
        {
            "torch": ("torch.special.digamma", "torch.digamma", "torch.special.psi"),
            "jax": ("jax.scipy.special.digamma", "jax.lax.digamma"),
            "tensorflow": ("tf.math.digamma",),
            "numpy": ("scipy.special.psi", "scipy.special.digamma"),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("zero", GAMMA_MIN), ("large", 1e6), ("small", 1e-8)],
        doc="ψ(x) = Γ'(x)/Γ(x), x > 0",
    ),
    Op(
        "polygamma",
        "special",
        lambda x, n: mpmath.polygamma(n, x),
        {
            "torch": ("torch.special.polygamma", "torch.polygamma"),
            "jax": ("jax.scipy.special.polygamma", "jax.lax.polygamma"),
            "tensorflow": ("tf.math.polygamma",),
            "numpy": ("scipy.special.polygamma",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        params={"n": 1},
        call=lambda f, x, n: f(n, x),
        points=[("1", 1.0), ("large", 1e6), ("small", 1e-5)],
        doc="ψ⁽¹⁾(x), the trigamma function, x > 0",
    ),
    Op(
        "multigammaln",
        "special",
        _multigammaln,
        {
            "torch": ("torch.special.multigammaln", "torch.mvlgamma"),
            "jax": ("jax.scipy.special.multigammaln",),
            "numpy": ("scipy.special.multigammaln",),
        },
        domain=(1.5, 5.0),
        defined_on=(1.0, INF),
        params={"d": 3},
        call=lambda f, x, d: f(x, d),
        points=[("2", 2.0), ("large", 1e8)],
        doc="log Γ₃(x), x > 1",
    ),
    Op(
        "erfinv",
        "special",
        mpmath.erfinv,
        {
            "torch": ("torch.special.erfinv", "torch.erfinv"),
            "jax": ("jax.scipy.special.erfinv", "jax.lax.erf_inv"),
            "tensorflow": ("tf.math.erfinv",),
            "numpy": ("scipy.special.erfinv",),
        },
        domain=(-0.9, 0.9),
        defined_on=(-1.0, 1.0),
        points=[("0", 0.0), ("1/2", 0.5), ("near 1", 1 - 2**-20), ("near -1", -1 + 2**-20), ("tiny", TINY)],
        doc="erf⁻¹(x), |x| < 1",
    ),
    Op(
        "erfcx",
        "special",
        lambda x: mpmath.exp(x * x) * mpmath.erfc(x),
        {
            "torch": ("torch.special.erfcx",),
            "jax": ("jax.scipy.special.erfcx",),
            "tensorflow": ("tf.math.erfcx", "tf.math.special.erfcx"),
            "numpy": ("scipy.special.erfcx",),
        },
        domain=(-2.0, 5.0),
        points=[("0", 0.0), ("40", 40.0), ("large", 1e10), ("-5", -5.0), ("tiny", TINY)],
        doc="e^{x²} erfc(x), the scaled complementary error function",
    ),
    Op(
        "ndtr",
        "special",
        mpmath.ncdf,
        {
            "torch": ("torch.special.ndtr",),
            "jax": ("jax.scipy.special.ndtr",),
            "tensorflow": ("tf.math.ndtr", "tf.math.special.ndtr"),
            "numpy": ("scipy.special.ndtr",),
        },
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("-37", -37.0), ("10", 10.0), ("tiny", TINY)],
        doc="Φ(x), the standard normal CDF",
    ),
    Op(
        "ndtri",
        "special",
        _ndtri,
        {
            "torch": ("torch.special.ndtri",),
            "jax": ("jax.scipy.special.ndtri",),
            "tensorflow": ("tf.math.ndtri",),
            "numpy": ("scipy.special.ndtri",),
        },
        domain=(0.05, 0.95),
        defined_on=(0.0, 1.0),
        points=[
            ("1/2", 0.5),
            ("1e-10", 1e-10),
            ("near 1", 1 - 2**-30),
            (
                "tiny",
                TINY,
                (1,),
                "ndtri'' ~ 1/(p² φ) overflows. No declared condition: ndtri' is well "
                "conditioned (p·ndtri''/ndtri' ≈ −1); 1/φ(z) through a rounded z ≈ −37 loses z²ε, Mills(z)/p does not",
            ),
        ],
        doc="Φ⁻¹(p), 0 < p < 1",
    ),
    Op(
        "log_ndtr",
        "special",
        lambda x: mpmath.log(mpmath.ncdf(x)),
        {
            "torch": ("torch.special.log_ndtr",),
            "jax": ("jax.scipy.special.log_ndtr",),
            "tensorflow": ("tf.math.log_ndtr", "tf.math.special.log_ndtr"),
            "numpy": ("scipy.special.log_ndtr",),
        },
        domain=(-5.0, 3.0),
        points=[
            ("0", 0.0),
            (
                "-40",
                -40.0,
                (1, 2),
                "no declared condition: log Φ' = 1/Mills(x) and log Φ'' "
                "are well conditioned (x·f''/f' ≈ 1); a formula cancelling x²/2 against log Φ loses x²ε",
            ),
            ("-1e5", -1e5),
            ("8", 8.0),
        ],
        doc="log Φ(x)",
    ),
    Op(
        "i0",
        "special",
        lambda x: mpmath.besseli(0, x),
        {
            "torch": ("torch.special.i0", "torch.i0", "torch.special.modified_bessel_i0"),
            "jax": ("jax.scipy.special.i0", "jax.numpy.i0"),
            "tensorflow": ("tf.math.bessel_i0", "tf.math.special.bessel_i0"),
            "numpy": ("scipy.special.i0", "numpy.i0"),
        },
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("1", 1.0), ("10", 10.0), ("700", 700.0), ("tiny", TINY)],
        doc="I₀(x), the modified Bessel function of order 0",
    ),
    Op(
        "i0e",
        "special",
        lambda x: mpmath.exp(-abs(x)) * mpmath.besseli(0, x),
        {
            "torch": ("torch.special.i0e",),
            "jax": ("jax.scipy.special.i0e", "jax.lax.bessel_i0e"),
            "tensorflow": ("tf.math.bessel_i0e", "tf.math.special.bessel_i0e"),
            "numpy": ("scipy.special.i0e",),
        },
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("700", 700.0), ("large", 1e10)],
        doc="e^{−|x|} I₀(x), x > 0 (a kink at 0)",
    ),
    Op(
        "i1",
        "special",
        lambda x: mpmath.besseli(1, x),
        {
            "torch": ("torch.special.i1", "torch.special.modified_bessel_i1"),
            "jax": ("jax.scipy.special.i1",),
            "tensorflow": ("tf.math.bessel_i1", "tf.math.special.bessel_i1"),
            "numpy": ("scipy.special.i1",),
        },
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("1", 1.0), ("700", 700.0), ("tiny", TINY)],
        doc="I₁(x)",
    ),
    Op(
        "i1e",
        "special",
        lambda x: mpmath.exp(-abs(x)) * mpmath.besseli(1, x),
        {
            "torch": ("torch.special.i1e",),
            "jax": ("jax.scipy.special.i1e", "jax.lax.bessel_i1e"),
            "tensorflow": ("tf.math.bessel_i1e", "tf.math.special.bessel_i1e"),
            "numpy": ("scipy.special.i1e",),
        },
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("700", 700.0), ("large", 1e10)],
        doc="e^{−|x|} I₁(x), x > 0",
    ),
    Op(
        "k0",
        "special",
        lambda x: mpmath.besselk(0, x),
        {
            "torch": ("torch.special.modified_bessel_k0",),
            "tensorflow": ("tf.math.special.bessel_k0",),
            "numpy": ("scipy.special.k0",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("tiny", 1e-100, (1,))],
        doc="K₀(x), x > 0",
    ),
    Op(
        "k0e",
        "special",
        lambda x: mpmath.exp(x) * mpmath.besselk(0, x),
        {
            "torch": ("torch.special.scaled_modified_bessel_k0",),
            "tensorflow": ("tf.math.special.bessel_k0e",),
            "numpy": ("scipy.special.k0e",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("700", 700.0)],
        doc="e^x K₀(x), x > 0",
    ),
    Op(
        "k1",
        "special",
        lambda x: mpmath.besselk(1, x),
        {
            "torch": ("torch.special.modified_bessel_k1",),
            "tensorflow": ("tf.math.special.bessel_k1",),
            "numpy": ("scipy.special.k1",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0)],
        doc="K₁(x), x > 0",
    ),
    Op(
        "k1e",
        "special",
        lambda x: mpmath.exp(x) * mpmath.besselk(1, x),
        {
            "torch": ("torch.special.scaled_modified_bessel_k1",),
            "tensorflow": ("tf.math.special.bessel_k1e",),
            "numpy": ("scipy.special.k1e",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("700", 700.0)],
        doc="e^x K₁(x), x > 0",
    ),
    Op(
        "j0",
        "special",
        lambda x: mpmath.besselj(0, x),
        {
            "torch": ("torch.special.bessel_j0",),
            "tensorflow": ("tf.math.special.bessel_j0",),
            "numpy": ("scipy.special.j0",),
        },
        domain=(-5.0, 5.0),
        points=[("0", 0.0), ("first zero", 2.404825557695773), ("large", 1e4)],
        doc="J₀(x)",
    ),
    Op(
        "j1",
        "special",
        lambda x: mpmath.besselj(1, x),
        {
            "torch": ("torch.special.bessel_j1",),
            "tensorflow": ("tf.math.special.bessel_j1",),
            "numpy": ("scipy.special.j1",),
        },
        domain=(-5.0, 5.0),
        points=[("0", 0.0), ("large", 1e4)],
        doc="J₁(x)",
    ),
    Op(
        "y0",
        "special",
        lambda x: mpmath.bessely(0, x),
        {
            "torch": ("torch.special.bessel_y0",),
            "tensorflow": ("tf.math.special.bessel_y0",),
            "numpy": ("scipy.special.y0",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("large", 1e4)],
        doc="Y₀(x), x > 0",
    ),
    Op(
        "y1",
        "special",
        lambda x: mpmath.bessely(1, x),
        {
            "torch": ("torch.special.bessel_y1",),
            "tensorflow": ("tf.math.special.bessel_y1",),
            "numpy": ("scipy.special.y1",),
        },
        domain=(0.2, 5.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0)],
        doc="Y₁(x), x > 0",
    ),
    Op(
        "spherical_bessel_j0",
        "special",
        lambda x: mpmath.sin(x) / x if x != 0 else mpmath.mpf(1),
        {"torch": ("torch.special.spherical_bessel_j0",)},
        domain=(-5.0, 5.0),
        points=[("0", 0.0, (1, 2)), ("tiny", TINY), ("large", 1e4)],
        doc="j₀(x) = sin x / x",
    ),
    Op(
        "sinc",
        "special",
        mpmath.sincpi,
        {
            "torch": ("torch.sinc", "torch.special.sinc"),
            "jax": ("jax.numpy.sinc",),
            "tensorflow": ("tf.experimental.numpy.sinc",),
            "numpy": ("numpy.sinc",),
        },
        domain=(-2.0, 2.0),
        points=[("0", 0.0, (1, 2)), ("1", 1.0), ("1/2", 0.5), ("tiny", TINY), ("large", 1e5)],
        doc="sin(πx)/(πx), 1 at 0 (a removable singularity)",
    ),
    Op(
        "dawsn",
        "special",
        lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(-x * x) * mpmath.erfi(x),
        {"tensorflow": ("tf.math.special.dawsn",), "numpy": ("scipy.special.dawsn",)},
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("large", 1e6)],
        doc="Dawson's integral F(x)",
    ),
    Op(
        "expi",
        "special",
        mpmath.ei,
        {
            "jax": ("jax.scipy.special.expi",),
            "tensorflow": ("tf.math.special.expint",),
            "numpy": ("scipy.special.expi",),
        },
        domain=(0.2, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("40", 40.0), ("tiny", TINY, (1,), "Ei'' = e^x(x − 1)/x² overflows")],
        doc="Ei(x), x > 0",
    ),
    Op(
        "exp1",
        "special",
        mpmath.e1,
        {"jax": ("jax.scipy.special.exp1",), "numpy": ("scipy.special.exp1",)},
        domain=(0.2, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("40", 40.0)],
        doc="E₁(x), x > 0",
    ),
    Op(
        "spence",
        "special",
        lambda x: mpmath.polylog(2, 1 - x),
        {
            "jax": ("jax.scipy.special.spence",),
            "tensorflow": ("tf.math.special.spence",),
            "numpy": ("scipy.special.spence",),
        },
        domain=(0.2, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("large", 1e6)],
        doc="Spence's function ∫₁ˣ log t/(1 − t) dt = Li₂(1 − x), x > 0",
    ),
    Op(
        "fresnel_sin",
        "special",
        mpmath.fresnels,
        {"tensorflow": ("tf.math.special.fresnel_sin",)},
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("10", 10.0)],
        doc="S(x) = ∫₀ˣ sin(πt²/2) dt",
    ),
    Op(
        "fresnel_cos",
        "special",
        mpmath.fresnelc,
        {"tensorflow": ("tf.math.special.fresnel_cos",)},
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("10", 10.0)],
        doc="C(x) = ∫₀ˣ cos(πt²/2) dt",
    ),
    Op(
        "zeta",
        "special",
        lambda q, s: mpmath.zeta(s, q),
        {
            "torch": ("torch.special.zeta",),
            "jax": ("jax.scipy.special.zeta", "jax.lax.zeta"),
            "tensorflow": ("tf.math.zeta",),
            "numpy": ("scipy.special.zeta",),
        },
        domain=(0.5, 4.0),
        defined_on=(0.0, INF),
        params={"s": 3.0},
        call=lambda f, q, s: f(s, q),
        points=[("1", 1.0), ("large", 1e5), ("small", 1e-3)],
        doc="the Hurwitz zeta function ζ(3, q) as a function of q > 0",
    ),
    Op(
        "gammainc",
        "special",
        lambda x, a: mpmath.gammainc(a, 0, x, regularized=True),
        {
            "torch": ("torch.special.gammainc", "torch.igamma"),
            "jax": ("jax.scipy.special.gammainc", "jax.lax.igamma"),
            "tensorflow": ("tf.math.igamma",),
            "numpy": ("scipy.special.gammainc",),
        },
        domain=(0.2, 6.0),
        defined_on=(0.0, INF),
        params={"a": 2.5},
        call=lambda f, x, a: f(a, x),
        points=[("1", 1.0), ("40", 40.0), ("tiny", 1e-100, (1,))],
        doc="P(2.5, x), the regularized lower incomplete gamma function, in x > 0",
    ),
    Op(
        "gammaincc",
        "special",
        lambda x, a: mpmath.gammainc(a, x, mpmath.inf, regularized=True),
        {
            "torch": ("torch.special.gammaincc", "torch.igammac"),
            "jax": ("jax.scipy.special.gammaincc", "jax.lax.igammac"),
            "tensorflow": ("tf.math.igammac",),
            "numpy": ("scipy.special.gammaincc",),
        },
        domain=(0.2, 6.0),
        defined_on=(0.0, INF),
        params={"a": 2.5},
        call=lambda f, x, a: f(a, x),
        points=[("1", 1.0), ("40", 40.0)],
        doc="Q(2.5, x), the regularized upper incomplete gamma function, in x > 0",
    ),
    Op(
        "entr",
        "special",
        lambda x: -x * mpmath.log(x),
        {"torch": ("torch.special.entr",), "jax": ("jax.scipy.special.entr",), "numpy": ("scipy.special.entr",)},
        domain=(0.1, 3.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("1/e", float(1 / np.e)), ("tiny", TINY, (1,), "entr'' = −1/x overflows")],
        doc="−x log x, x > 0",
    ),
    Op(
        "logit",
        "special",
        lambda p: mpmath.log(p / (1 - p)),
        {
            "torch": ("torch.special.logit", "torch.logit"),
            "jax": ("jax.scipy.special.logit",),
            "numpy": ("scipy.special.logit",),
        },
        domain=(0.05, 0.95),
        defined_on=(0.0, 1.0),
        points=[("1/2", 0.5), ("1e-10", 1e-10), ("tiny", TINY, (1,), "logit'' ~ −1/p² overflows")],
        doc="log(p/(1 − p)), 0 < p < 1",
    ),
    Op(
        "expit",
        "special",
        lambda x: 1 / (1 + mpmath.exp(-x)),
        {
            "torch": ("torch.special.expit", "torch.sigmoid", "torch.nn.functional.sigmoid"),
            "jax": ("jax.scipy.special.expit", "jax.nn.sigmoid"),
            "tensorflow": ("tf.math.sigmoid", "tf.nn.sigmoid"),
            "numpy": ("scipy.special.expit",),
        },
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("40", 40.0), ("-40", -40.0), ("-700", -700.0), ("tiny", TINY)],
        doc="σ(x) = 1/(1 + e^{−x})",
    ),
    Op(
        "log_sigmoid",
        "special",
        lambda x: -mpmath.log1p(mpmath.exp(-x)),
        {
            "torch": ("torch.nn.functional.logsigmoid",),
            "jax": ("jax.nn.log_sigmoid", "jax.scipy.special.log_expit"),
            "tensorflow": ("tf.math.log_sigmoid",),
            "numpy": ("scipy.special.log_expit",),
        },
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("40", 40.0), ("-40", -40.0), ("-700", -700.0)],
        doc="log σ(x)",
    ),
    Op(
        "xlogy",
        "special",
        lambda x, y: x * mpmath.log(y) if x != 0 else mpmath.mpf(0),
        {
            "torch": ("torch.special.xlogy", "torch.xlogy"),
            "jax": ("jax.scipy.special.xlogy",),
            "tensorflow": ("tf.math.xlogy",),
            "numpy": ("scipy.special.xlogy",),
        },
        arity=2,
        domain=((-2.0, 2.0), (0.2, 3.0)),
        valid=_positive_second,
        points=[("x=0", (0.0, 1.5)), ("y=1", (1.3, 1.0)), ("x=0, tiny y", (0.0, TINY), (1,))],
        doc="x log y of the rows (x, y), 0 where x = 0",
    ),
    Op(
        "xlog1py",
        "special",
        lambda x, y: x * mpmath.log1p(y) if x != 0 else mpmath.mpf(0),
        {
            "torch": ("torch.special.xlog1py",),
            "jax": ("jax.scipy.special.xlog1py",),
            "tensorflow": ("tf.math.xlog1py",),
            "numpy": ("scipy.special.xlog1py",),
        },
        arity=2,
        domain=((-2.0, 2.0), (-0.5, 3.0)),
        valid=_above_minus_one,
        points=[("x=0", (0.0, 0.5)), ("y=0", (1.3, 0.0)), ("tiny y", (2.0, TINY))],
        doc="x log(1 + y) of the rows (x, y), 0 where x = 0",
    ),
    Op(
        "betaln",
        "special",
        lambda a, b: mpmath.log(mpmath.beta(a, b)),
        {"jax": ("jax.scipy.special.betaln",), "numpy": ("scipy.special.betaln",)},
        arity=2,
        domain=((0.2, 4.0), (0.2, 4.0)),
        valid=lambda x: None if np.all(x > 0) else "both arguments must be > 0",
        points=[("1, 1", (1.0, 1.0)), ("large", (1e6, 2.0))],
        doc="log B(a, b), a, b > 0",
    ),
]
