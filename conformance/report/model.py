"""What the report shows, as plain data: records merged into summary, matrix, failure details,
agreement, conventions, benchmarks, studies, version diff and environment.

Everything here is a query over validated records (``conformance.records.read``); nothing is
rendered. A *column* is one (framework, api, version, device): the unit the report compares.
Severity order for the *worst status* of a cell is ``records.SEVERITY``
(pass < skip < deviation < fail < error).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.records import SEVERITY, STATUSES, RecordSet

FAMILY_ORDER = ("elementwise", "reductions", "linalg", "nn", "compositions", "complex", "degenerate",
                "integrals", "optimizers")
FRAMEWORK_ORDER = ("numpy", "torch", "tensorflow", "jax")
# Version diff thresholds, stated on the page: an error ratio counts as changed when it moved by
# more than RATIO_FACTOR (ratios below RATIO_FLOOR count as RATIO_FLOOR: movement far inside the
# tolerance is noise), a timing when its median moved by more than TIME_FACTOR.
RATIO_FACTOR = 10.0
RATIO_FLOOR = 1e-2
TIME_FACTOR = 1.5
INPUT_CHARS = 1500   # how much of a shrunk input the details show before cutting it


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
        return (framework_rank(self.framework), self.framework, version_key(self.version), self.api,
                self.device)


def framework_rank(name: str) -> int:
    return FRAMEWORK_ORDER.index(name) if name in FRAMEWORK_ORDER else len(FRAMEWORK_ORDER)


def family_rank(name: str) -> tuple:
    return (FAMILY_ORDER.index(name) if name in FAMILY_ORDER else len(FAMILY_ORDER), name)


def column_of(r: dict) -> Column:
    return Column(str(r.get("framework", "?")), str(r.get("api") or "-"),
                  str(r.get("framework_version") or "?"), str(r.get("device") or "-"))


def sorted_columns(cols: Iterable[Column]) -> list[Column]:
    return sorted(set(cols), key=Column.sort_key)


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: SEVERITY.get(s, 0), default="skip")


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


# ---------------------------------------------------------------- summary
@dataclass
class Summary:
    frameworks: dict[str, list[str]]
    apis: dict[str, list[str]]
    devices: list[str]
    dtypes: list[str]
    dates: list[str]
    machines: list[str]
    cpu_models: list[str]
    threads: list[str]
    counts: dict[str, int]
    kinds: dict[str, int]
    column_counts: list[tuple[Column, dict[str, int]]]
    files: list[str]
    synthetic: bool


def summarize(rs: RecordSet) -> Summary:
    fw: dict[str, set] = defaultdict(set)
    apis: dict[str, set] = defaultdict(set)
    devices, dtypes = set(), set()
    per_col: dict[Column, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    kinds: Counter = Counter()
    for r in rs.records:
        fw[r["framework"]].add(str(r.get("framework_version", "?")))
        apis[r["framework"]].add(str(r.get("api", "-")))
        devices.add(str(r.get("device", "-")))
        dtypes.add(str(r.get("dtype", "-")))
        kinds[r["kind"]] += 1
        if r["kind"] == "check":
            counts[r["status"]] += 1
            per_col[column_of(r)][r["status"]] += 1
    envs = [h.get("environment", {}) for h in rs.runs.values()]
    dates = sorted({str(e.get("date", "")) for e in envs if e.get("date")})
    machines = sorted({f"{e.get('hostname', '?')} ({e.get('platform', e.get('machine', '?'))})"
                       for e in envs})
    cpus = sorted({str(e.get("cpu_model", "?")) for e in envs})
    threads = sorted({threads_text(e.get("threads")) for e in envs})
    order = sorted(fw, key=lambda n: (framework_rank(n), n))
    return Summary(
        frameworks={n: sorted(fw[n], key=version_key) for n in order},
        apis={n: sorted(apis[n]) for n in order},
        devices=sorted(devices), dtypes=sorted(dtypes), dates=dates, machines=machines,
        cpu_models=cpus, threads=threads,
        counts={s: counts.get(s, 0) for s in STATUSES}, kinds=dict(kinds),
        column_counts=[(c, {s: per_col[c].get(s, 0) for s in STATUSES})
                       for c in sorted_columns(per_col)],
        files=list(rs.files),
        synthetic=any(bool(e.get("synthetic")) for e in envs))


def threads_text(t: Any) -> str:
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


# ---------------------------------------------------------------- matrix
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
class Matrix:
    columns: list[Column]
    rows: list[MatrixRow]

    @property
    def check_rows(self) -> int:
        return sum(len(r.checks) for r in self.rows)


def _cell(recs: list[dict], anchors: dict[int, str]) -> Cell:
    st = worst(r["status"] for r in recs)
    c = Counter(r["status"] for r in recs)
    anchor = next((anchors[id(r)] for r in recs if id(r) in anchors), None)
    return Cell(st, max_ratio(r.get("error_ratio") for r in recs),
                {s: c.get(s, 0) for s in STATUSES}, anchor)


def matrix(records: list[dict], anchors: dict[int, str]) -> Matrix:
    """Rows (family, case), one cell per column: the worst status over checks and dtypes, with the
    largest error/tolerance ratio; each row also holds the same per check."""
    checks = [r for r in records if r["kind"] == "check"]
    cols = sorted_columns(column_of(r) for r in checks)
    index = {c: i for i, c in enumerate(cols)}
    by_case: dict[tuple, dict[str, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in checks:
        by_case[(str(r.get("family", "?")), str(r["case"]))][str(r["check"])][index[column_of(r)]].append(r)
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
    return Matrix(cols, rows)


# ---------------------------------------------------------------- failure details
@dataclass
class Detail:
    anchor: str
    record: dict
    column: Column
    input_text: str
    link: str | None
    ratio_text: str


def details(records: list[dict]) -> list[Detail]:
    """Every fail, error and deviation, worst first, each with an anchor the matrix links to."""
    bad = [r for r in records if r.get("status") in ("fail", "error", "deviation")]
    bad.sort(key=lambda r: (-SEVERITY.get(r["status"], 0), family_rank(str(r.get("family", ""))),
                            str(r["case"]), str(r["check"]), column_of(r).sort_key(), str(r.get("dtype"))))
    out = []
    for i, r in enumerate(bad):
        reg = r.get("registry") or {}
        out.append(Detail(f"d{i}", r, column_of(r),
                          "" if r.get("input") is None else compact_json(r.get("input")),
                          safe_link(reg.get("link")), fmt_ratio(fnum(r.get("error_ratio")))))
    return out


# ---------------------------------------------------------------- agreement
@dataclass
class AgreementView:
    """One heat map: ``conformance.derivatives.agreement.pairwise`` for a dtype and quantity, with
    its largest off-diagonal differences listed (difference, column a, column b, case)."""

    dtype: str
    quantity: str
    labels: list[str]
    values: list[list[float | None]]
    worst: list[tuple[float, str, str, str]]


def agreement(records: list[dict]) -> list[AgreementView]:
    """Cross-framework agreement on the canonical probes (the ``probe`` check's records), per dtype,
    for the derivative and for f(x); only where at least two columns probed."""
    from conformance.derivatives.agreement import pairwise

    dtypes = sorted({str(r.get("dtype")) for r in records
                     if r.get("kind") == "check" and r.get("check") == "probe" and r.get("probe")})
    out = []
    for dtype in dtypes:
        for quantity in ("derivative", "value"):
            a = pairwise(records, dtype=dtype, quantity=quantity)
            if len(a.labels) < 2:
                continue
            n = len(a.labels)
            worst = [(a.matrix[i][j], a.labels[i], a.labels[j], a.worst.get((i, j), ""))
                     for i in range(n) for j in range(i + 1, n)
                     if a.matrix[i][j] is not None and a.matrix[i][j] != 0]
            worst.sort(key=lambda t: -t[0] if not math.isnan(t[0]) else -math.inf)
            out.append(AgreementView(dtype, quantity, list(a.labels), a.matrix, worst[:15]))
    return out


# ---------------------------------------------------------------- conventions
def convention_text(value: Any) -> str:
    return compact_json(value, limit=200)


@dataclass
class ConventionRow:
    case: str
    check: str
    cells: list[str | None]
    odd: list[bool]          # cell differs from the most common answer
    differs: bool
    expected: str
    note: str


@dataclass
class Conventions:
    columns: list[Column]
    rows: list[ConventionRow]


def conventions(records: list[dict]) -> Conventions:
    """What each column returns at each probe, side by side. A cell lists the value per dtype when
    dtypes disagree; a row *differs* when its cells are not all equal (6 significant digits)."""
    conv = [r for r in records if r["kind"] == "convention"]
    cols = sorted_columns(column_of(r) for r in conv)
    idx = {c: i for i, c in enumerate(cols)}
    grid: dict[tuple, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    meta: dict[tuple, dict] = {}
    for r in conv:
        key = (str(r["case"]), str(r["check"]))
        data = r.get("data") or {}
        grid[key][idx[column_of(r)]][str(r.get("dtype"))] = convention_text(data.get("value"))
        meta.setdefault(key, data)
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
        rows.append(ConventionRow(key[0], key[1], cells, odd, any(odd),
                                  "" if exp is None else convention_text(exp), str(data.get("note", ""))))
    return Conventions(cols, rows)


# ---------------------------------------------------------------- benchmarks
@dataclass
class BenchGroup:
    family: str
    case: str
    series: dict[str, dict[str, list[tuple[float, float]]]]  # operator -> label -> [(n, median)]
    ratios: dict[str, dict[str, list[tuple[float, float]]]]   # operator -> label -> [(n, ratio)]
    bounds: dict[str, float]                                  # operator -> bound (largest stated)
    rows: list[dict]
    compile_rows: list[dict]     # per series: compile time (s) at each size, measured apart
    compile_sizes: list[int] = field(default_factory=list)


def benchmarks(records: list[dict]) -> list[BenchGroup]:
    """Benchmark records per (family, case) (the latest run of each measurement: see
    ``latest_benchmarks``): time vs n and derivative/primal ratio vs n per operator, one series per column and mode (charts: the newest version of each framework; the
    version diff compares versions), plus a summary row per series (at the largest n)."""
    bench = latest_benchmarks(r for r in records if r["kind"] == "benchmark")
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in bench:
        groups[(str(r.get("family", "benchmarks")), str(r["case"]))].append(r)
    newest: dict[str, str] = {}
    for r in bench:
        v = str(r.get("framework_version"))
        if r["framework"] not in newest or version_key(v) > version_key(newest[r["framework"]]):
            newest[r["framework"]] = v
    multi_device = len({r.get("device") for r in bench}) > 1
    multi_dtype = len({r.get("dtype") for r in bench}) > 1
    out = []
    for fam, case in sorted(groups, key=lambda k: (k[0] != "benchmarks", k[0], k[1])):
        recs = groups[(fam, case)]
        series: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        ratios: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        bounds: dict[str, float] = {}
        per_series: dict[tuple, list[dict]] = defaultdict(list)
        skipped = []
        for r in recs:
            d = r.get("data") or {}
            col = column_of(r)
            label = col.short + " " + str(d.get("mode", ""))
            if multi_device:
                label += " " + col.device
            if multi_dtype:
                label += " " + str(r.get("dtype"))
            op = str(r["check"])
            if r.get("status") == "skip":
                skipped.append(r)
                continue
            n, med, ratio = fnum(d.get("n")), fnum(d.get("median_s")), fnum(d.get("ratio"))
            if col.version == newest[col.framework]:   # charts: the newest version of each framework
                if n is not None and med is not None and n > 0 and med > 0:
                    series[op][label].append((n, med))
                if n is not None and ratio is not None and ratio > 0:
                    ratios[op][label].append((n, ratio))
            b = fnum(d.get("bound"))
            if b is not None:
                bounds[op] = max(bounds.get(op, b), b)
            per_series[(op, col, str(d.get("mode", "")), str(r.get("dtype")))].append(r)
        rows, compile_rows = [], []
        for (op, col, mode, dtype), rs in sorted(per_series.items(),
                                                 key=lambda kv: (_operator_rank(kv[0][0]), kv[0][1].sort_key(),
                                                                 kv[0][2], kv[0][3])):
            rs = sorted(rs, key=lambda r: fnum((r.get("data") or {}).get("n")) or 0)
            last = rs[-1].get("data") or {}
            ns = [fnum((r.get("data") or {}).get("n")) for r in rs]
            ns = [int(n) for n in ns if n is not None]
            ref = last.get("reference") if isinstance(last.get("reference"), dict) else None
            rows.append({
                "operator": op, "column": col, "mode": mode, "dtype": dtype,
                "n": f"{min(ns)}–{max(ns)}" if len(ns) > 1 else (str(ns[0]) if ns else ""),
                "n_max": max(ns) if ns else None,
                "median": fmt_seconds(last.get("median_s")), "median_s": fnum(last.get("median_s")),
                "iqr": fmt_seconds(last.get("iqr_s")),
                "exponent": fmt_num(last.get("exponent")),
                "ratio": fmt_num(last.get("ratio")), "ratio_v": fnum(last.get("ratio")),
                "bound": fmt_num(last.get("bound")),
                "over_bound": any(bool((r.get("data") or {}).get("over_bound")) for r in rs),
                "reference": fmt_num(ref.get("ratio")) if ref else "",
                "reference_source": str(ref.get("source", "")) if ref else "",
                "compile": fmt_seconds(max((fnum((r.get("data") or {}).get("compile_s")) or 0) for r in rs)
                                       or None),
            })
            times = {}
            for r in rs:
                d = r.get("data") or {}
                if fnum(d.get("compile_s")) is not None and fnum(d.get("n")) is not None:
                    times[int(fnum(d.get("n")))] = fnum(d.get("compile_s"))
            if times:
                compile_rows.append({"operator": op, "column": col, "mode": mode, "dtype": dtype, "times": times})
        for r in skipped:
            d = r.get("data") or {}
            rows.append({"operator": str(r["check"]), "column": column_of(r), "mode": str(d.get("mode", "")),
                         "dtype": str(r.get("dtype")), "n": str(d.get("n", "")), "n_max": None,
                         "median": "skipped", "median_s": None, "iqr": "", "exponent": "", "ratio": "",
                         "ratio_v": None, "bound": "", "over_bound": False, "reference": "",
                         "reference_source": "", "compile": "", "message": str(r.get("message", ""))})
        for s in series.values():
            for pts in s.values():
                pts.sort()
        for s in ratios.values():
            for pts in s.values():
                pts.sort()
        sizes = sorted({n for row in compile_rows for n in row["times"]})
        for row in compile_rows:
            row["cells"] = [(row["times"].get(n), fmt_seconds(row["times"].get(n))) for n in sizes]
        out.append(BenchGroup(fam, case, _by_operator(series), _by_operator(ratios), bounds, rows, compile_rows,
                              sizes))
    return out


def _bench_key(r: dict) -> tuple:
    d = r.get("data") or {}
    return (r["framework"], str(r.get("framework_version")), str(r.get("api")), str(r.get("device")),
            str(r.get("dtype")), str(r.get("family")), str(r["case"]), str(r["check"]), str(d.get("mode")),
            str(d.get("n")))


def latest_benchmarks(records: Iterable[dict]) -> list[dict]:
    """One benchmark record per (column, dtype, function, operator, mode, n): the one from the
    latest run (run ids begin with their UTC start time), so merged repeat runs do not mix."""
    best: dict[tuple, dict] = {}
    for r in records:
        k = _bench_key(r)
        if k not in best or str(r.get("run_id", "")) >= str(best[k].get("run_id", "")):
            best[k] = r
    return list(best.values())


def superseded_benchmarks(records: list[dict]) -> int:
    """How many benchmark records a later run of the same series replaced."""
    bench = [r for r in records if r["kind"] == "benchmark"]
    return len(bench) - len({_bench_key(r) for r in bench})


OPERATOR_ORDER = ("primal", "grad", "value_and_grad", "jvp", "vjp", "jacobian_fwd", "jacobian_rev", "hessian",
                  "hvp")


def _operator_rank(op: str) -> tuple:
    return (OPERATOR_ORDER.index(op) if op in OPERATOR_ORDER else len(OPERATOR_ORDER), op)


def _series_rank(label: str) -> tuple:
    return (framework_rank(label.split("[", 1)[0]), label)


def _by_operator(d: dict) -> dict[str, dict[str, list]]:
    return {op: {lab: d[op][lab] for lab in sorted(d[op], key=_series_rank)}
            for op in sorted(d, key=_operator_rank)}


# ---------------------------------------------------------------- studies
@dataclass
class StudyItem:
    record: dict
    column: Column
    chart: dict | None
    table: dict | None


def studies(records: list[dict]) -> dict[str, list[StudyItem]]:
    """Every record (any kind but benchmark) carrying a data.chart or data.table, by family."""
    out: dict[str, list[StudyItem]] = defaultdict(list)
    for r in records:
        if r["kind"] == "benchmark":
            continue
        d = r.get("data") or {}
        chart = d.get("chart") if isinstance(d.get("chart"), dict) else None
        table = _table(d.get("table"))
        if chart or table:
            out[str(r.get("family", "?"))].append(StudyItem(r, column_of(r), chart, table))
    for items in out.values():
        items.sort(key=lambda s: (str(s.record["case"]), str(s.record["check"]), s.column.sort_key(),
                                  str(s.record.get("dtype"))))
    return dict(sorted(out.items(), key=lambda kv: family_rank(kv[0])))


def _table(t: Any) -> dict | None:
    """A record's data.table as {"columns": [str], "rows": [[cell]]}, or None when malformed."""
    if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
        return None
    rows = [r if isinstance(r, list) else [r] for r in t["rows"]]
    return {"columns": [str(c) for c in t["columns"]], "rows": rows}


def family_checks(records: list[dict], families: Iterable[str]) -> dict[str, list[dict]]:
    """The check and study records of the given families (for their own sections' tables)."""
    fams = set(families)
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if r["kind"] in ("check", "study") and r.get("family") in fams:
            out[r["family"]].append(r)
    for v in out.values():
        v.sort(key=lambda r: (str(r["case"]), str(r["check"]), column_of(r).sort_key(), str(r.get("dtype"))))
    return dict(out)


# ---------------------------------------------------------------- version diff
@dataclass
class VersionChange:
    what: str        # "status", "error", "time", "convention", "added", "removed"
    family: str
    case: str
    check: str
    where: str       # api, device, dtype (and mode, n for timings)
    before: str
    after: str
    factor: float | None = None
    direction: str = "changed"   # "worse", "better" or "changed" (conventions, nan appearing)


@dataclass
class VersionDiff:
    framework: str
    old: str
    new: str
    changes: list[VersionChange]
    compared: int
    added: int
    removed: int
    tally: dict[str, int] = field(default_factory=dict)   # "status worse" -> count


def _check_key(r: dict) -> tuple:
    return (r["kind"], str(r.get("family")), str(r["case"]), str(r["check"]), str(r.get("api")),
            str(r.get("device")), str(r.get("dtype")), str(r.get("point") or ""))


def version_diffs(records: list[dict]) -> list[VersionDiff]:
    """For each framework present in several versions, consecutive versions compared record by
    record (matched on kind, family, case, check, api, device, dtype, point; benchmarks also on
    mode and n): status changes, error ratios that moved by more than RATIO_FACTOR, benchmark
    medians that moved by more than TIME_FACTOR, and convention values that changed."""
    by_fw: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        by_fw[r["framework"]][str(r.get("framework_version"))].append(r)
    out = []
    for fw in sorted(by_fw, key=lambda n: (framework_rank(n), n)):
        versions = sorted(by_fw[fw], key=version_key)
        for old, new in itertools.pairwise(versions):
            out.append(_diff(fw, old, new, by_fw[fw][old], by_fw[fw][new]))
    return out


def _index(recs: list[dict]) -> dict[tuple, list[dict]]:
    idx: dict[tuple, list[dict]] = defaultdict(list)
    for r in recs:
        key = _check_key(r)
        if r["kind"] == "benchmark":
            d = r.get("data") or {}
            key += (str(d.get("mode")),)   # a series: every size n of one operator and mode
        idx[key].append(r)
    return idx


def _medians(recs: list[dict]) -> dict[float, float]:
    """n -> the smallest positive median time measured at n."""
    out: dict[float, float] = {}
    for r in recs:
        d = r.get("data") or {}
        n, t = fnum(d.get("n")), fnum(d.get("median_s"))
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


def _diff(fw: str, old: str, new: str, a: list[dict], b: list[dict]) -> VersionDiff:
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
                    changes.append(VersionChange("time", fam, case, chk, where, f"{fmt_seconds(ta[n])} at n={n:g}",
                                                 f"{fmt_seconds(tb[n])} at n={n:g}", f,
                                                 "worse" if f > 1 else "better"))
            continue
        if kind == "convention":
            va = {convention_text((r.get("data") or {}).get("value")) for r in ra}
            vb = {convention_text((r.get("data") or {}).get("value")) for r in rb}
            if va != vb:
                changes.append(VersionChange("convention", fam, case, chk, where, " | ".join(sorted(va)),
                                             " | ".join(sorted(vb))))
            continue
        sa, sb = worst(r["status"] for r in ra), worst(r["status"] for r in rb)
        xa, xb = max_ratio(r.get("error_ratio") for r in ra), max_ratio(r.get("error_ratio") for r in rb)
        if sa != sb:
            changes.append(VersionChange("status", fam, case, chk, where, f"{sa} {fmt_ratio(xa)}".strip(),
                                         f"{sb} {fmt_ratio(xb)}".strip(), None,
                                         _direction(sa, sb)))
        elif xa is not None and xb is not None:
            if math.isnan(xa) != math.isnan(xb):
                changes.append(VersionChange("error", fam, case, chk, where, fmt_ratio(xa), fmt_ratio(xb), None,
                                             "worse" if math.isnan(xb) else "better"))
            elif not math.isnan(xa):
                fa, fb = max(xa, RATIO_FLOOR), max(xb, RATIO_FLOOR)
                f = fb / fa
                if f > RATIO_FACTOR or f < 1 / RATIO_FACTOR:
                    changes.append(VersionChange("error", fam, case, chk, where, fmt_ratio(xa),
                                                 fmt_ratio(xb), f, "worse" if f > 1 else "better"))
    order = {"status": 0, "convention": 1, "error": 2, "time": 3}
    changes.sort(key=lambda c: (order[c.what], family_rank(c.family), c.case, c.check, c.where))
    added = sum(1 for k in ib if k not in ia)
    removed = sum(1 for k in ia if k not in ib)
    return VersionDiff(fw, old, new, changes, len(common), added, removed,
                       dict(Counter(f"{c.what} {c.direction}" for c in changes)))


# ---------------------------------------------------------------- environment
@dataclass
class RunInfo:
    run_id: str
    env: dict
    records: int
    threads: str
    versions: str
    extra: list[tuple[str, str]] = field(default_factory=list)


KNOWN_ENV = ("date", "python", "numpy", "platform", "machine", "hostname", "cpu_model", "threads",
             "versions", "conformance")


def environment(rs: RecordSet) -> list[RunInfo]:
    per_run = Counter(r.get("run_id", "") for r in rs.records)
    out = []
    for run_id, head in sorted(rs.runs.items(), key=lambda kv: str(kv[1].get("environment", {}).get("date", ""))):
        env = head.get("environment") if isinstance(head.get("environment"), dict) else {}
        versions = env.get("versions") if isinstance(env.get("versions"), dict) else {}
        extra = [(str(k), compact_json(v, 300)) for k, v in env.items() if k not in KNOWN_ENV]
        out.append(RunInfo(str(run_id), env, per_run.get(run_id, 0), threads_text(env.get("threads")),
                           ", ".join(f"{k} {v}" for k, v in versions.items()), extra))
    return out


# ---------------------------------------------------------------- normalizing
def normalize(records: list[dict]) -> list[dict]:
    """Give every record each Record field (a valid record may omit optional ones): missing
    strings become "", missing values None, ``data`` and ``registry`` dicts (or None)."""
    from dataclasses import MISSING, fields

    from conformance.records import Record

    defaults = {}
    for f in fields(Record):
        if f.default is not MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not MISSING:  # type: ignore[misc]
            defaults[f.name] = None
        else:
            defaults[f.name] = ""
    for r in records:
        for k, v in defaults.items():
            r.setdefault(k, v)
        if not isinstance(r.get("data"), dict):
            r["data"] = {}
        if r.get("registry") is not None and not isinstance(r["registry"], dict):
            r["registry"] = {"reason": str(r["registry"])}
        for k in ("case", "check", "family", "framework", "api", "device", "dtype", "status", "message",
                  "replay"):
            if not isinstance(r.get(k), str):
                r[k] = "" if r.get(k) is None else str(r[k])
        if r["kind"] != "check" and not r["status"]:
            r["status"] = "pass"
    return records
