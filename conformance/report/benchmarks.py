"""Benchmarks: time vs problem size and derivative/primal time ratio per operator, one series per
column and mode, with a summary row per series and the compile times measured apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from conformance.records import Record
from conformance.report.formatting import column_of, fmt_num, fmt_seconds, fnum, framework_rank, version_key


@dataclass
class BenchGroup:
    family: str
    case: str
    series: dict[str, dict[str, list[tuple[float, float]]]]  # operator -> label -> [(n, median)]
    ratios: dict[str, dict[str, list[tuple[float, float]]]]  # operator -> label -> [(n, ratio)]
    bounds: dict[str, float]  # operator -> bound (largest stated)
    rows: list[dict]
    compile_rows: list[dict]  # per series: compile time (s) at each size, measured apart
    compile_sizes: list[int] = field(default_factory=list)


def benchmarks(records: list[Record]) -> list[BenchGroup]:
    """Benchmark records per (family, case) (the latest run of each measurement: see
    ``latest_benchmarks``): time vs n and derivative/primal ratio vs n per operator, one series per column and mode (charts: the newest version of each framework; the
    version diff compares versions), plus a summary row per series (at the largest n)."""
    bench = latest_benchmarks(r for r in records if r.kind == "benchmark")
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for r in bench:
        groups[(r.family, r.case)].append(r)
    newest: dict[str, str] = {}
    for r in bench:
        v = r.framework_version
        if r.framework not in newest or version_key(v) > version_key(newest[r.framework]):
            newest[r.framework] = v
    multi_device = len({r.device for r in bench}) > 1
    multi_dtype = len({r.dtype for r in bench}) > 1
    out = []
    for fam, case in sorted(groups, key=lambda k: (k[0] != "benchmarks", k[0], k[1])):
        recs = groups[(fam, case)]
        series: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        ratios: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        bounds: dict[str, float] = {}
        per_series: dict[tuple, list[Record]] = defaultdict(list)
        skipped = []
        for r in recs:
            d = r.data
            col = column_of(r)
            label = col.short + " " + str(d.get("mode", ""))
            if multi_device:
                label += " " + col.device
            if multi_dtype:
                label += " " + r.dtype
            op = r.check
            if r.status == "skip":
                skipped.append(r)
                continue
            n, med, ratio = fnum(d.get("n")), fnum(d.get("median_s")), fnum(d.get("ratio"))
            if col.version == newest[col.framework]:  # charts: the newest version of each framework
                if n is not None and med is not None and n > 0 and med > 0:
                    series[op][label].append((n, med))
                if n is not None and ratio is not None and ratio > 0:
                    ratios[op][label].append((n, ratio))
            b = fnum(d.get("bound"))
            if b is not None:
                bounds[op] = max(bounds.get(op, b), b)
            per_series[(op, col, str(d.get("mode", "")), r.dtype)].append(r)
        rows, compile_rows = [], []
        for (op, col, mode, dtype), rs in sorted(
            per_series.items(), key=lambda kv: (_operator_rank(kv[0][0]), kv[0][1].sort_key(), kv[0][2], kv[0][3])
        ):
            rs = sorted(rs, key=lambda r: fnum(r.data.get("n")) or 0)
            last = rs[-1].data
            ns = [fnum(r.data.get("n")) for r in rs]
            ns = [int(n) for n in ns if n is not None]
            ref = last.get("reference") if isinstance(last.get("reference"), dict) else None
            rows.append(
                {
                    "operator": op,
                    "column": col,
                    "mode": mode,
                    "dtype": dtype,
                    "n": f"{min(ns)}–{max(ns)}" if len(ns) > 1 else (str(ns[0]) if ns else ""),
                    "n_max": max(ns) if ns else None,
                    "median": fmt_seconds(last.get("median_s")),
                    "median_s": fnum(last.get("median_s")),
                    "iqr": fmt_seconds(last.get("iqr_s")),
                    "exponent": fmt_num(last.get("exponent")),
                    "ratio": fmt_num(last.get("ratio")),
                    "ratio_v": fnum(last.get("ratio")),
                    "bound": fmt_num(last.get("bound")),
                    "over_bound": any(bool(r.data.get("over_bound")) for r in rs),
                    "reference": fmt_num(ref.get("ratio")) if ref else "",
                    "reference_source": str(ref.get("source", "")) if ref else "",
                    "compile": fmt_seconds(max((fnum(r.data.get("compile_s")) or 0) for r in rs) or None),
                }
            )
            times = {}
            for r in rs:
                d = r.data
                if fnum(d.get("compile_s")) is not None and fnum(d.get("n")) is not None:
                    times[int(fnum(d.get("n")))] = fnum(d.get("compile_s"))
            if times:
                compile_rows.append({"operator": op, "column": col, "mode": mode, "dtype": dtype, "times": times})
        for r in skipped:
            d = r.data
            rows.append(
                {
                    "operator": r.check,
                    "column": column_of(r),
                    "mode": str(d.get("mode", "")),
                    "dtype": r.dtype,
                    "n": str(d.get("n", "")),
                    "n_max": None,
                    "median": "skipped",
                    "median_s": None,
                    "iqr": "",
                    "exponent": "",
                    "ratio": "",
                    "ratio_v": None,
                    "bound": "",
                    "over_bound": False,
                    "reference": "",
                    "reference_source": "",
                    "compile": "",
                    "message": r.message,
                }
            )
        for s in series.values():
            for pts in s.values():
                pts.sort()
        for s in ratios.values():
            for pts in s.values():
                pts.sort()
        sizes = sorted({n for row in compile_rows for n in row["times"]})
        for row in compile_rows:
            row["cells"] = [(row["times"].get(n), fmt_seconds(row["times"].get(n))) for n in sizes]
        out.append(BenchGroup(fam, case, _by_operator(series), _by_operator(ratios), bounds, rows, compile_rows, sizes))
    return out


def _bench_key(r: Record) -> tuple:
    d = r.data
    return (
        r.framework,
        r.framework_version,
        r.api,
        r.device,
        r.dtype,
        r.family,
        r.case,
        r.check,
        str(d.get("mode")),
        str(d.get("n")),
    )


def latest_benchmarks(records: Iterable[Record]) -> list[Record]:
    """One benchmark record per (column, dtype, function, operator, mode, n): the one from the
    latest run (run ids begin with their UTC start time), so merged repeat runs do not mix."""
    best: dict[tuple, dict] = {}
    for r in records:
        k = _bench_key(r)
        if k not in best or r.run_id >= best[k].run_id:
            best[k] = r
    return list(best.values())


def superseded_benchmarks(records: list[Record]) -> int:
    """How many benchmark records a later run of the same series replaced."""
    bench = [r for r in records if r.kind == "benchmark"]
    return len(bench) - len({_bench_key(r) for r in bench})


OPERATOR_ORDER = ("primal", "grad", "value_and_grad", "jvp", "vjp", "jacobian_fwd", "jacobian_rev", "hessian", "hvp")


def _operator_rank(op: str) -> tuple:
    return (OPERATOR_ORDER.index(op) if op in OPERATOR_ORDER else len(OPERATOR_ORDER), op)


def _series_rank(label: str) -> tuple:
    return (framework_rank(label.split("[", 1)[0]), label)


def _by_operator(d: dict) -> dict[str, dict[str, list]]:
    return {op: {lab: d[op][lab] for lab in sorted(d[op], key=_series_rank)} for op in sorted(d, key=_operator_rank)}
