"""Complex zeros and infinities as special points (issue 19, item 3): where a limit, every admissible
subgradient or a documented convention fixes the answer for a complex input z = x + iy.

Real-valued losses L(z) = Σ g(z), judged as the gradient ∂L/∂x + i ∂L/∂y (``check gradient@<point>``,
normalized from each framework's convention as in ``conformance.edges.complex``):

    |z|       at ±0±0j       every G with |G| <= 1 (the subdifferential of |z| at 0 is the closed unit
                             disc): judged against the nearest admissible answer, NaN/inf fail
              at huge |z|    z/|z| (|z| near the dtype's largest finite number: no overflow in |z|)
              at tiny |z|    z/|z| (x² + y² underflows; |z| near the smallest normal number does not)
              at ±inf + iy,  the limit of z/|z| along the axis: ±1, ±i
              x ± i∞
    |z|²      at ±0±0j       0 (2|z| · ∂|z| with every admissible subgradient), computed as abs(z)**2
              at tiny |z|    2z (a normal number: no underflow to 0)
    Re(z z̄)   at tiny |z|    2z
    arg z     on the cut     i/z̄ (arg jumps from π to −π across the negative real axis; its derivative
                             from either side is the same: −i/|x| at z = x ± 0i, x < 0)
    Re z, Im z               1, i at every z, ±inf components and NaN too: the gradient of an affine
                             function does not depend on z

Holomorphic f (``value@<point>`` and ``derivative@<point>``: J v = f'(z) v through jvp and conj(f'(z)) u
through vjp, tangent and cotangent 1), where the limit of f' is finite:

    exp       at −∞ + iy           f = f' = 0 (|eᶻ| = eˣ → 0, whatever y; C99 G.6.3.1: cexp(−∞ ± i∞) = ±0 ± 0i)
    log       at tiny |z|          f' = 1/z: huge but finite (|1/z| <= 1/tiny < the largest finite number)
    sqrt      at tiny |z| off the cut   f' = 1/(2√z), finite
    expm1, log1p at tiny z         f' = eᶻ, 1/(1 + z) ≈ 1; the values carry z's digits (no cancellation)
    tanh, σ   at ±large ± iy, ±∞ + iy   f → ±1 (tanh), 1 or 0 (σ); f' → 0, below the normal range at
                                   |x| = 800 (complex128), 120 (complex64): 0 is the correctly rounded
                                   answer there (the saturated-but-normal range is the real suite's)

Documented values: arg(±0 ± 0i) = atan2(±0, ±0) ∈ {0, π, −0, −π} and arg(x ± 0i) = ±π for x < 0 (C99
G.6: carg(z) = atan2(Im z, Re z); IEEE 754 atan2), checked as ``value@0`` and ``value@cut``. The
gradient of arg at 0 has no admissible value (|∇ arg| = 1/|z| → ∞): what each framework returns there
is a ``convention`` record, shown and not judged.

Every record carries the raw answers (before normalization) and the framework's declared convention,
so the conventions stay visible side by side. Oracles: mpmath at 40 digits for finite z, the stated
limits for non-finite z; judged by ``tolerance.compare`` under the ``exact`` policy (relative to |exact|,
the absolute allowance only where it is 0; NaN or ±inf never pass where a finite answer is due).
The numerical reference (numpy) runs the value checks: its finite differences cannot step from ±inf
nor resolve f' on the scale of |z| near the smallest normal number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import numpy as np

from conformance.adapters import public
from conformance.edges.complex import convention, normalize_grad, pairs, product, reference_skips_loss
from conformance.engine import Context, Outcome, Task
from conformance.errors import NotProvidedError
from conformance.tolerance import HUGE, TINY, compare, policy

DTYPES = ("complex128", "complex64")
INF = math.inf
NAN = math.nan
LARGE = {"complex128": 800.0, "complex64": 120.0}  # e^(−|x|) is below the dtype's smallest subnormal

# Public names of functions the op table has no row for, or whose first name takes no complex input.
# A framework absent from a row is "not provided" (a skip that says so).
NAMES: dict[str, dict[str, str]] = {
    "angle": {"torch": "torch.angle", "jax": "jax.numpy.angle", "tensorflow": "tf.math.angle", "numpy": "numpy.angle"},
    "imag": {"torch": "torch.imag", "jax": "jax.numpy.imag", "tensorflow": "tf.math.imag", "numpy": "numpy.imag"},
    # scipy.special.expit (the expit row's numpy name) has no complex loop, and numpy has no sigmoid
    "expit": {"torch": "torch.sigmoid", "jax": "jax.nn.sigmoid", "tensorflow": "tf.math.sigmoid"},
}


def public_name(fn: str, framework: str) -> str:
    """The framework's public name of ``fn``: ``NAMES``, else the first name of op-table row math_<fn>."""
    if fn in NAMES:
        names = NAMES[fn]
    else:
        from conformance.ops import by_name

        names = {k: v[0] for k, v in by_name(f"math_{fn}").public.items()}
    if framework not in names:
        raise NotProvidedError(f"not provided: {framework} has no public complex {fn}")
    return names[framework]


