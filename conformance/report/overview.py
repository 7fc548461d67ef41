"""The report's first screen: what the suite found, per framework and version.

- the *findings*: registered deviations whose entry names no upstream issue, with their reproducers;
- per framework version and failure class, how many unregistered failures and registered deviations,
  each count linking to its group in the failure list;
- a family × framework[api] heat map of the worst status (skips aside) and the largest error ratio,
  over the newest version of each framework.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from conformance.records import Record
from conformance.report.failures import CLASSES, SHORT, Detail, Group, is_finding
from conformance.report.formatting import family_rank, framework_rank, version_key
from conformance.report.matrix import Cell, cell


@dataclass
class FoundRow:
    framework: str
    version: str
    cells: list[tuple[Group | None, Group | None]]  # per class: (unregistered, registered)
    unregistered: int
    registered: int


@dataclass
class Finding:
    """One registry entry without an upstream link, with the records it matched (the first linked)."""

    detail: Detail
    reason: str
    reproducer: str
    records: int = 1
    where: list[str] = field(default_factory=list)  # "framework version" it was found in


@dataclass
class Heat:
    families: list[str]
    columns: list[str]  # framework[api]
    versions: dict[str, str]  # framework -> the version shown
    cells: list[list[Cell | None]]  # [family][column]: over its checks


@dataclass
class Overview:
    classes: list[tuple[str, str, str]]  # (key, short label, label)
    rows: list[FoundRow]
    findings: list[Finding]
    heat: Heat


def overview(records: list[Record], groups: list[Group]) -> Overview:
    versions: set[tuple[str, str]] = {(r.framework, r.framework_version) for r in records if r.kind == "check"}
    versions |= {(g.framework, g.version) for g in groups}
    by_key = {(g.framework, g.version, g.registered, g.cls): g for g in groups}
    rows = []
    for fw, ver in sorted(versions, key=lambda t: (framework_rank(t[0]), t[0], version_key(t[1]))):
        cells = [(by_key.get((fw, ver, False, c)), by_key.get((fw, ver, True, c))) for c in CLASSES]
        rows.append(
            FoundRow(
                fw, ver, cells, sum(len(u.details) for u, _ in cells if u), sum(len(g.details) for _, g in cells if g)
            )
        )
    return Overview([(k, SHORT[k], v) for k, v in CLASSES.items()], rows, findings(groups), heat(records))


def findings(groups: list[Group]) -> list[Finding]:
    """The findings, one per registry entry (an entry matches many records: one per case, check,
    dtype, ...), in the order of their first record; the reproducer is the entry's, else the
    first record's replay command."""
    out: dict[str, Finding] = {}
    for g in groups:
        for d in g.details if g.registered else ():
            r = d.record
            if not is_finding(r):
                continue
            key = str(r.registry.get("source") or r.registry.get("reason") or d.anchor)
            f = out.get(key)
            if f is None:
                out[key] = Finding(
                    d, str(r.registry.get("reason", "")), str(r.registry.get("reproducer") or r.replay), 0, []
                )
                f = out[key]
            f.records += 1
            if f"{r.framework} {r.framework_version}" not in f.where:
                f.where.append(f"{r.framework} {r.framework_version}")
    return list(out.values())


def heat(records: list[Record]) -> Heat:
    """Family × framework[api] over the newest version of each framework."""
    checks = [r for r in records if r.kind == "check"]
    newest: dict[str, str] = {}
    for r in checks:
        if r.framework not in newest or version_key(r.framework_version) > version_key(newest[r.framework]):
            newest[r.framework] = r.framework_version
    grid: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in checks:
        if r.framework_version == newest[r.framework]:
            grid[(r.family, f"{r.framework}[{r.api}]")].append(r)
    families = sorted({f for f, _ in grid}, key=family_rank)
    columns = sorted({c for _, c in grid}, key=lambda c: (framework_rank(c.split("[", 1)[0]), c))
    cells = [[cell(grid[(f, c)]) if (f, c) in grid else None for c in columns] for f in families]
    versions = {fw: newest[fw] for fw in sorted(newest, key=lambda n: (framework_rank(n), n))}
    return Heat(families, columns, versions, cells)
