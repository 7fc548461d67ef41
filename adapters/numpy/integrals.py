"""NumPy: ``numpy.trapezoid`` and ``numpy.random.Generator`` draws. NumPy has no cumulative trapezoid
(SciPy's is the suite's reference, not a NumPy API) and no distributions library with KL divergences."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..integrals import Integrals, Rng


class NumpyRng(Rng):
    def __init__(self, seed: int, dtype: str):
        self.gen, self.dtype = np.random.default_rng(int(seed)), np.dtype(dtype)

    def normal(self, shape):
        return self.gen.standard_normal(tuple(shape)).astype(self.dtype)

    def uniform(self, shape):
        return self.gen.random(tuple(shape)).astype(self.dtype)


class NumpyIntegrals(Integrals):
    framework = "numpy"
    trapezoid_apis: ClassVar[dict[str, str]] = {"numpy.trapezoid": "_trapezoid"}
    cumulative_api = None
    rng_api = "numpy.random.default_rng (PCG64)"
    distributions_api = None

    def _trapezoid(self, y, x, axis):
        return np.trapezoid(y, x, axis=axis)

    def rng(self, seed, dtype="float64", device="cpu"):
        return NumpyRng(seed, dtype)


INTEGRALS = NumpyIntegrals
