"""The Dirichlet energy ½∫|∇u|² on [0, 1]² (the "variations" family's 2-D functional): the discretization
of ``variations_functionals.dirichlet_energy`` differentiated by each framework and judged by the
Laplacian's closed form.

    ∇J_h / h² = −Δ_h u → −Δu at order 2 (u non-harmonic), → 0 at a harmonic u at order 2,
    vᵀ∇²J_h v → ∫|∇η|² = π²/2 for η = sin πx sin πy at order 2, and vᵀ∇²J_h v > 0 for random v,

on grids N = 40…320 (up to 319² unknowns; multiples of 5, so the checkpoints x, y in {0.2, 0.4, 0.6,
0.8} are grid points).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from conformance.advanced import variations_functionals as vf
from conformance.advanced.orders import study, study_outcome
from conformance.engine import Outcome

GRIDS_2D = (40, 80, 160, 320)
RANDOM_DIRECTIONS = 4

_PROGRAMS: dict[tuple, Callable] = {}


class Dirichlet:
    """u = e^{kx} sin(ky + φ) + δ sin(πx) sin(2πy) on the (N+1) × (N+1) grid of [0, 1]² (δ = 0: harmonic),
    with −Δu = 5π²δ sin(πx) sin(2πy); the boundary values fixed, the interior free."""

    def __init__(self, ctx: Any, seed: int, n: int, harmonic: bool):
        rng = np.random.default_rng([22, 4, seed])
        self.k, self.phase, delta = rng.uniform(0.5, 1.5), rng.uniform(0, 2 * np.pi), rng.uniform(0.05, 0.15)
        self.delta = 0.0 if harmonic else delta
        self.n, self.h = n, vf.check_grid(0.0, 1.0, n)
        g = np.arange(n + 1) * self.h
        X, Y = np.meshgrid(g, g, indexing="ij")
        u = np.exp(self.k * X) * np.sin(self.k * Y + self.phase) + self.delta * np.sin(np.pi * X) * np.sin(
            2 * np.pi * Y
        )
        mask = np.zeros_like(u)
        mask[1:-1, 1:-1] = 1.0
        self.ctx, self.X, self.Y = ctx, X, Y
        self.args = (ctx.array(u[1:-1, 1:-1]), ctx.array(u * (1 - mask)), ctx.array(mask))
        self.doc = (
            f"u = exp({self.k:.4g}x) sin({self.k:.4g}y + {self.phase:.4g}) + {self.delta:.4g} sin(πx) "
            "sin(2πy) on [0, 1]²"
        )

    def program(self) -> Callable:
        key = (type(self.ctx.adapter), self.ctx.adapter.variant, "dirichlet")
        if key not in _PROGRAMS:
            xp = self.ctx.xp
            _PROGRAMS[key] = lambda u, frame, mask: vf.dirichlet_energy(xp, u, frame, mask)
        return _PROGRAMS[key]

    def at_checkpoints(self, a: np.ndarray) -> np.ndarray:
        """The interior array's entries at x, y in {0.2, 0.4, 0.6, 0.8} (grid points when 5 | N)."""
        idx = np.array([round(c * self.n) - 1 for c in (0.2, 0.4, 0.6, 0.8)])
        return a[np.ix_(idx, idx)]

    def minus_laplacian(self) -> np.ndarray:
        X, Y = self.X[1:-1, 1:-1], self.Y[1:-1, 1:-1]
        return 5 * np.pi**2 * self.delta * np.sin(np.pi * X) * np.sin(2 * np.pi * Y)

    def gradient(self) -> np.ndarray:
        return self.ctx.numpy(self.ctx.adapter.grad(self.program(), argnums=0)(*self.args))

    def hvp(self, v: np.ndarray) -> np.ndarray:
        """∇²J_h v by adapter.hvp (of one function object per grid: a staged framework compiles it once)."""
        if not hasattr(self, "_on_grid"):
            f, (_, frame, mask) = self.program(), self.args
            self._on_grid = lambda w: f(w, frame, mask)
        return self.ctx.numpy(self.ctx.adapter.hvp(self._on_grid, self.args[0], self.ctx.array(v)))


def dirichlet_check(what: str) -> Callable:
    """ "euler-lagrange": ∇J_h/h² → −Δu at the checkpoints at order 2; "harmonic": ∇J_h/h² → 0 at a
    harmonic u at order 2; "second variation": vᵀ∇²J_h v → ∫|∇η|² = π²/2 for η = sin πx sin πy at order 2,
    and vᵀ∇²J_h v > 0 for random directions (N = 40); grids N = 40…320."""

    def run(ctx: Any) -> Outcome:
        errs, rayleigh, doc = [], [], ""
        for n in GRIDS_2D:
            p = Dirichlet(ctx, ctx.seed, n, harmonic=(what == "harmonic"))
            doc = p.doc
            if what == "second variation":
                inner = (p.X[1:-1, 1:-1], p.Y[1:-1, 1:-1])
                v = np.sin(np.pi * inner[0]) * np.sin(np.pi * inner[1])
                errs.append(abs(float(np.sum(v * p.hvp(v))) - np.pi**2 / 2))
                if n == GRIDS_2D[0]:
                    rng = np.random.default_rng([22, 5, ctx.seed])
                    for _ in range(RANDOM_DIRECTIONS):
                        w = rng.standard_normal(v.shape)
                        rayleigh.append(float(np.sum(w * p.hvp(w))) / float(np.sum(w * w)))
            else:
                g = p.at_checkpoints(p.gradient() / p.h**2)
                errs.append(float(np.max(np.abs(g - p.at_checkpoints(p.minus_laplacian())))))
        ok, worst, data, msg = study({what: errs}, {what: 2.0}, [1.0 / n for n in GRIDS_2D])
        if rayleigh:
            data["rayleigh_quotients"] = rayleigh
            msg += (
                f"; smallest Rayleigh quotient over {RANDOM_DIRECTIONS} random directions {min(rayleigh):.4g} (> 0 due)"
            )
            if min(rayleigh) <= 0:
                ok, worst = False, max(worst, 1e9)
        return study_outcome(ok, worst, f"Dirichlet energy, {doc}: {msg}", data, {"problem": doc})

    return run
