"""The derivative suite: one engine Task per (case, applicable check), inputs drawn by hypothesis.

Inside a task, hypothesis draws inputs from the case's shape menu and domain with the profile's
settings (``max_examples``, ``derandomize``) and a seed derived from the run's seed and the case name
only — so every check, dtype, framework and API variant of a case sees the same inputs, and the
oracle (cached in ``checks.oracle``) is computed once per input. Under ``one_shape`` (the ci and dev
profiles) the draws keep to one shape of the case's menu, rotating with the seed (``check_shape``),
and the probe check takes the first, where the draws of seed 0 are: a staged framework compiles each
operator once per dtype, shared by every check of the case, rather than at every shape the draws
happen to hit (JAX's run is compile-bound; a probe at a second shape made a sample of its
derivative checks 22 % slower). The ci run
(seed 0) thus checks each case at its first shape, other seeds at the others, and the thorough
profile draws from the whole menu. Inputs lie on the float32 grid, so
the float64 and float32 runs differentiate at the same point.

The task reports the worst example (largest error ratio); on a failure, hypothesis shrinks the
input (within a budget of extra check calls) and the record holds the shrunk input, the run seed
that replays it, and the replay command the engine builds.

Checks that exercise one framework API (gradient, JVP, VJP, Hessian, the probe, agreement with the
default variant) run for every API variant; the rest (adjoint identity, forward = reverse mode,
Hessian consistency, HVP, Taylor order, higher derivatives) run once per framework. The cases'
special points are checked by the edges suite (``conformance.edges.special_points``), against an
oracle that reaches them (mpmath limits at high precision), not here.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from conformance.derivatives.case import CaseMemo
from conformance.derivatives.checks import CHECKS, Check, Inputs, stable_seed, to_float32_grid
from conformance.engine import Context, Outcome, Profile, Task

# Examples for the numerical reference (deterministic, and each numerical Jacobian or Hessian costs
# O(n) to O(n²) function evaluations per Richardson level): the first of the case's shared draws.
REFERENCE_EXAMPLES = 2

# Extra check calls hypothesis may spend shrinking a failure (each one runs the check).
SHRINK_BUDGET = 25


class _Failed(AssertionError):
    """Raised inside the hypothesis body when a check fails (so that hypothesis shrinks)."""


def _fail() -> None:
    raise _Failed("check failed")  # one raise site: hypothesis sees one distinct failure


def input_strategy(case: Any, shape: tuple[int, ...] | None = None) -> Any:
    """Inputs for ``case`` from ``conformance.strategies.case_inputs`` (a shape from the menu, or
    ``shape``; x in the domain, tangent v, cotangent u), with x rounded to the float32 grid."""
    from conformance import strategies as cs

    # rounding to the float32 grid can move an entry onto a point the domain excludes (1e-50 -> 0.0,
    # a kink of relu), so the domain is checked again on the rounded input
    return (
        cs.case_inputs(case, shape)
        .map(lambda d: Inputs(to_float32_grid(d.x), 0, None, np.asarray(d.v), np.asarray(d.u)))
        .filter(lambda inp: case.outside_domain(inp.x) is None)
    )


_DRAWS = CaseMemo()


def draws(
    case: Any, seed: int, max_examples: int, derandomize: bool = True, shape: tuple[int, ...] | None = None
) -> list[Inputs]:
    """The inputs hypothesis draws for ``case`` with ``seed`` (generate phase only), cached: every
    check, dtype, framework and variant of the case iterates over the same list, so hypothesis's
    drawing cost is paid once per case rather than once per task."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    def compute() -> list[Inputs]:
        found: list[Inputs] = []

        def collect(inp: Inputs) -> None:
            if len(found) < max_examples:
                found.append(inp)

        test = settings(
            max_examples=max_examples,
            derandomize=derandomize,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(inp=input_strategy(case, shape))(collect))
        hseed(seed)(test)()
        return found

    return _DRAWS.get(case, (seed, max_examples, derandomize, shape), compute)


def _ratio(o: Outcome) -> float:
    r = o.error_ratio
    return float("inf") if r is None or r != r else float(r)


def explore(
    case: Any,
    check: Check,
    ctx: Context,
    seed: int,
    max_examples: int,
    derandomize: bool = True,
    shape: tuple[int, ...] | None = None,
) -> Outcome:
    """Run ``check`` on the case's hypothesis-drawn inputs (``draws``); return the worst example.
    On a failure, hypothesis runs the check itself with the same seed and shrinks the failing input
    (``shrink``); the outcome holds the shrunk input."""
    worst: Outcome | None = None
    examples = draws(case, seed, max_examples, derandomize, shape)
    for i, inp in enumerate(examples):  # noqa: B007 (i counts the examples after the loop)
        out = check.run(case, ctx, inp)  # a crash propagates: the engine records it as an error
        if out.status == "skip":
            return out
        if worst is None or _ratio(out) > _ratio(worst):
            worst = out
        if out.status == "fail":
            shrunk = shrink(case, check, ctx, seed, max_examples, derandomize, shape)
            if shrunk is not None:
                worst = shrunk
            else:
                worst.message = f"not shrunk (hypothesis did not reproduce it): {worst.message}"
            break
    if worst is None:
        return Outcome.skip("hypothesis drew no input")
    worst.data["examples"] = i + 1
    worst.data["hypothesis_seed"] = seed
    worst.seed = ctx.seed
    return worst


