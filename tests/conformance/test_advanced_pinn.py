"""The PINN topic under pytest: its tasks on every selected framework (default API variant), judged by the
known-deviation registry exactly as `conformance run` judges them. A failure shows the record's message
and its replay command.

To keep the test suite's time in bounds this runs the ``dev`` profile's tasks at d <= 10 without the
duplicates of that profile's larger selection: every Laplacian method on the two-body field and the tanh
MLP at d = 10, the divergence methods, the biharmonic ones at d = 2, every PDE residual and mixed partial, one Hutchinson
z-test per probe kind, and the bad-input refusals. `conformance run --suite advanced --cases 'pinn/*'`
runs the whole family."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.advanced.pinn import tasks

SKIPPED_CASES = ("Δ exp-sum", "Δ MLP 10-16-16-1 (softplus)", "Δ MLP 10-16-16-1 (sin)", "∇· radial")
TASKS = [t for t in tasks(engine.get_profile("dev"))
         if not t.case.startswith(SKIPPED_CASES) and ("d = 2," not in t.case + "," or t.case.startswith("Δ²"))
         and not (t.check.startswith("Hutchinson") and "MLP" in t.case)]


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.case} | {t.check}" for t in TASKS])
def test_pinn_task(task, conformance_adapter, conformance_profile, conformance_registry):
    for dtype in task.dtypes:
        rec = engine.run_task(task, conformance_adapter, "cpu", dtype, conformance_profile,
                              conformance_profile.seed or 0, conformance_registry)
        assert rec.status in ("pass", "skip", "deviation"), f"{rec.status}: {rec.message}\n  replay: {rec.replay}"
