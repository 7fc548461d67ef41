"""The derivative engine's targets, measured (``conformance targets``, in conformance.commands.targets).

    conformance targets [--only sensitivity,cost,seeds,runtime,rules] [--seeds 20] [--n 1000]

- **sensitivity** — a hand-written gradient rule of f(x) = Σ sin(xᵢ) exp(xᵢ) (torch.autograd.Function,
  jax.custom_vjp, tf.custom_gradient) returns (1 + δ)·∇f; for each δ: whether ``conformance.check``
  flags it (complex-step oracle; the policy's bound for the dtype), and, side by side, whether
  ``torch.autograd.gradcheck`` (defaults) and ``jax.test_util.check_grads`` (defaults) flag it.
- **cost** — wall time to verify the gradient of the n-dimensional f to that sensitivity, against
  ``torch.autograd.gradcheck(fast_mode=False)`` on the same function (median of 3; the ratio).
- **seeds** — the full catalog, every framework (default variants), float64 and float32, the oracle
  checks (gradient, JVP, VJP, Hessian) with one fresh hypothesis draw per task for each of N seeds:
  the count of unregistered failures (the target is none).
- **runtime** — a benchmark table, not a timed test: ``conformance run --profile ci`` (by default over
  the derivative and convention suites) twice in subprocesses, cold (an empty compilation cache) and
  warm (the cache the cold run filled), side by side: wall and CPU time, task seconds per framework,
  whether the two runs' records are identical (timings aside), and the shard plan of each framework
  (the matrix's ``shards``) with each shard's measured task seconds.

- **rules** — hand-written rules through every mechanism of every framework (torch.autograd.Function
  old and new style, with and without jvp and vmap support; jax.custom_vjp, custom_jvp;
  tf.custom_gradient), correct over ``--seeds`` seeds and mutated (sign, factor 2, relative errors,
  one wrong element, forward-only, second-order-only, broadcast reduction, NaN on part of the domain,
  transposed): ``conformance.check`` (default settings) beside each framework's own checker, and the
  false alarms (``conformance.derivatives.rule_study``).

``measure(section, ...)`` returns a section's table; the command prints it and writes it as a
``study`` record (``record``, data.table) to ``--out`` so the report shows them.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from conformance.records import Record

SECTIONS = ("sensitivity", "cost", "seeds", "runtime", "rules")
COLD_TARGET_S = 600.0  # the main job cold on a 2-core machine (issue 20)
WARM_TARGET = 0.4  # the warm run's wall time as a share of the cold one's (issue 20)
DELTAS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 0.0)
TARGET_DELTA = {"float64": 1e-8, "float32": 1e-4}
SEED_CHECKS = "gradient,jvp,vjp,hessian"


def reference(x: np.ndarray) -> Any:
    """f(x) = Σ sin(xᵢ) exp(xᵢ) in numpy (analytic: the complex step is exact)."""
    return np.sum(np.sin(x) * np.exp(x))


def frameworks(names: list[str] | None) -> list[str]:
    """The installed frameworks among ``names`` (repeated or comma-separated; default every framework
    with automatic differentiation, in display order), by their canonical names."""
    from conformance import adapters

    default = [n for n in adapters.order() if not adapters.adapter_class(n).is_reference]
    chosen = [n for v in (names or default) for n in v.split(",") if n]
    return [adapters.adapter_class(n).name for n in chosen if adapters.get(n).available()]


def table(title: str, columns: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in columns]] + [[_fmt(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [title, "  ".join(c.ljust(w) for c, w in zip(cells[0], widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells[1:]]
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "FLAGGED" if v else "missed"
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


# ------------------------------------------------------------------ sensitivity
def sensitivity(frameworks: list[str]) -> dict:
    """For each framework, dtype and δ: does conformance.check flag the skewed rule, and the
    framework's own checker (defaults)?"""
    import conformance
    from conformance.adapters import gradcheck

    x = np.linspace(-1.0, 1.0, 7)
    rows, ok = [], True
    for fw in frameworks:
        mod = gradcheck.module(fw)
        for dtype in ("float64", "float32"):
            for delta in DELTAS:
                f = mod.custom_sin_exp(delta)
                res = conformance.check(
                    {fw: f}, x, reference=reference, analytic=True, checks=("gradient",), dtype=dtype
                )
                out = res.outcome(fw, "gradient")
                flagged = out.status != "pass"
                native = mod.native_check(f, x.astype(dtype))
                rows.append([fw, dtype, delta, flagged, out.error_ratio, None if native is None else native[0]])
                if delta == TARGET_DELTA[dtype] and not flagged:
                    ok = False
                if delta == 0.0 and flagged:
                    ok = False
    cols = ["framework", "dtype", "δ", "conformance.check", "error ratio", "framework's own checker"]
    title = (
        "Sensitivity: f(x) = Σ sin(x)·exp(x), n = 7, hand-written gradient rule × (1 + δ); "
        "own checker = torch.autograd.gradcheck / jax.test_util.check_grads (defaults); "
        "target: flagged at δ = 1e-8 (float64) and 1e-4 (float32), never at δ = 0"
    )
    return {"check": "sensitivity", "ok": ok, "title": title, "columns": cols, "rows": rows}


