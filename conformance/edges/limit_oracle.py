"""Exact derivatives at a point, reached as a limit in high precision (mpmath).

For a function F written once against a numpy-like namespace and run in the mpmath namespace of
``conformance.oracles`` (object arrays of ``mpf``), the k-th directional derivative

    D^k F(x)[d₁, …, d_k] = ∂^k / ∂t₁ … ∂t_k  F(x + t₁ d₁ + … + t_k d_k)  at t = 0

is the nested central difference  Σ_{s ∈ {±1}^k} (Π sᵢ) F(x + h Σ sᵢ dᵢ) / (2h)^k  with a step
h = 2^-(p + a) (p = the target precision in bits, a = 20 guard bits) evaluated at (p + 2a)(k + 1)
bits, as ``mpmath.diff`` does: truncation O(h²) and cancellation both stay below 2^-p relative.

*Removable singularities* (x / sin x at 0, where the formula is 0/0 but the function is smooth):
with ``singular=True`` the stencil is shifted by h/2 along every direction, so F is never evaluated
at the point itself, and the estimate is the derivative at a point h/2 away — the limit, to O(h).

Each result comes with an *error estimate*: the same derivative at a second precision (another h);
an oracle whose two estimates disagree beyond what the caller needs cannot judge the point. A
*kink* (the one-sided derivatives differ, e.g. |x| at 0) is found by evaluating the first
derivative a relative 2^-60 to either side of the point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from conformance.errors import ConformanceError

GUARD_BITS = 20
DPS = 40  # decimal digits of the first estimate
DPS_CHECK = 55  # decimal digits of the second estimate (a different step h)


class OracleError(ConformanceError, ValueError):
    """The oracle cannot give an exact derivative here (outside the domain, a kink, no precision)."""


@dataclass(frozen=True)
class Limit:
    """A derivative reached as a limit: ``value`` (float64, F's output shape), ``error`` (absolute,
    estimated from two precisions), and ``how`` (a sentence saying which limit was taken)."""

    value: np.ndarray
    error: float
    how: str
    errors: np.ndarray | None = None  # elementwise |estimate − check|, like value


def mp_function(case: Any) -> Callable[[np.ndarray], Any]:
    """The case's exact formula (``case.oracle_fn``) over object arrays of mpf; it computes at
    mpmath's current precision, which the stencils raise as they need."""
    from conformance.mp_namespace import MpNamespace

    xp = MpNamespace(dps=DPS)
    fn = case.oracle_fn
    return lambda z: fn(xp, z)


def scalar_mp_function(case: Any, u: np.ndarray) -> Callable[[np.ndarray], Any]:
    """z ↦ ⟨u, f(z)⟩ in mpmath (u exact as mpf), so one stencil gives uᵀ Dᵏf."""
    F = mp_function(case)
    um = to_mp(u)
    return lambda z: np.sum(np.asarray(F(z), dtype=object) * um)


def to_mp(a: Any) -> np.ndarray:
    """A float array as an object array of exact ``mpf`` values (inf stays inf)."""
    from conformance.mp_namespace import to_mp as exact

    return exact(np.asarray(a, dtype=np.float64))


def to_float(a: Any) -> np.ndarray:
    """An mpf/mpc (array or scalar) as float64 (complex128 when any part is complex)."""
    arr = np.asarray(a, dtype=object)
    vals = [complex(v) if _is_complex(v) else float(getattr(v, "real", v)) for v in arr.reshape(-1)]
    dtype = np.complex128 if any(isinstance(v, complex) for v in vals) else np.float64
    return np.asarray(vals, dtype=dtype).reshape(arr.shape)


def _is_complex(v: Any) -> bool:
    import mpmath

    return isinstance(v, (mpmath.mpc, complex)) and v.imag != 0


def _step_scale(x: np.ndarray, d: np.ndarray) -> float:
    """Relative step: the smallest nonzero finite |x_j| on the support of d (1 where there is none),
    so that a step never crosses the nearest domain end of a tiny coordinate (e.g. sqrt at 1e-300)."""
    support = (np.asarray(d, dtype=float) != 0) & np.isfinite(x) & (x != 0)
    return float(np.min(np.abs(x[support]))) if support.any() else 1.0


def _extra_bits(x: np.ndarray, step_scale: float) -> int:
    """Bits beyond the target that a step h = 2^-(p+a)·step_scale needs: to be resolved against the
    largest |x_j| (x_j ± h exact) and against values of f of order one (f(x+h) − f(x−h) ≈ 2h f')."""
    finite = np.abs(x[np.isfinite(x)])
    top = float(np.max(finite)) if finite.size else 1.0
    return max(0, math.ceil(math.log2(max(1.0, top)) - math.log2(step_scale))) + max(
        0, math.ceil(-math.log2(step_scale))
    )


