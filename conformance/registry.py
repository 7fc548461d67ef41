"""The known-deviation registry: expected failures, each with a reason and an upstream link.

Entries live in ``conformance/known_deviations/*.toml`` (one file per area) as ``[[deviation]]``
tables with keys framework, versions (a PEP 440 specifier set, "" for all), api, case, check, dtype,
point (fnmatch patterns; "*" or absent matches anything), reason and link. A failure or error that
an entry matches is reported as ``deviation``; an entry that matches nothing in a run is warned
about (it may be stale); an unregistered failure fails the run.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from conformance.errors import ConformanceError

DEFAULT_DIR = Path(__file__).parent / "known_deviations"
KEYS = {"framework", "versions", "api", "case", "check", "dtype", "point", "reason", "link"}


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
    source: str = ""      # file:line-ish label, for messages
    hits: int = field(default=0, compare=False)

    def matches(self, rec: Any) -> bool:
        get = rec.get if isinstance(rec, dict) else lambda k, d=None: getattr(rec, k, d)
        if not _fn(self.framework, get("framework", "")):
            return False
        if self.versions and not _in_versions(get("framework_version", ""), self.versions):
            return False
        case_ok = _fn(self.case, get("case", "")) or _fn(self.case, f"{get('family', '')}/{get('case', '')}")
        return (case_ok and _fn(self.check, get("check", "")) and _fn(self.api, get("api", ""))
                and _fn(self.dtype, get("dtype", "")) and _fn(self.point, get("point") or ""))

    def could_match(self, planned: Any) -> bool:
        """Whether a record of the planned task (a dict without ``point``, which is known only once
        the task runs) could match this entry: the other fields match."""
        return replace(self, point="*").matches(planned)

    def names_framework(self, name: str) -> bool:
        """Whether this entry's framework pattern covers framework ``name``."""
        return _fn(self.framework, name)

    def as_dict(self) -> dict:
        return {"reason": self.reason, "link": self.link, "versions": self.versions,
                "source": self.source}


def _fn(pattern: str, value: str) -> bool:
    return pattern in ("*", "") or fnmatch.fnmatchcase(str(value), pattern)


def _in_versions(version: str, spec: str) -> bool:
    try:
        return Version(version.split("+")[0]) in SpecifierSet(spec)
    except InvalidVersion:
        return False


class Registry:
    def __init__(self, entries: Iterable[Deviation] = ()):
        self.entries = list(entries)

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
                raise RegistryError(f"{where}: versions {entry['versions']!r} is not a PEP 440 "
                                    f"specifier set such as '>=2.0,<2.5'") from None
        out.append(Deviation(**{k: str(v) for k, v in entry.items()}, source=where))
    return out


def load(directory: str | Path | None = None) -> Registry:
    """Every entry of every ``*.toml`` file in ``directory`` (default: the packaged registry)."""
    d = Path(directory) if directory else DEFAULT_DIR
    entries: list[Deviation] = []
    for path in sorted(d.glob("*.toml")):
        entries.extend(parse_file(path))
    return Registry(entries)
