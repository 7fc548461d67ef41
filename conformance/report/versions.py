"""The version diff: consecutive versions of each framework compared record by record (status,
error ratio, benchmark median, convention value).

Thresholds, stated on the page: an error ratio counts as changed when it moved by more than
RATIO_FACTOR (ratios below RATIO_FLOOR count as RATIO_FLOOR: movement far inside the tolerance is
noise), a timing when its median moved by more than TIME_FACTOR.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from conformance.records import SEVERITY, Record
from conformance.report.conventions import convention_text
from conformance.report.formatting import (
    family_rank,
    fmt_ratio,
    fmt_seconds,
    fnum,
    framework_rank,
    max_ratio,
    version_key,
    worst,
)

RATIO_FACTOR = 10.0
RATIO_FLOOR = 1e-2
TIME_FACTOR = 1.5


@dataclass
class VersionChange:
    what: str  # "status", "error", "time", "convention", "added", "removed"
    family: str
    case: str
    check: str
    where: str  # api, device, dtype (and mode, n for timings)
    before: str
    after: str
    factor: float | None = None
    direction: str = "changed"  # "worse", "better" or "changed" (conventions, nan appearing)


@dataclass
class VersionDiff:
    framework: str
    old: str
    new: str
    changes: list[VersionChange]
    compared: int
    added: int
    removed: int
    tally: dict[str, int] = field(default_factory=dict)  # "status worse" -> count


def _check_key(r: Record) -> tuple:
    return (r.kind, r.family, r.case, r.check, r.api, r.device, r.dtype, str(r.point or ""))


def version_diffs(records: list[Record]) -> list[VersionDiff]:
    """For each framework present in several versions, consecutive versions compared record by
    record (matched on kind, family, case, check, api, device, dtype, point; benchmarks also on
    mode and n): status changes, error ratios that moved by more than RATIO_FACTOR, benchmark
    medians that moved by more than TIME_FACTOR, and convention values that changed."""
    by_fw: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        by_fw[r.framework][r.framework_version].append(r)
    out = []
    for fw in sorted(by_fw, key=lambda n: (framework_rank(n), n)):
        versions = sorted(by_fw[fw], key=version_key)
        for old, new in itertools.pairwise(versions):
            out.append(_diff(fw, old, new, by_fw[fw][old], by_fw[fw][new]))
    return out


def _index(recs: list[Record]) -> dict[tuple, list[Record]]:
    idx: dict[tuple, list[Record]] = defaultdict(list)
    for r in recs:
        key = _check_key(r)
        if r.kind == "benchmark":
            key += (str(r.data.get("mode")),)  # a series: every size n of one operator and mode
        idx[key].append(r)
    return idx


def _medians(recs: list[Record]) -> dict[float, float]:
    """n -> the smallest positive median time measured at n."""
    out: dict[float, float] = {}
    for r in recs:
        n, t = fnum(r.data.get("n")), fnum(r.data.get("median_s"))
        if n is not None and t is not None and t > 0 and math.isfinite(t):
            out[n] = min(out.get(n, t), t)
    return out


def _n_range(ns: list[float]) -> str:
    return f"{ns[0]:g}" if len(ns) == 1 else f"{ns[0]:g}…{ns[-1]:g}"


def _direction(before: str, after: str) -> str:
    """worse/better by SEVERITY; a change to or from skip is neither (nothing was judged)."""
    if "skip" in (before, after):
        return "changed"
    delta = SEVERITY.get(after, 0) - SEVERITY.get(before, 0)
    return "worse" if delta > 0 else "better" if delta < 0 else "changed"


def _diff(fw: str, old: str, new: str, a: list[Record], b: list[Record]) -> VersionDiff:
    ia, ib = _index(a), _index(b)
    changes: list[VersionChange] = []
    common = [k for k in ia if k in ib]
    for key in sorted(common, key=lambda k: (family_rank(k[1]), k[2:])):
        ra, rb = ia[key], ib[key]
        kind, fam, case, chk, api, dev, dtype, point = key[:8]
        where = f"{api} · {dev} · {dtype}" + (f" · at {point}" if point else "")
        if kind == "benchmark":
            ta, tb = _medians(ra), _medians(rb)
            sizes = sorted(set(ta) & set(tb))
            if sizes:
                f = math.exp(sum(math.log(tb[n] / ta[n]) for n in sizes) / len(sizes))
                if f > TIME_FACTOR or f < 1 / TIME_FACTOR:
                    n = sizes[-1]
                    where += f" · {key[8]} · n={_n_range(sizes)}"
                    changes.append(
                        VersionChange(
                            "time",
                            fam,
                            case,
                            chk,
                            where,
                            f"{fmt_seconds(ta[n])} at n={n:g}",
                            f"{fmt_seconds(tb[n])} at n={n:g}",
                            f,
                            "worse" if f > 1 else "better",
                        )
                    )
            continue
        if kind == "convention":
            va = {convention_text(r.data.get("value")) for r in ra}
            vb = {convention_text(r.data.get("value")) for r in rb}
            if va != vb:
                changes.append(
                    VersionChange("convention", fam, case, chk, where, " | ".join(sorted(va)), " | ".join(sorted(vb)))
                )
            continue
        sa, sb = worst(r.status for r in ra), worst(r.status for r in rb)
        xa, xb = max_ratio(r.error_ratio for r in ra), max_ratio(r.error_ratio for r in rb)
        if sa != sb:
            changes.append(
                VersionChange(
                    "status",
                    fam,
                    case,
                    chk,
                    where,
                    f"{sa} {fmt_ratio(xa)}".strip(),
                    f"{sb} {fmt_ratio(xb)}".strip(),
                    None,
                    _direction(sa, sb),
                )
            )
        elif xa is not None and xb is not None:
            if math.isnan(xa) != math.isnan(xb):
                changes.append(
                    VersionChange(
                        "error",
                        fam,
                        case,
                        chk,
                        where,
                        fmt_ratio(xa),
                        fmt_ratio(xb),
                        None,
                        "worse" if math.isnan(xb) else "better",
                    )
                )
            elif not math.isnan(xa):
                fa, fb = max(xa, RATIO_FLOOR), max(xb, RATIO_FLOOR)
                f = fb / fa
                if f > RATIO_FACTOR or f < 1 / RATIO_FACTOR:
                    changes.append(
                        VersionChange(
                            "error",
                            fam,
                            case,
                            chk,
                            where,
                            fmt_ratio(xa),
                            fmt_ratio(xb),
                            f,
                            "worse" if f > 1 else "better",
                        )
                    )
    order = {"status": 0, "convention": 1, "error": 2, "time": 3}
    changes.sort(key=lambda c: (order[c.what], family_rank(c.family), c.case, c.check, c.where))
    added = sum(1 for k in ib if k not in ia)
    removed = sum(1 for k in ia if k not in ib)
    return VersionDiff(
        fw, old, new, changes, len(common), added, removed, dict(Counter(f"{c.what} {c.direction}" for c in changes))
    )
