"""nox sessions: the conformance suite per framework version, the tests, the benchmarks, the report.

    nox                                  every framework's default version, then the report
    nox -l                               list the sessions
    nox -s "conformance(jax-0.6.2)"      one version (see conformance/matrix.toml for all of them)
    nox -s "accuracy(jax-0.10.2)"        that version's share of the accuracy tables (ci profile, rotating)
    nox -s tests | bench | report | lint
    nox -R ...                           reuse the environments and skip every install step
    CONFORMANCE_RESULTS=DIR CONFORMANCE_REPORT=FILE nox ...   records and report elsewhere

Each ``conformance(<framework>-<version>)`` session is a fresh virtual environment holding that one
framework version and the project (no other framework); it runs
``conformance run --framework <fw> --profile ci --out reports/results/`` and writes its status file
``reports/results/sessions/<framework>-<version>.json`` (format: conformance/matrix.py), so the
report can say which sessions left no records. A version whose install fails fails its session
with pip's output; nox goes on with the other sessions. CONFORMANCE_SHARD=K/N (set by the CI
workflow, one job per shard of the matrix's ``shards``) runs shard K of N (``conformance run --shard
K/N``) and writes ``sessions/<framework>-<version>.shardKofN.json``; the run keeps its compilation
cache in CONFORMANCE_CACHE_DIR or the per-user cache folder (``conformance cache info``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # nox's own interpreter reads the matrix from the checkout

from conformance import matrix  # stdlib only: nox's interpreter needs no project install

# Where records and status files go and where the report is written; the environment variables let
# a demonstration or a second checkout keep its runs apart from reports/results/.
RESULTS = os.environ.get("CONFORMANCE_RESULTS", "reports/results")
REPORT = os.environ.get("CONFORMANCE_REPORT", "reports/index.html")
MATRIX = matrix.load()

nox.options.sessions = [s.session for s in MATRIX.defaults()] + ["report"]
nox.options.default_venv_backend = "virtualenv"


class InstallFailed(Exception):
    """pip failed; the message holds pip's ERROR lines."""


def _pip(session: nox.Session, *args: str) -> None:
    """``session.install(*args)`` with pip's output kept in the environment's pip.log; when pip
    fails its whole output is printed and InstallFailed carries its ERROR lines."""
    log = Path(session.virtualenv.location) / "pip.log"
    try:
        with log.open("w", encoding="utf-8") as fh:
            session.install(*args, silent=False, stdout=fh, stderr=subprocess.STDOUT)
    except nox.command.CommandFailed:
        text = log.read_text(encoding="utf-8", errors="replace")
        sys.stderr.write(text)
        errors = [ln.strip() for ln in text.splitlines() if ln.startswith("ERROR")]
        last = text.strip().splitlines()[-1:] or ["no output"]
        raise InstallFailed(
            " | ".join(e if len(e) <= 240 else e[:237] + "..." for e in (errors[-2:] or last))
        ) from None


def _install_framework(session: nox.Session, spec: matrix.SessionSpec) -> None:
    """pip-install the project (no framework extra) and the spec's requirements. In CI the
    workflow sets CONFORMANCE_PIP_INDEX_URL (torch's CPU index) for the framework's own install."""
    index_url = os.environ.get(matrix.INDEX_URL_ENV, "").strip()
    if index_url:
        _pip(session, "--index-url", index_url, *spec.requirements)
        _pip(session, "-e", ".")
    else:
        _pip(session, "-e", ".", *spec.requirements)
    if spec.no_deps:
        _pip(session, "--no-deps", *spec.no_deps)


