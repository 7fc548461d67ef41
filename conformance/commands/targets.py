"""``conformance targets``: measure and print the derivative engine's targets (sensitivity, cost, no
false failures across seeds, ci runtime; ``conformance.derivatives.targets``), each table also
written as a ``study`` record to ``--out``."""

from __future__ import annotations

import argparse

from conformance.derivatives import targets
from conformance.errors import ConformanceError
from conformance.records import ResultWriter, new_run_id, results_path

HELP = "measure and print the targets: sensitivity, cost, no false failures across seeds, ci runtime"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", metavar="SECTIONS", help=f"comma-separated subset of {', '.join(targets.SECTIONS)}")
    p.add_argument(
        "--framework",
        "-f",
        action="append",
        metavar="NAME",
        help="frameworks (default: every installed one with automatic differentiation)",
    )
    p.add_argument("--seeds", type=int, default=20, help="seeds for the no-false-failure sweep (20)")
    p.add_argument("--first-seed", type=int, default=0, help="first seed of the sweep (0)")
    p.add_argument("--n", type=int, default=1000, help="input size of the cost comparison (1000)")
    p.add_argument(
        "--runtime-suites",
        default="derivatives,conventions",
        help="suites timed by the runtime section (default derivatives,conventions)",
    )
    p.add_argument("--runtime-cases", metavar="PATTERN", help="only these cases in the runtime section")
    p.add_argument("--runtime-out", metavar="DIR", help="keep the runtime section's records (DIR/cold, DIR/warm)")
    p.add_argument("--out", default="reports/results", metavar="DIR", help="where study records go")


def main(args: argparse.Namespace) -> int:
    only = [s.strip() for s in (args.only or ",".join(targets.SECTIONS)).split(",") if s.strip()]
    bad = [s for s in only if s not in targets.SECTIONS]
    if bad:
        raise ConformanceError(f"unknown section(s) {', '.join(bad)}; choose from {', '.join(targets.SECTIONS)}")
    fws = targets.frameworks(args.framework)
    run_id = new_run_id()
    path = results_path(args.out, "targets", run_id)
    results = []
    with ResultWriter(path, run_id, {"command": "targets", "sections": only}) as w:
        for section in only:
            res = targets.measure(
                section,
                fws,
                n=args.n,
                seeds_count=args.seeds,
                first_seed=args.first_seed,
                runtime_suites=args.runtime_suites,
                runtime_cases=args.runtime_cases,
                runtime_out=args.runtime_out,
            )
            results.append(res)
            print(targets.table(res["title"], res["columns"], res["rows"]))
            for line in res.get("unregistered", [])[:40]:
                print("  UNREGISTERED", line)
            for line in res.get("missed", []):
                print("  MISSED", line)
            print(f"=> {section}: {'met' if res['ok'] else 'NOT met'} ({res['seconds']:.0f} s)\n", flush=True)
            w.write(targets.record(section, res))
    print(f"study records: {path}")
    return 0 if all(r["ok"] for r in results) else 1
