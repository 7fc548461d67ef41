"""The diffusion and hessian_free families of the advanced suite under pytest: every task on every selected
framework (default API variant, staged as `conformance run` runs it), each dtype it runs in, judged by the
known-deviation registry as `conformance run` judges it. A failure shows the record's message and its
replay command."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.advanced import diffusion, hessian_free

TASKS = [*diffusion.tasks(engine.get_profile("ci")), *hessian_free.tasks(engine.get_profile("ci"))]


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.family}/{t.case} | {t.check}" for t in TASKS])
def test_advanced_task(task, conformance_adapter, conformance_profile, conformance_registry):
    adapter = conformance_adapter.staging()
    for dtype in task.dtypes:
        rec = engine.run_task(
            task, adapter, "cpu", dtype, conformance_profile, conformance_profile.seed or 0, conformance_registry
        )
        assert rec.status in ("pass", "skip", "deviation"), f"{rec.status}: {rec.message}\n  replay: {rec.replay}"
