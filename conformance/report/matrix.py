"""The conformance matrix: one row per (family, case), one cell per column, rows folded by family.

A cell holds the worst status of the records that were judged there (skips aside) over the case's
checks, dtypes and runs, the largest error ratio and the share of judged records that passed; a cell
where every record is a skip is *not applicable* ("na": the task does not apply to that framework or
variant, or the function is not provided), shown as "—" with the reason. The same per check is kept
for the folded per-check table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from conformance.records import STATUSES, Record
from conformance.report.formatting import (
    Column,
    column_of,
    family_anchor,
    family_rank,
    fmt_ratio,
    max_ratio,
    real_status,
    sorted_columns,
    worst,
)


@dataclass
class Cell:
    status: str  # worst judged status, or "na"
    ratio: float | None
    counts: dict[str, int]
    anchor: str | None = None  # id of the first failure detail of this cell
    note: str = ""  # why not applicable: the first skip message

    @property
    def ratio_text(self) -> str:
        return fmt_ratio(self.ratio)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        return self.total - self.counts.get("skip", 0)

    @property
    def share_text(self) -> str:
        """The share of judged records that passed, in per cent (floored, so 99.6 % is not 100 %)."""
        return f"{100 * self.counts['pass'] // self.judged}%" if self.judged else ""

    @property
    def tip(self) -> str:
        """What the cell holds: why it does not apply, or the largest error ratio and the tally."""
        if self.status == "na":
            return f"not applicable: {self.note}"
        tally = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        return f"error / tolerance ≤ {self.ratio_text}; {tally}" if self.ratio_text else tally


@dataclass
class MatrixRow:
    family: str
    case: str
    cells: list[Cell | None]
    checks: list[tuple[str, list[Cell | None], str]]  # (check, cells, worst status)
    status: str


@dataclass
class FamilyRows:
    family: str
    anchor: str
    cells: list[Cell | None]  # the family's records per column
    rows: list[MatrixRow]
    status: str

    @property
    def not_passing(self) -> int:
        return sum(1 for r in self.rows if r.status not in ("pass", "na"))


@dataclass
class ConformanceMatrix:
    columns: list[Column]
    families: list[FamilyRows]

    @property
    def rows(self) -> list[MatrixRow]:
        return [r for f in self.families for r in f.rows]

    @property
    def check_rows(self) -> int:
        return sum(len(r.checks) for r in self.rows)


def cell(recs: list[Record], anchors: dict[int, str] | None = None) -> Cell:
    """The cell of these records (see the module); ``anchor`` the first that ``anchors`` names."""
    anchors = anchors or {}
    c = Counter(r.status for r in recs)
    anchor = next((anchors[id(r)] for r in recs if id(r) in anchors), None)
    status = real_status(recs)
    note = recs[0].message if status == "na" else ""
    return Cell(
        status,
        max_ratio(r.error_ratio for r in recs if r.status != "skip"),
        {s: c.get(s, 0) for s in STATUSES},
        anchor,
        note,
    )


def _row_status(cells: list[Cell | None]) -> str:
    judged = [c.status for c in cells if c and c.status != "na"]
    return worst(judged) if judged else "na"


def matrix(records: list[Record], anchors: dict[int, str]) -> ConformanceMatrix:
    """Rows (family, case), one cell per column (see the module), folded by family. ``anchors``
    maps ``id(record)`` to its failure detail's anchor."""
    checks = [r for r in records if r.kind == "check"]
    cols = sorted_columns(column_of(r) for r in checks)
    index = {c: i for i, c in enumerate(cols)}
    by_case: dict[tuple, dict[str, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in checks:
        by_case[(r.family, r.case)][r.check][index[column_of(r)]].append(r)
    families: dict[str, FamilyRows] = {}
    per_family: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for fam, case in sorted(by_case, key=lambda k: (family_rank(k[0]), k[1])):
        per_check = by_case[(fam, case)]
        sub = []
        merged: dict[int, list] = defaultdict(list)
        for chk in sorted(per_check):
            cells = []
            for i in range(len(cols)):
                recs = per_check[chk].get(i)
                cells.append(cell(recs, anchors) if recs else None)
                if recs:
                    merged[i].extend(recs)
                    per_family[fam][i].extend(recs)
            sub.append((chk, cells, _row_status(cells)))
        cells = [cell(merged[i], anchors) if merged.get(i) else None for i in range(len(cols))]
        group = families.setdefault(fam, FamilyRows(fam, family_anchor(fam), [], [], ""))
        group.rows.append(MatrixRow(fam, case, cells, sub, _row_status(cells)))
    for fam, group in families.items():
        group.cells = [cell(per_family[fam][i], anchors) if per_family[fam].get(i) else None for i in range(len(cols))]
        group.status = _row_status(group.cells)
    return ConformanceMatrix(cols, list(families.values()))
