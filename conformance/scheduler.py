"""What one ``conformance run`` does and how its work is handed out: the plan (the adapters, tasks
and (task, variant, device, dtype) work of the run, rebuilt from the same arguments in every
worker process), the run of one framework in this process, and the parallel run: worker processes
(spawned) taking whole cases, costliest first, from one queue; the shard of a run (``--shard K/N``:
the plan's cases split into N parts of about equal estimated cost, deterministically, so N machines
run one each); the compilation caches of the run's frameworks (``conformance.cache``); and the quiet
terminal (``framework_log``: what the frameworks write to stderr goes to a log file).

The command line (options, progress line, summary) is ``conformance.commands.run``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import multiprocessing
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import IO, Any, Callable, Iterator

from conformance import adapters, engine
from conformance import cache as cache_mod
from conformance import registry as registry_mod
from conformance.errors import ConformanceError, UnknownDeviceError
from conformance.records import Record, ResultWriter, results_path


def _names(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


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
            say(f"skipping {a.name}: {ok.reason} (install: {ok.install})")
    if not usable:
        raise ConformanceError(
            "none of the requested frameworks is installed; `conformance list` shows how to install them"
        )
    return usable


@dataclass
class Plan:
    """What one ``conformance run`` does: rebuilt from the same arguments in every worker process."""

    profile: engine.Profile
    seed: int
    registry: Any
    adapters: list[adapters.Adapter]
    tasks: list[engine.Task]
    work: dict[str, list]
    shard: "Shard | None" = None
    cache: dict[str, dict] = field(default_factory=dict)  # framework -> CacheState.as_dict()
    rotation: dict | None = None  # see ``rotation_note``

    def full_work(self) -> Iterator[tuple]:
        """Every (task, adapter variant, device, dtype) of a full run of this profile over the
        run's frameworks: every suite, case, check, API variant, device and dtype (from the suites
        ``engine.load_suite`` already holds)."""
        return engine.plan(self.adapters, None, None, engine.collect(self.profile))


def make_plan(args: argparse.Namespace, seed: int | None = None) -> Plan:
    profile = engine.get_profile(args.profile)
    if seed is None:
        seed = args.seed if args.seed is not None else (0 if profile.derandomize else random.randrange(2**31))
    profile = engine.get_profile(args.profile, seed)
    reg = registry_mod.load(args.registry)
    caches = configure_caches(args)
    chosen = [a.staging(not args.eager) for a in resolve_adapters(_names(args.framework))]
    variants, devices, dtypes = _names(args.api), _names(args.device), _names(args.dtype)
    for d in devices or []:
        known = sorted({dev for a in chosen for dev in a.devices()})
        if adapters.base.canonical_device(d) not in known:
            raise UnknownDeviceError(f"no framework has device {d!r}; devices found: {', '.join(known)}")
    devices = [adapters.base.canonical_device(d) for d in devices] if devices else None
    tasks = engine.collect(profile, _names(args.suite), args.cases, args.checks)
    if not tasks:
        raise ConformanceError(
            f"no task matches --cases {args.cases!r} --checks {args.checks!r}; "
            f"`conformance run --profile dev` runs everything"
        )
    work = {a.name: list(engine.plan([a], devices, dtypes, tasks, variants)) for a in chosen}
    kept = [a.name for a in chosen] + ["oracles"]
    plan = Plan(profile, seed, reg, chosen, tasks, work, cache={n: caches[n] for n in kept if n in caches})
    plan.rotation = rotation_note(args, profile, chosen, seed)
    shard = getattr(args, "shard", None)
    if shard is not None and shard.count > 1:
        plan.shard = shard
        mine = set(split(plan, shard.count)[shard.index - 1])
        plan.work = {
            name: [w for w in work if (name, w[0].family, w[0].case) in mine] for name, work in plan.work.items()
        }
    return plan


# ---------------------------------------------------------------- caches
def configure_caches(args: argparse.Namespace) -> dict[str, dict]:
    """Switch on (or off, with --no-cache) the compilation cache of every framework the run asks
    for, before any of them is imported, and the store of oracle values (``conformance.oracle_cache``);
    framework (or "oracles") -> its state for the run header. A cache folder
    that cannot be used is one warning line and an uncached run for that framework (the decision is
    kept in ``args``, so spawned workers follow it without asking again)."""
    root = (
        None if getattr(args, "no_cache", False) else Path(getattr(args, "cache_dir", None) or cache_mod.default_root())
    )
    off: set[str] = getattr(args, "cache_off", set())
    states = {}
    for name in _names(args.framework) or adapters.names():
        try:
            cls = adapters.adapter_class(name)
        except Exception:  # an unknown name: resolve_adapters says so
            continue
        if importlib_spec(cls.module) is None:
            continue
        state = cache_mod.configure(cls, None if cls.name in off else root)
        if root is not None and cls.name not in off and not state.enabled and state.note.startswith("cache folder"):
            say(f"warning: {state.note}; {cls.name} runs uncached")
            off.add(cls.name)
            args.cache_off = off
        states[cls.name] = state.as_dict()
    from conformance import oracle_cache

    oracles = oracle_cache.configure(None if oracle_cache.NAME in off else root)
    if root is not None and oracle_cache.NAME not in off and oracles["state"] == "off":
        say(f"warning: {oracles['note']}; oracles are computed afresh")
        off.add(oracle_cache.NAME)
        args.cache_off = off
    elif root is not None and oracle_cache.NAME not in off and oracles[oracle_cache.EXACT]["state"] == "off":
        say(f"warning: {oracles[oracle_cache.EXACT]['note']}; the accuracy tables' exact values are computed afresh")
    states[oracle_cache.NAME] = oracles
    return states


def importlib_spec(module: str) -> Any:
    import importlib.util

    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None


# ---------------------------------------------------------------- rotation
def rotation_note(args: argparse.Namespace, profile: engine.Profile, chosen: list, seed: int) -> dict | None:
    """Under a rotating profile, the share of the selected derivative and edge records this seed runs
    and the seeds that, with it, run all of them (``rotation.ROTATION`` consecutive seeds)."""
    from conformance import rotation

    suites = [s for s in (_names(args.suite) or engine.SUITES) if s in rotation.ROTATED_SUITES]
    if not profile.rotate or not suites:
        return None
    ran_tasks = engine.collect(profile, suites, args.cases, args.checks)
    all_tasks = engine.collect(dataclasses.replace(profile, rotate=False), suites, args.cases, args.checks)
    ran = sum(rotation.records(ran_tasks, len(a.variants)) for a in chosen)
    total = sum(rotation.records(all_tasks, len(a.variants)) for a in chosen)
    if ran == total or not total:
        return None
    end = seed + rotation.ROTATION - 1
    return {
        "period": rotation.ROTATION,
        "share": round(ran / total, 3),
        "tasks": ran,
        "of": total,
        "seeds": list(range(seed, end + 1)),
        "note": f"seed {seed} runs {ran} of {total} derivative and edge checks ({ran / total:.0%}: every "
        f"first derivative in float64, 1/{rotation.ROTATION} of the rest); seeds {seed}..{end} together run all",
    }


# ---------------------------------------------------------------- shards
@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N, else argparse's usage error (``--shard 5/4``, ``0/3``, ``x``)."""
    k, sep, n = str(text).partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N (shard K of N, e.g. 2/3)")
    shard = Shard(int(k), int(n))
    if shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise argparse.ArgumentTypeError(f"{text!r}: K must be between 1 and N (shards are numbered 1..N)")
    return shard


