"""The benchmark run behind ``conformance bench``: time the primal and every derivative operator per framework, API variant,
device, mode (eager / compiled) and size, and the GMM and D-LSTM gradients (eager, compiled, and
``gradbench``: each framework timed the way GradBench's tool for it times objective and gradient,
for a ratio like-for-like with GradBench's published one); write benchmark records
to ``<out>/bench-<run_id>.jsonl`` and print the tables (times, derivative/primal ratios against the
cheap-gradient bound, fitted scaling exponents, the workloads beside GradBench, the harness-overhead
self-check).

Fairness: every framework gets the same float64 inputs (fixed seeds), the same intra-op thread count
(``--threads``, recorded), warm-up calls excluded, compile/trace time measured apart from steady
state, and ``adapter.synchronize`` before every clock stop, on every device the adapters report.

The command line is ``conformance.commands.bench``; ``run(args)`` takes its parsed options.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from conformance import adapters, tolerance
from conformance.adapters import benchmarks as fw_bench
from conformance.benchmarks import harness, operators, reference
from conformance.benchmarks.workloads import WORKLOADS
from conformance.errors import UnknownVariantError, first_line
from conformance.records import Record, ResultWriter, new_run_id, results_path, thread_counts

OPERATOR_MODES = ("eager", "compiled")
MODES = OPERATOR_MODES + ("gradbench",)  # gradbench: the workloads only (see run_workload)
SEED = 20260301


@dataclass(frozen=True)
class BenchProfile:
    """What a profile measures: functions and sizes, workload instances, API variants, timing."""

    name: str
    settings: harness.Settings
    functions: tuple[str, ...]
    sizes: tuple[int, ...]  # n for the primal, gradients and products
    quadratic_sizes: tuple[int, ...]  # n for Jacobians and Hessians (n × n results)
    workloads: dict[str, tuple[dict, ...]]
    all_variants: bool
    workload_modes: dict[str, tuple[str, ...]] | None = None  # workload -> modes (default: all)


BENCH_PROFILES = {
    "quick": BenchProfile(
        "quick",
        harness.QUICK,
        ("rosenbrock", "softmax"),
        (10, 1_000, 100_000),
        (10, 100),
        {"gmm": WORKLOADS["gmm"].QUICK, "lstm": WORKLOADS["lstm"].QUICK},
        all_variants=False,
        # eager D-LSTM gradients over 1023 steps take 7-35 s a call here: full only
        workload_modes={"gmm": MODES, "lstm": ("compiled", "gradbench")},
    ),
    "full": BenchProfile(
        "full",
        harness.FULL,
        ("sum_sin", "rosenbrock", "softmax"),
        (10, 100, 1_000, 10_000, 100_000, 1_000_000),
        (10, 100, 1_000, 100_000),
        {"gmm": WORKLOADS["gmm"].FULL, "lstm": WORKLOADS["lstm"].FULL},
        all_variants=True,
    ),
}


# ------------------------------------------------------------------ records
class Bench:
    """One run: the writer, the filters and every record written (for the tables)."""

    def __init__(self, args: argparse.Namespace, writer: ResultWriter):
        self.args = args
        self.writer = writer
        self.profile = BENCH_PROFILES[args.profile]
        self.records: list[dict] = []
        self.memory = harness.available_memory()

    def wanted(self, kind: str, value: Any) -> bool:
        chosen = getattr(self.args, kind)
        return not chosen or value in chosen

    def replay(
        self,
        adapter: Any,
        device: str,
        case: str,
        mode: str | None = None,
        check: str | None = None,
        n: int | None = None,
    ) -> str:
        parts = [
            "conformance",
            "bench",
            "--framework",
            adapter.name,
            "--variant",
            adapter.variant,
            "--device",
            device,
            "--profile",
            self.profile.name,
            "--case",
            case,
        ]
        if mode:
            parts += ["--mode", mode]
        if check and check != "primal":
            parts += ["--check", check]
        if n is not None:
            parts += ["--size", str(n)]
        return shlex.join(parts)

    def write(
        self,
        adapter: Any,
        device: str,
        family: str,
        case: str,
        check: str,
        status: str,
        data: dict,
        message: str = "",
        replay: str = "",
    ) -> None:
        base = {
            "n": None,
            "params": {},
            "mode": None,
            "median_s": None,
            "iqr_s": None,
            "min_s": None,
            "rounds": 0,
            "compile_s": None,
            "ratio": None,
            "bound": None,
            "over_bound": False,
            "exponent": None,
            "reference": None,
        }
        base.update(data)
        rec = Record(
            kind="benchmark",
            framework=adapter.name,
            framework_version=adapter.version if adapter.available() else "",
            api=adapter.variant,
            device=device,
            dtype="float64",
            family=family,
            case=case,
            check=check,
            status=status,
            message=message,
            replay=replay,
            seed=SEED,
            data=base,
        )
        self.writer.write(rec)
        self.records.append(rec.__dict__ | {"data": base})


def timing_data(t: harness.Timing) -> dict:
    data = {
        "median_s": t.median_s,
        "iqr_s": t.iqr_s,
        "min_s": t.min_s,
        "rounds": t.rounds,
        "compile_s": t.compile_s,
        "first_call_s": t.first_s,
        "inner": t.inner,
    }
    return data | ({"compile_fallback": t.fallback} if t.fallback else {})


def _timed(
    bench: Bench, adapter: Any, fns: list[Callable], argss: list[tuple], mode: str, staged: bool | None = None
) -> list[harness.Timing]:
    """Timings of ``fns`` (compiled afresh in compiled mode), their rounds interleaved; ``staged``
    says whether the first call compiles where ``fns`` come prepared (gradbench mode)."""
    if mode == "compiled":
        fw_bench.reset_compiler(adapter)
        fns = [adapter.compile(fn) for fn in fns]
    timings = harness.measure_together(
        fns, argss, adapter.synchronize, bench.profile.settings, mode == "compiled" if staged is None else staged
    )
    for fn, t in zip(fns, timings):
        t.fallback = getattr(fn, "compile_fallback", None)
    return timings


def _failure(mode: str, exc: BaseException) -> str:
    what = "compiling or running the compiled function failed" if mode == "compiled" else "failed"
    return f"{what}: {first_line(exc, 300)}" + (
        "; the eager-mode record has this operator's timing" if mode == "compiled" else ""
    )


# ------------------------------------------------------------------ operators
def run_function(bench: Bench, adapter: Any, device: str, fn: operators.Function, mode: str) -> None:
    """Every operator of ``fn`` over the profile's sizes; records written once the sizes are done,
    each with its ratio to the primal at the same n and the fitted exponent over sizes."""
    prof = bench.profile
    f = fn.build(adapter.xp)
    sizes = sorted(set(prof.sizes) | set(prof.quadratic_sizes))
    ops = [op for op in operators.operators_for(fn) if op == "primal" or bench.wanted("check", op)]
    timings: dict[tuple[str, int], harness.Timing] = {}
    paired: dict[tuple[str, int], harness.Timing] = {}  # the primal timed beside each operator
    pending: list[tuple[str, int, str, dict]] = []  # skipped: (op, n, message, extra data)
    for n in sizes:
        if not bench.wanted("size", n):
            continue
        at_n = [op for op in ops if n in (prof.quadratic_sizes if op in operators.QUADRATIC else prof.sizes)]
        if at_n == ["primal"] and n not in prof.sizes:
            continue
        for op in at_n:
            est = operators.memory_estimate(op, n)
            if not harness.fits(est, bench.memory):
                pending.append(
                    (
                        op,
                        n,
                        f"would not fit in memory: needs about {harness.human_bytes(est)}"
                        f", {harness.human_bytes(bench.memory or 0)} available",
                        {"memory_estimate_bytes": est},
                    )
                )
                continue
            try:
                args = operators.inputs(adapter, fn, op, n, device, SEED)
                if op == "primal":
                    (timings[(op, n)],) = _timed(bench, adapter, [f], [args], mode)
                else:  # timed side by side with the primal, for an honest ratio under varying load
                    timings[(op, n)], paired[(op, n)] = _timed(
                        bench, adapter, [operators.build(adapter, f, op), f], [args, args[:1]], mode
                    )
            except MemoryError as exc:
                pending.append((op, n, f"out of memory: {first_line(exc, 300)}", {"memory_estimate_bytes": est}))
            except Exception as exc:  # a framework's failure is a record, never a lost run
                pending.append((op, n, _failure(mode, exc), {}))
    for op in ops:
        ns = sorted(n for (o, n) in timings if o == op)
        exponent = harness.scaling_exponent(ns, [timings[(op, n)].median_s for n in ns])
        bound = operators.BOUNDS.get(op)
        for n in ns:
            t = timings[(op, n)]
            primal = paired.get((op, n))
            ratio = t.median_s / primal.median_s if primal else None
            over = bool(bound and ratio and n >= operators.LARGE_N and ratio > bound)
            data = {
                "n": n,
                "params": {"n": n},
                "mode": mode,
                **timing_data(t),
                "ratio": ratio,
                "bound": bound,
                "over_bound": over,
                "exponent": exponent,
                "primal_median_s": primal.median_s if primal else None,
            }
            msg = "; ".join(
                m
                for m in (
                    f"ratio {ratio:.2f} exceeds the cheap-gradient bound {bound:g}" if over else "",
                    t.fallback or "",
                )
                if m
            )
            bench.write(
                adapter,
                device,
                "benchmarks",
                fn.name,
                op,
                "pass",
                data,
                msg,
                bench.replay(adapter, device, fn.name, mode, op, n),
            )
    for op, n, msg, extra in pending:
        bench.write(
            adapter,
            device,
            "benchmarks",
            fn.name,
            op,
            "skip",
            {"n": n, "params": {"n": n}, "mode": mode, "bound": operators.BOUNDS.get(op), **extra},
            msg,
            bench.replay(adapter, device, fn.name, mode, op, n),
        )


# ------------------------------------------------------------------ workloads
class References:
    """float64 numpy reference gradients, computed once per instance and shared by frameworks."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Any] = {}

    def get(self, name: str, problem: Any, key: tuple) -> Any:
        if (name, key) not in self._cache:
            self._cache[(name, key)] = WORKLOADS[name].reference_gradient(problem)
        return self._cache[(name, key)]


