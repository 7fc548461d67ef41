"""Stochastic calculus with each framework's generator: Itô sums and a pathwise SDE gradient.

Itô integral on n steps of dt = T/n, ΔWₖ ~ N(0, dt), Wₖ = Σ_{j<k} ΔWⱼ (left points):

    Sₙ = Σₖ Wₖ ΔWₖ  =  (W_T² − Σₖ ΔWₖ²)/2         exactly, for every path (algebra)
    Sₙ → ∫₀ᵀ W dW = (W_T² − T)/2                   in L², since Σ ΔWₖ² → T

The residual Dₙ = Sₙ − (W_T² − T)/2 = (T − Σ ΔWₖ²)/2 = −(T/2n)(χ²ₙ − n) has, exactly,
E[D] = 0, E[D²] = T²/(2n), Var[D] = T²/(2n), Var[D²] = (T/2n)⁴ (8n² + 48n); both means are tested
with these closed-form standard errors.

Geometric Brownian motion dX = aX dt + bX dW, X₀ = x₀, solved by Euler–Maruyama
X_{k+1} = X_k (1 + a dt + b ΔW_k). The scheme's own expectation is exact:

    E[X_T] = x₀ (1 + a dt)ⁿ,   ∂/∂x₀ = (1 + a dt)ⁿ,   ∂/∂a = x₀ T (1 + a dt)ⁿ⁻¹,   ∂/∂b = 0

(→ x₀ e^(aT), e^(aT), x₀ T e^(aT), 0 as n → ∞; the record states the scheme's O(dt) bias from the
continuous closed form). The pathwise gradient is the adapter's forward-mode Jacobian of the
M-vector of X_T through the whole solve; its mean is tested against the scheme's closed form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from conformance.adapters import integrals as ops_for
from conformance.integrals.identities import scaled_comparison
from conformance.integrals.monte_carlo import ZTest, mean_and_se, statistical, stream_seed
from conformance.tolerance import policy

T = 1.0
ITO_STEPS = 64
ITO_PATHS = 2**14
GBM = {"x0": 1.0, "a": 0.4, "b": 0.3}
GBM_STEPS = 32
GBM_PATHS = 2**13


def brownian_increments(ctx: Any, name: str, paths: int, steps: int) -> Any:
    """ΔW of shape (paths, steps) with variance dt, from the framework's generator."""
    rng = ops_for.get(ctx.adapter).rng(stream_seed(ctx.seed, name), ctx.dtype, ctx.device)
    return rng.normal((paths, steps)) * np.sqrt(T / steps)


def ito_sums(xp: Any, dw: Any) -> tuple[Any, Any, Any]:
    """(Sₙ = Σ Wₖ ΔWₖ, W_T, Σ ΔWₖ²) per path, in the framework."""
    w_right = xp.cumsum(dw, axis=1)
    w_left = w_right - dw
    return xp.sum(w_left * dw, axis=1), w_right[:, -1], xp.sum(dw * dw, axis=1)


def ito_identity_check(ctx: Any) -> Any:
    """Per path, Σ Wₖ ΔWₖ = (W_T² − Σ ΔWₖ²)/2 up to rounding (compared on the scale Σ|Wₖ ΔWₖ|)."""
    from conformance.engine import Outcome

    dw = brownian_increments(ctx, "ito identity", 256, ITO_STEPS)
    s, wt, qv = (ctx.numpy(a) for a in ito_sums(ctx.xp, dw))
    w = np.cumsum(ctx.numpy(dw), axis=1) - ctx.numpy(dw)
    scale = np.sum(np.abs(w * ctx.numpy(dw)), axis=1) + wt**2 + qv
    tol = policy("quadrature", ctx.dtype, "ad")
    worst = max(
        (
            scaled_comparison(float(si), float((ti**2 - qi) / 2), float(sc), tol)
            for si, ti, qi, sc in zip(s, wt, qv, scale)
        ),
        key=lambda c: c.error_ratio,
    )
    return Outcome.judged(
        worst,
        tol,
        f"Euler–Maruyama Itô sum vs (W_T² − ΣΔW²)/2 on 256 paths; worst error ratio {worst.error_ratio:.3g}",
        data={"steps": ITO_STEPS},
    )


