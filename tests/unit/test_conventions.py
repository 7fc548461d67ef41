"""Convention probes: finite answers and errors recorded (status pass with data.value); NaN, or ±inf
where every candidate is finite, is a deviation (status fail, failure_class non_finite)."""

from __future__ import annotations

import json

import numpy as np

from conformance import conventions, engine
from conformance.records import Record


def run(adapter, name):
    task = next(t for t in conventions.tasks(engine.get_profile("dev", 0)) if t.case == name)
    return engine.run_task(task, adapter, "cpu", "float64", engine.get_profile("dev", 0), 0)


def test_every_probe_of_the_brief_is_there():
    names = {p.name for p in conventions.PROBES}
    for word in (
        "abs",
        "relu",
        "maximum tie",
        "minimum tie",
        "max reduction",
        "clip at lower",
        "clip at upper",
        "norm at 0",
        "sqrt at 0",
        "where",
        "complex",
        "integer",
        "non-scalar",
    ):
        assert any(word in n for n in names), word
    ts = conventions.tasks(engine.get_profile("ci", 0))
    assert all(t.kind == "convention" and t.family == "conventions" for t in ts)


def test_values_are_recorded_with_candidates(torch_ad):
    rec = run(torch_ad, "relu at 0")
    assert rec.status == "pass" and rec.kind == "convention"
    assert rec.data["value"] == 0.0 and rec.data["expected"] == [0.0, 1.0] and rec.data["matches"] == 0
    assert rec.data["note"]
    tie = run(torch_ad, "maximum tie")
    assert tie.data["value"] == [0.5, 0.5]


def test_the_where_trap_nan_is_a_deviation_not_a_convention(torch_ad):
    rec = run(torch_ad.with_variant("autograd"), "where: log(x) untaken at 0")
    assert rec.status == "fail" and np.isnan(rec.data["value"][0]) and rec.data["matches"] is None
    assert rec.data["failure_class"] == "non_finite" and "deviation" in rec.message
    json.loads(rec.to_json())  # NaN is written as strict JSON
    assert rec.data["basis"]


def test_non_finite_judging():
    nf = conventions.non_finite
    assert nf([float("nan")], [[0.0]]) and nf(float("inf"), [0.0, 1.0])
    assert nf(float("inf"), [float("inf")]) is None  # sqrt at 0: the one-sided limit is +inf
    assert nf(float("nan"), [float("inf")])  # NaN is never a convention
    assert nf(0.5, [0.0, 1.0]) is None and nf({"error": "x"}, [0.0]) is None and nf(1.0, None) is None


def test_errors_are_recorded_as_the_answer(torch_ad):
    rec = run(torch_ad, "integer input")
    assert rec.status == "pass" and "error" in rec.data["value"]
    assert "floating point" in rec.data["value"]["error"]
    ns = run(torch_ad.with_variant("autograd"), "non-scalar output to grad")
    assert "scalar" in ns.data["value"]["error"]


def test_complex_convention_is_recorded(torch_ad):
    rec = run(torch_ad, "complex input to a real loss")
    value = json.loads(rec.to_json())["data"]["value"]
    assert value == [{"re": 2.0, "im": 4.0}]


def test_matches_helper():
    assert conventions._matches([0.5, 0.5], [[1.0, 0.0], [0.5, 0.5]]) == 1
    assert conventions._matches([float("nan")], [[0.0]]) is None
    assert conventions._matches({"error": "x"}, [[0.0]]) is None
    assert isinstance(Record, type)