def run_workload(bench: Bench, refs: References, adapter: Any, device: str, name: str, cfg: dict, mode: str) -> None:
    """Primal and gradient of one workload instance; the gradient checked against the reference.
    In gradbench mode the pair comes from ``conformance.adapters.benchmarks.gradbench_pair`` (the
    framework's calls as GradBench's tool makes them, described in ``data["how"]``)."""
    module = WORKLOADS[name]
    problem = module.generate(**cfg, seed=SEED)
    n = cfg.get("n", cfg.get("c"))
    params = problem.params
    base = {"n": n, "params": params, "mode": mode}
    replay = bench.replay(adapter, device, name, mode)
    est = problem.memory_bytes()
    if not harness.fits(est, bench.memory):
        for check in ("primal", "grad"):
            bench.write(
                adapter,
                device,
                "workloads",
                name,
                check,
                "skip",
                base | {"memory_estimate_bytes": est},
                f"would not fit in memory: needs about {harness.human_bytes(est)}",
                replay,
            )
        return
    argnums = tuple(range(len(problem.arguments())))
    # compiled mode runs the recurrence through the framework's loop primitive (lax.scan, tf.scan),
    # the form its compiler expects; gradbench mode the loop of GradBench's tool; eager mode is op by
    # op (a Python loop) in every framework
    loop = {"compiled": fw_bench.scan, "gradbench": fw_bench.gradbench_scan}.get(mode)
    kwargs = {"scan": loop(adapter)} if name == "lstm" and loop else {}
    timings: dict[str, harness.Timing] = {}
    out_grad = None
    fallback = fw_bench.compile_fallback(adapter, name) if mode == "compiled" else None
    if fallback:
        base = base | {"compile_fallback": fallback}
        kwargs = {}
    try:
        f = module.objective(adapter, problem, device, **kwargs)
        args = tuple(adapter.from_numpy(a, dtype="float64", device=device) for a in problem.arguments())
        staged = None
        if mode == "gradbench":
            pair = fw_bench.gradbench_pair(adapter, f, argnums, args, name)
            f, g, args, staged = pair.primal, pair.grad, pair.args, pair.staged
            base = base | {"how": pair.how}
        else:
            g = adapter.grad(f, argnums)
        timings["primal"], timings["grad"] = _timed(
            bench, adapter, [f, g], [args, args], "eager" if fallback else mode, staged
        )
        out_grad = [adapter.to_numpy(a) for a in g(*args)]
    except Exception as exc:
        for check in ("primal", "grad"):
            if check not in timings:
                bench.write(adapter, device, "workloads", name, check, "skip", base, _failure(mode, exc), replay)
    ref_info = reference.reference(name, adapter.name)
    bound = tolerance.policy("workload_agreement", "float64").rtol
    for check, t in timings.items():
        ratio = t.median_s / timings["primal"].median_s if check == "grad" else None
        data = (
            base
            | timing_data(t)
            | {"ratio": ratio, "bound": None, "over_bound": False, "reference": ref_info if check == "grad" else None}
        )
        status, msg = "pass", (f"compiled mode timed eagerly: {fallback}" if fallback else "")
        if check == "grad" and out_grad is not None:
            r = harness.rho(out_grad, refs.get(name, problem, tuple(sorted(cfg.items()))))
            data |= {"rho": r, "rho_bound": bound, "reference_gradient": _reference_method(name)}
            if not r <= bound:
                status, msg = (
                    "fail",
                    (f"gradient disagrees with the float64 numpy reference: rho {r:.2e} > {bound:.0e}"),
                )
        bench.write(adapter, device, "workloads", name, check, status, data, msg, replay)


