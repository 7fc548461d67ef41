"""KL divergences: closed forms vs each framework's distributions library vs Monte Carlo, and their
gradients with respect to the distribution parameters.

    KL(p ‖ q) = E_p[log p(X) − log q(X)]

    N(μ₁, σ₁²) ‖ N(μ₂, σ₂²):   log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½
        ∂μ₁ = (μ₁ − μ₂)/σ₂²,  ∂σ₁ = −1/σ₁ + σ₁/σ₂²,  ∂μ₂ = −∂μ₁,  ∂σ₂ = 1/σ₂ − (σ₁² + (μ₁ − μ₂)²)/σ₂³
    Exp(λ₁) ‖ Exp(λ₂):          log(λ₁/λ₂) + λ₂/λ₁ − 1
        ∂λ₁ = 1/λ₁ − λ₂/λ₁²,  ∂λ₂ = 1/λ₁ − 1/λ₂
    VAE term, batch mean over B rows of KL(N(μ, diag σ²) ‖ N(0, I)) with s = log σ:
        −½ Σⱼ (1 + 2sⱼ − μⱼ² − e^(2sⱼ)) / B,   ∂μ = μ/B,  ∂s = (e^(2s) − 1)/B

Libraries: torch.distributions, tfp.distributions, numpyro.distributions (JAX); NumPy has none, so
its library checks are recorded "not provided by numpy" (its column still runs the closed form in xp).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.adapters import integrals as ops_for
from conformance.engine import Outcome
from conformance.errors import NotProvidedError
from conformance.integrals.expectations import require_positive
from conformance.integrals.monte_carlo import N_SAMPLES, ZTest, mean_and_se, statistical, stream_seed
from conformance.integrals.quadrature import derivative_tolerance
from conformance.tolerance import compare, policy


@dataclass(frozen=True)
class KLCase:
    name: str
    theta: tuple[float, ...]
    positive: tuple[int, ...]  # indices of parameters that must be > 0
    build: Callable[[Any, Any], tuple[Any, Any]]  # (ops, θ) -> (p, q) library distributions
    closed_form: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray], np.ndarray]
    sample_p: Callable[[Any, Any, np.ndarray, int], Any]  # (rng, xp, θ, n) -> draws from p


def _normal_kl(t):
    m1, s1, m2, s2 = t
    return float(np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5)


def _normal_kl_grad(t):
    m1, s1, m2, s2 = t
    d = (m1 - m2) / s2**2
    return np.array([d, -1 / s1 + s1 / s2**2, -d, 1 / s2 - (s1**2 + (m1 - m2) ** 2) / s2**3])


def _exp_kl(t):
    l1, l2 = t
    return float(np.log(l1 / l2) + l2 / l1 - 1)


def _exp_kl_grad(t):
    l1, l2 = t
    return np.array([1 / l1 - l2 / l1**2, 1 / l1 - 1 / l2])


CASES = (
    KLCase(
        "KL between two normals N(μ₁ σ₁²) ‖ N(μ₂ σ₂²)",
        (0.3, 0.8, -0.5, 1.7),
        (1, 3),
        lambda ops, th: (ops.normal(th[0], th[1]), ops.normal(th[2], th[3])),
        _normal_kl,
        _normal_kl_grad,
        lambda rng, xp, t, n: t[0] + t[1] * rng.normal((n,)),
    ),
    KLCase(
        "KL between two exponentials Exp(λ₁) ‖ Exp(λ₂)",
        (1.5, 0.6),
        (0, 1),
        lambda ops, th: (ops.exponential(th[0]), ops.exponential(th[1])),
        _exp_kl,
        _exp_kl_grad,
        lambda rng, xp, t, n: -xp.log1p(-rng.uniform((n,))) / t[0],
    ),
)


def library_applies(adapter: Any, dtype: str) -> str | None:
    impl = ops_for.implementation(adapter)
    return None if impl.distributions_api else f"not provided by {adapter.name}"


def _validated(case: KLCase) -> np.ndarray:
    theta = np.array(case.theta)
    for i in case.positive:
        require_positive(f"parameter {i} of {case.name} (a scale or rate)", theta[i])
    return theta


def not_provided_is_skip(run: Callable) -> Callable:
    """A task function that records NotProvidedError (a library without that rule) as a skip."""

    def task(ctx):
        try:
            return run(ctx)
        except NotProvidedError as exc:
            return Outcome.skip(str(exc))

    return task


def library_value_check(case: KLCase) -> Callable:
    def run(ctx):
        ops = ops_for.get(ctx.adapter)
        theta = _validated(case)
        got = float(ctx.numpy(ops.kl(*case.build(ops, ctx.array(theta)))))
        expected = case.closed_form(theta)
        tol = policy("exact", ctx.dtype, "ad")
        c = compare(got, expected, tol)
        return Outcome.judged(
            c,
            tol,
            f"{ops.distributions_api} kl_divergence = {got:.17g} vs closed form {expected:.17g}",
            data={"library": ops.distributions_api, "theta": list(theta)},
        )

    return run


def library_gradient_check(case: KLCase) -> Callable:
    def run(ctx):
        ops = ops_for.get(ctx.adapter)
        theta = _validated(case)
        got = ctx.numpy(ctx.adapter.grad(lambda th: ops.kl(*case.build(ops, th)))(ctx.array(theta)))
        tol = derivative_tolerance(ctx, "exact")
        c = compare(got, case.gradient(theta), tol)
        return Outcome.judged(
            c,
            tol,
            f"∇θ of {ops.distributions_api} kl_divergence vs closed form; error ratio {c.error_ratio:.3g}",
            data={"library": ops.distributions_api, "theta": list(theta)},
        )

    return run


def monte_carlo_statistic(case: KLCase) -> Callable:
    """mean of log p(Xᵢ) − log q(Xᵢ) over Xᵢ ~ p drawn with the framework's generator, densities
    from the framework's library; standard error from the sample standard deviation."""

    def run(ctx, n: int = N_SAMPLES) -> ZTest:
        ops = ops_for.get(ctx.adapter)
        theta = _validated(case)
        rng = ops.rng(stream_seed(ctx.seed, "kl " + case.name), ctx.dtype, ctx.device)
        th = ctx.array(theta)
        p, q = case.build(ops, th)
        x = case.sample_p(rng, ctx.xp, th, n)
        ratio = ctx.numpy(ops.log_prob(p, x) - ops.log_prob(q, x))
        est, se = mean_and_se(ratio[:, None])
        return ZTest(
            est,
            np.array([case.closed_form(theta)]),
            se,
            n,
            f"Monte Carlo E_p[log p − log q] ({ops.distributions_api} log_prob) vs closed form",
        )

    return run


