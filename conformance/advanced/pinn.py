"""PINN differential operators (family "pinn"): Laplacians every way a framework offers, divergence,
biharmonic, mixed space-time partials, PDE residuals at exact solutions and the Hutchinson estimator,
each written once against the adapters' public operators (``pinn_operators``, ``pinn_residuals``,
``pinn_hutchinson``) on the fields of ``pinn_fields``.

Judging (float64 only: the bounds are stated in ε of float64 and the statistics' rule is not a rounding
bound), each with its reason in the record:

- an operator value (Δf, ∇·F, Δ²f, u_xt) against its exact value, on the scale of the terms it sums
  (``pinn_fields``): policy "second_order" (first order for the divergence: "exact"; the biharmonic, four
  nested derivative programs, "third_order", the policy's highest-order AD bound; the numerical
  reference: the same checks' "fd" bounds), the stated reason being the conditioning of a sum of d
  derivatives of both signs, never the size of the array;
- a PDE residual against 0, on the amplitude of its terms (``pinn_residuals``);
- the Hutchinson estimate and its per-probe variance as a z-test at false-alarm rate 1e-6
  (``pinn_hutchinson``).

Methods the numerical reference cannot serve (nested difference quotients, O(d²) stencils at large d)
and methods a framework does not offer are skips with the reason. Bad input — a PDE on an empty grid, a
dimension too large for an exact oracle — is a record whose message is the one-line refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance import adapters as registry
from conformance.advanced import pinn_hutchinson as hutchinson
from conformance.advanced import pinn_operators as ops
from conformance.advanced import pinn_residuals as residuals
from conformance.advanced.pinn_fields import OracleTooLargeError, make
from conformance.engine import Outcome, Profile, Task
from conformance.errors import ConformanceError
from conformance.integrals.monte_carlo import statistical, stream_seed
from conformance.tolerance import compare, policy

FAMILY = "pinn"
F64 = ("float64",)
CLOSED_FORMS = ("exp-sum", "two-body")
MLPS = ("mlp-tanh", "mlp-softplus", "mlp-sin")
DIMS = {"dev": (2, 10), "ci": (2, 10, 100), "thorough": (2, 10, 100, 1000)}
MLP_DIMS = {"dev": (10,), "ci": (10,), "thorough": (2, 10, 100, 1000)}
DIV_DIMS = {"dev": (10,), "ci": (10,), "thorough": (10, 100, 1000)}
BIH_DIMS = {"dev": (2,), "ci": (2, 5), "thorough": (2, 10, 30)}
HUTCHINSON = (("two-body", 10), ("mlp-tanh", 10))
TOO_LARGE = ("two-body", 100_000)
REFERENCE_POINTS = 2  # collocation points of the numerical reference's residuals (see collocation_points)
PER_VARIANT_MAX_DIM = 10  # larger d run in each framework's default API variant only (cost)


def _reference(ctx: Any) -> bool:
    return bool(getattr(ctx.adapter, "is_reference", False))


def _tolerance(ctx: Any, check: str) -> Any:
    return policy(check, ctx.dtype, "fd" if _reference(ctx) else "ad")


def judged(ctx: Any, what: str, got: Any, exact: Any, scale: Any, check: str, scale_name: str, **data: Any) -> Outcome:
    """An Outcome for ``got`` against the exact value, on ``scale``, under the policy's ``check`` bound."""
    tol = _tolerance(ctx, check)
    c = compare(np.asarray(got, dtype=float), np.asarray(exact, dtype=float), tol, scale=scale, scale_name=scale_name)
    ok = c.ok
    msg = (
        f"{what}: max error {c.max_abs_error:.3g} = {c.error_ratio:.3g} × the bound ({check}, {scale_name})"
        if ok
        else f"{what} differs from the exact value: max abs error {c.max_abs_error:.3g}, max rel "
        f"error {c.max_rel_error:.3g}, ratio {c.error_ratio:.3g} > 1 ({check}, {scale_name})"
    )
    return Outcome(
        "pass" if ok else "fail",
        c.max_abs_error,
        c.max_rel_error,
        tol.rtol,
        tol.atol,
        c.error_ratio,
        msg,
        data={
            "reason": tol.reason,
            "got": np.asarray(got, dtype=float).tolist(),
            "exact": np.asarray(exact, dtype=float).tolist(),
            **c.stated(),
            **data,
        },
    )


