"""Reference derivatives, independent of every AD framework.

Four methods, used in this order of precedence (the best one available for the case wins):

1. **closed form** — the case's hand-derived ``grad`` / ``jac`` / ``hess`` / ``derivative`` in numpy;
2. **mpmath** — the case's function run on object arrays of ``mpf`` (``mp_namespace``) at ``dps``
   (default 40, never under 30) significant digits and differentiated by the step method of
   ``mpmath.diff``: central differences Σₖ (−1)ᵏ C(n,k) f(x + (n/2 − k)h) / hⁿ at a step
   h = 10^(−dps)·scale, evaluated at (n+2)·dps working digits, shifted by h/2 so that f is never
   evaluated at x itself (removable singularities such as x/sin x at 0 are reached as limits);
3. **complex step** — J v = Im f(x + i h v) / h with h = 1e-30, exact to rounding for analytic cases;
4. **richardson** — central differences extrapolated to h → 0 (Ridders' method).

Every ``Reference`` carries the float64 value, the method, and an estimate of its absolute error
(for mpmath: the change between steps h and 2h — the second at CHECK_DIGITS more working digits, so that
the estimate sees the working precision's rounding as well as the step's truncation; an entry neither
resolved by it nor noise raises the working precision — plus the rounding to float64).

**Noise around an exact 0** (mpmath): every entry of an mpmath answer (a derivative, a Jacobian
entry, a J·v entry, a Hessian entry) carries its own error estimate eᵢ = |Dᵢ(h) − Dᵢ(2h)|. Where the
exact entry is 0 the stencil still leaves O(h·f'') or rounding residue (1e-41 beside O(1) entries),
and |Dᵢ(h)| ≈ eᵢ; where it is not, eᵢ is ~10^-dps of the entry. An entry with |Dᵢ| <= NOISE_FACTOR·eᵢ
is therefore an exact 0 for judging (``noise_to_zero``), entry by entry — never one estimate for the
whole array, which would zero a legitimately tiny entry beside large ones — and the Reference's
``note`` says how many entries were so taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import comb
from typing import Any, Callable

import mpmath
import numpy as np

from conformance import finite_differences as fd
from conformance.errors import ConformanceError
from conformance.mp_namespace import MpNamespace, to_float, to_mp  # noqa: F401 (re-exported)

METHODS = ("closed form", "mpmath", "complex step", "richardson")
EPS64 = float(np.finfo(np.float64).eps)
DEFAULT_DPS = 40
# An mpmath entry within this factor of its own error estimate is noise around an exact 0: the estimate
# is ~10^-dps of the function's scale (h·|f''| for the shifted stencil, rounding otherwise), so an entry
# the stencil resolves exceeds it by tens of orders; 1000 leaves room for the estimate understating one
# step's residue (the same factor as the special points' limits, ``edges.special_points``).
NOISE_FACTOR = 1000.0
# An entry whose error estimate exceeds this fraction of it is not resolved for judging float64 (1/1000
# of an ε); the working digits are raised by these amounts in turn (a tiny partial derivative of an
# O(1) function — ∂‖x‖₃/∂xⱼ = 5e-77 at xⱼ = 1.2e-38 — moves F by 1e-154 of itself within one step)
RESOLVED = 1e-3 * EPS64
CHECK_DIGITS = 15
RAISE_DIGITS = (0, 2 * DEFAULT_DPS, 6 * DEFAULT_DPS)


class OracleError(ConformanceError, ValueError):
    """The oracle cannot produce the requested reference for this case and input."""


@dataclass(frozen=True)
class Reference:
    """A reference derivative: float64 ``value``, the ``method`` that produced it (one of
    METHODS) and ``error_estimate``, an estimate of max |value − exact| (absolute)."""

    value: np.ndarray
    method: str
    error_estimate: float
    note: str = ""  # the basis of entries set to an exact 0 (``noise_to_zero``), if any

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown oracle method {self.method!r}; use one of {METHODS}")


@lru_cache(maxsize=None)
def mp_namespace(dps: int = DEFAULT_DPS) -> MpNamespace:
    """The xp namespace over numpy object arrays of mpmath.mpf at ``dps`` digits (use
    ``with xp.precision():`` around calls, since mpf operators use mpmath's global precision)."""
    return MpNamespace(dps)


@lru_cache(maxsize=1)
def _np_xp() -> Any:
    from conformance.adapters.numpy.adapter import _xp

    return _xp()


def numpy_fn(case: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The case's ``fn`` evaluated by numpy (float64 or complex128) for the numerical oracles
    (complex step, Richardson). ``fn``, not ``exact_fn``: in float64 the safe rewrite is the one
    that stays finite at removable singularities; the plain formula is for mpmath only."""
    xp = _np_xp()
    f = case.fn
    return lambda z: np.asarray(f(xp, z))


def _rounding(value: np.ndarray, ulps: float = 1.0) -> float:
    v = np.abs(np.asarray(value))
    return float(ulps * EPS64 * (np.max(v) if v.size else 0.0))


def noise_to_zero(value: np.ndarray, errors: Any) -> tuple[np.ndarray, str]:
    """(value with every entry |vᵢ| <= NOISE_FACTOR·eᵢ set to 0, the note stating it; "" if none).
    ``errors``: each entry's own error estimate, broadcast to value's shape."""
    v = np.asarray(value, dtype=np.float64)
    e = np.broadcast_to(np.abs(np.asarray(errors, dtype=np.float64)), v.shape)
    zero = np.isfinite(e) & (v != 0) & (np.abs(v) <= NOISE_FACTOR * e)
    if not zero.any():
        return v, ""
    return np.where(zero, 0.0, v), (
        f"{int(zero.sum())} of {v.size} mpmath entries within {NOISE_FACTOR:g}x "
        f"their own error estimate |D(h) - D(2h)| taken as exact 0 (noise of the "
        f"stencil around an exact 0)"
    )


def _closed(value: Any, ulps: float = 16.0) -> Reference | None:
    """A closed form's value, if finite; its error is the rounding of a short float64 formula."""
    value = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(value)):
        return None
    return Reference(value, "closed form", _rounding(value, ulps))


def _choose(case: Any, prefer: str | None) -> list[str]:
    order = list(METHODS)
    if prefer is not None:
        if prefer in ("series", "limit"):
            prefer = "mpmath"
        if prefer not in METHODS:
            raise OracleError(f"unknown oracle method {prefer!r}; use one of {METHODS}")
        order = [prefer] + [m for m in order if m != prefer]
    usable = []
    for m in order:
        if m == "mpmath" and not case.mp:
            continue
        if m == "complex step" and not case.analytic:
            continue
        usable.append(m)
    return usable


def _x(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# ------------------------------------------------------------------ mpmath differencing
def _scale(v: np.ndarray) -> np.ndarray:
    """Per-entry step scale: |x| for 0 < |x| < 1 (tiny inputs), else 1."""
    a = np.abs(v)
    return np.where((a > 0) & (a < 1) & np.isfinite(a), a, 1.0)


def _extra_digits(x: np.ndarray, scale: np.ndarray | float) -> int:
    """Digits to add to the working precision so that steps h = 10^(−dps)·scale stay resolved both
    against |x| (large inputs: x ± h) and against O(1) function values (tiny inputs, where the
    function may vary on a scale of 1 while h ~ 10^(−dps)·|x|). ``scale``: per entry (each entry
    stepped on its own scale), or one number where every entry takes the same step (a direction's
    stencil moves all of them: then the largest |x| must resolve the smallest entry's step)."""
    finite = np.isfinite(x)
    if not np.any(finite):
        return 0
    if np.ndim(scale) == 0:
        top = float(np.max(np.abs(x[finite])))
        return int(np.ceil(np.log10(max(top, 1.0)) - np.log10(float(scale))))
    digits = np.log10(np.maximum(np.abs(x[finite]), 1.0)) - np.log10(np.asarray(scale)[finite])
    return int(np.ceil(np.max(digits)))


def _mp_stencil(
    F: Callable[[Any], np.ndarray], x: np.ndarray, direction: np.ndarray, order: int, step: Any
) -> np.ndarray:
    """mpmath.diff's central step method along ``direction``, vectorized over F's outputs:
    Σₖ (−1)ᵏ C(n,k) F(x + (n/2 − k + 1/2)·h·d) / hⁿ (the +h/2 shift keeps F off x itself)."""
    total = None
    for k in range(order + 1):
        t = (mpmath.mpf(order) / 2 - k + mpmath.mpf(1) / 2) * step
        y = F(x + direction * t) * ((-1) ** k * comb(order, k))
        total = y if total is None else total + y
    return total / step**order


def _mp_call(case: Any, xp: MpNamespace) -> Callable[[np.ndarray], np.ndarray]:
    f = case.oracle_fn
    return lambda z: np.asarray(f(xp, z), dtype=object)


def _mp_columns(
    case: Any, x: np.ndarray, dirs: list[np.ndarray], dps: int, more: int = 0
) -> tuple[list[Any], list[Any]]:
    """J d for each direction d at step h, and its change from step 2h at CHECK_DIGITS more digits (each
    column's own error estimate, entry by entry: the step's truncation and the working precision's
    rounding, which two steps at one precision would share), as object arrays of mpf at 3·dps (+ extra +
    ``more``) working digits. One step h = 10^(−dps)·s for every direction, s the smallest scale of an
    entry they move."""
    nzs = [d != 0 for d in dirs]
    scales = [float(np.min(_scale(x)[nz]) / np.max(np.abs(d))) if np.any(nz) else 1.0 for d, nz in zip(dirs, nzs)]
    s = min(scales) if scales else 1.0
    xp = mp_namespace(dps)
    digits = 3 * dps + _extra_digits(x, s) + more
    F = _mp_call(case, xp)
    cols, diffs = [], []
    for d in dirs:
        with mpmath.workdps(digits):
            h = mpmath.mpf(10) ** (-dps) * s
            col = _mp_stencil(F, to_mp(x), to_mp(d), 1, h)
        with mpmath.workdps(digits + CHECK_DIGITS):
            diffs.append(col - _mp_stencil(F, to_mp(x), to_mp(d), 1, 2 * h))
        cols.append(col)
    return cols, diffs


def _mp_directional(case: Any, x: np.ndarray, v: np.ndarray, dps: int) -> tuple[np.ndarray, float, str]:
    """J v at high precision (one stencil along v); returns (float64 value, error estimate from
    the same stencil at step 2h, the note of ``noise_to_zero``)."""
    x, v = _x(x), _x(v)
    if not np.any(v != 0):
        return np.zeros(np.shape(numpy_fn(case)(x))), 0.0, ""
    (col,), (diff,) = _mp_columns(case, x, [v], dps)
    noise = np.abs(to_float(diff))
    val, note = noise_to_zero(to_float(col), noise)
    err = float(np.max(noise)) if np.size(val) else 0.0
    return val, err + _rounding(val, 0.5), note


def _mp_jacobian(case: Any, x: np.ndarray, dps: int) -> tuple[np.ndarray, float, str]:
    """Columns J eᵢ at steps h and 2h (4n evaluations): each entry's change between the two steps
    is its own error estimate, and an entry within NOISE_FACTOR of it is an exact 0 (``noise_to_zero``:
    an exact-0 partial derivative — a constant row's variance, a zero input's norm, an einsum at 0 —
    leaves the stencil's 1e-41 residue, which would read as a 100 % error against a computed 0)."""
    x = _x(x)
    out_shape = np.shape(numpy_fn(case)(x))
    if x.size == 0:
        return np.zeros(out_shape + x.shape), 0.0, ""
    dirs = list(np.eye(x.size).reshape((x.size,) + x.shape))
    for more in RAISE_DIGITS:  # an entry neither resolved nor noise: raise the working precision
        cols, diffs = _mp_columns(case, x, dirs, dps, more)
        J = np.stack([to_float(c) for c in cols], axis=-1).reshape(out_shape + x.shape)
        E = np.stack([np.abs(to_float(d)) for d in diffs], axis=-1).reshape(out_shape + x.shape)
        if not np.any((E > RESOLVED * np.abs(J)) & (np.abs(J) > NOISE_FACTOR * E)):
            break
    J, note = noise_to_zero(J, E)
    err = float(np.max(E)) if E.size else 0.0
    return J, err + _rounding(J, 0.5), note


def _mp_hessian(case: Any, x: np.ndarray, dps: int) -> tuple[np.ndarray, float, str]:
    """∂²f/∂xᵢ∂xⱼ from the four points x ± a eᵢ ± b eⱼ with a = h, b = 3h/4 (never x itself), at steps
    h and 2h: each entry's change is its own error estimate (``noise_to_zero``: det's exactly-0
    diagonal leaves 1e-81 at 40 digits)."""
    x = _x(x)
    n = x.size
    flat = x.reshape(-1)
    sc = _scale(flat)
    extra = _extra_digits(flat, sc)
    xp = mp_namespace(dps)
    H = np.empty((n, n))
    E = np.empty((n, n))
    with mpmath.workdps(4 * dps + extra):
        f = case.oracle_fn
        X = to_mp(flat)

        def F(z):
            return np.asarray(f(xp, z.reshape(x.shape)), dtype=object).reshape(())[()]

        def second(i, j, h):
            a = h * mpmath.mpf(float(sc[i]))
            b = h * mpmath.mpf(float(sc[j])) * mpmath.mpf(3) / 4
            ei = np.zeros(n, dtype=object)
            ej = np.zeros(n, dtype=object)
            ei[i] = a
            ej[j] = b
            val = F(X + ei + ej) - F(X + ei - ej) - F(X - ei + ej) + F(X - ei - ej)
            return val / (4 * a * b)

        h = mpmath.mpf(10) ** (-dps)
        for i in range(n):
            for j in range(i, n):
                hij = second(i, j, h)
                H[i, j] = H[j, i] = float(hij)
                E[i, j] = E[j, i] = float(abs(hij - second(i, j, 2 * h)))
    H, note = noise_to_zero(H, E)
    err = float(np.max(E)) if E.size else 0.0
    return H.reshape(x.shape + x.shape), err + _rounding(H, 0.5), note


def mp_derivative(case: Any, x: Any, order: int, dps: int = DEFAULT_DPS) -> tuple[np.ndarray, np.ndarray]:
    """dⁿf/dxⁿ of a pointwise case at every entry of x, through mpmath.diff at ``dps`` digits
    (singular=True: f is never evaluated at x itself, so removable singularities are limits).

    Returns (object array of mpf, object array of error estimates |D(h) − D(2h)|), both at
    high precision (before rounding to float64)."""
    x = _x(x)
    xp = mp_namespace(dps)
    f = case.oracle_fn
    out = np.empty(x.shape, dtype=object)
    err = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(*x.shape):
        xi = float(x[idx])
        s = float(_scale(np.array(xi)))
        extra = _extra_digits(np.array([xi]), np.array([s]))
        with mpmath.workdps(dps + extra):

            def g(t):
                return np.asarray(f(xp, np.array([t], dtype=object)), dtype=object).reshape(-1)[0]

            h = mpmath.mpf(10) ** (-dps) * s
            d1 = mpmath.diff(g, mpmath.mpf(xi), order, h=h, singular=True)
            d2 = mpmath.diff(g, mpmath.mpf(xi), order, h=2 * h, singular=True)
            # a value within NOISE_FACTOR x the difference of its two steps is noise around an exact 0
            out[idx] = mpmath.mpf(0) if abs(d1) <= NOISE_FACTOR * abs(d1 - d2) else +d1
            err[idx] = abs(d1 - d2)
    return out, err


def _mp_derivative(case: Any, x: np.ndarray, order: int, dps: int) -> tuple[np.ndarray, float, str]:
    val, err = mp_derivative(case, x, order, dps)
    out = to_float(val)
    e = max((float(v) for v in err.flat), default=0.0)
    zeros = int(sum(1 for v, d in zip(val.flat, err.flat) if v == 0 and d != 0))
    note = (
        (
            f"{zeros} of {out.size} mpmath entries within {NOISE_FACTOR:g}x their own error estimate "
            f"|D(h) - D(2h)| taken as exact 0 (noise of the stencil around an exact 0)"
        )
        if zeros
        else ""
    )
    return out, e + _rounding(out, 0.5), note


# ------------------------------------------------------------------ public oracles
def _pointwise_jacobian(d: np.ndarray) -> np.ndarray:
    n = d.size
    return (np.eye(n) * d.reshape(-1)).reshape(d.shape + d.shape)


def reference_jacobian(case: Any, x: Any, prefer: str | None = None, dps: int = DEFAULT_DPS) -> Reference:
    """J_f(x), shape f(x).shape + x.shape (the gradient for scalar cases), by the best method
    available (or ``prefer`` first, e.g. a special point's ``limit``)."""
    x = _x(x)
    for method in _choose(case, prefer):
        if method == "closed form":
            if case.scalar and case.grad is not None:
                ref = _closed(case.grad(x))
            elif case.jac is not None:
                ref = _closed(case.jac(x))
            elif case.pointwise and case.derivative is not None:
                ref = _closed(_pointwise_jacobian(np.asarray(case.derivative(x), dtype=np.float64)))
            else:
                ref = None
            if ref is not None:
                return ref
        elif method == "mpmath":
            if case.pointwise:
                d, err, note = _mp_derivative(case, x, 1, dps)
                return Reference(_pointwise_jacobian(d), "mpmath", err, note)
            J, err, note = _mp_jacobian(case, x, dps)
            return Reference(J, "mpmath", err, note)
        elif method == "complex step":
            f = numpy_fn(case)
            basis = np.eye(x.size).reshape((x.size,) + x.shape)
            out_shape = np.shape(f(x))
            cols = [fd.jvp_complex_step(f, x, e) for e in basis]
            J = np.stack(cols, axis=-1).reshape(out_shape + x.shape)
            return Reference(J, "complex step", _rounding(J, 4))
        else:
            J, err = fd.jacobian(numpy_fn(case), x)
            return Reference(np.asarray(J, dtype=np.float64), "richardson", err)
    raise OracleError(f"case {case.name!r}: no oracle method available")


def reference_jvp(case: Any, x: Any, v: Any, prefer: str | None = None, dps: int = DEFAULT_DPS) -> Reference:
    """J_f(x) v (shape f(x).shape)."""
    x, v = _x(x), _x(v)
    if v.shape != x.shape:
        raise OracleError(f"case {case.name!r}: tangent shape {v.shape} differs from input shape {x.shape}")
    for method in _choose(case, prefer):
        if method == "closed form":
            ref = reference_jacobian(case, x, prefer="closed form", dps=dps)
            if ref.method == "closed form":
                val = np.tensordot(ref.value, v, axes=v.ndim)
                return Reference(val, "closed form", ref.error_estimate * max(1.0, float(np.sum(np.abs(v)))))
        elif method == "mpmath":
            if case.pointwise:
                d, err, note = _mp_derivative(case, x, 1, dps)
                return Reference(d * v, "mpmath", err * float(np.max(np.abs(v))), note)
            val, err, note = _mp_directional(case, x, v, dps)
            return Reference(val, "mpmath", err, note)
        elif method == "complex step":
            val = fd.jvp_complex_step(numpy_fn(case), x, v)
            return Reference(val, "complex step", _rounding(val, 4))
        else:
            val, err = fd.jvp(numpy_fn(case), x, v)
            return Reference(np.asarray(val, dtype=np.float64), "richardson", err)
    raise OracleError(f"case {case.name!r}: no oracle method available")


def reference_vjp(case: Any, x: Any, u: Any, prefer: str | None = None, dps: int = DEFAULT_DPS) -> Reference:
    """J_f(x)ᵀ u (shape x.shape), u of shape f(x).shape."""
    x, u = _x(x), _x(u)
    J = reference_jacobian(case, x, prefer=prefer, dps=dps)
    out_ndim = J.value.ndim - x.ndim
    if u.shape != J.value.shape[:out_ndim]:
        raise OracleError(
            f"case {case.name!r}: cotangent shape {u.shape} differs from output shape {J.value.shape[:out_ndim]}"
        )
    val = np.tensordot(u, J.value, axes=out_ndim)
    return Reference(val, J.method, J.error_estimate * max(1.0, float(np.sum(np.abs(u)))), J.note)


def reference_hessian(case: Any, x: Any, prefer: str | None = None, dps: int = DEFAULT_DPS) -> Reference:
    """∇²f(x), shape x.shape + x.shape, for scalar cases."""
    x = _x(x)
    if not case.scalar:
        raise OracleError(f"case {case.name!r} is not scalar-valued: a Hessian needs a scalar output")
    for method in _choose(case, prefer):
        if method == "closed form":
            if case.hess is not None:
                ref = _closed(case.hess(x))
                if ref is not None:
                    return ref
        elif method == "mpmath":
            H, err, note = _mp_hessian(case, x, dps)
            return Reference(H, "mpmath", err, note)
        elif method == "complex step":
            continue  # complex step gives first derivatives only
        else:
            if case.grad is not None:
                H, err = fd.jacobian(lambda z: np.asarray(case.grad(z)), x)
            else:
                H, err = fd.hessian(numpy_fn(case), x)
            H = np.asarray(H, dtype=np.float64)
            n = x.size
            Hm = H.reshape(n, n)
            H = (0.5 * (Hm + Hm.T)).reshape(H.shape)
            return Reference(H, "richardson", err)
    raise OracleError(f"case {case.name!r}: no Hessian oracle available")


def reference_derivative(case: Any, x: Any, order: int, prefer: str | None = None, dps: int = DEFAULT_DPS) -> Reference:
    """dⁿf/dxⁿ (n = 1..4) of a pointwise case, entry by entry (shape x.shape); mpmath.diff at
    ``dps`` digits where case.mp, the closed form f' for n = 1 where given, else Richardson."""
    x = _x(x)
    if not case.pointwise:
        raise OracleError(
            f"case {case.name!r} is not pointwise: elementwise derivatives of order n "
            f"need yᵢ to depend on xᵢ alone; use reference_jacobian/reference_hessian"
        )
    if not 1 <= int(order) <= 4:
        raise OracleError(f"derivative order must be 1..4, not {order}")
    for method in _choose(case, prefer):
        if method == "closed form":
            if order == 1 and case.derivative is not None:
                ref = _closed(case.derivative(x))
                if ref is not None:
                    return ref
        elif method == "mpmath":
            d, err, note = _mp_derivative(case, x, int(order), dps)
            return Reference(d, "mpmath", err, note)
        elif method == "complex step":
            if order == 1:
                val = fd.jvp_complex_step(numpy_fn(case), x, np.ones_like(x))
                return Reference(val, "complex step", _rounding(val, 4))
        else:
            val, err = fd.derivative(numpy_fn(case), x, int(order))
            return Reference(np.asarray(val, dtype=np.float64), "richardson", err)
    raise OracleError(f"case {case.name!r}: no derivative oracle available")
