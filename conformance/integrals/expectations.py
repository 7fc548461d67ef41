"""Gradients of expectations: ∂/∂θ E_{p_θ}[f(X)] by Monte Carlo, against closed forms.

For X ~ N(μ, σ²), θ = (μ, σ), with ε ~ N(0, 1) from the framework's generator:

    pathwise (reparameterization):  ∇θ E[f(X)] = E[∇θ f(μ + σε)]             gᵢ = ∇θ f(μ + σεᵢ)
    score function (REINFORCE):     ∇θ E[f(X)] = E[f(X) ∇θ log p_θ(X)]        gᵢ = f(xᵢ) ∇θ log p_θ(xᵢ)

with log p_θ(x) = −(x − μ)²/(2σ²) − log σ − ½ log 2π. The per-sample gradients gᵢ come from the
adapter's forward-mode Jacobian of the N-vector θ ↦ (…)ᵢ; their mean is the estimate and their
sample standard deviation / √N its standard error (the rule in monte_carlo). Closed forms:

    f = x²:     E = μ² + σ²,           ∇ = (2μ, 2σ)
    f = sin x:  E = sin μ · e^(−σ²/2),  ∇ = (cos μ · e^(−σ²/2), −σ sin μ · e^(−σ²/2))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters import integrals as ops_for
from conformance.errors import ConformanceError
from conformance.integrals.monte_carlo import N_SAMPLES, ZTest, mean_and_se, statistical, stream_seed

THETA = (0.3, 1.2)  # (μ, σ)


class DistributionParameterError(ConformanceError, ValueError):
    """A distribution parameter outside its domain (e.g. a non-positive scale)."""


def require_positive(name: str, value: Any) -> np.ndarray:
    """``value`` as float64, or DistributionParameterError if any element is not > 0."""
    v = np.asarray(value, dtype=np.float64)
    if not np.all(v > 0):
        bad = float(v[~(v > 0)].ravel()[0])
        raise DistributionParameterError(
            f"{name} must be positive, got {bad!r}; pass {name} > 0 (e.g. exp of an unconstrained log-parameter)"
        )
    return v


@dataclass(frozen=True)
class Integrand:
    name: str
    f: Callable[[Any, Any], Any]
    gradient: Callable[[float, float], tuple[float, float]]


INTEGRANDS = (
    Integrand("X²", lambda xp, x: x * x, lambda m, s: (2 * m, 2 * s)),
    Integrand(
        "sin X",
        lambda xp, x: xp.sin(x),
        lambda m, s: (np.cos(m) * np.exp(-s * s / 2), -s * np.sin(m) * np.exp(-s * s / 2)),
    ),
)


def normal_log_density(xp: Any, x: Any, mu: Any, sigma: Any) -> Any:
    """log N(x; μ, σ²) = −(x − μ)²/(2σ²) − log σ − ½ log 2π."""
    return -((x - mu) ** 2) / (2 * sigma**2) - xp.log(sigma) - 0.5 * np.log(2 * np.pi)


def gradient_statistic(integrand: Integrand, estimator: str) -> Callable:
    def run(ctx, n: int = N_SAMPLES) -> ZTest:
        mu, sigma = THETA
        require_positive("the scale σ of a normal distribution", sigma)
        xp = ctx.xp
        rng = ops_for.get(ctx.adapter).rng(
            stream_seed(ctx.seed, f"{estimator} {integrand.name}"), ctx.dtype, ctx.device
        )
        eps = rng.normal((n,))
        theta = ctx.array(np.array(THETA))
        if estimator == "pathwise":

            def per_sample(th):
                return integrand.f(xp, th[0] + th[1] * eps)

            jac = ctx.numpy(ctx.adapter.jacobian(per_sample, mode="fwd")(theta))
        else:
            x = mu + sigma * eps  # a sample, held fixed: no gradient flows through it

            def per_sample(th):
                return normal_log_density(xp, x, th[0], th[1])

            score = ctx.numpy(ctx.adapter.jacobian(per_sample, mode="fwd")(theta))
            jac = ctx.numpy(integrand.f(xp, x))[:, None] * score
        est, se = mean_and_se(jac)
        return ZTest(
            est,
            np.array(integrand.gradient(mu, sigma)),
            se,
            n,
            f"{estimator} estimate of ∇(μ,σ) E[{integrand.name}] vs closed form",
            {"theta": list(THETA)},
        )

    return run


def specs() -> list[tuple[str, str, Callable]]:
    return [
        (
            f"∇ E[{i.name}] wrt mean and scale of a normal X",
            f"{est} gradient within z-bound",
            statistical(gradient_statistic(i, est)),
        )
        for i in INTEGRANDS
        for est in ("pathwise", "score-function")
    ]
