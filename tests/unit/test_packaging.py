"""The wheel exposes only ``conformance`` at the top level; adapters are discovered through entry points."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_has_only_conformance_at_top_level(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = tmp_path.glob("calculus_conformance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert top == {"conformance"}
    for module in (
        "conformance/adapters/__init__.py",
        "conformance/adapters/torch/adapter.py",
        "conformance/adapters/torch/integrals.py",
        "conformance/known_deviations/",
    ):
        assert any(n.startswith(module) for n in names), module
    meta = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "[conformance.adapters]" in text and "[pytest11]" in text and "[console_scripts]" in text


def test_adapters_are_registered_as_entry_points():
    eps = {ep.name for ep in importlib.metadata.entry_points(group="conformance.adapters")}
    assert {"numpy", "torch", "tensorflow", "jax"} <= eps


def test_core_imports_no_framework():
    code = (
        "import sys, conformance, conformance.engine, conformance.records, conformance.cli, "
        "conformance.registry, conformance.tolerance, conformance.adapters; "
        "print(sorted(m for m in ('torch','tensorflow','jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
