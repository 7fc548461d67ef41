"""Identities that tie differentiation to integration, with each framework's AD as the integrand.

Fundamental theorem of calculus, with f′ from the adapter and Gauss–Legendre quadrature on n nodes
tᵢ ∈ [a, b] with weights wᵢ (exact for polynomials of degree 2n − 1, spectrally accurate for
functions analytic near [a, b]):

    Σᵢ wᵢ f′(tᵢ)  =  f(b) − f(a)

Gradient theorem, for f: Rᵈ → R and a curve γ: [0, 1] → Rᵈ (here γ(t) = p + t(q − p) + sin(πt)·c,
so γ(0) = p, γ(1) = q):

    ∫₀¹ ∇f(γ(t)) · γ′(t) dt  =  f(q) − f(p)

Both sides are compared on the scale S = Σᵢ wᵢ|gᵢ| + |f(end)| + |f(start)| (the condition scale of
the sum and of the difference), under the policy's "quadrature" bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from conformance.integrals.quadrature import derivative_tolerance
from conformance.tolerance import Comparison

GL_NODES = 48


def gauss_legendre(a: float, b: float, n: int = GL_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss–Legendre rule on [a, b]."""
    s, w = np.polynomial.legendre.leggauss(n)
    return (b - a) / 2 * s + (a + b) / 2, (b - a) / 2 * w


def scaled_comparison(actual: float, expected: float, scale: float, tol: Any) -> Comparison:
    """|actual − expected| / scale against tol (atol + rtol on the normalized values)."""
    err = abs(actual - expected)
    bound = (tol.atol + tol.rtol * abs(expected) / scale) * scale
    ratio = err / bound if np.isfinite(err) else float("nan")
    rel = err / abs(expected) if expected != 0 else float("inf")
    return Comparison(float(err), float(rel), float(ratio), bool(ratio <= 1.0))


def _outcome(c: Comparison, tol: Any, scale: float, message: str, data: dict, inp: Any = None) -> Any:
    from conformance.engine import Outcome

    return Outcome(
        "pass" if c.ok else "fail",
        c.max_abs_error,
        c.max_rel_error,
        tol.rtol,
        tol.atol * scale,
        c.error_ratio,
        message,
        input=inp,
        data={"scale": scale, **data},
    )


# ----------------------------------------------------------------------------- FTC
@dataclass(frozen=True)
class Antiderivative:
    """f on [a, b], written once against xp (elementwise) and once in mpmath for the exact ends."""

    name: str
    f: Callable[[Any, Any], Any]
    f_mp: Callable[[Any], Any]
    interval: tuple[float, float]


FTC_CASES = (
    Antiderivative("x³ + 2x + 1 from 0 to 2", lambda xp, x: x**3 + 2 * x + 1, lambda t: t**3 + 2 * t + 1, (0.0, 2.0)),
    Antiderivative(
        "sin(x)·exp(x/3) from -1 to 2",
        lambda xp, x: xp.sin(x) * xp.exp(x / 3),
        lambda t: mpmath.sin(t) * mpmath.exp(t / 3),
        (-1.0, 2.0),
    ),
    Antiderivative(
        "log1p(x²) from -2 to 2.5", lambda xp, x: xp.log1p(x * x), lambda t: mpmath.log1p(t * t), (-2.0, 2.5)
    ),
    Antiderivative(
        "x·tanh(2x) from -1.5 to 1", lambda xp, x: x * xp.tanh(2 * x), lambda t: t * mpmath.tanh(2 * t), (-1.5, 1.0)
    ),
)


def ftc_check(case: Antiderivative) -> Callable:
    def run(ctx):
        a, b = case.interval
        t, w = gauss_legendre(a, b)
        xp = ctx.xp
        tt = ctx.array(t)
        fprime = ctx.numpy(ctx.adapter.grad(lambda z: xp.sum(case.f(xp, z)))(tt))
        integral = float(np.dot(w, fprime))
        with mpmath.workdps(40):
            fa, fb = case.f_mp(mpmath.mpf(a)), case.f_mp(mpmath.mpf(b))
            exact = float(fb - fa)
        scale = float(np.dot(w, np.abs(fprime)) + abs(fa) + abs(fb))
        tol = derivative_tolerance(ctx)
        c = scaled_comparison(integral, exact, scale, tol)
        return _outcome(
            c,
            tol,
            scale,
            f"Σ wᵢ f′(tᵢ) ({GL_NODES}-point Gauss–Legendre, f′ by AD) = {integral:.17g} vs f(b) − f(a) = {exact:.17g}",
            {"quadrature": integral, "exact": exact, "nodes": GL_NODES},
        )

    return run


# ----------------------------------------------------------------------------- gradient theorem
@dataclass(frozen=True)
class Potential:
    """f: Rᵈ → R evaluated row-wise: f(xp, X) with X of shape (m, d) returns shape (m,)."""

    name: str
    dim: int
    f: Callable[[Any, Any], Any]
    box: tuple[float, float] = (-1.0, 1.0)


def _quadratic_form(xp: Any, X: Any) -> Any:
    A = np.array([[2.0, 0.5, 0.0, -0.3], [0.5, 1.0, 0.2, 0.0], [0.0, 0.2, 1.5, 0.4], [-0.3, 0.0, 0.4, 0.8]])
    b = np.array([0.3, -1.0, 0.5, 0.2])
    AX = xp.matmul(X, xp.asarray(A, like=X))
    return 0.5 * xp.sum(AX * X, axis=-1) + xp.matmul(X, xp.asarray(b, like=X))


