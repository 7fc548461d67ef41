"""What JAX says about itself: the public modules whose callables stand for its differentiable
functions (it publishes no list; ``conformance.coverage`` applies a name heuristic). Contract: see
``adapters/torch/introspection.py``; XLA's threads follow ``XLA_FLAGS``, recorded by the run header."""

from __future__ import annotations

# The catalog's name prefix -> the module to import.
REFERENCE_MODULES = {m: m for m in ("jax.numpy", "jax.nn", "jax.scipy.special", "jax.numpy.linalg", "jax.numpy.fft")}