def function(ctx: Context, fn: str) -> Callable[[Any], Any]:
    """``fn`` of the adapter's framework, called by its public name."""
    name = public_name(fn, ctx.adapter.name)
    return lambda z: public.call(ctx.adapter, name, z)


# ------------------------------------------------------------------------------ exact answers
def exact(mp: Callable[[Any], Any], limit: Callable[[complex], complex] | None = None, prec: int = 160) -> Callable:
    """z ↦ mp(z) elementwise in mpmath at ``prec`` bits (rounded to complex128) at finite z, ``limit(z)``
    at z with an infinite or NaN part. ``prec`` = WIDE makes 1 + z exact for every normal float64 z, so
    log(1 + z) and eᶻ − 1 need no log1p/expm1 of mpmath's (whose complex log1p lost the real part
    before mpmath 1.4: mpmath/mpmath#790)."""

    def at(z: np.ndarray) -> np.ndarray:
        out = []
        for w in np.ravel(np.asarray(z, dtype=np.complex128)):
            if np.isfinite(w):
                with mpmath.workprec(prec):
                    out.append(complex(mp(mpmath.mpc(w.real, w.imag))))
            else:
                out.append(complex(limit(complex(w))))
        return np.array(out, dtype=np.complex128)

    return at


def _direction(w: complex) -> complex:
    """lim z/|z| at a point at infinity with one finite part: ±1 (x = ±∞) or ±i (y = ±∞)."""
    if math.isinf(w.real) and math.isfinite(w.imag):
        return complex(math.copysign(1.0, w.real), 0.0)
    if math.isinf(w.imag) and math.isfinite(w.real):
        return complex(0.0, math.copysign(1.0, w.imag))
    raise ValueError(f"z/|z| has no limit named at {w}")


def _atan2(z: np.ndarray) -> np.ndarray:
    """arg z = atan2(Im z, Re z) with IEEE 754's signed-zero cases (C99 G.6 carg)."""
    return np.array([math.atan2(w.imag, w.real) for w in np.ravel(z)], dtype=np.complex128)


_ZERO = lambda w: 0j  # noqa: E731
WIDE = 2200  # bits: 1 + z is exact for every z whose parts are normal float64 numbers (2^-1022 .. 2^1024)
_DISC = "disc"  # the subdifferential of |z| at 0: the closed unit disc


# ------------------------------------------------------------------------------ the points
def _zeros(dtype: str) -> list[complex]:
    return [complex(0.0, 0.0), complex(-0.0, 0.0), complex(0.0, -0.0), complex(-0.0, -0.0)]


def _huge(dtype: str) -> list[complex]:
    s = HUGE[dtype] / 4  # |z| <= s·√2 stays finite
    return [s * complex(1, 1), s * complex(-1, 0.25), s * complex(0.5, -1)]


def _tiny(dtype: str) -> list[complex]:
    t = TINY[dtype]  # the smallest normal number: x² + y² underflows, |z| does not; no part subnormal
    return [t * complex(1, 1), t * complex(-3, 2), t * complex(4, -1)]


def _tiny_off_cut(dtype: str) -> list[complex]:
    t = TINY[dtype]
    return [t * complex(1, 1), t * complex(0, 1), t * complex(-1, 2), t * complex(4, -1)]


def _small(dtype: str) -> list[complex]:
    t = TINY[dtype]
    return [t * complex(1, 1), 2.0**-60 * complex(1, -1), complex(0, 2.0**-30), 2.0**-40 * complex(-1, 0.5)]


def _axis_infinities(dtype: str) -> list[complex]:
    return [complex(INF, 0), complex(-INF, 0), complex(0, INF), complex(0, -INF), complex(INF, 1), complex(-1, -INF)]


