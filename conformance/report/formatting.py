"""What every section of the report shares: columns and their order, worst status, and how numbers,
times and record values are written on the page.

A *column* is one (framework, api, version, device): the unit the report compares. Severity order
for the *worst status* of a cell is ``records.SEVERITY`` (pass < skip < deviation < fail < error).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance import adapters
from conformance.records import SEVERITY, Record

FAMILY_ORDER = (
    "elementwise",
    "reductions",
    "linalg",
    "nn",
    "compositions",
    "complex",
    "degenerate",
    "integrals",
    "optimizers",
)
INPUT_CHARS = 1500  # how much of a shrunk input the details show before cutting it


# ---------------------------------------------------------------- columns and ordering
def version_key(v: str) -> tuple:
    """Sort key for version strings: PEP 440 order where they parse, text order otherwise."""
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(v), "")
    except InvalidVersion:
        return (1, (), str(v))


@dataclass(frozen=True, order=False)
class Column:
    framework: str
    api: str
    version: str
    device: str

    @property
    def label(self) -> str:
        return f"{self.framework}[{self.api}] {self.version} {self.device}"

    @property
    def short(self) -> str:
        return f"{self.framework}[{self.api}]"

    def sort_key(self) -> tuple:
        return (framework_rank(self.framework), self.framework, version_key(self.version), self.api, self.device)


@cache
def _framework_ranks() -> dict[str, int]:
    return {name: i for i, name in enumerate(adapters.order())}


def framework_rank(name: str) -> int:
    """The framework's place in the adapters' display order (``adapters.order()``); unknown
    frameworks after every known one."""
    ranks = _framework_ranks()
    return ranks.get(name, len(ranks))


def family_rank(name: str) -> tuple:
    return (FAMILY_ORDER.index(name) if name in FAMILY_ORDER else len(FAMILY_ORDER), name)


def column_of(r: Record) -> Column:
    return Column(r.framework, r.api or "-", r.framework_version or "?", r.device or "-")


def sorted_columns(cols: Iterable[Column]) -> list[Column]:
    return sorted(set(cols), key=Column.sort_key)


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: SEVERITY.get(s, 0), default="skip")


def real_status(records: list[Record]) -> str:
    """The worst status of the records that were judged (skips aside); "na" where every record is a
    skip: the task does not apply there (or the function is not provided)."""
    judged = [r.status for r in records if r.status != "skip"]
    return worst(judged) if judged else "na"


def family_anchor(family: str) -> str:
    """The id of a family's rows in the matrix."""
    return "fam-" + re.sub(r"[^A-Za-z0-9_.-]", "_", family)


# ---------------------------------------------------------------- numbers
def fnum(x: Any) -> float | None:
    """A record number as float: JSON strings 'nan', 'inf', '-inf' back to floats; else None."""
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str) and x in ("nan", "inf", "-inf"):
        return float(x)
    return None


def max_ratio(values: Iterable[Any]) -> float | None:
    """Largest error ratio; nan counts as larger than any number (an unmeasurable error)."""
    best = None
    for v in values:
        f = fnum(v)
        if f is None:
            continue
        if math.isnan(f):
            return f
        best = f if best is None else max(best, f)
    return best


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return ""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf"
    return f"{x:.2g}"


def fmt_compact(x: float | None) -> str:
    """A ratio in a few characters, for small cells: 0.49, 9.3, 280, 7e3, 1e-5, nan, inf."""
    if x is None or not math.isfinite(x):
        return fmt_ratio(x)
    if 0.01 <= abs(x) < 100:
        return f"{x:.2g}"
    if 100 <= abs(x) < 1000:
        return f"{x:.0f}"
    return "0" if x == 0 else f"{x:.0e}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def fmt_num(x: Any, digits: int = 3) -> str:
    f = fnum(x)
    if f is None:
        return "" if x is None else str(x)
    if math.isnan(f) or math.isinf(f):
        return str(f)
    if f == 0:
        return "0"
    if 1e-3 <= abs(f) < 1e5:
        return f"{f:.{digits}g}"
    return f"{f:.{max(digits - 1, 1)}e}"


def fmt_seconds(x: Any) -> str:
    f = fnum(x)
    if f is None or math.isnan(f):
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(f) >= scale:
            return f"{f / scale:.3g} {unit}"
    return f"{f / 1e-9:.3g} ns"


# ---------------------------------------------------------------- text
def compact_json(value: Any, limit: int = INPUT_CHARS) -> str:
    """JSON text of a value, numbers shortened to 6 significant digits, cut at ``limit`` chars."""

    def short(v: Any) -> Any:
        if isinstance(v, float):
            return float(f"{v:.6g}")
        if isinstance(v, list):
            return [short(x) for x in v]
        if isinstance(v, dict):
            return {k: short(x) for k, x in v.items()}
        return v

    text = json.dumps(short(value), separators=(",", ":"), ensure_ascii=False)
    if len(text) > limit:
        return text[:limit] + f" … ({len(text) - limit} more characters)"
    return text


def safe_link(url: Any) -> str | None:
    """An http(s) URL to use as href, else None (a record cannot smuggle a javascript: link)."""
    if isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url):
        return url
    return None


def threads_text(t: Any) -> str:
    """A run header's thread counts on one line (nested dicts in braces)."""
    if not isinstance(t, dict):
        return str(t) if t is not None else "?"
    parts = []
    for k, v in t.items():
        if isinstance(v, dict):
            v = ", ".join(f"{kk}={vv}" for kk, vv in v.items())
            parts.append(f"{k}: {{{v}}}")
        else:
            parts.append(f"{k}={v}")
    return "; ".join(parts)
