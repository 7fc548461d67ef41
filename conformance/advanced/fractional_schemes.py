"""Fractional derivatives and integrals on a uniform grid, written once against an ``xp`` namespace.

Samples f_j = f(t_j) on t_j = j·h, j = 0..N (T = t_N = N·h); each scheme returns its value at t_N, a
scalar of the framework, differentiable in the order α, the step h and the samples. Γ comes from
the framework's own public log-gamma (``lgamma``: a function of framework arrays), so ∂/∂α runs
through the framework's digamma. Orders are 0 < α < 1 (``check_order``).

    Grünwald–Letnikov   D^α f(t_N) ≈ h^−α Σ_{k=0}^{N} w_k f_{N−k},   w_k = (−1)^k C(α, k)
                        w_0 = 1,  w_k = −α Γ(k−α) / (Γ(1−α) Γ(k+1))  (k ≥ 1)        error O(h)
    L1 (Caputo)         D^α f(t_N) ≈ h^−α/Γ(2−α) Σ_{k=0}^{N−1} b_k (f_{N−k} − f_{N−k−1}),
                        b_k = (k+1)^{1−α} − k^{1−α}                    error O(h^{2−α}) for smooth f
    L1 (Riemann–Liouville, Oldham–Spanier)  the Caputo sum + f_0 t_N^−α / Γ(1−α)
                        (the RL derivative of the piecewise-linear interpolant: exact for f = 1)
    product trapezoid   I^α f(t_n) ≈ h^α/Γ(α+2) Σ_j a_{n,j} f_j   (Diethelm: I^α of the piecewise-linear
                        interpolant), a_{n,0} = (n−1)^{α+1} − (n−α−1) n^α, and for 1 <= j <= n
                        a_{n,j} = P(n−j+1) − 2P(n−j) + P(n−j−1), P(m) = m^{α+1} for m >= 1 and 0 for m <= 0

Powers m^p of grid indices are exp(p log m) on m >= 1 times a 0/1 mask, so no 0^p (whose derivative
in p is 0·log 0) enters a derivative program. The integer-index arrays are numpy constants made
framework arrays once per grid (``Grid``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.errors import ConformanceError


class FractionalOrderError(ConformanceError, ValueError):
    """A fractional order outside the method's range."""


class GridError(ConformanceError, ValueError):
    """A grid no scheme can run on."""


def check_order(alpha: float, method: str) -> float:
    """α itself when 0 < α < 1 (the range of every scheme here); else FractionalOrderError naming the method."""
    a = float(alpha)
    if not (0.0 < a < 1.0) or not np.isfinite(a):
        raise FractionalOrderError(f"{method} needs a fractional order 0 < α < 1, got α = {a:g}; pick α inside (0, 1)")
    return a


def check_steps(n: int) -> int:
    """The number of steps N itself when N >= 2; else GridError."""
    if int(n) < 2:
        raise GridError(
            f"a fractional scheme needs a grid of at least 2 steps (3 points), got N = {int(n)}; use more grid points"
        )
    return int(n)


@dataclass(frozen=True)
class Grid:
    """Index constants of an N-step grid as numpy arrays (``arrays`` makes them framework arrays); the
    product-trapezoid constants are for node N only, or for every node when ``every_node``."""

    n: int
    every_node: bool = False

    def numpy(self) -> dict[str, np.ndarray]:
        n = check_steps(self.n)
        k = np.arange(n, 0, -1, dtype=float)  # k = N − j for j = 0..N−1 (GL: w_k pairs f_j)
        km1 = k - 1.0  # L1: b_{N−j} for j = 1..N
        nodes = np.arange(n + 1, dtype=float)[:, None] if self.every_node else np.array([[float(n)]])
        m = nodes - np.arange(n + 1, dtype=float)[None, :]  # product trapezoid: node (rows) minus sample j
        out = {
            "j": np.arange(1, n + 1, dtype=float),
            "k": k,
            "log_k": np.log(k),
            "log_km1": np.log(np.maximum(km1, 1.0)),
            "mask_km1": (km1 >= 1) * 1.0,
            "log_n": np.array(np.log(n)),
        }
        for name, mm in (("p1", m + 1), ("p0", m), ("m1", m - 1)):
            out["log_" + name] = np.log(np.maximum(mm, 1.0))
            out["mask_" + name] = (mm >= 1) * 1.0
        rows = np.broadcast_to(nodes, m.shape)
        out["col0"] = ((np.arange(n + 1) == 0)[None, :] & (rows >= 1)) * 1.0
        out["rows"] = rows.copy()
        out["log_rows"] = np.log(np.maximum(rows, 1.0))
        out["live"] = (rows >= 1) * 1.0  # node 0: I^α f(t_0) = 0
        if not self.every_node:
            out = {name: (a[0] if a.ndim == 2 else a) for name, a in out.items()}
        return out

    def arrays(self, array: Callable[[np.ndarray], Any]) -> dict[str, Any]:
        """The constants as framework arrays (``array`` = ``ctx.array``)."""
        return {name: array(a) for name, a in self.numpy().items()}


