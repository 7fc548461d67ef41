"""The known-deviation registry: expected failures, each with a reason and an upstream link.

Entries live in ``conformance/known_deviations/*.toml`` (one file per area) as ``[[deviation]]``
tables with keys framework, versions (a PEP 440 specifier set, "" for all), api, case, check, dtype,
point (fnmatch patterns; "*" or absent matches anything; ``a|b`` matches either, and an alternative
written ``!p`` excludes what p matches: "!value@*|!derivative@*" is every check but those, "gradient|jvp"
those two), reason and link. A failure or error that
an entry matches is reported as ``deviation``; where several match, the most specific claims it
(``specificity``: the most literal check pattern, then case pattern, then the most fields given); an
entry that matches nothing in a run is warned about when the run covered its whole scope
(``stale_entries``); an unregistered failure fails the run.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Callable, Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from conformance import adapters
from conformance.errors import ConformanceError

DEFAULT_DIR = Path(__file__).parent / "known_deviations"
KEYS = {"framework", "versions", "api", "case", "check", "dtype", "point", "reason", "link", "reproducer", "finding"}


class RegistryError(ConformanceError, ValueError):
    pass


@dataclass
class Deviation:
    framework: str
    case: str
    check: str
    reason: str
    link: str = ""
    versions: str = ""
    api: str = "*"
    dtype: str = "*"
    point: str = "*"
    reproducer: str = ""  # a minimal stand-alone script that shows the deviation
    finding: bool = False  # found by this suite and not recorded upstream for this function (``link``
    #                        may name a root cause recorded elsewhere): the report's "Findings"
    source: str = ""  # file:line-ish label, for messages
    hits: int = field(default=0, compare=False)

    def matches(self, rec: Any) -> bool:
        get = rec.get if isinstance(rec, dict) else lambda k, d=None: getattr(rec, k, d)
        if not _fn(self.framework, get("framework", "")):
            return False
        if self.versions and not _in_versions(get("framework_version", ""), self.versions):
            return False
        case_ok = _fn(self.case, get("case", "")) or _fn(self.case, f"{get('family', '')}/{get('case', '')}")
        return (
            case_ok
            and _fn(self.check, get("check", ""))
            and _fn(self.api, get("api", ""))
            and _fn(self.dtype, get("dtype", ""))
            and _fn(self.point, get("point") or "")
        )

    def could_match(self, planned: Any) -> bool:
        """Whether a record of the planned task (a dict without ``point``, which is known only once
        the task runs) could match this entry: the other fields match."""
        return replace(self, point="*").matches(planned)

    def names_framework(self, name: str) -> bool:
        """Whether this entry's framework pattern covers framework ``name``."""
        return _fn(self.framework, name)

    def as_dict(self) -> dict:
        out = {"reason": self.reason, "link": self.link, "versions": self.versions, "source": self.source}
        if self.reproducer:
            out["reproducer"] = self.reproducer
        if self.finding:
            out["finding"] = True
        return out


def _fn(pattern: str, value: str) -> bool:
    """``value`` matches ``pattern``: one of its ``|``-separated fnmatch alternatives (any, when all are
    ``!``-negated) and none of its ``!`` alternatives."""
    if pattern in ("*", ""):
        return True
    if "|" not in pattern and not pattern.startswith("!"):
        return fnmatch.fnmatchcase(str(value), pattern)
    alts = pattern.split("|")
    neg = [a[1:] for a in alts if a.startswith("!")]
    pos = [a for a in alts if not a.startswith("!")]
    v = str(value)
    return (not pos or any(fnmatch.fnmatchcase(v, a) for a in pos)) and not any(fnmatch.fnmatchcase(v, a) for a in neg)


def _in_versions(version: str, spec: str) -> bool:
    try:
        return Version(version.split("+")[0]) in SpecifierSet(spec)
    except InvalidVersion:
        return False


def _literal(pattern: str) -> int:
    """How much of ``pattern`` is literal: the characters outside ``*``/``?`` (a ``[…]`` class counts as
    one) of its least literal ``|`` alternative; 0 for ``*`` and for a pattern of exclusions alone."""
    pos = [a for a in (pattern or "*").split("|") if not a.startswith("!")]
    if not pos:
        return 0

    def count(a: str) -> int:
        n, i = 0, 0
        while i < len(a):
            if a[i] == "[" and "]" in a[i + 2 :]:
                i = a.index("]", i + 2) + 1
                n += 1
                continue
            n += a[i] not in "*?"
            i += 1
        return n

    return min(count(a) for a in pos)


def specificity(e: Deviation) -> tuple[int, int, int]:
    """The order in which entries claim a record, most specific first: the more literal check pattern
    (a refusal of ``nested* *default over alternate*]`` before a case's ``!value@*|!derivative@*``), then
    the more literal case pattern, then the more of api, dtype, point and versions given. Entries equal
    in all of these keep their file order (the files load alphabetically), so a record's entry does not
    depend on that order unless two equally specific entries claim it (``tests/unit/test_registry_order``)."""
    given = sum(v not in ("", "*") for v in (e.api, e.dtype, e.point)) + bool(e.versions)
    return (_literal(e.check), _literal(e.case), given)


