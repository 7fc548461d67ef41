"""Derivative checks: each a small pure function ``check(case, ctx, inputs) -> Outcome``.

A check runs one derivative operator of ``ctx``'s adapter (one API variant, device, dtype) on one input
against an independent answer, returning the measured error and the tolerance (``conformance.tolerance``):

    gradient           ∇f(x)                       vs the oracle's gradient
    jvp                J(x) v                      vs the oracle's J·v
    vjp                J(x)ᵀ u                     vs the oracle's Jᵀ·u
    adjoint            ⟨u, J v⟩ = ⟨Jᵀ u, v⟩         forward mode against reverse mode, no oracle
    jacobian_modes     J by forward mode = J by reverse mode
    hessian            ∇²f(x)                      vs the oracle's Hessian
    hessian_consistency ∇²f = (∇²f)ᵀ and ∇²f = J(∇f): symmetric, and equal to the Jacobian of the gradient
    hvp                ∇²f(x) v                    vs the oracle's H·v
    taylor             |f(x+hv) − f(x) − h∇f·v| = O(h²), and with −h²/2 vᵀHv, O(h³): the fitted
                       slope of log remainder vs log h is at least 2 (resp. 3) minus a stated margin
    third_derivative   d²f/dx², d³f/dx³ of elementwise cases vs the oracle (adapter.derivative)
    variant_agreement  each operator of this API variant vs the framework's default variant
    probe              J at the case's canonical input vs the oracle, recorded for agreement.py

Products (J v, Jᵀu, H v, ⟨u, J v⟩) are judged on their terms |J|·|v|, the rest on |b| (``judging``; a
Hessian whose entries are differences of terms the case declares, ``case.hess_terms``, on those terms), with
the condition a case declares (``judging.normwise_condition``); the ``gradient``, ``jvp`` and ``vjp``
checks (``CHECKS``, and ``conformance.check`` for user functions) add the derivative's own componentwise
condition to a failing entry (``condition=True``, ``judging.conditioned``): a mean of entries that cancel
(Σx = −0.013 from entries ~1.5) carries its sum's rounding into every xᵢ − μ, whatever the program. Records of oracle checks state the oracle's method and,
where it has one, its note (``oracle_note``: e.g. how many mpmath entries were taken as an exact 0).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

import numpy as np

from conformance.derivatives.case import CaseMemo
from conformance.derivatives.judging import (
    conditioned,
    elementwise,
    hessian_scale,
    hvp_terms,
    normwise_condition,
    of_terms,
    pointwise_condition,
    unit,
    with_allowance,
)
from conformance.engine import Context, Outcome
from conformance.errors import ConformanceError, first_line
from conformance.tolerance import EPS, Comparison, Tolerance, compare, policy


class CaseError(ConformanceError):
    """The function under test misbehaved on a valid input (raised, NaN, wrong shape or dtype)."""


# ------------------------------------------------------------------------------------ inputs
def to_float32_grid(a: Any) -> np.ndarray:
    """a rounded to the nearest float32 values, held in float64: the same point in both dtypes, so
    the oracle's answer is exact for the input each dtype actually sees."""
    a = np.asarray(a)
    if np.iscomplexobj(a):
        return a.astype(np.complex64).astype(np.complex128)
    return a.astype(np.float32).astype(np.float64)


@dataclass(frozen=True)
class Inputs:
    """One input x with a tangent v (shaped like x) and a cotangent u (shaped like f(x)): given
    (``tangent``, ``cotangent``, e.g. drawn by hypothesis) or made from ``direction_seed``; always
    on the float32 grid."""

    x: np.ndarray
    direction_seed: int = 0
    point: str | None = None
    tangent: np.ndarray | None = None
    cotangent: np.ndarray | None = None

    def v(self) -> np.ndarray:
        if self.tangent is not None and np.shape(self.tangent) == np.shape(self.x):
            return to_float32_grid(self.tangent)
        rng = np.random.default_rng([self.direction_seed, 1])
        return to_float32_grid(rng.standard_normal(np.shape(self.x)))

    def u(self, shape: tuple[int, ...]) -> np.ndarray:
        if self.cotangent is not None and tuple(np.shape(self.cotangent)) == tuple(shape):
            return to_float32_grid(self.cotangent)
        rng = np.random.default_rng([self.direction_seed, 2])
        return to_float32_grid(rng.standard_normal(shape))

    def key(self) -> bytes:
        parts = [
            np.asarray(a).tobytes() + str(np.shape(a)).encode()
            for a in (self.x, self.tangent, self.cotangent)
            if a is not None
        ]
        return b"|".join(parts) + str(self.direction_seed).encode()


