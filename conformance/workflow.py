"""The generated GitHub Actions workflow (.github/workflows/conformance.yml): one job per session of
the version matrix and shard, one per version for its share of the accuracy tables, a lint job, and
the merged report. ``python -m conformance.matrix
workflow --write`` writes it; tests/unit/test_matrix.py checks the file equals this text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from conformance.matrix import ROOT, MatrixError, load

WORKFLOW_HEAD = """\
# Generated from conformance/matrix.toml by `python -m conformance.matrix workflow --write`.
# Do not edit by hand: tests/unit/test_matrix.py fails when this file differs from the generated text.
name: conformance

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:
  schedule:
    - cron: "17 4 * * 1"

permissions:
  contents: read

concurrency:
  group: conformance-${{ github.ref }}
  cancel-in-progress: true

jobs:
  lint:
    name: ruff check and format
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install ruff
        run: python -m pip install "{ruff}"
      - name: ruff check
        run: ruff check .
      - name: ruff format --check
        run: ruff format --check .

  conformance:
    name: ${{ matrix.framework }} ${{ matrix.version }} shard ${{ matrix.shard }} (Python ${{ matrix.python }})
    runs-on: ubuntu-latest
    timeout-minutes: 60
    strategy:
      fail-fast: false
      matrix:
        include:
"""

WORKFLOW_ROW = """\
          - framework: {framework}
            version: "{version}"
            python: "{python}"
            session: {session}
            index_url: "{index_url}"
            shard: "{shard}"
            shard_id: {shard_id}
"""

WORKFLOW_TAIL = """\
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
          cache: pip
          cache-dependency-path: pyproject.toml
      - name: Install nox
        run: python -m pip install "nox>=2024.3"
      - name: Restore the caches (compiled programs, oracle values) of this framework version and shard
        uses: actions/cache@v4
        with:
          path: ~/.cache/calculus-conformance
          key: conformance-cache-${{ matrix.framework }}-${{ matrix.version }}-py${{ matrix.python }}-${{ matrix.shard_id }}-${{ hashFiles('pyproject.toml') }}-${{ github.run_id }}
          restore-keys: |
            conformance-cache-${{ matrix.framework }}-${{ matrix.version }}-py${{ matrix.python }}-${{ matrix.shard_id }}-${{ hashFiles('pyproject.toml') }}-
      - name: Run ${{ matrix.session }} shard ${{ matrix.shard }}
        env:
          CONFORMANCE_PIP_INDEX_URL: ${{ matrix.index_url }}
          CONFORMANCE_SHARD: ${{ matrix.shard }}
          CONFORMANCE_SEED: ${{ github.run_number }}
          CONFORMANCE_CACHE_DIR: ~/.cache/calculus-conformance
          SESSION: ${{ matrix.session }}
        run: nox --non-interactive --error-on-missing-interpreters -s "$SESSION"
      - name: Upload result files
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: results-${{ matrix.framework }}-${{ matrix.version }}-py${{ matrix.python }}-${{ matrix.shard_id }}
          path: reports/results/
          if-no-files-found: warn
          retention-days: 30

  report:
    name: merged report
    needs: conformance
    if: ${{ always() }}
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
          cache: pip
          cache-dependency-path: pyproject.toml
      - name: Install nox
        run: python -m pip install "nox>=2024.3"
      - name: Download every job's result files
        uses: actions/download-artifact@v4
        with:
          pattern: results-*
          path: reports/results
          merge-multiple: true
      - name: Merge them into one report
        run: nox --non-interactive -s report
      - name: Upload the HTML report
        uses: actions/upload-artifact@v4
        with:
          name: conformance-report
          path: reports/index.html
          if-no-files-found: error
          retention-days: 90
"""


def text(path: str | Path | None = None) -> str:
    """The text of .github/workflows/conformance.yml for the matrix (every session, CI runs all, as
    its framework's ``shards`` jobs), with a lint job running ruff as the dev extra requires it."""
    m = load(path)
    jobs = [(s, s.session, f"{k}/{s.shards}", f"{k}of{s.shards}") for s in m.sessions for k in range(1, s.shards + 1)]
    # one more job per version: its share of the accuracy tables (rotating with the run number)
    jobs += [(s, s.accuracy_session, "accuracy", "accuracy") for s in m.sessions]
    rows = "".join(
        WORKFLOW_ROW.format(
            framework=s.framework,
            version=s.version,
            python=s.python,
            session=session,
            index_url=s.ci_index_url,
            shard=shard,
            shard_id=shard_id,
        )
        for s, session, shard, shard_id in jobs
    )
    head = WORKFLOW_HEAD.replace("{python}", m.python).replace("{ruff}", dev_requirement("ruff"))
    return head + rows + WORKFLOW_TAIL.replace("{python}", m.python)


def dev_requirement(name: str) -> str:
    """The requirement on ``name`` in pyproject.toml's dev extra (e.g. ``ruff>=0.4``)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for req in pyproject["project"]["optional-dependencies"]["dev"]:
        if re.match(rf"{re.escape(name)}\b(?!-)", req):
            return req
    raise MatrixError(f"{ROOT / 'pyproject.toml'}: the dev extra has no {name} requirement")
