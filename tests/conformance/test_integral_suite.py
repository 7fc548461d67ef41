"""The integrals suite under pytest: every integral task on every selected framework (default API
variant), each dtype it runs in, judged by the known-deviation registry exactly as `conformance run`
judges it. A failure shows the record's message and its replay command."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.integrals.suite import tasks

TASKS = list(tasks(engine.get_profile("ci")))


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.case} | {t.check}" for t in TASKS])
def test_integral_task(task, conformance_adapter, conformance_profile, conformance_registry):
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