def split(plan: Plan, count: int) -> list[list[tuple[str, str, str]]]:
    """The plan's (framework, family, case) units in ``count`` shards of about equal cost (measured, else estimated):
    each unit, costliest first, goes to the shard with the least cost so far (lowest index on a tie).
    The plan and the costs are the same on every machine, so every shard job computes the same split."""
    shards: list[list[tuple[str, str, str]]] = [[] for _ in range(count)]
    load = [0.0] * count
    for cost, unit in costed_units(plan):
        i = min(range(count), key=lambda j: (load[j], j))
        shards[i].append(unit)
        load[i] += cost
    return shards


def shard_costs(plan: Plan, count: int) -> list[float]:
    """The estimated cost of each of ``count`` shards of ``plan`` (units of a first-order check)."""
    cost = dict((u, c) for c, u in costed_units(plan))
    return [sum(cost[u] for u in units) for units in split(plan, count)]


def missing_shards(runs: dict[str, dict]) -> list[str]:
    """For run headers (run_id -> header) of sharded runs, one line per shard of a run that is
    absent: shards belong together when their framework, version, profile, seed, shard count and
    command line (but for --shard) are the same."""
    groups: dict[tuple, set[int]] = {}
    for head in runs.values():
        env = head.get("environment") or {}
        k, _, n = str(env.get("shard") or "").partition("/")
        if not (k.isdigit() and n.isdigit()) or int(n) < 2:
            continue
        argv = [a for a in env.get("argv") or [] if not str(a).startswith("--shard")]
        argv = [a for i, a in enumerate(argv) if i == 0 or argv[i - 1] != "--shard"]
        g = (
            env.get("framework"),
            env.get("framework_version"),
            env.get("profile"),
            env.get("seed"),
            int(n),
            " ".join(map(str, argv)),
        )
        groups.setdefault(g, set()).add(int(k))
    out = []
    for (fw, version, profile, seed, n, _), present in sorted(groups.items(), key=str):
        for k in sorted(set(range(1, n + 1)) - present):
            out.append(
                f"shard {k}/{n} of {fw} {version} (profile {profile}, seed {seed}) is missing: "
                f"its records are not in these results"
            )
    return out


