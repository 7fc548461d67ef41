"""The array API's differentiable elementwise functions by every public entry point of each framework
(``torch.asin`` and ``torch.arcsin``; ``jax.numpy.sin`` and ``jax.lax.sin``; ``tf.math.sin`` and
``tf.experimental.numpy.sin``), with mpmath as the oracle. Family ``math``; every case is named
``math_<function>`` (the xp-written catalog's ``sin``, ``exp``, ... call the same functions through
the adapters' xp namespace, which the coverage count does not credit; these rows call them by name).

Unary rows use the xp catalog's special points (0, ±1, saturation at ±40, 1e±300, subnormals, the
ends of the domain); binary rows take the rows (a, b) of a (2, n) input, with points at zeros of
either argument, huge and tiny magnitudes. Piecewise functions (abs, maximum, copysign, fmod) are
checked away from their kinks, whose derivative is a convention (the conventions suite). Orders stop
where the exact derivative overflows float64 (noted at the point).
"""

from __future__ import annotations

from math import pi

import mpmath
import numpy as np

from .table import Op

INF = np.inf
TINY = 1e-300
SUB = 5e-324  # the smallest positive subnormal float64
NEAR_ONE = 2.0**-20  # distance to a domain end (arcsin, arccosh): condition ~ 1/(2δ) = 2¹⁹
END_NOTE = "f' ~ 1/√(1 − x²) there: 1 − x² carries x's rounding, condition x²/(1 − x²) ≈ 2¹⁹"
FMOD_C = 1.5  # the divisor of the fmod / remainder rows


def _names(torch=(), jax=(), tf=(), np_=()):
    """The public names by framework (empty tuples dropped: "not provided")."""
    out = {"torch": tuple(torch), "jax": tuple(jax), "tensorflow": tuple(tf), "numpy": tuple(np_)}
    return {k: v for k, v in out.items() if v}


def _unary(name, exact, names, domain=(-3.0, 3.0), points=(), doc="", **kw):
    return Op(f"math_{name}", "math", exact, names, domain=domain, points=points, doc=doc or name, **kw)


def _binary(name, exact, names, domain=((-2.0, 2.0), (-2.0, 2.0)), points=(), doc="", **kw):
    return Op(
        f"math_{name}",
        "math",
        exact,
        names,
        arity=2,
        domain=domain,
        points=points,
        doc=doc or f"{name}(a, b) of the rows (a, b)",
        **kw,
    )


def _away(*pairs, gap=0.05):
    """valid(x): every listed row of x keeps |x[row] − kink| > gap (binary rows' kinks)."""

    def valid(x):
        for row, kinks in pairs:
            d = np.min(np.abs(np.asarray(x)[row][..., None] - np.asarray(kinks)))
            if d <= gap:
                return f"argument {row} lies within {gap} of a kink at {kinks}"
        return None

    return valid


def _off_kinks(*kinks, gap=0.05):
    """valid(x) for a unary row: every entry more than ``gap`` from the kinks (a difference quotient of
    the numpy column must not straddle one)."""

    def valid(x):
        d = np.min(np.abs(np.asarray(x)[..., None] - np.asarray(kinks)))
        return None if d > gap else f"an entry lies within {gap} of a kink at {kinks}"

    return valid


def _apart(x):
    return None if np.all(np.abs(x[0] - x[1]) > 0.05) else "a near-tie a ≈ b (at a tie the derivative is a convention)"


def _nonzero_second(x):
    return None if np.all(x[1] != 0) else "the divisor is 0"


def _positive_first(x):
    return None if np.all(x[0] > 0) else "the base must be > 0"


def _sign(v):
    return mpmath.mpf(1) if v > 0 else mpmath.mpf(-1)


def _fmod(x, c=FMOD_C):
    """x − c·trunc(x/c): C's fmod (the sign of x)."""
    q = x / c
    return x - c * (mpmath.floor(q) if q >= 0 else mpmath.ceil(q))