# ------------------------------------------------------------------------------------ oracle cache
_ORACLES = CaseMemo(limit=20000)


def oracle(kind: str, case: Any, x: np.ndarray, *extra: Any) -> Any:
    """``conformance.oracles.reference_<kind>(case, x, *extra)``, cached per (case, x, extra) in this
    process and, in a ``conformance run``, across processes and runs (``conformance.oracle_cache``)."""
    from conformance import oracle_cache, oracles

    x = np.asarray(x)

    def compute() -> Any:
        return oracle_cache.cached(
            f"reference_{kind}", case, (x, *extra), lambda: getattr(oracles, f"reference_{kind}")(case, x, *extra)
        )

    return _ORACLES.get(case, (kind, x.shape, x.tobytes(), extra), compute)


# ------------------------------------------------------------------------------------ tolerances
LEVEL = {"first": "exact", "second": "second_order", "third": "third_order"}


def tolerance_for(level: str, dtype: str, adapter: Any, method: str | None = None, kind: str = "exact") -> Tolerance:
    """The policy bound for a derivative of ``level`` ("exact", "second_order", "third_order") in
    ``dtype``: the AD bound, widened to the numerical ("fd") bound when the adapter is the numerical
    reference or the oracle is Richardson extrapolation (the larger of the applicable bounds).
    ``kind="agreement"`` uses the bound for two AD programs instead of AD vs an exact oracle."""
    key = level if kind == "exact" or level != "exact" else "agreement"
    parts = [policy(key, dtype, "ad")]
    if adapter is not None and getattr(adapter, "is_reference", False):
        parts.append(policy(level, dtype, "fd"))
    if method == "richardson":
        parts.append(policy(level, "float64", "fd"))
    reasons = list(dict.fromkeys(p.reason for p in parts))
    return Tolerance(
        max(p.rtol for p in parts),
        max(p.atol for p in parts),
        " | ".join(reasons),
        dtype,
        any(p.absolute_everywhere for p in parts),
    )


def verdict(what: str, c: Comparison, tol: Tolerance, inputs: Inputs | None, against: str, **data: Any) -> Outcome:
    """An Outcome from a comparison: pass when the error ratio is <= 1, else fail with a message
    naming what differed, by how much, and the bound."""
    ok = c.ok
    msg = (
        f"{what} matches {against}: max rel error {c.max_rel_error:.3g}, ratio {c.error_ratio:.3g}"
        if ok
        else f"{what} differs from {against}: max abs error {c.max_abs_error:.3g}, max rel error "
        f"{c.max_rel_error:.3g}, ratio {c.error_ratio:.3g} > 1 (rtol {tol.rtol:.3g}, atol {tol.atol:.3g})"
    )
    data = {"against": against, "reason": tol.reason, **c.stated(), **data}
    return Outcome(
        "pass" if ok else "fail",
        max_abs_error=c.max_abs_error,
        max_rel_error=c.max_rel_error,
        tolerance=tol.rtol,
        atol=tol.atol,
        error_ratio=c.error_ratio,
        message=msg,
        input=None if inputs is None else np.asarray(inputs.x).tolist(),
        point=None if inputs is None else inputs.point,
        data=data,
    )


def by_oracle(ref: Any) -> dict[str, Any]:
    """What a record states about the oracle ``ref``: its method, and its note where it has one."""
    note = getattr(ref, "note", "")
    return {"oracle": ref.method, **({"oracle_note": note} if note else {})}


def agree(a: Any, b: Any, tol: Tolerance) -> Comparison:
    """Two computed results, neither exact (forward vs reverse mode, H vs Hᵀ, two API variants): both
    round on the scale of the whole result, so they are compared normwise, on the scale of the largest
    entry of either (elementwise, a computed 0 beside a 4e-16 residue would be a 100 % difference)."""
    a, b = np.asarray(a), np.asarray(b)
    top = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    return compare(
        a,
        b,
        tol,
        np.full(np.shape(b), top),
        scale_name="the largest entry of either result (two computed results: normwise)",
    )


