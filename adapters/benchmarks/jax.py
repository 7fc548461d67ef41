"""JAX pieces of the benchmarks (see ``conformance.adapters.benchmarks``)."""

from __future__ import annotations

import os
from typing import Any, Callable


def direct_grad(f: Callable, argnums: Any) -> Callable:
    import jax

    g = jax.jit(jax.grad(f, argnums=argnums))
    return lambda *args: jax.block_until_ready(g(*args))


def scan(step: Callable, carry: Any, xs: tuple) -> Any:
    import jax

    return jax.lax.scan(lambda c, x: (step(c, x), None), carry, xs)[0]


def set_threads(n: int) -> dict:
    """XLA's CPU thread pool is sized when its backend starts: only the flag can be recorded here."""
    return {"xla_flags": os.environ.get("XLA_FLAGS", ""), "jax_cpu_threads": "all cores (XLA default)"}
