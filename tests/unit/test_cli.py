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


def test_costly_frameworks_are_split_into_parts_of_whole_cases():
    from conformance import adapters
    from conformance.commands.run import shard, units

    chosen = [adapters.get(n) for n in ("numpy", "torch", "tensorflow", "jax")]
    parts = {}
    for a, (_, n) in units(chosen, 2):
        parts[a.name] = n
    assert parts == {"numpy": 1, "torch": 1, "tensorflow": 2, "jax": 4}
    assert [a.name for a, _ in units(chosen, 2)][:2] == ["jax", "jax"]  # the costliest start first
    load = [0.0, 0.0]  # the units as the processes take them: the two end within 10 % of each other
    for a, (_, n) in units(chosen, 2):
        load[load.index(min(load))] += a.relative_cost / n
    assert max(load) <= 1.1 * min(load)
    assert all(n == 1 for _, (_, n) in units(chosen, 1))
    work = [(type("T", (), {"family": "f", "case": f"c{i % 7}"})(), None, "cpu", "float64") for i in range(70)]
    a, b = shard(work, 0, 2), shard(work, 1, 2)
    assert len(a) + len(b) == 70 and a and b
    assert not {w[0].case for w in a} & {w[0].case for w in b}  # a case is never split
