"""The report's summary: what ran where (frameworks, API variants, devices, dtypes, machines, dates)
and the status counts, overall and per column."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from conformance.records import STATUSES, RecordSet
from conformance.report.formatting import Column, column_of, framework_rank, sorted_columns, threads_text, version_key


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
    runs_of: list[str]  # per distinct (profile, seed, rotation): what share of the selection the run covered


def run_scope(header: dict) -> str:
    """One line on what a run covered: its profile and seed, and under a rotating profile the share of
    the derivative tasks this seed ran and the seeds that complete it (``rotation`` of the run header's
    environment)."""
    scope = f"profile {header.get('profile', '?')}, seed {header.get('seed', '?')}"
    rot = header.get("rotation")
    if isinstance(rot, dict) and rot.get("note"):
        return f"{scope}: {rot['note']}"
    return f"{scope}: every selected task"


def summarize(rs: RecordSet) -> Summary:
    fw: dict[str, set] = defaultdict(set)
    apis: dict[str, set] = defaultdict(set)
    devices, dtypes = set(), set()
    per_col: dict[Column, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    kinds: Counter = Counter()
    for r in rs.records:
        fw[r.framework].add(r.framework_version)
        if r.api not in ("", "-"):  # records of a framework's own functions name no API variant
            apis[r.framework].add(r.api)
        devices.add(r.device)
        dtypes.add(r.dtype)
        kinds[r.kind] += 1
        if r.kind == "check":
            counts[r.status] += 1
            per_col[column_of(r)][r.status] += 1
    envs = [h.get("environment", {}) for h in rs.runs.values()]
    dates = sorted({str(e.get("date", "")) for e in envs if e.get("date")})
    machines = sorted({f"{e.get('hostname', '?')} ({e.get('platform', e.get('machine', '?'))})" for e in envs})
    cpus = sorted({str(e.get("cpu_model", "?")) for e in envs})
    threads = sorted({threads_text(e.get("threads")) for e in envs})
    order = sorted(fw, key=lambda n: (framework_rank(n), n))
    return Summary(
        frameworks={n: sorted(fw[n], key=version_key) for n in order},
        apis={n: sorted(apis[n]) for n in order},
        devices=sorted(devices),
        dtypes=sorted(dtypes),
        dates=dates,
        machines=machines,
        cpu_models=cpus,
        threads=threads,
        counts={s: counts.get(s, 0) for s in STATUSES},
        kinds=dict(kinds),
        column_counts=[(c, {s: per_col[c].get(s, 0) for s in STATUSES}) for c in sorted_columns(per_col)],
        files=list(rs.files),
        runs_of=sorted({run_scope(e) for e in envs}),
        synthetic=any(bool(e.get("synthetic")) for e in envs),
    )
