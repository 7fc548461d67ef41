"""Derivatives at each case's declared special points, judged by an oracle that is right there.

At a special point p of a case (0, ±1, a domain end, ±40, 1e±300, subnormals, a zero inside a
product, a removable singularity such as x / sin x at 0) the oracle is the *limit* computed by
``limit_oracle`` from the case's exact formula (``case.oracle_fn``) in mpmath at >= 40 digits —
central differences that never evaluate the formula at p itself when it is singular there. For
random directions v, w (like x) and u (like f(x)) it gives

    order 1:  J v  and  uᵀ J w            (checked against the adapter's jvp and vjp, on the scale
                                           of their terms |J|·|v| and |u|ᵀ|J|·|w|)
    order 2:  uᵀ D²f[v, v]               (against ⟨jvp(x ↦ vjp(f, x, u), x, v), v⟩)
    order 3:  uᵀ D³f[v, v, v]            (one more jvp on top)

Directional derivatives keep the high-precision work to a few evaluations per point (a whole
Jacobian of a 3×3 matrix function at 500 bits would cost seconds); a wrong entry of J or D²f
shows up in them for almost every random direction.

At collection time every point is validated — inside the domain (``case.outside_domain`` and f real
and finite next to p), no kink (one-sided derivatives agree), and the two precisions of the limit
agree to well under the float64 bound — and the case's own oracle (``conformance.oracles``, which the
derivative suite uses at p) is compared with the limit. A point that fails any of these becomes one
task that raises the reason (an ``error`` record for that case and point), so the rest still runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from conformance.derivatives.case import CaseMemo
from conformance.edges import limit_oracle as lo
from conformance.edges.nested import directional
from conformance.engine import Context, Outcome, Task
from conformance.errors import ConformanceError, first_line
from conformance.oracles import NOISE_FACTOR
from conformance.tolerance import EPS, Tolerance, compare, policy

# The limit must be this much more accurate than the float64 bound it judges.
PRECISION_MARGIN = 1e-3
LEVEL = {1: "exact", 2: "second_order", 3: "third_order"}


class SpecialPointError(ConformanceError, ValueError):
    """A declared special point cannot be checked: outside the domain, a kink, or no precision."""


@dataclass
class PointOracle:
    """The limits at one special point: directions and the exact directional derivatives."""

    x: np.ndarray
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    values: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    errors: dict[int, float] = field(default_factory=dict)
    how: str = ""
    seconds: float = 0.0
    terms: dict[str, np.ndarray] = field(default_factory=dict)
    # |Dᵏ⁺¹f(x)[…, x]| per result of each order: the change of the order-k result under a relative
    # perturbation of x, so that ε·sensitivity is what a backward-stable op may be off by there
    sensitivity: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)


def _directions(case: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from conformance.derivatives.checks import out_shape, stable_seed

    rng = np.random.default_rng(stable_seed(case.name, "special points"))
    grid = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
    v = grid(rng.uniform(0.5, 1.5, x.shape) * rng.choice([-1.0, 1.0], x.shape))
    w = grid(rng.standard_normal(x.shape))
    u = grid(rng.standard_normal(out_shape(case, x)))
    return u, v, w


def point_oracle(case: Any, point: Any) -> PointOracle:
    """Validate the point and compute its limits; raises SpecialPointError naming what is wrong."""
    start = time.perf_counter()
    where = f"case {case.name!r}, special point {point.name!r}"
    x = point.array()
    why = case.outside_domain(x)
    if why:
        raise SpecialPointError(f"{where} is outside the case's domain: {why}; move it inside or drop it")
    if not case.mp:
        raise SpecialPointError(
            f"{where}: the case does not run in mpmath (mp=False), so no limit "
            f"can be taken there; give it an mpmath-capable formula (exact_fn)"
        )
    u, v, w = _directions(case, x)
    F = lo.mp_function(case)
    Fu = lo.scalar_mp_function(case, u)
    try:
        lo.check_domain(Fu, x, [v, w], where)
        sing = lo.is_singular(Fu, x)
        jv = lo.derivative(F, x, [v], sing)
        po = PointOracle(x, u, v, w, how=jv.how)
        kink = lo.kink(Fu, x, v, float(np.max(np.abs(jv.value))) if jv.value.size else 1.0)
        if kink:
            raise SpecialPointError(
                f"{where}: the derivative has no single value there ({kink}); "
                f"the math leaves a choice, so the point belongs to the "
                f"conventions probes, not to the checks"
            )
        orders = [1] + [o for o in sorted(set(point.orders) - {1}) if o <= 3]
        for order in orders:
            _resolve(po, order, Fu, F, x, u, v, w, sing, where, jv)
            po.sensitivity[order] = _sensitivity(case, order, F, x, u, v, w, sing)
    except lo.OracleError as exc:
        raise SpecialPointError(f"{where}: {exc}") from None
    _compare_case_oracle(case, point, po, where)
    po.seconds = time.perf_counter() - start
    return po


def _sensitivity(
    case: Any, order: int, F: Callable, x: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, sing: bool
) -> dict[str, np.ndarray]:
    """Σᵢ |Dᵏ⁺¹f(x)[v, …, v, xᵢeᵢ]| per result of order k (|u|ᵀ(…) for the scalar ones): how much each
    result moves when every xᵢ is rounded independently by a relative δ, i.e. κ·|result| with κ the
    op's componentwise condition number. One stencil along x itself for a pointwise case (each output
    depends on its own xᵢ), one per nonzero coordinate otherwise. A value within 1000× its two
    precisions' difference is noise, taken as 0 (no allowance from it)."""

    def lim(dirs: list[np.ndarray]) -> np.ndarray:
        try:  # along x the stencil may leave the domain (x at a domain end): no allowance then
            r = lo.derivative(F, x, dirs, sing)
            val = np.abs(np.asarray(r.value, dtype=np.float64))
        except (lo.OracleError, TypeError, ValueError):
            return np.zeros(())
        err = np.asarray(r.errors if r.errors is not None else r.error, dtype=np.float64)
        return np.where(np.isfinite(val) & (val > NOISE_FACTOR * err), val, 0.0)

    if getattr(case, "pointwise", False):
        parts = [x]
    else:
        parts = [np.where(np.arange(x.size).reshape(x.shape) == i, x, 0.0) for i in np.flatnonzero(x.reshape(-1))]
    if not parts or not np.any(x):
        return {}
    absu = np.abs(u)
    if order == 1:
        jv = sum(lim([v, p]) for p in parts)
        jw = sum(lim([w, p]) for p in parts)
        return {"jv": np.asarray(jv), "utjw": np.asarray(np.sum(absu * jw))}
    d = sum(lim([v] * order + [p]) for p in parts)
    return {"d": np.asarray(np.sum(absu * d))}


