"""Accuracy tables (issue 19, item 5): ULP errors against mpmath over a fixed grid, per op, framework,
variant and dtype, written one flushed record per table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conformance import accuracy
from conformance.ops import by_name
from conformance.tolerance import HUGE, TINY


def test_grid_is_fixed_in_the_dtype_and_covers_tiny_mid_and_huge():
    op = by_name("expit")
    for dtype in ("float64", "float32", "float16", "bfloat16"):
        x = accuracy.grid(op, dtype, 400)
        assert np.array_equal(x, accuracy.grid(op, dtype, 400))  # fixed
        assert np.array_equal(x, accuracy.round_to(x, dtype))  # representable
        a = np.abs(x[x != 0])
        assert a.min() < TINY[dtype] * 1.01 and a.max() >= HUGE[dtype] / 2 and np.any((a > 0.5) & (a < 4))
        assert 40.0 in x or dtype != "float64"  # the row's special points
    assert np.all(accuracy.grid(by_name("gammaln"), "float64", 200) > 0)  # inside defined_on


def test_exact_values_resolve_tiny_huge_and_exact_zeros():
    op = by_name("expit")
    assert accuracy.exact_point(op, 40.0, 2)[1:] == pytest.approx([4.248354255291589e-18, -4.248354255291589e-18])
    v = accuracy.exact_point(op, 1e-300, 2)
    assert v[:2] == [0.5, 0.25] and v[2] == pytest.approx(-1.25e-301)
    assert accuracy.exact_point(op, 1e300, 1) == [1.0, 0.0]  # underflows: 0 is its rounding
    assert accuracy.exact_point(by_name("sinc"), 0.0, 1) == [1.0, 0.0]  # noise around an exact 0


def test_unresolvable_point_names_the_op_and_point(monkeypatch):
    monkeypatch.setattr(accuracy, "PRECISIONS", ((15, 16),))
    op = by_name("expit")
    with pytest.raises(accuracy.AccuracyError, match="'expit'.*x = 0.7"):
        accuracy.exact_point(type(op)(**{**op.__dict__, "exact": lambda t: t + 1e-9 * np.random.rand()}), 0.7, 1)


def test_ulp_errors_and_histogram_bins():
    exact = np.array([1.0, 1.0, 1.0, 1.0, 4e-18, 2.0, 1.0])
    got = np.array([1.0, 1 + 2**-52, 1 + 3 * 2**-52, np.nan, 0.0, -2.0, 1 + 2.0**-30])
    d, nf, ws = accuracy.ulp_errors(got, exact, "float64")
    assert d[:3].tolist() == [0.0, 1.0, 3.0] and nf.tolist()[3] and ws.tolist()[5]
    assert d[4] > 2**40  # 0 where a normal 4e-18 was due
    h = accuracy.histogram(d, nf, ws)
    assert list(h) == list(accuracy.BINS)
    assert h == {"0": 1, "1": 1, "2": 0, "3-4": 1, "5-16": 0, "17-1024": 0, "more": 2, "non_finite": 1, "wrong_sign": 1}
    t = accuracy.table(np.arange(7.0), got, exact, "float64")
    assert t["worst_input"] in (3.0, 5.0) and t["points"] == 7 and math.isinf(t["max_ulp"])


def test_tables_in_torch_are_written_one_record_at_a_time(torch_ad, tmp_path, monkeypatch):
    settings = accuracy.Settings(points=64, dtypes=("float64", "float16"), orders=(1,))
    rows = [by_name("expit"), by_name("softplus")]
    real = accuracy.tables
    calls = []

    def interrupted(op, adapter, s):
        calls.append(op.name)
        if op.name == "softplus":
            raise KeyboardInterrupt
        yield from real(op, adapter, s)

    monkeypatch.setattr(accuracy, "tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        accuracy.run(["torch"], rows, settings, tmp_path, log=lambda s: None)
    recs = [json.loads(line) for f in tmp_path.glob("accuracy-*.jsonl") for line in f.read_text().splitlines()]
    tables = [r for r in recs if r["kind"] == "accuracy"]
    assert calls == ["expit", "softplus"] and tables  # expit's tables kept
    d64 = next(r for r in tables if r["dtype"] == "float64" and r["check"] == "derivative")
    assert set(d64["data"]) >= {"hist", "p99_ulp", "max_ulp", "worst_input", "order", "what"}
    assert d64["data"]["what"] == "derivative" and d64["data"]["order"] == 1
    assert d64["data"]["max_ulp"] > 1e10 and d64["data"]["worst_input"] >= 36  # sigmoid' underflows at 40
    assert {r["api"] for r in tables if r["check"] == "derivative"} >= {"func", "autograd"}
    assert any(r["check"] == "value" and r["api"] == "-" for r in tables)


def test_flush_to_zero_below_the_normal_range_is_accepted_and_counted():
    d, nf, ws = accuracy.ulp_errors(np.array([0.0, 0.0]), np.array([1e-310, 1e-300]), "float64")
    assert d[0] == 0 and d[1] > 1e10
    assert (
        accuracy.table(np.array([1.0, 2.0]), np.array([0.0, 0.0]), np.array([1e-310, 1e-300]), "float64")["flushed"]
        == 1
    )
