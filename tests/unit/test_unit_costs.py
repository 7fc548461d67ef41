"""Measured unit costs (conformance/unit_costs.py): what balances shards and worker queues."""

from __future__ import annotations

import json

from conformance import unit_costs as uc


def test_measured_units_cost_their_seconds_and_new_ones_their_calibrated_estimate():
    table = {"jax/linalg/det": 0.5, "torch/linalg/det": 0.05}
    units = [
        (("jax", "linalg", "det"), 10, 140.0),  # measured: 10 records x 0.5 s
        (("torch", "linalg", "det"), 10, 10.0),  # measured: 10 x 0.05 s
        (("jax", "linalg", "new"), 4, 56.0),  # not measured: estimate x (5.5 s / 150 units)
    ]
    costs = uc.costed(units, table)
    assert costs[:2] == [5.0, 0.5] and abs(costs[2] - 56.0 * 5.5 / 150.0) < 1e-12
    assert uc.costed(units, {}) == [140.0, 10.0, 56.0]  # no table: the estimates as they are


def test_the_table_is_written_from_records_and_a_bad_table_means_estimates(tmp_path):
    recs = [
        {"framework": "jax", "family": "f", "case": "c", "duration_s": 1.0},
        {"framework": "jax", "family": "f", "case": "c", "duration_s": 3.0},
        {"framework": "jax", "family": "f", "case": "skip", "duration_s": None},
    ]
    assert uc.from_records(recs) == {"jax/f/c": 2.0, "jax/f/skip": 0.0}
    good = tmp_path / "costs.json"
    good.write_text(json.dumps({"schema": uc.SCHEMA, "seconds_per_record": {"jax/f/c": 2.0}}))
    assert uc.load(good) == {"jax/f/c": 2.0}
    for text in ("{not json", json.dumps({"schema": 99, "seconds_per_record": {}}), json.dumps([1])):
        bad = tmp_path / f"bad{len(text)}.json"
        bad.write_text(text)
        assert uc.load(bad) == {}
    assert uc.load(tmp_path / "missing.json") == {}
