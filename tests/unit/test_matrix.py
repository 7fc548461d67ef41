"""The version matrix (conformance/matrix.toml), its reader, the generated CI workflow, the session
status files the report compares against, and the noxfile sessions built from it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import matrix

ROOT = Path(matrix.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def m() -> matrix.VersionMatrix:
    return matrix.load(matrix.MATRIX_PATH)


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------- the data file
@pytest.mark.parametrize("fw", matrix.frameworks())
def test_each_framework_spans_the_two_years_before_the_check_plus_newest_and_default(m, fw):
    """>= 3 versions released in the two years before `checked`, reaching back more than a year of
    it (tensorflow released nothing between 2.18.1 in 2025-03 and 2.21.0 in 2026-03), plus the
    newest (the latest release date in the file) and one local default on the main Python."""
    checked = _date(m.checked)
    specs = [s for s in m.sessions if s.framework == fw]
    assert all(_date(s.released) <= checked for s in specs)
    window = [s for s in specs if (checked - _date(s.released)).days <= 2 * 365]
    newest = max(specs, key=lambda s: _date(s.released))
    assert len([s for s in window if s is not newest]) >= 3, f"{fw}: need 3 versions + the newest"
    assert (checked - min(_date(s.released) for s in window)).days >= 365, f"{fw}: no version a year old"
    defaults = [s for s in specs if s.default]
    assert len(defaults) == 1 and defaults[0].local and defaults[0].python == m.python


def test_every_version_pins_itself(m):
    for s in m.sessions:
        pins = [r for r in s.requirements if r.endswith(f"=={s.version}")]
        assert pins, f"{s.id}: no requirement pins =={s.version}: {s.requirements}"


def test_torch_runs_locally_only_as_the_cpu_wheel_and_in_ci_from_the_cpu_index(m):
    torch = [s for s in m.sessions if s.framework == "torch"]
    assert [s.version for s in torch if s.local] == ["2.13.0"]
    assert all(s.ci_index_url == "https://download.pytorch.org/whl/cpu" for s in torch)
    assert all(not s.ci_index_url for s in m.sessions if s.framework != "torch")
    assert all(s.local_note for s in torch if not s.local)


def test_tensorflow_uses_the_cpu_wheel_and_tf_keras_without_its_tensorflow_dependency(m):
    for s in (s for s in m.sessions if s.framework == "tensorflow"):
        assert s.requirements[0] == f"tensorflow-cpu=={s.version}"
        assert not any(r.startswith("tensorflow==") for r in s.requirements)
        minor = ".".join(s.version.split(".")[:2])
        assert [r for r in s.no_deps if r.startswith(f"tf-keras=={minor}.")], s.no_deps


def test_jax_uses_the_cpu_extra(m):
    for s in (s for s in m.sessions if s.framework == "jax"):
        assert f"jax[cpu]=={s.version}" in s.requirements


def test_expected_sessions_filters(m):
    every = matrix.expected_sessions()
    assert [s.session for s in every] == [s.session for s in m.sessions]
    assert {s.id for s in matrix.expected_sessions(defaults_only=True)} == {
        "torch-2.13.0",
        "tensorflow-2.21.0",
        "jax-0.10.2",
    }
    local = matrix.expected_sessions(local_only=True)
    assert "torch-2.13.0" in {s.id for s in local}
    assert not any(s.framework == "torch" and s.version != "2.13.0" for s in local)


def test_get_unknown_version_names_the_known_ones(m):
    with pytest.raises(matrix.MatrixError, match="jax-0.10.2"):
        m.get("jax", "9.9.9")


GOOD_FRAMEWORK = """
[{fw}]
default = "1.0.0"
[{fw}.versions."1.0.0"]
released = "2025-01-01"
requirements = ["{fw}==1.0.0"]
"""


def _toml(head: str = 'python = "3.11"\nchecked = "2026-01-01"\n', **override: str) -> str:
    parts = [head]
    for fw in matrix.frameworks():
        parts.append(override.get(fw, GOOD_FRAMEWORK.format(fw=fw)))
    return "\n".join(parts)


BAD = {
    "default not a version": (
        _toml(
            jax='[jax]\ndefault = "2.0"\n[jax.versions."1.0.0"]\n'
            'released = "2025-01-01"\nrequirements = ["jax==1.0.0"]\n'
        ),
        "default = '2.0' is not one of its versions",
    ),
    "requirement does not pin": (
        _toml(
            jax='[jax]\ndefault = "1.0.0"\n[jax.versions."1.0.0"]\nreleased = "2025-01-01"\nrequirements = ["jax"]\n'
        ),
        "do not pin 1.0.0",
    ),
    "no requirements": (
        _toml(jax='[jax]\ndefault = "1.0.0"\n[jax.versions."1.0.0"]\nreleased = "2025-01-01"\n'),
        "requirements must be a list",
    ),
    "bad date": (
        _toml(
            jax='[jax]\ndefault = "1.0.0"\n[jax.versions."1.0.0"]\n'
            'released = "last year"\nrequirements = ["jax==1.0.0"]\n'
        ),
        "is not a date",
    ),
    "unknown key": (
        _toml(
            jax='[jax]\ndefault = "1.0.0"\n[jax.versions."1.0.0"]\nreleased = '
            '"2025-01-01"\nrequirements = ["jax==1.0.0"]\nlocla = false\n'
        ),
        "unknown key",
    ),
    "local false without a note": (
        _toml(
            jax='[jax]\ndefault = "1.0.0"\n[jax.versions."1.0.0"]\n'
            'released = "2025-01-01"\nrequirements = ["jax==1.0.0"]\n'
            "local = false\n"
        ),
        "no local_note",
    ),
    "missing framework": (_toml(jax=""), "no [jax] table"),
    "unknown framework": (_toml() + '\n[mxnet]\ndefault = "1.0"\n', "unknown table"),
    "bad python": (_toml(head='python = "eleven"\nchecked = "2026-01-01"\n'), "not a version like"),
    "no checked date": (_toml(head='python = "3.11"\n'), "needs checked"),
    "invalid toml": ('python = "3.11\n', "not valid TOML"),
}


@pytest.mark.parametrize("text,message", BAD.values(), ids=list(BAD))
def test_a_malformed_matrix_gives_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "matrix.toml"
    path.write_text(text)
    with pytest.raises(matrix.MatrixError) as info:
        matrix.load(path)
    msg = str(info.value)
    assert message in msg and str(path) in msg and "\n" not in msg


def test_a_small_valid_matrix_loads_and_env_var_selects_it(tmp_path, monkeypatch):
    path = tmp_path / "matrix.toml"
    path.write_text(_toml())
    monkeypatch.setenv(matrix.MATRIX_ENV, str(path))
    assert [s.id for s in matrix.expected_sessions()] == ["torch-1.0.0", "tensorflow-1.0.0", "jax-1.0.0"]


def test_missing_matrix_file_is_a_clear_error(tmp_path):
    with pytest.raises(matrix.MatrixError, match="cannot read the version matrix"):
        matrix.load(tmp_path / "nope.toml")


# ---------------------------------------------------------------- session status files
def test_session_summary_says_which_sessions_left_no_records(m, tmp_path):
    jax_new, jax_old = m.get("jax", "0.10.2"), m.get("jax", "0.6.2")
    torch_old = m.get("torch", "2.6.0")
    (tmp_path / "jax-0.10.2-20261126T000000-abcdef.jsonl").write_text("{}\n")
    matrix.write_status(tmp_path, jax_new, "running", started=matrix.now())
    matrix.write_status(
        tmp_path,
        jax_new,
        "passed",
        finished=matrix.now(),
        install_s=1.0,
        run_s=2.0,
        exit_code=0,
        results=["jax-0.10.2-20261126T000000-abcdef.jsonl"],
    )
    matrix.write_status(
        tmp_path, jax_old, "install-failed", message="pip: ERROR: No matching distribution found for jax==0.6.2"
    )
    rows = {r["session"]: r for r in matrix.session_summary(tmp_path, [jax_new, jax_old, torch_old])}

    ok = rows["conformance(jax-0.10.2)"]
    assert ok["status"] == "passed" and not ok["missing"] and ok["results"]
    stored = json.loads(matrix.status_path(tmp_path, jax_new).read_text())
    assert stored["started"] and stored["finished"] and stored["schema"] == matrix.STATUS_SCHEMA

    bad = rows["conformance(jax-0.6.2)"]
    assert bad["status"] == "install-failed" and bad["missing"]
    assert "No matching distribution" in bad["message"]

    never = rows["conformance(torch-2.6.0)"]
    assert never["status"] == "not run" and never["missing"] and never["message"].startswith("CI only")


def test_a_status_whose_results_file_is_gone_counts_as_missing(m, tmp_path):
    spec = m.get("tensorflow", "2.21.0")
    matrix.write_status(tmp_path, spec, "passed", results=["gone.jsonl"])
    (row,) = matrix.session_summary(tmp_path, [spec])
    assert row["missing"] and row["status"] == "passed"


def test_status_files_are_found_in_per_job_artifact_folders(m, tmp_path):
    spec = m.get("jax", "0.8.2")
    matrix.write_status(tmp_path / "results-jax-0.8.2-py3.11", spec, "failed", exit_code=1)
    assert matrix.read_statuses(tmp_path)["jax-0.8.2"]["exit_code"] == 1


def test_write_status_rejects_an_unknown_status(m, tmp_path):
    with pytest.raises(ValueError, match="not one of"):
        matrix.write_status(tmp_path, m.sessions[0], "ok")


# ---------------------------------------------------------------- the generated workflow
def test_checked_in_workflow_is_the_generated_one():
    assert matrix.WORKFLOW_PATH.read_text(encoding="utf-8") == matrix.workflow(matrix.MATRIX_PATH), (
        "regenerate it: python -m conformance.matrix workflow --write"
    )


def test_workflow_has_one_job_row_per_session(m):
    text = matrix.workflow(matrix.MATRIX_PATH)
    for s in m.sessions:
        assert f"            session: {s.session}\n" in text
        assert f'            python: "{s.python}"\n' in text
    assert text.count('index_url: "https://download.pytorch.org/whl/cpu"') == 2 * sum(  # run + accuracy jobs
        s.framework == "torch" for s in m.sessions
    )
    assert "actions/upload-artifact@v4" in text and "merge-multiple: true" in text


def test_workflow_lints_with_the_dev_extras_ruff_and_ci_run_lints_before_pytest():
    text = matrix.workflow(matrix.MATRIX_PATH)
    lint = text[text.index("  lint:\n") : text.index("  conformance:\n")]
    assert f'pip install "{matrix.dev_requirement("ruff")}"' in lint and "run: ruff check .\n" in lint
    assert "run: ruff format --check .\n" in lint
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # the README's test command, ruff first
    assert (
        "bash .ci/setup.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/python -m pytest\n"
        in ci
    )


def test_cli_prints_the_workflow_and_reports_a_bad_matrix(tmp_path, capsys):
    assert matrix.main(["--matrix", str(matrix.MATRIX_PATH), "workflow"]) == 0
    assert capsys.readouterr().out == matrix.workflow(matrix.MATRIX_PATH)
    bad = tmp_path / "m.toml"
    bad.write_text('python = "3.11"\n')
    assert matrix.main(["--matrix", str(bad), "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("conformance.matrix: error:") and err.count("\n") == 1


# ---------------------------------------------------------------- the noxfile
def _nox_sessions(*args: str) -> list[dict]:
    nox = shutil.which("nox") or str(Path(sys.executable).with_name("nox"))
    if not Path(nox).exists():
        pytest.skip("nox is not installed (pip install -e .[dev])")
    out = subprocess.run(
        [nox, "--list", "--json", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout)


def test_noxfile_has_a_session_per_matrix_entry_and_defaults_then_report(m):
    listed = {d["session"]: d for d in _nox_sessions("-s", "conformance", "tests", "bench", "report", "lint")}
    for s in m.sessions:
        assert listed[s.session]["python"] == s.python
        assert listed[s.session]["call_spec"] == {"framework": s.framework, "version": s.version}
    assert {"tests", "bench", "report", "lint"} <= set(listed)
    default = [d["session"] for d in _nox_sessions()]
    assert default == [s.session for s in m.defaults()] + ["report"]


# ---------------------------------------------------------------- shards
def test_the_workflow_runs_each_session_as_its_frameworks_shards_with_a_cache_per_shard(m):
    text = matrix.workflow(matrix.MATRIX_PATH)
    for s in m.sessions:
        assert text.count(f"            session: {s.session}\n") == s.shards
        for k in range(1, s.shards + 1):
            assert f'            shard: "{k}/{s.shards}"\n            shard_id: {k}of{s.shards}\n' in text
    assert max(s.shards for s in m.sessions) > 1
    assert "actions/cache@v4" in text and "CONFORMANCE_SHARD: ${{ matrix.shard }}" in text
    assert "CONFORMANCE_SEED: ${{ github.run_number }}" in text  # consecutive CI runs rotate
    assert "${{ matrix.version }}-py${{ matrix.python }}-${{ matrix.shard_id }}" in text  # cache and artifact per shard


def test_the_workflow_runs_each_versions_share_of_the_accuracy_tables_as_one_more_job(m):
    text = matrix.workflow(matrix.MATRIX_PATH)
    for s in m.sessions:
        row = (
            f"            session: {s.accuracy_session}\n"
            f'            index_url: "{s.ci_index_url}"\n'
            '            shard: "accuracy"\n'
        )
        assert text.count(row) == 1
    assert text.count("shard_id: accuracy\n") == len(m.sessions)
    listed = {d["session"]: d for d in _nox_sessions("-s", "accuracy")}
    for s in m.sessions:
        assert listed[s.accuracy_session]["call_spec"] == {"framework": s.framework, "version": s.version}


def test_a_bad_shards_value_is_a_clear_error(tmp_path):
    path = tmp_path / "matrix.toml"
    path.write_text(
        _toml(jax=GOOD_FRAMEWORK.format(fw="jax").replace('default = "1.0.0"', 'default = "1.0.0"\nshards = 0'))
    )
    with pytest.raises(matrix.MatrixError, match="shards = 0 must be a whole number"):
        matrix.load(path)


def test_session_summary_names_a_missing_shard(m, tmp_path):
    spec = m.get("jax", "0.10.2")
    (tmp_path / "jax-0.10.2-shard1of3-x.jsonl").write_text("{}\n")
    (tmp_path / "jax-0.10.2-shard3of3-y.jsonl").write_text("{}\n")
    matrix.write_status(tmp_path, spec, "passed", "1/3", results=["jax-0.10.2-shard1of3-x.jsonl"])
    matrix.write_status(tmp_path, spec, "failed", "3/3", exit_code=1, results=["jax-0.10.2-shard3of3-y.jsonl"])
    assert matrix.status_path(tmp_path, spec, "1/3").name == "jax-0.10.2.shard1of3.json"
    (row,) = matrix.session_summary(tmp_path, [spec])
    assert row["status"] == "failed" and row["message"].startswith("shard 2/3 missing")
    assert len(row["results"]) == 2 and not row["missing"]
