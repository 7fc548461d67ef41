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
(for mpmath: the change between steps h and 2h plus the rounding to float64).
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


class OracleError(ConformanceError, ValueError):
    """The oracle cannot produce the requested reference for this case and input."""


@dataclass(frozen=True)
class Reference:
    """A reference derivative: float64 ``value``, the ``method`` that produced it (one of
    METHODS) and ``error_estimate``, an estimate of max |value − exact| (absolute)."""

    value: np.ndarray
    method: str
    error_estimate: float

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


def _extra_digits(x: np.ndarray, scale: np.ndarray) -> int:
    """Digits to add to the working precision so that steps h = 10^(−dps)·scale stay resolved both
    against |x| (large inputs: x ± h) and against O(1) function values (tiny inputs, where the
    function may vary on a scale of 1 while h ~ 10^(−dps)·|x|)."""
    finite = np.isfinite(x)
    if not np.any(finite):
        return 0
    digits = np.log10(np.maximum(np.abs(x[finite]), 1.0)) - np.log10(scale[finite])
    return int(np.ceil(np.max(digits)))


def _mp_stencil(F: Callable[[Any], np.ndarray], x: np.ndarray, direction: np.ndarray, order: int,
                step: Any) -> np.ndarray:
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


def _mp_columns(case: Any, x: np.ndarray, dirs: list[np.ndarray], dps: int) -> tuple[list[Any], list[Any]]:
    """J d for each direction d at step h, and J (Σ d) at step 2h, as object arrays of mpf at
    3·dps (+ extra) working digits. The second is for the error estimate: one stencil, not n."""
    nzs = [d != 0 for d in dirs]
    scales = [float(np.min(_scale(x)[nz]) / np.max(np.abs(d))) if np.any(nz) else 1.0
              for d, nz in zip(dirs, nzs)]
    s = min(scales) if scales else 1.0
    xp = mp_namespace(dps)
    with mpmath.workdps(3 * dps + _extra_digits(x, _scale(x))):
        F = _mp_call(case, xp)
        X = to_mp(x)
        h = mpmath.mpf(10) ** (-dps) * s
        cols = [_mp_stencil(F, X, to_mp(d), 1, h) for d in dirs]
        total = to_mp(np.sum(dirs, axis=0))
        check = _mp_stencil(F, X, total, 1, 2 * h)
        summed = cols[0]
        for c in cols[1:]:
            summed = summed + c
        return cols, [summed - check]


def _mp_directional(case: Any, x: np.ndarray, v: np.ndarray, dps: int) -> tuple[np.ndarray, float]:
    """J v at high precision (one stencil along v); returns (float64 value, error estimate from
    the same stencil at step 2h)."""
    x, v = _x(x), _x(v)
    if not np.any(v != 0):
        return np.zeros(np.shape(numpy_fn(case)(x))), 0.0
    (col,), (diff,) = _mp_columns(case, x, [v], dps)
    val = to_float(col)
    noise = np.abs(to_float(diff))
    val = np.where(np.abs(val) <= 1000 * noise, 0.0, val)  # noise around an exact 0
    err = float(np.max(noise)) if np.size(val) else 0.0
    return val, err + _rounding(val, 0.5)


def _mp_jacobian(case: Any, x: np.ndarray, dps: int) -> tuple[np.ndarray, float]:
    """Columns J eᵢ at step h (2n evaluations); the error estimate compares Σᵢ J eᵢ with one
    stencil along Σᵢ eᵢ at step 2h (2 more evaluations)."""
    x = _x(x)
    out_shape = np.shape(numpy_fn(case)(x))
    if x.size == 0:
        return np.zeros(out_shape + x.shape), 0.0
    dirs = list(np.eye(x.size).reshape((x.size,) + x.shape))
    cols, (diff,) = _mp_columns(case, x, dirs, dps)
    J = np.stack([to_float(c) for c in cols], axis=-1).reshape(out_shape + x.shape)
    # a scalar function's gradient all within 1000x its error estimate is noise around an exact 0 (the
    # estimate is one per output: for vector outputs of mixed scales it says nothing about one row)
    if out_shape == () and np.max(np.abs(J), initial=0.0) <= 1000 * abs(float(to_float(diff))):
        J = np.zeros_like(J)
    err = float(np.max(np.abs(to_float(diff)))) if np.size(diff) else 0.0
    return J, err + _rounding(J, 0.5)


