"""The benchmark harness: timing semantics, records format, and the GMM / D-LSTM gradients
(reference derivations and agreement across frameworks at rho <= 1e-8 on small instances)."""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pytest
from conformance.adapters import benchmarks as fw_bench

from conformance import adapters, tolerance
from conformance.benchmarks import harness, operators, reference, runner
from conformance.benchmarks.workloads import gmm, lstm
from conformance.commands import bench as command
from conformance.records import read

RHO = tolerance.policy("workload_agreement", "float64").rtol
AD = [n for n in ("torch", "jax", "tensorflow") if adapters.get(n).available()]


# ------------------------------------------------------------------ harness semantics
def test_statistics_median_iqr_min():
    med, iqr, lo = harness.statistics([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (med, iqr, lo) == (3.0, 2.0, 1.0)


def test_first_call_timed_apart_and_every_call_synchronized():
    calls, syncs = [], []

    def fn(x):
        calls.append(x)
        if len(calls) == 1:
            time.sleep(0.05)  # a "compile" on the first call only
        return x

    s = harness.Settings(warmup=2, min_rounds=4, max_rounds=4, min_time_s=0.0, min_round_s=0.0)
    t = harness.measure(fn, (1,), syncs.append, s, compiled=True)
    assert t.rounds == 4 and len(calls) == 1 + 2 + 4 and len(syncs) == len(calls)
    assert t.first_s >= 0.05 and t.compile_s >= 0.04 and t.median_s < 0.01
    assert harness.measure(fn, (1,), syncs.append, s, compiled=False).compile_s is None


def test_sync_happens_before_the_clock_stops():
    s = harness.Settings(warmup=0, min_rounds=3, max_rounds=3, min_time_s=0.0, min_round_s=0.0)
    t = harness.measure(lambda: None, (), lambda _: time.sleep(0.01), s)
    assert t.min_s >= 0.01


def test_fast_calls_are_repeated_within_a_round():
    s = harness.Settings(warmup=1, min_rounds=3, max_rounds=3, min_time_s=0.0, min_round_s=1e-3)
    t = harness.measure(lambda: None, (), lambda _: None, s)
    assert t.inner > 1 and t.median_s < 1e-3


def test_measure_together_interleaves_rounds():
    order = []
    s = harness.Settings(warmup=0, min_rounds=3, max_rounds=3, min_time_s=0.0, min_round_s=0.0)
    ta, tb = harness.measure_together(
        [lambda: order.append("a"), lambda: order.append("b")], [(), ()], lambda _: None, s
    )
    assert order == ["a", "b"] * 4 and ta.rounds == tb.rounds == 3


def test_scaling_exponent_uses_large_sizes():
    ns = [10, 100, 1000, 10000, 100000]
    ts = [1e-3, 1e-3, 1e-3 * 1.0, 1e-3 * 100, 1e-3 * 1e4]  # flat overhead, then quadratic growth
    assert harness.scaling_exponent(ns, ts) == pytest.approx(2.0)
    assert harness.scaling_exponent([10, 100], [1.0, 10.0]) == pytest.approx(1.0)
    assert harness.scaling_exponent([10], [1.0]) is None


def test_memory_guard_and_rho():
    assert harness.fits(10, 100) and not harness.fits(60, 100) and harness.fits(10**15, None)
    assert harness.human_bytes(3 * 1024**3) == "3.0 GiB"
    assert harness.rho([np.array([1.0, 3.0])], [np.array([1.0, 3.0 + 6e-8])]) == pytest.approx(1e-8, rel=1e-6)
    assert harness.rho([np.ones(2)], [np.ones(3)]) == float("inf")


def test_overhead_check_compares_like_with_like():
    res = harness.overhead_check(
        lambda: time.sleep(2e-3),
        lambda: time.sleep(2e-3),
        fw_bench.hand_timed_loop,
        (),
        lambda _: None,
        blocks=2,
        rounds=3,
    )
    assert res["rounds"] == 6 and abs(res["overhead"]) < 1.0


def test_reference_data_is_labelled():
    assert reference.reference("gmm", "tensorflow") == {"source": reference.SOURCE, "ratio": 1.95}
    assert reference.reference("lstm", "jax") is None and "GradBench" in reference.SOURCE


def test_operator_inputs_are_identical_across_frameworks():
    fn = operators.FUNCTIONS["rosenbrock"]
    a = [adapters.get(n).to_numpy(x) for n in AD[:2] for x in operators.inputs(adapters.get(n), fn, "jvp", 7, "cpu", 3)]
    assert len(AD) < 2 or (np.array_equal(a[0], a[2]) and np.array_equal(a[1], a[3]))


# ------------------------------------------------------------------ workloads: references
def test_gmm_objective_matches_the_formula():
    p = gmm.generate(3, 4, 30, seed=2)
    f = gmm.objective(adapters.get("numpy"), p)
    assert float(f(*p.arguments())) == pytest.approx(gmm.reference_objective(p), rel=1e-13)


def test_gmm_hand_derived_gradient_matches_complex_step():
    p = gmm.generate(4, 3, 25, seed=3)
    cs = adapters.get("numpy", "complex_step")
    numeric = cs.grad(gmm.objective(cs, p), (0, 1, 2))(*p.arguments())
    assert harness.rho(gmm.reference_gradient(p), numeric) <= 1e-13


def test_lstm_batched_complex_step_matches_the_xp_objective():
    p = lstm.generate(2, 5, b=3, seed=4)
    cs = adapters.get("numpy", "complex_step")
    f = lstm.objective(cs, p)
    assert float(f(*p.arguments())) == pytest.approx(
        float(lstm.reference_objective(p.main_params[None], p.extra_params[None], p)[0]), rel=1e-14
    )
    numeric = cs.grad(f, (0, 1))(*p.arguments())
    assert harness.rho(lstm.reference_gradient(p), numeric) <= 1e-14


# ------------------------------------------------------------------ workloads: frameworks agree
@pytest.mark.parametrize("name", AD)
def test_gmm_gradient_agrees_with_reference(name):
    a = adapters.get(name)
    p = gmm.generate(5, 4, 50, seed=5)
    args = [a.from_numpy(x, dtype="float64") for x in p.arguments()]
    got = [a.to_numpy(g) for g in a.grad(gmm.objective(a, p), (0, 1, 2))(*args)]
    assert harness.rho(got, gmm.reference_gradient(p)) <= RHO


@pytest.mark.parametrize("scan", ["python", "framework"])
@pytest.mark.parametrize("name", AD)
def test_lstm_gradient_agrees_with_reference(name, scan):
    a = adapters.get(name)
    p = lstm.generate(2, 12, b=4, seed=6)
    f = lstm.objective(a, p, scan=fw_bench.scan(a) if scan == "framework" else None)
    args = [a.from_numpy(x, dtype="float64") for x in p.arguments()]
    got = [a.to_numpy(g) for g in a.grad(f, (0, 1))(*args)]
    assert harness.rho(got, lstm.reference_gradient(p)) <= RHO


# ------------------------------------------------------------------ the command and its records
def _bench(tmp_path, *argv):
    p = argparse.ArgumentParser()
    command.configure(p)
    args = p.parse_args(["--out", str(tmp_path), "--no-overhead-check", *argv])
    assert command.main(args) == 0
    rs = read([tmp_path])
    assert not rs.warnings and len(rs.runs) == 1
    return [vars(r) for r in rs.records]  # Records, as the dicts these tests index


@pytest.mark.skipif(not AD, reason="no AD framework installed")
def test_bench_writes_benchmark_records(tmp_path, capsys):
    recs = _bench(
        tmp_path, "--framework", AD[0], "--case", "rosenbrock", "--check", "grad", "--size", "10", "--mode", "eager"
    )
    by = {r["check"]: r for r in recs}
    assert set(by) == {"primal", "grad"}
    for r in recs:
        assert r["kind"] == "benchmark" and r["family"] == "benchmarks" and r["status"] == "pass"
        assert r["dtype"] == "float64" and r["replay"].startswith("conformance bench")
        d = r["data"]
        assert {
            "n",
            "params",
            "mode",
            "median_s",
            "iqr_s",
            "min_s",
            "rounds",
            "compile_s",
            "ratio",
            "bound",
            "over_bound",
            "exponent",
            "reference",
        } <= set(d)
        assert d["n"] == 10 and d["mode"] == "eager" and d["median_s"] > 0 and d["compile_s"] is None
    assert by["grad"]["data"]["ratio"] > 0 and by["grad"]["data"]["bound"] == 5.0
    out = capsys.readouterr().out
    assert "rosenbrock" in out and "Harness overhead" in out


@pytest.mark.skipif(not AD, reason="no AD framework installed")
def test_size_that_does_not_fit_is_a_skip_with_the_estimate(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "available_memory", lambda: 10_000)
    recs = _bench(
        tmp_path,
        "--framework",
        AD[0],
        "--case",
        "softmax",
        "--check",
        "jacobian_fwd",
        "--size",
        "100",
        "--mode",
        "eager",
    )
    jac = [r for r in recs if r["check"] == "jacobian_fwd"]
    assert jac and jac[0]["status"] == "skip" and "would not fit in memory" in jac[0]["message"]
    assert jac[0]["data"]["memory_estimate_bytes"] == operators.memory_estimate("jacobian_fwd", 100)


def test_missing_device_and_reference_framework_are_skipped(tmp_path):
    recs = _bench(tmp_path, "--framework", "numpy", "--case", "rosenbrock", "--size", "10")
    assert recs and all(r["status"] == "skip" for r in recs)
    assert "numerical reference" in recs[0]["message"]
    if AD:
        recs = _bench(
            tmp_path / "d", "--framework", AD[0], "--device", "cuda:7", "--case", "rosenbrock", "--size", "10"
        )
        assert recs[0]["status"] == "skip" and "no device" in recs[0]["message"]


def test_slow_calls_stop_at_the_floor_once_the_time_is_spent():
    s = harness.Settings(
        warmup=0, min_rounds=50, max_rounds=50, min_time_s=0.0, min_round_s=0.0, max_time_s=0.02, floor_rounds=3
    )
    t = harness.measure(lambda: time.sleep(0.01), (), lambda _: None, s)
    assert t.rounds == 3


# ------------------------------------------------------------------ gradbench mode
TINY = {"gmm": ({"d": 2, "k": 3, "n": 20},), "lstm": ({"l": 2, "c": 6, "b": 3},)}


@pytest.mark.parametrize("name", AD)
def test_gradbench_mode_times_both_workloads_in_gradbenchs_api(name, tmp_path, monkeypatch):
    quick = runner.BENCH_PROFILES["quick"]
    fast = harness.Settings(warmup=1, min_rounds=3, max_rounds=3, min_time_s=0.0)
    monkeypatch.setitem(runner.BENCH_PROFILES, "quick", dataclasses.replace(quick, workloads=TINY, settings=fast))
    recs = _bench(
        tmp_path, "--framework", name, "--mode", "gradbench", "--case", "gmm", "--case", "lstm", "--case", "rosenbrock"
    )
    assert {r["family"] for r in recs} == {"workloads"}  # operators have no gradbench mode
    assert {(r["case"], r["check"]) for r in recs} == {(w, c) for w in TINY for c in ("primal", "grad")}
    variant = fw_bench.gradbench_variant(adapters.get(name))
    for r in recs:
        d = r["data"]
        assert r["status"] == "pass", r["message"]
        assert d["mode"] == "gradbench" and r["api"] == variant and "GradBench" in d["how"]
        assert "--mode gradbench" in r["replay"] and f"--variant {variant}" in r["replay"]
        if r["check"] == "grad":
            assert np.isfinite(d["ratio"]) and d["ratio"] > 0 and d["rho"] <= RHO
            assert d["reference"] == reference.reference(r["case"], name)


def _workload_rec(fw, api, mode, case, ratio, fallback=None):
    ref = reference.reference(case, fw)
    base = {"mode": mode, "params": {"d": 2}, "median_s": 1e-3, "compile_s": None, "ratio": None}
    if fallback:
        base["compile_fallback"] = fallback
    rec = lambda check, data: {
        "family": "workloads",
        "framework": fw,
        "api": api,
        "device": "cpu",  # noqa: E731
        "case": case,
        "check": check,
        "status": "pass",
        "message": "",
        "data": data,
    }
    return [
        rec("primal", base),
        rec("grad", base | {"median_s": ratio * 1e-3, "ratio": ratio, "reference": ref, "rho": 1e-15}),
    ]


def test_workload_table_judges_the_target_on_gradbench_and_compiled_rows():
    from conformance.benchmarks import tables

    gb = reference.RATIOS["gmm"]["torch"]
    recs = (
        _workload_rec("torch", "func", "eager", "gmm", gb / 2)  # eager: never judged
        + _workload_rec("torch", "func", "compiled", "gmm", gb * 2)  # compiled: missed
        + _workload_rec("torch", "autograd", "gradbench", "gmm", gb / 2)  # gradbench: met
        + _workload_rec("torch", "func", "compiled", "lstm", 1.0, "why")  # compiled*: judged
        + _workload_rec("jax", "transforms", "gradbench", "lstm", 1.0)
    )  # no GradBench figure
    lines = tables.workload_table(recs)
    assert "gradbench row" in lines[1] and "compiled row" in lines[1]
    rows = {
        tuple(line.split()[:3]): line.split() for line in lines[3:] if line.startswith("  ") and "[" in line.split()[0]
    }
    assert rows[("torch[func]", "cpu", "eager")][9] == "-"
    assert rows[("torch[func]", "cpu", "compiled")][9] == "missed"
    assert rows[("torch[autograd]", "cpu", "gradbench")][9] == "met"
    assert rows[("torch[func]", "cpu", "compiled*")][9] == "met"
    assert rows[("jax[transforms]", "cpu", "gradbench")][8:10] == ["-", "-"]
    assert tables.target("gradbench", 3.0, None) == "-" and tables.target("eager", 1.0, 9.0) == "-"
