"""The Laplacian benchmark (issue 22): every Laplacian method of ``conformance.advanced.pinn_operators`` (and
each framework's own, e.g. JAX's Taylor mode) on a small MLP, per framework and dimension d, as time and
peak-memory ratios to the nested reverse-mode baseline (``rev_over_rev``: tr jacobian(grad f, "rev")),
the way the folx and STDE papers tabulate forward-Laplacian and Taylor-mode speed-ups.

    python -m conformance.benchmarks.workloads.laplacian [--frameworks torch,tensorflow,jax]
                                                        [--dims 10,100,1000] [--out FILE]

The function is the ``mlp-tanh`` field of ``pinn_fields`` (d-16-16-1, tanh), at one point, float64, CPU.
Each framework runs in a process of its own, its operators as the conformance run calls them (JAX staged
by jax.jit, torch and TensorFlow eager). Per (framework, d, method):

    time     the median of up to REPEATS calls (at least one, at most ~BUDGET_S seconds), after one
             warm-up call that compiles (JAX) and builds caches; the value is checked against the exact
             forward Laplacian before it is timed (a wrong method is reported, not timed)
    memory   the peak resident set size during the timed calls minus the resident size just before
             them: Linux's VmHWM, reset by writing 5 to /proc/self/clear_refs, read from
             /proc/self/status. It sees every allocator (framework buffers included), unlike
             tracemalloc. Each worker runs with glibc's mmap threshold fixed at 64 KiB
             (MALLOC_MMAP_THRESHOLD_, which also turns off its dynamic growth) and a 128 KiB trim
             threshold, so every large buffer is mapped on allocation and returned on free: the
             resident size follows the live buffers instead of a heap that keeps freed memory (with
             the default dynamic threshold an 8 MB Hessian freed after the warm-up is reused from the
             heap and reads as 0). Allocators of their own (a framework's arena) can still hide reuse

Ratios are to ``rev_over_rev`` in the same framework and d.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

FIELD = "mlp-tanh"
DIMS = (10, 100, 1000)
FRAMEWORKS = ("torch", "tensorflow", "jax")
BASELINE = "rev_over_rev"
REPEATS = 5
BUDGET_S = 5.0
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "131072"}


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def measure(framework: str, dims: tuple[int, ...]) -> list[dict]:
    """Rows of one framework: (d, method, seconds, peak MiB, value error) per method and d."""
    from conformance import adapters
    from conformance.advanced import pinn_operators as ops
    from conformance.advanced.pinn_fields import make

    ad = adapters.get(framework).staging(True)
    methods = list(ops.LAPLACIANS) + ops.adapter_laplacians(type(ad))
    rows = []
    for d in dims:
        field = make(FIELD, d)
        x_np = field.point(0)
        exact, scale = field.laplacian(x_np)
        f, x = field.function(ad.xp), ad.from_numpy(x_np, dtype="float64")
        for m in methods:
            row: dict[str, Any] = {"framework": framework, "version": ad.version, "d": d, "method": m.name}
            try:
                value = ops.scalar(ad, m.run(ad, f, x))  # warm-up: compile, caches
            except Exception as exc:  # noqa: BLE001 - a method a framework cannot run is a row, not a crash
                row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                rows.append(row)
                continue
            row["rel_error"] = abs(value - exact) / scale
            times = []
            before = _status_kib("VmRSS")
            row["memory_tool"] = "VmHWM" if _reset_peak() else "none"
            start = time.perf_counter()
            while len(times) < REPEATS and (not times or time.perf_counter() - start < BUDGET_S):
                t0 = time.perf_counter()
                out = m.run(ad, f, x)
                ad.synchronize(out)
                ops.scalar(ad, out)
                times.append(time.perf_counter() - t0)
            row["seconds"] = statistics.median(times)
            row["calls"] = len(times)
            row["peak_mib"] = max(0, _status_kib("VmHWM") - before) / 1024 if row["memory_tool"] == "VmHWM" else None
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def with_ratios(rows: list[dict]) -> list[dict]:
    """Each row with time and memory ratios to the baseline method of its framework and d."""
    base = {(r["framework"], r["d"]): r for r in rows if r["method"] == BASELINE and "seconds" in r}
    for r in rows:
        b = base.get((r["framework"], r["d"]))
        if b is None or "seconds" not in r:
            continue
        r["time_ratio"] = r["seconds"] / b["seconds"]
        if r.get("peak_mib") is not None and b.get("peak_mib"):
            r["memory_ratio"] = r["peak_mib"] / b["peak_mib"]
    return rows


def table(rows: list[dict]) -> str:
    head = f"{'framework':<11}{'d':>5}  {'method':<14}{'time (s)':>11}{'× base':>8}{'peak MiB':>10}{'× base':>8}  error/scale"
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['framework']:<11}{r['d']:>5}  {r['method']:<14}  not run: {r['error']}")
            continue
        mem = "" if r.get("peak_mib") is None else f"{r['peak_mib']:10.1f}"
        lines.append(
            f"{r['framework']:<11}{r['d']:>5}  {r['method']:<14}{r['seconds']:11.3g}"
            f"{r.get('time_ratio', float('nan')):8.2f}{mem:>10}"
            f"{r.get('memory_ratio', float('nan')):8.2f}  {r['rel_error']:.1e}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m conformance.benchmarks.workloads.laplacian", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--dims", default=",".join(map(str, DIMS)))
    p.add_argument("--out", help="write the rows as JSON here")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    dims = tuple(int(d) for d in args.dims.split(","))
    if args.worker:
        print(json.dumps(measure(args.worker, dims)))
        return 0
    rows: list[dict] = []
    for fw in args.frameworks.split(","):
        proc = subprocess.run(
            [sys.executable, "-m", "conformance.benchmarks.workloads.laplacian", "--worker", fw, "--dims", args.dims],
            capture_output=True,
            text=True,
            env={**os.environ, **MALLOC_ENV},
        )
        if proc.returncode != 0:
            print(f"{fw}: worker failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows += json.loads(proc.stdout.strip().splitlines()[-1])
    rows = with_ratios(rows)
    print(table(rows))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"rows": rows, "field": FIELD, "baseline": BASELINE, "numpy": np.__version__}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
