"""Stochastic trace estimators (Hutchinson), shared by the PINN operators and the diffusion suite.

For a square matrix A reached only through products v ↦ Av and probes v with E[vvᵀ] = I,

    tr A = E[vᵀAv],   one sample zᵢ = vᵢᵀ A vᵢ,   estimate  t̂ = (1/N) Σᵢ zᵢ,

with, for symmetric A, the exact per-probe variances

    Gaussian   v ~ N(0, I):          Var[vᵀAv] = 2‖A‖_F²
    Rademacher v ∈ {±1}ⁿ uniform:    Var[vᵀAv] = 2(‖A‖_F² − Σᵢ aᵢᵢ²)

(for a non-symmetric A replace A by its symmetric part (A + Aᵀ)/2, which has the same quadratic form).
A check compares t̂ with the exact trace as a z-test on σ/√N (``conformance.integrals.monte_carlo``).
Probes are drawn from the framework's own generator (``conformance.adapters.integrals``' ``rng``) so
each framework's estimator is tested end to end; Rademacher probes are 2⌊u/½⌋ − 1, u uniform on [0, 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

PROBES = ("gaussian", "rademacher")


def probes(rng: Any, kind: str, count: int, dim: int) -> Any:
    """``count`` probe vectors of length ``dim`` (shape (count, dim)) from a framework ``Rng``."""
    if kind == "gaussian":
        return rng.normal((count, dim))
    if kind == "rademacher":
        u = rng.uniform((count, dim))
        return 2.0 * (u // 0.5) - 1.0  # ⌊u/½⌋ ∈ {0, 1}: no bool arithmetic (TF refuses bool * float)
    raise ValueError(f"unknown probe kind {kind!r}; choose one of {', '.join(PROBES)}")


def quadratic_forms(matvec: Callable[[Any], Any], vs: Any, xp: Any) -> Any:
    """zᵢ = vᵢᵀ A vᵢ for each row vᵢ of ``vs`` (A given as ``matvec``, one product per probe)."""
    return xp.stack([xp.sum(v * matvec(v)) for v in vs])


def exact_variance(a: np.ndarray, kind: str) -> float:
    """Var[vᵀAv] for one probe of ``kind`` on the dense matrix ``a`` (its symmetric part is used)."""
    s = (np.asarray(a, dtype=np.float64) + np.asarray(a, dtype=np.float64).T) / 2
    fro2 = float(np.sum(s * s))
    if kind == "gaussian":
        return 2.0 * fro2
    if kind == "rademacher":
        return 2.0 * (fro2 - float(np.sum(np.diag(s) ** 2)))
    raise ValueError(f"unknown probe kind {kind!r}; choose one of {', '.join(PROBES)}")
