"""``conformance optimizers``: the convergence study (Adam vs SGD, momentum and RMSprop on the
digits MLP) in each installed framework, written as kind "study" records and printed as a table."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from conformance import adapters
from conformance.adapters import ConformanceError
from conformance.records import Record, ResultWriter, new_run_id

HELP = "measure how many steps Adam, SGD, momentum and RMSprop need on a small MLP, per framework"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", choices=("quick", "full"), default="quick",
                   help="quick: 3 seeds, target loss 0.3 (minutes); full: 5 seeds, target 0.1")
    p.add_argument("--out", default="reports/results", help="directory for the results file")
    p.add_argument("--frameworks", default="",
                   help="comma-separated subset of torch,jax,tensorflow (default: every installed one)")


def main(args: argparse.Namespace) -> int:
    # One BLAS/OpenMP thread per framework unless the caller says otherwise: the model is small,
    # and on a shared machine extra threads only contend (set before any framework is imported).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from conformance.optimizers import study

    setup = study.SETUPS[args.profile]
    chosen = [f.strip() for f in args.frameworks.split(",") if f.strip()] or list(study.FRAMEWORK_LIBRARY)
    unknown = [f for f in chosen if f not in study.FRAMEWORK_LIBRARY]
    if unknown:
        raise ConformanceError(f"no convergence study for {unknown[0]!r}; choose from "
                               f"{', '.join(study.FRAMEWORK_LIBRARY)}")
    study.digits()   # fail early, with the fix, if scikit-learn is missing
    run_id = new_run_id()
    path = Path(args.out) / f"optimizers-study-{run_id}.jsonl"
    t0 = time.perf_counter()
    print(f"convergence study, profile {setup.name}: MLP 64-{study.HIDDEN}-10 on sklearn digits, "
          f"target loss {setup.target}, {setup.seeds} seeds, at most {setup.max_steps} steps")
    with ResultWriter(path, run_id=run_id, header={"command": "conformance optimizers",
                                                   "profile": setup.name}) as out:
        for fw in chosen:
            ad = adapters.get(fw)
            ok = ad.available()
            rec = Record(kind="study", framework=fw, framework_version=ad.version if ok else "",
                         api=ad.variant, device="cpu", dtype="float64", family="optimizers",
                         case="convergence: digits MLP", check="steps to target loss", status="skip",
                         replay=f"conformance optimizers --profile {setup.name} --frameworks {fw}")
            if not ok:
                rec.message = str(ok)
                out.write(rec)
                print(f"{fw}: skipped ({ok})")
                continue
            start = time.perf_counter()
            res = study.run(fw, setup, log=print)
            rec.duration_s = time.perf_counter() - start
            rec.status = "pass"
            rec.data = res
            factor = res["adam_vs_sgd"]
            rec.data["process_cpu_s"] = time.process_time()
            rec.message = (f"Adam reaches loss {setup.target} in {1 / factor:.2f}× the steps of SGD "
                           f"(median(SGD)/median(Adam) = {factor:.2f})")
            out.write(rec)
            _print_table(fw, res)
            print(rec.message)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nwall time {time.perf_counter() - t0:.0f} s, process CPU time {time.process_time():.0f} s, "
          f"load average {load:.1f} on {os.cpu_count()} cores; records: {path}")
    return 0


def _print_table(framework: str, res: dict) -> None:
    cols, rows = res["table"]["columns"], res["table"]["rows"]
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(cols)]
    print(f"\n{framework} + {res['library']} ({res['elapsed_s']:.0f} s)")
    print("  ".join(str(c).ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