POTENTIALS = (
    Potential(
        "Rosenbrock-like (1 − x)² + 5(y − x²)² (2-D)",
        2,
        lambda xp, X: (1 - X[:, 0]) ** 2 + 5 * (X[:, 1] - X[:, 0] ** 2) ** 2,
    ),
    Potential(
        "sin(x·y) + z² exp(-x) (3-D)", 3, lambda xp, X: xp.sin(X[:, 0] * X[:, 1]) + X[:, 2] ** 2 * xp.exp(-X[:, 0])
    ),
    Potential("log-sum-exp (3-D)", 3, lambda xp, X: xp.logsumexp(X, axis=-1)),
    Potential("quadratic form ½xᵀAx + bᵀx (4-D)", 4, _quadratic_form),
)


def curve(rng: np.random.Generator, dim: int, box: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, q, c): γ(t) = p + t(q − p) + sin(πt)·c with p, q in the box and a bulge c."""
    lo, hi = box
    p, q = rng.uniform(lo, hi, dim), rng.uniform(lo, hi, dim)
    c = rng.uniform(-0.5, 0.5, dim) * (hi - lo) / 2
    return p, q, c


def gradient_theorem_check(pot: Potential) -> Callable:
    def run(ctx):
        xp = ctx.xp
        rng = np.random.default_rng([ctx.seed, pot.dim, len(pot.name)])
        p, q, c = curve(rng, pot.dim, pot.box)
        t, w = gauss_legendre(0.0, 1.0)
        gamma = p + t[:, None] * (q - p) + np.sin(np.pi * t)[:, None] * c
        dgamma = (q - p) + np.pi * np.cos(np.pi * t)[:, None] * c
        grads = ctx.numpy(ctx.adapter.grad(lambda X: xp.sum(pot.f(xp, X)))(ctx.array(gamma)))
        g = np.sum(grads * dgamma, axis=1)
        integral = float(np.dot(w, g))
        ends = pot.f(_np_xp(), np.stack([p, q]))
        exact = float(ends[1] - ends[0])
        scale = float(np.dot(w, np.abs(g)) + np.sum(np.abs(ends)))
        tol = derivative_tolerance(ctx)
        cmp = scaled_comparison(integral, exact, scale, tol)
        return _outcome(
            cmp,
            tol,
            scale,
            f"∫ ∇f(γ)·γ′ dt ({GL_NODES}-point Gauss–Legendre, ∇f by AD) = "
            f"{integral:.17g} vs f(q) − f(p) = {exact:.17g}",
            {"line_integral": integral, "exact": exact},
            inp={"p": p, "q": q, "c": c},
        )

    return run


def _np_xp() -> Any:
    """The numpy adapter's namespace: the same xp surface, evaluated in float64."""
    from conformance import adapters

    return adapters.get("numpy").xp


# ----------------------------------------------------------------------------- catalog cases
CATALOG_NODES = 32
# Nonlinear scalar cases from different families, with box domains (a straight segment between two
# inputs stays in the domain); the first CATALOG_LIMIT present in the catalog are used.
CATALOG_PREFERRED = ("logsumexp", "cross_entropy", "sin_times_gaussian", "rosenbrock", "tanh_mlp_sq", "var")
CATALOG_LIMIT = 4


def catalog_cases() -> list[Any]:
    """A few scalar catalog cases with box domains, when the derivative catalog is part of this build."""
    try:
        from conformance.derivatives.cases import CATALOG
    except ImportError:
        return []
    usable = {
        c.name: c
        for c in CATALOG
        if c.scalar and c.make_input is None and c.smooth_order >= 2 and "float64" in c.dtypes
    }
    return [usable[n] for n in CATALOG_PREFERRED if n in usable][:CATALOG_LIMIT]


def catalog_gradient_theorem_check(case: Any) -> Callable:
    """Gradient theorem for a catalog case along the segment p → q ({CATALOG_NODES} nodes, one
    gradient call per node), with f(q) − f(p) from the case in float64."""

    def run(ctx):
        shape = min(case.shapes, key=lambda s: int(np.prod(s)))
        rng = np.random.default_rng([ctx.seed, 7])
        p, q = case.sample(rng, shape), case.sample(rng, shape)
        t, w = gauss_legendre(0.0, 1.0, CATALOG_NODES)
        f = case.function(ctx.adapter.name, ctx.xp)
        grad = ctx.adapter.grad(f)
        g = np.array([float(np.sum(ctx.numpy(grad(ctx.array(p + ti * (q - p)))) * (q - p))) for ti in t])
        integral = float(np.dot(w, g))
        fn = case.function("numpy", _np_xp())
        fp, fq = float(fn(p)), float(fn(q))
        exact = fq - fp
        scale = float(np.dot(w, np.abs(g)) + abs(fp) + abs(fq))
        tol = derivative_tolerance(ctx)
        cmp = scaled_comparison(integral, exact, scale, tol)
        return _outcome(
            cmp,
            tol,
            scale,
            f"∫ ∇f·(q − p) dt ({CATALOG_NODES}-point Gauss–Legendre) = {integral:.17g} vs f(q) − f(p) = {exact:.17g}",
            {"line_integral": integral, "exact": exact},
            inp={"p": p, "q": q},
        )

    return run


def specs() -> list[tuple[str, str, Callable]]:
    out = [(c.name, "fundamental theorem of calculus", ftc_check(c)) for c in FTC_CASES]
    out += [(p.name, "gradient theorem along a curve", gradient_theorem_check(p)) for p in POTENTIALS]
    out += [
        (f"{c.family}/{c.name}", "gradient theorem along a segment", catalog_gradient_theorem_check(c))
        for c in catalog_cases()
    ]
    return out
