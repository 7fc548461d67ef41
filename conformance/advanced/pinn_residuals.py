"""PDE residuals and mixed space-time partials by autodiff at exact solutions, as a PINN computes them.

On n collocation points (Xₖ, Tₖ) a solution u is evaluated elementwise; since the points are independent,
∂u/∂x at every point is the gradient of Σₖ u(Xₖ, Tₖ) with respect to the vector X (DeepXDE's batched
derivatives), and second partials nest that once more. Exact solutions and their residuals:

    heat       u = e^(−π²κt) sin πx                      r = u_t − κ u_xx             (κ = 0.1)
    Poisson    u = sin πx sin πy                          r = u_xx + u_yy + 2π² u
    Burgers    u = ½ − ½ tanh((x − t/2)/(4ν))             r = u_t + u u_x − ν u_xx      (ν = 0.1)
    wave       u = sin πx cos cπt                         r = u_tt − c² u_xx            (c = 1.5)

and the mixed partials u_xt (u_xy), by both orders of differentiation, against their closed forms:

    heat  −π³κ cos πx e^(−π²κt);  Poisson π² cos πx cos πy;  Burgers −sech²ξ tanh ξ /(32ν²), ξ = (x − t/2)/4ν;
    wave  −cπ² cos πx sin cπt.

Judging: the exact residual is 0, so |r| is judged on the *amplitude* A of its terms — each term with its
sin, cos, sech² factors replaced by their bound 1 (e.g. heat: A = 2π²κ e^(−π²κt)). The terms' absolute
rounding error is a few ε·A wherever they are evaluated, while their relative error is unbounded near a
zero of sin πx (condition number |πx cot πx|) or where tanh saturates (1 − tanh² cancels); a bound on |r|
relative to |terms| would fail there for a correct framework, and one relative to |u| would forgive a
wrong term. The mixed partials are judged on their own amplitude in the same way. An empty grid is
refused with a one-line ConformanceError.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.errors import ConformanceError

N_POINTS = 8
KAPPA, NU, C = 0.1, 0.1, 1.5
PI = math.pi


class EmptyGridError(ConformanceError, ValueError):
    """A PDE residual asked on a grid with no collocation points."""


@dataclass(frozen=True, eq=False)
class Solution:
    """An exact solution u(xp, X, S) of a PDE in (x, s) (s = t or y), its residual from partials, and NumPy
    closed forms of the residual's amplitude and of the mixed partial u_xs with its amplitude."""

    name: str
    pde: str
    second: str  # the name of the second variable, "t" or "y"
    u: Callable[[Any, Any, Any], Any]
    residual: Callable[[Any, Callable[[str], Any]], Any]  # (u values, partial by name) -> r
    amplitude: Callable[[np.ndarray, np.ndarray], np.ndarray]
    mixed: Callable[[np.ndarray, np.ndarray], np.ndarray]
    mixed_amplitude: Callable[[np.ndarray, np.ndarray], np.ndarray]
    box: tuple[tuple[float, float], tuple[float, float]] = ((-1.0, 1.0), (0.0, 1.0))

    def grid(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """n collocation points drawn uniformly from the box; EmptyGridError for n < 1."""
        if int(n) < 1:
            raise EmptyGridError(
                f"{self.pde} residual on an empty grid ({n} collocation points): "
                f"nothing to evaluate; give at least one point"
            )
        rng = np.random.default_rng(seed)
        (x0, x1), (s0, s1) = self.box
        return rng.uniform(x0, x1, n), rng.uniform(s0, s1, n)


def _sech2(xi):
    return 1.0 / np.cosh(xi) ** 2


SOLUTIONS = (
    Solution(
        "heat u = e^(−π²κt) sin πx",
        "heat u_t = κ u_xx",
        "t",
        lambda xp, x, t: xp.exp(-(PI**2) * KAPPA * t) * xp.sin(PI * x),
        lambda u, d: d("t") - KAPPA * d("xx"),
        lambda x, t: 2 * PI**2 * KAPPA * np.exp(-(PI**2) * KAPPA * t),
        lambda x, t: -(PI**3) * KAPPA * np.cos(PI * x) * np.exp(-(PI**2) * KAPPA * t),
        lambda x, t: PI**3 * KAPPA * np.exp(-(PI**2) * KAPPA * t),
    ),
    Solution(
        "Poisson u = sin πx sin πy",
        "Poisson Δu = −2π²u",
        "y",
        lambda xp, x, y: xp.sin(PI * x) * xp.sin(PI * y),
        lambda u, d: d("xx") + d("yy") + 2 * PI**2 * u,
        lambda x, y: np.full_like(x, 4 * PI**2),
        lambda x, y: PI**2 * np.cos(PI * x) * np.cos(PI * y),
        lambda x, y: np.full_like(x, PI**2),
        ((-1.0, 1.0), (-1.0, 1.0)),
    ),
    Solution(
        "Burgers u = ½ − ½ tanh((x − t/2)/4ν)",
        "viscous Burgers u_t + u u_x = ν u_xx",
        "t",
        lambda xp, x, t: 0.5 - 0.5 * xp.tanh((x - t / 2) / (4 * NU)),
        lambda u, d: d("t") + u * d("x") - NU * d("xx"),
        lambda x, t: np.full_like(x, 5 / (16 * NU)),
        lambda x, t: -_sech2((x - t / 2) / (4 * NU)) * np.tanh((x - t / 2) / (4 * NU)) / (32 * NU**2),
        lambda x, t: np.full_like(x, 1 / (32 * NU**2)),
    ),
    Solution(
        "wave u = sin πx cos cπt",
        "wave u_tt = c² u_xx",
        "t",
        lambda xp, x, t: xp.sin(PI * x) * xp.cos(C * PI * t),
        lambda u, d: d("tt") - C**2 * d("xx"),
        lambda x, t: np.full_like(x, 2 * C**2 * PI**2),
        lambda x, t: -C * PI**2 * np.cos(PI * x) * np.sin(C * PI * t),
        lambda x, t: np.full_like(x, C * PI**2),
    ),
)


def partial(adapter: Any, g: Callable[[Any, Any], Any], argnum: int) -> Callable[[Any, Any], Any]:
    """(X, S) ↦ ∂g/∂(X or S) at every point: the gradient of Σₖ g(Xₖ, Sₖ) (the points are independent)."""
    xp = adapter.xp
    return adapter.grad(lambda x, s: xp.sum(g(x, s)), argnums=argnum)


def partials(adapter: Any, sol: Solution, names: tuple[str, ...]) -> Callable[[Any, Any], dict]:
    """(X, S) ↦ {name: partial derivative} for names like "x", "xx", "t", "xt" (applied left to right)."""
    xp = adapter.xp

    def u(x: Any, s: Any) -> Any:
        return sol.u(xp, x, s)

    def compute(x: Any, s: Any) -> dict:
        out = {}
        for name in names:
            g = u
            for var in name:
                g = partial(adapter, g, 0 if var == "x" else 1)
            out[name] = g(x, s)
        return out

    return compute


def residual_program(adapter: Any, sol: Solution) -> Callable[[Any, Any], Any]:
    """(X, T) ↦ r at every point, one staged program."""
    xp = adapter.xp

    def residual(x: Any, s: Any) -> Any:
        cache: dict = {}

        def d(name: str) -> Any:
            if name not in cache:
                cache[name] = partials(adapter, sol, (name,))(x, s)[name]
            return cache[name]

        return sol.residual(sol.u(xp, x, s), d)

    return adapter.program(residual, sol, "pde residual")


def mixed_program(adapter: Any, sol: Solution) -> Callable[[Any, Any], Any]:
    """(X, S) ↦ (u_xs, u_sx) at every point (both orders of differentiation), one staged program."""
    xs, sx = "x" + sol.second, sol.second + "x"

    def both(x: Any, s: Any) -> Any:
        p = partials(adapter, sol, (xs, sx))(x, s)
        return adapter.xp.stack([p[xs], p[sx]])

    return adapter.program(both, sol, "mixed partials")
