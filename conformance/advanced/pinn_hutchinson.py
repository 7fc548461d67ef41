"""The Hutchinson Laplacian judged statistically: Δf(x) = tr H = E[vᵀHv], H = ∇²f(x), from N probes
drawn by the framework's own generator, each quadratic form zᵢ = vᵢᵀ(H vᵢ) through the adapter's ``hvp``.

Two statistics, one z-test (``conformance.integrals.monte_carlo.ZTest``, k = 2, Bonferroni):

    mean       t̂ = (1/N) Σ zᵢ  vs  tr H,        standard error σ/√N, σ² the exact per-probe variance
    variance   log s², s² = Σ (zᵢ − t̂)²/(N − 1),  vs  log σ², σ² = 2‖H‖_F² (Gaussian), 2(‖H‖_F² − Σ hᵢᵢ²)
               (Rademacher) (``conformance.advanced.estimators.exact_variance``), standard error sd(s²)/σ²
               (delta method) with sd(s²) = √(μ₄/N − σ⁴(N − 3)/(N(N − 1))), the exact standard deviation
               of the sample variance of N i.i.d. draws

with the fourth central moment μ₄ of z exact: for Gaussian probes z − tr H = Σ λⱼ(χ²ⱼ − 1) has cumulants
κ₂ = 2Σλⱼ², κ₄ = 48Σλⱼ⁴ and μ₄ = κ₄ + 3κ₂² (λ the eigenvalues of H); for Rademacher probes it is the
mean over all 2^(d−1) sign vectors up to sign (enumerated, d <= 16). H is the field's exact Hessian.
A correct framework fails with probability <= 1e-6 in the normal limit (the integrals suite's rule).
s² itself is right-skewed at N = 512 (quadratic forms have kurtosis 4–7 here): simulated over 40,000
runs of each ci case in NumPy, (s² − σ²)/sd(s²) reached 6.2 (z* = 5.03 for k = 2), a false-alarm rate
of order 1e-4; its logarithm is close to normal (P(|z| > 3) 0.0026–0.0034 against the normal 0.0027; the
largest |z| in 160,000 runs was 5.03), so the variance is tested on the log scale. The rate at z* itself
is inferred from the near-normal shape, not measured (it would take ~10⁷ runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from conformance.adapters import integrals as ops_for
from conformance.advanced import estimators
from conformance.advanced.pinn_fields import OracleTooLargeError, make
from conformance.integrals.monte_carlo import ZTest, stream_seed

N_PROBES = 512
MAX_ENUMERATION_DIM = 16


def fourth_central_moment(h: np.ndarray, kind: str) -> float:
    """μ₄ = E[(vᵀHv − tr H)⁴] for one probe of ``kind`` (exact; Rademacher by enumeration, d <= 16)."""
    s = (h + h.T) / 2
    if kind == "gaussian":
        lam = np.linalg.eigvalsh(s)
        k2, k4 = 2 * np.sum(lam**2), 48 * np.sum(lam**4)
        return float(k4 + 3 * k2**2)
    if kind == "rademacher":
        d = s.shape[0]
        if d > MAX_ENUMERATION_DIM:
            raise OracleTooLargeError(
                f"Rademacher fourth moment: dimension d = {d} is too large for the exact "
                f"oracle (it enumerates 2^(d−1) sign vectors; limit d <= "
                f"{MAX_ENUMERATION_DIM}); choose a smaller d"
            )
        signs = 1 - 2 * ((np.arange(2 ** (d - 1))[:, None] >> np.arange(d)[None, :]) & 1)
        z = np.einsum("ki,ij,kj->k", signs, s, signs) - np.trace(s)
        return float(np.mean(z**4))
    raise ValueError(f"unknown probe kind {kind!r}; choose one of {', '.join(estimators.PROBES)}")


def sample_variance_se(var: float, mu4: float, n: int) -> float:
    """Standard deviation of the unbiased sample variance of n i.i.d. draws: √(μ₄/n − σ⁴(n − 3)/(n(n − 1)))."""
    return float(np.sqrt(mu4 / n - var**2 * (n - 3) / (n * (n - 1))))


def quadratic_forms(ctx: Any, f: Callable, x: Any, vs: Any) -> np.ndarray:
    """zᵢ = vᵢᵀ(H vᵢ) through the adapter's ``hvp``, one staged program of (x, v) called per probe (the
    probes come back to NumPy and go in one by one: indexing a framework array row by row costs a
    dispatch per row). The numerical reference forms its Hessian once (its hvp is a whole numerical
    Hessian per call) and takes the products with it (``estimators.quadratic_forms``)."""
    ad, xp = ctx.adapter, ctx.xp
    if getattr(ad, "is_reference", False):
        h = ad.hessian(f)(x)
        return ctx.numpy(estimators.quadratic_forms(lambda v: xp.matmul(h, v), vs, xp))
    form = ad.program(lambda z, v: xp.sum(v * ad.hvp(f, z, v)), f, "vᵀHv")
    return np.array([float(ctx.numpy(form(x, ctx.array(v)))) for v in ctx.numpy(vs)])


def hutchinson_statistic(
    kind: str, dim: int, probe: str, n: int = N_PROBES, forms: Callable | None = None
) -> Callable[[Any], ZTest]:
    """The task function: ZTest of (mean, sample variance) of N quadratic forms vs (tr H, exact σ²).
    ``forms`` replaces ``quadratic_forms`` (the unit tests plant a wrong estimator there)."""

    def run(ctx: Any) -> ZTest:
        field = make(kind, dim)
        if field.hessian is None:
            raise OracleTooLargeError(f"{field.case}: no exact Hessian for the Hutchinson oracle")
        x_np = field.point(stream_seed(ctx.seed, f"{field.case} point"))
        h = field.hessian(x_np)
        var = estimators.exact_variance(h, probe)
        mu4 = fourth_central_moment(h, probe)
        rng = ops_for.get(ctx.adapter).rng(stream_seed(ctx.seed, f"{field.case} {probe}"), ctx.dtype, ctx.device)
        vs = estimators.probes(rng, probe, n, dim)
        z = (forms or quadratic_forms)(ctx, field.function(ctx.xp), ctx.array(x_np), vs)
        est = np.array([np.mean(z), np.log(np.var(z, ddof=1))])
        expected = np.array([np.trace(h), np.log(var)])
        se = np.array([np.sqrt(var / n), sample_variance_se(var, mu4, n) / var])
        return ZTest(
            est,
            expected,
            se,
            n,
            f"Hutchinson ({probe} probes) mean and log per-probe variance vs tr H and the log exact variance",
            {
                "dim": dim,
                "probe": probe,
                "mu4": mu4,
                "sample_variance": float(np.var(z, ddof=1)),
                "exact_variance": var,
            },
        )

    return run