def stencil(
    F: Callable[[np.ndarray], Any],
    x: np.ndarray,
    dirs: Sequence[np.ndarray],
    dps: int,
    singular: bool,
    offset: tuple[float, np.ndarray] | None = None,
) -> np.ndarray:
    """D^k F(x + t·d)[d₁..d_k] (offset = (t, d), applied in mpmath, so that tiny offsets of tiny
    points do not underflow) as an object array of mpf at ``dps`` digits (module docstring).
    Arrays come first in products with an mpf, sums go through ``np.add`` (``mp_namespace.to_mp``)."""
    import mpmath

    k = len(dirs)
    with mpmath.workdps(dps):
        prec = mpmath.mp.prec
    scales = [_step_scale(x, d) for d in dirs]
    with mpmath.workprec((prec + 2 * GUARD_BITS + _extra_bits(x, min(scales))) * (k + 1)):
        hs = [mpmath.ldexp(s, -prec - GUARD_BITS) for s in scales]
        base = to_mp(x)
        if offset is not None:
            base = base + to_mp(offset[1]) * offset[0]
        mdirs = [to_mp(d) for d in dirs]
        if singular:
            for h, d in zip(hs, mdirs):
                base = base + d * (h / 2)
        total = None
        for signs in np.ndindex(*(2,) * k):
            s = [1 if b else -1 for b in signs]
            point = base
            for si, h, d in zip(s, hs, mdirs):
                point = point + d * (si * h)
            try:
                term = np.asarray(F(point), dtype=object)
            except Exception as exc:
                raise OracleError(
                    f"the formula cannot be evaluated next to the point ({type(exc).__name__}: {exc})"
                ) from None
            term = np.multiply(term, math.prod(s))
            total = term if total is None else np.add(total, term)
        norm = mpmath.mpf(1)
        for h in hs:
            norm *= 2 * h
        return np.asarray(total / norm, dtype=object)


def evaluate(
    F: Callable[[np.ndarray], Any], x: np.ndarray, dps: int = DPS, offset: tuple[Any, np.ndarray] | None = None
) -> np.ndarray:
    """F(x + t·d) (offset = (t, d), in mpmath) at ``dps`` digits, as float64; raises OracleError if
    F cannot run there."""
    import mpmath

    with mpmath.workdps(dps):
        try:
            z = to_mp(x) if offset is None else to_mp(x) + to_mp(offset[1]) * offset[0]
            val = np.asarray(F(z), dtype=object)
        except Exception as exc:  # mpmath raises ZeroDivisionError, ValueError, even TypeError
            raise OracleError(f"the formula cannot be evaluated at the point ({type(exc).__name__}: {exc})") from None
    return to_float(val)


def is_singular(F: Callable[[np.ndarray], Any], x: np.ndarray) -> bool:
    """True when the formula fails at x itself (0/0, log 0 ...) so the limit must avoid x."""
    try:
        val = evaluate(F, x)
    except OracleError:
        return True
    return bool(np.any(np.isnan(val)))


def check_domain(F: Callable[[np.ndarray], Any], x: np.ndarray, dirs: Sequence[np.ndarray], what: str) -> None:
    """Raise OracleError unless F is real and finite at x ± h·d for each direction d, h a relative
    2^-40 of the point's scale (the neighbourhood the limits are taken in)."""
    import mpmath

    for d in dirs:
        d = np.asarray(d, dtype=np.float64).reshape(x.shape)
        h = mpmath.ldexp(_step_scale(x, d), -40)
        for sgn in (1, -1):
            try:
                val = evaluate(F, x, offset=(sgn * h, d))
            except OracleError as exc:
                raise OracleError(f"{what} is outside the function's domain: {exc}") from None
            if np.iscomplexobj(val) or not np.all(np.isfinite(val)):
                raise OracleError(
                    f"{what} is outside the function's domain: f is "
                    f"{'complex' if np.iscomplexobj(val) else 'not finite'} next to it; move the "
                    f"point inside the domain or drop it"
                )


# Precisions (first estimate, check) tried in turn when a limit is too small to be resolved at the
# first: a stencil's error is absolute, ~10^-dps on the scale of F, so a derivative of 1e-34 next to
# values of F of order one (tanh'' at 40) needs more digits than one of order one.
PRECISIONS = ((DPS, DPS_CHECK), (2 * DPS, 2 * DPS_CHECK), (4 * DPS, 4 * DPS_CHECK))


