"""JAX pieces of the benchmarks (the interface: ``conformance.adapters.benchmarks``)."""

from __future__ import annotations

import os
from typing import Any, Callable

from ..benchmarks import GradbenchPair


def direct_grad(f: Callable, argnums: Any) -> Callable:
    import jax

    g = jax.jit(jax.grad(f, argnums=argnums))
    return lambda *args: jax.block_until_ready(g(*args))


def scan(step: Callable, carry: Any, xs: tuple) -> Any:
    import jax

    return jax.lax.scan(lambda c, x: (step(c, x), None), carry, xs)[0]


def set_threads(n: int) -> dict:
    """XLA sizes its CPU thread pool from XLA_FLAGS when its CPU backend starts (the first
    computation): for n below the core count, ask for n Eigen threads before that happens."""
    if n < (os.cpu_count() or 1):
        flags = os.environ.get("XLA_FLAGS", "")
        if "intra_op_parallelism_threads" not in flags:
            os.environ["XLA_FLAGS"] = (
                flags + f" --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}"
            ).strip()
        return {"xla_flags": os.environ["XLA_FLAGS"], "jax_cpu_threads": n}
    return {"xla_flags": os.environ.get("XLA_FLAGS", ""), "jax_cpu_threads": "all cores (XLA default)"}


# ------------------------------------------------------------------ gradbench mode
GRADBENCH_VARIANT = "transforms"
gradbench_scan = scan
TOOLS = {
    "gmm": "GradBench's JAX tool (python/gradbench/gradbench/tools/jax/gmm.py): jax.jit of the objective "
    "and jax.jit of jax.grad",
}
NO_TOOL = (
    "GradBench has no JAX {workload} tool: timed as its JAX GMM tool times (jax.jit of the "
    "objective and jax.jit of jax.grad), the recurrence a lax.scan"
)


def gradbench_pair(f: Callable, argnums: tuple, args: tuple, workload: str) -> Any:
    import jax

    how = TOOLS.get(workload) or NO_TOOL.format(workload=workload)
    return GradbenchPair(jax.jit(f), jax.jit(jax.grad(f, argnums=argnums)), args, how, staged=True)
