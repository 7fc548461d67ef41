"""jax: hand-written derivative rules as jax.custom_vjp and jax.custom_jvp (the contract:
``conformance.adapters.rules``).

- ``custom_vjp``: ``f.defvjp(fwd, bwd)`` with x as the residual; reverse mode only (JAX refuses
  forward mode, so jvp, jacfwd and jacfwd∘jacrev Hessians), second order by reverse-over-reverse
  through ``bwd``.
- ``custom_jvp``: ``f.defjvp(rule)``; reverse mode by JAX's transposition of the (linear) tangent
  rule, second order by differentiating the rule.
"""

from __future__ import annotations

from typing import Any, Callable

from conformance.adapters.rules import Mechanism


def stop_gradient(x: Any) -> Any:
    import jax

    return jax.lax.stop_gradient(x)


def _custom_vjp(forward: Callable, vjp: Callable, jvp: Callable) -> Callable:
    import jax

    f = jax.custom_vjp(lambda x: forward(x))
    f.defvjp(lambda x: (forward(x), x), lambda x, g: (vjp(x, g),))
    return f


def _custom_jvp(forward: Callable, vjp: Callable, jvp: Callable) -> Callable:
    import jax

    f = jax.custom_jvp(lambda x: forward(x))
    f.defjvp(lambda primals, tangents: (forward(primals[0]), jvp(primals[0], tangents[0])))
    return f


MECHANISMS = {
    m.name: m
    for m in (
        Mechanism("custom_vjp", _custom_vjp, ("vjp",), "jax.custom_vjp, defvjp(fwd, bwd)", native_modes=("rev",)),
        Mechanism("custom_jvp", _custom_jvp, ("jvp",), "jax.custom_jvp, defjvp(rule)"),
    )
}
