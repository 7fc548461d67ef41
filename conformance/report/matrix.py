"""The conformance matrix: one row per (family, case), one cell per column, each cell the worst
status over the case's checks, dtypes and runs with the largest error ratio; the same per check
folded under each row."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from conformance.records import STATUSES, Record
from conformance.report.formatting import Column, column_of, family_rank, fmt_ratio, max_ratio, sorted_columns, worst


@dataclass
class Cell:
    status: str
    ratio: float | None
    counts: dict[str, int]
    anchor: str | None = None    # id of the first failure detail of this cell

    @property
    def ratio_text(self) -> str:
        return fmt_ratio(self.ratio)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def tip(self) -> str:
        return ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)


@dataclass
class MatrixRow:
    family: str
    case: str
    cells: list[Cell | None]
    checks: list[tuple[str, list[Cell | None], str]]   # (check, cells, worst status)
    status: str


@dataclass
class ConformanceMatrix:
    columns: list[Column]
    rows: list[MatrixRow]

    @property
    def check_rows(self) -> int:
        return sum(len(r.checks) for r in self.rows)


def _cell(recs: list[Record], anchors: dict[int, str]) -> Cell:
    st = worst(r.status for r in recs)
    c = Counter(r.status for r in recs)
    anchor = next((anchors[id(r)] for r in recs if id(r) in anchors), None)
    return Cell(st, max_ratio(r.error_ratio for r in recs), {s: c.get(s, 0) for s in STATUSES}, anchor)


def matrix(records: list[Record], anchors: dict[int, str]) -> ConformanceMatrix:
    """Rows (family, case), one cell per column: the worst status over checks and dtypes, with the
    largest error/tolerance ratio; each row also holds the same per check. ``anchors`` maps
    ``id(record)`` to its failure detail's anchor."""
    checks = [r for r in records if r.kind == "check"]
    cols = sorted_columns(column_of(r) for r in checks)
    index = {c: i for i, c in enumerate(cols)}
    by_case: dict[tuple, dict[str, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in checks:
        by_case[(r.family, r.case)][r.check][index[column_of(r)]].append(r)
    rows = []
    for (fam, case) in sorted(by_case, key=lambda k: (family_rank(k[0]), k[1])):
        per_check = by_case[(fam, case)]
        sub = []
        merged: dict[int, list] = defaultdict(list)
        for chk in sorted(per_check):
            cells = []
            for i in range(len(cols)):
                recs = per_check[chk].get(i)
                cells.append(_cell(recs, anchors) if recs else None)
                if recs:
                    merged[i].extend(recs)
            sub.append((chk, cells, worst(c.status for c in cells if c)))
        cells = [_cell(merged[i], anchors) if merged.get(i) else None for i in range(len(cols))]
        rows.append(MatrixRow(fam, case, cells, sub, worst(c.status for c in cells if c)))
    return ConformanceMatrix(cols, rows)