# ------------------------------------------------------------------------------------ helpers
def function(case: Any, ctx: Context) -> Callable:
    """The case's function bound to the adapter's namespace (its per-framework impl if any)."""
    return case.function(ctx.adapter.name, ctx.xp)


def evaluate(case: Any, ctx: Context, x: Any) -> np.ndarray:
    """f(x) in the framework, checked: a raise, a non-finite value on a valid input or a result in
    another dtype is a CaseError (the engine records ``error`` with the message)."""
    f = function(case, ctx)
    try:
        y = f(x)
    except ConformanceError:
        raise
    except Exception as exc:
        raise CaseError(
            f"{case.name} raised {type(exc).__name__} in {ctx.adapter.label}: {first_line(exc, with_type=False)}"
        ) from exc
    got = ctx.adapter.dtype_name(y)
    if got != ctx.dtype and not ctx.adapter.is_reference:  # numpy computes in float64 by design
        raise CaseError(
            f"{case.name} returned {got} for a {ctx.dtype} input in {ctx.adapter.label}; "
            f"a case must keep its input's dtype"
        )
    yn = ctx.numpy(y)
    want = out_shape(case, ctx.numpy(x))
    if tuple(yn.shape) != want:
        raise CaseError(
            f"{case.name} returned shape {tuple(yn.shape)} in {ctx.adapter.label}, but its "
            f"formula gives {want} in numpy; make the implementations agree"
        )
    if not np.all(np.isfinite(yn)):
        raise CaseError(
            f"{case.name} returned a non-finite value on a valid input in "
            f"{ctx.adapter.label}; keep the case's domain away from its singularities"
        )
    return yn


def wide(a: Any) -> np.ndarray:
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _flat_jacobian(J: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(x_shape, dtype=int))
    return np.reshape(J, (-1, n))


