"""The integrals suite: engine tasks (family "integrals") for quadrature, the identities that tie
differentiation to integration, Monte Carlo, gradients of expectations, KL divergences and
stochastic calculus. Registered in conformance.engine.SUITES as ``integrals``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.engine import Profile, Task

FAMILY = "integrals"
F64 = ("float64",)
BOTH = ("float64", "float32")


def provided(applies: Callable[[Any, str], str | None] | None = None) -> Callable[[Any, str], str | None]:
    """``applies``, after skipping a framework whose adapter has no ``integrals`` module."""

    def check(adapter: Any, dtype: str) -> str | None:
        if not adapter.provides("integrals"):
            return f"{adapter.name} provides no integral operations (its adapter has no integrals module)"
        return applies(adapter, dtype) if applies else None

    return check


def tasks(profile: Profile) -> Iterator[Task]:
    """Every integral task. Quadrature and the identities run in float64 and float32; the Monte Carlo
    checks in float64 (their acceptance rule is statistical, not a rounding bound). Tasks that do not
    differentiate run once per framework (default API variant); gradient checks run per variant."""
    from conformance.integrals import expectations, identities, kl, monte_carlo, quadrature, stochastic

    for case, check, run, applies, per_variant in quadrature.specs():
        yield Task(FAMILY, case, check, run, dtypes=BOTH, per_variant=per_variant, applies=provided(applies))
    for case, check, run in identities.specs():
        yield Task(FAMILY, case, check, run, dtypes=BOTH, per_variant=True)  # AD only: no integrals module needed
    for case, check, run, kind in monte_carlo.specs():
        yield Task(FAMILY, case, check, run, dtypes=F64, kind=kind, per_variant=False, applies=provided())
    for case, check, run in expectations.specs():
        yield Task(FAMILY, case, check, run, dtypes=F64, per_variant=False, applies=provided())
    for case, check, run, applies, per_variant in kl.specs():
        yield Task(FAMILY, case, check, run, dtypes=F64, per_variant=per_variant, applies=provided(applies))
    for case, check, run in stochastic.specs():
        yield Task(FAMILY, case, check, run, dtypes=F64, per_variant=False, applies=provided())


def statistical_tasks(profile: Profile) -> list[Any]:
    """The tasks whose verdict is a Monte Carlo z-test (their run function carries the stated
    ``.false_alarm_rate``; their outcome's data holds "z")."""
    return [t for t in tasks(profile) if getattr(t.run, "false_alarm_rate", None) is not None]
