"""The user's input x as the checks see it: float64 numpy on the grid of the dtype under test.

x may be a number, a list, a numpy array, or an array of a framework (a torch tensor that requires grad,
a jax or TensorFlow array): an object numpy cannot read is converted by the adapter of the framework that
owns it (``adapter.to_numpy``), never by a framework branch here. Complex x is refused with each
framework's gradient convention stated: the checks differentiate real inputs, and the frameworks do not
agree on what the gradient of a real loss of a complex input is.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from conformance.errors import ConformanceError

DTYPES = ("float64", "float32", "float16", "bfloat16")


class CheckUsageError(ConformanceError, ValueError):
    """conformance.check was called in a way it cannot run (one line: the problem and the fix)."""


def _framework_array(x: Any) -> np.ndarray | None:
    """x through the adapter whose framework module defines x's type (already imported, since x exists)."""
    from conformance import adapters

    top = type(x).__module__.split(".")[0]
    for name in adapters.names():
        cls = adapters.adapter_class(name)
        if cls.module and cls.module.split(".")[0] == top and top in sys.modules:
            return np.asarray(adapters.get(name).to_numpy(x))
    return None


def as_array(x: Any, what: str = "x") -> np.ndarray:
    """x as a numpy array (float64 unless complex), whatever array type it came as."""
    try:
        a = np.asarray(x)
    except Exception:  # an array numpy cannot read directly (a torch tensor that requires grad)
        a = _framework_array(x)
        if a is None:
            raise CheckUsageError(
                f"{what} of type {type(x).__name__} is not an array numpy or an installed "
                f"framework can read; pass a numpy array"
            ) from None
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise CheckUsageError(f"{what} must be numbers, not {a.dtype} ({type(x).__name__})")
    if np.iscomplexobj(a):
        raise CheckUsageError(complex_refusal(what))
    return a.astype(np.float64)


def complex_refusal(what: str = "x") -> str:
    """Why complex inputs are refused, with each framework's convention for the gradient of a real loss."""
    from conformance import adapters

    conv = {"direct": "∂L/∂x + i∂L/∂y", "conjugate": "∂L/∂x − i∂L/∂y (the conjugate)"}
    said = [
        f"{n}: {conv.get(getattr(adapters.adapter_class(n), 'complex_grad_convention', ''), 'not stated')}"
        for n in adapters.names()
        if not adapters.adapter_class(n).is_reference
    ]
    return (
        f"complex {what} is not supported: the checks differentiate real inputs and the frameworks' "
        f"gradients of a real loss of z = x + iy differ ({'; '.join(said)}); pass the real and imaginary "
        f"parts as one real array and build z inside the function (no part is dropped silently)"
    )


def on_grid(x: np.ndarray, dtype: str) -> np.ndarray:
    """x rounded to the nearest values of ``dtype``, held in float64 (float64 x unchanged): the oracle is
    then exact for the input the framework actually sees."""
    from conformance.derivatives.checks import to_float32_grid
    from conformance.edges.low_precision import round_to

    if dtype == "float32":
        return to_float32_grid(x)
    if dtype in ("float16", "bfloat16"):
        return round_to(x, dtype)
    return np.asarray(x, dtype=np.float64)


def check_dtype(dtype: str) -> str:
    if dtype not in DTYPES:
        raise CheckUsageError(
            f"dtype {dtype!r} is not supported; use one of {', '.join(DTYPES)} (complex inputs: see complex_refusal)"
        )
    return dtype
