"""Framework-specific pieces of the benchmarks: each framework's adapter's ``benchmarks`` module
(``conformance.adapters.<framework>.benchmarks``), imported lazily through ``adapter.capability``
(no framework is imported until a function here is called); a framework without one (numpy) gets
None from every function here:

    direct_grad(f, argnums)   the framework's own compiled gradient, called with no adapter in between
                              (jax.jit(jax.grad), tf.function over a GradientTape, torch.compile(
                              torch.func.grad)), returning the gradient only once it is computed
    scan(step, carry, xs)     the framework's loop primitive for a recurrence (jax.lax.scan, tf.scan),
                              or None where a Python loop is the idiomatic form (torch, numpy)
    set_threads(n)            use n intra-op threads; returns the counts now in effect
    COMPILE_FALLBACK          {workload: reason} for workloads the framework's compiler cannot take
                              here (timed eagerly in compiled mode, the reason recorded)
    reset_compiler()          forget compiled code, so the next compile is timed from scratch and no
                              cache limit can silently turn compiled calls back into eager ones

and, for the workloads' ``gradbench`` mode (each framework timed the way GradBench's tool for it
times the objective and its gradient, so our gradient/objective ratio is like-for-like with the
ratio GradBench publishes):

    GRADBENCH_VARIANT         the API variant whose calls GradBench's tool makes (records' api)
    gradbench_scan            the loop form of GradBench's tool for a recurrence, or None (a Python
                              loop)
    gradbench_pair(f, argnums, args, workload) -> GradbenchPair

``hand_timed_loop`` is the hand-written timing loop the harness-overhead self-check compares with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class GradbenchPair:
    """Objective and gradient as GradBench's tool for one framework runs them: ``primal(*args)`` and
    ``grad(*args)`` (the gradient with respect to every differentiated argument, a tuple), the
    ``args`` to call them with (possibly the inputs converted as the tool converts them), ``how`` (a
    one-line description citing the tool) and ``staged`` (True when the first call traces/compiles,
    whose extra time is then reported as compile time)."""

    primal: Callable
    grad: Callable
    args: tuple
    how: str
    staged: bool


def _module(adapter: Any) -> Any | None:
    if not adapter.provides("benchmarks"):
        return None
    _ = adapter.fw  # import and configure the framework (float64 on) first
    return adapter.capability("benchmarks")


def direct_grad(adapter: Any, f: Callable, argnums: Any) -> Callable | None:
    mod = _module(adapter)
    return None if mod is None else mod.direct_grad(f, argnums)


def scan(adapter: Any) -> Callable | None:
    mod = _module(adapter)
    return None if mod is None else mod.scan


def set_threads(adapter: Any, n: int) -> dict:
    mod = _module(adapter)
    return {} if mod is None else mod.set_threads(n)


def compile_fallback(adapter: Any, workload: str) -> str | None:
    mod = _module(adapter)
    return None if mod is None else getattr(mod, "COMPILE_FALLBACK", {}).get(workload)


def reset_compiler(adapter: Any) -> None:
    mod = _module(adapter)
    if mod is not None and hasattr(mod, "reset_compiler"):
        mod.reset_compiler()


def gradbench_variant(adapter: Any) -> str | None:
    """The API variant GradBench's tool for this framework uses, or None where GradBench has none."""
    mod = _module(adapter)
    return None if mod is None else getattr(mod, "GRADBENCH_VARIANT", None)


def gradbench_scan(adapter: Any) -> Callable | None:
    """The recurrence loop of GradBench's tool (tf.while_loop, lax.scan), or None for a Python loop."""
    mod = _module(adapter)
    return None if mod is None else mod.gradbench_scan


def gradbench_pair(adapter: Any, f: Callable, argnums: tuple, args: tuple, workload: str) -> GradbenchPair:
    """f and its gradient with respect to ``argnums``, timed as GradBench's tool times them."""
    mod = _module(adapter)
    if mod is None or not hasattr(mod, "gradbench_pair"):
        raise NotImplementedError(f"GradBench has no tool form for {adapter.name}")
    return mod.gradbench_pair(f, argnums, args, workload)


def hand_timed_loop(call: Callable, args: tuple, rounds: int) -> list[float]:
    """Seconds of each of ``rounds`` calls ``call(*args)``: a bare perf_counter loop."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call(*args)
        times.append(time.perf_counter() - t0)
    return times
