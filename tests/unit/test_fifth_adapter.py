"""Adding a framework, step by step, with a fifth one: ``tests/fifth_framework/toydual``, forward-mode
AD by dual numbers over numpy.

1. a package with ``adapter.py`` (an Adapter subclass and its API variants' Operators) — written once
   in tests/fifth_framework/toydual;
2. its entry point in the ``conformance.adapters`` group — here a temporary ``toydual-0.1.0.dist-info``
   on sys.path, as ``pip install`` of a package declaring it would leave behind;
3. nothing else: ``conformance list`` shows it, the derivative suite runs on it, the report gets its
   column, and the capabilities it lacks (integrals, ...) are skips that say which module is missing.

An entry point that cannot be loaded is a broken adapter: listed with its cause, skipped by runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance import adapters, cli, engine

TOY = Path(__file__).resolve().parents[1] / "fifth_framework"


def register(tmp_path: Path, entry_points: dict[str, str]) -> Path:
    """A distribution ``toydual`` 0.1.0 declaring ``entry_points`` (name -> 'module:Object') in the
    conformance.adapters group, as its installed metadata."""
    dist = tmp_path / "site" / "toydual-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toydual\nVersion: 0.1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (dist / "entry_points.txt").write_text(f"[conformance.adapters]\n{lines}")
    return dist.parent


@pytest.fixture
def installed(tmp_path):
    """Install toydual (its code and its metadata on sys.path) for one test, then remove it again."""

    def install(entry_points: dict[str, str]) -> None:
        paths = [str(register(tmp_path, entry_points)), str(TOY)]
        sys.path[:0] = paths
        added.extend(paths)
        adapters.refresh()

    added: list[str] = []
    yield install
    for p in added:
        sys.path.remove(p)
    for name in [m for m in sys.modules if m == "toydual" or m.startswith("toydual.")]:
        del sys.modules[name]
    adapters.refresh()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_fifth_framework_is_listed(installed, capsys):
    installed({"dual": "toydual:DualAdapter"})
    assert adapters.order()[-1] == "dual" and adapters.color("dual") == "#2a9d8f"
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert any(line.split()[:3] == ["dual", "0.1.0", "forward"] for line in out.splitlines()), out
    code, out, _ = run(capsys, "list", "--json")
    row = next(r for r in json.loads(out) if r["name"] == "dual")
    assert row["available"] and row["version"] == "0.1.0" and row["dtypes"] == ["float32", "float64"]


def test_the_derivative_suite_passes_on_it_and_the_report_has_its_column(installed, capsys, tmp_path):
    installed({"dual": "toydual:DualAdapter"})
    out_dir, report = tmp_path / "results", tmp_path / "index.html"
    code, _, err = run(
        capsys,
        "run",
        "--framework",
        "dual",
        "--suite",
        "derivatives",
        "--cases",
        "sin,exp",
        "--profile",
        "dev",
        "--seed",
        "0",
        "--jobs",
        "1",
        "--quiet",
        "--out",
        str(out_dir),
        "--report",
        str(report),
    )
    assert code == 0, err
    records = [json.loads(line) for f in out_dir.glob("*.jsonl") for line in f.read_text().splitlines()]
    records = [r for r in records if r.get("framework") == "dual"]
    statuses = {(r["case"], r["check"], r["dtype"]): r["status"] for r in records}
    assert {c for c, _, _ in statuses} == {"sin", "exp"}
    assert not [k for k, s in statuses.items() if s not in ("pass", "skip")], statuses
    passed = {check for (_, check, _), s in statuses.items() if s == "pass"}
    assert {"jvp", "vjp", "adjoint", "jacobian_modes", "third_derivative", "probe"} <= passed
    assert {r["framework_version"] for r in records} == {"0.1.0"}
    assert "dual[forward]" in report.read_text()  # its column, headed framework[variant]


def test_a_capability_the_framework_lacks_is_a_skip_with_the_reason(installed):
    installed({"dual": "toydual:DualAdapter"})
    dual = adapters.get("dual")
    assert not dual.provides("integrals")
    with pytest.raises(adapters.CapabilityMissingError, match="dual provides no integrals"):
        dual.capability("integrals")
    task = next(t for t in engine.collect(engine.RUN_PROFILES["dev"], ["integrals"]) if t.check == "trapezoid value")
    rec = engine.run_task(task, dual, "cpu", "float64", engine.RUN_PROFILES["dev"], seed=0)
    assert rec.status == "skip" and "dual provides no integral operations" in rec.message


def test_a_broken_adapter_is_listed_with_its_cause_and_skipped(installed, capsys, tmp_path):
    installed(
        {
            "dual": "toydual:DualAdapter",
            "ghost": "toydual_is_not_here.adapter:GhostAdapter",
            "hollow": "toydual:HollowAdapter",
        }
    )
    broken = adapters.broken()
    assert broken == {
        "ghost": "ModuleNotFoundError: No module named 'toydual_is_not_here'",
        "hollow": "AttributeError: module 'toydual' has no attribute 'HollowAdapter'",
    }
    assert adapters.order()[-2:] == ["ghost", "hollow"]
    assert [a.name for a in adapters.installed()][-1] == "dual"
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "ghost        broken         ModuleNotFoundError: No module named 'toydual_is_not_here'" in out
    assert "entry point: toydual:HollowAdapter" in out
    # the rest of the suite runs: the broken one is announced and left out
    code, _, err = run(
        capsys,
        "run",
        "--framework",
        "ghost,dual",
        "--suite",
        "derivatives",
        "--cases",
        "sin",
        "--checks",
        "jvp",
        "--profile",
        "dev",
        "--seed",
        "0",
        "--jobs",
        "1",
        "--quiet",
        "--verbose",
        "--no-report",
        "--out",
        str(tmp_path / "results"),
    )
    assert code == 0, err  # --verbose: stderr stays sys.stderr, which capsys reads (else the terminal's fd)
    assert "skipping ghost: its adapter toydual_is_not_here.adapter:GhostAdapter cannot be loaded" in err
