"""How torch's public functions of the op table are called where the table's default call does not fit.

Each entry: public name -> ``(f, *args, **params) -> value``. A fixed parameter that torch wants as a
tensor is made a constant tensor in the input's dtype that does not require grad, so that no gradient
is asked of it (torch raises for the derivatives it does not implement, e.g. ∂gammainc/∂a).
"""

from __future__ import annotations

from typing import Any, Callable


def _constant_first(f: Callable, x: Any, **params: Any) -> Any:
    """f(c, x) with the single parameter c as a constant tensor shaped like x."""
    import torch

    (value,) = params.values()
    return f(torch.full_like(x, value).detach(), x)


def _gelu(f: Callable, x: Any, approximate: bool) -> Any:
    """torch spells GELU's approximation as a string: 'none' (exact) or 'tanh'."""
    return f(x, approximate="tanh" if approximate else "none")


BINDINGS: dict[str, Callable] = {
    "torch.special.gammainc": _constant_first,
    "torch.igamma": _constant_first,
    "torch.special.gammaincc": _constant_first,
    "torch.igammac": _constant_first,
    "torch.nn.functional.gelu": _gelu,
}
