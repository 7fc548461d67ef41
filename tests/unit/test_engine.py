"""The engine: a task's crash becomes an error record, the registry turns a matched failure into a
deviation, and records are written (and flushed) one by one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conformance import adapters, engine, records, registry
from conformance.tolerance import compare, policy


def sin_grad_task(error: float = 0.0) -> engine.Task:
    def run(ctx: engine.Context) -> engine.Outcome:
        x0 = np.array([0.3, 1.2])
        f = lambda x: ctx.xp.sum(ctx.xp.sin(x))  # noqa: E731
        g = ctx.numpy(ctx.adapter.grad(f)(ctx.array(x0))) * (1 + error)
        tol = policy("exact", ctx.dtype, "fd" if ctx.adapter.is_reference else "ad")
        c = compare(g, np.cos(x0), tol)
        return engine.Outcome.judged(c, tol, "", input=x0.tolist())

    return engine.Task("elementwise", "sin_sum", "gradient", run)


def crash(ctx):
    raise ValueError("case returned shape (2,) where () was expected")


PROFILE = engine.get_profile("ci", seed=0)


def test_pass_record_has_errors_tolerance_and_replay():
    rec = engine.run_task(sin_grad_task(), adapters.get("numpy"), "cpu", "float64", PROFILE, 0)
    assert rec.status == "pass" and rec.error_ratio <= 1 and rec.tolerance > 0
    assert rec.replay.startswith("conformance run --framework numpy --api richardson")
    assert "--cases 'sin_sum'" in rec.replay and "--seed 0" in rec.replay


def test_injected_error_fails():
    rec = engine.run_task(sin_grad_task(1e-6), adapters.get("numpy"), "cpu", "float64", PROFILE, 0)
    assert rec.status == "fail" and rec.error_ratio > 1


def test_crash_is_an_error_record_with_the_message():
    rec = engine.run_task(
        engine.Task("elementwise", "bad", "gradient", crash), adapters.get("numpy"), "cpu", "float64", PROFILE, 0
    )
    assert rec.status == "error" and rec.message.startswith("ValueError: case returned shape (2,)")


def test_registry_turns_a_matched_failure_into_a_deviation(tmp_path):
    (tmp_path / "d.toml").write_text(
        '[[deviation]]\nframework = "numpy"\ncase = "bad"\ncheck = "*"\n'
        'reason = "a test deviation with a full reason"\n'
    )
    reg = registry.load(tmp_path)
    rec = engine.run_task(
        engine.Task("elementwise", "bad", "gradient", crash), adapters.get("numpy"), "cpu", "float64", PROFILE, 0, reg
    )
    assert rec.status == "deviation" and rec.registry["reason"].startswith("a test deviation")


def test_unsupported_dtype_is_a_skip():
    rec = engine.run_task(sin_grad_task(), adapters.get("numpy"), "cpu", "bfloat16", PROFILE, 0)
    assert rec.status == "skip" and "bfloat16" in rec.message


def test_records_round_trip_and_are_flushed_line_by_line(tmp_path):
    path = tmp_path / "r.jsonl"
    w = records.ResultWriter(path, header={"framework": "numpy"})
    rec = engine.run_task(sin_grad_task(), adapters.get("numpy"), "cpu", "float64", PROFILE, 0)
    w.write(rec)
    lines = path.read_text().splitlines()  # readable before close: nothing is lost on a crash
    assert len(lines) == 2 and json.loads(lines[0])["kind"] == "run"
    env = json.loads(lines[0])["environment"]
    assert {"cpu_model", "threads", "numpy", "python"} <= set(env)
    w.close()
    rs = records.read([tmp_path])
    assert rs.warnings == [] and len(rs.records) == 1 and rs.records[0].case == "sin_sum"


def test_corrupt_truncated_and_foreign_files_warn_and_keep_the_rest(tmp_path):
    good = tmp_path / "good.jsonl"
    with records.ResultWriter(good) as w:
        w.write(engine.run_task(sin_grad_task(), adapters.get("numpy"), "cpu", "float64", PROFILE, 0))
    (tmp_path / "foreign.jsonl").write_text('{"hello": "world"}\n')
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    truncated = tmp_path / "trunc.jsonl"
    truncated.write_text(good.read_text() + '{"schema_version": 1, "kind": "check", "fram')
    newer = tmp_path / "newer.jsonl"
    newer.write_text('{"schema_version": 99, "kind": "run", "run_id": "x", "environment": {}}\n')
    rs = records.read([tmp_path])
    assert len(rs.records) == 2  # good + the complete part of the truncated file
    text = "\n".join(rs.warnings)
    assert "foreign.jsonl: not a results file" in text and "binary.jsonl: cannot read" in text
    assert "trunc.jsonl:3:" in text and "newer.jsonl" in text and "needs 1" in text


def test_nan_and_inf_are_written_as_strict_json(tmp_path):
    rec = records.Record(
        kind="check",
        framework="x",
        framework_version="1",
        api="a",
        device="cpu",
        dtype="float64",
        family="f",
        case="c",
        check="k",
        status="fail",
        max_abs_error=float("nan"),
        max_rel_error=float("inf"),
    )
    line = rec.to_json()
    assert '"nan"' in line and '"inf"' in line and "NaN" not in line


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(adapters.ConformanceError, match="unknown profile 'fast'; choose one of dev, ci, thorough"):
        engine.get_profile("fast")
