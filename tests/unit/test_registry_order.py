"""The packaged registry's verdict on a record does not depend on the order its files load in.

``registry.load`` reads the files alphabetically and orders the entries most specific first
(``registry.specificity``); the first matching entry claims a record. Two equally specific entries of two
files that both match a record would have it decided by the files' names. So for every
record the non-finite-input tasks plan (``value@…``/``derivative@…`` of every case, framework, API variant
and dtype), the first match must be the same entry when the files load in reverse order.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from pathlib import Path

from conformance import adapters, registry
from conformance.edges import infinities

DISTRIBUTIONS = {"torch": ("torch",), "tensorflow": ("tensorflow", "tensorflow-cpu"), "jax": ("jax",)}


def _version(framework: str) -> str:
    """The installed version of the framework's package ("" where none is: version-bound entries then
    match nothing, which is the same in either order)."""
    for dist in DISTRIBUTIONS.get(framework, (framework,)):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return ""


def _records() -> list[dict]:
    """Every (framework, API variant, dtype, case, check) the non-finite tasks plan, as a record (no
    framework is imported: the adapters' classes name their variants)."""
    frameworks = {}
    for name in adapters.names():
        cls = adapters.adapter_class(name)
        if not issubclass(cls, adapters.BrokenAdapter):
            frameworks[name] = (_version(name), tuple(cls.variants))
    return [
        {
            "framework": framework,
            "framework_version": version,
            "api": api,
            "dtype": dtype,
            "family": task.family,
            "case": task.case,
            "check": task.check,
            "point": task.check.partition("@")[2],
        }
        for task in infinities.tasks()
        for framework, (version, variants) in frameworks.items()
        for api in variants
        for dtype in task.dtypes
    ]


class FirstMatch:
    """``Registry.match`` without counting hits, its entries pre-filtered per (framework, case)."""

    def __init__(self, entries: list[registry.Deviation]):
        self.entries = [(e, dataclasses.replace(e, api="*", dtype="*", check="*", point="*")) for e in entries]
        self.candidates: dict[tuple, list[registry.Deviation]] = {}

    def __call__(self, rec: dict) -> registry.Deviation | None:
        key = (rec["framework"], rec["framework_version"], rec["family"], rec["case"])
        if key not in self.candidates:
            self.candidates[key] = [e for e, wide in self.entries if wide.matches(rec)]
        return next((e for e in self.candidates[key] if e.matches(rec)), None)


def order_clashes(directory: Path, records: list[dict]) -> dict[tuple[str, str], str]:
    """(entry in file order, entry in reverse file order) -> an example record, where they differ."""
    files = sorted(directory.glob("*.toml"))
    parsed = {p: registry.parse_file(p) for p in files}
    forward = FirstMatch(registry.Registry([e for p in files for e in parsed[p]]).entries)
    backward = FirstMatch(registry.Registry([e for p in reversed(files) for e in parsed[p]]).entries)
    out: dict[tuple[str, str], str] = {}
    for rec in records:
        a, b = forward(rec), backward(rec)
        if a is not b:
            out.setdefault(
                (a.source if a else "none", b.source if b else "none"),
                f"{rec['framework']}[{rec['api']}] {rec['dtype']} {rec['case']} {rec['check']}",
            )
    return out


RECORDS: list[dict] = []


def records() -> list[dict]:
    if not RECORDS:
        RECORDS.extend(_records())
    return RECORDS


def test_nonfinite_records_match_the_same_entry_whichever_file_loads_first():
    assert (registry.DEFAULT_DIR / "nonfinite.toml").exists()
    assert len(records()) > 1000
    clashes = order_clashes(registry.DEFAULT_DIR, records())
    assert not clashes, "the registry's verdict depends on the order of its files:\n" + "\n".join(
        f"  {a} (files in order) vs {b} (reversed), e.g. {example}" for (a, b), example in sorted(clashes.items())
    )


def test_equally_specific_entries_of_two_files_are_a_clash(tmp_path):
    """What the check above catches: two files' entries, equally specific (``registry.specificity``),
    both claiming relu's derivative at NaN: the one whose file loads first wins."""
    entry = '[[deviation]]\nframework = "torch"\ncase = "relu"\ncheck = "{}"\nreason = "{}"\nlink = "x"\n'
    (tmp_path / "nonfinite.toml").write_text(entry.format("derivative@nan", "relu'(NaN) is 1, not NaN."))
    (tmp_path / "special.toml").write_text(entry.format("derivative@nan", "the same check, another cause."))
    clashes = order_clashes(tmp_path, records())
    assert [(a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1]) for a, b in clashes] == [
        ("nonfinite.toml:1", "special.toml:1")
    ]


def test_the_more_specific_entry_claims_a_record_whichever_file_loads_first(tmp_path):
    """A broad ``check = "*"`` entry of special.toml and nonfinite.toml's ``derivative@nan`` for the same
    case: the more literal check pattern claims relu's derivative at NaN in either file order, and the
    broad one the rest."""
    entry = '[[deviation]]\nframework = "torch"\ncase = "relu"\ncheck = "{}"\nreason = "{}"\nlink = "x"\n'
    (tmp_path / "nonfinite.toml").write_text(entry.format("derivative@nan", "relu'(NaN) is 1, not NaN."))
    (tmp_path / "special.toml").write_text(entry.format("*", "every check of relu, for another cause."))
    assert not order_clashes(tmp_path, records())
    reg = registry.load(tmp_path)
    rec = {"framework": "torch", "case": "relu", "family": "activations", "api": "func", "dtype": "float64"}
    assert reg.match({**rec, "check": "derivative@nan"}).reason.startswith("relu'(NaN)")
    assert reg.match({**rec, "check": "gradient"}).reason.startswith("every check")
    assert registry.specificity(reg.entries[0]) > registry.specificity(reg.entries[1])


def test_alternatives_and_exclusions_in_a_pattern():
    from conformance.registry import _fn

    every_but = "!value@*|!derivative@*"
    assert _fn(every_but, "jvp") and _fn(every_but, "limit1@0") and _fn(every_but, "value")
    assert not _fn(every_but, "value@+inf") and not _fn(every_but, "derivative@nan")
    assert _fn("gradient|jvp|vjp", "vjp") and not _fn("gradient|jvp|vjp", "gradient@0")
    assert _fn("limit*|!limit3*", "limit1@0") and not _fn("limit*|!limit3*", "limit3@0")
    assert _fn("[dv]*@*", "value@x") and not _fn("[dv]*@*", "limit1@x")  # plain fnmatch unchanged
