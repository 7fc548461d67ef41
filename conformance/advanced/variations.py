"""Calculus of variations (family "variations"): discretized functionals (``variations_functionals``)
differentiated by each framework's autodiff and judged against the Euler–Lagrange calculus in mpmath.

    Euler–Lagrange    ∇J_h / h → E = L_y − (L_p)' on a non-extremal curve at order 2 (N = 50…800)
    extremal          ∇J_h / h → 0 at the extremal at order 2 (cycloid, catenary); exactly 0 for the
                      straight line on a dyadic grid (every segment has the same slope to the last bit)
    Beltrami          H = L − y' L_p (L_p by autodiff) → the extremal's constant at order 2 (exactly for the line)
    second variation  vᵀ∇²J_h v (adapter.hvp; ∇²J_h ~ L_pp/h, v's differences ~ h η') → δ²J[η] > 0 at
                      order 2, and vᵀ∇²J_h v > 0 for random v
    Dirichlet energy  ½∫|∇u|² on [0, 1]²: ∇J_h / h² → −Δu, → 0 at a harmonic u, vᵀ∇²J_h v → ∫|∇η|²
                      (``variations_dirichlet``)

Orders are fitted over N = 50…800 (each twice the last; the 2-D Dirichlet grids N = 40…320) and accepted
within ±0.1 of 2 (``orders``). The curves' parameters are drawn per seed. Convergence runs in float64:
in float32 the gradient's rounding (~ε·|L_p|/h = 1e-4 at N = 800) exceeds the O(h²) discretization
error it would measure; the straight line's exact checks (its samples and slopes are exact on the
dyadic grid) run in float32 as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance.advanced import variations_functionals as vf
from conformance.advanced.orders import study, study_outcome
from conformance.advanced.variations_dirichlet import RANDOM_DIRECTIONS, dirichlet_check
from conformance.engine import Outcome, Profile, Task
from conformance.tolerance import compare

FAMILY = "variations"
F64 = ("float64",)
GRIDS = (50, 100, 200, 400, 800)
DYADIC = 64  # the straight line's exact grid: h = 1/64

_PROGRAMS: dict[tuple, Callable] = {}


def functional_program(ctx: Any, lagrangian: Callable) -> Callable:
    """(y_inner, x_mid, ends, h) -> J_h: one function object per framework variant and Lagrangian."""
    key = (type(ctx.adapter), ctx.adapter.variant, lagrangian, "J")
    if key not in _PROGRAMS:
        xp = ctx.xp
        _PROGRAMS[key] = lambda y, xm, ends, h: vf.discrete_functional(xp, lagrangian, y, xm, ends, h)
    return _PROGRAMS[key]


def lagrangian_program(ctx: Any, lagrangian: Callable) -> Callable:
    """(p, x_mid, y_mid) -> Σ L(x_mid, y_mid, p), whose gradient in p is L_p at every midpoint."""
    key = (type(ctx.adapter), ctx.adapter.variant, lagrangian, "L")
    if key not in _PROGRAMS:
        xp = ctx.xp
        _PROGRAMS[key] = lambda p, xm, ym: xp.sum(lagrangian(xp, xm, ym, p))
    return _PROGRAMS[key]


class Discretized:
    """A problem's curve sampled on an N-step grid, as framework arrays."""

    def __init__(self, ctx: Any, prob: vf.Problem, curve: vf.Curve, n: int):
        self.n, self.h = n, vf.check_grid(prob.a, prob.b, n)
        self.x = prob.a + self.h * np.arange(n + 1)
        self.y = curve.np(self.x)
        self.ctx, self.prob = ctx, prob
        self.args = (
            ctx.array(self.y[1:-1]),
            ctx.array((self.x[1:] + self.x[:-1]) / 2),
            ctx.array(self.y[[0, -1]]),
            ctx.array(np.asarray(self.h)),
        )

    def checkpoints(self) -> np.ndarray:
        """Indices of the interior unknowns at the CHECKPOINTS (n a multiple of 10)."""
        return np.array([round(c * self.n) - 1 for c in vf.CHECKPOINTS])

    def gradient(self) -> np.ndarray:
        """∇J_h at the interior unknowns, by the framework's autodiff."""
        f = functional_program(self.ctx, self.prob.lagrangian)
        return self.ctx.numpy(self.ctx.adapter.grad(f, argnums=0)(*self.args))

    def hvp(self, v: np.ndarray) -> np.ndarray:
        """∇²J_h v by adapter.hvp (of one function object per grid: a staged framework compiles it once)."""
        if not hasattr(self, "_on_grid"):
            f = functional_program(self.ctx, self.prob.lagrangian)
            _, xm, ends, h = self.args
            self._on_grid = lambda y: f(y, xm, ends, h)
        return self.ctx.numpy(self.ctx.adapter.hvp(self._on_grid, self.args[0], self.ctx.array(v)))

    def beltrami(self) -> np.ndarray:
        """H = L − p L_p at every midpoint (L_p by the framework's gradient of Σ L in p)."""
        ym, p = (self.y[1:] + self.y[:-1]) / 2, (self.y[1:] - self.y[:-1]) / self.h
        args = (self.ctx.array(p), self.args[1], self.ctx.array(ym))
        lp = self.ctx.numpy(self.ctx.adapter.grad(lagrangian_program(self.ctx, self.prob.lagrangian))(*args))
        L = self.ctx.numpy(self.prob.lagrangian(self.ctx.xp, *(self.args[1], args[2], args[0])))
        return L - p * lp


