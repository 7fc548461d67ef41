"""Quadrature: each framework's trapezoid rules against exact references, and their gradients.

On a grid x₀ < x₁ < … < xₙ with samples yᵢ = f(xᵢ) and steps hᵢ = xᵢ₊₁ − xᵢ,

    T(y, x)    = Σᵢ hᵢ (yᵢ + yᵢ₊₁) / 2                       (trapezoid rule)
    C(y, x)_k  = Σ_{i<=k} hᵢ (yᵢ + yᵢ₊₁) / 2,  k = 0..n−1     (cumulative; C_{n−1} = T)

References: the same sums in mpmath at 40 digits (exact for the given samples), scipy.integrate's
trapezoid / cumulative_trapezoid, and mpmath.quad of f itself, which the rule must meet within the
trapezoid error theorem  |T − ∫f| <= Σᵢ hᵢ³/12 · max_{[xᵢ,xᵢ₊₁]} |f''|.

T and C are linear in y and affine in each xᵢ, so their derivatives are exact closed forms:

    ∂C_k/∂y_j = [j <= k] h_j/2 + [1 <= j <= k+1] h_{j−1}/2
    ∂C_k/∂x_i = [1 <= i <= k+1] (y_{i−1} + y_i)/2 − [i <= k] (y_i + y_{i+1})/2
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from conformance.adapters import integrals as ops_for
from conformance.errors import ConformanceError
from conformance.tolerance import compare, policy


class QuadratureInputError(ConformanceError, ValueError):
    """Samples and grid that no trapezoid rule can integrate as given."""


# ----------------------------------------------------------------------------- validation
def check_grid(y_shape: tuple[int, ...], x: Any, axis: int = -1) -> int:
    """Validate a 1-D integration grid for samples of ``y_shape`` along ``axis``; return the axis
    as a non-negative index. Raises QuadratureInputError with the problem and the fix."""
    x = np.asarray(x)
    ndim = len(y_shape)
    if ndim == 0:
        raise QuadratureInputError("samples are a scalar; pass at least two samples along the integration axis")
    if not -ndim <= axis < ndim:
        raise QuadratureInputError(
            f"axis {axis} is out of range for samples of shape {tuple(y_shape)}; use an axis in [{-ndim}, {ndim - 1}]"
        )
    axis %= ndim
    if x.ndim != 1:
        raise QuadratureInputError(
            f"the grid must be 1-D, but it has shape {x.shape}; pass the grid points along the integration axis only"
        )
    if x.shape[0] != y_shape[axis]:
        raise QuadratureInputError(
            f"mismatched shapes: samples have {y_shape[axis]} points along axis {axis} (shape "
            f"{tuple(y_shape)}) but the grid has {x.shape[0]}; give one grid point per sample"
        )
    if x.shape[0] < 2:
        raise QuadratureInputError("a trapezoid rule needs at least two grid points; add samples")
    if not np.all(np.isfinite(x)):
        raise QuadratureInputError("the grid holds NaN or infinite points; pass finite grid points")
    h = np.diff(x)
    if not (np.all(h > 0) or np.all(h < 0)):
        i = int(np.argmax(h <= 0) if h[0] > 0 else np.argmax(h >= 0))
        raise QuadratureInputError(
            f"the integration grid is not strictly monotone: x[{i + 1}] = {float(x[i + 1])!r} follows "
            f"x[{i}] = {float(x[i])!r}; sort the grid and the samples together (order = np.argsort(x)) "
            "and drop repeated points"
        )
    return axis


def integrate(
    adapter: Any,
    y: Any,
    x: Any,
    axis: int = -1,
    cumulative: bool = False,
    api: str | None = None,
    dtype: str = "float64",
    device: str = "cpu",
) -> np.ndarray:
    """∫ y dx along ``axis`` by ``adapter``'s framework (its trapezoid API ``api``, or its cumulative
    trapezoid), from numpy inputs that are validated first; returns a numpy array."""
    y = np.asarray(y, dtype=np.float64)
    check_grid(y.shape, x, axis)
    ops = ops_for.get(adapter)
    yt, xt = adapter.from_numpy(y, dtype, device), adapter.from_numpy(np.asarray(x), dtype, device)
    out = ops.cumulative_trapezoid(yt, xt, axis) if cumulative else ops.trapezoid(yt, xt, axis, api)
    return adapter.to_numpy(out)


# ----------------------------------------------------------------------------- references
def mp_cumulative(y: np.ndarray, x: np.ndarray, axis: int, dps: int = 40) -> np.ndarray:
    """C(y, x) along ``axis`` summed in mpmath at ``dps`` digits, rounded to float64."""
    yl = np.moveaxis(np.asarray(y, dtype=np.float64), axis, -1)
    out = np.empty(yl.shape[:-1] + (yl.shape[-1] - 1,))
    with mpmath.workdps(dps):
        xm = [mpmath.mpf(float(v)) for v in x]
        for idx in np.ndindex(*yl.shape[:-1]):
            acc = mpmath.mpf(0)
            row = [mpmath.mpf(float(v)) for v in yl[idx]]
            for i in range(len(xm) - 1):
                acc += (xm[i + 1] - xm[i]) * (row[i] + row[i + 1]) / 2
                out[idx + (i,)] = float(acc)
    return np.moveaxis(out, -1, axis)


def mp_trapezoid(y: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """T(y, x) along ``axis`` in mpmath (the last cumulative sum)."""
    return np.take(mp_cumulative(y, x, axis), -1, axis=axis)


def cumulative_jacobians(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∂C/∂y, ∂C/∂x) for one 1-D row y on grid x: two (n−1) × (n+1)... shaped (n−1, n) arrays."""
    n = len(x)
    h = np.diff(x)
    jy = np.zeros((n - 1, n))
    jx = np.zeros((n - 1, n))
    for k in range(n - 1):
        for i in range(k + 1):  # term i of C_k: h_i (y_i + y_{i+1}) / 2
            jy[k, i] += h[i] / 2
            jy[k, i + 1] += h[i] / 2
            jx[k, i + 1] += (y[i] + y[i + 1]) / 2
            jx[k, i] -= (y[i] + y[i + 1]) / 2
    return jy, jx


