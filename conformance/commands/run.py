"""``conformance run``: the conformance of every installed framework, written as records.

    conformance run [--framework NAME ...] [--api VARIANT ...] [--device DEV ...] [--dtype DTYPE ...]
                    [--profile dev|ci|thorough] [--seed N] [--suite NAME ...] [--cases PATTERN]
                    [--checks PATTERN] [--out DIR] [--report PATH | --no-report] [--shard K/N]
                    [--cache-dir DIR | --no-cache] [--verbose]

Records go to ``DIR/<framework>-<version>-<run id>.jsonl`` as they are computed; a summary table
is printed at the end and the HTML report is built. The exit code is 1 when any record is an
unregistered ``fail`` or ``error``, 2 for bad usage, 0 otherwise. The plan and the worker
processes are ``conformance.scheduler``; which known deviations are stale, ``registry.stale_entries``;
the compilation caches, ``conformance.cache``. What the frameworks log goes to
``DIR/logs/<run id>.log`` (named at the end) unless ``--verbose``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from conformance import cache, engine, registry, scheduler
from conformance.records import Record, new_run_id

HELP = "run the conformance suite on every installed framework and write records and the report"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--framework",
        "-f",
        action="append",
        metavar="NAME",
        help="framework(s) to run (repeat or comma-separate); default: every installed one",
    )
    p.add_argument("--api", action="append", metavar="VARIANT", help="only these API variants")
    p.add_argument("--device", action="append", metavar="DEV", help="only these devices (cpu, cuda:0)")
    p.add_argument("--dtype", action="append", metavar="DTYPE", help="only these dtypes")
    p.add_argument(
        "--profile",
        default="ci",
        choices=sorted(engine.RUN_PROFILES),
        help="dev (fast, random), ci (derandomized; default), thorough",
    )
    p.add_argument("--seed", type=int, help="base seed (default: 0 for ci, random for dev/thorough)")
    p.add_argument(
        "--suite", action="append", metavar="NAME", help=f"suites to run (default all: {', '.join(engine.SUITES)})"
    )
    p.add_argument("--cases", metavar="PATTERN", help="only cases matching these glob patterns (comma-separated)")
    p.add_argument("--checks", metavar="PATTERN", help="only checks matching these glob patterns")
    p.add_argument("--out", default="reports/results", metavar="DIR", help="where records go")
    p.add_argument("--report", default="reports/index.html", metavar="PATH", help="HTML report path")
    p.add_argument("--no-report", action="store_true", help="do not build the HTML report")
    p.add_argument("--registry", metavar="DIR", help="known-deviation directory (default: packaged)")
    p.add_argument(
        "--eager", action="store_true", help="run each framework's operators eagerly, not as staged programs (jax.jit)"
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="run side by side in N processes, costly frameworks split into parts by case "
        "(default: one per CPU core for runs of 300 records or more; 1: one process)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="let the frameworks' own log lines through to the terminal (default: a log file)",
    )
    p.add_argument(
        "--shard",
        type=scheduler.parse_shard,
        metavar="K/N",
        help="run shard K of N: the plan's cases split into N parts of equal estimated cost, "
        "the same split on every machine",
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help=f"compilation caches here (default ${cache.ENV} or the per-user cache folder)",
    )
    p.add_argument("--no-cache", action="store_true", help="no compilation cache (compile everything)")


class Progress:
    """One line on the terminal (rewritten in place; every 15 s when not a terminal): records done,
    their counts, the time so far and an estimate of the time left."""

    def __init__(self, total: int, quiet: bool, stream=None):
        self.total, self.done, self.quiet = total, 0, quiet
        self.stream = stream or sys.stderr
        self.counts: Counter = Counter()
        self.tty = self.stream.isatty()
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
        elapsed = now - self.start
        eta = f"  ETA {elapsed / self.done * (self.total - self.done):4.0f}s" if self.done < self.total else ""
        line = (
            f"[{self.done}/{self.total}] {elapsed:6.0f}s{eta}  pass {c['pass']}  fail {c['fail']}"
            f"  deviation {c['deviation']}  skip {c['skip']}  error {c['error']}  {label}"
        )
        print(
            ("\r" + line[:150].ljust(150)) if self.tty else line,
            end="" if self.tty else "\n",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self.tty and not self.quiet:
            print(file=self.stream)


def summary(rows: dict[str, Counter]) -> str:
    cols = ("pass", "fail", "deviation", "skip", "error")
    out = [f"{'framework[api]':<34}" + "".join(f"{c:>11}" for c in cols)]
    for label, c in rows.items():
        out.append(f"{label:<34}" + "".join(f"{c[k]:>11}" for k in cols))
    return "\n".join(out)


def main(args: argparse.Namespace) -> int:
    run_id = new_run_id()
    log = None if args.verbose else Path(args.out) / "logs" / f"{run_id}.log"
    if args.verbose:  # the adapters' _prepare_import hooks then leave the frameworks' log levels alone
        os.environ["CONFORMANCE_VERBOSE"] = "1"
    try:
        with scheduler.framework_log(log) as terminal:
            code = _run(args, run_id, terminal)
    finally:
        if log is not None and log.exists():
            if log.stat().st_size:
                print(f"framework messages (warnings, logs): {log}", file=sys.stderr)
            else:
                log.unlink()
    if not args.no_report:
        _build_report(args.out, args.report)
    return code


def _run(args: argparse.Namespace, run_id: str, terminal) -> int:
    plan = scheduler.make_plan(args)
    chosen = plan.adapters
    progress = Progress(sum(len(w) for w in plan.work.values()), args.quiet, terminal)
    jobs = args.jobs or scheduler.default_jobs(progress.total)
    caches = [
        f"{n} {c['state']}" + (f" ({c['note']})" if c["note"] == "--no-cache" else "")
        for n, c in plan.cache.items()
        if c["note"] != cache.NO_CACHE
    ]
    print(
        f"conformance run {run_id}: profile {plan.profile.name}, seed {plan.seed}, {len(plan.tasks)} tasks, "
        f"{progress.total} records, frameworks {', '.join(a.name for a in chosen)}"
        f"{f', {jobs} processes' if jobs > 1 else ''}{f', shard {plan.shard}' if plan.shard else ''}"
        f"{', cache ' + ', '.join(caches) if caches else ''}",
        file=terminal,
    )
    if plan.rotation:
        print(f"rotation: {plan.rotation['note']}", file=terminal)
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
                written.append(
                    scheduler.run_framework(
                        plan, a, args.out, run_id, sys.argv[1:], lambda label, rec: emit(*scheduler.event(label, rec))
                    )
                )
        else:
            scheduler.run_parallel(args, plan, jobs, run_id, emit, written, broken)
    finally:
        progress.close()
    terminal.flush()
    print(summary(rows))
    for rec in failures[:25]:
        print(
            f"  {rec.status.upper()} {rec.framework}[{rec.api}] {rec.dtype} {rec.family}/{rec.case} "
            f"{rec.check}: {rec.message[:160]}\n    replay: {rec.replay}"
        )
    if len(failures) > 25:
        print(f"  ... and {len(failures) - 25} more (see the report)")
    for line in broken:
        print(f"error: {line}", file=terminal)
    if not broken:
        for e in registry.stale_entries(
            plan.registry, plan.work.values(), plan.full_work, [a.name for a in plan.adapters]
        ):
            print(
                f"warning: known deviation {e.source} ({e.framework} {e.case} {e.check}) matched "
                f"nothing in this run, which ran every check it covers; remove it if the framework "
                f"is fixed",
                file=terminal,
            )
    print("records: " + ", ".join(str(p) for p in written))
    return 1 if failures or broken else 0


def _build_report(out_dir: str, report_path: str) -> None:
    try:
        from conformance.report import build
    except ImportError as exc:
        print(f"report not built: {exc}", file=sys.stderr)
        return
    path = build([out_dir], report_path)
    print(f"report: {Path(path).resolve()}")
