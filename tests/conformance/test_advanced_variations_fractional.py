"""The advanced suite's variations and fractional families under pytest: every task on every selected
framework (default API variant), each dtype it runs in, judged by the known-deviation registry exactly
as `conformance run` judges it. A failure shows the record's message and its replay command."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.advanced import fractional, variations

PROFILE = engine.get_profile("ci")
TASKS = [*variations.tasks(PROFILE), *fractional.tasks(PROFILE)]


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.family}/{t.case} | {t.check}" for t in TASKS])
def test_advanced_task(task, conformance_adapter, conformance_profile, conformance_registry):
    adapter = conformance_adapter.staging()  # as `conformance run` runs them (jax.jit where it stages)
    for dtype in task.dtypes:
        rec = engine.run_task(task, adapter, "cpu", dtype, conformance_profile, conformance_profile.seed or 0,
                              conformance_registry)
        assert rec.status in ("pass", "skip", "deviation"), f"{rec.status}: {rec.message}\n  replay: {rec.replay}"
