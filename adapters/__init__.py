"""Framework adapters, one package per framework, discovered through the ``conformance.adapters``
entry-point group.

    >>> from conformance import adapters
    >>> torch = adapters.get("torch")              # default variant (torch.func)
    >>> autograd = adapters.get("torch", variant="autograd")
    >>> adapters.available()                       # {'numpy': Availability(ok=True), ...}

Layout (as Keras 3's ``keras/src/backend/<framework>/``): ``conformance.adapters.<framework>`` holds
everything about one framework, the same module names in every framework's folder: ``adapter`` (the
Adapter subclass with its API variants), and its capabilities ``integrals``, ``optimizers``,
``benchmarks``, ``gradcheck`` and ``ops`` where it has them, found by name through
``adapter.capability(name)``. This package holds the contract (``base``, ``operators``) and the
capabilities' interfaces (``integrals``, ``optimizers``, ``benchmarks``, ``gradcheck``, ``keras``).

Our own adapters are registered in this project's pyproject.toml; a third-party adapter registers
itself in its own package metadata, its capabilities the sibling modules of its adapter's module:

    [project.entry-points."conformance.adapters"]
    mxnet = "my_package.mxnet.adapter:MxnetAdapter"

An entry point whose module cannot be imported, or that names no Adapter subclass, is a *broken*
adapter: ``get`` returns a stand-in that is never available and says why (``broken()`` lists them),
so ``conformance list`` shows it and every run skips it while the rest of the suite runs.
"""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache

from conformance.errors import first_line

from .base import (
    DTYPES,
    OPERATORS,
    XP_SURFACE,
    Adapter,
    Availability,
    CapabilityMissingError,
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
ALIASES = {"tf": "tensorflow", "np": "numpy", "pytorch": "torch"}


@lru_cache(maxsize=None)
def registry() -> dict[str, str]:
    """name -> 'module:Object' for every adapter registered in the ``conformance.adapters`` group."""
    found: dict[str, str] = {}
    for ep in importlib.metadata.entry_points(group=GROUP):
        found.setdefault(ep.name, ep.value)
    if not found:
        raise ConformanceError(
            f"no framework adapters are registered (entry-point group {GROUP!r}): "
            "install the project with `pip install -e .`"
        )
    return found


def names() -> list[str]:
    """Every registered framework, in display order (see ``order``)."""
    return order()


class BrokenAdapter(Adapter):
    """Stands in for a registered adapter that cannot be loaded: never available, with the cause."""

    order = 10**6  # after every working adapter
    entry_point = ""  # the 'module:Object' that failed
    cause = ""  # why, on one line

    def available(self) -> Availability:
        return Availability(
            False,
            f"its adapter {self.entry_point} cannot be loaded: {self.cause}",
            f"repair or reinstall the package that provides {self.entry_point}",
        )

    @property
    def version(self) -> str:
        return ""


def _load(name: str, value: str) -> type[Adapter]:
    """The Adapter subclass the entry point ``name = value`` names, or a BrokenAdapter saying why not."""
    module, _, attr = value.partition(":")
    try:
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        if not (isinstance(obj, type) and issubclass(obj, Adapter)):
            raise TypeError(f"{value} is not an Adapter subclass")
    except Exception as exc:  # anything the adapter's import raises: the adapter is broken, not the suite
        # ``module``: the import name ``find_spec`` looks for (present: the framework is not missing)
        return type(
            f"Broken{name.title()}Adapter",
            (BrokenAdapter,),
            {
                "name": name,
                "entry_point": value,
                "cause": first_line(exc),
                "module": module.partition(".")[0],
                "__module__": __name__,
            },
        )
    return obj


@lru_cache(maxsize=None)
def adapter_class(name: str) -> type[Adapter]:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in registry():
        raise UnknownFrameworkError(f"unknown framework {name!r}; known frameworks: {', '.join(names())}")
    return _load(key, registry()[key])


def broken() -> dict[str, str]:
    """name -> the one-line cause, for every registered adapter that cannot be loaded."""
    classes = {n: adapter_class(n) for n in names()}
    return {n: cls.cause for n, cls in classes.items() if issubclass(cls, BrokenAdapter)}


def refresh() -> None:
    """Read the entry points again (after installing or registering an adapter in this process)."""
    registry.cache_clear()
    adapter_class.cache_clear()


def get(name: str, variant: str | None = None) -> Adapter:
    """The adapter for framework ``name`` (its default API variant unless ``variant`` is given).
    The framework itself is imported on first use, not here."""
    return adapter_class(name)(variant)


def order() -> list[str]:
    """Every known framework name in display order (the adapters' ``order``, then by name); a
    framework whose adapter cannot be loaded comes last."""
    return sorted(registry(), key=lambda name: (adapter_class(name).order, name))


def color(name: str) -> str:
    """The framework's chart colour ("" when its adapter names none or cannot be loaded)."""
    try:
        return adapter_class(name).color
    except UnknownFrameworkError:
        return ""


def available() -> dict[str, Availability]:
    """Every known adapter with whether it can run here (and why not, and how to install it)."""
    return {name: adapter_class(name)().available() for name in names()}


def installed(frameworks: list[str] | None = None) -> list[Adapter]:
    """Default-variant adapters for ``frameworks`` (all known ones when None) that can run here."""
    chosen = frameworks or names()
    return [a for a in (get(n) for n in chosen) if a.available()]


__all__ = [
    "Adapter",
    "Availability",
    "BrokenAdapter",
    "CapabilityMissingError",
    "ConformanceError",
    "DTYPES",
    "FrameworkUnavailableError",
    "NonScalarOutputError",
    "NotDifferentiableError",
    "OPERATORS",
    "UnknownDeviceError",
    "UnknownFrameworkError",
    "UnknownVariantError",
    "UnsupportedDtypeError",
    "XP_SURFACE",
    "adapter_class",
    "available",
    "broken",
    "color",
    "get",
    "installed",
    "names",
    "order",
    "refresh",
    "registry",
]
