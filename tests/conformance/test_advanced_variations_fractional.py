"""The advanced suite's variations and fractional families under pytest: a slice of their tasks on every
selected framework (default API variant, staged as `conformance run` runs it), each dtype it runs in,
judged by the known-deviation registry exactly as `conformance run` judges it. A failure shows the
record's message and its replay command.

The slice keeps every seed-dependent rounding check of the fractional schemes (value and gradient of
each scheme vs mpmath, float64 and float32) and one functional's four variations checks plus the
Dirichlet energy's Euler–Lagrange study: a staged framework compiles one program per grid shape, and
the whole families (60 records per framework) run in `conformance run --suite advanced`."""

from __future__ import annotations

import pytest

from conformance import engine
from conformance.advanced import fractional, variations

PROFILE = engine.get_profile("ci")
SLICE = {
    ("variations", "catenary"),
    ("variations", "Dirichlet energy", "Euler-Lagrange convergence"),
    ("fractional", "value vs mpmath sum"),
    ("fractional", "gradient wrt alpha and T vs mpmath.diff"),
}
TASKS = [
    t
    for t in [*variations.tasks(PROFILE), *fractional.tasks(PROFILE)]
    if {(t.family, t.case), (t.family, t.case, t.check), (t.family, t.check)} & SLICE
]


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.family}/{t.case} | {t.check}" for t in TASKS])
def test_advanced_task(task, conformance_adapter, conformance_profile, conformance_registry):
    adapter = conformance_adapter.staging()
    for dtype in task.dtypes:
        rec = engine.run_task(
            task, adapter, "cpu", dtype, conformance_profile, conformance_profile.seed or 0, conformance_registry
        )
        assert rec.status in ("pass", "skip", "deviation"), f"{rec.status}: {rec.message}\n  replay: {rec.replay}"
