"""Rotation inside the ci profile: ROTATION consecutive seeds run every combination, each seed runs
every first-order derivative check at its anchor (float64, default variant), and one seed runs a
fraction of the whole."""

from __future__ import annotations

from conformance import rotation
from conformance.engine import Task


def _tasks():
    out = []
    for case in ("sin", "exp", "det", "softmax", "cumprod", "i0", "erf", "relu"):
        for check in ("gradient", "jvp", "vjp", "hessian", "limit1@0", "nested2 fwd∘rev", "probe"):
            out.append(Task("f", case, check, run=lambda ctx: None, dtypes=("float64", "float32"), per_variant=True))
    return out


def combos(tasks, variants=("default", "other")):
    """(case, check, dtype, variant) a task list runs."""
    return {
        (t.case, t.check, d, v) for t in tasks for d in t.dtypes for v in (variants if t.per_variant else variants[:1])
    }


def test_consecutive_seeds_cover_every_combination_and_one_seed_a_share():
    tasks = _tasks()
    everything = combos(tasks)
    for start in (0, 5):
        runs = [rotation.thin(tasks, s) for s in range(start, start + rotation.ROTATION)]
        assert set().union(*(combos(r) for r in runs)) == everything
        for r in runs:
            assert rotation.records(r, 2) < rotation.records(tasks, 2)


def test_every_seed_runs_each_first_order_check_at_its_anchor():
    tasks = _tasks()
    for seed in range(rotation.ROTATION):
        ran = combos(rotation.thin(tasks, seed))
        for t in tasks:
            if t.check in rotation.FIRST_ORDER:
                assert (t.case, t.check, "float64", "default") in ran


def test_slot_is_the_same_in_every_process():
    t = _tasks()[0]
    assert rotation.slot(t) == rotation.slot(Task(t.family, t.case, t.check, run=t.run))
