"""Special points and non-finite inputs through every API variant (issue 18): each framework's
variants (torch.func and torch.autograd, GradientTape and ForwardAccumulator, jax transforms and
linearize) have rules of their own at a special point, so the limit and derivative@ tasks run in all of
them; a value, which no derivative API computes, runs once per framework."""

from __future__ import annotations

import dataclasses

import pytest

from conformance import rotation
from conformance.derivatives.cases import by_name
from conformance.edges import infinities, special_points
from conformance.engine import Context


def test_special_point_and_nonfinite_derivative_tasks_run_in_every_variant():
    limits = special_points.tasks_for(by_name("x_over_sin"))
    assert limits and all(t.per_variant for t in limits)
    nonfinite = infinities.tasks()
    derivatives = [t for t in nonfinite if t.check.startswith("derivative@")]
    values = [t for t in nonfinite if t.check.startswith("value@")]
    assert derivatives and all(t.per_variant for t in derivatives)
    assert values and not any(t.per_variant for t in values)


def test_a_limit_task_keeps_every_variant_in_its_rotation_slot_only():
    (task,) = [t for t in special_points.tasks_for(by_name("x_over_sin")) if t.check == "limit2@0"]
    runs = {seed: rotation.thin([task], seed) for seed in range(rotation.ROTATION)}
    kept = [seed for seed, ts in runs.items() if ts]
    assert kept == [rotation.slot(task)]  # not a first-order check: no anchor record in the other seeds
    assert rotation.records(runs[kept[0]], 2) == 2  # float64 through both variants


@pytest.mark.parametrize("variant", ["func", "autograd"])
def test_second_order_limit_through_each_torch_variant(variant):
    pytest.importorskip("torch")
    from conformance.adapters import get

    (task,) = [t for t in special_points.tasks_for(by_name("x_over_sin")) if t.check == "limit2@0"]
    out = task.run(Context(get("torch", variant), "cpu", "float64", 0))
    assert out.status == "pass", out.message


def test_rotation_share_counts_limit_records_per_variant():
    tasks = special_points.tasks_for(by_name("x_over_sin"))
    once = [dataclasses.replace(t, per_variant=False) for t in tasks]
    assert rotation.records(tasks, 2) == 2 * rotation.records(once, 2)