# ---------------------------------------------------------------- the quiet terminal
_TERMINAL: IO[str] | None = None


def say(message: str) -> None:
    """A line for the person at the terminal (stderr, even while ``framework_log`` holds it)."""
    print(message, file=_TERMINAL or sys.stderr, flush=True)


@contextlib.contextmanager
def framework_log(path: Path | None) -> Iterator[IO[str]]:
    """While inside, what the frameworks write to stderr — C++ logs (absl, oneDNN, CUDA probes),
    Python warnings and logging — goes to the file ``path``, in this process and in every worker it
    spawns (they inherit file descriptor 2); ``say`` and the yielded stream still reach the terminal.
    ``path`` None (--verbose) changes nothing."""
    global _TERMINAL
    if path is None:
        yield sys.stderr
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    log = open(path, "a", buffering=1, encoding="utf-8", errors="replace")
    os.dup2(log.fileno(), 2)
    previous, sys.stderr, _TERMINAL = sys.stderr, log, terminal
    try:
        yield terminal
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        sys.stderr, _TERMINAL = previous, None
        log.close()
        terminal.close()


def run_framework(
    plan: Plan, a: adapters.Adapter, out_dir: str, run_id: str, argv: list[str], emit: Callable[[str, Record], None]
) -> Path:
    """Run every task of ``a`` in the plan, writing each record as soon as it exists;
    ``emit(label, record)`` is told of each one. Returns the records file."""
    with _writer(plan, a, out_dir, run_id, argv) as w:
        _run_work(plan, plan.work[a.name], w, emit)
    return w.path


def _writer(
    plan: Plan, a: adapters.Adapter, out_dir: str, run_id: str, argv: list[str], part: tuple[int, int] = (0, 1)
) -> ResultWriter:
    """The records file of framework ``a`` (of worker ``part`` = (index, count) in a parallel run)."""
    index, count = part
    shard = f"-shard{plan.shard.index}of{plan.shard.count}" if plan.shard else ""
    stem = f"{a.name}-{a.version}{shard}" + (f"-part{index + 1}of{count}" if count > 1 else "")
    header = {
        "framework": a.name,
        "framework_version": a.version,
        "profile": plan.profile.name,
        "seed": plan.seed,
        "staged": a.runs_staged,
        "argv": argv,
        "variants": list(a.variants),
        "devices": a.devices(),
        "part": f"{index + 1}/{count}",
        "shard": str(plan.shard or Shard(1, 1)),
        "cache": plan.cache.get(a.name),
        "oracle_cache": plan.cache.get("oracles"),
        "rotation": plan.rotation,
    }
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
    return [u for _, u in costed_units(plan)]