def _mp_hessian(case: Any, x: np.ndarray, dps: int) -> tuple[np.ndarray, float]:
    """∂²f/∂xᵢ∂xⱼ from the four points x ± a eᵢ ± b eⱼ with a = h, b = 3h/4 (never x itself)."""
    x = _x(x)
    n = x.size
    flat = x.reshape(-1)
    sc = _scale(flat)
    extra = _extra_digits(flat, sc)
    xp = mp_namespace(dps)
    H = np.empty((n, n))
    err = 0.0
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
                if i != j and abs(hij) <= 1000 * abs(hij - second(i, j, 2 * h)):
                    hij = 0   # noise around an exact 0 (the two steps disagree entirely)
                H[i, j] = H[j, i] = float(hij)
        for i in range(n):  # error estimate from the diagonal at step 2h
            err = max(err, abs(float(second(i, i, h) - second(i, i, 2 * h))))
    return H.reshape(x.shape + x.shape), err + _rounding(H, 0.5)


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
            # a value within 1000x the difference of its two steps is noise around an exact 0
            out[idx] = mpmath.mpf(0) if abs(d1) <= 1000 * abs(d1 - d2) else +d1
            err[idx] = abs(d1 - d2)
    return out, err


def _mp_derivative(case: Any, x: np.ndarray, order: int, dps: int) -> tuple[np.ndarray, float]:
    val, err = mp_derivative(case, x, order, dps)
    out = to_float(val)
    e = max((float(v) for v in err.flat), default=0.0)
    return out, e + _rounding(out, 0.5)


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
                d, err = _mp_derivative(case, x, 1, dps)
                return Reference(_pointwise_jacobian(d), "mpmath", err)
            J, err = _mp_jacobian(case, x, dps)
            return Reference(J, "mpmath", err)
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
                d, err = _mp_derivative(case, x, 1, dps)
                return Reference(d * v, "mpmath", err * float(np.max(np.abs(v))))
            val, err = _mp_directional(case, x, v, dps)
            return Reference(val, "mpmath", err)
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
        raise OracleError(f"case {case.name!r}: cotangent shape {u.shape} differs from output shape "
                          f"{J.value.shape[:out_ndim]}")
    val = np.tensordot(u, J.value, axes=out_ndim)
    return Reference(val, J.method, J.error_estimate * max(1.0, float(np.sum(np.abs(u)))))


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
            H, err = _mp_hessian(case, x, dps)
            return Reference(H, "mpmath", err)
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


def reference_derivative(case: Any, x: Any, order: int, prefer: str | None = None,
                         dps: int = DEFAULT_DPS) -> Reference:
    """dⁿf/dxⁿ (n = 1..4) of a pointwise case, entry by entry (shape x.shape); mpmath.diff at
    ``dps`` digits where case.mp, the closed form f' for n = 1 where given, else Richardson."""
    x = _x(x)
    if not case.pointwise:
        raise OracleError(f"case {case.name!r} is not pointwise: elementwise derivatives of order n "
                          f"need yᵢ to depend on xᵢ alone; use reference_jacobian/reference_hessian")
    if not 1 <= int(order) <= 4:
        raise OracleError(f"derivative order must be 1..4, not {order}")
    for method in _choose(case, prefer):
        if method == "closed form":
            if order == 1 and case.derivative is not None:
                ref = _closed(case.derivative(x))
                if ref is not None:
                    return ref
        elif method == "mpmath":
            d, err = _mp_derivative(case, x, int(order), dps)
            return Reference(d, "mpmath", err)
        elif method == "complex step":
            if order == 1:
                val = fd.jvp_complex_step(numpy_fn(case), x, np.ones_like(x))
                return Reference(val, "complex step", _rounding(val, 4))
        else:
            val, err = fd.derivative(numpy_fn(case), x, int(order))
            return Reference(np.asarray(val, dtype=np.float64), "richardson", err)
    raise OracleError(f"case {case.name!r}: no derivative oracle available")