def _reference_method(name: str) -> str:
    return {"gmm": "hand-derived gradient (numpy float64)", "lstm": "batched complex step (numpy, exact to rounding)"}[
        name
    ]


# ------------------------------------------------------------------ overhead self-check
def overhead_check(bench: Bench, adapter: Any, device: str) -> dict | None:
    """The adapter path for the compiled GMM gradient against a hand-written loop of the same
    framework call (``conformance.adapters.<framework>.benchmarks.direct_grad``)."""
    module = WORKLOADS["gmm"]
    cfg = module.QUICK[-1]
    problem = module.generate(**cfg, seed=SEED)
    try:
        f = module.objective(adapter, problem, device)
        args = tuple(adapter.from_numpy(a, dtype="float64", device=device) for a in problem.arguments())
        hand = fw_bench.direct_grad(adapter, f, (0, 1, 2))
        if hand is None:
            return None
        fw_bench.reset_compiler(adapter)
        path = adapter.compile(adapter.grad(f, (0, 1, 2)))
        res = harness.overhead_check(path, hand, fw_bench.hand_timed_loop, args, adapter.synchronize)
    except Exception as exc:
        res = {"error": first_line(exc, 300)}
    res |= {"framework": adapter.label, "device": device, "workload": f"gmm {cfg}"}
    return res