def _resolve(
    po: PointOracle,
    order: int,
    Fu: Callable,
    F: Callable,
    x: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    sing: bool,
    where: str,
    jv: Any,
) -> None:
    """The limits of ``order`` at the point, at the first precision of ``lo.PRECISIONS`` that
    resolves every element: its two estimates agree to PRECISION_MARGIN of the float64 bound at its
    own value (relative, like the comparison; the absolute allowance only for an exact 0). An element
    that stays within 1000× its own noise up to the last precision is an exact 0 (stated in
    ``po.how``); one that is neither resolved nor noise raises SpecialPointError naming the op, the
    point and the precision reached (the bad input of issue 19)."""
    tol = policy(LEVEL[order], "float64")
    for i, dps in enumerate(lo.PRECISIONS):
        if order == 1:
            lims = {
                "jv": jv if i == 0 else lo.derivative(F, x, [v], sing, dps),
                "utjw": lo.derivative(Fu, x, [w], sing, dps),
            }
        else:
            lims = {"d": lo.derivative(Fu, x, [v] * order, sing, dps)}
        vals, errs = {}, {}
        resolved, noise = True, 0
        for k, lim in lims.items():
            val = np.array(lim.value, dtype=np.float64)
            err = np.asarray(lim.errors if lim.errors is not None else lim.error, dtype=np.float64)
            err = np.broadcast_to(err, val.shape)
            need = PRECISION_MARGIN * np.where(val != 0, tol.rtol * np.abs(val), tol.atol)
            ok = np.isfinite(err) & (err <= need)
            zero = ~ok & np.isfinite(err) & (np.abs(val) <= NOISE_FACTOR * err)
            if (~ok & ~zero).any() or (zero.any() and i + 1 < len(lo.PRECISIONS)):
                resolved = False
            noise += int(zero.sum())
            vals[k] = np.where(zero, 0.0, val)
            errs[k] = float(np.max(np.where(ok, err, 0.0), initial=0.0))
        if resolved:
            po.values[order], po.errors[order] = vals, max(errs.values())
            if i:
                po.how += f"; order {order} resolved at {dps[0]} digits (checked at {dps[1]})"
            if noise:
                po.how += f"; order {order}: {noise} element(s) within the noise of {dps[0]} digits taken as exact 0"
            return
    bad = max(float(np.max(lim.errors if lim.errors is not None else lim.error)) for lim in lims.values())
    raise SpecialPointError(
        f"{where}: the mpmath limit of order {order} reaches only ±{bad:.3g} at {dps[0]}/{dps[1]} "
        f"digits (two precisions disagree) and is not resolved for judging float64; the derivative "
        f"may not exist there — drop the point or lower its orders"
    )