def _remainder(x, c=FMOD_C):
    """x − c·floor(x/c): Python's % (the sign of c)."""
    return x - c * mpmath.floor(x / c)


TRIG_POINTS = [("0", 0.0), ("1", 1.0), ("-1", -1.0), ("tiny", TINY)]
SAT_POINTS = [("0", 0.0), ("1", 1.0), ("40", 40.0), ("-40", -40.0), ("tiny", TINY)]
POW_POINTS = [("base 1", (1.0, 0.5)), ("integer exponent", (1.5, 3.0)), ("tiny base", (1e-100, 2.0))]
ADD_POINTS = [("cancelling huge", (1e300, -1e300)), ("tiny", (1e-300, 2e-300)), ("zeros", (0.0, 0.0))]

UNARY: list[Op] = [
    _unary(
        "sin",
        mpmath.sin,
        _names(
            ("torch.sin",),
            ("jax.numpy.sin", "jax.lax.sin"),
            ("tf.math.sin", "tf.experimental.numpy.sin"),
            ("numpy.sin",),
        ),
        points=[*TRIG_POINTS, ("pi/2", pi / 2), ("subnormal", SUB), ("large", 1e5)],
        doc="sin x",
    ),
    _unary(
        "cos",
        mpmath.cos,
        _names(
            ("torch.cos",),
            ("jax.numpy.cos", "jax.lax.cos"),
            ("tf.math.cos", "tf.experimental.numpy.cos"),
            ("numpy.cos",),
        ),
        points=[("0", 0.0), ("1", 1.0), ("pi", pi), ("tiny", TINY), ("large", 1e5)],
        doc="cos x",
    ),
    _unary(
        "tan",
        mpmath.tan,
        _names(
            ("torch.tan",),
            ("jax.numpy.tan", "jax.lax.tan"),
            ("tf.math.tan", "tf.experimental.numpy.tan"),
            ("numpy.tan",),
        ),
        domain=(-1.2, 1.2),
        defined_on=(-pi / 2, pi / 2),
        points=[*TRIG_POINTS, ("near pole", 1.5, (1, 2), "tan' = sec² x; condition |2x tan x| ≈ 42", 42.5)],
        doc="tan x, |x| < π/2",
    ),
    _unary(
        "arcsin",
        mpmath.asin,
        _names(
            ("torch.asin", "torch.arcsin"),
            ("jax.numpy.arcsin", "jax.numpy.asin", "jax.lax.asin"),
            ("tf.math.asin", "tf.experimental.numpy.arcsin"),
            ("numpy.arcsin", "numpy.asin"),
        ),
        domain=(-0.8, 0.8),
        defined_on=(-1.0, 1.0),
        points=[
            ("0", 0.0),
            ("1/2", 0.5),
            ("-1/2", -0.5),
            ("tiny", TINY),
            ("near 1", 1 - NEAR_ONE, (1, 2), END_NOTE, 2.0**19),
        ],
        doc="arcsin x, |x| < 1",
    ),
    _unary(
        "arccos",
        mpmath.acos,
        _names(
            ("torch.acos", "torch.arccos"),
            ("jax.numpy.arccos", "jax.numpy.acos", "jax.lax.acos"),
            ("tf.math.acos", "tf.experimental.numpy.arccos"),
            ("numpy.arccos", "numpy.acos"),
        ),
        domain=(-0.8, 0.8),
        defined_on=(-1.0, 1.0),
        points=[("0", 0.0), ("1/2", 0.5), ("near -1", -1 + NEAR_ONE, (1, 2), END_NOTE, 2.0**19)],
        doc="arccos x, |x| < 1",
    ),
    _unary(
        "arctan",
        mpmath.atan,
        _names(
            ("torch.atan", "torch.arctan"),
            ("jax.numpy.arctan", "jax.numpy.atan", "jax.lax.atan"),
            ("tf.math.atan", "tf.experimental.numpy.arctan"),
            ("numpy.arctan", "numpy.atan"),
        ),
        points=[*TRIG_POINTS, ("1e300", 1e300)],
        doc="arctan x",
    ),
    _unary(
        "sinh",
        mpmath.sinh,
        _names(
            ("torch.sinh",),
            ("jax.numpy.sinh", "jax.lax.sinh"),
            ("tf.math.sinh", "tf.experimental.numpy.sinh"),
            ("numpy.sinh",),
        ),
        points=SAT_POINTS,
        doc="sinh x",
    ),
    _unary(
        "cosh",
        mpmath.cosh,
        _names(
            ("torch.cosh",),
            ("jax.numpy.cosh", "jax.lax.cosh"),
            ("tf.math.cosh", "tf.experimental.numpy.cosh"),
            ("numpy.cosh",),
        ),
        points=SAT_POINTS[:4],
        doc="cosh x",
    ),
    _unary(
        "tanh",
        mpmath.tanh,
        _names(
            ("torch.tanh", "torch.nn.functional.tanh"),
            ("jax.numpy.tanh", "jax.lax.tanh"),
            ("tf.math.tanh", "tf.experimental.numpy.tanh", "tf.nn.tanh"),
            ("numpy.tanh",),
        ),
        points=[*SAT_POINTS, ("1e300", 1e300), ("-1e300", -1e300)],
        doc="tanh x",
    ),
    _unary(
        "arcsinh",
        mpmath.asinh,
        _names(
            ("torch.asinh", "torch.arcsinh"),
            ("jax.numpy.arcsinh", "jax.numpy.asinh", "jax.lax.asinh"),
            ("tf.math.asinh", "tf.experimental.numpy.arcsinh"),
            ("numpy.arcsinh", "numpy.asinh"),
        ),
        points=[("0", 0.0), ("1", 1.0), ("tiny", TINY), ("1e100", 1e100)],
        doc="arcsinh x",
    ),
    _unary(
        "arccosh",
        mpmath.acosh,
        _names(
            ("torch.acosh", "torch.arccosh"),
            ("jax.numpy.arccosh", "jax.numpy.acosh", "jax.lax.acosh"),
            ("tf.math.acosh", "tf.experimental.numpy.arccosh"),
            ("numpy.arccosh", "numpy.acosh"),
        ),
        domain=(1.2, 4.0),
        defined_on=(1.0, INF),
        points=[
            ("2", 2.0),
            ("1e100", 1e100),
            (
                "near 1",
                1 + NEAR_ONE,
                (1, 2),
                "f' = 1/√(x² − 1): x² − 1 carries x's rounding, condition x²/(x² − 1) ≈ 2¹⁹",
                2.0**19,
            ),
        ],
        doc="arccosh x, x > 1",
    ),
    _unary(
        "arctanh",
        mpmath.atanh,
        _names(
            ("torch.atanh", "torch.arctanh"),
            ("jax.numpy.arctanh", "jax.numpy.atanh", "jax.lax.atanh"),
            ("tf.math.atanh", "tf.experimental.numpy.arctanh"),
            ("numpy.arctanh", "numpy.atanh"),
        ),
        domain=(-0.8, 0.8),
        defined_on=(-1.0, 1.0),
        points=[("0", 0.0), ("1/2", 0.5), ("tiny", TINY)],
        doc="arctanh x, |x| < 1",
    ),
    _unary(
        "exp",
        mpmath.exp,
        _names(
            ("torch.exp",),
            ("jax.numpy.exp", "jax.lax.exp"),
            ("tf.math.exp", "tf.experimental.numpy.exp"),
            ("numpy.exp",),
        ),
        points=[
            ("0", 0.0),
            ("1", 1.0),
            ("-40", -40.0),
            ("40", 40.0),
            ("near overflow", 700.0),
            ("subnormal result", -740.0),
            ("tiny", TINY),
        ],
        doc="eˣ",
    ),
    _unary(
        "exp2",
        lambda x: mpmath.mpf(2) ** x,
        _names(jax=("jax.lax.exp2",)),
        points=[("0", 0.0), ("-1070", -1070.0), ("1000", 1000.0)],
        doc="2ˣ (jax.lax's own entry point)",
    ),
    _unary(
        "expm1",
        mpmath.expm1,
        _names(("torch.expm1",), ("jax.numpy.expm1",), ("tf.experimental.numpy.expm1",), ("numpy.expm1",)),
        points=[("0", 0.0), ("tiny", TINY), ("subnormal", SUB), ("-40", -40.0), ("40", 40.0)],
        doc="eˣ − 1 (torch.special / lax / tf.math in activations' expm1_native)",
    ),
    _unary(
        "log",
        mpmath.log,
        _names(
            ("torch.log",),
            ("jax.numpy.log", "jax.lax.log"),
            ("tf.math.log", "tf.experimental.numpy.log"),
            ("numpy.log",),
        ),
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("tiny", TINY, (1,), "log'' = −1/x² overflows"), ("large", 1e300), ("domain low end", 0.1)],
        doc="log x, x > 0",
    ),
    _unary(
        "log1p",
        mpmath.log1p,
        _names(("torch.log1p",), ("jax.numpy.log1p",), ("tf.experimental.numpy.log1p",), ("numpy.log1p",)),
        domain=(-0.5, 3.0),
        defined_on=(-1.0, INF),
        points=[("0", 0.0), ("tiny", TINY), ("subnormal", SUB), ("domain low end", -0.5), ("large", 1e300)],
        doc="log(1 + x) (torch.special / lax / tf.math in activations' log1p_native)",
    ),
    _unary(
        "log2",
        lambda x: mpmath.log(x, 2),
        _names(("torch.log2",), ("jax.numpy.log2",), ("tf.experimental.numpy.log2",), ("numpy.log2",)),
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("2", 2.0), ("large", 1e300)],
        doc="log₂ x, x > 0",
    ),
    _unary(
        "log10",
        mpmath.log10,
        _names(("torch.log10",), ("jax.numpy.log10",), ("tf.experimental.numpy.log10",), ("numpy.log10",)),
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("10", 10.0), ("large", 1e300)],
        doc="log₁₀ x, x > 0",
    ),
    _unary(
        "sqrt",
        mpmath.sqrt,
        _names(
            ("torch.sqrt",),
            ("jax.numpy.sqrt", "jax.lax.sqrt"),
            ("tf.math.sqrt", "tf.experimental.numpy.sqrt"),
            ("numpy.sqrt",),
        ),
        domain=(0.1, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("tiny", TINY, (1,), "sqrt'' overflows"), ("large", 1e300)],
        doc="√x, x > 0",
    ),
    _unary(
        "square",
        lambda x: x * x,
        _names(
            ("torch.square",),
            ("jax.numpy.square", "jax.lax.square"),
            ("tf.math.square", "tf.experimental.numpy.square"),
            ("numpy.square",),
        ),
        points=[("0", 0.0), ("1", 1.0), ("large", 1e150)],
        doc="x²",
    ),
    _unary(
        "integer_pow",
        lambda x, y: x**y,
        _names(jax=("jax.lax.integer_pow",)),
        params={"y": 3},
        points=[("0", 0.0, (1, 2, 3)), ("large", 1e100)],
        doc="x³ by jax.lax.integer_pow",
    ),
    _unary(
        "erf",
        mpmath.erf,
        _names(
            ("torch.erf", "torch.special.erf"),
            ("jax.scipy.special.erf", "jax.lax.erf"),
            ("tf.math.erf",),
            ("scipy.special.erf",),
        ),
        domain=(-2.5, 2.5),
        points=[("0", 0.0), ("1", 1.0), ("-1", -1.0), ("40", 40.0), ("-40", -40.0), ("tiny", TINY)],
        doc="erf x",
    ),
    _unary(
        "erfc",
        mpmath.erfc,
        _names(
            ("torch.erfc", "torch.special.erfc"),
            ("jax.scipy.special.erfc", "jax.lax.erfc"),
            ("tf.math.erfc",),
            ("scipy.special.erfc",),
        ),
        domain=(-2.5, 2.5),
        points=[("0", 0.0), ("1", 1.0), ("10", 10.0), ("-40", -40.0)],
        doc="erfc x",
    ),
    _unary(
        "logistic",
        lambda x: 1 / (1 + mpmath.exp(-x)),
        _names(jax=("jax.lax.logistic",)),
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("-40", -40.0), ("-700", -700.0)],
        doc="σ(x) by jax.lax.logistic (the other entry points: special's expit)",
    ),
    _unary(
        "abs",
        abs,
        _names(
            ("torch.abs", "torch.absolute"),
            ("jax.numpy.abs", "jax.numpy.absolute", "jax.lax.abs"),
            ("tf.math.abs", "tf.experimental.numpy.abs", "tf.experimental.numpy.absolute"),
            ("numpy.abs", "numpy.absolute"),
        ),
        kinks=(0.0,),
        valid=_off_kinks(0.0),
        points=[("-1", -1.0), ("large", 1e300), ("-large", -1e300)],
        doc="|x| away from 0 (a difference quotient straddling the kink is no derivative; 0 itself is a convention)",
    ),
    _unary(
        "negative",
        lambda x: -x,
        _names(
            ("torch.neg", "torch.negative"),
            ("jax.numpy.negative", "jax.lax.neg"),
            ("tf.math.negative", "tf.experimental.numpy.negative"),
            ("numpy.negative",),
        ),
        points=[("0", 0.0), ("large", 1e300), ("tiny", TINY)],
        doc="−x",
    ),
    _unary(
        "positive",
        lambda x: +x,
        _names(("torch.positive",), ("jax.numpy.positive",), ("tf.experimental.numpy.positive",), ("numpy.positive",)),
        points=[("0", 0.0), ("large", 1e300)],
        doc="+x",
    ),
    _unary(
        "deg2rad",
        lambda x: x * mpmath.pi / 180,
        _names(
            ("torch.deg2rad",),
            ("jax.numpy.deg2rad", "jax.numpy.radians"),
            ("tf.experimental.numpy.deg2rad",),
            ("numpy.deg2rad", "numpy.radians"),
        ),
        points=[("0", 0.0), ("large", 1e300)],
        doc="x·π/180",
    ),
    _unary(
        "rad2deg",
        lambda x: x * 180 / mpmath.pi,
        _names(
            ("torch.rad2deg",),
            ("jax.numpy.rad2deg", "jax.numpy.degrees"),
            ("tf.experimental.numpy.rad2deg",),
            ("numpy.rad2deg", "numpy.degrees"),
        ),
        points=[("0", 0.0), ("large", 1e300)],
        doc="x·180/π",
    ),
    _unary(
        "real",
        lambda x: x,
        _names(("torch.real",), ("jax.numpy.real",), ("tf.math.real", "tf.experimental.numpy.real"), ("numpy.real",)),
        points=[("0", 0.0)],
        doc="Re x of a real x (the identity)",
    ),
    _unary(
        "conj",
        lambda x: x,
        _names(
            ("torch.conj_physical", "torch.conj"),
            ("jax.numpy.conj", "jax.numpy.conjugate"),
            ("tf.math.conj", "tf.experimental.numpy.conj", "tf.experimental.numpy.conjugate"),
            ("numpy.conj", "numpy.conjugate"),
        ),
        points=[("0", 0.0)],
        doc="x̄ of a real x (the identity)",
    ),
    _unary(
        "nan_to_num",
        lambda x: x,
        _names(("torch.nan_to_num",), ("jax.numpy.nan_to_num",), np_=("numpy.nan_to_num",)),
        points=[("0", 0.0), ("large", 1e300)],
        doc="x for finite x (the identity)",
    ),
    _unary(
        "frac",
        lambda x: x - (mpmath.floor(x) if x >= 0 else mpmath.ceil(x)),
        _names(torch=("torch.frac",)),
        domain=(0.05, 0.95),
        kinks=(-2.0, -1.0, 0.0, 1.0, 2.0),
        valid=_off_kinks(-2.0, -1.0, 0.0, 1.0, 2.0),
        points=[("1/2", 0.5), ("-7/4", -1.75), ("large", 2500000000000000.5)],
        doc="x − trunc x (random inputs between two integers; the special points beyond)",
    ),
    _unary(
        "fmod",
        _fmod,
        _names(("torch.fmod",), ("jax.numpy.fmod",), (), ("numpy.fmod",)),
        params={"c": FMOD_C},
        call=lambda f, x, c: f(x, c),
        domain=(-2.5, 2.5),
        kinks=(-1.5, 0.0, 1.5),
        valid=_off_kinks(-1.5, 0.0, 1.5),
        points=[("1", 1.0), ("-2", -2.0)],
        doc="fmod(x, 1.5) = x − 1.5·trunc(x/1.5) (away from the multiples of 1.5)",
    ),
    _unary(
        "remainder",
        _remainder,
        _names(
            ("torch.remainder",),
            ("jax.numpy.remainder", "jax.numpy.mod"),
            ("tf.math.floormod", "tf.experimental.numpy.remainder", "tf.experimental.numpy.mod"),
            ("numpy.remainder", "numpy.mod"),
        ),
        params={"c": FMOD_C},
        call=lambda f, x, c: f(x, c),
        domain=(-2.5, 2.5),
        kinks=(-1.5, 0.0, 1.5),
        valid=_off_kinks(-1.5, 0.0, 1.5),
        points=[("1", 1.0), ("-2", -2.0)],
        doc="x mod 1.5 = x − 1.5·floor(x/1.5) (away from the multiples of 1.5)",
    ),
    _unary(
        "clamp_min",
        lambda x, c: max(x, mpmath.mpf(c)),
        _names(torch=("torch.clamp_min",)),
        params={"c": 0.25},
        call=lambda f, x, c: f(x, c),
        kinks=(0.25,),
        valid=_off_kinks(0.25),
        points=[("1", 1.0), ("-1", -1.0)],
        doc="max(x, 0.25) (away from 0.25)",
    ),
    _unary(
        "clamp_max",
        lambda x, c: min(x, mpmath.mpf(c)),
        _names(torch=("torch.clamp_max",)),
        params={"c": 0.25},
        call=lambda f, x, c: f(x, c),
        kinks=(0.25,),
        valid=_off_kinks(0.25),
        points=[("1", 1.0), ("-1", -1.0)],
        doc="min(x, 0.25) (away from 0.25)",
    ),
    _unary(
        "reciprocal_no_nan",
        lambda x: 1 / x,
        _names(tf=("tf.math.reciprocal_no_nan",)),
        domain=(0.5, 3.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("large", 1e100)],
        doc="1/x, x > 0 (0 at 0 by convention, not checked)",
    ),
    _unary(
        "scalar_mul",
        lambda x, scalar: scalar * x,
        _names(tf=("tf.math.scalar_mul",)),
        params={"scalar": 2.5},
        call=lambda f, x, scalar: f(scalar, x),
        points=[("0", 0.0), ("large", 1e300)],
        doc="2.5·x",
    ),
    _unary(
        "polyval",
        lambda x, coeffs: (2 * x - 3) * x + mpmath.mpf("0.5"),
        _names(jax=("jax.numpy.polyval",), tf=("tf.math.polyval",), np_=("numpy.polyval",)),
        params={"coeffs": (2.0, -3.0, 0.5)},
        call=lambda f, x, coeffs: f(np.asarray(coeffs, dtype=x.dtype), x),
        points=[("root", (3 - np.sqrt(5.0)) / 4), ("large", 1e100)],
        doc="2x² − 3x + ½ by Horner",
    ),
]

