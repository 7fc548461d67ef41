"""How an oracle's array answer is judged beyond the tolerance policy: the families whose derivatives
are accurate in norm rather than per entry, and the condition allowance of pointwise ops.

    compare(got, want, tol, *elementwise(case, want))
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Families whose array derivatives are judged in norm (``elementwise``), with the reason.
NORMWISE = {
    "linalg": "normwise: matrix functions are computed by backward-stable factorizations (LU, QR, "
    "Cholesky, eigh, SVD), accurate in norm, not per element",
    "compositions": "normwise: a composite program's gradient entry is a sum over many paths (attention, "
    "layer norm, cumulative sums), and an entry that cancels carries the large terms' rounding",
    "nn": "normwise: convolutions, pooling windows and FFTs make each entry a sum over many inputs, and an "
    "entry that cancels carries the large terms' rounding",
    "losses": "normwise: a loss is a sum over its inputs (softmax, log-sum-exp, norms), and a gradient or "
    "Hessian entry that cancels carries the large terms' rounding",
}


def elementwise(case: Any, want: np.ndarray) -> tuple[Any, str | None]:
    """The scale an array derivative is judged on, and its name: |exact| element by element (None),
    or for a family in NORMWISE max(|exact|, ‖exact‖∞): an entry that cancels to far below the others
    carries the rounding of the large ones. Pointwise functions, reductions and special functions stay
    elementwise, where a tiny entry that is 100 % wrong fails."""
    why = NORMWISE.get(getattr(case, "family", ""))
    if why is None:
        return None, None
    a = np.abs(np.asarray(want))
    top = float(np.max(a[np.isfinite(a)], initial=0.0))
    return np.maximum(a, top), f"max(|exact|, ‖exact‖∞) ({why})"


def of_terms(case: Any, want: np.ndarray, terms: np.ndarray) -> tuple[Any, str | None]:
    """The scale a product (J·v, Jᵀu, H·v) is judged on: the magnitude of its terms, and for a family in
    NORMWISE at least ‖exact‖∞ (the factorization's rounding is normwise, see ``elementwise``)."""
    why = NORMWISE.get(getattr(case, "family", ""))
    if why is None:
        return terms, None
    a = np.abs(np.asarray(want))
    top = float(np.max(a[np.isfinite(a)], initial=0.0))
    return np.maximum(
        np.abs(np.asarray(terms, dtype=np.float64)), top
    ), f"max(the magnitude of the product's terms, ‖exact‖∞) ({why})"


def pointwise_condition(
    case: Any, x: np.ndarray, direction: np.ndarray, tol: Any, dtype: str, oracle: Any
) -> np.ndarray | float:
    """The allowance for the op's condition at a random input of a pointwise case: a backward-stable
    f' evaluates f'(x(1 + δ)), |δ| <= ε, so it may be off by ε·|x f''(x)| — added to the terms' scale as
    |x f''(x)|·|direction|·(2ε/rtol) (as the special points do). Near a zero of f' (GELU's at x ≈ −0.75)
    that is what a correct implementation loses; elsewhere it is below the bound. f'' comes
    via ``oracle("derivative", case, x, 2)``; 0 where the case is not pointwise or f'' is unavailable."""
    from conformance.tolerance import EPS

    if (
        not getattr(case, "pointwise", False)
        or getattr(case, "smooth_order", 0) < 2
        or np.shape(direction) != np.shape(x)
    ):
        return 0.0
    try:
        d2 = np.asarray(oracle("derivative", case, x, 2).value, dtype=np.float64)
    except Exception:  # no second derivative there (the oracle cannot take it): no allowance
        return 0.0
    sens = np.abs(np.asarray(x, dtype=np.float64) * d2) * np.abs(direction)
    return np.where(np.isfinite(sens), sens, 0.0) * (2 * EPS[dtype] / tol.rtol)
