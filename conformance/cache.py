"""Compilation caches across runs: one folder per framework version, per user, on by default.

Compiling is most of a staged framework's run (XLA's compiles are ~80 % of JAX's task time), and
the same programs are compiled again in every run. Each adapter that can keep its compiled programs
on disk switches its framework's cache on in ``Adapter.configure_cache(path)`` (JAX's persistent
compilation cache; torch inductor's FX graph cache for ``torch.compile``); this module only decides
where, and whether it is safe:

    <root>/<framework>-<framework version>+conformance-<project version>-py<X.Y>-<machine>/

``<root>`` is ``--cache-dir``, else $CONFORMANCE_CACHE_DIR, else the per-user cache folder
(``platformdirs.user_cache_dir("calculus-conformance")``, ~/.cache/calculus-conformance on Linux).
A different framework version, project version, Python or machine type never sees another's entries.
The same root holds the store of oracle values (``conformance.oracle_cache``, folder ``oracles-…``).
Each key folder holds ``conformance-cache.json`` (its key); a folder that cannot be created or
written, or whose key file is unreadable or names another key, is one warning line and an uncached
run — never a crash, never an entry of another version. A framework's own cache entry that is
corrupt is the framework's to reject (JAX warns and compiles again; the warning goes to the run's
log file).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP = "calculus-conformance"
ENV = "CONFORMANCE_CACHE_DIR"
KEY_FILE = "conformance-cache.json"
SCHEMA = 1
NO_CACHE = "the framework keeps no compilation cache"


def default_root() -> Path:
    """$CONFORMANCE_CACHE_DIR, else the per-user cache folder of this project (platformdirs)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # platformdirs is a dependency; a broken install still gets a folder
        return Path.home() / ".cache" / APP
    return Path(user_cache_dir(APP, appauthor=False))


def key(name: str, version: str) -> str:
    """The folder name of framework ``name`` at ``version`` under this project version and Python."""
    from conformance import __version__

    raw = (
        f"{name}-{version}+conformance-{__version__}-py{sys.version_info.major}.{sys.version_info.minor}"
        f"-{platform.machine() or 'unknown'}"
    )
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in raw)


@dataclass
class CacheState:
    """What a run's cache is for one framework (written into the run header as ``cache``)."""

    enabled: bool
    path: str | None = None
    files_before: int = 0  # entries present when the run began: 0 = a cold cache
    bytes_before: int = 0
    note: str = ""  # why it is off ("--no-cache", "not writable: ...", "corrupt: ...")

    def as_dict(self) -> dict[str, Any]:
        state = ("warm" if self.files_before else "cold") if self.enabled else "off"
        return {
            "state": state,
            "path": self.path,
            "files_before": self.files_before,
            "bytes_before": self.bytes_before,
            "note": self.note,
        }


def usage(path: Path) -> tuple[int, int]:
    """(files, bytes) under ``path``, the key file left out."""
    files = size = 0
    for p in path.rglob("*") if path.is_dir() else ():
        if p.is_file() and p.name != KEY_FILE:
            files += 1
            try:
                size += p.stat().st_size
            except OSError:
                pass
    return files, size


def open_folder(root: Path, name: str, version: str) -> tuple[Path | None, str]:
    """The key folder of (name, version) under ``root``, made and checked: (path, "") when usable,
    else (None, why) — not writable, or a key file that is unreadable or names another key."""
    folder = root / key(name, version)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return None, f"cache folder {folder} is not writable ({exc.strerror or exc})"
    kf = folder / KEY_FILE
    if kf.exists():
        try:
            meta = json.loads(kf.read_text(encoding="utf-8"))
            ok = isinstance(meta, dict) and meta.get("key") == folder.name
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            ok = False
        if not ok:
            return None, (
                f"cache folder {folder} is corrupt (its {KEY_FILE} is unreadable or names "
                f"another version); `conformance cache clear` removes it"
            )
    else:
        try:
            kf.write_text(
                json.dumps({"schema": SCHEMA, "key": folder.name, "framework": name, "framework_version": version})
                + "\n",
                encoding="utf-8",
            )
        except OSError as exc:
            return None, f"cache folder {folder} is not writable ({exc.strerror or exc})"
    return folder, ""


def configure(adapter_cls: type, root: Path | None, version: str | None = None) -> CacheState:
    """Switch framework ``adapter_cls``'s compilation cache on in its key folder under ``root``, or
    off when ``root`` is None or the folder is unusable (the state says why). Call before the
    framework compiles anything; ``version`` (default: the installed one) keys the folder."""
    if not adapter_cls.configure_cache(None):  # the framework keeps no cache: nothing to do
        return CacheState(False, note=NO_CACHE)
    if root is None:
        return CacheState(False, note="--no-cache")
    from conformance.adapters.base import _version

    folder, why = open_folder(Path(root), adapter_cls.name, version or _version(adapter_cls))
    if folder is None:
        return CacheState(False, note=why)
    adapter_cls.configure_cache(folder)
    files, size = usage(folder)
    return CacheState(True, str(folder), files, size)


# ------------------------------------------------------------------ conformance cache info|clear
def folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def info(root: Path) -> list[dict[str, Any]]:
    """One row per key folder under ``root``: its name, files and bytes."""
    rows = []
    for p in folders(root):
        files, size = usage(p)
        rows.append({"key": p.name, "files": files, "bytes": size, "path": str(p)})
    return rows


def clear(root: Path) -> tuple[int, int]:
    """Remove every key folder under ``root`` (and nothing else): (folders, bytes) removed."""
    n = size = 0
    for p in folders(root):
        if (p / KEY_FILE).exists() or p.name.count("+conformance-"):
            size += usage(p)[1]
            shutil.rmtree(p, ignore_errors=True)
            n += 1
    return n, size