# ------------------------------------------------------------------ the run
def _adapters(args: argparse.Namespace, bench_profile: BenchProfile) -> tuple[list, list]:
    """(adapters to time, (adapter, reason) pairs to record as skipped)."""
    chosen, skipped = [], []
    names = args.framework or adapters.names()
    for name in names:
        base = adapters.get(name)
        ok = base.available()
        if not ok:
            skipped.append((base, f"not available: {ok}"))
            continue
        if base.is_reference and not args.framework:
            continue
        if base.is_reference:
            skipped.append(
                (
                    base,
                    f"{base.name} is the numerical reference (finite differences cost n "
                    f"evaluations per gradient); benchmarks time AD frameworks",
                )
            )
            continue
        variants = args.variant or (base.variants if bench_profile.all_variants else base.variants[:1])
        for v in variants:
            if v in base.variants:
                chosen.append(base.with_variant(v))
            elif args.variant and len(names) == 1:
                raise UnknownVariantError(
                    f"{base.name} has no API variant {v!r}; choose one of {', '.join(base.variants)}"
                )
    return chosen, skipped


def _gradbench_adapter(adapter: Any, device: str, done: set) -> Any | None:
    """The adapter in the API variant GradBench's tool uses for gradbench mode, the first time a
    framework and device come up (the mode does not depend on the variant chosen); None after."""
    if (adapter.name, device) in done:
        return None
    done.add((adapter.name, device))
    variant = fw_bench.gradbench_variant(adapter)
    return adapter if variant is None else adapter.with_variant(variant)


