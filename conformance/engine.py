"""The engine: run tasks for each (framework variant, device, dtype) and write one record each.

A *task* is one (family, case, check) with a pure function ``run(ctx) -> Outcome``; suites
(derivatives, conventions, integrals, optimizers, ...) are modules with ``tasks(profile)`` that
yield them. The engine never looks inside a task: it times it, turns an exception into an
``error`` record with the message, applies the known-deviation registry (a failure it matches
becomes ``deviation``), and writes the record at once, so nothing computed is ever lost.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import importlib
import time
import traceback
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from conformance.adapters import Adapter
from conformance.errors import ConformanceError, NotProvidedError, first_line
from conformance.records import Record
from conformance.tolerance import error_class

# Suites the engine runs, in order: name -> "module:function" returning an iterable of Tasks.
SUITES: dict[str, str] = {
    "derivatives": "conformance.derivatives.suite:tasks",
    "conventions": "conformance.conventions:tasks",
    "edges": "conformance.edges.suite:tasks",
    "integrals": "conformance.integrals.suite:tasks",
    "optimizers": "conformance.optimizers.suite:tasks",
    "advanced": "conformance.advanced.suite:tasks",
}


@dataclass(frozen=True)
class Profile:
    """How hard to look: hypothesis examples per check, whether draws are derandomized, seeds."""

    name: str
    max_examples: int
    derandomize: bool
    special_points: bool = True  # also run every derivative check at each case's special points
    low_precision: bool = True  # also run float16/bfloat16 where a framework supports them
    seed: int | None = None  # base seed; None = hypothesis's own (dev) or fixed (ci)
    one_shape: bool = False  # derivative checks draw at one shape of a case's menu (per seed)
    rotate: bool = False  # derivative and edge tasks rotate: each run holds every first-order
    #                               check in float64 and a seed-determined 1/ROTATION of the rest (rotation.py)


RUN_PROFILES = {
    "dev": Profile("dev", max_examples=3, derandomize=False, low_precision=False, one_shape=True),
    "ci": Profile("ci", max_examples=5, derandomize=True, one_shape=True, rotate=True),
    "thorough": Profile("thorough", max_examples=60, derandomize=False),
    # the no-false-failure sweep's (``conformance targets --only seeds``): one fresh draw per task and
    # seed, no special points or low precision; a run profile so that its replay commands run
    "seeds": Profile("seeds", max_examples=1, derandomize=True, special_points=False, low_precision=False),
}


def get_profile(name: str, seed: int | None = None) -> Profile:
    if name not in RUN_PROFILES:
        raise ConformanceError(f"unknown profile {name!r}; choose one of {', '.join(RUN_PROFILES)}")
    p = RUN_PROFILES[name]
    return p if seed is None else dataclasses.replace(p, seed=seed)


@dataclass
class Context:
    """What a task is run with: the adapter (one API variant), where and in which dtype."""

    adapter: Adapter
    device: str
    dtype: str
    seed: int

    @property
    def xp(self) -> Any:
        return self.adapter.xp

    def array(self, a: Any, dtype: str | None = None) -> Any:
        return self.adapter.from_numpy(a, dtype=dtype or self.dtype, device=self.device)

    def numpy(self, x: Any) -> Any:
        return self.adapter.to_numpy(x)


@dataclass
class Outcome:
    """What a task found. ``status`` is pass, fail or skip (the engine adds error and deviation)."""

    status: str
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    tolerance: float | None = None
    atol: float | None = None
    error_ratio: float | None = None
    message: str = ""
    input: Any = None
    point: str | None = None
    probe: Any = None
    data: dict = field(default_factory=dict)
    seed: int | None = None

    @classmethod
    def skip(cls, why: str) -> "Outcome":
        return cls("skip", message=why)

    @classmethod
    def judged(cls, c: Any, tol: Any, message: str, **fields: Any) -> "Outcome":
        """pass or fail by the comparison ``c`` (``tolerance.Comparison``) under ``tol``, with its
        errors, bounds and ratio, ``message`` and any further Outcome ``fields``."""
        return cls(
            "pass" if c.ok else "fail",
            c.max_abs_error,
            c.max_rel_error,
            tol.rtol,
            tol.atol,
            c.error_ratio,
            message,
            **fields,
        )


@dataclass(frozen=True)
class Task:
    """One (family, case, check), run once per framework variant, device and dtype it applies to.

    ``applies(adapter, dtype)`` returns None when the task runs, else the reason it is skipped
    (recorded as ``skip``). ``per_variant=False`` runs it only with each framework's default variant.
    ``cost`` is the time of one of its records relative to a first-order derivative check, used only
    to hand out the longest work first in a parallel run.
    """

    family: str
    case: str
    check: str
    run: Callable[[Context], Outcome]
    dtypes: tuple[str, ...] = ("float64", "float32")
    kind: str = "check"
    per_variant: bool = True
    applies: Callable[[Adapter, str], str | None] | None = None
    replay_args: str = ""  # extra CLI arguments that select exactly this task
    cost: float = 1.0


@functools.lru_cache(maxsize=None)
def load_suite(name: str, profile: Profile) -> tuple[Task, ...]:
    """Every task of suite ``name`` under ``profile``, built once per process (the edges suite computes
    its special points' oracles as it builds, ~5 s); under a rotating profile, this seed's share."""
    from conformance import rotation

    module, _, fn = SUITES[name].partition(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return ()  # a suite that is not part of this build
        raise
    tasks = getattr(mod, fn)(profile)
    if profile.rotate and name in rotation.ROTATED_SUITES:
        tasks = rotation.thin(tasks, profile.seed or 0)
    return tuple(tasks)


def collect(
    profile: Profile, suites: Iterable[str] | None = None, cases: str | None = None, checks: str | None = None
) -> list[Task]:
    """Every task of the chosen suites whose case (or family/case) and check match the patterns."""
    chosen: list[Task] = []
    for name in suites or SUITES:
        if name not in SUITES:
            raise ConformanceError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        for t in load_suite(name, profile):
            if cases and not _matches(cases, t.case, f"{t.family}/{t.case}"):
                continue
            if checks and not _matches(checks, t.check):
                continue
            chosen.append(t)
    return chosen


def _matches(patterns: str, *names: str) -> bool:
    pats = [p.strip() for p in patterns.split(",") if p.strip()]
    return any(fnmatch.fnmatchcase(n, p) or p == n for p in pats for n in names)


def replay_command(task: Task, adapter: Adapter, device: str, dtype: str, profile: Profile, seed: int) -> str:
    return (
        f"conformance run --framework {adapter.name} --api {adapter.variant} --device {device} "
        f"--dtype {dtype} --profile {profile.name} --seed {seed} --cases '{task.case}' "
        f"--checks '{task.check}' {task.replay_args}"
    ).strip()


def run_task(
    task: Task, adapter: Adapter, device: str, dtype: str, profile: Profile, seed: int, registry: Any = None
) -> Record:
    """Run one task and return its record (never raises for a task's own failure)."""
    rec = Record(
        kind=task.kind,
        framework=adapter.name,
        framework_version=adapter.version,
        api=adapter.variant,
        device=device,
        dtype=dtype,
        family=task.family,
        case=task.case,
        check=task.check,
        status="error",
        seed=seed,
        replay=replay_command(task, adapter, device, dtype, profile, seed),
    )
    why = task.applies(adapter, dtype) if task.applies else None
    if why is None and dtype not in adapter.dtypes:
        why = f"{adapter.name} does not differentiate {dtype}"
    if why is not None:
        rec.status, rec.message = "skip", why
        return rec
    start = time.perf_counter()
    try:
        # inf/nan in numpy are data here (an oracle at an extreme point, a diverging Taylor
        # remainder), judged by the checks; numpy's RuntimeWarnings about them would only be noise
        with np.errstate(all="ignore"):
            out = task.run(Context(adapter, device, dtype, seed))
    except Exception as exc:  # a task's crash is a result, not the end of the run
        rec.duration_s = time.perf_counter() - start
        absent = _not_provided(exc)
        if absent is not None:  # the framework has no such public function: nothing to judge
            rec.status, rec.message = "skip", first_line(absent, with_type=False)
            return rec
        rec.message = first_line(exc)
        rec.data = {
            "traceback": traceback.format_exc(limit=6)[-4000:],
            "failure_class": error_class(f"{type(exc).__name__}: {exc}"),
        }
    else:
        rec.duration_s = time.perf_counter() - start
        for f in fields(Outcome):  # every Outcome field is a Record field of the same name
            value = getattr(out, f.name)
            if f.name != "seed" or value is not None:
                setattr(rec, f.name, value)
    if registry is not None and rec.status in ("fail", "error"):
        entry = registry.match(rec)
        if entry is not None:
            rec.status = "deviation"
            rec.registry = entry.as_dict()
    return rec


def _not_provided(exc: BaseException | None) -> NotProvidedError | None:
    """The NotProvidedError behind ``exc`` (itself, or a cause or context of it), if any."""
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, NotProvidedError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def plan(
    adapters: Iterable[Adapter],
    devices: list[str] | None,
    dtypes: list[str] | None,
    tasks: list[Task],
    variants: list[str] | None = None,
) -> Iterator[tuple[Task, Adapter, str, str]]:
    """Every (task, adapter variant, device, dtype) to run, framework by framework."""
    for base in adapters:
        found = base.devices()
        for dev in devices or found:
            if dev not in found:
                continue
            for adapter in base.all_variants():
                if variants and adapter.variant not in variants:
                    continue
                for task in tasks:
                    if not task.per_variant and adapter.variant != base.variants[0]:
                        continue
                    for dtype in task.dtypes:
                        if dtypes and dtype not in dtypes:
                            continue
                        yield task, adapter, dev, dtype