def _infinities(dtype: str) -> list[complex]:
    return [complex(INF, 0), complex(-INF, 2), complex(1, INF), complex(-INF, -INF), complex(NAN, NAN)]


def _cut(dtype: str) -> list[complex]:
    return [complex(-1, 0.0), complex(-1, -0.0), complex(-2.5, 0.0), complex(-0.5, -0.0)]


def _left_infinity(dtype: str) -> list[complex]:
    return [complex(-INF, 0), complex(-INF, 1), complex(-INF, -2.5), complex(-INF, INF)]


def _large(dtype: str) -> list[complex]:
    b, s = LARGE[dtype], HUGE[dtype] / 4
    return [complex(b, 1), complex(-b, 2), complex(s, -0.5), complex(-s, 1), complex(INF, 1), complex(-INF, -2)]


@dataclass(frozen=True)
class Extreme:
    """One function at one special point. ``loss``: L(z) = Σ compose(f(z)) is real and its gradient is
    judged against ``gradient``; else f is holomorphic, its value against ``value`` and f' against
    ``derivative``."""

    fn: str  # the function under test: "abs", or "math_<fn>" rows' fn, or a NAMES key
    point: str
    inputs: Callable[[str], list[complex]]
    doc: str
    gradient: Callable[[np.ndarray], np.ndarray] | str | None = None  # ∂L/∂x + i∂L/∂y, or _DISC
    derivative: Callable[[np.ndarray], np.ndarray] | None = None  # f'
    value: Callable[[np.ndarray], np.ndarray] | None = None  # f
    compose: Callable[[Any, Any, Any], Any] | None = None  # (f, xp, z) -> the loss's terms; None: f(z)
    name: str = ""  # the case's name when not complex_<fn>

    @property
    def case(self) -> str:
        return self.name or f"complex_{self.fn}"

    @property
    def loss(self) -> bool:
        return self.gradient is not None


def _abs_squared(f: Callable, xp: Any, z: Any) -> Any:
    return f(z) ** 2


def _z_conj_z(f: Callable, xp: Any, z: Any) -> Any:
    return f(z * xp.conj(z))


_UNIT = exact(lambda w: w / abs(w), _direction)
_TWICE = exact(lambda w: 2 * w)
_EXPIT = lambda w: 1 / (1 + mpmath.exp(-w))  # noqa: E731