def run(args: argparse.Namespace) -> tuple[Path, str, int]:
    """Every benchmark the options of ``conformance bench`` select, written as records to
    ``<out>/bench-<run id>.jsonl``. Returns that file, the tables as text and the number of
    benchmark records."""
    from conformance.benchmarks import tables

    started, cpu_started = time.perf_counter(), time.process_time()
    load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    prof = BENCH_PROFILES[args.profile]
    chosen, skipped = _adapters(args, prof)
    threads = {a.name: fw_bench.set_threads(a, args.threads) for a in chosen}
    run_id = new_run_id()
    path = results_path(args.out, "bench", run_id)
    header = {
        "bench": {
            "profile": prof.name,
            "threads_requested": args.threads,
            "threads_set": threads,
            "thread_counts": thread_counts(),
            "loadavg_start": load_start,
        }
    }
    overheads = []
    with ResultWriter(path, run_id=run_id, header=header) as writer:
        bench = Bench(args, writer)
        for adapter, reason in skipped:
            bench.write(adapter, "cpu", "benchmarks", "*", "*", "skip", {}, reason)
        refs = References()
        gradbench_done: set = set()
        for adapter in chosen:
            found = adapter.devices()
            for dev in args.device or found:
                dev_c = adapters.base.canonical_device(dev)
                if dev_c not in found:
                    bench.write(
                        adapter,
                        dev_c,
                        "benchmarks",
                        "*",
                        "*",
                        "skip",
                        {},
                        f"{adapter.name} has no device {dev!r}; devices found: {', '.join(found)}",
                    )
                    continue
                for mode in args.mode or MODES:
                    if mode in OPERATOR_MODES:
                        for fname in prof.functions:
                            if bench.wanted("case", fname):
                                run_function(bench, adapter, dev_c, operators.FUNCTIONS[fname], mode)
                    wadapter = adapter
                    if mode == "gradbench":  # once per framework and device, in GradBench's API
                        wadapter = _gradbench_adapter(adapter, dev_c, gradbench_done)
                    for wname, configs in prof.workloads.items():
                        wmodes = (prof.workload_modes or {}).get(wname, MODES)
                        if (
                            wadapter is not None
                            and bench.wanted("case", wname)
                            and bench.wanted("check", "grad")
                            and mode in wmodes
                        ):
                            for cfg in configs:
                                run_workload(bench, refs, wadapter, dev_c, wname, cfg, mode)
                if not args.no_overhead_check and adapter.variant == adapter.variants[0]:
                    res = overhead_check(bench, adapter, dev_c)
                    if res:
                        overheads.append(res)
        for res in overheads:
            writer.write(tables.overhead_record(res, run_id))
        elapsed = time.perf_counter() - started
        threads = threads | {"process_cpu_s": round(time.process_time() - cpu_started, 1)}
        load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        text = tables.render(bench.records, overheads, prof.name, elapsed, threads, (load_start, load_end))
    return Path(path), text, len(bench.records)
