"""Each framework's own integration, random-number and distribution APIs behind one small interface.

    ops = conformance.adapters.integrals.get(adapter)
    ops.trapezoid(y, x, axis, api=None)      ∫ y dx by the trapezoid rule along ``axis`` (x is 1-D)
    ops.cumulative_trapezoid(y, x, axis)     running trapezoid integrals (``cumulative_api`` None:
                                             the framework provides none)
    ops.rng(seed, dtype, device)             the framework's generator: .normal(shape), .uniform(shape)
    ops.normal(loc, scale), ops.exponential(rate), ops.log_prob(d, x), ops.kl(p, q)
                                             the framework's distributions library (``distributions_api``
                                             None: not provided)

A framework provides them in its adapter's ``integrals`` module (``conformance.adapters.<framework>.
integrals``), whose ``INTEGRALS`` is its ``Integrals`` subclass; the module is imported on first use,
and imports its framework only inside its methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from conformance.errors import ConformanceError, NotProvidedError  # noqa: F401  (re-exported for the framework modules)

from .operators import AdapterPart


def implementation(adapter: Any) -> type[Integrals]:
    """The Integrals class of ``adapter``'s framework (its module imported, the framework not yet);
    CapabilityMissingError where the framework has no integrals module."""
    return adapter.capability("integrals").INTEGRALS


def get(adapter: Any) -> Integrals:
    """The integral operations of ``adapter``'s framework, bound to that adapter."""
    return implementation(adapter)(adapter)


class Integrals(AdapterPart):
    """One framework's quadrature, random numbers and distributions, on the adapter's own arrays.

    Subclasses name the APIs they go through (``trapezoid_apis``: API name -> method name,
    ``cumulative_api``, ``rng_api``, ``distributions_api``; None = not provided) and implement them.
    """

    framework: str = ""
    trapezoid_apis: ClassVar[dict[str, str]] = {}
    cumulative_api: str | None = None
    rng_api: str = ""
    distributions_api: str | None = None

    def not_provided(self, what: str) -> NotProvidedError:
        return NotProvidedError(f"{what} is not provided by {self.framework}")

    # ----------------------------------------------------------------- quadrature
    def trapezoid(self, y: Any, x: Any, axis: int = -1, api: str | None = None) -> Any:
        """Σᵢ (x[i+1] − x[i]) (y[..., i] + y[..., i+1]) / 2 along ``axis``; x is the 1-D grid.
        ``api`` picks one of ``trapezoid_apis`` (the first by default)."""
        if not self.trapezoid_apis:
            raise self.not_provided("a trapezoid rule")
        name = api or next(iter(self.trapezoid_apis))
        if name not in self.trapezoid_apis:
            raise ConformanceError(
                f"{self.framework} has no trapezoid API {name!r}; choose one of {', '.join(self.trapezoid_apis)}"
            )
        method: Callable = getattr(self, self.trapezoid_apis[name])
        return method(y, x, axis)

    def cumulative_trapezoid(self, y: Any, x: Any, axis: int = -1) -> Any:
        """C[..., k] = Σ_{i<=k} (x[i+1] − x[i]) (y[..., i] + y[..., i+1]) / 2 (length n − 1)."""
        raise self.not_provided("a cumulative trapezoid rule")

    # ----------------------------------------------------------------- random numbers
    def rng(self, seed: int, dtype: str = "float64", device: str = "cpu") -> Rng:
        raise NotImplementedError

    # ----------------------------------------------------------------- distributions
    def normal(self, loc: Any, scale: Any) -> Any:
        raise self.not_provided("a distributions library")

    def exponential(self, rate: Any) -> Any:
        raise self.not_provided("a distributions library")

    def log_prob(self, dist: Any, x: Any) -> Any:
        return dist.log_prob(x)

    def kl(self, p: Any, q: Any) -> Any:
        """KL(p ‖ q) = E_p[log p(X) − log q(X)] as the library computes it."""
        raise self.not_provided("a distributions library")


class Rng:
    """A seeded stream of draws from the framework's own generator, in one dtype on one device."""

    def normal(self, shape: tuple[int, ...]) -> Any:
        """Independent N(0, 1) draws."""
        raise NotImplementedError

    def uniform(self, shape: tuple[int, ...]) -> Any:
        """Independent U[0, 1) draws."""
        raise NotImplementedError
