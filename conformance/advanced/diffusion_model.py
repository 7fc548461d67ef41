"""The diffusion model the diffusion checks differentiate: a variance-preserving SDE on Gaussian-mixture
data, its log-density and score program written against ``xp``, and every closed form the checks compare
against.

VP SDE (Song et al. 2021, score_sde's defaults):

    dx = −½ β(t) x dt + √β(t) dW,   β(t) = β_min + t (β_max − β_min),   β_min = 0.1, β_max = 20
    x_t | x₀ ~ N(α_t x₀, σ_t² I),   α_t = exp(−½ ∫₀ᵗ β) = exp(−¼ t² (β_max − β_min) − ½ t β_min),
                                     σ_t² = 1 − α_t²

Data p₀ = Σ_k π_k N(μ_k, Σ_k) has the marginal p_t = Σ_k π_k N(α_t μ_k, C_k), C_k = α_t² Σ_k + σ_t² I:

    log p_t(x) = logsumexp_k l_k(x),   l_k = c_k − ½ (x − m_k)ᵀ P_k (x − m_k),
    m_k = α_t μ_k,  P_k = C_k⁻¹,  c_k = log π_k − ½ log det(2π C_k)
    ∇ log p_t(x) = Σ_k w_k g_k,  g_k = −P_k (x − m_k),  w_k = softmax(l)_k   (the responsibilities)

Posterior of x₀ given x_t (Gaussian prior times Gaussian likelihood, per component):

    x₀ | x_t ~ Σ_k w_k(x_t) N(m̃_k, S_k),   S_k = (Σ_k⁻¹ + (α²/σ²) I)⁻¹,   m̃_k = S_k (Σ_k⁻¹ μ_k + (α/σ²) x_t)
    E[x₀|x_t] = Σ w_k m̃_k,   Cov[x₀|x_t] = Σ w_k (S_k + m̃_k m̃_kᵀ) − E E ᵀ

Tweedie (first and second order) gives the same from the score s and its Jacobian ∇s = ∇² log p_t:

    E[x₀|x_t] = (x_t + σ² s(x_t)) / α,    Cov[x₀|x_t] = (σ²/α²) (I + σ² ∇² log p_t(x_t))

The closed forms are evaluated in mpmath at ``DPS`` digits; the constants (m_k, P_k, c_k) the frameworks
get are the mpmath values rounded to the dtype under test, and the score's oracle uses those rounded
constants, so it is the exact score of the very function each framework differentiates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

BETA_MIN, BETA_MAX = 0.1, 20.0
DPS = 30


def beta(t: float) -> float:
    """β(t) = β_min + t (β_max − β_min)."""
    return BETA_MIN + t * (BETA_MAX - BETA_MIN)


def log_alpha(t: float) -> float:
    """log α_t = −½ ∫₀ᵗ β = −¼ t² (β_max − β_min) − ½ t β_min."""
    return -0.25 * t * t * (BETA_MAX - BETA_MIN) - 0.5 * t * BETA_MIN


def alpha_sigma2(t: float) -> tuple[float, float]:
    """(α_t, σ_t² = 1 − α_t² = −expm1(2 log α_t))."""
    la = log_alpha(t)
    return float(np.exp(la)), float(-np.expm1(2 * la))


@dataclass(frozen=True)
class Mixture:
    """Σ_k π_k N(μ_k, Σ_k) in R^d (float64 numpy arrays: weights (K,), means (K, d), covs (K, d, d))."""

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])

    def sample(self, rng: np.random.Generator, n: int, t: float) -> np.ndarray:
        """n draws of x_t = α_t x₀ + σ_t ε, x₀ ~ p₀ (numpy; used for evaluation points)."""
        a, s2 = alpha_sigma2(t)
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        chol = np.linalg.cholesky(self.covs)
        x0 = self.means[k] + np.einsum("nij,nj->ni", chol[k], rng.standard_normal((n, self.dim)))
        return a * x0 + np.sqrt(s2) * rng.standard_normal((n, self.dim))


GMM = Mixture(
    weights=np.array([0.5, 0.3, 0.2]),
    means=np.array([[1.5, 0.5], [-1.0, 1.0], [0.0, -1.5]]),
    covs=np.array([[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.15, 0.0], [0.0, 0.6]]]),
)


def _mp(a: Any) -> mpmath.matrix:
    return mpmath.matrix(np.asarray(a, dtype=np.float64).tolist())


@dataclass(frozen=True)
class Marginal:
    """The constants of log p_t: means m (K, d), precisions P (K, d, d), offsets c (K,), as float64
    arrays already rounded to ``dtype`` (what the framework gets and what the oracle uses)."""

    t: float
    m: np.ndarray
    P: np.ndarray
    c: np.ndarray


def marginal(mix: Mixture, t: float, dtype: str = "float64") -> Marginal:
    """m_k = α μ_k, P_k = (α² Σ_k + σ² I)⁻¹, c_k = log π_k − ½ log det(2π C_k), computed in mpmath and
    rounded to ``dtype``."""
    m, P, c = [], [], []
    with mpmath.workdps(DPS):
        la = mpmath.mpf(log_alpha(t))
        a, s2 = mpmath.exp(la), -mpmath.expm1(2 * la)
        for w, mu, cov in zip(mix.weights, mix.means, mix.covs):
            C = a**2 * _mp(cov) + s2 * mpmath.eye(mix.dim)
            m.append([float(a * mpmath.mpf(float(u))) for u in mu])
            P.append(np.array((C**-1).tolist(), dtype=float))
            c.append(float(mpmath.log(w) - mpmath.log(mpmath.det(2 * mpmath.pi * C)) / 2))
    rnd = lambda x: np.asarray(x, dtype=np.float64).astype(dtype).astype(np.float64)  # noqa: E731
    return Marginal(t, rnd(m), rnd(P), rnd(c))


def log_density(xp: Any, x: Any, m: Any, P: Any, c: Any) -> Any:
    """log p_t at each row of x (n, d): logsumexp_k (c_k − ½ (x − m_k)ᵀ P_k (x − m_k)), shape (n,)."""
    diff = x[:, None, :] - m[None, :, :]
    quad = xp.einsum("nki,kij,nkj->nk", diff, P, diff)
    return xp.logsumexp(c[None, :] - 0.5 * quad, axis=1)


def total_log_density(xp: Any, x: Any, m: Any, P: Any, c: Any) -> Any:
    """Σ_rows log p_t(x_row): its gradient w.r.t. x is the score at every row (rows are independent)."""
    return xp.sum(log_density(xp, x, m, P, c))


def score_program(ad: Any, xp: Any) -> Any:
    """(x, m, P, c) ↦ ∇ₓ Σ_rows log p_t(x) by the adapter's ``grad``: one staged program per adapter variant."""

    def score(x, m, P, c):
        return ad.grad(lambda z: total_log_density(xp, z, m, P, c))(x)

    return ad.program(score, "diffusion.score")