def _pow(xp: Any, p: Any, log_m: Any, mask: Any) -> Any:
    """m^p for grid indices m >= 1 (mask 1), 0 where m <= 0 (mask 0)."""
    return mask * xp.exp(p * log_m)


def grunwald_letnikov(xp: Any, lgamma: Callable, alpha: Any, h: Any, f: Any, g: dict) -> Any:
    """h^−α Σ_k w_k f_{N−k} (module docstring)."""
    k = g["k"]
    w = -alpha * xp.exp(lgamma(k - alpha) - lgamma(1.0 - alpha) - lgamma(k + 1.0))
    return xp.exp(-alpha * xp.log(h)) * (f[-1] + xp.sum(w * f[:-1]))


def l1_caputo(xp: Any, lgamma: Callable, alpha: Any, h: Any, f: Any, g: dict) -> Any:
    """h^−α/Γ(2−α) Σ_k b_k (f_{N−k} − f_{N−k−1}) (module docstring)."""
    p = 1.0 - alpha
    b = xp.exp(p * g["log_k"]) - _pow(xp, p, g["log_km1"], g["mask_km1"])
    return xp.exp(-alpha * xp.log(h) - lgamma(2.0 - alpha)) * xp.sum(b * (f[1:] - f[:-1]))


def l1_riemann_liouville(xp: Any, lgamma: Callable, alpha: Any, h: Any, f: Any, g: dict) -> Any:
    """The L1 Caputo sum + f_0 t_N^−α / Γ(1−α) (Oldham–Spanier's L1 algorithm for the RL derivative)."""
    start = f[0] * xp.exp(-alpha * (xp.log(h) + g["log_n"]) - lgamma(1.0 - alpha))
    return l1_caputo(xp, lgamma, alpha, h, f, g) + start


def trapezoid_weights(xp: Any, lgamma: Callable, alpha: Any, h: Any, g: dict) -> Any:
    """The weights W with W·f = product-trapezoid I^α f: the row of node N, or with a ``Grid`` of
    ``every_node`` the (N+1) × (N+1) matrix of every node (row 0 is 0)."""
    q = alpha + 1.0
    interior = (
        _pow(xp, q, g["log_p1"], g["mask_p1"])
        - 2.0 * _pow(xp, q, g["log_p0"], g["mask_p0"])
        + _pow(xp, q, g["log_m1"], g["mask_m1"])
    )
    # column 0: (n−1)^{α+1} − (n−α−1) n^α on rows n >= 1 (log_m1/mask_m1 at j = 0 hold n − 1)
    first = _pow(xp, q, g["log_m1"], g["mask_m1"]) - (g["rows"] - q) * xp.exp(alpha * g["log_rows"])
    a = g["live"] * (g["col0"] * first + (1.0 - g["col0"]) * interior)
    return xp.exp(alpha * xp.log(h) - lgamma(alpha + 2.0)) * a


def trapezoid_integral(xp: Any, lgamma: Callable, alpha: Any, h: Any, f: Any, g: dict) -> Any:
    """Product-trapezoid I^α f(t_N) (a ``Grid`` of node N only)."""
    return xp.sum(trapezoid_weights(xp, lgamma, alpha, h, g) * f)


def trapezoid_integral_all(xp: Any, lgamma: Callable, alpha: Any, h: Any, f: Any, g: dict) -> Any:
    """Product-trapezoid I^α f(t_n) at every node n = 0..N (a vector; a ``Grid`` of ``every_node``)."""
    return xp.matmul(trapezoid_weights(xp, lgamma, alpha, h, g), f)


SCHEMES: dict[str, Callable] = {
    "grunwald_letnikov": grunwald_letnikov,
    "l1_caputo": l1_caputo,
    "l1_riemann_liouville": l1_riemann_liouville,
    "trapezoid_integral": trapezoid_integral,
}


NAMES = (
    "j",
    "k",
    "log_k",
    "log_km1",
    "mask_km1",
    "log_n",
    "log_p1",
    "mask_p1",
    "log_p0",
    "mask_p0",
    "log_m1",
    "mask_m1",
    "col0",
    "rows",
    "log_rows",
    "live",
)  # Grid constants, in the order programs take them


def power_samples(xp: Any, T: Any, c: Any, k: Any, g: dict) -> tuple[Any, Any]:
    """(h, f): the step T/N and the samples f_j = c + t_j^k of f(t) = c + t^k on t_j = j h (f_0 = c is
    not computed from t_0 = 0, so no derivative of t^k at 0 enters the program)."""
    h = T * xp.exp(-g["log_n"])
    inner = c + xp.exp(k * xp.log(g["j"] * h))
    return h, xp.concatenate([xp.reshape(c, (1,)), inner])


def on_power(xp: Any, lgamma: Callable, method: str) -> Callable:
    """(α, T, c, k, *Grid constants in NAMES order) -> the scheme ``method`` at t = T on f = c + t^k: the
    function whose value and gradient in (α, T) the checks take."""
    scheme = SCHEMES[method]

    def value(alpha: Any, T: Any, c: Any, k: Any, *consts: Any) -> Any:
        g = dict(zip(NAMES, consts))
        h, f = power_samples(xp, T, c, k, g)
        return scheme(xp, lgamma, alpha, h, f, g)

    return value
