"""Diffusion-model calculus (family "diffusion"): the score of a variance-preserving SDE's marginal by each
framework's autodiff, Tweedie's formulas, score-matching losses and the probability-flow likelihood.

Deterministic checks here (the model and its closed forms: ``diffusion_model``), at t ∈ ``TIMES``, on
``POINTS`` points x_t drawn from p_t (numpy, seeded by the run seed and the case):

    score                  ∇ log p_t by ``adapter.grad`` of Σ_rows log p_t  vs  Σ_k w_k g_k (mpmath)
    Tweedie mean           (x + σ² s(x)) / α                                 vs  E[x₀|x_t] (mpmath)
    Tweedie covariance     (σ²/α²)(I + σ² ∇² log p_t), ∇² by ``adapter.hessian`` vs Cov[x₀|x_t] (mpmath)

Each is judged on the magnitude of its terms (``diffusion_model.score_exact``/``hessian_terms``: the
entries' summands times the condition of the responsibilities) under the policy's "exact" (first
order) or "second_order" bound, widened to the numerical bound for the numpy reference. The
statistical checks (score matching, probability flow) are in ``diffusion_stats``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance.advanced import diffusion_model as dm
from conformance.advanced import diffusion_stats
from conformance.derivatives.checks import verdict
from conformance.engine import Context, Outcome, Profile, Task
from conformance.integrals.monte_carlo import stream_seed
from conformance.integrals.quadrature import derivative_tolerance
from conformance.tolerance import compare

FAMILY = "diffusion"
TIMES = (0.05, 0.3, 0.6)
POINTS = 6
BOTH = ("float64", "float32")
F64 = ("float64",)


def points(ctx: Context, case: str, t: float) -> np.ndarray:
    """``POINTS`` draws of x_t from p_t, rounded to the dtype under test (exact inputs of the dtype)."""
    rng = np.random.default_rng(stream_seed(ctx.seed, case))
    return dm.GMM.sample(rng, POINTS, t).astype(ctx.dtype).astype(np.float64)


def _constants(ctx: Context, mg: dm.Marginal) -> tuple[Any, Any, Any]:
    return ctx.array(mg.m), ctx.array(mg.P), ctx.array(mg.c)


def _score_program(ctx: Context) -> Callable:
    return dm.score_program(ctx.adapter, ctx.xp)


def _hessian_program(ctx: Context) -> Callable:
    """(x, m, P, c) ↦ ∇²ₓ Σ_rows log p_t(x), shape (n, d, n, d) (block diagonal: rows are independent)."""
    xp, ad = ctx.xp, ctx.adapter

    def hessian(x, m, P, c):
        return ad.hessian(lambda z: dm.total_log_density(xp, z, m, P, c))(x)

    return ad.program(hessian, "diffusion.hessian")


def score_check(t: float, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        mg = dm.marginal(dm.GMM, t, ctx.dtype)
        x = points(ctx, case, t)
        got = ctx.numpy(_score_program(ctx)(ctx.array(x), *_constants(ctx, mg)))
        exact, terms = dm.score_exact(mg, x)
        tol = derivative_tolerance(ctx, "exact")
        c = compare(got, exact, tol, scale=terms, scale_name="the magnitude of the score's terms")
        return verdict(
            f"∇ log p_t at t = {t} by autodiff",
            c,
            tol,
            None,
            "the mixture's closed-form score (mpmath)",
            points=x.tolist(),
            t=t,
        )

    return run


def tweedie_mean_check(t: float, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        mg = dm.marginal(dm.GMM, t, ctx.dtype)
        a, s2 = dm.alpha_sigma2(t)
        x = points(ctx, case, t)
        xa = ctx.array(x)
        s = _score_program(ctx)(xa, *_constants(ctx, mg))
        got = ctx.numpy((xa + s2 * s) / a)
        exact, _ = dm.posterior_exact(dm.GMM, mg, x)
        _, terms = dm.score_exact(mg, x)
        tol = derivative_tolerance(ctx, "exact")
        c = compare(
            got, exact, tol, scale=(np.abs(x) + s2 * terms) / a, scale_name="the magnitude of (x + σ² s)/α's terms"
        )
        return verdict(
            f"Tweedie's E[x₀|x_t] at t = {t}",
            c,
            tol,
            None,
            "the analytic posterior mean (mpmath)",
            points=x.tolist(),
            t=t,
            alpha=a,
            sigma2=s2,
        )

    return run


def tweedie_covariance_check(t: float, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        mg = dm.marginal(dm.GMM, t, ctx.dtype)
        a, s2 = dm.alpha_sigma2(t)
        x = points(ctx, case, t)
        H = ctx.numpy(_hessian_program(ctx)(ctx.array(x), *_constants(ctx, mg)))
        n, d = x.shape
        blocks = np.stack([H[i, :, i, :] for i in range(n)])
        got = (s2 / a**2) * (np.eye(d) + s2 * blocks)
        _, exact = dm.posterior_exact(dm.GMM, mg, x)
        scale = (s2 / a**2) * (np.eye(d) + s2 * dm.hessian_terms(mg, x))
        tol = derivative_tolerance(ctx, "second_order")
        c = compare(got, exact, tol, scale=scale, scale_name="the magnitude of (σ²/α²)(I + σ²∇² log p)'s terms")
        return verdict(
            f"Tweedie's Cov[x₀|x_t] at t = {t} (∇² log p_t by autodiff)",
            c,
            tol,
            None,
            "the analytic posterior covariance (mpmath)",
            points=x.tolist(),
            t=t,
            alpha=a,
            sigma2=s2,
        )

    return run


def tasks(profile: Profile) -> Iterator[Task]:
    """Score and Tweedie checks per t and API variant (float64; the score also in float32), then the
    statistical and ODE checks of ``diffusion_stats``."""
    for t in TIMES:
        case = f"VP-SDE Gaussian mixture t={t}"
        yield Task(FAMILY, case, "score by autodiff = closed form", score_check(t, case), dtypes=BOTH)
        yield Task(FAMILY, case, "Tweedie posterior mean", tweedie_mean_check(t, case), dtypes=F64)
        yield Task(
            FAMILY, case, "Tweedie posterior covariance", tweedie_covariance_check(t, case), dtypes=F64, cost=2.0
        )
    yield from diffusion_stats.tasks(FAMILY)
