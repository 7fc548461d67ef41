"""Helpers shared by the catalog's family modules: special points, pointwise cases, the
series-plus-formula rewrite of removable singularities, and structured random inputs."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from conformance.derivatives.case import Case, SpecialPoint

VECTOR_SHAPES = ((3,), (2, 3))


def sp(
    name: str, x: Any, limit: str = "mpmath", orders: tuple[int, ...] = (1, 2), note: str = "", condition: float = 1.0
) -> SpecialPoint:
    return SpecialPoint(
        name=name, x=np.asarray(x, dtype=np.float64), limit=limit, orders=orders, note=note, condition=condition
    )


def filled(shape: tuple[int, ...], points: Sequence[tuple]) -> tuple[SpecialPoint, ...]:
    """Special points ``(name, value[, limit[, orders[, note[, condition]]]])`` with every entry equal
    to value (``condition``: the derivative's condition number there, SpecialPoint.condition).
    The default limit is mpmath: the oracle that stays right at edges (closed forms may overflow or
    cancel there); a test checks each finite closed form against it at every special point."""
    out = []
    for p in points:
        name, value, *rest = p
        limit = rest[0] if len(rest) > 0 else "mpmath"
        orders = rest[1] if len(rest) > 1 else (1, 2)
        note = rest[2] if len(rest) > 2 else ""
        condition = float(rest[3]) if len(rest) > 3 else 1.0
        out.append(sp(name, np.full(shape, value, dtype=np.float64), limit, orders, note, condition))
    return tuple(out)


def pointwise(
    name: str,
    fn: Callable,
    derivative: Callable | None,
    *,
    domain=(-2.0, 2.0),
    defined_on=(-np.inf, np.inf),
    points: Sequence[tuple] = (),
    shapes=VECTOR_SHAPES,
    doc: str = "",
    **kw: Any,
) -> Case:
    """An elementwise case y = f(x) with f applied entry by entry."""
    return Case(
        name=name,
        family=kw.pop("family", "elementwise"),
        fn=fn,
        shapes=shapes,
        domain=domain,
        derivative=derivative,
        pointwise=True,
        defined_on=defined_on,
        special_points=filled(shapes[0], points),
        doc=doc,
        **kw,
    )


def horner(xp: Any, x: Any, coeffs: Sequence[float]) -> Any:
    """Σₖ cₖ xᵏ by Horner's rule."""
    p = xp.zeros_like(x) + coeffs[-1]
    for c in reversed(coeffs[:-1]):
        p = p * x + c
    return p


def power_series(coeffs: Sequence[float]) -> Callable[[Any, Any], Any]:
    """(xp, x) -> Σ cₖ xᵏ, summed by Horner's rule."""
    return lambda xp, x: horner(xp, x, coeffs)


def series_where(xp: Any, x: Any, cutoff: float, series: Callable, formula: Callable) -> Any:
    """series(xp, x) where |x| < cutoff, formula(x) elsewhere. The formula sees a safe value (1)
    where it is not taken, so neither its value nor its derivative is 0/0 there (the "double where")."""
    near = xp.abs(x) < cutoff
    safe = xp.where(near, xp.ones_like(x), x)
    return xp.where(near, series(xp, x), formula(safe))


def rows(*fns: Callable[[np.random.Generator, int], np.ndarray]) -> Callable:
    """make_input for packed arguments: row i of x drawn by fns[i](rng, n) for x of shape (k, n)."""

    def make(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.stack([f(rng, shape[1]) for f in fns])

    return make


def spd(rng: np.random.Generator, n: int, lo: float = 1.0, gap: float = 0.5) -> np.ndarray:
    """A symmetric positive definite matrix Q diag(λ) Qᵀ with λ ≥ lo spaced at least ``gap`` apart."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = lo + np.cumsum(gap + rng.uniform(0, 1, n))
    return (q * lam) @ q.T


def well_conditioned(rng: np.random.Generator, n: int, lo: float = 0.5, gap: float = 0.3) -> np.ndarray:
    """U diag(s) Vᵀ with singular values s ≥ lo, distinct by at least ``gap``."""
    u, _ = np.linalg.qr(rng.standard_normal((n, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = lo + np.cumsum(gap + rng.uniform(0, 0.5, n))[::-1]
    return (u * s) @ v.T


def separated(
    rng: np.random.Generator, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0, gap: float = 0.1
) -> np.ndarray:
    """Uniform entries, resampled until every pair along the last axis is at least ``gap`` apart."""
    for _ in range(1000):
        x = rng.uniform(lo, hi, size=shape)
        s = np.sort(x, axis=-1)
        if s.shape[-1] < 2 or np.min(np.diff(s, axis=-1)) >= gap:
            return x
    raise RuntimeError(f"could not draw entries {gap} apart in {shape}")


def fixed(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """A constant array (weights, targets) fixed by ``seed``: the same for every framework and run."""
    return scale * np.random.default_rng(seed).standard_normal(shape)


def eigvals_distinct(x: np.ndarray, gap: float = 1e-3) -> str | None:
    w = np.linalg.eigvalsh(0.5 * (x + np.swapaxes(x, -1, -2)))
    return None if np.min(np.diff(w, axis=-1)) > gap else f"eigenvalues closer than {gap}: {w}"
