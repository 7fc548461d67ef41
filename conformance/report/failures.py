"""Failures and deviations: every fail, error and deviation record, worst first, each with an
anchor the matrix links to, its shrunk input and its registry link."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.records import SEVERITY, Record
from conformance.report.formatting import Column, column_of, compact_json, family_rank, fmt_ratio, fnum, safe_link


@dataclass
class Detail:
    anchor: str
    record: Record
    column: Column
    input_text: str
    link: str | None
    ratio_text: str


def details(records: list[Record]) -> list[Detail]:
    """Every fail, error and deviation, worst first, each with an anchor the matrix links to."""
    bad = [r for r in records if r.status in ("fail", "error", "deviation")]
    bad.sort(key=lambda r: (-SEVERITY.get(r.status, 0), family_rank(r.family), r.case, r.check,
                            column_of(r).sort_key(), r.dtype))
    out = []
    for i, r in enumerate(bad):
        reg = r.registry or {}
        out.append(Detail(f"d{i}", r, column_of(r), "" if r.input is None else compact_json(r.input),
                          safe_link(reg.get("link")), fmt_ratio(fnum(r.error_ratio))))
    return out
