"""The command line: listing, and one-line errors for bad input."""

from __future__ import annotations

import subprocess
import sys


def cli(*args):
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True)


def test_list_shows_every_framework_with_variants_and_devices():
    out = cli("list")
    assert out.returncode == 0, out.stderr
    for name, variant in [("numpy", "richardson"), ("torch", "autograd"), ("tensorflow", "forward_accumulator"),
                          ("jax", "linearize")]:
        line = next(line for line in out.stdout.splitlines() if line.startswith(name))
        assert variant in line and "cpu" in line


def test_unknown_framework_is_one_line_listing_known_ones():
    out = cli("run", "--framework", "mxnet", "--no-report")
    assert out.returncode == 2
    err = [line for line in out.stderr.splitlines() if line.startswith("conformance: error")]
    assert len(err) == 1 and "mxnet" in err[0] and "torch" in err[0] and "jax" in err[0]


def test_unknown_device_lists_devices():
    out = cli("run", "--framework", "numpy", "--device", "cuda:3", "--no-report", "--cases", "*")
    assert out.returncode == 2
    assert "devices found: cpu" in out.stderr


def records_of(directory):
    import json

    out: dict = {}
    for path in sorted(directory.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        for r in rows[1:]:
            out.setdefault(r["framework"], []).append((r["api"], r["dtype"], r["case"], r["check"], r["status"]))
    return {k: sorted(v) for k, v in out.items()}


def test_frameworks_run_side_by_side_in_processes_with_the_same_records(tmp_path):
    """--jobs 2: one process per framework, each writing its own file; the records (and the summary)
    are those of a run in one process."""
    common = ("run", "-f", "numpy,torch", "--cases", "sin,prod", "--checks", "gradient,probe", "--no-report")
    par = cli(*common, "--jobs", "2", "--out", str(tmp_path / "par"))
    seq = cli(*common, "--jobs", "1", "--out", str(tmp_path / "seq"))
    assert par.returncode == 0 and seq.returncode == 0, par.stderr[-2000:] + seq.stderr[-2000:]
    assert "2 processes" in par.stderr and "processes" not in seq.stderr
    a, b = records_of(tmp_path / "par"), records_of(tmp_path / "seq")
    assert set(a) == {"numpy", "torch"} and a == b and all(a.values())
    table = [line.split()[0] for line in par.stdout.splitlines() if "[" in line.split()[0]]
    assert sorted(table) == sorted(line.split()[0] for line in seq.stdout.splitlines()
                                   if "[" in line.split()[0])


def test_parallel_work_is_handed_out_in_whole_cases_costliest_first():
    import argparse

    from conformance import scheduler
    from conformance.commands import run

    parser = argparse.ArgumentParser()
    run.configure(parser)
    plan = scheduler.make_plan(parser.parse_args(["-f", "numpy,torch,tensorflow,jax", "--suite", "derivatives,edges"]))
    units = scheduler.units(plan)
    assert len(units) == len(set(units))  # a case is one unit: its programs and oracle values are shared
    for name, work in plan.work.items():
        assert {(t.family, t.case) for t, *_ in work} == {(f, c) for n, f, c in units if n == name}
    cost = {a.name: a.relative_cost for a in plan.adapters}
    sizes = [cost[n] * sum(t.cost for t, *_ in scheduler.by_case(plan.work[n])[(f, c)]) for n, f, c in units]
    assert sizes == sorted(sizes, reverse=True) and units[0][0] == "jax"
    load = [0.0, 0.0]  # two workers taking the next unit as they finish: they end within the last unit
    for size in sizes:
        load[load.index(min(load))] += size
    assert max(load) - min(load) <= sizes[0] and max(load) <= 1.01 * sum(sizes) / 2


STALE_REGISTRY = """
[[deviation]]
framework = "numpy"
case = "prod"
check = "gradient"
reason = "test: the run below covers this entry's whole scope, and nothing fails there"

[[deviation]]
framework = "numpy"
case = "s*"
check = "jvp"
reason = "test: the run below covers one case of this entry's scope"
"""


def test_stale_warning_only_for_entries_whose_whole_scope_ran(tmp_path):
    """A registry entry that matched nothing is called stale only when the run planned every task
    it could claim: a run narrowed to two cases says nothing of an entry for every case 's*'."""
    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "test.toml").write_text(STALE_REGISTRY)
    out = cli("run", "-f", "numpy", "--cases", "sin,prod", "--checks", "gradient,jvp", "--no-report",
              "--registry", str(tmp_path / "reg"), "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr[-2000:]
    stale = [line for line in out.stderr.splitlines() if line.startswith("warning: known deviation")]
    assert len(stale) == 1 and "(numpy prod gradient)" in stale[0], out.stderr[-2000:]
