"""The derivative suite under pytest: the same engine tasks as `conformance run`, one test each.

An unregistered fail or error fails the test (with the measured error, the bound and the replay
command); a known deviation is an expected failure; a skip is a skip."""

from __future__ import annotations

import pytest

from conformance import engine


def test_derivative_task(conformance_job, conformance_registry):
    task, adapter, device, dtype, profile = conformance_job
    rec = engine.run_task(task, adapter, device, dtype, profile, profile.seed or 0, conformance_registry)
    if rec.status == "skip":
        pytest.skip(rec.message)
    if rec.status == "deviation":
        pytest.xfail(f"known deviation: {rec.registry.get('reason', '')} {rec.registry.get('link', '')}")
    assert rec.status == "pass", (
        f"{rec.status}: {rec.message}\n  error ratio {rec.error_ratio}, "
        f"tolerance {rec.tolerance}\n  replay: {rec.replay}"
    )