def _steps(prob: vf.Problem) -> list[float]:
    return [(prob.b - prob.a) / n for n in GRIDS]


# ----------------------------------------------------------------------------- checks (1-D)
def euler_lagrange_check(name: str) -> Callable:
    """max over the checkpoints of |∂J_h/∂y_i / h − E(x_i)| on the problem's test curve, at order 2."""

    def run(ctx: Any) -> Outcome:
        prob = vf.problem(name, ctx.seed)
        exact = np.array(
            [
                vf.euler_lagrange(prob.lagrangian, prob.test_curve, prob.a + c * (prob.b - prob.a))
                for c in vf.CHECKPOINTS
            ]
        )
        errs = []
        for n in GRIDS:
            d = Discretized(ctx, prob, prob.test_curve, n)
            errs.append(float(np.max(np.abs(d.gradient()[d.checkpoints()] / d.h - exact))))
        ok, worst, data, msg = study({"EL": errs}, {"EL": 2.0}, _steps(prob))
        data["E_at_checkpoints"] = exact.tolist()
        return study_outcome(ok, worst, f"{prob.name}: ∇J_h/h → Euler–Lagrange E, {msg}", data, {"problem": prob.doc})

    return run


def extremal_check(name: str) -> Callable:
    """At the extremal: ∇J_h/h → 0 at order 2 (checkpoints); for the straight line on the dyadic grid
    N = 64 every slope is the same float, so ∇J_h = 0 exactly (judged with the exact-zero allowance)."""

    def run(ctx: Any) -> Outcome:
        from conformance.integrals.quadrature import derivative_tolerance

        prob = vf.problem(name, ctx.seed)
        if name == "arc length":
            d = Discretized(ctx, prob, prob.extremal, DYADIC)
            g = d.gradient() / d.h
            tol = derivative_tolerance(ctx, "exact")
            cmp = compare(g, np.zeros_like(g), tol)
            return Outcome.judged(
                cmp,
                tol,
                f"{prob.doc}: max |∇J_h/h| = {cmp.max_abs_error:.3g} on the dyadic grid N = {DYADIC} (exactly 0 due)",
                input={"problem": prob.doc},
                data=cmp.stated(),
            )
        errs = []
        for n in GRIDS:
            d = Discretized(ctx, prob, prob.extremal, n)
            errs.append(float(np.max(np.abs(d.gradient()[d.checkpoints()] / d.h))))
        ok, worst, data, msg = study({"residual": errs}, {"residual": 2.0}, _steps(prob))
        return study_outcome(ok, worst, f"{prob.doc}: ∇J_h/h at the extremal → 0, {msg}", data, {"problem": prob.doc})

    return run


def beltrami_check(name: str) -> Callable:
    """H = L − y' L_p at the midpoints of the sampled extremal vs its constant (mpmath): max error at
    order 2; exact to rounding (64 ε relative) for the line on the dyadic grid."""

    def run(ctx: Any) -> Outcome:
        from conformance.integrals.quadrature import derivative_tolerance

        prob = vf.problem(name, ctx.seed)
        const = vf.beltrami(prob.lagrangian, prob.extremal, (prob.a + prob.b) / 2)
        if name == "arc length":
            d = Discretized(ctx, prob, prob.extremal, DYADIC)
            H = d.beltrami()
            tol = derivative_tolerance(ctx, "exact")
            cmp = compare(H, np.full_like(H, const), tol)
            return Outcome.judged(
                cmp,
                tol,
                f"{prob.doc}: H = L − y'L_p = {const:.6g} at every midpoint, error ratio {cmp.error_ratio:.3g}",
                input={"problem": prob.doc},
                data=cmp.stated(),
            )
        errs = [float(np.max(np.abs(Discretized(ctx, prob, prob.extremal, n).beltrami() - const))) for n in GRIDS]
        ok, worst, data, msg = study({"H": errs}, {"H": 2.0}, _steps(prob))
        data["constant"] = const
        return study_outcome(ok, worst, f"{prob.doc}: Beltrami H → {const:.6g}, {msg}", data, {"problem": prob.doc})

    return run