# ----------------------------------------------------------------------------- VAE term
VAE_SHAPE = (4, 3)  # (batch, latent dimension)


def vae_parameters(seed: int) -> np.ndarray:
    """θ of shape (2, B, d): θ[0] = μ, θ[1] = s = log σ."""
    rng = np.random.default_rng([seed, 11])
    return np.stack([rng.uniform(-1.5, 1.5, VAE_SHAPE), rng.uniform(-1.0, 0.7, VAE_SHAPE)])


def vae_kl_formula(xp: Any, theta: Any) -> Any:
    """The VAE loss's KL term as models write it: −½ mean_b Σⱼ (1 + 2s − μ² − e^(2s))."""
    mu, s = theta[0], theta[1]
    return -0.5 * xp.mean(xp.sum(1 + 2 * s - mu**2 - xp.exp(2 * s), axis=-1))


def vae_kl_library(ops: Any, xp: Any, theta: Any) -> Any:
    """The same term through the library: Σⱼ KL(N(μⱼ, e^(2sⱼ)) ‖ N(0, 1)), batch mean."""
    mu, s = theta[0], theta[1]
    kl = ops.kl(ops.normal(mu, xp.exp(s)), ops.normal(xp.zeros_like(mu), xp.ones_like(mu)))
    return xp.mean(xp.sum(kl, axis=-1))


def vae_exact(theta: np.ndarray) -> tuple[float, np.ndarray]:
    mu, s = theta
    b = mu.shape[0]
    value = float(-0.5 * np.sum(1 + 2 * s - mu**2 - np.exp(2 * s)) / b)
    return value, np.stack([mu / b, (np.exp(2 * s) - 1) / b])


def vae_check(source: str, what: str) -> Callable:
    def run(ctx):
        theta = vae_parameters(ctx.seed)
        value, grad = vae_exact(theta)
        xp = ctx.xp
        if source == "library":
            ops = ops_for.get(ctx.adapter)
            fn = lambda th: vae_kl_library(ops, xp, th)
            label = ops.distributions_api
        else:
            fn = lambda th: vae_kl_formula(xp, th)
            label = "−½Σ(1 + 2 log σ − μ² − σ²) in xp"
        th = ctx.array(theta)
        if what == "value":
            got, expected, tol = ctx.numpy(fn(th)), value, policy("exact", ctx.dtype, "ad")
        else:
            got, expected, tol = ctx.numpy(ctx.adapter.grad(fn)(th)), grad, derivative_tolerance(ctx, "exact")
        c = compare(got, expected, tol)
        return Outcome.judged(
            c,
            tol,
            f"{label}: {what} vs closed form; error ratio {c.error_ratio:.3g}",
            data={"source": label, "shape": list(VAE_SHAPE)},
        )

    return run


def specs() -> list[tuple[str, str, Callable, Callable | None, bool]]:
    """(case, check, run, applies, per_variant)."""
    out = []
    for c in CASES:
        out += [
            (c.name, "library vs closed form", not_provided_is_skip(library_value_check(c)), library_applies, False),
            (
                c.name,
                "library gradient wrt parameters",
                not_provided_is_skip(library_gradient_check(c)),
                library_applies,
                True,
            ),
            (c.name, "Monte Carlo within z-bound", statistical(monte_carlo_statistic(c)), library_applies, False),
        ]
    vae = "Gaussian VAE KL term"
    out += [
        (vae, "formula value", vae_check("formula", "value"), None, False),
        (vae, "formula gradient wrt μ and log σ", vae_check("formula", "gradient"), None, True),
        (vae, "library value", vae_check("library", "value"), library_applies, False),
        (vae, "library gradient wrt μ and log σ", vae_check("library", "gradient"), library_applies, True),
    ]
    return out
