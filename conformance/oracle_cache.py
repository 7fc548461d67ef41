"""Oracle values kept across runs: the catalog's high-precision references, computed once per source.

A reference derivative of a catalog case (``conformance.derivatives.checks.oracle``: mpmath at 40+
digits, complex step, Richardson) is a pure function of

    (the case's code, the oracle's code, mpmath, numpy; the case, the kind, the input x, the extra
     arguments: direction, cotangent, preferred method)

and costs 10–300 ms, the same in every framework's process and in every run. Within a run the
frameworks' worker processes share it (the first computes it, the others read it); across runs a
warm run reads every one. The store is one SQLite file (concurrent readers and writers across the
worker processes; WAL journal) in a key folder of the run's cache root (``conformance.cache``):

    <root>/oracles-src<hash of every .py file of conformance and its adapters>-mpmath<v>-numpy<v>
          +conformance-<version>-py<X.Y>-<machine>/oracles.sqlite

so any change of the code, of mpmath or of numpy starts an empty store (the last ``KEEP`` stores
are kept, older ones removed). The accuracy tables' exact values (namespaces ``accuracy-*``: mpmath
at raised precision over a fixed grid, 10 ms to 30 s a point, hours per full table set) depend on
far less — the op table, the mpmath formulas and the rule that resolves them — and go to a second
store, ``exact-src<hash of EXACT_SOURCES>-...``, which a change to a check, the engine or the report
keeps: CI restores it from the previous run, so a rotation of the tables fills it once.
An entry is ``sha256(key)`` → ``pickle(value)``; the value is the
very object the oracle returned, so a cached run's records are identical to an uncached run's.

Only ``conformance run`` switches the store on (``configure``): a user's function given to
``conformance.check`` is not part of the fingerprinted code, so its references are never stored
(cases of family ``"user"`` are refused even when the store is on). A store that cannot be opened
or is corrupt is one warning line and an uncached run; an entry that cannot be read is computed
again and overwritten. Nothing is stored for a computation that raises.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

T = TypeVar("T")
NAME = "oracles"
EXACT = "exact"  # the accuracy tables' exact values
FILE = "oracles.sqlite"
# what the exact values are computed by (paths in the conformance package): the op table with its
# mpmath formulas and oracles, the mpmath namespace and oracles, and the resolving rule
EXACT_SOURCES = (
    "ops",
    "mp_namespace.py",
    "oracles.py",
    "finite_differences.py",
    "accuracy_exact.py",
    "adapters/numpy",
)
KEEP = 4  # oracle stores (source versions) kept under one cache root
NOT_STORED = ("user",)  # case families whose functions are not part of the fingerprinted code


class Unkeyable(Exception):
    """An argument without a stable byte encoding: the value is computed, not stored."""


def source_files(sources: tuple[str, ...] | None = None) -> list[tuple[str, Path]]:
    """(name, path) of every .py file of the conformance package and its adapters, or of only
    ``sources`` (files and folders of the conformance package), sorted."""
    import conformance
    from conformance import adapters

    package = Path(conformance.__file__).parent
    if sources is None:
        bases = (package, Path(adapters.__file__).parent)
        return [(str(p.relative_to(b)), p) for b in bases for p in sorted(b.rglob("*.py"))]
    found = (p for s in sources for p in ([package / s] if s.endswith(".py") else (package / s).rglob("*.py")))
    return sorted((str(p.relative_to(package)), p) for p in found)


@lru_cache(maxsize=None)
def fingerprint(sources: tuple[str, ...] | None = None) -> str:
    """sha256 over the name and bytes of each of ``source_files(sources)``."""
    h = hashlib.sha256()
    for name, p in source_files(sources):
        h.update(name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def version(scope: str = NAME) -> str:
    """What keys a store's folder besides the project version: the source hash (the whole package,
    or EXACT_SOURCES for the exact values), mpmath, numpy."""
    import mpmath

    src = fingerprint(EXACT_SOURCES if scope == EXACT else None)
    return f"src{src[:16]}-mpmath{mpmath.__version__}-numpy{np.__version__}"


def scope(namespace: str) -> str:
    """The store a namespace's values go to: EXACT for the accuracy tables' exact values, else NAME."""
    return EXACT if namespace.startswith("accuracy-") else NAME


def encode(obj: Any) -> bytes:
    """A stable byte encoding of an oracle call's arguments (arrays by dtype, shape and bytes)."""
    if isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
        a = np.asarray(obj)
        if a.dtype == object:
            raise Unkeyable("object array")
        return b"A" + a.dtype.str.encode() + repr(a.shape).encode() + b":" + a.tobytes()
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        return type(obj).__name__.encode() + b":" + repr(obj).encode()
    if isinstance(obj, (tuple, list)):
        return b"(" + b",".join(encode(o) for o in obj) + b")"
    raise Unkeyable(type(obj).__name__)


