"""Discretized functionals of the calculus of variations, written once against ``xp``, and their exact
oracles in mpmath.

A functional J[y] = ∫_a^b L(x, y, y') dx on the uniform grid x_i = a + i h (h = (b − a)/N), with the
end values y_0, y_N fixed and the interior y_1..y_{N−1} free, is discretized by the midpoint rule

    J_h(y) = h Σ_{i<N} L(x_{i+½}, (y_i + y_{i+1})/2, (y_{i+1} − y_i)/h),

whose gradient divided by h converges to the Euler–Lagrange expression at O(h²) (central differences
of smooth functions of x):

    ∂J_h/∂y_i / h = ½(L_y(i−½) + L_y(i+½)) − (L_p(i+½) − L_p(i−½))/h
                  → E(x_i) = L_y − d/dx L_p = L_y − L_px − L_py y' − L_pp y''.

At an extremal E = 0, so the gradient vanishes at O(h²); for L without x the Beltrami invariant
H = L − y' L_p is constant along it; and the second variation δ²J[η] = ∫ (L_yy η² + 2 L_yp η η' + L_pp η'²)
is the limit of vᵀ(∇²J_h)v / h for v_i = η(x_i) (positive at a minimum). The oracles evaluate L itself
in mpmath (``xp`` = the mpmath module: L uses only ``xp.sqrt``) and differentiate it with mpmath.diff.

The Dirichlet energy ½∫|∇u|² on [0, 1]² is discretized on an N × N grid as ½ Σ over grid edges of the
squared difference across the edge: its gradient over h² is −Δ_h u (the 5-point Laplacian) → −Δu at O(h²).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from conformance.errors import ConformanceError

DPS = 30
CHECKPOINTS = tuple(j / 10 for j in range(1, 10))  # fractions of [a, b] (grid points when 10 | N)


class GridError(ConformanceError, ValueError):
    """A grid on which no functional can be discretized."""


def check_grid(a: float, b: float, n: int) -> float:
    """The step h = (b − a)/N of an N-step grid; GridError when it has no interior point or no length."""
    if int(n) < 2:
        raise GridError(
            f"a discretized functional needs a grid of at least 2 steps (an interior point), got "
            f"N = {int(n)}; use more grid points"
        )
    if not (np.isfinite(a) and np.isfinite(b) and b > a):
        raise GridError(f"the interval [{a:g}, {b:g}] is empty; pass a < b")
    return (b - a) / int(n)


# ----------------------------------------------------------------------------- the discretization
def discrete_functional(xp: Any, lagrangian: Callable, y_inner: Any, x_mid: Any, ends: Any, h: Any) -> Any:
    """J_h(y) = h Σ L(x_{i+½}, ȳ_{i+½}, Δy_i/h), y = (ends[0], y_inner, ends[1]) (module docstring)."""
    y = xp.concatenate([ends[:1], y_inner, ends[1:]])
    return h * xp.sum(lagrangian(xp, x_mid, (y[1:] + y[:-1]) / 2, (y[1:] - y[:-1]) / h))


def dirichlet_energy(xp: Any, u_inner: Any, frame: Any, mask: Any) -> Any:
    """½ Σ_edges (u_a − u_b)² of u = frame + mask·pad(u_inner) on the (N+1) × (N+1) grid (frame holds the
    boundary values and 0 inside; the interior is placed by ``interior_embedding``)."""
    u = frame + mask * interior_embedding(xp, u_inner)
    dx = u[1:, :] - u[:-1, :]
    dy = u[:, 1:] - u[:, :-1]
    return 0.5 * (xp.sum(dx * dx) + xp.sum(dy * dy))


def interior_embedding(xp: Any, u_inner: Any) -> Any:
    """The (N−1) × (N−1) interior array padded with a ring of zeros to (N+1) × (N+1)."""
    zc = xp.zeros_like(u_inner[:, :1])
    rows = xp.concatenate([zc, u_inner, zc], axis=1)
    zr = xp.zeros_like(rows[:1, :])
    return xp.concatenate([zr, rows, zr], axis=0)


# ----------------------------------------------------------------------------- Lagrangians
def arc_length(xp: Any, x: Any, y: Any, p: Any) -> Any:
    """L = √(1 + p²)."""
    return xp.sqrt(1 + p * p)


def brachistochrone(xp: Any, x: Any, y: Any, p: Any) -> Any:
    """L = √((1 + p²)/y): the descent time √(2g)·T with y measured downwards (2g = 1)."""
    return xp.sqrt((1 + p * p) / y)


def catenary(xp: Any, x: Any, y: Any, p: Any) -> Any:
    """L = y √(1 + p²): a hanging chain's potential energy (and the area of a surface of revolution / 2π)."""
    return y * xp.sqrt(1 + p * p)


