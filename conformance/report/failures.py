"""Failures and deviations: every fail, error and deviation record, classified (``failure_class``)
and grouped per framework version, whether a registry entry expected it, and class; each record
with an anchor the matrix links to, its shrunk input and its registry entry.

A *registered deviation* is a record a known-deviation entry matched (status ``deviation``); an
*unregistered failure* is a ``fail`` or ``error``. A *finding* is a registered deviation whose entry
names no upstream issue (no http(s) link): found here, not yet recorded upstream.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from conformance.records import SEVERITY, Record
from conformance.report.formatting import (
    Column,
    column_of,
    compact_json,
    family_rank,
    fmt_ratio,
    fnum,
    framework_rank,
    safe_link,
    version_key,
)

CLASSES = {
    "wrong_value": "wrong value",
    "underflow": "lost to underflow",
    "non_finite": "non-finite where finite was due",
    "wrong_sign": "wrong sign",
    "convention": "convention difference",
    "unsupported": "refusal / unsupported",
}
SHORT = {
    "wrong_value": "wrong value",
    "underflow": "underflow",
    "non_finite": "non-finite",
    "wrong_sign": "wrong sign",
    "convention": "convention",
    "unsupported": "unsupported",
}
BAD = ("fail", "error", "deviation")
_UNSUPPORTED = re.compile(r"not supported|not implemented|unsupported|refuse", re.IGNORECASE)
_NON_FINITE = re.compile(r"\b(nan|-?inf|infinity|non-finite)\b", re.IGNORECASE)


def failure_class(r: Record) -> str:
    """The record's ``data["failure_class"]`` where it names one of CLASSES; otherwise derived from
    the record: an error saying not supported / not implemented / refused is ``unsupported``; a NaN
    or inf in the measured error or the message is ``non_finite``; "underflow" in the message is
    ``underflow``; anything else is ``wrong_value``."""
    named = r.data.get("failure_class")
    if named in CLASSES:
        return named
    if r.status == "error" and _UNSUPPORTED.search(r.message):
        return "unsupported"
    errors = (fnum(v) for v in (r.max_abs_error, r.max_rel_error, r.error_ratio))
    if any(e is not None and not math.isfinite(e) for e in errors) or _NON_FINITE.search(r.message):
        return "non_finite"
    if "underflow" in r.message.lower():
        return "underflow"
    return "wrong_value"


def is_finding(r: Record) -> bool:
    """A registered deviation whose registry entry has no upstream issue link, or says ``finding``
    (upstream has no record of it for this function; its link may name a root cause elsewhere)."""
    return (
        r.status == "deviation"
        and bool(r.registry)
        and (bool(r.registry.get("finding")) or safe_link(r.registry.get("link")) is None)
    )


@dataclass
class Detail:
    anchor: str
    record: Record
    column: Column
    input_text: str
    link: str | None
    ratio_text: str


@dataclass
class Group:
    """The failures of one framework version, registered or not, of one class; its details hold
    the anchors ``d<start>`` … ``d<start + len - 1>``."""

    id: str
    framework: str
    version: str
    registered: bool
    cls: str
    start: int
    details: list[Detail]

    @property
    def label(self) -> str:
        return CLASSES[self.cls]

    @property
    def kind(self) -> str:
        n = len(self.details)
        what = "registered deviation" if self.registered else "unregistered failure"
        return f"{n} {what}{'s' if n != 1 else ''}"


def groups(records: list[Record]) -> list[Group]:
    """Every fail, error and deviation, grouped by (framework, version, registered, class) in the
    report's framework order, unregistered first; worst first inside a group."""
    keyed = []
    for r in records:
        if r.status in BAD:
            cls = failure_class(r)
            key = (
                framework_rank(r.framework),
                r.framework,
                version_key(r.framework_version),
                r.status == "deviation",
                list(CLASSES).index(cls),
            )
            keyed.append((key, cls, r))
    keyed.sort(
        key=lambda t: (
            t[0],
            -SEVERITY.get(t[2].status, 0),
            family_rank(t[2].family),
            t[2].case,
            t[2].check,
            column_of(t[2]).sort_key(),
            t[2].dtype,
        )
    )
    out: list[Group] = []
    for i, (key, cls, r) in enumerate(keyed):
        if not out or (out[-1].framework, out[-1].version, out[-1].registered, out[-1].cls) != (
            r.framework,
            r.framework_version,
            key[3],
            cls,
        ):
            out.append(Group(f"g{len(out)}", r.framework, r.framework_version, key[3], cls, i, []))
        out[-1].details.append(_detail(f"d{i}", r))
    return out


def _detail(anchor: str, r: Record) -> Detail:
    reg = r.registry or {}
    return Detail(
        anchor,
        r,
        column_of(r),
        "" if r.input is None else compact_json(r.input),
        safe_link(reg.get("link")),
        fmt_ratio(fnum(r.error_ratio)),
    )


def details(groups_: list[Group]) -> list[Detail]:
    """Every detail of the groups, in anchor order."""
    return [d for g in groups_ for d in g.details]
