"""The frameworks' public functions by the names users call them: ``torch.special.i0``,
``tf.math.bessel_i0``, ``jax.scipy.special.i0``, ``scipy.special.i0``.

    f = public.resolve(adapter, "jax.scipy.special.i0")      # the function itself
    y = public.call(adapter, "tf.math.polygamma", x, n=1)     # through the framework's binding

A name is resolved attribute by attribute from the framework's module as the adapter loads it
(float64 on, TF32 off), importing a submodule where an attribute is not yet there
(``jax.scipy.special``). A name missing in the installed version raises ``NotProvidedError``, so its
checks are skipped with "not provided in <framework> <version>", never crashed.

Where a call needs adapting (an argument order, a keyword's name, a parameter that must be a tensor),
``<framework package>.ops.BINDINGS[name]`` is a function ``(f, *args, **params) -> value``; every other
name is called as ``f(*args, **params)``.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Callable

from conformance.errors import NotProvidedError

ALIASES = {"tf": "tensorflow", "np": "numpy"}  # the import aliases the names are written with


@functools.lru_cache(maxsize=None)
def _walk(root: str, name: str) -> Callable:
    parts = name.split(".")
    parts[0] = ALIASES.get(parts[0], parts[0])
    obj = importlib.import_module(parts[0])
    for i, attr in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: i + 1]))  # a submodule not imported yet
    if not callable(obj):
        raise TypeError(f"{name} is not a function")
    return obj


def resolve(adapter: Any, name: str) -> Callable:
    """The public function ``name`` of ``adapter``'s framework (imported and configured through the
    adapter); ``NotProvidedError`` naming the framework version when it does not exist there."""
    _ = adapter.fw  # the framework as the adapter configures it, before any of its functions is looked up
    try:
        return _walk(adapter.module, name)
    except (AttributeError, ImportError, TypeError) as exc:
        raise NotProvidedError(
            f"not provided in {adapter.name} {adapter.version}: {name} ({type(exc).__name__})"
        ) from None


@functools.lru_cache(maxsize=None)
def bindings(adapter_class: type) -> dict[str, Callable]:
    """``BINDINGS`` of the adapter's ``ops`` capability module ({} where it has none)."""
    if not adapter_class.provides("ops"):
        return {}
    return dict(getattr(adapter_class.capability("ops"), "BINDINGS", {}))


def call(adapter: Any, name: str, *args: Any, default: Callable | None = None, **params: Any) -> Any:
    """``name``(*args, **params) in the adapter's framework: through the framework's binding for
    ``name`` where it has one, else through ``default`` (``(f, *args, **params) -> value``, how the
    op's public functions take their arguments), else as ``f(*args, **params)``."""
    f = resolve(adapter, name)
    bind = bindings(type(adapter)).get(name) or default
    return bind(f, *args, **params) if bind is not None else f(*args, **params)