# ----------------------------------------------------------------------------- mpmath oracles
def _responsibilities(mg: Marginal, x: np.ndarray) -> tuple[list, list, list]:
    """(w_k, g_k, l_k) at the point x in mpmath: responsibilities, −P_k(x − m_k) and log terms."""
    xv = _mp(x.reshape(-1, 1))
    ls, gs = [], []
    for mk, Pk, ck in zip(mg.m, mg.P, mg.c):
        d = xv - _mp(mk.reshape(-1, 1))
        g = -(_mp(Pk) * d)
        ls.append(mpmath.mpf(float(ck)) + (d.T * g)[0, 0] / 2)
        gs.append(g)
    top = max(ls)
    e = [mpmath.exp(li - top) for li in ls]
    z = sum(e)
    return [ei / z for ei in e], gs, ls


def score_exact(mg: Marginal, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∇ log p_t at each row of x, the magnitude of its terms): the score Σ w_k g_k in mpmath, and per
    entry Σ_k w_k (|P_k| |x − m_k|)ᵢ (1 + |l_k|), the terms' size times the condition of the
    responsibilities (an error ε|l_k| in a log term moves w_k by that relative amount)."""
    out, scale = [], []
    with mpmath.workdps(DPS):
        for row in np.asarray(x, dtype=np.float64):
            w, g, ls = _responsibilities(mg, row)
            out.append([float(sum(wk * gk[i, 0] for wk, gk in zip(w, g))) for i in range(len(row))])
            terms = [np.abs(Pk) @ np.abs(row - mk) * (1 + abs(float(lk))) for Pk, mk, lk in zip(mg.P, mg.m, ls)]
            scale.append(sum(float(wk) * tk for wk, tk in zip(w, terms)))
    return np.array(out), np.array(scale)


def hessian_terms(mg: Marginal, x: np.ndarray) -> np.ndarray:
    """The magnitude of the terms of ∇² log p_t = Σ w_k (g_k g_kᵀ − P_k) − s sᵀ at each row:
    Σ_k w_k (|P_k| + a_k a_kᵀ)(1 + |l_k|) + b bᵀ, a_k = |P_k||x − m_k|, b = Σ w_k a_k; shape (n, d, d)."""
    out = []
    with mpmath.workdps(DPS):
        for row in np.asarray(x, dtype=np.float64):
            w, _, ls = _responsibilities(mg, row)
            a = [np.abs(Pk) @ np.abs(row - mk) for Pk, mk in zip(mg.P, mg.m)]
            b = sum(float(wk) * ak for wk, ak in zip(w, a))
            out.append(
                sum(
                    float(wk) * (np.abs(Pk) + np.outer(ak, ak)) * (1 + abs(float(lk)))
                    for wk, Pk, ak, lk in zip(w, mg.P, a, ls)
                )
                + np.outer(b, b)
            )
    return np.array(out)


def posterior_exact(mix: Mixture, mg: Marginal, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(E[x₀|x_t], Cov[x₀|x_t]) at each row of x from the per-component Gaussian posteriors (mpmath),
    independent of the score: shapes (n, d) and (n, d, d)."""
    means, covs = [], []
    with mpmath.workdps(DPS):
        la = mpmath.mpf(log_alpha(mg.t))
        a, s2 = mpmath.exp(la), -mpmath.expm1(2 * la)
        for row in np.asarray(x, dtype=np.float64):
            w, _, _ = _responsibilities(mg, row)
            xv = _mp(row.reshape(-1, 1))
            mean = mpmath.matrix(mix.dim, 1)
            second = mpmath.matrix(mix.dim, mix.dim)
            for wk, mu, cov in zip(w, mix.means, mix.covs):
                Si = _mp(cov) ** -1
                S = (Si + (a**2 / s2) * mpmath.eye(mix.dim)) ** -1
                mt = S * (Si * _mp(mu.reshape(-1, 1)) + (a / s2) * xv)
                mean += wk * mt
                second += wk * (S + mt * mt.T)
            cov_post = second - mean * mean.T
            means.append([float(v) for v in mean])
            covs.append(np.array(cov_post.tolist(), dtype=float))
    return np.array(means), np.array(covs)
