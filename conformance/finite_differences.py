"""Numerical derivatives in NumPy, free of every AD framework.

Central differences have error c₂h² + c₄h⁴ + …; Ridders' method evaluates them at a shrinking
sequence of steps hᵢ = h₀/conⁱ and extrapolates the tableau to h → 0 (Richardson), keeping the
entry whose estimated error is smallest. The complex step, Im f(x + i h v) / h, has no subtractive
cancellation, so with h = 1e-30 it is exact to rounding for functions analytic at x.
"""

from __future__ import annotations

from math import comb
from typing import Callable

import numpy as np

Array = np.ndarray


def ridders(
    estimate: Callable[[float], Array], h0: float, con: float = 1.4, levels: int = 10, safe: float = 2.0
) -> tuple[Array, float]:
    """Richardson-extrapolate ``estimate(h)`` (error even in h) to h → 0.

    Returns (best estimate, its error estimate as a max-abs difference of tableau neighbours).
    """
    con2 = con * con
    prev = [np.asarray(estimate(h0), dtype=np.result_type(float, estimate(h0)))]
    best, err = prev[0], np.inf
    h = h0
    for i in range(1, levels):
        h /= con
        row = [np.asarray(estimate(h))]
        fac = con2
        for j in range(1, i + 1):
            row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1.0))
            fac *= con2
            e = max(_maxabs(row[j] - row[j - 1]), _maxabs(row[j] - prev[j - 1]))
            if e <= err:
                err, best = e, row[j]
        if _maxabs(row[i] - prev[i - 1]) >= safe * err:
            break
        prev = row
    return best, float(err)


def _maxabs(a: Array) -> float:
    a = np.abs(np.asarray(a))
    return float(np.max(a)) if a.size else 0.0


def _step(x: Array, v: Array, rel: float = 1e-2) -> float:
    """A first step h₀ scaled to x and to the direction v."""
    scale = max(1.0, _maxabs(x))
    return rel * scale / max(_maxabs(v), 1e-300)


def _finite_step(f: Callable[[Array], Array], x: Array, v: Array, h0: float) -> float:
    """Halve h₀ until f is finite at x ± h₀ v (keeps the stencil inside the domain)."""
    for _ in range(30):
        with np.errstate(all="ignore"):
            ok = np.all(np.isfinite(f(x + h0 * v))) and np.all(np.isfinite(f(x - h0 * v)))
        if ok:
            return h0
        h0 /= 2.0
    return h0


def jvp(f: Callable[[Array], Array], x: Array, v: Array, rel_step: float = 1e-2) -> tuple[Array, float]:
    """J_f(x) v by Richardson-extrapolated central differences; returns (value, error estimate)."""
    x = np.asarray(x)
    v = np.asarray(v)
    h0 = _finite_step(f, x, v, _step(x, v, rel_step))

    def central(h: float) -> Array:
        return (np.asarray(f(x + h * v)) - np.asarray(f(x - h * v))) / (2.0 * h)

    return ridders(central, h0)


def jacobian(f: Callable[[Array], Array], x: Array, rel_step: float = 1e-2) -> tuple[Array, float]:
    """J_f(x), shape f(x).shape + x.shape, one central difference per coordinate, extrapolated."""
    x = np.asarray(x)
    n = x.size
    basis = np.eye(n, dtype=x.dtype).reshape((n,) + x.shape)
    h0 = min(_finite_step(f, x, e, _step(x, e, rel_step)) for e in basis) if n else rel_step
    out_shape = np.shape(f(x))

    def central(h: float) -> Array:
        cols = [(np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2.0 * h) for e in basis]
        return np.stack(cols, axis=-1).reshape(out_shape + x.shape)

    return ridders(central, h0)


def hessian(f: Callable[[Array], Array], x: Array, rel_step: float = 3e-2) -> tuple[Array, float]:
    """∇²f(x) from the four-point second difference
    [f(x+hEᵢ+hEⱼ) − f(x+hEᵢ−hEⱼ) − f(x−hEᵢ+hEⱼ) + f(x−hEᵢ−hEⱼ)] / 4h², extrapolated."""
    x = np.asarray(x)
    n = x.size
    flat = x.reshape(-1)
    h0 = _finite_step(lambda z: f(z.reshape(x.shape)), flat, np.ones(n), rel_step * max(1.0, _maxabs(x)) / 2)

    def second(h: float) -> Array:
        H = np.empty((n, n), dtype=np.result_type(x, float))
        for i in range(n):
            for j in range(i, n):
                ei = np.zeros(n)
                ej = np.zeros(n)
                ei[i] = h
                ej[j] = h
                val = (
                    f((flat + ei + ej).reshape(x.shape))
                    - f((flat + ei - ej).reshape(x.shape))
                    - f((flat - ei + ej).reshape(x.shape))
                    + f((flat - ei - ej).reshape(x.shape))
                )
                H[i, j] = H[j, i] = val / (4.0 * h * h)
        return H.reshape(x.shape + x.shape)

    return ridders(second, h0)


def derivative(f: Callable[[Array], Array], x: Array, order: int, rel_step: float | None = None) -> tuple[Array, float]:
    """dⁿf/dxⁿ of a scalar function from Σₖ (−1)ᵏ C(n,k) f(x + (n/2 − k)h) / hⁿ (error O(h²))."""
    x = np.asarray(x, dtype=np.result_type(x, float))
    h0 = (rel_step or {1: 1e-2, 2: 3e-2, 3: 6e-2, 4: 0.1}[order]) * max(1.0, _maxabs(x))
    h0 = _finite_step(f, x, np.ones_like(x), h0 * order / 2) * 2 / order

    def stencil(h: float) -> Array:
        total = 0.0
        for k in range(order + 1):
            total = total + (-1) ** k * comb(order, k) * np.asarray(f(x + (order / 2 - k) * h))
        return total / h**order

    return ridders(stencil, h0, levels=12)


def jvp_complex_step(f: Callable[[Array], Array], x: Array, v: Array, h: float = 1e-30) -> Array:
    """J_f(x) v = Im f(x + i h v) / h, exact to rounding for f analytic at real x."""
    x = np.asarray(x, dtype=float)
    return np.imag(np.asarray(f(x + 1j * h * np.asarray(v, dtype=float)))) / h
