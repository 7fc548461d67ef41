"""PyTorch's mixed precision: ``torch.autocast`` over float32 parameters.

``program(adapter, dtype, loss)`` is the function (x, w, b) ↦ loss(linear, xp, x, w, b) run under
``torch.autocast(device_type=<the device of x>, dtype=float16|bfloat16)``, with ``linear`` the public
``torch.nn.functional.linear`` (x wᵀ + b, on autocast's lower-precision list: its float32 operands are
cast to the dtype, the product is accumulated in float32 and returned in the dtype; its backward runs in
the dtype too). The parameters are float32 (``PARAMETERS``), as autocast's master weights are, and their
gradients land in float32. CPU autocast takes both bfloat16 and float16 (torch ≥ 2.3).
"""

from __future__ import annotations

from typing import Any, Callable

ENTRY = "torch.autocast(device_type, dtype) around torch.nn.functional.linear, float32 parameters"
PARAMETERS = "float32"  # the dtype the parameters are held in (None: the low dtype itself)


def program(adapter: Any, dtype: str, loss: Callable) -> Callable:
    """(x, w, b) ↦ loss(linear, xp, x, w, b) under torch.autocast to ``dtype``."""
    torch = adapter.fw
    low = getattr(torch, dtype)

    def f(x: Any, w: Any, b: Any) -> Any:
        with torch.autocast(device_type=x.device.type, dtype=low):
            return loss(torch.nn.functional.linear, adapter.xp, x, w, b)

    return f