def _jsonl(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*.jsonl")} if directory.is_dir() else set()


@nox.session
@nox.parametrize(
    "python,framework,version",
    [nox.param(s.python, s.framework, s.version, id=s.id) for s in MATRIX.sessions],
)
def conformance(session: nox.Session, framework: str, version: str) -> None:
    """The ci profile of the suite against one framework version from conformance/matrix.toml."""
    spec = MATRIX.get(framework, version)
    results = ROOT / RESULTS
    shard = os.environ.get(matrix.SHARD_ENV, "").strip() or None
    if not spec.local and not os.environ.get(matrix.INDEX_URL_ENV):
        matrix.write_status(
            results,
            spec,
            "skipped",
            shard,
            message=f"CI only: {spec.local_note}",
            started=matrix.now(),
            finished=matrix.now(),
        )
        session.skip(f"{spec.session} runs in CI only: {spec.local_note}")
    status_file = matrix.status_path(results, spec, shard)
    previous = status_file.read_text(encoding="utf-8") if status_file.exists() else None
    matrix.write_status(
        results,
        spec,
        "running",
        shard,
        started=matrix.now(),
        finished=None,
        install_s=None,
        run_s=None,
        exit_code=None,
        results=[],
    )
    t0 = time.perf_counter()
    try:
        _install_framework(session, spec)
    except InstallFailed as exc:
        matrix.write_status(
            results,
            spec,
            "install-failed",
            shard,
            finished=matrix.now(),
            install_s=round(time.perf_counter() - t0, 1),
            message=f"pip: {exc}",
        )
        session.error(f"{spec.session}: pip could not install {' '.join(spec.requirements)}: {exc}")
    install_s = round(time.perf_counter() - t0, 1)
    if not (Path(session.bin) / "conformance").exists():  # -R reused an environment never installed
        matrix.write_status(
            results,
            spec,
            "install-failed",
            shard,
            finished=matrix.now(),
            install_s=install_s,
            message="the reused environment lacks the project; run with -r, not -R",
        )
        session.error(
            f"{spec.session}: {session.bin} has no `conformance`: an earlier install was "
            "interrupted; rerun with -r (reuse and install) instead of -R"
        )
    before = _jsonl(results)
    t1 = time.perf_counter()
    exit_code = 0
    try:
        ran = session.run(
            *_ci_command(session, "run", framework, "--no-report", *(["--shard", shard] if shard else []))
        )
    except nox.command.CommandFailed as exc:
        ran, exit_code = True, exc.return_code if exc.return_code is not None else 1
    if ran is None:  # --install-only: nothing ran, so the last real run's status stands
        if previous is None:
            status_file.unlink()
        else:
            status_file.write_text(previous, encoding="utf-8")
        session.log(f"{spec.session}: installed in {install_s} s")
        return
    run_s = round(time.perf_counter() - t1, 1)
    # this run's files: `<framework>-<framework version>-<run id>.jsonl` (torch's version may carry
    # a local label, 2.13.0+cpu -> 2.13.0_cpu); other sessions may write into the same folder
    mine = re.compile(rf"{re.escape(framework)}-{re.escape(version)}(?![0-9.])")
    written = sorted(f for f in _jsonl(results) - before if mine.match(f))
    status = "passed" if exit_code == 0 else "failed"
    matrix.write_status(
        results,
        spec,
        status,
        shard,
        finished=matrix.now(),
        install_s=install_s,
        run_s=run_s,
        exit_code=exit_code,
        results=written,
        message=_exit_message(exit_code),
    )
    session.log(f"{spec.session}: install {install_s} s, run {run_s} s, {len(written)} results file(s)")
    if exit_code:
        session.error(f"{spec.session}: {_exit_message(exit_code)}")


@nox.session
@nox.parametrize(
    "python,framework,version",
    [nox.param(s.python, s.framework, s.version, id=s.id) for s in MATRIX.sessions],
)
def accuracy(session: nox.Session, framework: str, version: str) -> None:
    """The ci share of the accuracy tables against one framework version: ``conformance accuracy
    --profile ci --seed CONFORMANCE_SEED`` measures the (row, dtype) tables of that seed's share
    (8 consecutive seeds measure all); its records go with the other sessions' into the report."""
    spec = MATRIX.get(framework, version)
    if not spec.local and not os.environ.get(matrix.INDEX_URL_ENV):
        session.skip(f"{spec.accuracy_session} runs in CI only: {spec.local_note}")
    try:
        _install_framework(session, spec)
    except InstallFailed as exc:
        session.error(f"{spec.accuracy_session}: pip could not install {' '.join(spec.requirements)}: {exc}")
    session.run(*_ci_command(session, "accuracy", framework))


def _ci_command(session: nox.Session, command: str, framework: str, *extra: str) -> list[str]:
    """``conformance <command>`` of one framework under the ci profile into RESULTS, seeded by
    CONFORMANCE_SEED (the CI run number: consecutive runs rotate), then the session's own arguments."""
    seed = os.environ.get(matrix.SEED_ENV, "").strip()
    return [
        "conformance",
        command,
        "--framework",
        framework,
        "--profile",
        "ci",
        "--out",
        f"{RESULTS}/",
        *extra,
        *(["--seed", seed] if seed else []),
        *session.posargs,
    ]


def _exit_message(code: int) -> str:
    """What `conformance run`'s exit status means (0, 1 and 2 are documented in its --help)."""
    if code == 0:
        return ""
    if code == 1:
        return "conformance run exited 1: unregistered failures or errors"
    if code < 0:
        return f"conformance run was killed by signal {-code}; its records so far are kept"
    return f"conformance run exited {code}"


def _install_defaults(session: nox.Session, *extras: str) -> None:
    """The project (with ``extras``) and the default version of every framework in the matrix."""
    reqs = [r for s in MATRIX.defaults() for r in s.requirements]
    session.install("-e", f".[{','.join(extras)}]" if extras else ".", *reqs)
    no_deps = [r for s in MATRIX.defaults() for r in s.no_deps]
    if no_deps:
        session.install("--no-deps", *no_deps)


@nox.session(python=MATRIX.python)
def tests(session: nox.Session) -> None:
    """The unit tests and the suite under pytest, with the default version of every framework."""
    _install_defaults(session, "dev")
    session.run("pytest", "-q", *(session.posargs or ["tests/unit", "tests/conformance"]))


@nox.session(python=MATRIX.python)
def bench(session: nox.Session) -> None:
    """Benchmarks (quick profile) of the default version of every framework."""
    _install_defaults(session)
    session.run("conformance", "bench", "--profile", "quick", *session.posargs)


@nox.session(python=MATRIX.python)
def report(session: nox.Session) -> None:
    """Merge every results file under reports/results/ into reports/index.html, after listing which
    sessions of the matrix left records there."""
    session.install("-e", ".")
    session.run("python", "-m", "conformance.matrix", "status", RESULTS)
    session.run("conformance", "report", RESULTS, "-o", REPORT, *session.posargs)


@nox.session(python=MATRIX.python)
def lint(session: nox.Session) -> None:
    """ruff over the whole repository: lint, and the formatter's check."""
    session.install("ruff>=0.4")
    session.run("ruff", "check", *(session.posargs or ["."]))
    session.run("ruff", "format", "--check", *(session.posargs or ["."]))