EXTREMES: tuple[Extreme, ...] = (
    Extreme("abs", "0", _zeros, "|z| at ±0±0j: any G with |G| <= 1 (the subdifferential)", gradient=_DISC),
    Extreme("abs", "huge", _huge, "|z| at |z| near the largest finite number: z/|z|", gradient=_UNIT),
    Extreme("abs", "tiny", _tiny, "|z| at |z| near the smallest normal number: z/|z|", gradient=_UNIT),
    Extreme("abs", "inf", _axis_infinities, "|z| at ±∞ + iy, x ± i∞: lim z/|z| = ±1, ±i", gradient=_UNIT),
    Extreme(
        "abs",
        "0",
        _zeros,
        "|z|² = abs(z)**2 at ±0±0j: 2|z| ∂|z| = 0 for every admissible ∂|z|",
        gradient=exact(lambda w: 0),
        compose=_abs_squared,
        name="complex_abs_squared",
    ),
    Extreme(
        "abs",
        "tiny",
        _tiny,
        "|z|² = abs(z)**2 near the smallest normal number: 2z",
        gradient=_TWICE,
        compose=_abs_squared,
        name="complex_abs_squared",
    ),
    Extreme(
        "real",
        "tiny",
        _tiny,
        "Re(z z̄) near the smallest normal number: 2z",
        gradient=_TWICE,
        compose=_z_conj_z,
        name="complex_z_conj_z",
    ),
    Extreme(
        "angle",
        "cut",
        _cut,
        "arg z at x ± 0i, x < 0: i/z̄ from either side",
        gradient=exact(lambda w: 1j / w.conjugate()),
    ),
    Extreme("real", "inf", _infinities, "Re z at ±inf and NaN parts: 1", gradient=lambda z: np.ones_like(z)),
    Extreme("imag", "inf", _infinities, "Im z at ±inf and NaN parts: i", gradient=lambda z: np.full_like(z, 1j)),
    Extreme("angle", "cut", _cut, "arg(x ± 0i) = ±π for x < 0 (C99 carg = atan2)", value=_atan2),
    Extreme("angle", "0", _zeros, "arg(±0 ± 0i) = atan2(±0, ±0) (IEEE 754, C99 G.6 carg)", value=_atan2),
    Extreme(
        "exp",
        "-inf+iy",
        _left_infinity,
        "eᶻ at −∞ + iy: f = f' = 0",
        value=exact(mpmath.exp, _ZERO),
        derivative=exact(mpmath.exp, _ZERO),
    ),
    Extreme(
        "log",
        "tiny",
        _tiny_off_cut,
        "log z at tiny |z|: f' = 1/z",
        value=exact(mpmath.log),
        derivative=exact(lambda w: 1 / w),
    ),
    Extreme(
        "sqrt",
        "tiny",
        _tiny_off_cut,
        "√z at tiny |z| off the cut: f' = 1/(2√z)",
        value=exact(mpmath.sqrt),
        derivative=exact(lambda w: 1 / (2 * mpmath.sqrt(w))),
    ),
    Extreme(
        "expm1",
        "tiny",
        _small,
        "eᶻ − 1 at tiny z: f' = eᶻ",
        value=exact(lambda w: mpmath.exp(w) - 1, prec=WIDE),
        derivative=exact(mpmath.exp),
    ),
    Extreme(
        "log1p",
        "tiny",
        _small,
        "log(1 + z) at tiny z: f' = 1/(1 + z)",
        value=exact(lambda w: mpmath.log(1 + w), prec=WIDE),
        derivative=exact(lambda w: 1 / (1 + w), prec=WIDE),
    ),
    Extreme(
        "tanh",
        "large",
        _large,
        "tanh z at ±large ± iy and ±∞ + iy: f → ±1, f' = sech² z → 0",
        value=exact(mpmath.tanh, lambda w: complex(math.copysign(1.0, w.real), 0.0)),
        derivative=exact(lambda w: mpmath.sech(w) ** 2, _ZERO),
    ),
    Extreme(
        "expit",
        "large",
        _large,
        "σ(z) = 1/(1 + e⁻ᶻ) at ±large ± iy and ±∞ + iy: f → 1 or 0, f' = σ(1 − σ) → 0",
        value=exact(_EXPIT, lambda w: complex(w.real > 0, 0.0)),
        derivative=exact(lambda w: _EXPIT(w) * (1 - _EXPIT(w)), _ZERO),
        name="complex_sigmoid",
    ),
)


# ------------------------------------------------------------------------------ judging
def admissible(got: np.ndarray, target: Callable[[np.ndarray], np.ndarray] | str, z: np.ndarray) -> np.ndarray:
    """The answer due for each entry: the exact one, or for ``_DISC`` the admissible answer nearest to
    ``got`` (got itself where |got| <= 1, got/|got| beyond; 0 for a non-finite got, which fails)."""
    if not isinstance(target, str):
        return target(z)
    g = np.asarray(got, dtype=np.complex128)
    with np.errstate(all="ignore"):
        r = np.abs(g)
        return np.where(~np.isfinite(g), 0j, np.where(r > 1, g / np.where(r > 1, r, 1), g))


def verdict(
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], ctx: Context, ex: Extreme, z: np.ndarray, basis: str
) -> Outcome:
    """One record for ``rows`` (name -> (normalized answer, answer due, raw answer)): the worst decides."""
    tol = policy("exact", ctx.dtype)
    judged = {k: compare(got, want, tol) for k, (got, want, _) in rows.items()}
    name, c = max(judged.items(), key=lambda kv: (not kv[1].ok, np.nan_to_num(kv[1].error_ratio, nan=np.inf)))
    said = "matches" if c.ok else f"is {c.worst.get('got')!r}, not"
    return Outcome.judged(
        c,
        tol,
        f"{ex.doc}: {name} {said} {c.worst.get('exact')!r} at entry {c.worst.get('index')}",
        input=pairs(z),
        point=ex.point,
        data={
            "function": public_name(ex.fn, ctx.adapter.name),
            "convention": convention(ctx.adapter),
            "oracle": basis,
            "reason": tol.reason,
            **c.stated(),
            "results": {
                k: {
                    "raw": pairs(raw),
                    "normalized": pairs(got),
                    "expected": pairs(want),
                    "ok": judged[k].ok,
                    "failure_class": judged[k].failure_class,
                }
                for k, (got, want, raw) in rows.items()
            },
        },
    )