BINARY: list[Op] = [
    _binary(
        "add",
        lambda a, b: a + b,
        _names(
            ("torch.add",),
            ("jax.numpy.add", "jax.lax.add"),
            ("tf.math.add", "tf.experimental.numpy.add", "tf.math.add_n"),
            ("numpy.add",),
        ),
        points=ADD_POINTS,
        doc="a + b",
    ),
    _binary(
        "subtract",
        lambda a, b: a - b,
        _names(
            ("torch.sub", "torch.subtract"),
            ("jax.numpy.subtract", "jax.lax.sub"),
            ("tf.math.subtract", "tf.experimental.numpy.subtract"),
            ("numpy.subtract",),
        ),
        points=ADD_POINTS,
        doc="a − b",
    ),
    _binary(
        "multiply",
        lambda a, b: a * b,
        _names(
            ("torch.mul", "torch.multiply"),
            ("jax.numpy.multiply", "jax.lax.mul"),
            ("tf.math.multiply", "tf.experimental.numpy.multiply", "tf.math.multiply_no_nan"),
            ("numpy.multiply",),
        ),
        points=[("zero", (0.0, 1.5)), ("huge times tiny", (1e150, 1e-150)), ("zeros", (0.0, 0.0))],
        doc="a·b",
    ),
    _binary(
        "divide",
        lambda a, b: a / b,
        _names(
            ("torch.div", "torch.divide", "torch.true_divide"),
            ("jax.numpy.divide", "jax.numpy.true_divide", "jax.lax.div"),
            (
                "tf.math.divide",
                "tf.math.truediv",
                "tf.experimental.numpy.divide",
                "tf.experimental.numpy.true_divide",
                "tf.math.divide_no_nan",
                "tf.math.xdivy",
            ),
            ("numpy.divide", "numpy.true_divide"),
        ),
        domain=((-2.0, 2.0), (0.5, 2.0)),
        valid=_nonzero_second,
        points=[("zero numerator", (0.0, 2.0)), ("tiny denominator", (1.0, 1e-100)), ("huge", (1e300, 3.0))],
        doc="a / b, b ≠ 0",
    ),
    _binary(
        "pow",
        mpmath.power,
        _names(
            ("torch.pow",),
            ("jax.numpy.power", "jax.numpy.pow", "jax.lax.pow"),
            ("tf.math.pow", "tf.experimental.numpy.power"),
            ("numpy.power", "numpy.pow"),
        ),
        domain=((0.5, 2.0), (-2.0, 2.0)),
        valid=_positive_first,
        points=POW_POINTS,
        doc="aᵇ, a > 0",
    ),
    _binary(
        "float_power",
        mpmath.power,
        _names(
            ("torch.float_power",),
            ("jax.numpy.float_power",),
            ("tf.experimental.numpy.float_power",),
            ("numpy.float_power",),
        ),
        domain=((0.5, 2.0), (-2.0, 2.0)),
        valid=_positive_first,
        points=POW_POINTS,
        dtypes=("float64",),
        doc="aᵇ, a > 0, computed in float64 whatever the input's precision (float64 rows only)",
    ),
    _binary(
        "arctan2",
        mpmath.atan2,
        _names(
            ("torch.atan2", "torch.arctan2"),
            ("jax.numpy.arctan2", "jax.numpy.atan2", "jax.lax.atan2"),
            ("tf.math.atan2", "tf.experimental.numpy.arctan2"),
            ("numpy.arctan2", "numpy.atan2"),
        ),
        domain=((-2.0, 2.0), (0.5, 2.0)),
        points=[
            ("y=0", (0.0, 1.0)),
            ("x=0", (1.0, 0.0)),
            ("large", (1e300, 1e300)),
            ("tiny", (1e-300, 1e-300), (1,), "second derivatives ~1/r² overflow"),
        ],
        doc="arctan2(y, x) of the rows (y, x), x > 0 (away from the branch cut)",
    ),
    _binary(
        "hypot",
        mpmath.hypot,
        _names(("torch.hypot",), ("jax.numpy.hypot",), ("tf.experimental.numpy.hypot",), ("numpy.hypot",)),
        domain=((0.5, 2.0), (-2.0, 2.0)),
        points=[
            ("one zero", (1.0, 0.0)),
            ("large", (1e300, 1e300)),
            ("tiny", (1e-300, 1e-300), (1,), "second derivatives ~1/r overflow"),
        ],
        doc="√(a² + b²), a > 0",
    ),
    _binary(
        "copysign",
        lambda a, b: abs(a) * _sign(b),
        _names(("torch.copysign",), ("jax.numpy.copysign",), (), ("numpy.copysign",)),
        domain=((0.2, 2.0), (-2.0, -0.2)),
        valid=_away((0, (0.0,)), (1, (0.0,))),
        points=[("negative sign", (1.5, -1.0)), ("negative magnitude", (-1.5, 2.0)), ("large", (1e300, 1.0))],
        doc="|a|·sign(b) (a, b away from 0: random draws a > 0 > b, the special points the other signs)",
    ),
    _binary(
        "maximum",
        lambda a, b: a if a > b else b,
        _names(
            ("torch.maximum",),
            ("jax.numpy.maximum", "jax.lax.max"),
            ("tf.math.maximum", "tf.experimental.numpy.maximum"),
            ("numpy.maximum",),
        ),
        valid=_apart,
        points=[("huge", (1e300, -1e300)), ("far", (-40.0, 40.0))],
        doc="max(a, b) (no ties: a tie is a convention)",
    ),
    _binary(
        "minimum",
        lambda a, b: a if a < b else b,
        _names(
            ("torch.minimum",),
            ("jax.numpy.minimum", "jax.lax.min"),
            ("tf.math.minimum", "tf.experimental.numpy.minimum"),
            ("numpy.minimum",),
        ),
        valid=_apart,
        points=[("huge", (1e300, -1e300)), ("far", (-40.0, 40.0))],
        doc="min(a, b) (no ties)",
    ),
    _binary(
        "fmax",
        lambda a, b: a if a > b else b,
        _names(("torch.fmax",), ("jax.numpy.fmax",), (), ("numpy.fmax",)),
        valid=_apart,
        points=[("huge", (1e300, -1e300))],
        doc="fmax(a, b) of finite a ≠ b",
    ),
    _binary(
        "fmin",
        lambda a, b: a if a < b else b,
        _names(("torch.fmin",), ("jax.numpy.fmin",), (), ("numpy.fmin",)),
        valid=_apart,
        points=[("huge", (1e300, -1e300))],
        doc="fmin(a, b) of finite a ≠ b",
    ),
    _binary(
        "squared_difference",
        lambda a, b: (a - b) ** 2,
        _names(tf=("tf.math.squared_difference",)),
        points=[("equal", (1.5, 1.5)), ("large", (1e150, -1e150))],
        doc="(a − b)²",
    ),
    _binary(
        "lerp",
        lambda a, b, weight: a + weight * (b - a),
        _names(torch=("torch.lerp",)),
        params={"weight": 0.25},
        call=lambda f, a, b, weight: f(a, b, weight),
        points=[("equal", (1.5, 1.5)), ("large", (1e300, -1e300))],
        doc="a + 0.25 (b − a)",
    ),
]

OPS: list[Op] = [*UNARY, *BINARY]
