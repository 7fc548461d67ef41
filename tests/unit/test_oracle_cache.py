"""The store of oracle values kept across runs (conformance/oracle_cache.py): keyed by the source,
the case and the exact arguments; off unless a run switches it on; never stores a user's function;
a corrupt store or entry is survived; the value read back is the value computed."""

from __future__ import annotations

import dataclasses
import os
import sqlite3

import numpy as np
import pytest

from conformance import oracle_cache as oc
from conformance import oracles
from conformance.derivatives import checks
from conformance.derivatives.cases import CATALOG


@pytest.fixture(autouse=True)
def _off_afterwards():
    yield
    oc.reset()
    checks._ORACLES.clear()


@dataclasses.dataclass
class C:
    name: str
    family: str
    fn: object


def _f(x):
    return x


def _g(x):
    return 2 * x


def test_encode_tells_dtype_shape_and_bytes_apart_and_refuses_what_has_no_stable_form():
    a = np.arange(4.0)
    assert oc.encode(a) == oc.encode(a.copy())
    assert len({oc.encode(a), oc.encode(a.astype(np.float32)), oc.encode(a.reshape(2, 2)), oc.encode(a + 1)}) == 4
    assert oc.encode((1, 1.0, "1", None)) != oc.encode((1.0, 1, "1", None))
    with pytest.raises(oc.Unkeyable):
        oc.encode(object())
    with pytest.raises(oc.Unkeyable):
        oc.encode(np.array([1, "a"], dtype=object))


