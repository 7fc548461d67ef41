"""Operator timings under pytest-benchmark (see conftest for sizes and how to run)."""

from __future__ import annotations

import time

import pytest
from conformance.adapters import benchmarks as fw_bench

from conformance.benchmarks import operators
from conformance.benchmarks.workloads import gmm, lstm

from .conftest import frameworks, sizes

CASES = [(fname, op) for fname, fn in operators.FUNCTIONS.items() for op in operators.operators_for(fn)]


def _prepare(adapter, fn, mode, benchmark):
    """The timed callable (synchronized), compiled and first-called outside the rounds."""
    if mode == "compiled":
        fw_bench.reset_compiler(adapter)
        fn = adapter.compile(fn)

    def call(*args):
        out = fn(*args)
        adapter.synchronize(out)
        return out

    return call


def _run(benchmark, adapter, fn, args, mode):
    call = _prepare(adapter, fn, mode, benchmark)
    t0 = time.perf_counter()
    call(*args)
    benchmark.extra_info["first_call_s"] = time.perf_counter() - t0
    benchmark.extra_info["mode"] = mode
    benchmark.extra_info["framework"] = adapter.label
    return benchmark(call, *args)


@pytest.mark.parametrize("mode", ["eager", "compiled"])
@pytest.mark.parametrize("n", sizes())
@pytest.mark.parametrize("case,op", CASES, ids=[f"{c}-{o}" for c, o in CASES])
@pytest.mark.parametrize("framework", frameworks())
def test_operator(benchmark, adapter_for, framework, case, op, n, mode):
    adapter = adapter_for(framework)
    fn = operators.FUNCTIONS[case]
    benchmark.group = f"{case}-{op}-n{n}"
    args = operators.inputs(adapter, fn, op, n, "cpu", 0)
    out = _run(benchmark, adapter, operators.build(adapter, fn.build(adapter.xp), op), args, mode)
    assert out is not None


@pytest.mark.parametrize("mode", ["eager", "compiled"])
@pytest.mark.parametrize("workload", ["gmm", "lstm"])
@pytest.mark.parametrize("framework", frameworks())
def test_workload_gradient(benchmark, adapter_for, framework, workload, mode):
    """Small instances (GMM d=2, k=5, n=100; D-LSTM l=2, c=16) of the workloads' gradients."""
    adapter = adapter_for(framework)
    if workload == "gmm":
        p = gmm.generate(2, 5, 100)
        f = gmm.objective(adapter, p)
    else:
        p = lstm.generate(2, 16)
        f = lstm.objective(adapter, p, scan=fw_bench.scan(adapter))
    benchmark.group = f"{workload}-grad-{mode}"
    args = tuple(adapter.from_numpy(a, dtype="float64") for a in p.arguments())
    g = adapter.grad(f, tuple(range(len(args))))
    out = _run(benchmark, adapter, g, args, mode)
    assert len(out) == len(args)