def _compare_case_oracle(case: Any, point: Any, po: PointOracle, where: str) -> None:
    """The case's own oracle (what the derivative suite's ``check@point`` tasks use) must agree with
    the limit at the point: J v from its Jacobian."""
    from conformance import oracles

    try:
        with np.errstate(over="ignore", under="ignore"):  # 1/(1 + x²) at 1e300: x² = inf, 1/inf = 0
            ref = oracles.reference_jacobian(case, po.x)
    except Exception as exc:
        raise SpecialPointError(f"{where}: the case's oracle fails there ({first_line(exc)})") from None
    J = np.asarray(ref.value, dtype=np.float64)
    n = po.x.size
    absJ = np.abs(J.reshape(-1, n))
    # Magnitudes of the products' terms, |J|·|v| and |u|ᵀ|J|·|w|: the scale a directional derivative
    # is judged on, so that cancellation in the sum does not make a right answer look wrong.
    po.terms = {
        "jv": (absJ @ np.abs(po.v.reshape(-1))).reshape(np.shape(po.values[1]["jv"])),
        "utjw": np.abs(po.u.reshape(-1)) @ absJ @ np.abs(po.w.reshape(-1)),
    }
    jv = (J.reshape(-1, n) @ po.v.reshape(-1)).reshape(np.shape(po.values[1]["jv"]))
    tol = policy("exact", "float64")
    if not compare(jv, po.values[1]["jv"], tol, po.terms["jv"]).ok:
        raise SpecialPointError(
            f"{where}: the case's {ref.method} oracle disagrees with the mpmath limit there "
            f"(J·v {np.ravel(jv)[:3].tolist()} vs {np.ravel(po.values[1]['jv'])[:3].tolist()}); "
            f"fix the closed form or the point's limit"
        )


