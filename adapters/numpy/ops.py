"""How NumPy/SciPy's public functions of the op table are called where the table's default call does
not fit: scipy.linalg's lower-triangular conventions and the factorizations its solvers take."""

from __future__ import annotations

from typing import Any, Callable


def _keywords(**fixed: Any) -> Callable:
    return lambda f, *args, **params: f(*args, **fixed, **params)


def _cho_solve(f: Callable, s: Any, b: Any) -> Any:
    import scipy.linalg

    return f(scipy.linalg.cho_factor(s, lower=True), b)


def _lu_solve(f: Callable, a: Any, b: Any) -> Any:
    import scipy.linalg

    return f(scipy.linalg.lu_factor(a), b)


BINDINGS: dict[str, Callable] = {
    "scipy.linalg.cholesky": _keywords(lower=True),
    "scipy.linalg.cho_solve": _cho_solve,
    "scipy.linalg.solve_triangular": _keywords(lower=True),
    "scipy.linalg.lu_solve": _lu_solve,
    "scipy.linalg.qr": _keywords(mode="economic"),
}


# ---------------------------------------------------------------- catalog growth (conformance/ops/manipulation.py)
def _extract(f: Callable, x: Any, mask: Any) -> Any:
    """numpy.extract(condition, arr): the mask first."""
    return f(mask, x)


BINDINGS.update({"numpy.extract": _extract})
