"""The PINN topic under pytest: its tasks on every selected framework (default API variant), judged by the
known-deviation registry exactly as `conformance run` judges them. A failure shows the record's message
and its replay command.

To keep the test suite's time in bounds this runs a slice of the ``dev`` profile's tasks: every Laplacian
method on the tanh MLP at d = 10, the divergence by a JVP and a reverse-mode Jacobian, one biharmonic,
every PDE residual and mixed partial, and the bad-input refusals (the Hutchinson z-tests run in
tests/unit/test_advanced_pinn.py and in `conformance run`). `conformance run --suite advanced --cases
'pinn/*'` runs the whole family."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.advanced.pinn import tasks


def selected(task) -> bool:
    if task.case.startswith("Δ MLP 10-16-16-1 (tanh)"):
        return task.check.startswith("Laplacian")
    if task.case.startswith("∇· tanh layer"):
        return task.check.startswith(("divergence by jvp", "divergence by jacobian_rev"))
    if task.case.startswith("Δ² r⁴"):
        return task.check.startswith("biharmonic by hessian")
    return task.check.startswith(("PDE residual", "mixed partial", "bad input"))


TASKS = [t for t in tasks(engine.get_profile("dev")) if selected(t)]


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.case} | {t.check}" for t in TASKS])
def test_pinn_task(task, conformance_adapter, conformance_profile, conformance_registry):
    for dtype in task.dtypes:
        rec = engine.run_task(
            task,
            conformance_adapter,
            "cpu",
            dtype,
            conformance_profile,
            conformance_profile.seed or 0,
            conformance_registry,
        )
        assert rec.status in ("pass", "skip", "deviation"), f"{rec.status}: {rec.message}\n  replay: {rec.replay}"