# ------------------------------------------------------------------------------ the checks
def run_point(case: Any, point: Any, po: PointOracle, order: int, ctx: Context) -> Outcome:
    """The adapter's order-``order`` directional derivatives at the point vs the limits."""
    a = ctx.adapter
    f = case.function(a.name, a.xp)
    x, u, v, w = (ctx.array(t) for t in (po.x, po.u, po.v, po.w))
    if order == 1:
        jv = ctx.numpy(a.jvp(f, x, v)[1])
        jtu = ctx.numpy(a.vjp(f, x, u)[1])
        got = {"jv": np.asarray(jv, np.float64), "utjw": np.sum(np.asarray(jtu, np.float64) * po.w)}
    else:
        got = {"d": np.sum(np.asarray(ctx.numpy(directional(a, f, order)(x, u, v)), np.float64) * po.v)}
    tol = point_tolerance(point, order, ctx.dtype)
    worst, rows = None, {}
    for k, want in po.values[order].items():
        scale = np.maximum(po.terms[k], np.abs(want)) if k in po.terms else np.abs(want)
        sens = po.sensitivity.get(order, {}).get(k)
        # the op's condition: roundings of x inside the op (a backward-stable op computes f(x(1 + δ)),
        # |δ| <= 2ε) move the result by 2ε·Σᵢ|D^{k+1}f[…, xᵢeᵢ]| = 2ε·κ·|exact|
        scale = scale if sens is None else scale + sens * (2 * EPS[ctx.dtype] / tol.rtol)
        on = ("|exact|" if k not in po.terms else "the magnitude of the product's terms") + (
            ""
            if sens is None or not np.any(sens)
            else " + 2ε·κ·|exact|/rtol (κ the op's componentwise condition number at the point: a "
            "backward-stable op rounds x inside)"
        )
        c = compare(got[k], want, tol, scale, scale_name=on)
        rows[k] = {
            "got": np.asarray(got[k]).tolist(),
            "limit": np.asarray(want).tolist(),
            "sensitivity": None if sens is None else np.asarray(sens).tolist(),
            "error_ratio": c.error_ratio,
            "max_ulp": c.max_ulp,
            "failure_class": c.failure_class,
        }
        if worst is None or not (c.error_ratio <= worst[1].error_ratio):
            worst = (k, c)
    name, c = worst
    what = {"jv": "J·v (jvp)", "utjw": "uᵀJ·w (vjp)", "d": f"uᵀD{order}f[v,…,v]"}[name]
    limit = f"{point.limit} point; oracle: {po.how}"
    msg = (
        f"at {point.name}: {what} {'matches' if c.ok else 'differs from'} the limit "
        f"(ratio {c.error_ratio:.3g}, max rel error {c.max_rel_error:.3g}); {limit}"
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input=po.x.tolist(),
        point=point.name,
        data={
            "limit": limit,
            "declared_limit": point.limit,
            "results": rows,
            "reason": tol.reason,
            "oracle_seconds": po.seconds,
            **c.stated(),
        },
    )


def point_tolerance(point: Any, order: int, dtype: str) -> Tolerance:
    """The policy bound of ``order``, widened by the point's declared condition number κ (≥ 1) of the
    derivative there (a backward-stable implementation may be off by ~κ·ε), stated in the reason."""
    tol = policy(LEVEL[order], dtype)
    kappa = float(getattr(point, "condition", 1.0) or 1.0)
    if kappa <= 1.0:
        return tol
    return replace(
        tol,
        rtol=tol.rtol * kappa,
        reason=f"{tol.reason} | × the derivative's condition number κ = {kappa:g} at this point "
        f"(declared: {point.note or 'no note'})",
    )


def _applies(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return "the numerical reference cannot differentiate at a point where its stencil leaves the domain"
    return None


_POINT_ORACLES = CaseMemo(limit=4096)


def _oracle(case: Any, point: Any) -> PointOracle:
    """``point_oracle(case, point)``, computed on the first task that needs it and kept for the
    process: the limits take seconds per point in mpmath, so a run that never reaches a case does not
    pay for its points (collecting the grown catalog eagerly took minutes in every worker)."""
    return _POINT_ORACLES.get(case, ("point", point.name), lambda: point_oracle(case, point))


def tasks_for(case: Any) -> list[Task]:
    """One task per (special point, order): ``limit<order>@<point>`` in float64, through every API
    variant (torch.func and torch.autograd, GradientTape and ForwardAccumulator, jax transforms and
    linearize: each has its own rules at a special point; under the ci profile the task's rotation slot
    runs them all). The point's limits are computed when its first task runs (once per process, shared
    by the variants); a point that fails validation makes each of its tasks an error that says why
    (SpecialPointError, naming the case and the point)."""
    out: list[Task] = []
    if case.smooth_order < 1:
        return out
    for point in case.special_points:
        orders = [1] + [o for o in sorted(set(point.orders) - {1}) if o <= 3]
        for order in orders:
            if order > case.smooth_order:
                continue

            def run(ctx: Context, point=point, order=order) -> Outcome:
                return run_point(case, point, _oracle(case, point), order, ctx)

            out.append(
                Task(
                    case.family,
                    case.name,
                    f"limit{order}@{point.name}",
                    run,
                    dtypes=("float64",),
                    applies=_applies,
                )
            )
    return out
