"""The compilation caches kept across runs (conformance/cache.py, `conformance cache`, `run --cache-dir
/ --no-cache`): keyed per framework and project version, safe when the folder is unwritable or
corrupt, and a cached run's records are those of an uncached one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import conformance
from conformance import cache


class Fake:
    """An adapter class that keeps a compilation cache (what configure_cache is called with)."""

    name, calls = "fake", []

    @classmethod
    def configure_cache(cls, path):
        cls.calls.append(path)
        return True


class NoCache:
    name = "nocache"

    @classmethod
    def configure_cache(cls, path):
        return False


def test_the_key_changes_with_the_framework_and_the_project_version(monkeypatch):
    a = cache.key("jax", "0.10.2")
    assert a != cache.key("jax", "0.8.2") and "jax-0.10.2" in a and "py3." in a
    monkeypatch.setattr(conformance, "__version__", "9.9.9")
    assert cache.key("jax", "0.10.2") != a


def test_the_root_is_the_per_user_folder_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    assert cache.APP in str(cache.default_root())
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    assert cache.default_root() == tmp_path


def test_configure_switches_the_cache_on_in_its_key_folder_and_reports_cold_then_warm(tmp_path):
    Fake.calls = []
    state = cache.configure(Fake, tmp_path, "1.0")
    folder = tmp_path / cache.key("fake", "1.0")
    assert state.enabled and Fake.calls == [None, folder] and state.as_dict()["state"] == "cold"
    (folder / "entry").write_bytes(b"x" * 10)
    assert cache.configure(Fake, tmp_path, "1.0").as_dict() | {"path": None} == {
        "state": "warm",
        "path": None,
        "files_before": 1,
        "bytes_before": 10,
        "note": "",
    }
    off = cache.configure(Fake, None, "1.0")
    assert not off.enabled and off.note == "--no-cache" and Fake.calls[-1] is None
    assert cache.configure(NoCache, tmp_path, "1.0").note == cache.NO_CACHE


def test_an_unwritable_or_corrupt_folder_is_a_reason_not_a_crash(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    state = cache.configure(Fake, blocked, "1.0")
    assert not state.enabled and "not writable" in state.note
    folder = tmp_path / "root" / cache.key("fake", "1.0")
    folder.mkdir(parents=True)
    (folder / cache.KEY_FILE).write_text("{garbage")
    state = cache.configure(Fake, tmp_path / "root", "1.0")
    assert not state.enabled and "corrupt" in state.note and "cache clear" in state.note
    (folder / cache.KEY_FILE).write_text(json.dumps({"key": "another"}))
    assert "corrupt" in cache.configure(Fake, tmp_path / "root", "1.0").note


def test_cache_info_and_clear_commands(tmp_path):
    cache.configure(Fake, tmp_path, "1.0")
    (tmp_path / cache.key("fake", "1.0") / "entry").write_bytes(b"x" * 2000)
    (tmp_path / "unrelated").mkdir()
    run = [sys.executable, "-m", "conformance", "cache"]
    info = subprocess.run(run + ["info", "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert info.returncode == 0 and cache.key("fake", "1.0") in info.stdout and "2.0 kB" in info.stdout
    cleared = subprocess.run(run + ["clear", "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert cleared.returncode == 0 and "removed 1 cache folder " in cleared.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["unrelated"]  # only cache folders are removed


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(cache.ENV, None)
    cmd = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "-f",
        "jax",
        "--suite",
        "derivatives",
        "--cases",
        "arctan",
        "--checks",
        "vjp,jvp",
        "--jobs",
        "1",
        "--no-report",
        "--out",
        str(out),
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def _records(folder: Path) -> list[str]:
    out = []
    for path in folder.glob("*.jsonl"):
        for line in path.read_text().splitlines()[1:]:
            r = json.loads(line)
            r.pop("duration_s"), r.pop("run_id")
            out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


@pytest.mark.slow
def test_cached_and_uncached_runs_give_identical_records_and_a_corrupt_cache_is_survived(tmp_path):
    pytest.importorskip("jax")
    root = tmp_path / "cache"
    runs = {
        "uncached": _run(tmp_path / "u", "--no-cache"),
        "cold": _run(tmp_path / "c", "--cache-dir", str(root)),
        "warm": _run(tmp_path / "w", "--cache-dir", str(root)),
    }
    assert all(r.returncode == 0 for r in runs.values()), [r.stderr[-1500:] for r in runs.values()]
    assert "cache jax off (--no-cache)" in runs["uncached"].stderr and "cache jax cold" in runs["cold"].stderr
    assert "cache jax warm" in runs["warm"].stderr
    # the oracle store (conformance/oracle_cache.py) is keyed and switched with the same options
    assert "oracles off (--no-cache)" in runs["uncached"].stderr and "oracles cold" in runs["cold"].stderr
    assert "oracles warm" in runs["warm"].stderr
    base = _records(tmp_path / "u")
    assert base and _records(tmp_path / "c") == base and _records(tmp_path / "w") == base
    head = json.loads(next((tmp_path / "w").glob("*.jsonl")).read_text().splitlines()[0])["environment"]
    assert head["cache"]["state"] == "warm" and head["cache"]["files_before"] > 0 and head["shard"] == "1/1"
    folder = root / head["cache"]["path"].rsplit("/", 1)[1]
    for entry in folder.iterdir():  # every entry of JAX's cache overwritten with garbage
        if entry.is_file() and entry.name != cache.KEY_FILE:
            entry.write_bytes(b"\x00garbage")
    damaged = _run(tmp_path / "d", "--cache-dir", str(root))
    assert damaged.returncode == 0 and _records(tmp_path / "d") == base, damaged.stderr[-1500:]
    (folder / cache.KEY_FILE).write_text("{garbage")  # the folder itself unreadable: one warning, uncached
    corrupt = _run(tmp_path / "k", "--cache-dir", str(root))
    warnings = [ln for ln in corrupt.stderr.splitlines() if ln.startswith("warning:")]
    assert (
        corrupt.returncode == 0
        and len(warnings) == 1
        and "corrupt" in warnings[0]
        and "Traceback" not in corrupt.stderr
    )
    assert _records(tmp_path / "k") == base