def derivative(
    F: Callable[[np.ndarray], Any],
    x: np.ndarray,
    dirs: Sequence[np.ndarray],
    singular: bool | None = None,
    dps: tuple[int, int] = (DPS, DPS_CHECK),
) -> Limit:
    """D^k F(x)[dirs] as float64 with an error estimate from two precisions (``dps``: digits of the
    estimate and of its check)."""
    x = np.asarray(x, dtype=np.float64)
    dirs = [np.asarray(d, dtype=np.float64).reshape(x.shape) for d in dirs]
    sing = is_singular(F, x) if singular is None else singular
    a = stencil(F, x, dirs, dps[0], sing)
    b = stencil(F, x, dirs, dps[1], sing)
    va, vb = to_float(a), to_float(b)
    with np.errstate(invalid="ignore"):
        errs = np.abs(va - vb)
        err = float(np.max(errs)) if va.size else 0.0
    how = f"mpmath central differences at {dps[0]} digits (checked at {dps[1]})" + (
        "; removable singularity: the formula is never evaluated at the point itself, the "
        "stencil is shifted by h/2 (limit h → 0)"
        if sing
        else ""
    )
    return Limit(vb, err, how, errs)


def _columns(F: Callable[[np.ndarray], Any], x: np.ndarray, lead: Sequence[np.ndarray], singular: bool | None) -> Limit:
    """D^{k+1}F(x)[lead…, eᵢ] for every coordinate i, stacked last (shape F(x).shape + x.shape), with
    each entry's own error estimate (``errors``, same shape): one directional limit per coordinate."""
    x = np.asarray(x, dtype=np.float64)
    sing = is_singular(F, x) if singular is None else singular
    cols, errs, how = [], [], ""
    for e in np.eye(x.size):
        lim = derivative(F, x, [*lead, e.reshape(x.shape)], sing)
        cols.append(lim.value)
        errs.append(np.broadcast_to(lim.errors if lim.errors is not None else lim.error, np.shape(lim.value)))
        how = lim.how
    shape = np.shape(cols[0]) + x.shape
    errors = np.stack(errs, axis=-1).reshape(shape)
    return Limit(np.stack(cols, axis=-1).reshape(shape), float(np.max(errors, initial=0.0)), how, errors)


def jacobian(F: Callable[[np.ndarray], Any], x: np.ndarray, singular: bool | None = None) -> Limit:
    """J_F(x), shape F(x).shape + x.shape, one directional limit per input coordinate."""
    return _columns(F, x, [], singular)


def second(F: Callable[[np.ndarray], Any], x: np.ndarray, v: np.ndarray, singular: bool | None = None) -> Limit:
    """D²F(x)[v, ·]: shape F(x).shape + x.shape (the Hessian times v for a scalar F)."""
    return _columns(F, x, [np.asarray(v, dtype=np.float64)], singular)


def third(F: Callable[[np.ndarray], Any], x: np.ndarray, v: np.ndarray, singular: bool | None = None) -> Limit:
    """D³F(x)[v, v, ·]: shape F(x).shape + x.shape."""
    v = np.asarray(v, dtype=np.float64)
    return _columns(F, x, [v, v], singular)


def kink(F: Callable[[np.ndarray], Any], x: np.ndarray, d: np.ndarray, scale: float) -> str | None:
    """Where the directional derivative along d jumps at x (the limits from x − δd and x + δd, δ a
    relative 2^-60, differ by more than 1e-6 of their size and 1e-12; a smooth function's differ by
    about 2δ·|D²f|): both values; None where it is continuous."""
    import mpmath

    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64).reshape(x.shape)
    delta = mpmath.ldexp(_step_scale(x, d), -60)
    left = to_float(stencil(F, x, [d], DPS, False, offset=(-delta, d)))
    right = to_float(stencil(F, x, [d], DPS, False, offset=(delta, d)))
    gap = float(np.max(np.abs(left - right))) if left.size else 0.0
    size = max(
        scale, float(np.max(np.abs(left))) if left.size else 0.0, float(np.max(np.abs(right))) if right.size else 0.0
    )
    if not (gap <= 1e-6 * size or gap <= 1e-12):
        return (
            f"the derivative along v is {np.ravel(left)[:3].tolist()} from one side and "
            f"{np.ravel(right)[:3].tolist()} from the other"
        )
    return None