# ----------------------------------------------------------------------------- operators at a point
def operator_check(kind: str, dim: int, method: ops.Method, operator: str) -> Callable[[Any], Outcome]:
    """``operator`` ("laplacian", "divergence", "biharmonic") of the field at a seeded point by ``method``
    vs the field's exact value on the scale of its terms."""
    check = "exact" if operator == "divergence" else ("third_order" if operator == "biharmonic" else "second_order")

    def run(ctx: Any) -> Outcome:
        field = make(kind, dim)
        x = field.point(stream_seed(ctx.seed, f"{field.case} point"))
        impl = ops.method_for(ctx.adapter, method.name, _METHODS[operator]) if method.adapter_specific else method
        got = ops.scalar(ctx.adapter, impl.run(ctx.adapter, field.function(ctx.xp), ctx.array(x)))
        exact, scale = getattr(field, operator)(x)
        return judged(
            ctx,
            f"{operator} of {field.case} by {method.name}",
            got,
            exact,
            scale,
            check,
            f"the magnitude of the {operator}'s terms",
            method=method.doc,
            dim=dim,
        )

    return run


_METHODS = {"laplacian": ops.LAPLACIANS, "divergence": ops.DIVERGENCES, "biharmonic": ops.BIHARMONICS}


def method_applies(method: ops.Method, dim: int) -> Callable[[Any, str], str | None]:
    def applies(adapter: Any, dtype: str) -> str | None:
        if method.adapter_specific and ops.method_for(adapter, method.name) is None:
            return f"{adapter.name} offers no {method.name} Laplacian ({method.doc})"
        if getattr(adapter, "is_reference", False) and dim > method.reference_max_dim:
            return f"the numerical reference does not run {method.name} at d = {dim}: " + (
                "it would nest difference quotients"
                if method.reference_max_dim == 0
                else f"O(d²) difference stencils beyond d = {method.reference_max_dim:g}"
            )
        return None

    return applies


def specific_laplacians() -> list[ops.Method]:
    """Laplacian methods that one installed framework's adapter alone offers (its ``pinn`` module)."""
    out: dict[str, ops.Method] = {}
    for name in registry.names():
        try:
            cls = registry.adapter_class(name)
        except Exception:  # noqa: BLE001 - a broken adapter is reported by `conformance list`
            continue
        for m in ops.adapter_laplacians(cls):
            out.setdefault(m.name, m)
    return list(out.values())


# ----------------------------------------------------------------------------- space-time
def nested_reference(adapter: Any, dtype: str) -> str | None:
    """The numerical reference nests its derivatives (a difference quotient of a difference quotient) only
    in its default variant: the complex step's inner derivative takes a real part, which drops the outer
    derivative's perturbation (a mixed partial comes back 0)."""
    if getattr(adapter, "is_reference", False) and adapter.variant != adapter.variants[0]:
        return (
            f"the numerical reference nests derivatives in its {adapter.variants[0]} variant only "
            f"({adapter.variant}: the inner derivative's real part drops the outer perturbation)"
        )
    return None


def collocation_points(ctx: Any, n: int | None) -> int:
    """n, else N_POINTS; the numerical reference takes REFERENCE_POINTS: its nested differences cost
    O(n²) evaluations (each outer difference along one point's coordinate re-runs the inner n-point
    gradient)."""
    if n is not None:
        return n
    return REFERENCE_POINTS if _reference(ctx) else residuals.N_POINTS


def residual_check(sol: residuals.Solution, n: int | None = None) -> Callable[[Any], Outcome]:
    def run(ctx: Any) -> Outcome:
        points = collocation_points(ctx, n)
        x, s = sol.grid(points, stream_seed(ctx.seed, sol.name))
        r = ctx.numpy(residuals.residual_program(ctx.adapter, sol)(ctx.array(x), ctx.array(s)))
        return judged(
            ctx,
            f"{sol.pde} residual at {points} points",
            r,
            np.zeros_like(x),
            sol.amplitude(x, s),
            "second_order",
            "the amplitude of the residual's terms",
            points=points,
        )

    return run


def mixed_check(sol: residuals.Solution) -> Callable[[Any], Outcome]:
    def run(ctx: Any) -> Outcome:
        points = collocation_points(ctx, None)
        x, s = sol.grid(points, stream_seed(ctx.seed, sol.name))
        got = ctx.numpy(residuals.mixed_program(ctx.adapter, sol)(ctx.array(x), ctx.array(s)))
        exact = np.stack([sol.mixed(x, s)] * 2)
        amp = np.stack([sol.mixed_amplitude(x, s)] * 2)
        return judged(
            ctx,
            f"u_x{sol.second} and u_{sol.second}x of {sol.name}",
            got,
            exact,
            amp,
            "second_order",
            "the amplitude of the mixed partial",
            points=points,
        )

    return run