def _z(ex: Extreme, dtype: str) -> np.ndarray:
    """The points on the dtype's grid (the inputs are exact in it), held as complex128."""
    real = np.float32 if dtype == "complex64" else np.float64
    pts = ex.inputs(dtype)
    return np.array([complex(real(w.real), real(w.imag)) for w in pts], dtype=np.complex128)


def _loss_fn(ex: Extreme, ctx: Context) -> Callable[[Any], Any]:
    f, xp = function(ctx, ex.fn), ctx.xp
    terms = (lambda z: ex.compose(f, xp, z)) if ex.compose else f
    return lambda z: xp.sum(terms(z))


def run_gradient(ex: Extreme, ctx: Context) -> Outcome:
    z = _z(ex, ctx.dtype)
    raw = ctx.numpy(ctx.adapter.grad(_loss_fn(ex, ctx))(ctx.array(z)))
    got = normalize_grad(ctx.adapter, raw)
    basis = (
        "the subdifferential of |z| at 0 is the closed unit disc: each answer is judged against the "
        "admissible answer nearest to it"
        if ex.gradient == _DISC
        else "∂L/∂x + i ∂L/∂y: mpmath at finite z, the stated limit elsewhere"
    )
    return verdict({"gradient": (got, admissible(got, ex.gradient, z), raw)}, ctx, ex, z, basis)


def run_value(ex: Extreme, ctx: Context) -> Outcome:
    z = _z(ex, ctx.dtype)
    got = ctx.numpy(function(ctx, ex.fn)(ctx.array(z)))
    return verdict({"value": (got, ex.value(z), got)}, ctx, ex, z, "f(z): mpmath at finite z, the limit elsewhere")


def run_derivative(ex: Extreme, ctx: Context) -> Outcome:
    z = _z(ex, ctx.dtype)
    f, fp, one = function(ctx, ex.fn), ex.derivative(z), np.ones_like(z)
    rows = {}
    for op, want in (("jvp", fp), ("vjp", np.conj(fp))):
        got, raw = product(ctx, f, z, one, op)
        rows[op] = (got, want, raw)
    return verdict(
        rows, ctx, ex, z, "J·1 = f'(z) and the normalized vjp conj(f'(z))·1: mpmath at finite z, the limit elsewhere"
    )


def run_angle_convention(ctx: Context) -> Outcome:
    """The raw gradient of Σ arg z at ±0±0j: no admissible answer (|∇ arg| = 1/|z| → ∞), so shown only."""
    z = np.array(_zeros(ctx.dtype))
    f = function(ctx, "angle")
    raw = ctx.numpy(ctx.adapter.grad(lambda w: ctx.xp.sum(f(w)))(ctx.array(z)))
    return Outcome(
        "pass",
        message=f"{public_name('angle', ctx.adapter.name)} at ±0±0j: gradient {pairs(raw)} ({convention(ctx.adapter)} convention)",
        input=pairs(z),
        point="0",
        data={
            "value": pairs(raw),
            "convention": convention(ctx.adapter),
            "note": "arg z has no limit at 0 and ∂ arg = i/z̄ is unbounded there: no answer is due; "
            "finite (0) is the NaN-free choice, NaN the chain rule's 0/0",
        },
    )


def _reference_values_only(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference differentiates by finite differences, which cannot step from ±inf nor "
            "resolve f' on the scale of |z| near the smallest normal number: its values are checked"
        )
    return None


def tasks() -> list[Task]:
    out: list[Task] = []
    for ex in EXTREMES:
        if ex.loss:
            out.append(
                Task(
                    "complex",
                    ex.case,
                    f"gradient@{ex.point}",
                    lambda ctx, ex=ex: run_gradient(ex, ctx),
                    DTYPES,
                    applies=reference_skips_loss,
                )
            )
        if ex.value is not None:
            out.append(
                Task(
                    "complex",
                    ex.case,
                    f"value@{ex.point}",
                    lambda ctx, ex=ex: run_value(ex, ctx),
                    DTYPES,
                    per_variant=False,
                )
            )
        if ex.derivative is not None:
            out.append(
                Task(
                    "complex",
                    ex.case,
                    f"derivative@{ex.point}",
                    lambda ctx, ex=ex: run_derivative(ex, ctx),
                    DTYPES,
                    applies=_reference_values_only,
                )
            )
    out.append(
        Task(
            "conventions",
            "complex gradient of arg z at ±0±0j",
            "grad",
            run_angle_convention,
            ("complex128",),
            kind="convention",
            per_variant=False,
            applies=reference_skips_loss,
        )
    )
    return out
