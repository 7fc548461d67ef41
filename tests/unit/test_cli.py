"""The command line: listing, one-line errors for bad input, shards, and the quiet terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args):
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True)


def test_list_shows_every_framework_with_variants_and_devices():
    out = cli("list")
    assert out.returncode == 0, out.stderr
    for name, variant in [
        ("numpy", "richardson"),
        ("torch", "autograd"),
        ("tensorflow", "forward_accumulator"),
        ("jax", "linearize"),
    ]:
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
    assert sorted(table) == sorted(line.split()[0] for line in seq.stdout.splitlines() if "[" in line.split()[0])


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
    costed = scheduler.costed_units(plan)  # measured seconds (conformance/unit_costs.json), else estimates
    assert [u for _, u in costed] == units
    sizes = [c for c, _ in costed]
    assert sizes == sorted(sizes, reverse=True) and units[0][0] == "jax" and min(sizes) >= 0  # all-skip units cost 0
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
    out = cli(
        "run",
        "-f",
        "numpy",
        "--cases",
        "sin,prod",
        "--checks",
        "gradient,jvp",
        "--no-report",
        "--registry",
        str(tmp_path / "reg"),
        "--out",
        str(tmp_path / "out"),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    stale = [line for line in out.stderr.splitlines() if line.startswith("warning: known deviation")]
    assert len(stale) == 1 and "(numpy prod gradient)" in stale[0], out.stderr[-2000:]


# ---------------------------------------------------------------- shards, caches, the quiet terminal
def _plan(*argv):
    import argparse

    from conformance import scheduler
    from conformance.commands import run

    parser = argparse.ArgumentParser()
    run.configure(parser)
    return scheduler.make_plan(parser.parse_args([*argv, "--no-cache"]))


def test_bad_shards_are_usage_errors():
    for bad, says in (("5/4", "between 1 and N"), ("0/3", "between 1 and N"), ("x", "is not K/N")):
        r = cli("run", "-f", "numpy", "--shard", bad)
        assert r.returncode == 2 and "argument --shard" in r.stderr and says in r.stderr, r.stderr
        assert "Traceback" not in r.stderr


def test_shards_split_the_plan_deterministically_disjointly_and_balanced_by_cost():
    from conformance import scheduler

    plan = _plan("-f", "numpy,torch", "--suite", "derivatives")
    everything = set(scheduler.units(plan))
    for n in (2, 3, 4):
        shards = scheduler.split(plan, n)
        assert shards == scheduler.split(_plan("-f", "numpy,torch", "--suite", "derivatives"), n)
        assert set().union(*map(set, shards)) == everything and sum(map(len, shards)) == len(everything)
        costs = scheduler.shard_costs(plan, n)
        assert max(costs) <= 1.05 * min(costs)
    second = _plan("-f", "numpy,torch", "--suite", "derivatives", "--shard", "2/3")
    assert {(n, t.family, t.case) for n, w in second.work.items() for t, *_ in w} == set(scheduler.split(plan, 3)[1])
    assert str(second.shard) == "2/3"


def test_a_shard_run_records_its_shard_and_the_report_names_the_missing_one(tmp_path):
    from conformance import scheduler
    from conformance.records import read
    from conformance.report import build

    r = cli(
        "run",
        "-f",
        "numpy",
        "--suite",
        "derivatives",
        "--cases",
        "exp,expm1,arcsin,arcsinh",
        "--checks",
        "vjp",
        "--shard",
        "1/2",
        "--no-report",
        "--out",
        str(tmp_path),
        "--no-cache",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    rs = read([tmp_path])
    (head,) = rs.runs.values()
    assert head["environment"]["shard"] == "1/2" and head["environment"]["cache"]["state"] == "off"  # numpy keeps none
    assert scheduler.missing_shards(rs.runs) == [
        "shard 2/2 of numpy "
        + head["environment"]["framework_version"]
        + " (profile ci, seed 0) is missing: its records are not in these results"
    ]
    warnings = []
    build([tmp_path], tmp_path / "index.html", warn=warnings.append)
    assert any("shard 2/2 of numpy" in w for w in warnings)


def test_the_terminal_is_quiet_and_the_frameworks_messages_go_to_a_named_log(tmp_path):
    pytest.importorskip("tensorflow")
    r = cli(
        "run",
        "-f",
        "tensorflow",
        "--suite",
        "derivatives",
        "--cases",
        "exp",
        "--checks",
        "vjp",
        "--dtype",
        "float64",
        "--no-report",
        "--out",
        str(tmp_path),
        "--no-cache",
        "--jobs",
        "1",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    for noise in ("absl::InitializeLog", "oneDNN", "cuda", "I0000"):
        assert noise not in r.stderr + r.stdout
    named = [ln.split(": ", 1)[1] for ln in r.stderr.splitlines() if ln.startswith("framework messages")]
    assert named and "oneDNN" in Path(named[0]).read_text()
    loud = cli(
        "run",
        "-f",
        "tensorflow",
        "--suite",
        "derivatives",
        "--cases",
        "exp",
        "--checks",
        "vjp",
        "--dtype",
        "float64",
        "--no-report",
        "--out",
        str(tmp_path / "v"),
        "--no-cache",
        "--verbose",
    )
    assert "oneDNN" in loud.stderr and "framework messages" not in loud.stderr
