"""Coverage: which ops (cases) each framework version was tested on, which it does not provide and
which were not covered; and, where accuracy records are present, the ULP error of each op.

- *tested*: at least one check record of the case was judged (not a skip);
- *not provided*: every record is a skip and one says "not provided in <framework> …" (the op
  table names no function of that framework, or the installed version lacks it);
- *not covered*: another framework version was tested on the case, this one has no judged record
  and no "not provided" skip (its checks were skipped for another reason, or never ran).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from conformance.records import Record
from conformance.report.formatting import family_rank, fnum, framework_rank, version_key

NOT_PROVIDED = "not provided in "


@dataclass
class CoverageRow:
    framework: str
    version: str
    tested: list[str]  # family/case
    not_provided: list[tuple[str, str]]  # (family/case, the skip message)
    not_covered: list[str]


def _fv_key(fv: tuple[str, str]) -> tuple:
    return (framework_rank(fv[0]), fv[0], version_key(fv[1]))


def coverage(records: list[Record]) -> list[CoverageRow]:
    per: dict[tuple[str, str], dict[tuple[str, str], list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r.kind == "check":
            per[(r.framework, r.framework_version)][(r.family, r.case)].append(r)
    tested_anywhere = {
        case for cases in per.values() for case, recs in cases.items() if any(r.status != "skip" for r in recs)
    }
    ordered = sorted(
        tested_anywhere | {c for cases in per.values() for c in cases}, key=lambda k: (family_rank(k[0]), k[1])
    )
    out = []
    for fv in sorted(per, key=_fv_key):
        tested, missing, uncovered = [], [], []
        for case in ordered:
            recs = per[fv].get(case, [])
            name = f"{case[0]}/{case[1]}"
            why = next((r.message for r in recs if r.message.startswith(NOT_PROVIDED)), None)
            if any(r.status != "skip" for r in recs):
                tested.append(name)
            elif why is not None:
                missing.append((name, why))
            elif case in tested_anywhere:
                uncovered.append(name)
        out.append(CoverageRow(fv[0], fv[1], tested, missing, uncovered))
    return out


@dataclass
class UlpMap:
    """The largest error in ULPs (``data.max_ulp`` of the accuracy records: values, derivatives, VJPs)
    per op and column."""

    dtype: str
    ops: list[str]  # family/case
    columns: list[str]  # framework version (and API variant where one is named)
    values: list[list[float | None]]  # [op][column]
    normwise: list[str] = field(default_factory=list)  # ops measured in ULPs of ‖exact‖∞ (data.basis)


def ulp_maps(records: list[Record]) -> list[UlpMap]:
    """One map per dtype; empty when no accuracy records are present."""
    grid: dict[str, dict[tuple, dict[tuple, float]]] = defaultdict(lambda: defaultdict(dict))
    normwise: dict[str, set[tuple]] = defaultdict(set)
    for r in records:
        ulp = fnum(r.data.get("max_ulp")) if r.kind == "accuracy" else None
        if ulp is None:
            continue
        if str(r.data.get("basis", "")).startswith("normwise"):
            normwise[r.dtype].add((r.family, r.case))
        col = (r.framework, r.framework_version, "" if r.api in ("", "-") else r.api)
        cell = grid[r.dtype][(r.family, r.case)]
        cell[col] = max(cell.get(col, ulp), ulp)
    out = []
    for dtype in sorted(grid):
        ops = sorted(grid[dtype], key=lambda k: (family_rank(k[0]), k[1]))
        cols = sorted({c for cells in grid[dtype].values() for c in cells}, key=lambda c: (*_fv_key(c[:2]), c[2]))
        out.append(
            UlpMap(
                dtype,
                [f"{f}/{c}" for f, c in ops],
                [f"{fw} {v}" + (f" [{api}]" if api else "") for fw, v, api in cols],
                [[grid[dtype][op].get(c) for c in cols] for op in ops],
                [f"{f}/{c}" for f, c in ops if (f, c) in normwise[dtype]],
            )
        )
    return out
