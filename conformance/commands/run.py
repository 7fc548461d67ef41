"""``conformance run``: the conformance of every installed framework, written as records.

    conformance run [--framework NAME ...] [--api VARIANT ...] [--device DEV ...] [--dtype DTYPE ...]
                    [--profile dev|ci|thorough] [--seed N] [--suite NAME ...] [--cases PATTERN]
                    [--checks PATTERN] [--out DIR] [--report PATH | --no-report]

Records go to ``DIR/<framework>-<version>-<run id>.jsonl`` as they are computed; a summary table
is printed at the end and the HTML report is built. The exit code is 1 when any record is an
unregistered ``fail`` or ``error``, 2 for bad usage, 0 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from queue import Empty
from typing import Any, Callable, Iterable

from conformance import adapters, engine
from conformance import registry as registry_mod
from conformance.adapters import ConformanceError
from conformance.records import Record, ResultWriter, new_run_id, results_path

HELP = "run the conformance suite on every installed framework and write records and the report"


def _names(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--framework", "-f", action="append", metavar="NAME",
                   help="framework(s) to run (repeat or comma-separate); default: every installed one")
    p.add_argument("--api", action="append", metavar="VARIANT", help="only these API variants")
    p.add_argument("--device", action="append", metavar="DEV", help="only these devices (cpu, cuda:0)")
    p.add_argument("--dtype", action="append", metavar="DTYPE", help="only these dtypes")
    p.add_argument("--profile", default="ci", choices=sorted(engine.RUN_PROFILES),
                   help="dev (fast, random), ci (derandomized; default), thorough")
    p.add_argument("--seed", type=int, help="base seed (default: 0 for ci, random for dev/thorough)")
    p.add_argument("--suite", action="append", metavar="NAME",
                   help=f"suites to run (default all: {', '.join(engine.SUITES)})")
    p.add_argument("--cases", metavar="PATTERN", help="only cases matching these glob patterns (comma-separated)")
    p.add_argument("--checks", metavar="PATTERN", help="only checks matching these glob patterns")
    p.add_argument("--out", default="reports/results", metavar="DIR", help="where records go")
    p.add_argument("--report", default="reports/index.html", metavar="PATH", help="HTML report path")
    p.add_argument("--no-report", action="store_true", help="do not build the HTML report")
    p.add_argument("--registry", metavar="DIR", help="known-deviation directory (default: packaged)")
    p.add_argument("--eager", action="store_true",
                   help="run each framework's operators eagerly, not as staged programs (jax.jit)")
    p.add_argument("--jobs", "-j", type=int, metavar="N",
                   help="run side by side in N processes, costly frameworks split into parts by case "
                        "(default: one per CPU core for runs of 300 records or more; 1: one process)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line")


def resolve_adapters(names: list[str] | None) -> list[adapters.Adapter]:
    """Adapters to run; unknown names raise, missing frameworks are announced and left out."""
    chosen = names or adapters.names()
    found = [adapters.get(n) for n in chosen]  # UnknownFrameworkError for a bad name
    usable = []
    for a in found:
        ok = a.available()
        if ok:
            usable.append(a)
        else:
            print(f"skipping {a.name}: {ok.reason} (install: {ok.install})", file=sys.stderr)
    if not usable:
        raise ConformanceError("none of the requested frameworks is installed; `conformance list` "
                               "shows how to install them")
    return usable


class Progress:
    def __init__(self, total: int, quiet: bool):
        self.total, self.done, self.quiet = total, 0, quiet
        self.counts: Counter = Counter()
        self.tty = sys.stderr.isatty()
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, label: str, status: str) -> None:
        self.done += 1
        self.counts[status] += 1
        now = time.perf_counter()
        if self.quiet or (not self.tty and now - self.last < 15 and self.done < self.total):
            return
        self.last = now
        c = self.counts
        line = (f"[{self.done}/{self.total}] {now - self.start:6.0f}s  pass {c['pass']}  fail {c['fail']}"
                f"  deviation {c['deviation']}  skip {c['skip']}  error {c['error']}  {label}")
        print(("\r" + line[:150].ljust(150)) if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty and not self.quiet:
            print(file=sys.stderr)


def summary(rows: dict[str, Counter]) -> str:
    cols = ("pass", "fail", "deviation", "skip", "error")
    out = [f"{'framework[api]':<34}" + "".join(f"{c:>11}" for c in cols)]
    for label, c in rows.items():
        out.append(f"{label:<34}" + "".join(f"{c[k]:>11}" for k in cols))
    return "\n".join(out)


@dataclass
class Plan:
    """What one ``conformance run`` does: rebuilt from the same arguments in every worker process."""

    profile: engine.Profile
    seed: int
    registry: Any
    adapters: list[adapters.Adapter]
    tasks: list[engine.Task]
    work: dict[str, list]


def make_plan(args: argparse.Namespace, seed: int | None = None) -> Plan:
    profile = engine.get_profile(args.profile)
    if seed is None:
        seed = args.seed if args.seed is not None else (0 if profile.derandomize else random.randrange(2**31))
    profile = engine.get_profile(args.profile, seed)
    reg = registry_mod.load(args.registry)
    chosen = [a.staging(not args.eager) for a in resolve_adapters(_names(args.framework))]
    variants, devices, dtypes = _names(args.api), _names(args.device), _names(args.dtype)
    for d in devices or []:
        known = sorted({dev for a in chosen for dev in a.devices()})
        if adapters.base.canonical_device(d) not in known:
            raise adapters.UnknownDeviceError(f"no framework has device {d!r}; devices found: {', '.join(known)}")
    devices = [adapters.base.canonical_device(d) for d in devices] if devices else None
    tasks = engine.collect(profile, _names(args.suite), args.cases, args.checks)
    if not tasks:
        raise ConformanceError(f"no task matches --cases {args.cases!r} --checks {args.checks!r}; "
                               f"`conformance run --profile dev` runs everything")
    work = {a.name: list(engine.plan([a], devices, dtypes, tasks, variants)) for a in chosen}
    return Plan(profile, seed, reg, chosen, tasks, work)


def run_framework(plan: Plan, a: adapters.Adapter, out_dir: str, run_id: str, argv: list[str],
                  emit: Callable[[str, Record], None]) -> Path:
    """Run every task of ``a`` in the plan, writing each record as soon as it exists;
    ``emit(label, record)`` is told of each one. Returns the records file."""
    with _writer(plan, a, out_dir, run_id, argv) as w:
        _run_work(plan, plan.work[a.name], w, emit)
    return w.path


def _writer(plan: Plan, a: adapters.Adapter, out_dir: str, run_id: str, argv: list[str],
            part: tuple[int, int] = (0, 1)) -> ResultWriter:
    """The records file of framework ``a`` (of worker ``part`` = (index, count) in a parallel run)."""
    index, count = part
    stem = f"{a.name}-{a.version}" + (f"-part{index + 1}of{count}" if count > 1 else "")
    header = {"framework": a.name, "framework_version": a.version, "profile": plan.profile.name,
              "seed": plan.seed, "staged": a.runs_staged, "argv": argv, "variants": list(a.variants),
              "devices": a.devices(), "part": f"{index + 1}/{count}"}
    return ResultWriter(results_path(out_dir, stem, run_id), run_id, header)


def _run_work(plan: Plan, work: list, w: ResultWriter, emit: Callable[[str, Record], None]) -> None:
    for task, adapter, dev, dtype in work:
        rec = engine.run_task(task, adapter, dev, dtype, plan.profile, plan.seed, plan.registry)
        w.write(rec)
        emit(f"{adapter.label} {task.case}/{task.check} {dtype}", rec)


def by_case(work: list) -> dict[tuple[str, str], list]:
    """A framework's work grouped by (family, case), in plan order: the unit a parallel run hands
    out, since every check, variant and dtype of a case share its programs and oracle values."""
    out: dict[tuple[str, str], list] = {}
    for w in work:
        out.setdefault((w[0].family, w[0].case), []).append(w)
    return out


def units(plan: Plan) -> list[tuple[str, str, str]]:
    """(framework, family, case) work units, costliest first: the estimated cost of a unit is the
    sum over its records of the task's ``cost`` times the framework's ``relative_cost``. Workers take
    the next unit as they finish one, so the longest go first and the short ones fill the gaps
    (longest-processing-time-first list scheduling: the processes end within about one unit)."""
    costed = []
    for a in plan.adapters:
        for (family, case), work in by_case(plan.work[a.name]).items():
            cost = a.relative_cost * sum(t.cost for t, *_ in work)
            costed.append((cost, (a.name, family, case)))
    return [u for _, u in sorted(costed, key=lambda c: -c[0])]


def _event(label: str, rec: Record) -> tuple[str, str, Record | None]:
    """(label, status, the record itself if it failed): what the summary needs of a record."""
    return label, rec.status, rec if rec.status in ("fail", "error") else None


def _worker(args: argparse.Namespace, index: int, jobs: int, seed: int, run_id: str, argv: list[str],
            todo: Any, queue: Any) -> None:
    """One of ``jobs`` worker processes: takes (framework, family, case) units from ``todo`` until
    None, writes their records into its own file per framework, and tells ``queue`` of each record
    (failures in full, for the summary) and unit; last, its files and the registry entries it matched."""
    plan = make_plan(args, seed)
    found = {a.name: a for a in plan.adapters}
    cases = {name: by_case(work) for name, work in plan.work.items()}
    writers: dict[str, ResultWriter] = {}

    def emit(label: str, rec: Record) -> None:
        queue.put(("record", *_event(label, rec)))

    try:
        while (unit := todo.get()) is not None:
            name, family, case = unit
            queue.put(("start", index, unit))
            if name not in writers:
                writers[name] = _writer(plan, found[name], args.out, run_id, argv, (index, jobs))
            _run_work(plan, cases[name][(family, case)], writers[name], emit)
    finally:
        for w in writers.values():
            w.close()
    queue.put(("done", index, [str(w.path) for w in writers.values()],
               [e.source for e in plan.registry.entries if e.hits]))


# Below this many records a run stays in one process: starting workers (each imports its
# framework, ~5-10 s) would cost more than it saves.
PARALLEL_FROM = 300


def default_jobs(records: int) -> int:
    """One process per CPU core for a run of at least PARALLEL_FROM records, else one."""
    return max(1, os.cpu_count() or 1) if records >= PARALLEL_FROM else 1


def main(args: argparse.Namespace) -> int:
    run_id = new_run_id()
    plan = make_plan(args)
    chosen = plan.adapters
    progress = Progress(sum(len(w) for w in plan.work.values()), args.quiet)
    jobs = args.jobs or default_jobs(progress.total)
    print(f"conformance run {run_id}: profile {plan.profile.name}, seed {plan.seed}, {len(plan.tasks)} tasks, "
          f"{progress.total} records, frameworks {', '.join(a.name for a in chosen)}"
          f"{f', {jobs} processes' if jobs > 1 else ''}", file=sys.stderr)
    rows: dict[str, Counter] = defaultdict(Counter)
    failures: list = []
    written: list[Path] = []
    broken: list[str] = []

    def emit(label: str, status: str, rec: Record | None) -> None:
        rows[label.split(" ", 1)[0]][status] += 1
        if rec is not None:
            failures.append(rec)
        progress.update(label, status)

    try:
        if jobs <= 1:
            for a in chosen:
                written.append(run_framework(plan, a, args.out, run_id, sys.argv[1:],
                                             lambda label, rec: emit(*_event(label, rec))))
        else:
            matched = _run_parallel(args, plan, jobs, run_id, emit, written, broken)
            for e in plan.registry.entries:
                e.hits += matched.count(e.source)
    finally:
        progress.close()
    print(summary(rows))
    for rec in failures[:25]:
        print(f"  {rec.status.upper()} {rec.framework}[{rec.api}] {rec.dtype} {rec.family}/{rec.case} "
              f"{rec.check}: {rec.message[:160]}\n    replay: {rec.replay}")
    if len(failures) > 25:
        print(f"  ... and {len(failures) - 25} more (see the report)")
    for line in broken:
        print(f"error: {line}", file=sys.stderr)
    if not broken:
        for e in stale_entries(plan):
            print(f"warning: known deviation {e.source} ({e.framework} {e.case} {e.check}) matched "
                  f"nothing in this run, which ran every check it covers; remove it if the framework "
                  f"is fixed", file=sys.stderr)
    print("records: " + ", ".join(str(p) for p in written))
    if not args.no_report:
        _build_report(args.out, args.report)
    return 1 if failures or broken else 0


def stale_entries(plan: Plan) -> list:
    """Registry entries that matched nothing in a run that covered their whole scope.

    An entry's scope is the set of tasks it is the first entry to claim (the first matching entry
    claims a record) in a full run of this profile: every suite, case, check, API variant, device
    and dtype of every installed framework. It is stale when this run planned all of its scope,
    that scope is not empty, and it matched no record. A narrowed run (--cases, --framework, ...)
    that leaves part of an entry's scope out says nothing of it: ``torch * nested*`` is not stale
    on a run of two cases whose nested checks pass; nor is an entry for checks the profile does
    not select (e.g. the thorough profile's full nested grid). The full plan is built only for
    unused entries, from the suites ``load_suite`` already holds."""
    entries = plan.registry.entries
    planned = _claims(entries, plan.work.values())
    unused = {i for i in planned if entries[i].hits == 0}
    if unused:
        full = engine.plan(plan.adapters, None, None, engine.collect(plan.profile))
        scope = _claims(entries, [full], only=unused)
        ran = {a.name for a in plan.adapters}

        def every_framework_ran(e: Any) -> bool:   # of those it names that are installed
            return all(n in ran or find_spec(adapters.adapter_class(n).module) is None
                       for n in adapters.names() if e.names_framework(n))

        unused = {i for i in unused if scope[i] <= planned[i] and every_framework_ran(entries[i])}
    return [e for i, e in enumerate(entries) if i in unused]


def _claims(entries: list, works: Iterable[Iterable], only: set[int] | None = None) -> dict[int, set]:
    """entry index -> the planned (framework, API, device, dtype, family, case, check) it claims
    (for the entries in ``only``, where given)."""
    out: dict[int, set] = defaultdict(set)
    for work in works:
        for task, adapter, dev, dtype in work:
            planned = {"framework": adapter.name, "framework_version": adapter.version,
                       "family": task.family, "case": task.case, "check": task.check,
                       "api": adapter.variant, "dtype": dtype}
            if only is not None and not any(entries[i].could_match(planned) for i in only):
                continue
            first = next((i for i, e in enumerate(entries) if e.could_match(planned)), None)
            if first is not None:
                out[first].add((adapter.name, adapter.variant, dev, dtype, task.family, task.case, task.check))
    return out


def _run_parallel(args: argparse.Namespace, plan: Plan, jobs: int, run_id: str, emit: Callable,
                  written: list[Path], broken: list[str]) -> list[str]:
    """``jobs`` worker processes (spawned: frameworks do not survive a fork) taking the plan's
    units, costliest first, from one queue. Returns the sources of the registry entries matched.
    A worker that dies is reported with its exit code and the unit it was running; the records
    it wrote stay on disk and the other workers take the units it had not started."""
    ctx = multiprocessing.get_context("spawn")
    todo, queue = ctx.Queue(), ctx.Queue()
    for unit in units(plan):
        todo.put(unit)
    for _ in range(jobs):
        todo.put(None)
    workers = [ctx.Process(target=_worker, args=(args, i, jobs, plan.seed, run_id, sys.argv[1:], todo, queue),
                           name=f"conformance-worker-{i + 1}of{jobs}") for i in range(jobs)]
    for p in workers:
        p.start()
    running = set(range(jobs))
    current: dict[int, tuple] = {}
    matched: list[str] = []

    def drain(block: bool) -> bool:
        """Handle one message from the workers; False when none came."""
        try:
            msg = queue.get(timeout=0.5) if block else queue.get_nowait()
        except Empty:
            return False
        if msg[0] == "record":
            emit(*msg[1:])
        elif msg[0] == "start":
            current[msg[1]] = msg[2]
        else:
            _, index, paths, sources = msg
            running.discard(index)
            written.extend(Path(p) for p in paths)
            matched.extend(sources)
        return True

    while running:
        drain(block=True)
        for i in sorted(running):
            if workers[i].is_alive():
                continue
            while drain(block=False):  # what it sent before it ended
                pass
            if i in running:  # it ended without its "done": it died
                running.discard(i)
                name, family, case = current.get(i, ("?", "?", "?"))
                broken.append(f"worker {i + 1} of {jobs} stopped (exit code {workers[i].exitcode}) while "
                              f"running {name} {family}/{case}; the records so far are in {args.out}; "
                              f"rerun with --framework {name} --cases {case} --jobs 1 to see the error")
    for p in workers:
        p.join()
    while drain(block=False):  # what the last workers sent before they ended
        pass
    return matched


def _build_report(out_dir: str, report_path: str) -> None:
    try:
        from conformance.report import build
    except ImportError as exc:
        print(f"report not built: {exc}", file=sys.stderr)
        return
    path = build([out_dir], report_path)
    print(f"report: {Path(path).resolve()}")