def test_off_by_default_and_on_reads_back_instead_of_computing(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return oracles.Reference(np.array([1.0, 2.0]), "mpmath", 1e-30, "note")

    case = C("c", "fam", _f)
    oc.cached("k", case, (np.ones(2),), compute)
    oc.cached("k", case, (np.ones(2),), compute)
    assert len(calls) == 2  # no store: computed each time
    state = oc.configure(tmp_path)
    assert state["state"] == "cold" and oc.active() is not None
    first = oc.cached("k", case, (np.ones(2),), compute)
    again = oc.cached("k", case, (np.ones(2),), compute)
    assert len(calls) == 3 and again == dataclasses.replace(first, value=again.value)
    assert np.array_equal(again.value, first.value) and again.note == "note"
    oc.cached("k", case, (np.ones(2) * 2,), compute)  # another input: computed
    oc.cached("k", C("c", "fam", _g), (np.ones(2),), compute)  # same name, another function: computed
    assert len(calls) == 5
    assert oc.configure(tmp_path)["state"] == "warm"  # a second run finds the entries


def test_a_users_function_and_an_unkeyable_argument_are_never_stored(tmp_path):
    oc.configure(tmp_path)
    calls = []
    for _ in range(2):
        oc.cached("k", C("mine", "user", _f), (1.0,), lambda: calls.append(1) or 1.0)
        oc.cached("k", C("c", "fam", _f), (object(),), lambda: calls.append(1) or 1.0)
    assert len(calls) == 4


def test_a_corrupt_store_is_an_uncached_run_and_a_bad_entry_is_recomputed(tmp_path):
    state = oc.configure(tmp_path)
    path = oc.active().path
    oc.cached("k", C("c", "fam", _f), (1.0,), lambda: 41.0)
    oc.active()._conn().execute("UPDATE oracle SET v = ?", (b"\x00garbage",))
    assert oc.cached("k", C("c", "fam", _f), (1.0,), lambda: 42.0) == 42.0  # unreadable entry: computed
    assert oc.cached("k", C("c", "fam", _f), (1.0,), lambda: 43.0) == 42.0  # ... and overwritten
    oc.reset()
    path.write_bytes(b"this is not a database" * 100)
    for wal in path.parent.glob(oc.FILE + "-*"):
        wal.unlink()
    state = oc.configure(tmp_path)
    assert state["state"] == "off" and "unusable" in state["note"] and oc.active() is None
    assert state["note"].count("\n") == 0 and "conformance cache clear" in state["note"]


def test_old_stores_are_pruned_to_the_newest_few(tmp_path):
    for i in range(oc.KEEP + 3):
        d = tmp_path / f"{oc.NAME}-old{i}+conformance-x"
        d.mkdir()
        os.utime(d, (1000 + i, 1000 + i))
    (tmp_path / "jax-0.1+conformance-x").mkdir()  # another cache's folder: untouched
    oc.configure(tmp_path)
    kept = sorted(p.name for p in tmp_path.glob(f"{oc.NAME}-*"))
    assert len(kept) == oc.KEEP and (tmp_path / "jax-0.1+conformance-x").is_dir()
    assert f"{oc.NAME}-old{oc.KEEP + 2}+conformance-x" in kept and f"{oc.NAME}-old0+conformance-x" not in kept


def test_the_catalogs_oracle_goes_through_the_store_and_returns_the_same_reference(tmp_path):
    case = next(c for c in CATALOG if c.name == "arctan")
    x = np.array([0.3, -1.2])
    fresh = oracles.reference_jacobian(case, x)
    oc.configure(tmp_path)
    checks._ORACLES.clear()
    stored = checks.oracle("jacobian", case, x)
    checks._ORACLES.clear()
    read = checks.oracle("jacobian", case, x)
    assert oc.active().hits == 1 and oc.active().misses == 1
    for ref in (stored, read):
        assert ref.method == fresh.method and np.array_equal(ref.value, fresh.value)
        assert ref.error_estimate == fresh.error_estimate
    n = sqlite3.connect(oc.active().path).execute("SELECT count(*) FROM oracle").fetchone()[0]
    assert n == 1


def test_exact_values_go_to_a_store_keyed_by_the_op_table_and_the_resolving_rule_only(tmp_path):
    """The accuracy tables' exact values (hours of mpmath) survive a change to a check, the engine or
    the report: their store is keyed by EXACT_SOURCES, not by the whole package."""
    names = {name for name, _ in oc.source_files(oc.EXACT_SOURCES)}
    assert {"ops/special.py", "accuracy_exact.py", "mp_namespace.py", "oracles.py"} <= names
    assert not names & {"engine.py", "derivatives/checks.py", "report/__init__.py", "scheduler.py", "accuracy.py"}
    assert all(p.is_file() for _, p in oc.source_files(oc.EXACT_SOURCES))
    assert oc.version(oc.EXACT) != oc.version(oc.NAME)
    state = oc.configure(tmp_path)
    assert state["state"] == "cold" and state[oc.EXACT]["state"] == "cold"
    assert oc.active(oc.EXACT).path.parent.name.startswith(f"{oc.EXACT}-src")
    oc.cached("accuracy-unary", C("c", "fam", _f), (1.0,), lambda: 1.0)
    oc.cached("reference_jacobian", C("c", "fam", _f), (1.0,), lambda: 1.0)
    assert oc.active(oc.EXACT).misses == 1 and oc.active(oc.NAME).misses == 1
    assert oc.configure(tmp_path)[oc.EXACT]["state"] == "warm"


def test_a_corrupt_exact_value_store_is_one_warning_and_the_tables_compute_afresh(tmp_path, capsys):
    import argparse

    from conformance import cache, scheduler

    oc.configure(tmp_path)
    (oc.active(oc.EXACT).path.parent / cache.KEY_FILE).write_text("{garbage")
    oc.reset()
    args = argparse.Namespace(framework=["numpy"], cache_dir=str(tmp_path), no_cache=False)
    states = scheduler.configure_caches(args)
    assert states[oc.NAME]["state"] in ("cold", "warm")
    assert states[oc.NAME][oc.EXACT]["state"] == "off" and oc.active(oc.EXACT) is None
    out = capsys.readouterr()
    warnings = [ln for ln in (out.out + out.err).splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and "corrupt" in warnings[0] and "exact values are computed afresh" in warnings[0]