def ito_limit_statistic(ctx: Any, paths: int = ITO_PATHS) -> ZTest:
    """Means of D and D² over the paths vs 0 and T²/(2n), with exact standard errors."""
    n = ITO_STEPS
    s, wt, _ = ito_sums(ctx.xp, brownian_increments(ctx, "ito limit", paths, n))
    d = ctx.numpy(s) - (ctx.numpy(wt) ** 2 - T) / 2
    est = np.array([np.mean(d), np.mean(d * d)])
    expected = np.array([0.0, T**2 / (2 * n)])
    se = np.array([np.sqrt(T**2 / (2 * n) / paths), np.sqrt((T / (2 * n)) ** 4 * (8 * n**2 + 48 * n) / paths)])
    return ZTest(
        est,
        expected,
        se,
        paths,
        f"Σ W ΔW − (W_T² − T)/2: mean and mean square over paths vs 0 and T²/(2n) (n = {n})",
        {"steps": n},
    )


def gbm_solve(xp: Any, theta: Any, dw: Any, steps: int) -> Any:
    """X_T per path by Euler–Maruyama, θ = (x₀, a, b)."""
    dt = T / steps
    x = theta[0] * xp.ones_like(dw[:, 0])
    for k in range(steps):
        x = x + theta[1] * x * dt + theta[2] * x * dw[:, k]
    return x


def gbm_expected(steps: int) -> tuple[float, np.ndarray, np.ndarray]:
    """(E[X_T], ∇θ E[X_T] of the scheme, ∇θ of the continuous closed form)."""
    x0, a = GBM["x0"], GBM["a"]
    dt = T / steps
    g = 1 + a * dt
    scheme = np.array([g**steps, x0 * T * g ** (steps - 1), 0.0])
    cont = np.array([np.exp(a * T), x0 * T * np.exp(a * T), 0.0])
    return x0 * g**steps, scheme, cont


def gbm_value_statistic(ctx: Any, paths: int = GBM_PATHS) -> ZTest:
    dw = brownian_increments(ctx, "gbm value", paths, GBM_STEPS)
    theta = ctx.array(np.array([GBM["x0"], GBM["a"], GBM["b"]]))
    xt = ctx.numpy(gbm_solve(ctx.xp, theta, dw, GBM_STEPS))
    est, se = mean_and_se(xt[:, None])
    mean, _, _ = gbm_expected(GBM_STEPS)
    return ZTest(
        est,
        np.array([mean]),
        se,
        paths,
        "E[X_T] of the Euler–Maruyama solve vs x₀(1 + a dt)ⁿ",
        {"continuous_closed_form": GBM["x0"] * np.exp(GBM["a"] * T), "steps": GBM_STEPS},
    )


def gbm_gradient_statistic(ctx: Any, paths: int = GBM_PATHS) -> ZTest:
    dw = brownian_increments(ctx, "gbm gradient", paths, GBM_STEPS)
    theta = ctx.array(np.array([GBM["x0"], GBM["a"], GBM["b"]]))
    jac = ctx.numpy(ctx.adapter.jacobian(lambda th: gbm_solve(ctx.xp, th, dw, GBM_STEPS), mode="fwd")(theta))
    est, se = mean_and_se(jac)
    _, scheme, cont = gbm_expected(GBM_STEPS)
    return ZTest(
        est,
        scheme,
        se,
        paths,
        "pathwise ∇(x₀, a, b) E[X_T] through the Euler–Maruyama solve vs the scheme's closed form",
        {"continuous_closed_form": cont, "scheme_bias_vs_continuous": scheme - cont, "steps": GBM_STEPS},
    )


def specs() -> list[tuple[str, str, Callable]]:
    ito = "Itô integral ∫₀ᵀ W dW"
    gbm = "geometric Brownian motion"
    return [
        (ito, "Euler–Maruyama sum identity per path", ito_identity_check),
        (ito, "converges to (W_T² − T)/2 within z-bound", statistical(ito_limit_statistic)),
        (gbm, "E[X_T] within z-bound", statistical(gbm_value_statistic)),
        (gbm, "pathwise gradient of E[X_T] within z-bound", statistical(gbm_gradient_statistic)),
    ]
