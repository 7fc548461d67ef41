"""JAX's mixed precision: float16/bfloat16 operands with float32 accumulation, per call.

``program(adapter, dtype, loss)`` is the function (x, w, b) ↦ loss(linear, xp, x, w, b) with
``linear(x, w, b) = jnp.matmul(x, wᵀ, preferred_element_type=jnp.float32) + b``: the operands stay in
the dtype (``PARAMETERS`` None: the parameters are held in it), the product is accumulated and returned
in float32, and the rest of the loss runs in float32 by promotion. Gradients with respect to the
operands come back in their dtype.
"""

from __future__ import annotations

from typing import Any, Callable

ENTRY = "jnp.matmul(..., preferred_element_type=jnp.float32) of float16/bfloat16 operands"
PARAMETERS = None  # the parameters are held in the low dtype itself


def program(adapter: Any, dtype: str, loss: Callable) -> Callable:
    """(x, w, b) ↦ loss(linear, xp, x, w, b) with a float32-accumulating matmul of ``dtype`` operands."""
    jnp = adapter.fw.numpy

    def linear(x: Any, w: Any, b: Any = None) -> Any:
        y = jnp.matmul(x, w.T, preferred_element_type=jnp.float32)
        return y if b is None else y + b

    def f(x: Any, w: Any, b: Any) -> Any:
        return loss(linear, adapter.xp, x, w, b)

    return f
