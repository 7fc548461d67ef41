"""pytest-benchmark suite: framework × operator × size × mode, small sizes by default.

    pytest tests/benchmarks --benchmark-only                     # n in {10, 100}
    CONFORMANCE_BENCH_SIZES=10,1000,100000 pytest tests/benchmarks --benchmark-only
    pytest tests/benchmarks --benchmark-json reports/results/pytest-bench.json

Every timed call ends with the adapter's ``synchronize``; in compiled mode the first (compiling) call
is made and timed before pytest-benchmark's rounds, and reported in ``extra_info["compile_s"]``.
"""

from __future__ import annotations

import os

import pytest

from conformance import adapters


def sizes() -> list[int]:
    return [int(s) for s in os.environ.get("CONFORMANCE_BENCH_SIZES", "10,100").split(",") if s]


def frameworks() -> list[str]:
    return [n for n in adapters.names() if not adapters.adapter_class(n).is_reference]


@pytest.fixture
def adapter_for():
    def get(name: str):
        a = adapters.get(name)
        ok = a.available()
        if not ok:
            pytest.skip(f"{name}: {ok}")
        return a

    return get