def closed_form_vjp(
    y: np.ndarray, x: np.ndarray, axis: int, u: np.ndarray, cumulative: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(uᵀ ∂out/∂y, uᵀ ∂out/∂x) for out = C(y, x) (cumulative) or T(y, x), cotangent u."""
    yl = np.moveaxis(y, axis, -1)
    ul = np.moveaxis(u, axis, -1) if cumulative else np.asarray(u)[..., None]
    gy = np.zeros_like(yl)
    gx = np.zeros(len(x))
    for idx in np.ndindex(*yl.shape[:-1]):
        jy, jx = cumulative_jacobians(yl[idx], x)
        if not cumulative:
            jy, jx = jy[-1:], jx[-1:]
        gy[idx] = ul[idx] @ jy
        gx += ul[idx] @ jx
    return np.moveaxis(gy, -1, axis), gx


# ----------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class QuadCase:
    """Samples yᵢ = f_k(xᵢ) on a random uneven grid over ``interval``; each batch element k has its
    own parameter ``params[k]``. ``f2_bound(p)`` bounds |f_p''| on the interval."""

    name: str
    shape: tuple[int, ...]  # samples' shape; the grid runs along ``axis``
    axis: int
    interval: tuple[float, float]
    f: Callable[[np.ndarray, float], np.ndarray]
    f_mp: Callable[[Any, Any], Any]
    f2_bound: Callable[[float], float]
    params: tuple[float, ...]
    doc: str

    def grid(self, rng: np.random.Generator) -> np.ndarray:
        """Endpoints plus n − 2 uniform points, sorted: an uneven grid (steps are spread ~10x)."""
        a, b = self.interval
        n = self.shape[self.axis]
        inner = np.sort(rng.uniform(a, b, size=n - 2))
        return np.concatenate([[a], inner, [b]])

    def batch_params(self) -> np.ndarray:
        """The parameter of each batch element, shaped like the samples without the grid axis."""
        rest = tuple(s for i, s in enumerate(self.shape) if i != self.axis % len(self.shape))
        return np.resize(np.asarray(self.params, dtype=float), int(np.prod(rest, dtype=int))).reshape(rest)

    def samples(self, x: np.ndarray) -> np.ndarray:
        p = self.batch_params()
        y = self.f(x.reshape((1,) * p.ndim + (-1,)), p[..., None])  # grid along the last axis
        return np.moveaxis(y, -1, self.axis % len(self.shape))

    def exact_integrals(self) -> np.ndarray:
        """∫_a^b f_p by mpmath.quad at 30 digits, per batch element (grid axis removed)."""
        a, b = self.interval
        p = self.batch_params()
        out = np.empty(p.shape)
        with mpmath.workdps(30):
            for idx in np.ndindex(*p.shape):
                k = mpmath.mpf(float(p[idx]))
                out[idx] = float(mpmath.quad(lambda t, k=k: self.f_mp(t, k), [a, b]))
        return out

    def error_bounds(self, x: np.ndarray) -> np.ndarray:
        """Σᵢ hᵢ³/12 · max|f_p''| per batch element: the trapezoid error theorem's bound."""
        h3 = float(np.sum(np.diff(x) ** 3)) / 12.0
        return np.vectorize(lambda p: h3 * self.f2_bound(p))(self.batch_params())


CASES: tuple[QuadCase, ...] = (
    QuadCase(
        "sin(kx) on an uneven grid",
        (33,),
        0,
        (0.0, 3.0),
        lambda x, k: np.sin(k * x),
        lambda t, k: mpmath.sin(k * t),
        lambda k: k * k,
        (1.5,),
        "one integrand, 33 uneven points",
    ),
    QuadCase(
        "batch of 3 along the last axis",
        (3, 25),
        -1,
        (-1.0, 2.0),
        lambda x, k: np.sin(k * x) + k * x**2,
        lambda t, k: mpmath.sin(k * t) + k * t**2,
        lambda k: k * k + 2 * k,
        (0.5, 1.0, 2.0),
        "rows sin(kx) + kx², k = 0.5, 1, 2",
    ),
    QuadCase(
        "batch of 4 along axis 0",
        (21, 4),
        0,
        (-2.0, 2.0),
        lambda x, k: np.exp(-k * x**2),
        lambda t, k: mpmath.exp(-k * t**2),
        lambda k: 2 * k,
        (0.25, 0.5, 1.0, 2.0),
        "columns exp(−kx²); |f''| <= 2k",
    ),
    QuadCase(
        "3-D batch along the middle axis",
        (2, 17, 3),
        1,
        (0.5, 2.5),
        lambda x, k: np.cos(k * x),
        lambda t, k: mpmath.cos(k * t),
        lambda k: k * k,
        (0.5, 1.0, 1.5, 2.0, 2.5, 3.0),
        "cos(kx) for six k in a (2, ·, 3) batch",
    ),
)


def case_data(case: QuadCase, seed: int, dtype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y, x, u): samples, grid and a random cotangent for the cumulative output, all rounded to
    ``dtype`` first so that references are computed from exactly the values the framework sees."""
    rng = np.random.default_rng(seed)
    x = case.grid(rng)
    y = case.samples(x)
    cast = lambda a: np.asarray(a, dtype=dtype).astype(np.float64)
    shape = list(y.shape)
    shape[case.axis % y.ndim] -= 1
    return cast(y), cast(x), cast(rng.standard_normal(shape))


# ----------------------------------------------------------------------------- checks
def derivative_tolerance(ctx: Any, check: str = "quadrature") -> Any:
    """The policy's AD bound for ``check`` in ctx.dtype, widened to the numerical ("fd") bound when
    the adapter is the numerical reference (its derivatives are Richardson or complex-step)."""
    from conformance.tolerance import Tolerance

    ad = policy(check, ctx.dtype, "ad")
    if not getattr(ctx.adapter, "is_reference", False):
        return ad
    fd = policy(check, ctx.dtype, "fd")
    return Tolerance(max(ad.rtol, fd.rtol), max(ad.atol, fd.atol), fd.reason, ad.dtype, True)


def _outcome(ctx: Any, worst: Any, tol: Any, message: str, data: dict, inp: Any = None) -> Any:
    from conformance.engine import Outcome

    return Outcome.judged(
        worst,
        tol,
        message,
        input=inp,
        data=data,
    )


def _worst(comparisons: dict) -> Any:
    return max(comparisons.values(), key=lambda c: (not np.isfinite(c.error_ratio), c.error_ratio))


def _apis(ops: Any, cumulative: bool) -> list[str | None]:
    return [None] if cumulative else list(ops.trapezoid_apis)


def _call(ops: Any, api: str | None, cumulative: bool) -> Callable:
    if cumulative:
        return lambda y, x, axis: ops.cumulative_trapezoid(y, x, axis)
    return lambda y, x, axis: ops.trapezoid(y, x, axis, api)


def value_check(case: QuadCase, cumulative: bool) -> Callable:
    """The framework's rule vs the mpmath sum and scipy.integrate on the same samples and grid."""
    from scipy import integrate as si

    def run(ctx):
        ops = ops_for.get(ctx.adapter)
        y, x, _ = case_data(case, ctx.seed, ctx.dtype)
        axis = check_grid(y.shape, x, case.axis)
        exact = mp_cumulative(y, x, axis) if cumulative else mp_trapezoid(y, x, axis)
        scipy_ref = si.cumulative_trapezoid(y, x, axis=axis) if cumulative else si.trapezoid(y, x, axis=axis)
        tol = policy("quadrature", ctx.dtype, "ad")
        found, data = (
            {},
            {
                "references": "mpmath sum at 40 digits; scipy.integrate."
                + ("cumulative_trapezoid" if cumulative else "trapezoid")
            },
        )
        for api in _apis(ops, cumulative):
            name = api or ops.cumulative_api
            got = ctx.numpy(_call(ops, api, cumulative)(ctx.array(y), ctx.array(x), axis))
            found[name] = compare(got, exact, tol)
            found[name + " vs scipy"] = compare(got, scipy_ref, policy("quadrature", ctx.dtype, "ad"))
            data[name] = {
                "max_abs_error_vs_mpmath": found[name].max_abs_error,
                "max_abs_error_vs_scipy": found[name + " vs scipy"].max_abs_error,
            }
        worst = _worst(found)
        names = [api or ops.cumulative_api for api in _apis(ops, cumulative)]
        msg = f"{', '.join(names)} vs mpmath sum and scipy; error ratio {worst.error_ratio:.3g}"
        return _outcome(ctx, worst, tol, msg, data, {"x": x, "y": y})

    return run


def bound_check(case: QuadCase) -> Callable:
    """|T − ∫f| <= Σ hᵢ³/12 max|f''| against mpmath.quad, per batch element. The allowance adds the
    policy's rounding bound and (b − a)·max|y|·ε for rounding the samples to the dtype."""

    def run(ctx):
        from conformance.tolerance import EPS, Comparison

        ops = ops_for.get(ctx.adapter)
        y, x, _ = case_data(case, ctx.seed, ctx.dtype)
        axis = check_grid(y.shape, x, case.axis)
        exact = case.exact_integrals()
        bound = case.error_bounds(x)
        tol = policy("quadrature", ctx.dtype, "ad")
        a, b = case.interval
        sample_rounding = (b - a) * np.max(np.abs(y), axis=axis) * EPS[ctx.dtype]
        allowed = bound + sample_rounding + tol.atol + tol.rtol * np.abs(exact)
        found, data = {}, {"theorem_bound": float(np.max(bound)), "reference": "mpmath.quad at 30 digits"}
        for api in ops.trapezoid_apis:
            got = ctx.numpy(ops.trapezoid(ctx.array(y), ctx.array(x), axis, api))
            err = np.abs(got - exact)
            ratio = float(np.max(err / allowed)) if np.all(np.isfinite(err)) else float("nan")
            found[api] = Comparison(float(np.max(err)), float(np.max(err / np.abs(exact))), ratio, bool(ratio <= 1.0))
            data[api] = {"max_abs_error_vs_quad": float(np.max(err)), "error_over_bound": float(np.max(err / bound))}
        worst = _worst(found)
        verdict = "within" if worst.ok else "exceeds"
        msg = (
            f"|T − ∫f| = {worst.max_abs_error:.3g} {verdict} the theorem's bound "
            f"Σh³/12·max|f''| = {np.max(bound):.3g} (+ rounding)"
        )
        return _outcome(
            ctx,
            worst,
            type(tol)(tol.rtol, float(np.max(allowed - tol.rtol * np.abs(exact))), tol.reason),
            msg,
            data,
            {"x": x, "y": y},
        )

    return run


def gradient_check(case: QuadCase, cumulative: bool, wrt: str) -> Callable:
    """uᵀ ∂out/∂(samples or grid) by the adapter's VJP vs the closed form."""

    def run(ctx):
        ops = ops_for.get(ctx.adapter)
        y, x, u = case_data(case, ctx.seed, ctx.dtype)
        axis = check_grid(y.shape, x, case.axis)
        if not cumulative:
            u = np.asarray(np.take(u, 0, axis=axis))
        gy, gx = closed_form_vjp(y, x, axis, u, cumulative)
        expected = gy if wrt == "samples" else gx
        tol = derivative_tolerance(ctx)
        yt, xt, ut = ctx.array(y), ctx.array(x), ctx.array(u)
        found, data = {}, {"oracle": "closed form (the rule is linear in y and affine in each x_i)"}
        for api in _apis(ops, cumulative):
            rule = _call(ops, api, cumulative)
            f = (
                (lambda s, rule=rule: rule(s, xt, axis))
                if wrt == "samples"
                else (lambda g, rule=rule: rule(yt, g, axis))
            )
            _, ct = ctx.adapter.vjp(f, yt if wrt == "samples" else xt, ut)
            name = api or ops.cumulative_api
            found[name] = compare(ctx.numpy(ct), expected, tol)
            data[name] = {"max_abs_error": found[name].max_abs_error}
        worst = _worst(found)
        return _outcome(
            ctx,
            worst,
            tol,
            f"VJP wrt the {wrt} vs closed form; error ratio {worst.error_ratio:.3g}",
            data,
            {"x": x, "y": y, "u": u},
        )

    return run


def cumulative_applies(adapter: Any, dtype: str) -> str | None:
    """Skip reason when the framework has no cumulative trapezoid."""
    impl = ops_for.implementation(adapter)
    return None if impl.cumulative_api else f"not provided by {adapter.name}"


def trapezoid_applies(adapter: Any, dtype: str) -> str | None:
    impl = ops_for.implementation(adapter)
    return None if impl.trapezoid_apis else f"not provided by {adapter.name}"


def specs() -> list[tuple[str, str, Callable, Callable | None, bool]]:
    """(case, check, run, applies, per_variant) for every quadrature task."""
    out = []
    for c in CASES:
        out += [
            (c.name, "trapezoid value", value_check(c, False), trapezoid_applies, False),
            (c.name, "trapezoid within error bound of mpmath.quad", bound_check(c), trapezoid_applies, False),
            (c.name, "trapezoid gradient wrt samples", gradient_check(c, False, "samples"), trapezoid_applies, True),
            (c.name, "trapezoid gradient wrt grid", gradient_check(c, False, "grid"), trapezoid_applies, True),
            (c.name, "cumulative trapezoid value", value_check(c, True), cumulative_applies, False),
            (
                c.name,
                "cumulative trapezoid gradient wrt samples",
                gradient_check(c, True, "samples"),
                cumulative_applies,
                True,
            ),
            (
                c.name,
                "cumulative trapezoid gradient wrt grid",
                gradient_check(c, True, "grid"),
                cumulative_applies,
                True,
            ),
        ]
    return out