# ----------------------------------------------------------------------------- bad input
def refusal_check(attempt: Callable[[Any], Any], what: str) -> Callable[[Any], Outcome]:
    """Bad input: ``attempt`` must raise a ConformanceError with a one-line message (recorded as the
    record's message); anything else fails."""

    def run(ctx: Any) -> Outcome:
        try:
            attempt(ctx)
        except ConformanceError as exc:
            text = str(exc)
            one_line = "\n" not in text and bool(text)
            return Outcome(
                "pass" if one_line else "fail",
                message=f"refused: {text}",
                data={"error": type(exc).__name__, "one_line": one_line},
            )
        return Outcome("fail", message=f"{what} was accepted; a one-line refusal was due")

    return run


# ----------------------------------------------------------------------------- tasks
def tasks(profile: Profile) -> Iterator[Task]:
    """Every PINN task under ``profile`` (dimensions per profile: DIMS, MLP_DIMS, DIV_DIMS, BIH_DIMS)."""
    name = profile.name if profile.name in DIMS else "ci"
    laplacians = list(ops.LAPLACIANS) + specific_laplacians()
    cases = [(k, d) for k in CLOSED_FORMS for d in DIMS[name]] + [(k, d) for k in MLPS for d in MLP_DIMS[name]]
    for kind, d in cases:
        for m in laplacians:
            yield Task(
                FAMILY,
                f"Δ {make(kind, d).case}",
                f"Laplacian by {m.name} vs exact",
                operator_check(kind, d, m, "laplacian"),
                dtypes=F64,
                applies=method_applies(m, d),
                per_variant=d <= PER_VARIANT_MAX_DIM,
                cost=1.0 + d / 20,
            )
    for kind in ("radial", "tanh-layer"):
        for d in DIV_DIMS[name]:
            for m in ops.DIVERGENCES:
                yield Task(
                    FAMILY,
                    f"∇· {make(kind, d).case}",
                    f"divergence by {m.name} vs exact",
                    operator_check(kind, d, m, "divergence"),
                    dtypes=F64,
                    applies=method_applies(m, d),
                    per_variant=d <= PER_VARIANT_MAX_DIM,
                )
    for kind in ("exp-sum", "r4"):
        for d in BIH_DIMS[name]:
            for m in ops.BIHARMONICS:
                yield Task(
                    FAMILY,
                    f"Δ² {make(kind, d).case}",
                    f"biharmonic by {m.name} vs exact",
                    operator_check(kind, d, m, "biharmonic"),
                    dtypes=F64,
                    applies=method_applies(m, d),
                    per_variant=False,
                    cost=2.0 + d,
                )
    for sol in residuals.SOLUTIONS:
        yield Task(
            FAMILY,
            sol.name,
            "PDE residual at roundoff scale",
            residual_check(sol),
            dtypes=F64,
            applies=nested_reference,
        )
        yield Task(
            FAMILY,
            sol.name,
            f"mixed partial u_x{sol.second} (both orders) vs exact",
            mixed_check(sol),
            dtypes=F64,
            applies=nested_reference,
        )
    for kind, d in HUTCHINSON:
        for probe in ("gaussian", "rademacher"):
            yield Task(
                FAMILY,
                f"Δ {make(kind, d).case}",
                f"Hutchinson ({probe}) mean and variance within z-bound",
                statistical(hutchinson.hutchinson_statistic(kind, d, probe)),
                dtypes=F64,
                per_variant=False,
                cost=20.0,
            )
    heat = residuals.SOLUTIONS[0]
    yield Task(
        FAMILY,
        f"{heat.name}, empty grid",
        "bad input: refused with a one-line error",
        refusal_check(residual_check(heat, n=0), "an empty grid"),
        dtypes=F64,
        per_variant=False,
    )
    kind, d = TOO_LARGE
    yield Task(
        FAMILY,
        f"Δ {kind}, d = {d:,}",
        "bad input: refused with a one-line error",
        refusal_check(lambda ctx: make(kind, d), f"d = {d} for the exact oracle"),
        dtypes=F64,
        per_variant=False,
    )
    yield Task(
        FAMILY,
        "Hutchinson Rademacher fourth moment, d = 64",
        "bad input: refused with a one-line error",
        refusal_check(
            lambda ctx: hutchinson.fourth_central_moment(np.eye(64), "rademacher"), "Rademacher enumeration at d = 64"
        ),
        dtypes=F64,
        per_variant=False,
    )


__all__ = ["tasks", "OracleTooLargeError"]