def second_variation_check(name: str) -> Callable:
    """vᵀ∇²J_h v for v = sin(π(x − a)/(b − a)) → δ²J[η] (mpmath, > 0 at these minima) at order 2,
    and vᵀ∇²J_h v > 0 for RANDOM_DIRECTIONS Gaussian directions at N = 50 (the smallest Rayleigh
    quotient is reported)."""

    def run(ctx: Any) -> Outcome:
        prob = vf.problem(name, ctx.seed)
        exact = vf.second_variation(prob.lagrangian, prob.extremal, prob.a, prob.b)
        errs, rayleigh = [], []
        for n in GRIDS:
            d = Discretized(ctx, prob, prob.extremal, n)
            v = np.sin(np.pi * (d.x[1:-1] - prob.a) / (prob.b - prob.a))
            errs.append(abs(float(v @ d.hvp(v)) - exact))
            if n == GRIDS[0]:
                rng = np.random.default_rng([22, 3, ctx.seed])
                for _ in range(RANDOM_DIRECTIONS):
                    w = rng.standard_normal(n - 1)
                    rayleigh.append(float(w @ d.hvp(w)) / float(w @ w))
        ok, worst, data, msg = study({"second variation": errs}, {"second variation": 2.0}, _steps(prob))
        positive = exact > 0 and min(rayleigh) > 0
        data.update({"exact": exact, "rayleigh_quotients": rayleigh})
        return study_outcome(
            ok and positive,
            worst if positive else max(worst, 1e9),
            f"{prob.doc}: δ²J[sin] = {exact:.6g}, {msg}; smallest Rayleigh quotient over "
            f"{RANDOM_DIRECTIONS} random directions {min(rayleigh):.4g} (> 0 due)",
            data,
            {"problem": prob.doc},
        )

    return run


def reference_skip(why: str) -> Callable[[Any, str], str | None]:
    """Skip the numerical reference, with ``why`` (its derivatives cost one Richardson stencil per unknown)."""
    return lambda adapter, dtype: f"{adapter.label}: {why}" if getattr(adapter, "is_reference", False) else None


# The numerical reference's variants whose gradients are exact to rounding (as the derivatives suite's
# ANALYTIC_ONLY_VARIANTS): Richardson differences carry ~1e-10 absolute error, which ∇J_h / h at
# h = 1/800 turns into ~1e-7 — the size of the O(h²) error the order fits measure.
EXACT_REFERENCE_VARIANTS = ("complex_step",)


def exact_reference_only(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False) and adapter.variant not in EXACT_REFERENCE_VARIANTS:
        return (
            f"{adapter.label}: Richardson differences (~1e-10 absolute) divided by h = 1/800 reach the "
            "O(h²) error the order fit measures; the reference's complex-step variant runs this check"
        )
    return None


def tasks(profile: Profile) -> Iterator[Task]:
    """Every variations task (float64). The gradient (Euler–Lagrange) and HVP (second variation) checks run
    per API variant; the extremal and Beltrami checks, which use the same gradient, once per framework."""
    no_hessian = reference_skip(
        "a Hessian by differences of up to 799 unknowns is beyond the numerical "
        "reference's budget (its gradients run in the other checks)"
    )
    no_2d = reference_skip("the 2-D grids have up to 319² unknowns, one difference stencil each")
    for name in vf.PROBLEMS:
        yield Task(
            FAMILY,
            name,
            "Euler-Lagrange convergence",
            euler_lagrange_check(name),
            dtypes=F64,
            applies=exact_reference_only,
            cost=5.0,
        )
        exact = ("float64", "float32") if name == "arc length" else F64  # the dyadic line: exact in float32 too
        yield Task(
            FAMILY,
            name,
            "gradient vanishes at the extremal",
            extremal_check(name),
            dtypes=exact,
            per_variant=False,
            applies=exact_reference_only,
            cost=5.0,
        )
        yield Task(FAMILY, name, "Beltrami invariant", beltrami_check(name), dtypes=exact, per_variant=False, cost=5.0)
        yield Task(
            FAMILY,
            name,
            "second variation positive",
            second_variation_check(name),
            dtypes=F64,
            applies=no_hessian,
            cost=8.0,
        )
    for what in ("euler-lagrange", "harmonic", "second variation"):
        yield Task(
            FAMILY,
            "Dirichlet energy",
            {
                "euler-lagrange": "Euler-Lagrange convergence",
                "harmonic": "gradient vanishes at the extremal",
                "second variation": "second variation positive",
            }[what],
            dirichlet_check(what),
            dtypes=F64,
            per_variant=(what == "second variation"),
            applies=no_2d,
            cost=8.0,
        )
