"""``conformance optimizers``: the convergence study (Adam vs SGD, momentum and RMSprop on the
digits MLP) in each installed framework, written as kind "study" records and printed as a table
(``conformance.optimizers.study``)."""

from __future__ import annotations

import argparse
import os
import time

from conformance.errors import ConformanceError

HELP = "measure how many steps Adam, SGD, momentum and RMSprop need on a small MLP, per framework"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profile",
        choices=("quick", "full"),
        default="quick",
        help="quick: 3 seeds, target loss 0.3 (minutes); full: 5 seeds, target 0.1",
    )
    p.add_argument("--out", default="reports/results", help="directory for the results file")
    p.add_argument(
        "--frameworks", default="", help="comma-separated subset of torch,jax,tensorflow (default: every installed one)"
    )


def main(args: argparse.Namespace) -> int:
    # One BLAS/OpenMP thread per framework unless the caller says otherwise: the model is small,
    # and on a shared machine extra threads only contend (set before any framework is imported).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from conformance.optimizers import study

    setup = study.SETUPS[args.profile]
    chosen = [f.strip() for f in args.frameworks.split(",") if f.strip()] or study.frameworks()
    unknown = [f for f in chosen if f not in study.frameworks()]
    if unknown:
        raise ConformanceError(f"no convergence study for {unknown[0]!r}; choose from {', '.join(study.frameworks())}")
    study.digits()  # fail early, with the fix, if scikit-learn is missing
    t0 = time.perf_counter()
    print(
        f"convergence study, profile {setup.name}: MLP 64-{study.HIDDEN}-10 on sklearn digits, "
        f"target loss {setup.target}, {setup.seeds} seeds, at most {setup.max_steps} steps"
    )
    path = study.write_records(chosen, setup, args.out)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nwall time {time.perf_counter() - t0:.0f} s, process CPU time {time.process_time():.0f} s, "
        f"load average {load:.1f} on {os.cpu_count()} cores; records: {path}"
    )
    return 0