class Store:
    """One SQLite file of (sha256 key → pickled value); counts its hits and misses."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.hits = self.misses = 0
        self._db: sqlite3.Connection | None = None
        self.broken = ""

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # a cache: a lost write is recomputed next time
            db.execute("CREATE TABLE IF NOT EXISTS oracle (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
            self._db = db
        return self._db

    def check(self) -> str:
        """ "" when the store can be read and written, else why not (one line)."""
        try:
            db = self._conn()
            db.execute("SELECT count(*) FROM oracle").fetchone()
            db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.Error as exc:
            return f"oracle cache {self.path} is unusable ({exc}); `conformance cache clear` removes it"
        return ""

    def get(self, key: bytes) -> tuple[bool, Any]:
        try:
            row = self._conn().execute("SELECT v FROM oracle WHERE k = ?", (key,)).fetchone()
            if row is not None:
                value = pickle.loads(row[0])
                self.hits += 1
                return True, value
        except Exception:  # an unreadable entry (or a store broken since): computed again
            pass
        self.misses += 1
        return False, None

    def put(self, key: bytes, value: Any) -> None:
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._conn().execute("INSERT OR REPLACE INTO oracle (k, v) VALUES (?, ?)", (key, blob))
        except Exception:  # a value that cannot be pickled, a full disk: this value is not kept
            pass


_STORES: dict[str, Store] = {}


def configure(root: Path | None) -> dict[str, Any]:
    """Switch the stores on under cache root ``root`` (off when None); the catalog store's state for
    the run header (``{"state": "warm"|"cold"|"off", "path", "files_before", "bytes_before", "note"}``)
    with ``exact``: the exact-value store's."""
    _STORES.clear()
    states = {name: _open(root, name) for name in (NAME, EXACT)}
    return {**states[NAME], EXACT: states[EXACT]}


def _open(root: Path | None, scope: str) -> dict[str, Any]:
    from conformance import cache

    if root is None:
        return cache.CacheState(False, note="--no-cache").as_dict()
    folder, why = cache.open_folder(Path(root), scope, version(scope))
    if folder is None:
        return cache.CacheState(False, note=why).as_dict()
    store = Store(folder / FILE)
    existed = store.path.exists() and store.path.stat().st_size > 0
    why = store.check()
    if why:
        return cache.CacheState(False, note=why).as_dict()
    os.utime(folder)
    _prune(Path(root), scope, keep=folder)
    _STORES[scope] = store
    entries = store._conn().execute("SELECT count(*) FROM oracle").fetchone()[0] if existed else 0
    return cache.CacheState(True, str(folder), entries, cache.usage(folder)[1]).as_dict()


def _prune(root: Path, scope: str, keep: Path) -> None:
    """Remove all but the KEEP most recently used stores of ``scope`` under ``root`` (never ``keep``)."""
    stores = sorted(
        (p for p in root.glob(f"{scope}-*") if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in stores[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def active(scope: str = NAME) -> Store | None:
    return _STORES.get(scope)


def reset() -> None:
    """Switch every store off (tests)."""
    _STORES.clear()


def identity(case: Any) -> tuple:
    """What names a case in a key: its family and name (unique in the catalog), its class, and where
    its function is defined (module, qualified name, first line), so that two cases that share a name
    but not a function never share an entry."""
    fn = getattr(case, "fn", None)
    code = getattr(fn, "__code__", None)
    where = (getattr(fn, "__module__", None), getattr(fn, "__qualname__", None), code.co_firstlineno if code else -1)
    return (getattr(case, "family", None), getattr(case, "name", None), type(case).__qualname__, where)


def cached(namespace: str, case: Any, args: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, read from the store when it holds (namespace, case, args), else computed and
    written. Computed, never stored, when the store is off, the case is not the catalog's or an
    argument has no stable encoding."""
    store = _STORES.get(scope(namespace))
    family = getattr(case, "family", None)
    if store is None or family in NOT_STORED:
        return compute()
    try:
        key = hashlib.sha256(encode((namespace, identity(case), args))).digest()
    except Unkeyable:
        return compute()
    found, value = store.get(key)
    if found:
        return value
    value = compute()
    store.put(key, value)
    return value