def costed_units(plan: Plan) -> list[tuple[float, tuple[str, str, str]]]:
    """(cost, unit) for every unit of the plan, costliest first (plan order on a tie): its measured
    seconds (``conformance.unit_costs``: mean seconds per record of a measured run × its records here),
    else its estimate — the sum over its records of the task's ``cost`` times the framework's
    ``relative_cost`` — calibrated to seconds on the measured units."""
    from conformance import unit_costs

    units = [
        ((a.name, family, case), len(work), a.relative_cost * sum(t.cost for t, *_ in work))
        for a in plan.adapters
        for (family, case), work in by_case(plan.work[a.name]).items()
    ]
    costs = unit_costs.costed(units, unit_costs.load())
    return sorted(zip(costs, (u for u, *_ in units)), key=lambda c: -c[0])


def event(label: str, rec: Record) -> tuple[str, str, Record | None]:
    """(label, status, the record itself if it failed): what the summary needs of a record."""
    return label, rec.status, rec if rec.status in ("fail", "error") else None


def _worker(
    args: argparse.Namespace, index: int, jobs: int, seed: int, run_id: str, argv: list[str], todo: Any, queue: Any
) -> None:
    """One of ``jobs`` worker processes: takes (framework, family, case) units from ``todo`` until
    None, writes their records into its own file per framework, and tells ``queue`` of each record
    (failures in full, for the summary) and unit; last, its files and the registry entries it matched."""
    plan = make_plan(args, seed)
    found = {a.name: a for a in plan.adapters}
    cases = {name: by_case(work) for name, work in plan.work.items()}
    writers: dict[str, ResultWriter] = {}

    def emit(label: str, rec: Record) -> None:
        queue.put(("record", *event(label, rec)))

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
    queue.put(
        ("done", index, [str(w.path) for w in writers.values()], [e.source for e in plan.registry.entries if e.hits])
    )


# Below this many records a run stays in one process: starting workers (each imports its
# framework, ~5-10 s) would cost more than it saves.
PARALLEL_FROM = 300


def default_jobs(records: int) -> int:
    """One process per CPU core for a run of at least PARALLEL_FROM records, else one."""
    return max(1, os.cpu_count() or 1) if records >= PARALLEL_FROM else 1


def run_parallel(
    args: argparse.Namespace, plan: Plan, jobs: int, run_id: str, emit: Callable, written: list[Path], broken: list[str]
) -> None:
    """``jobs`` worker processes (spawned: frameworks do not survive a fork) taking the plan's
    units, costliest first, from one queue; the registry entries they matched are counted into
    ``plan.registry``'s hits. A worker that dies is reported with its exit code and the unit it was running; the records
    it wrote stay on disk and the other workers take the units it had not started."""
    ctx = multiprocessing.get_context("spawn")
    todo, queue = ctx.Queue(), ctx.Queue()
    for unit in units(plan):
        todo.put(unit)
    for _ in range(jobs):
        todo.put(None)
    workers = [
        ctx.Process(
            target=_worker,
            args=(args, i, jobs, plan.seed, run_id, sys.argv[1:], todo, queue),
            name=f"conformance-worker-{i + 1}of{jobs}",
        )
        for i in range(jobs)
    ]
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
                broken.append(
                    f"worker {i + 1} of {jobs} stopped (exit code {workers[i].exitcode}) while "
                    f"running {name} {family}/{case}; the records so far are in {args.out}; "
                    f"rerun with --framework {name} --cases {case} --jobs 1 to see the error"
                )
    for p in workers:
        p.join()
    while drain(block=False):  # what the last workers sent before they ended
        pass
    for e in plan.registry.entries:
        e.hits += matched.count(e.source)
