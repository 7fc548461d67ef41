"""JAX: ``jax.numpy.trapezoid`` and ``jax.scipy.integrate.trapezoid`` (JAX has no cumulative
trapezoid), ``jax.random`` draws from split keys, and NumPyro's ``numpyro.distributions``
(``kl_divergence``) as JAX's distributions library."""

from __future__ import annotations

import importlib
from typing import ClassVar

from ..integrals import Integrals, NotProvidedError, Rng


class JaxRng(Rng):
    def __init__(self, jax, seed: int, dtype: str, device):
        self.jax, self.dtype, self.device = jax, dtype, device
        self.key = jax.random.key(int(seed))

    def _next(self):
        self.key, sub = self.jax.random.split(self.key)
        return sub

    def normal(self, shape):
        return self.jax.device_put(self.jax.random.normal(self._next(), tuple(shape), self.dtype), self.device)

    def uniform(self, shape):
        return self.jax.device_put(self.jax.random.uniform(self._next(), tuple(shape), self.dtype), self.device)


class JaxIntegrals(Integrals):
    framework = "jax"
    trapezoid_apis: ClassVar[dict[str, str]] = {
        "jax.numpy.trapezoid": "_jnp_trapezoid",
        "jax.scipy.integrate.trapezoid": "_scipy_trapezoid",
    }
    cumulative_api = None
    rng_api = "jax.random.key / split with jax.random.normal / uniform"
    distributions_api = "numpyro.distributions"

    def _jnp_trapezoid(self, y, x, axis):
        return self.fw.numpy.trapezoid(y, x, axis=axis)

    def _scipy_trapezoid(self, y, x, axis):
        return importlib.import_module("jax.scipy.integrate").trapezoid(y, x, axis=axis)

    def rng(self, seed, dtype="float64", device="cpu"):
        return JaxRng(self.fw, seed, dtype, self.adapter._device(device))

    @staticmethod
    def _dist():
        try:
            return importlib.import_module("numpyro.distributions")
        except ImportError as exc:
            raise NotProvidedError(
                "a distributions library is not provided by jax here: numpyro "
                f"cannot be imported ({exc}); install it with pip install numpyro"
            ) from None

    def normal(self, loc, scale):
        return self._dist().Normal(loc, scale)

    def exponential(self, rate):
        return self._dist().Exponential(rate)

    def kl(self, p, q):
        try:
            return self._dist().kl_divergence(p, q)
        except NotImplementedError:  # multipledispatch: no rule registered for this pair
            import numpyro

            raise NotProvidedError(
                f"not provided by jax: numpyro.distributions {numpyro.__version__} has no kl_divergence"
                f"({type(p).__name__}, {type(q).__name__})"
            ) from None


INTEGRALS = JaxIntegrals