def _jv(J: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(J v, |J|·|v|) with J of shape out + x.shape and v of x.shape."""
    Jf = _flat_jacobian(J, v.shape)
    out_shape = J.shape[: J.ndim - v.ndim]
    return (Jf @ v.reshape(-1)).reshape(out_shape), (np.abs(Jf) @ np.abs(v).reshape(-1)).reshape(out_shape)


def _jtu(J: np.ndarray, u: np.ndarray, x_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(Jᵀ u, |J|ᵀ·|u|)."""
    Jf = _flat_jacobian(J, x_shape)
    return (u.reshape(-1) @ Jf).reshape(x_shape), (np.abs(u).reshape(-1) @ np.abs(Jf)).reshape(x_shape)


def out_shape(case: Any, x: np.ndarray) -> tuple[int, ...]:
    """Shape of f(x), from the case's formula run in numpy (cached per case and input shape)."""
    from conformance.strategies import output_shape

    return output_shape(case, np.shape(x))


# ------------------------------------------------------------------------------------ checks
def gradient(case: Any, ctx: Context, inp: Inputs, condition: bool = False) -> Outcome:
    """∇f(x) from ``adapter.grad`` vs the oracle gradient, elementwise (+ the normwise condition the case
    declares; with ``condition``, + 2ε/rtol·(|H|·|x|)ᵢ of the entries that need it)."""
    x = ctx.array(inp.x)
    evaluate(case, ctx, x)
    g = wide(ctx.numpy(ctx.adapter.grad(function(case, ctx))(x)))
    ref = oracle("jacobian", case, inp.x)
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    want = ref.value
    scale, name = with_allowance(elementwise(case, want), want, normwise_condition(case, inp.x))
    row = (lambda i: (np.ones(()), unit(inp.x.shape, i))) if condition else None
    c = conditioned(g, want, tol, ctx.dtype, scale, name, case, inp.x, row)
    return verdict("gradient", c, tol, inp, f"the {ref.method} oracle", **by_oracle(ref))


def jvp(case: Any, ctx: Context, inp: Inputs, condition: bool = False) -> Outcome:
    """J(x) v from ``adapter.jvp`` vs the oracle J·v, on |J|·|v| (+ the pointwise condition, + the normwise
    condition the case declares; with ``condition``, + 2ε/rtol·|∂(Jv)/∂x|·|x| of the entries that need it)."""
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    y = evaluate(case, ctx, x)
    _, t = ctx.adapter.jvp(function(case, ctx), x, v)
    ref = oracle("jacobian", case, inp.x)
    want, scale = _jv(ref.value, inp.v())
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    scale = scale + pointwise_condition(case, inp.x, inp.v(), tol, ctx.dtype, oracle)
    J = _flat_jacobian(ref.value, inp.x.shape)
    scale, name = with_allowance(
        of_terms(case, want, scale, J, inp.v()), want, normwise_condition(case, inp.x, v=inp.v())
    )
    row = (lambda i: (unit(y.shape, i), inp.v())) if condition else None
    c = conditioned(wide(ctx.numpy(t)), want, tol, ctx.dtype, scale, name, case, inp.x, row)
    return verdict("JVP", c, tol, inp, f"the {ref.method} oracle", **by_oracle(ref))


def vjp(case: Any, ctx: Context, inp: Inputs, condition: bool = False) -> Outcome:
    """J(x)ᵀ u from ``adapter.vjp`` vs u times the oracle Jacobian, bound rtol·(|J|ᵀ·|u|) (+ the pointwise
    condition, + the normwise condition the case declares; with ``condition``, + 2ε/rtol·Σₖ|xₖ||∂ₖ(Jᵀu)|
    of the entries that need it)."""
    x = ctx.array(inp.x)
    y = evaluate(case, ctx, x)
    u = inp.u(y.shape)
    _, ct = ctx.adapter.vjp(function(case, ctx), x, ctx.array(u))
    ref = oracle("jacobian", case, inp.x)
    want, scale = _jtu(ref.value, u, inp.x.shape)
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    scale = scale + pointwise_condition(case, inp.x, u, tol, ctx.dtype, oracle)
    Jt = _flat_jacobian(ref.value, inp.x.shape).T
    scale, name = with_allowance(of_terms(case, want, scale, Jt, u), want, normwise_condition(case, inp.x, u=u))
    row = (lambda i: (u, unit(inp.x.shape, i))) if condition else None
    c = conditioned(wide(ctx.numpy(ct)), want, tol, ctx.dtype, scale, name, case, inp.x, row)
    return verdict("VJP", c, tol, inp, f"the {ref.method} oracle", **by_oracle(ref))


def adjoint(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """⟨u, J v⟩ (forward mode) = ⟨Jᵀu, v⟩ (reverse mode), bound rtol·max(Σ|u⊙Jv|, Σ|Jᵀu⊙v|)."""
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    y = evaluate(case, ctx, x)
    u = inp.u(y.shape)
    f = function(case, ctx)
    _, jv_ = ctx.adapter.jvp(f, x, v)
    _, jtu_ = ctx.adapter.vjp(f, x, ctx.array(u))
    jv_, jtu_ = wide(ctx.numpy(jv_)), wide(ctx.numpy(jtu_))
    left, right = np.sum(u * jv_), np.sum(jtu_ * inp.v())
    scale = max(np.sum(np.abs(u * jv_)), np.sum(np.abs(jtu_ * inp.v())))
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, kind="agreement")
    return verdict(
        "⟨u, Jv⟩ (forward)",
        compare(left, right, tol, scale),
        tol,
        inp,
        "⟨Jᵀu, v⟩ (reverse)",
        left=float(np.real(left)),
        right=float(np.real(right)),
    )


def jacobian_modes(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """J by forward mode vs J by reverse mode, elementwise."""
    x = ctx.array(inp.x)
    evaluate(case, ctx, x)
    f = function(case, ctx)
    Jf = wide(ctx.numpy(ctx.adapter.jacobian(f, "fwd")(x)))
    Jr = wide(ctx.numpy(ctx.adapter.jacobian(f, "rev")(x)))
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, kind="agreement")
    return verdict("forward-mode Jacobian", agree(Jf, Jr, tol), tol, inp, "reverse-mode Jacobian")


def _square(H: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(x_shape, dtype=int))
    return np.reshape(H, (n, n))


def hessian(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """∇²f(x) from ``adapter.hessian`` vs the oracle Hessian, elementwise (on the magnitude of each entry's
    terms where the case declares them: ``judging.hessian_scale``)."""
    x = ctx.array(inp.x)
    evaluate(case, ctx, x)
    H = wide(ctx.numpy(ctx.adapter.hessian(function(case, ctx))(x)))
    ref = oracle("hessian", case, inp.x)
    tol = tolerance_for("second_order", ctx.dtype, ctx.adapter, ref.method)
    want = ref.value
    return verdict(
        "Hessian",
        compare(H, want, tol, *hessian_scale(case, inp.x, want)),
        tol,
        inp,
        f"the {ref.method} oracle",
        **by_oracle(ref),
    )


def hessian_consistency(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """``adapter.hessian(f)`` is symmetric, ∇²f = (∇²f)ᵀ (mixed partials commute for C² functions), and
    equals ``adapter.jacobian(adapter.grad(f), "rev")``, the reverse-mode Jacobian of the gradient."""
    x = ctx.array(inp.x)
    evaluate(case, ctx, x)
    f = function(case, ctx)
    H = wide(ctx.numpy(ctx.adapter.hessian(f)(x)))
    JG = wide(ctx.numpy(ctx.adapter.jacobian(ctx.adapter.grad(f), "rev")(x)))
    tol = tolerance_for("second_order", ctx.dtype, ctx.adapter)
    Hs = _square(H, inp.x.shape)
    sym = verdict("Hessian", agree(Hs, Hs.T, tol), tol, inp, "its transpose")
    jac = verdict("Hessian", agree(H, JG, tol), tol, inp, "the reverse-mode Jacobian of the gradient")
    out = worst_of([sym, jac])
    out.data["ratios"] = {"symmetry": sym.error_ratio, "jacobian_of_gradient": jac.error_ratio}
    return out


def hvp(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """∇²f(x) v from ``adapter.hvp`` vs the oracle H·v, bound rtol·(|H|·|v|) (rtol·(T·|v|) where the case
    declares the terms T of its Hessian's entries: ``judging.hvp_terms``)."""
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    evaluate(case, ctx, x)
    got = wide(ctx.numpy(ctx.adapter.hvp(function(case, ctx), x, v)))
    ref = oracle("hessian", case, inp.x)
    want, scale = _jv(ref.value, inp.v())
    scale, name = hvp_terms(case, inp.x, want, scale, inp.v())
    tol = tolerance_for("second_order", ctx.dtype, ctx.adapter, ref.method)
    scale, normwise = of_terms(case, want, scale, _square(ref.value, inp.x.shape), inp.v())
    return verdict(
        "HVP",
        compare(got, want, tol, scale, "; ".join(n for n in (normwise, name) if n) or None),
        tol,
        inp,
        f"the {ref.method} oracle H·v",
        **by_oracle(ref),
    )


def taylor_steps(x: np.ndarray, v: np.ndarray, count: int = 9) -> np.ndarray:
    """Steps h from 2e-2 down to 2e-4 (relative to max(1, |x|∞)/|v|∞), geometric."""
    s = max(1.0, float(np.max(np.abs(x)))) / max(float(np.max(np.abs(v))), 1e-300)
    return np.geomspace(2e-2, 2e-4, count) * s


def fit_slope(h: np.ndarray, r: np.ndarray) -> float:
    """Least-squares slope of log r against log h."""
    return float(np.polyfit(np.log(h), np.log(r), 1)[0])


def taylor(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """Taylor-remainder convergence along a random direction v (float64):

        r₁(h) = |f(x+hv) − f(x) − h ∇f·v|             = O(h²)
        r₂(h) = |f(x+hv) − f(x) − h ∇f·v − h²/2 vᵀHv| = O(h³)

    The slopes of log rₖ against log h, fitted over h in [2e-4, 2e-2], must be at least k+1 minus
    the policy's margin (a wrong gradient pulls the first slope to 1, a wrong Hessian the second to 2).
    Points whose remainder is under the rounding floor 10³ε·(|f(x)| + |f(x+hv)| + h|∇f·v|) are left out;
    when fewer than 3 remain, the model is exact to rounding along v (e.g. a quadratic) and passes."""
    if ctx.dtype != "float64":
        return Outcome.skip("the Taylor-remainder fit runs in float64 only")
    f = function(case, ctx)
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    vn = inp.v()
    f0 = float(evaluate(case, ctx, x))
    gv = float(np.sum(wide(ctx.numpy(ctx.adapter.grad(f)(x))) * vn))
    vHv = float(np.sum(wide(ctx.numpy(ctx.adapter.hvp(f, x, v))) * vn))
    margin = policy("taylor_order", "float64", "fd")
    hs = taylor_steps(inp.x, vn)
    eps = EPS["float64"]
    rows = []
    for h in hs:
        fh = float(ctx.numpy(f(ctx.array(inp.x + h * vn))))
        if not np.isfinite(fh):
            continue
        r1 = fh - f0 - h * gv
        r2 = r1 - 0.5 * h * h * vHv
        floor = 1e3 * eps * (abs(f0) + abs(fh) + abs(h * gv) + abs(h * h * vHv))
        rows.append((h, abs(r1), abs(r2), floor))
    slopes, worst = {}, 0.0
    for k, col in ((2, 1), (3, 2)):
        pts = [(r[0], r[col]) for r in rows if r[col] > r[3]]
        if len(pts) < 3:
            slopes[k] = None
            continue
        s = fit_slope(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
        slopes[k] = s
        worst = max(worst, (k - s) / margin.rtol)
    ok = worst <= 1.0
    shown = ", ".join(f"order {k}: {'exact to rounding' if s is None else f'{s:.2f}'}" for k, s in slopes.items())
    msg = f"Taylor remainder slopes {shown} (need >= order − {margin.rtol:g})"
    return Outcome(
        "pass" if ok else "fail",
        error_ratio=worst,
        tolerance=margin.rtol,
        message=msg if ok else "too slow convergence: " + msg,
        input=np.asarray(inp.x).tolist(),
        point=inp.point,
        data={
            "slopes": {str(k): s for k, s in slopes.items()},
            "reason": margin.reason,
            "h": [r[0] for r in rows],
            "r1": [r[1] for r in rows],
            "r2": [r[2] for r in rows],
        },
    )


def _scalar_of_scalar(case: Any, ctx: Context) -> Callable:
    """t ↦ f(t) for one element: the elementwise case applied to a 0-d array."""
    return function(case, ctx)


def third_derivative(case: Any, ctx: Context, inp: Inputs, orders: tuple[int, ...] = (2, 3)) -> Outcome:
    """dⁿf/dxⁿ (n = 2, 3) of an elementwise case from ``adapter.derivative`` at the first element of
    x (a fresh point for every drawn example; nested derivatives cost one program per point), vs the
    oracle's elementwise derivatives."""
    f = _scalar_of_scalar(case, ctx)
    t = float(np.asarray(inp.x).reshape(-1)[0])
    evaluate(case, ctx, ctx.array(inp.x))
    outs = []
    for n in orders:
        got = wide(ctx.numpy(ctx.adapter.derivative(f, n)(ctx.array(t))))
        ref = oracle("derivative", case, inp.x, n)
        want = np.asarray(ref.value).reshape(-1)[0]
        level = "second_order" if n == 2 else "third_order"
        tol = tolerance_for(level, ctx.dtype, ctx.adapter, ref.method)
        outs.append(
            verdict(
                f"d{n}f/dx{n} at x = {t:.6g}",
                compare(got, want, tol),
                tol,
                inp,
                f"the {ref.method} oracle",
                order=n,
                **by_oracle(ref),
            )
        )
    return worst_of(outs)


def worst_of(outs: list[Outcome]) -> Outcome:
    """The outcome with the largest error ratio (NaN counts as the largest)."""

    def key(o: Outcome) -> float:
        r = o.error_ratio
        return float("inf") if r is None or r != r else r

    return max(outs, key=key)


def variant_agreement(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """Each operator of this API variant vs the same operator of the framework's default variant:
    the JVP, the VJP and, for scalar cases, the gradient. (Each variant's Hessian is judged against
    the oracle by the per-variant ``hessian`` check.)"""
    a = ctx.adapter
    base = a.with_variant(a.variants[0])
    if base.variant == a.variant:
        return Outcome.skip("this is the default variant that the others are compared with")
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    y = evaluate(case, ctx, x)
    u = ctx.array(inp.u(y.shape))
    f = function(case, ctx)
    ops: dict[str, tuple[Callable, str]] = {
        "jvp": (lambda ad: ad.jvp(f, x, v)[1], "exact"),
        "vjp": (lambda ad: ad.vjp(f, x, u)[1], "exact"),
    }
    if case.scalar:
        ops["gradient"] = (lambda ad: ad.grad(f)(x), "exact")
    outs, ratios = [], {}
    for name, (op, level) in ops.items():
        tol = tolerance_for(level, ctx.dtype, a, kind="agreement")
        c = agree(wide(ctx.numpy(op(a))), wide(ctx.numpy(op(base))), tol)
        ratios[name] = c.error_ratio
        outs.append(verdict(f"{name} of {a.label}", c, tol, inp, f"{base.label}"))
    worst = worst_of(outs)
    worst.data["ratios"] = ratios
    return worst


def probe(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """The reverse-mode Jacobian (the gradient for scalar cases) at the case's canonical input, judged
    against the oracle and recorded with f(x) as ``probe`` for cross-framework agreement."""
    x = ctx.array(inp.x)
    y = evaluate(case, ctx, x)
    f = function(case, ctx)
    op = ctx.adapter.grad(f) if case.scalar else ctx.adapter.jacobian(f, "rev")
    J = wide(ctx.numpy(op(x)))
    ref = oracle("jacobian", case, inp.x)
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    want = ref.value
    out = verdict(
        "Jacobian at the probe input",
        compare(J, want, tol, *elementwise(case, want)),
        tol,
        inp,
        f"the {ref.method} oracle",
        **by_oracle(ref),
    )
    out.probe = {"x": np.asarray(inp.x).tolist(), "value": np.asarray(y).tolist(), "derivative": J.tolist()}
    return out


# ------------------------------------------------------------------------------------ the menu
@dataclass(frozen=True)
class Check:
    """A check and where it applies. ``per_variant``: run for every API variant (else once per
    framework, with its default variant); ``scalar``: needs a scalar-valued case; ``ad_only``: says
    nothing about the numerical reference (e.g. forward = reverse mode, which numpy computes once);
    ``order``: the derivative order it exercises (for special points and ``case.smooth_order``);
    ``share``: the fraction of the profile's hypothesis examples it draws (structural checks whose
    answer hardly depends on the input, and that are costly in eager TF/JAX, draw fewer)."""

    name: str
    run: Callable[[Any, Context, Inputs], Outcome]
    per_variant: bool = False
    scalar: bool = False
    ad_only: bool = False
    elementwise: bool = False
    order: int = 1
    dtypes: tuple[str, ...] | None = None  # None: the case's dtypes
    share: float = 1.0  # fraction of the profile's examples it draws
    doc: str = field(default="", compare=False)


CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        # with the derivative's own componentwise condition (``judging.conditioned``): a failing entry
        # gets 2ε/rtol·Σₖ|xₖ||∂ₖqᵢ| (a backward-stable program's error), from the nested oracle
        Check("gradient", partial(gradient, condition=True), per_variant=True, scalar=True),
        Check("jvp", partial(jvp, condition=True), per_variant=True),
        Check("vjp", partial(vjp, condition=True), per_variant=True),
        Check("adjoint", adjoint, share=0.4),
        Check("jacobian_modes", jacobian_modes, ad_only=True, share=0.4, dtypes=("float64",)),
        Check("hessian", hessian, per_variant=True, scalar=True, order=2, share=0.4),
        Check(
            "hessian_consistency",
            hessian_consistency,
            scalar=True,
            ad_only=True,
            order=2,
            share=0.4,
            dtypes=("float64",),
        ),
        Check("hvp", hvp, scalar=True, order=2, share=0.4),
        Check("taylor", taylor, scalar=True, order=2, dtypes=("float64",), share=0.4),
        Check("third_derivative", third_derivative, elementwise=True, order=3, share=0.4),
        Check("variant_agreement", variant_agreement, per_variant=True, share=0.4),
        Check("probe", probe, per_variant=True),
    )
}


def stable_seed(*parts: Any) -> int:
    """A seed from names and numbers that is the same in every process (unlike ``hash``)."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode()) & 0x7FFFFFFF