def shrink(
    case: Any,
    check: Check,
    ctx: Context,
    seed: int,
    max_examples: int,
    derandomize: bool = True,
    shape: tuple[int, ...] | None = None,
) -> Outcome | None:
    """Let hypothesis run ``check`` with ``seed`` and shrink a failure (within SHRINK_BUDGET extra
    check calls); the outcome at the shrunk input, or None when no example failed."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    state: dict[str, Any] = {"failures": {}, "last": None, "error": None, "after_fail": 0}

    def body(inp: Inputs) -> None:
        key = inp.key()
        if key in state["failures"]:  # before the crash test: hypothesis replays the failure it keeps
            state["last"] = state["failures"][key]
            _fail()
        if state["error"] is not None:
            return
        if state["failures"]:
            if state["after_fail"] >= SHRINK_BUDGET:
                return  # budget spent: unseen candidates count as not failing
            state["after_fail"] += 1
        try:
            out = check.run(case, ctx, inp)
        except Exception as exc:  # a crash while shrinking ends the shrinking
            state["error"] = exc
            return
        if out.status == "fail":
            state["failures"][key] = out
            state["last"] = out
            _fail()

    test = settings(
        max_examples=max_examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )(given(inp=input_strategy(case, shape))(body))
    try:
        hseed(seed)(test)()
    except _Failed:
        pass
    out = state["last"]
    if out is None:
        return None
    out.message = f"shrunk input: {out.message}"
    return out


def probe_input(case: Any) -> np.ndarray:
    """The case's canonical probe input: its first menu shape (where the ci draws of seed 0 are, so
    that a staged framework's probe reuses their programs), drawn with seed 0."""
    return to_float32_grid(case.sample(np.random.default_rng(0), case.shapes[0]))


def is_elementwise(case: Any) -> bool:
    """True for elementwise cases that also run on a 0-d input (a scalar function of a scalar)."""
    if not (getattr(case, "pointwise", False) or case.family == "elementwise") or case.scalar:
        return False
    from conformance.adapters import get

    try:
        x0 = probe_input(case)
        y = np.asarray(case.fn(get("numpy").xp, np.asarray(x0.reshape(-1)[0])))
    except Exception:
        return False
    return y.shape == () and np.isfinite(y).all()


def applicable(case: Any, check: Check) -> bool:
    if check.scalar and not case.scalar:
        return False
    if check.name == "vjp" and case.scalar:
        return False  # for a scalar f, Jᵀu = u ∇f: the gradient check covers it
    if check.order > getattr(case, "smooth_order", 3):
        return False
    if check.elementwise and not is_elementwise(case):
        return False
    return True


# Variants of the numerical reference whose method holds only for analytic (holomorphic) formulas.
ANALYTIC_ONLY_VARIANTS = ("complex_step",)


def _applies(check: Check, case: Any = None):
    def applies(adapter: Any, dtype: str) -> str | None:
        reference = getattr(adapter, "is_reference", False)
        if check.ad_only and reference:
            return (
                f"{check.name} compares two AD programs; the numerical reference computes one numerical answer for both"
            )
        if (
            reference
            and adapter.variant in ANALYTIC_ONLY_VARIANTS
            and case is not None
            and not getattr(case, "analytic", True)
        ):
            return f"the {adapter.variant} method needs an analytic formula; {case.name} is not analytic"
        return None

    return applies


def check_shape(case: Any, seed: int, profile: Profile) -> tuple[int, ...] | None:
    """The one input shape every check of the case draws at under a profile with ``one_shape``
    (None: any shape of the menu): the menu's first shape for seed 0 — the probe's (``probe_input``)
    — rotating with the seed, so that its operators compile once per dtype, shared by all its checks."""
    if not profile.one_shape or len(case.shapes) < 2:
        return None
    return tuple(case.shapes[seed % len(case.shapes)])


def _runner(case: Any, check: Check, profile: Profile):
    def run(ctx: Context) -> Outcome:
        case.function(ctx.adapter.name, ctx.xp)  # NotProvidedError (a skip) before any draw
        if check.name == "probe":
            out = check.run(case, ctx, Inputs(probe_input(case), 0))
            out.seed = ctx.seed
            return out
        seed = stable_seed(ctx.seed, case.name)
        examples = max(1, round(profile.max_examples * check.share))
        if getattr(ctx.adapter, "is_reference", False):
            examples = min(examples, REFERENCE_EXAMPLES)
        shape = check_shape(case, ctx.seed, profile)
        out = explore(case, check, ctx, seed, examples, profile.derandomize, shape)
        if shape is not None:
            out.data["shape"] = list(shape)
        return out

    return run


def _dtypes(case: Any, check: Check) -> tuple[str, ...]:
    dts = tuple(case.dtypes)
    return tuple(d for d in dts if d in check.dtypes) if check.dtypes else dts


def case_tasks(case: Any, profile: Profile, checks: Iterable[str] | None = None) -> list[Task]:
    """The tasks of one case: every applicable check (a rotating profile's share of them is taken by
    ``conformance.rotation`` for the whole suite)."""
    out: list[Task] = []
    for check in CHECKS.values():
        if checks is not None and check.name not in checks:
            continue
        if not applicable(case, check):
            continue
        dtypes = _dtypes(case, check)
        if not dtypes:
            continue
        out.append(
            Task(
                case.family,
                case.name,
                check.name,
                _runner(case, check, profile),
                dtypes=dtypes,
                per_variant=check.per_variant,
                applies=_applies(check, case),
            )
        )
    return out


def tasks(profile: Profile) -> list[Task]:
    """Every (case, applicable check) of the catalog as engine Tasks."""
    from conformance.derivatives.cases import CATALOG

    return [t for case in CATALOG for t in case_tasks(case, profile)]