# ------------------------------------------------------------------ cost
def cost(n: int) -> dict:
    """Wall time of conformance.check's gradient check vs gradcheck(fast_mode=False), n inputs."""
    import conformance
    from conformance.adapters import gradcheck

    mod = gradcheck.module("torch")
    x = np.linspace(-1.0, 1.0, n)
    good, bad = mod.custom_sin_exp(0.0), mod.custom_sin_exp(TARGET_DELTA["float64"])

    def ours(f: Any) -> tuple[float, Any]:
        start = time.perf_counter()
        res = conformance.check({"torch": f}, x, reference=reference, analytic=True, checks=("gradient",))
        return time.perf_counter() - start, res

    ours(good)  # warm: imports, first dispatch
    ours_t = [ours(good)[0] for _ in range(3)]
    flagged = not ours(bad)[1].ok
    passed = ours(good)[1].ok
    mod.time_native_check(good, x[:10])  # warm
    theirs_t = [mod.time_native_check(good, x) for _ in range(3)]
    a, b = statistics.median(ours_t), statistics.median(theirs_t)
    yes = {True: "yes", False: "no"}
    rows = [
        ["conformance.check gradient (complex-step oracle)", a, yes[passed], yes[flagged]],
        ["torch.autograd.gradcheck(fast_mode=False)", b, None, None],
        ["ratio ours / gradcheck", a / b, None, None],
    ]
    cols = ["verifier", "median seconds", "correct rule passes", "δ = 1e-8 flagged"]
    title = f"Cost: verifying ∇f of f(x) = Σ sin(x)·exp(x), n = {n}, float64, torch (median of 3)"
    return {
        "check": "cost",
        "ok": a < b and flagged and passed,
        "title": title,
        "columns": cols,
        "rows": rows,
        "ratio": a / b,
    }


# ------------------------------------------------------------------ seeds
def seeds(frameworks: list[str], count: int, first: int = 0) -> dict:
    """The catalog's oracle checks, one fresh draw per task, for ``count`` seeds."""
    from conformance import adapters, engine, registry

    reg = registry.load(None)
    names = ["numpy"] + frameworks
    rows, unregistered = [], []
    for seed in range(first, first + count):
        prof = engine.get_profile("seeds", seed)  # what the records' replay commands run
        tasks = engine.collect(prof, ["derivatives"], checks=SEED_CHECKS)
        start = time.perf_counter()
        for name in names:
            base = adapters.get(name).staging()  # as `conformance run` runs them
            counts: Counter = Counter()
            for task, ad, dev, dtype in engine.plan([base], ["cpu"], None, tasks, [base.variants[0]]):
                rec = engine.run_task(task, ad, dev, dtype, prof, seed, reg)
                counts[rec.status] += 1
                if rec.status in ("fail", "error"):
                    unregistered.append(
                        f"seed {seed} {ad.label} {dtype} {task.family}/{task.case} {task.check}: {rec.message[:140]}"
                    )
                    # at once, so that an interrupted sweep keeps what it found
                    print(
                        f"  UNREGISTERED {unregistered[-1]}\n    replay: {rec.replay}\n    input: {rec.input}",
                        file=sys.stderr,
                        flush=True,
                    )
            rows.append(
                [seed, name, counts["pass"], counts["fail"], counts["error"], counts["deviation"], counts["skip"]]
            )
        print(
            f"  seed {seed}: {time.perf_counter() - start:.0f} s, unregistered so far {len(unregistered)}",
            file=sys.stderr,
            flush=True,
        )
    cols = ["seed", "framework", "pass", "fail", "error", "deviation", "skip"]
    title = (
        f"No false failures: catalog × {SEED_CHECKS} × float64, float32, default variants, one draw per "
        f"task, seeds {first}..{first + count - 1}; unregistered failures: {len(unregistered)}"
    )
    return {
        "check": "seeds",
        "ok": not unregistered,
        "title": title,
        "columns": cols,
        "rows": rows,
        "unregistered": unregistered,
    }