class Registry:
    """The entries, most specific first (``specificity``): the first that matches a record claims it."""

    def __init__(self, entries: Iterable[Deviation] = ()):
        self.entries = sorted(entries, key=specificity, reverse=True)  # stable: ties keep file order

    def match(self, rec: Any) -> Deviation | None:
        for e in self.entries:
            if e.matches(rec):
                e.hits += 1
                return e
        return None

    def unmatched(self) -> list[Deviation]:
        return [e for e in self.entries if e.hits == 0]


def _line_of(text: str, index: int) -> int:
    """Line number of the index-th ``[[deviation]]`` header in a TOML text."""
    n = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("[[deviation]]"):
            if n == index:
                return lineno
            n += 1
    return 0


def parse_file(path: Path) -> list[Deviation]:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: malformed registry file: {exc}") from None
    unknown_top = set(data) - {"deviation"}
    if unknown_top:
        raise RegistryError(f"{path}: unknown table {sorted(unknown_top)[0]!r}; use [[deviation]] entries")
    out = []
    for i, entry in enumerate(data.get("deviation", [])):
        where = f"{path}:{_line_of(text, i)}"
        extra = set(entry) - KEYS
        if extra:
            raise RegistryError(f"{where}: unknown key {sorted(extra)[0]!r}; allowed: {', '.join(sorted(KEYS))}")
        missing = [k for k in ("framework", "case", "check", "reason") if not entry.get(k)]
        if missing:
            raise RegistryError(f"{where}: entry lacks {', '.join(missing)}")
        if not entry.get("link") and len(entry["reason"]) < 20:
            raise RegistryError(f"{where}: an entry without an upstream link needs a full reason")
        if entry.get("versions"):
            try:
                SpecifierSet(entry["versions"])
            except InvalidSpecifier:
                raise RegistryError(
                    f"{where}: versions {entry['versions']!r} is not a PEP 440 specifier set such as '>=2.0,<2.5'"
                ) from None
        if not isinstance(entry.get("finding", False), bool):
            raise RegistryError(f"{where}: finding must be true or false, not {entry['finding']!r}")
        out.append(Deviation(**{k: v if k == "finding" else str(v) for k, v in entry.items()}, source=where))
    return out


def load(directory: str | Path | None = None) -> Registry:
    """Every entry of every ``*.toml`` file in ``directory`` (default: the packaged registry)."""
    d = Path(directory) if directory else DEFAULT_DIR
    entries: list[Deviation] = []
    for path in sorted(d.glob("*.toml")):
        entries.extend(parse_file(path))
    return Registry(entries)


# ---------------------------------------------------------------- stale entries
def stale_entries(
    registry: Registry, planned: Iterable[Iterable], full: Callable[[], Iterable], ran: Iterable[str]
) -> list[Deviation]:
    """Registry entries that matched nothing in a run that covered their whole scope.

    ``planned``: the run's work, each an iterable of (task, adapter, device, dtype); ``full()``: the
    work of a full run of the same profile (every suite, case, check, API variant, device and dtype
    of the frameworks that ran), built only when some entry is unused; ``ran``: the frameworks run.

    An entry's scope is the set of tasks it is the first entry to claim (the first matching entry
    claims a record) in a full run of this profile: every suite, case, check, API variant, device
    and dtype of every installed framework. It is stale when this run planned all of its scope,
    that scope is not empty, and it matched no record. A narrowed run (--cases, --framework, ...)
    that leaves part of an entry's scope out says nothing of it: ``torch * nested*`` is not stale
    on a run of two cases whose nested checks pass; nor is an entry for checks the profile does
    not select (e.g. the thorough profile's full nested grid)."""
    entries = registry.entries
    claimed = _claims(entries, planned)
    unused = {i for i in claimed if entries[i].hits == 0}
    if unused:
        scope = _claims(entries, [full()], only=unused)
        ran = set(ran)

        def every_framework_ran(e: Deviation) -> bool:  # of those it names that are installed
            return all(
                n in ran or find_spec(adapters.adapter_class(n).module) is None
                for n in adapters.names()
                if e.names_framework(n)
            )

        unused = {i for i in unused if scope[i] <= claimed[i] and every_framework_ran(entries[i])}
    return [e for i, e in enumerate(entries) if i in unused]


def _claims(entries: list[Deviation], works: Iterable[Iterable], only: set[int] | None = None) -> dict[int, set]:
    """entry index -> the planned (framework, API, device, dtype, family, case, check) it claims
    (for the entries in ``only``, where given)."""
    out: dict[int, set] = defaultdict(set)
    for work in works:
        for task, adapter, dev, dtype in work:
            planned = {
                "framework": adapter.name,
                "framework_version": adapter.version,
                "family": task.family,
                "case": task.case,
                "check": task.check,
                "api": adapter.variant,
                "dtype": dtype,
            }
            if only is not None and not any(entries[i].could_match(planned) for i in only):
                continue
            first = next((i for i, e in enumerate(entries) if e.could_match(planned)), None)
            if first is not None:
                out[first].add((adapter.name, adapter.variant, dev, dtype, task.family, task.case, task.check))
    return out
