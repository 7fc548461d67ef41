"""``conformance bench``: time the primal and every derivative operator per framework, API variant,
device, mode and size, and the GMM and D-LSTM gradients; write benchmark records and print the
tables. What is timed, and how fairly, is ``conformance.benchmarks.runner``."""

from __future__ import annotations

import argparse
import os

from conformance.benchmarks import operators, runner
from conformance.benchmarks.workloads import WORKLOADS

HELP = "time derivatives per framework, mode, device and size, and the GMM and D-LSTM workloads"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--framework",
        action="append",
        metavar="NAME",
        help="framework to time (repeatable); default: every installed AD framework",
    )
    p.add_argument(
        "--variant",
        action="append",
        metavar="NAME",
        help="API variant (repeatable); default: the default variant (quick), all (full)",
    )
    p.add_argument(
        "--device",
        action="append",
        metavar="DEV",
        help="device such as cpu or cuda:0 (repeatable); default: every device found",
    )
    p.add_argument("--profile", choices=tuple(runner.BENCH_PROFILES), default="quick")
    p.add_argument("--out", default="reports/results", metavar="DIR", help="results directory")
    p.add_argument(
        "--mode",
        action="append",
        choices=runner.MODES,
        help="eager, compiled and/or gradbench (default all; gradbench times the workloads "
        "only, once per framework, with the API variant GradBench's tool uses)",
    )
    p.add_argument(
        "--case",
        action="append",
        metavar="NAME",
        help=f"function or workload to time (repeatable): {', '.join(list(operators.FUNCTIONS) + list(WORKLOADS))}",
    )
    p.add_argument(
        "--check",
        action="append",
        metavar="OP",
        help="operator to time (repeatable; the primal is always timed for the ratio)",
    )
    p.add_argument("--size", action="append", type=int, metavar="N", help="only these sizes n")
    p.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="intra-op threads for every framework (default: all cores)",
    )
    p.add_argument("--no-overhead-check", action="store_true", help="skip the harness self-check")


def main(args: argparse.Namespace) -> int:
    path, tables, count = runner.run(args)
    print(tables)
    print(f"\n{count} benchmark records -> {path}")
    return 0