# ------------------------------------------------------------------ rules
def rules(frameworks: list[str], count: int) -> dict:
    """The custom-rule study (``rule_study.study``), its progress on stderr."""
    from conformance.derivatives import rule_study

    def progress(cell: Any) -> None:
        said = (
            "n/a"
            if cell.why.startswith("n/a")
            else f"{cell.false_alarms} false alarms"
            if cell.mutant == rule_study.CORRECT_RULE
            else "flagged"
            if cell.flagged
            else "MISSED"
        )
        print(f"  {cell.framework}/{cell.mechanism} {cell.function} {cell.mutant}: {said}", file=sys.stderr, flush=True)

    return rule_study.study(frameworks, count, progress=progress)


# ------------------------------------------------------------------ runtime
def runtime(
    suites: str, frameworks: list[str] | None = None, cases: str | None = None, keep: str | None = None
) -> dict:
    """Cold and warm ``conformance run --profile ci`` over ``suites`` (and ``frameworks``, ``cases``),
    each in a fresh process, the warm one with the caches (compiled programs, oracle values) the cold
    one filled. ``keep``: a folder that receives both runs' records (``cold/``, ``warm/``), e.g. for
    ``python -m conformance.unit_costs``."""
    import resource

    from conformance.records import read

    with tempfile.TemporaryDirectory() as tmp:
        base = [
            sys.executable,
            "-m",
            "conformance",
            "run",
            "--profile",
            "ci",
            "--no-report",
            "--quiet",
            "--cache-dir",
            str(Path(tmp) / "cache"),
        ] + [a for s in suites.split(",") for a in ("--suite", s)]
        base += [a for f in frameworks or [] for a in ("--framework", f)] + (["--cases", cases] if cases else [])
        runs: dict[str, dict] = {}
        for name in ("cold", "warm"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(base + ["--out", str(Path(tmp) / name)], capture_output=True, text=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if keep:
                shutil.copytree(Path(tmp) / name, Path(keep) / name, dirs_exist_ok=True)
            runs[name] = {
                "wall": wall,
                "cpu": cpu,
                "exit": proc.returncode,
                "records": read([Path(tmp) / name]).records,
            }
        plan = _shard_plan(base)
    cold, warm = runs["cold"]["records"], runs["warm"]["records"]
    same = _comparable(cold) == _comparable(warm)
    per = {k: _task_seconds(r["records"]) for k, r in runs.items()}
    rows: list[list[Any]] = [
        [f"{fw} task seconds", round(per["cold"].get(fw, 0.0), 1), round(per["warm"].get(fw, 0.0), 1)]
        for fw in sorted(per["cold"])
    ]
    rows += [
        ["total wall (s)", round(runs["cold"]["wall"], 1), round(runs["warm"]["wall"], 1)],
        ["total CPU, user + sys (s)", round(runs["cold"]["cpu"], 1), round(runs["warm"]["cpu"], 1)],
        ["records", len(cold), len(warm)],
        ["records identical (timings aside)", "yes" if same else "NO", ""],
    ]
    unit_s = {k: _unit_seconds(r["records"]) for k, r in runs.items()}
    for fw, n, shards in plan:
        for k, units in enumerate(shards, 1):
            rows.append(
                [
                    f"{fw} shard {k}/{n}: {len(units)} cases, task seconds",
                    round(sum(unit_s["cold"].get(u, 0.0) for u in units), 1),
                    round(sum(unit_s["warm"].get(u, 0.0) for u in units), 1),
                ]
            )
    ratio = runs["warm"]["wall"] / runs["cold"]["wall"] if runs["cold"]["wall"] else None
    title = (
        f"Runtime: conformance run --profile ci --suite {suites}"
        f"{' --cases ' + cases if cases else ''}, cold (empty compilation cache) and warm (the cache "
        f"the cold run filled), one after the other in this invocation: {len(cold)} records, exit "
        f"{runs['cold']['exit']}/{runs['warm']['exit']}, warm/cold wall {ratio:.2f}; load average at "
        f"the end {_load()} on {os.cpu_count()} cores (on a shared machine the CPU time is the "
        f"fairer figure); shard plans from conformance/matrix.toml; targets (issue 20): cold under "
        f"{COLD_TARGET_S:.0f} s wall, warm at most {WARM_TARGET:.1f} of cold, records identical"
    )
    met = ratio is not None and runs["cold"]["wall"] < COLD_TARGET_S and ratio <= WARM_TARGET
    return {
        "check": "runtime",
        "ok": same and runs["cold"]["exit"] in (0, 1) and met,
        "title": title,
        "columns": ["", "cold", "warm"],
        "rows": rows,
        "wall_s": runs["cold"]["wall"],
        "cpu_s": runs["cold"]["cpu"],
        "warm_wall_s": runs["warm"]["wall"],
        "warm_cpu_s": runs["warm"]["cpu"],
        "identical": same,
    }


def _comparable(records: list) -> list[str]:
    """The records as sorted JSON lines without what differs between identical runs (timings, run id,
    tracebacks: TF names its graphs with a process-wide counter)."""
    import json
    from dataclasses import asdict

    out = []
    for r in records:
        d = asdict(r)
        d.pop("duration_s", None)
        d.pop("run_id", None)
        if isinstance(d.get("data"), dict):  # a timing, and a traceback's framework-internal graph counters
            d["data"] = {k: v for k, v in d["data"].items() if k not in ("oracle_seconds", "traceback")}
        out.append(json.dumps(d, sort_keys=True, default=str))
    return sorted(out)


def _task_seconds(records: list) -> Counter:
    per: Counter = Counter()
    for r in records:
        per[r.framework] += r.duration_s or 0.0
    return per


def _unit_seconds(records: list) -> Counter:
    per: Counter = Counter()
    for r in records:
        per[(r.framework, r.family, r.case)] += r.duration_s or 0.0
    return per


def _shard_plan(run_cmd: list[str]) -> list[tuple[str, int, list]]:
    """(framework, N, its N shards' units) for each framework of the run, N from the matrix."""
    import argparse

    from conformance import matrix, scheduler
    from conformance.commands import run

    p = argparse.ArgumentParser()
    run.configure(p)
    args = p.parse_args(run_cmd[run_cmd.index("run") + 1 :] + ["--no-cache"])
    plan = scheduler.make_plan(args)
    counts = {s.framework: s.shards for s in matrix.load().sessions}
    out = []
    for a in plan.adapters:
        n = counts.get(a.name, 1)
        if n > 1:
            sub = scheduler.Plan(plan.profile, plan.seed, plan.registry, [a], plan.tasks, {a.name: plan.work[a.name]})
            out.append((a.name, n, scheduler.split(sub, n)))
    return out


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# ------------------------------------------------------------------ a section
def measure(
    section: str,
    frameworks: list[str],
    *,
    n: int,
    seeds_count: int,
    first_seed: int,
    runtime_suites: str,
    runtime_cases: str | None = None,
    runtime_out: str | None = None,
) -> dict:
    """One section's result: ``check``, ``ok``, ``title``, ``columns``, ``rows`` (and its own
    figures), with ``seconds``, the time it took."""
    start = time.perf_counter()
    if section == "sensitivity":
        res = sensitivity(frameworks)
    elif section == "cost":
        res = cost(n)
    elif section == "seeds":
        res = seeds(frameworks, seeds_count, first_seed)
    elif section == "rules":
        res = rules(frameworks, seeds_count)
    else:
        res = runtime(runtime_suites, frameworks, runtime_cases, runtime_out)
    res["seconds"] = time.perf_counter() - start
    return res


def record(section: str, res: dict) -> Record:
    """A section's result as a kind "study" record (its table in data.table)."""
    data = {"table": {"columns": res["columns"], "rows": res["rows"]}, "title": res["title"]}
    for k in (
        "ratio",
        "wall_s",
        "cpu_s",
        "warm_wall_s",
        "warm_cpu_s",
        "identical",
        "unregistered",
        "false_alarms",
        "native_false_alarms",
        "missed",
    ):
        if k in res:
            data[k] = res[k]
    return Record(
        kind="study",
        framework="all",
        framework_version="",
        api="",
        device="cpu",
        dtype="float64",
        family="derivatives",
        case="targets",
        check=section,
        status="pass" if res["ok"] else "fail",
        message=res["title"],
        duration_s=res["seconds"],
        data=data,
    )
