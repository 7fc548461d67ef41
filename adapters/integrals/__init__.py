"""Each framework's own integration, random-number and distribution APIs behind one small interface.

    ops = conformance.adapters.integrals.get(adapter)
    ops.trapezoid(y, x, axis, api=None)      ∫ y dx by the trapezoid rule along ``axis`` (x is 1-D)
    ops.cumulative_trapezoid(y, x, axis)     running trapezoid integrals (``cumulative_api`` None:
                                             the framework provides none)
    ops.rng(seed, dtype, device)             the framework's generator: .normal(shape), .uniform(shape)
    ops.normal(loc, scale), ops.exponential(rate), ops.log_prob(d, x), ops.kl(p, q)
                                             the framework's distributions library (``distributions_api``
                                             None: not provided)

The modules are imported on first use, and each imports its framework only inside its methods.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from conformance.adapters.base import ConformanceError

from .base import Integrals, NotProvidedError

IMPLEMENTATIONS = {
    "numpy": "conformance.adapters.integrals.numpy:NumpyIntegrals",
    "torch": "conformance.adapters.integrals.torch:TorchIntegrals",
    "tensorflow": "conformance.adapters.integrals.tensorflow:TensorflowIntegrals",
    "jax": "conformance.adapters.integrals.jax:JaxIntegrals",
}


@cache
def implementation(name: str) -> type[Integrals]:
    """The Integrals class for framework ``name`` (its module imported, the framework not yet)."""
    if name not in IMPLEMENTATIONS:
        raise ConformanceError(f"no integral operations for framework {name!r}; known: "
                               f"{', '.join(IMPLEMENTATIONS)} (add one to IMPLEMENTATIONS)")
    module, _, attr = IMPLEMENTATIONS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def get(adapter: Any) -> Integrals:
    """The integral operations of ``adapter``'s framework, bound to that adapter."""
    return implementation(adapter.name)(adapter)


__all__ = ["IMPLEMENTATIONS", "Integrals", "NotProvidedError", "get", "implementation"]
