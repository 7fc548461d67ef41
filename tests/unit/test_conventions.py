"""Convention probes: recorded (status pass with data.value), never judged; errors are recorded too."""

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
    for word in ("abs", "relu", "maximum tie", "minimum tie", "max reduction", "clip at lower", "clip at upper",
                 "norm at 0", "sqrt at 0", "where", "complex", "integer", "non-scalar"):
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


def test_the_where_trap_is_recorded_as_nan_not_judged(torch_ad):
    rec = run(torch_ad.with_variant("autograd"), "where: log(x) untaken at 0")
    assert rec.status == "pass" and np.isnan(rec.data["value"][0]) and rec.data["matches"] is None
    json.loads(rec.to_json())  # NaN is written as strict JSON


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