# ----------------------------------------------------------------------------- curves
@dataclass(frozen=True)
class Curve:
    """y(x): ``mp(x)`` -> (y, y', y'') in mpmath (mpf x), ``np(x)`` -> y at float64 points."""

    mp: Callable[[Any], tuple[Any, Any, Any]]
    np: Callable[[np.ndarray], np.ndarray]


def line(m: float, q: float) -> Curve:
    """y = m x + q: the extremal of arc length."""
    return Curve(lambda x: (m * x + q, mpmath.mpf(m), mpmath.mpf(0)), lambda x: m * x + q)


def cycloid(r: float) -> Curve:
    """x = r(θ − sin θ), y = r(1 − cos θ) (y downwards): the brachistochrone; y' = sin θ/(1 − cos θ),
    y'' = −1/(r (1 − cos θ)²); θ(x) by mpmath.findroot (mpmath) or Newton (float64)."""

    def mp(x):
        th = mpmath.findroot(lambda t: r * (t - mpmath.sin(t)) - x, float(cycloid_theta(float(x), r)))
        c, s = mpmath.cos(th), mpmath.sin(th)
        return r * (1 - c), s / (1 - c), -1 / (r * (1 - c) ** 2)

    return Curve(mp, lambda x: r * (1 - np.cos(cycloid_theta(x, r))))


def hanging(a: float, b: float) -> Curve:
    """y = a cosh((x − b)/a): the catenary."""
    return Curve(
        lambda x: (a * mpmath.cosh((x - b) / a), mpmath.sinh((x - b) / a), mpmath.cosh((x - b) / a) / a),
        lambda x: a * np.cosh((x - b) / a),
    )


def perturbed(curve: Curve, delta: float, omega: float, phase: float) -> Curve:
    """curve + δ sin(ωx + φ): a curve that is not an extremal."""

    def mp(x):
        y, y1, y2 = curve.mp(x)
        s, c = mpmath.sin(omega * x + phase), mpmath.cos(omega * x + phase)
        return y + delta * s, y1 + delta * omega * c, y2 - delta * omega**2 * s

    return Curve(mp, lambda x: curve.np(x) + delta * np.sin(omega * x + phase))


def cycloid_theta(x: Any, r: float) -> Any:
    """θ with r(θ − sin θ) = x, by Newton's method in float64 (vectorized; θ in (0, 2π))."""
    x = np.asarray(x, dtype=float)
    th = np.cbrt(6 * x / r) + 0.0 * x
    for _ in range(60):
        th = th - (r * (th - np.sin(th)) - x) / (r * (1 - np.cos(th)))
    return th


# ----------------------------------------------------------------------------- oracles
def partials(lagrangian: Callable, x: Any, y: Any, p: Any) -> dict[str, Any]:
    """L's partial derivatives at (x, y, p) by mpmath.diff (current precision)."""
    f = lambda X, Y, P: lagrangian(mpmath, X, Y, P)  # noqa: E731
    pt = (x, y, p)
    orders = {
        "L": (0, 0, 0),
        "y": (0, 1, 0),
        "p": (0, 0, 1),
        "px": (1, 0, 1),
        "py": (0, 1, 1),
        "pp": (0, 0, 2),
        "yy": (0, 2, 0),
    }
    return {k: (f(*pt) if k == "L" else mpmath.diff(f, pt, o)) for k, o in orders.items()}


