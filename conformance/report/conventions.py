"""Conventions: what each column returns where the mathematics leaves a choice (kinks, ties, 0/0),
side by side, with the answers that differ from the most common one marked."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from conformance.records import Record
from conformance.report.formatting import Column, column_of, compact_json, sorted_columns


def convention_text(value: Any) -> str:
    return compact_json(value, limit=200)


@dataclass
class ConventionRow:
    case: str
    check: str
    cells: list[str | None]
    odd: list[bool]  # cell differs from the most common answer
    differs: bool
    expected: str
    note: str


@dataclass
class Conventions:
    columns: list[Column]
    rows: list[ConventionRow]


def conventions(records: list[Record]) -> Conventions:
    """What each column returns at each probe, side by side. A cell lists the value per dtype when
    dtypes disagree; a row *differs* when its cells are not all equal (6 significant digits)."""
    conv = [r for r in records if r.kind == "convention"]
    cols = sorted_columns(column_of(r) for r in conv)
    idx = {c: i for i, c in enumerate(cols)}
    grid: dict[tuple, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    meta: dict[tuple, dict] = {}
    for r in conv:
        key = (r.case, r.check)
        grid[key][idx[column_of(r)]][r.dtype] = convention_text(r.data.get("value"))
        meta.setdefault(key, r.data)
    rows = []
    for key in sorted(grid):
        cells: list[str | None] = []
        for i in range(len(cols)):
            per = grid[key].get(i)
            if not per:
                cells.append(None)
            elif len(set(per.values())) == 1:
                cells.append(next(iter(per.values())))
            else:
                cells.append("; ".join(f"{d}: {v}" for d, v in sorted(per.items())))
        present = [c for c in cells if c is not None]
        common = Counter(present).most_common(1)[0][0] if present else None
        odd = [c is not None and c != common for c in cells]
        data = meta[key]
        exp = data.get("expected")
        rows.append(
            ConventionRow(
                key[0],
                key[1],
                cells,
                odd,
                any(odd),
                "" if exp is None else convention_text(exp),
                str(data.get("note", "")),
            )
        )
    return Conventions(cols, rows)
