"""Framework adapters, discovered through the ``conformance.adapters`` entry-point group.

    >>> from conformance import adapters
    >>> torch = adapters.get("torch")              # default variant (torch.func)
    >>> autograd = adapters.get("torch", variant="autograd")
    >>> adapters.available()                       # {'numpy': Availability(ok=True), ...}

A third-party adapter registers itself in its own package metadata:

    [project.entry-points."conformance.adapters"]
    mxnet = "my_package.conformance_adapter:MxnetAdapter"
"""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache

from .base import (
    DTYPES,
    OPERATORS,
    XP_SURFACE,
    Adapter,
    Availability,
    ConformanceError,
    FrameworkUnavailableError,
    NonScalarOutputError,
    NotDifferentiableError,
    UnknownDeviceError,
    UnknownFrameworkError,
    UnknownVariantError,
    UnsupportedDtypeError,
)

GROUP = "conformance.adapters"

# Our own adapters, so that a source checkout that is not installed still finds them.
BUILTIN = {
    "numpy": "conformance.adapters.numpy_backend:NumpyAdapter",
    "torch": "conformance.adapters.torch_backend:TorchAdapter",
    "tensorflow": "conformance.adapters.tensorflow_backend:TensorflowAdapter",
    "jax": "conformance.adapters.jax_backend:JaxAdapter",
}
ALIASES = {"tf": "tensorflow", "np": "numpy", "pytorch": "torch"}


@lru_cache(maxsize=None)
def registry() -> dict[str, str]:
    """name -> 'module:Class' for every adapter: ours, then those of installed packages."""
    found = dict(BUILTIN)
    for ep in importlib.metadata.entry_points(group=GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def names() -> list[str]:
    return list(registry())


@lru_cache(maxsize=None)
def adapter_class(name: str) -> type[Adapter]:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in registry():
        raise UnknownFrameworkError(
            f"unknown framework {name!r}; known frameworks: {', '.join(names())}")
    module, _, attr = registry()[key].partition(":")
    return getattr(importlib.import_module(module), attr)


def get(name: str, variant: str | None = None) -> Adapter:
    """The adapter for framework ``name`` (its default API variant unless ``variant`` is given).
    The framework itself is imported on first use, not here."""
    return adapter_class(name)(variant)


def order() -> list[str]:
    """Every known framework name in display order (the adapters' ``order``, then by name); a
    framework whose adapter cannot be loaded comes last."""

    def key(name: str) -> tuple[int, str]:
        try:
            return adapter_class(name).order, name
        except Exception:  # a broken adapter still gets a place, after the others
            return 10**6, name

    return sorted(names(), key=key)


def color(name: str) -> str:
    """The framework's chart colour ("" when its adapter names none or cannot be loaded)."""
    try:
        return adapter_class(name).color
    except Exception:
        return ""


def available() -> dict[str, Availability]:
    """Every known adapter with whether it can run here (and why not, and how to install it)."""
    return {name: adapter_class(name)().available() for name in names()}


def installed(frameworks: list[str] | None = None) -> list[Adapter]:
    """Default-variant adapters for ``frameworks`` (all known ones when None) that can run here."""
    chosen = frameworks or names()
    return [a for a in (get(n) for n in chosen) if a.available()]


__all__ = [
    "Adapter", "Availability", "ConformanceError", "DTYPES", "FrameworkUnavailableError",
    "NonScalarOutputError", "NotDifferentiableError", "OPERATORS", "UnknownDeviceError",
    "UnknownFrameworkError", "UnknownVariantError", "UnsupportedDtypeError", "XP_SURFACE",
    "available", "color", "get", "installed", "names", "order", "registry",
]