def euler_lagrange(lagrangian: Callable, curve: Curve, x: float) -> float:
    """E(x) = L_y − L_px − L_py y' − L_pp y'' along the curve."""
    with mpmath.workdps(DPS):
        xm = mpmath.mpf(x)
        y, y1, y2 = curve.mp(xm)
        d = partials(lagrangian, xm, y, y1)
        return float(d["y"] - d["px"] - d["py"] * y1 - d["pp"] * y2)


def beltrami(lagrangian: Callable, curve: Curve, x: float) -> float:
    """H = L − y' L_p along the curve at x."""
    with mpmath.workdps(DPS):
        xm = mpmath.mpf(x)
        y, y1, _ = curve.mp(xm)
        d = partials(lagrangian, xm, y, y1)
        return float(d["L"] - y1 * d["p"])


def second_variation(lagrangian: Callable, curve: Curve, a: float, b: float, mode: int = 1, nodes: int = 24) -> float:
    """δ²J[η] = ∫_a^b (L_yy η² + 2 L_yp η η' + L_pp η'²) dx for η = sin(mode·π(x − a)/(b − a)), by
    Gauss–Legendre with ``nodes`` nodes (the integrand is analytic on [a, b]: error far below 1e-16)."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    total = mpmath.mpf(0)
    with mpmath.workdps(DPS):
        k = mode * mpmath.pi / (b - a)
        for ti, wi in zip(t, w):
            xm = mpmath.mpf(a) + (mpmath.mpf(ti) + 1) * (b - a) / 2
            y, y1, _ = curve.mp(xm)
            d = partials(lagrangian, xm, y, y1)
            eta, deta = mpmath.sin(k * (xm - a)), k * mpmath.cos(k * (xm - a))
            total += wi * (d["yy"] * eta**2 + 2 * d["py"] * eta * deta + d["pp"] * deta**2)
        return float(total * (b - a) / 2)


@dataclass(frozen=True)
class Problem:
    """A functional with its extremal (a minimum on [a, b]) for one draw of its parameters."""

    name: str
    lagrangian: Callable
    a: float
    b: float
    extremal: Curve
    test_curve: Curve  # a non-extremal curve for the Euler–Lagrange convergence
    doc: str


def problem(name: str, seed: int) -> Problem:
    """The problem ``name`` (arc length, brachistochrone, catenary) with parameters drawn for ``seed``."""
    rng = np.random.default_rng([22, 2, seed])
    delta, omega, phase = rng.uniform(0.05, 0.15), rng.uniform(1.0, 3.0), rng.uniform(0, 2 * np.pi)
    if name == "arc length":
        m, q = rng.integers(-8, 9) / 8, rng.integers(-4, 5) / 4  # dyadic: the line's samples are exact
        ext = line(float(m), float(q))
        return Problem(
            name,
            arc_length,
            0.0,
            1.0,
            ext,
            perturbed(ext, delta, omega, phase),
            f"√(1 + y'²) on [0, 1]; extremal y = {m}x + {q}",
        )
    if name == "brachistochrone":
        r = rng.uniform(0.5, 1.5)
        a, b = float(r * (1.2 - np.sin(1.2))), float(r * (2.8 - np.sin(2.8)))
        ext = cycloid(float(r))
        return Problem(
            name,
            brachistochrone,
            a,
            b,
            ext,
            perturbed(ext, 0.2 * delta * r, omega / r, phase),
            f"√((1 + y'²)/y) over θ in [1.2, 2.8]; extremal the cycloid of radius {r:.4g}",
        )
    if name == "catenary":
        ca, cb = rng.uniform(0.9, 1.2), rng.uniform(-0.2, 0.2)
        ext = hanging(float(ca), float(cb))
        return Problem(
            name,
            catenary,
            -0.5,
            0.5,
            ext,
            perturbed(ext, delta, omega, phase),
            f"y√(1 + y'²) on [−0.5, 0.5]; extremal y = {ca:.4g} cosh((x − {cb:.4g})/{ca:.4g})",
        )
    raise ValueError(f"unknown functional {name!r}; choose one of {', '.join(PROBLEMS)}")


PROBLEMS = ("arc length", "brachistochrone", "catenary")
