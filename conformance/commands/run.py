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
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from conformance import adapters, engine
from conformance import registry as registry_mod
from conformance.adapters import ConformanceError
from conformance.records import ResultWriter, new_run_id, results_path

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
    p.add_argument("--profile", default="ci", choices=sorted(engine.PROFILES),
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


def main(args: argparse.Namespace) -> int:
    run_id = new_run_id()
    profile = engine.get_profile(args.profile)
    seed = args.seed if args.seed is not None else (0 if profile.derandomize else random.randrange(2**31))
    profile = engine.get_profile(args.profile, seed)
    reg = registry_mod.load(args.registry)
    chosen = resolve_adapters(_names(args.framework))
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
    progress = Progress(sum(len(w) for w in work.values()), args.quiet)
    print(f"conformance run {run_id}: profile {profile.name}, seed {seed}, {len(tasks)} tasks, "
          f"{progress.total} records, frameworks {', '.join(a.name for a in chosen)}", file=sys.stderr)
    rows: dict[str, Counter] = defaultdict(Counter)
    failures: list = []
    written: list[Path] = []
    try:
        for a in chosen:
            path = results_path(args.out, f"{a.name}-{a.version}", run_id)
            header = {"framework": a.name, "framework_version": a.version, "profile": profile.name,
                      "seed": seed, "argv": sys.argv[1:], "variants": list(a.variants),
                      "devices": a.devices()}
            with ResultWriter(path, run_id, header) as w:
                written.append(path)
                for task, adapter, dev, dtype in work[a.name]:
                    rec = engine.run_task(task, adapter, dev, dtype, profile, seed, reg)
                    w.write(rec)
                    rows[adapter.label][rec.status] += 1
                    if rec.status in ("fail", "error"):
                        failures.append(rec)
                    progress.update(f"{adapter.label} {task.case}/{task.check} {dtype}", rec.status)
    finally:
        progress.close()
    print(summary(rows))
    for rec in failures[:25]:
        print(f"  {rec.status.upper()} {rec.framework}[{rec.api}] {rec.dtype} {rec.family}/{rec.case} "
              f"{rec.check}: {rec.message[:160]}\n    replay: {rec.replay}")
    if len(failures) > 25:
        print(f"  ... and {len(failures) - 25} more (see the report)")
    if not (args.cases or args.checks or args.suite or variants or dtypes):
        for e in reg.unmatched():
            if e.framework in ("*",) or any(e.framework == a.name for a in chosen):
                print(f"warning: known deviation {e.source} ({e.framework} {e.case} {e.check}) matched "
                      f"nothing in this run; remove it if the framework is fixed", file=sys.stderr)
    print("records: " + ", ".join(str(p) for p in written))
    if not args.no_report:
        _build_report(args.out, args.report)
    return 1 if failures else 0


def _build_report(out_dir: str, report_path: str) -> None:
    try:
        from conformance.report import build
    except ImportError as exc:
        print(f"report not built: {exc}", file=sys.stderr)
        return
    path = build([out_dir], report_path)
    print(f"report: {Path(path).resolve()}")
