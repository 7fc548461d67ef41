"""Timing with the rules that keep a benchmark fair and honest.

For a callable ``fn(*args)`` and the adapter's ``synchronize``:

1. the first call is timed apart (``first_s``): in compiled mode it includes tracing and compiling
   (``compile_s`` = first call − median steady call); in eager mode it is only reported;
2. ``warmup`` further calls are run and not timed;
3. rounds are timed with ``time.perf_counter``, each ending with ``synchronize(result)`` before the
   clock stops, so queued device work is counted; a fast call is repeated ``inner`` times within a
   round (synchronized after each call) and the round divided by ``inner``;
4. rounds continue until both ``min_rounds`` and ``min_time_s`` are reached, or ``max_rounds``, or
   (for slow calls) ``floor_rounds`` once ``max_time_s`` has been spent.

Statistics: median, interquartile range (Q3 − Q1) and minimum of the per-call round times.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Settings:
    """How long to measure: warm-up calls, round bounds and a minimum measuring time."""

    warmup: int = 2
    min_rounds: int = 5
    max_rounds: int = 100
    min_time_s: float = 0.5
    min_round_s: float = 2e-4  # a round shorter than this is repeated (timer and loop overhead)
    max_inner: int = 1000
    max_time_s: float = float("inf")  # past this, stop at ``floor_rounds`` (slow calls)
    floor_rounds: int = 3


QUICK = Settings(warmup=1, min_rounds=5, max_rounds=50, min_time_s=0.15, max_time_s=3.0)
FULL = Settings(warmup=3, min_rounds=10, max_rounds=200, min_time_s=1.0)


@dataclass
class Timing:
    """Per-call seconds of each round and their statistics."""

    times: list[float]
    first_s: float
    inner: int = 1
    compiled: bool = False
    fallback: str | None = None  # why a compiled function ran otherwise (set by the caller)
    median_s: float = field(init=False)
    iqr_s: float = field(init=False)
    min_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.median_s, self.iqr_s, self.min_s = statistics(self.times)

    @property
    def rounds(self) -> int:
        return len(self.times)

    @property
    def compile_s(self) -> float | None:
        """Trace + compile time: the first call less one steady call (compiled mode only)."""
        return max(self.first_s - self.median_s, 0.0) if self.compiled else None


def statistics(times: list[float]) -> tuple[float, float, float]:
    """(median, Q3 − Q1, min) of ``times``."""
    a = np.asarray(times, dtype=float)
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return float(med), float(q3 - q1), float(a.min())


def timed_call(fn: Callable, args: tuple, sync: Callable) -> float:
    """Seconds of one call, the clock stopped only after ``sync(result)``."""
    t0 = time.perf_counter()
    sync(fn(*args))
    return time.perf_counter() - t0


def measure(
    fn: Callable, args: tuple, sync: Callable, settings: Settings = Settings(), compiled: bool = False
) -> Timing:
    """Time ``fn(*args)`` by the rules of this module."""
    return measure_together([fn], [args], sync, settings, compiled)[0]


def measure_together(
    fns: list[Callable], argss: list[tuple], sync: Callable, settings: Settings = Settings(), compiled: bool = False
) -> list[Timing]:
    """Time several callables by the rules of this module with their rounds interleaved (a round of
    each in turn), so that a ratio of their medians sees the same machine load: the way to compare a
    derivative with its primal on a shared machine."""
    firsts = [timed_call(f, a, sync) for f, a in zip(fns, argss)]
    est = list(firsts)
    for _ in range(settings.warmup):
        est = [timed_call(f, a, sync) for f, a in zip(fns, argss)]
    inner = [
        1 if e >= settings.min_round_s else min(settings.max_inner, math.ceil(settings.min_round_s / max(e, 1e-9)))
        for e in est
    ]
    times: list[list[float]] = [[] for _ in fns]
    spent = 0.0

    def more() -> bool:
        r = len(times[0])
        if r >= settings.max_rounds or (r >= settings.floor_rounds and spent >= settings.max_time_s):
            return False
        return r < settings.min_rounds or spent < settings.min_time_s

    while more():
        for i, (f, a) in enumerate(zip(fns, argss)):
            t0 = time.perf_counter()
            for _ in range(inner[i]):
                sync(f(*a))
            dt = time.perf_counter() - t0
            spent += dt
            times[i].append(dt / inner[i])
    return [Timing(t, first, k, compiled) for t, first, k in zip(times, firsts, inner)]


# ------------------------------------------------------------------ memory
def available_memory() -> int | None:
    """Bytes of host memory available now (Linux MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def fits(estimate_bytes: int, available: int | None, fraction: float = 0.5) -> bool:
    """Whether a computation of ``estimate_bytes`` may run: at most ``fraction`` of what is free."""
    return available is None or estimate_bytes <= fraction * available


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


# ------------------------------------------------------------------ analysis
def scaling_exponent(ns: list[int], medians: list[float], min_n: int = 1000) -> float | None:
    """Least-squares slope of log(time) against log(n) over the sizes n >= ``min_n`` (two or more;
    otherwise over every size), where fixed per-call overheads no longer hide the growth; None when
    fewer than two sizes were measured."""
    pts = [(n, t) for n, t in zip(ns, medians) if t and t > 0]
    big = [(n, t) for n, t in pts if n >= min_n]
    use = big if len(big) >= 2 else pts
    if len(use) < 2 or len({n for n, _ in use}) < 2:
        return None
    x = np.log([n for n, _ in use])
    y = np.log([t for _, t in use])
    return float(np.polyfit(x, y, 1)[0])


def rho(x: Any, y: Any) -> float:
    """max |x − y| / max(1, |x| + |y|), elementwise over every pair of arrays."""
    worst = 0.0
    for a, b in zip(x, y):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        if a.shape != b.shape:
            return float("inf")
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(a) + np.abs(b)))))
    return worst


def overhead_check(
    adapter_call: Callable,
    hand_call: Callable,
    hand_loop: Callable,
    args: tuple,
    sync: Callable,
    blocks: int = 8,
    rounds: int = 20,
) -> dict:
    """Median per-call time of the adapter path (this module's ``timed_call`` with the adapter's
    synchronize) against the hand-written loop ``hand_loop(hand_call, args, rounds)``, in
    interleaved blocks so that machine load drifts hit both alike. ``overhead`` = adapter/hand − 1 on
    the minimum times (the estimate least disturbed by other processes on a shared machine);
    ``overhead_median`` is the same on the medians."""
    for _ in range(3):  # first calls compile; then warm both
        timed_call(adapter_call, args, sync)
        hand_loop(hand_call, args, 1)
    a_times: list[float] = []
    h_times: list[float] = []
    for _ in range(blocks):
        a_times += [timed_call(adapter_call, args, sync) for _ in range(rounds)]
        h_times += hand_loop(hand_call, args, rounds)
    a_med, _, a_min = statistics(a_times)
    h_med, _, h_min = statistics(h_times)
    return {
        "adapter_median_s": a_med,
        "hand_median_s": h_med,
        "adapter_min_s": a_min,
        "hand_min_s": h_min,
        "overhead_median": a_med / h_med - 1.0,
        "overhead": a_min / h_min - 1.0,
        "rounds": len(a_times),
    }
