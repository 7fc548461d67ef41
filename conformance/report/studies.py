"""Studies: every record that carries a chart or a table (``data.chart``, ``data.table``) by family,
and the check and study records of the families with sections of their own (integrals,
optimizers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance.records import Record
from conformance.report.formatting import Column, column_of, family_rank


@dataclass
class StudyItem:
    record: Record
    column: Column
    chart: dict | None
    table: dict | None


def studies(records: list[Record]) -> dict[str, list[StudyItem]]:
    """Every record (any kind but benchmark) carrying a data.chart or data.table, by family."""
    out: dict[str, list[StudyItem]] = defaultdict(list)
    for r in records:
        if r.kind == "benchmark":
            continue
        d = r.data
        chart = d.get("chart") if isinstance(d.get("chart"), dict) else None
        table = _table(d.get("table"))
        if chart or table:
            out[r.family].append(StudyItem(r, column_of(r), chart, table))
    for items in out.values():
        items.sort(key=lambda s: (s.record.case, s.record.check, s.column.sort_key(), s.record.dtype))
    return dict(sorted(out.items(), key=lambda kv: family_rank(kv[0])))


def _table(t: Any) -> dict | None:
    """A record's data.table as {"columns": [str], "rows": [[cell]]}, or None when malformed."""
    if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
        return None
    rows = [r if isinstance(r, list) else [r] for r in t["rows"]]
    return {"columns": [str(c) for c in t["columns"]], "rows": rows}


def family_checks(records: list[Record], families: Iterable[str]) -> dict[str, list[Record]]:
    """The check and study records of the given families (for their own sections' tables)."""
    fams = set(families)
    out: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.kind in ("check", "study") and r.family in fams:
            out[r.family].append(r)
    for v in out.values():
        v.sort(key=lambda r: (r.case, r.check, column_of(r).sort_key(), r.dtype))
    return dict(out)
