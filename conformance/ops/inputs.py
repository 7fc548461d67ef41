"""Well-posed random inputs for the op table's whole-array rows: the catalog's own generators
(``conformance.derivatives.cases.common``), reached lazily because that package imports this one."""

from __future__ import annotations

from typing import Any

import numpy as np


def fixed(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """A constant array (weights, targets) fixed by ``seed``: standard normal entries times scale."""
    return scale * np.random.default_rng(seed).standard_normal(shape)


def _common() -> Any:
    from conformance.derivatives.cases import common

    return common


def spd(rng: np.random.Generator, n: int, **kw: Any) -> np.ndarray:
    """Symmetric positive definite Q diag(λ) Qᵀ with separated λ (``common.spd``)."""
    return _common().spd(rng, n, **kw)


def well_conditioned(rng: np.random.Generator, n: int, **kw: Any) -> np.ndarray:
    """U diag(s) Vᵀ with distinct singular values s ≥ 0.5 (``common.well_conditioned``)."""
    return _common().well_conditioned(rng, n, **kw)


def separated(rng: np.random.Generator, shape: tuple[int, ...], *a: Any, **kw: Any) -> np.ndarray:
    """Entries at least ``gap`` apart along the last axis (``common.separated``)."""
    return _common().separated(rng, shape, *a, **kw)
