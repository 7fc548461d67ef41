"""The GMM objective of ADBench / GradBench (``evals/gmm``): the log-posterior of a Gaussian mixture
with a Wishart prior on the precision matrices, and its gradient.

Parameters (GradBench's layout): ``alphas`` (k,) unnormalized log mixture weights; ``means`` (k, d);
``icf`` (k, d + d(d−1)/2): per component first the logs q of the diagonal of the inverse Cholesky
factor Q_k, then its strictly lower triangle l packed column by column (Q[j, i] for i < j, i outer);
data ``x`` (n, d); Wishart parameters γ and m. With Q_k = diag(exp q_k) + L_k and s_k = Σ_j q_kj,

    F = −(n d / 2) log 2π + Σ_i logsumexp_k(α_k + s_k − ½‖Q_k (x_i − μ_k)‖²) − n logsumexp(α)
        + Σ_k [ −½ γ² (‖exp q_k‖² + ‖l_k‖²) + m s_k ] + k C,
    C = p d (log γ − ½ log 2) − log Γ_d(p/2),  p = d + m + 1,

the sign of the prior being GradBench's corrected one (its ``cpp/gradbench/evals/gmm.hpp``; the
ADBench Python module added the prior with the opposite sign). Data follow ADBench's generator:
α, icf, x ~ N(0, 1), μ ~ U(0, 1), γ = 1, m = 0, drawn here from a fixed numpy seed (no download).
The float64 reference gradient :func:`reference_gradient` is derived by hand (exact, any size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

NAME = "gmm"
QUICK = ({"d": 2, "k": 5, "n": 1000}, {"d": 10, "k": 25, "n": 1000})
FULL = tuple({"d": d, "k": k, "n": 1000} for d in (2, 10, 20, 32, 64) for k in (5, 10, 25, 50, 100))


@dataclass(frozen=True)
class Problem:
    """One GMM instance: float64 numpy arrays and the Wishart parameters."""

    alphas: np.ndarray
    means: np.ndarray
    icf: np.ndarray
    x: np.ndarray
    gamma: float = 1.0
    m: int = 0

    @property
    def d(self) -> int:
        return int(self.x.shape[1])

    @property
    def k(self) -> int:
        return int(self.alphas.shape[0])

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    @property
    def params(self) -> dict:
        return {"d": self.d, "k": self.k, "n": self.n}

    def arguments(self) -> tuple[np.ndarray, ...]:
        """The differentiated arguments, in order: alphas, means, icf."""
        return self.alphas, self.means, self.icf

    def size(self) -> int:
        """Number of differentiated parameters (the gradient's length)."""
        return self.alphas.size + self.means.size + self.icf.size

    def memory_bytes(self) -> int:
        """A float64 estimate of the peak memory of one gradient: ~6 arrays of shape (k, n, d)."""
        return 8 * 6 * self.k * self.n * self.d


def generate(d: int, k: int, n: int, seed: int = 0) -> Problem:
    """An instance drawn like ADBench's ``gmm-data-gen.py`` from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    alphas = rng.standard_normal(k)
    means = rng.uniform(0.0, 1.0, (k, d))
    icf = rng.standard_normal((k, d + d * (d - 1) // 2))
    x = rng.standard_normal((n, d))
    return Problem(alphas, means, icf, x)


def _lower_index(d: int) -> np.ndarray:
    """idx[a, b] = 1 + position of L[a, b] in the column-packed strict lower triangle (a > b);
    0 elsewhere, pointing at a zero column prepended to l."""
    idx = np.zeros((d, d), dtype=np.int64)
    pos = 1
    for b in range(d):
        for a in range(b + 1, d):
            idx[a, b] = pos
            pos += 1
    return idx


def log_multigamma(a: float, d: int) -> float:
    """log Γ_d(a) = d(d−1)/4 log π + Σ_{j=1..d} log Γ(a + (1 − j)/2)."""
    return 0.25 * d * (d - 1) * math.log(math.pi) + sum(math.lgamma(a + 0.5 * (1 - j)) for j in range(1, d + 1))


def constants(p: Problem) -> tuple[float, float]:
    """(−(n d / 2) log 2π, k C): the parts of F that depend on no parameter."""
    nw = p.d + p.m + 1
    C = nw * p.d * (math.log(p.gamma) - 0.5 * math.log(2.0)) - log_multigamma(0.5 * nw, p.d)
    return -0.5 * p.n * p.d * math.log(2.0 * math.pi), p.k * C


def objective(adapter: Any, p: Problem, device: str | None = None) -> Callable:
    """F(alphas, means, icf) written against ``adapter.xp``; x and the constants are bound on device."""
    xp = adapter.xp
    d, k = p.d, p.k  # plain ints: the function closes over no Problem (compilers guard on closures)
    x = adapter.from_numpy(p.x, dtype="float64", device=device)
    # a framework array, not numpy: torch.compile would treat a numpy constant as an input tensor
    flat_idx = adapter.from_numpy(_lower_index(d).reshape(-1), device=device)
    c_data, c_prior = constants(p)
    gamma2, m, n = p.gamma**2, float(p.m), float(p.n)

    def gmm_objective(alphas, means, icf):
        q = icf[:, :d]
        lz = xp.concatenate([xp.zeros_like(icf[:, :1]), icf[:, d:]], axis=1)
        L = xp.reshape(xp.take(lz, flat_idx, axis=1), (k, d, d))
        qdiag = xp.exp(q)
        sum_qs = xp.sum(q, axis=1)
        xc = xp.expand_dims(x, 0) - xp.expand_dims(means, 1)  # (k, n, d)
        z = xp.expand_dims(qdiag, 1) * xc + xp.matmul(xc, xp.swapaxes(L, 1, 2))  # Q_k (x_i − μ_k)
        inner = xp.expand_dims(alphas + sum_qs, 1) - 0.5 * xp.sum(z * z, axis=2)  # (k, n)
        slse = xp.sum(xp.logsumexp(inner, axis=0))
        frob = xp.sum(qdiag * qdiag, axis=1) + xp.sum(icf[:, d:] * icf[:, d:], axis=1)
        prior = xp.sum(-0.5 * gamma2 * frob + m * sum_qs) + c_prior
        return c_data + slse - n * xp.logsumexp(alphas) + prior

    return gmm_objective


def reference_objective(p: Problem) -> float:
    """F in float64 numpy, straight from the formula (a loop over components)."""
    d = p.d
    rows, cols = np.tril_indices(d, -1)
    order = np.lexsort((rows, cols))  # column-major order of the strict lower triangle
    total = np.zeros((p.k, p.n))
    for j in range(p.k):
        Q = np.diag(np.exp(p.icf[j, :d]))
        Q[rows[order], cols[order]] = p.icf[j, d:]
        z = (p.x - p.means[j]) @ Q.T
        total[j] = p.alphas[j] + p.icf[j, :d].sum() - 0.5 * np.sum(z * z, axis=1)
    mx = total.max(axis=0)
    slse = np.sum(np.log(np.sum(np.exp(total - mx), axis=0)) + mx)
    lse_a = np.log(np.sum(np.exp(p.alphas - p.alphas.max()))) + p.alphas.max()
    frob = np.sum(np.exp(2 * p.icf[:, :d])) + np.sum(p.icf[:, d:] ** 2)
    c_data, c_prior = constants(p)
    return float(c_data + slse - p.n * lse_a - 0.5 * p.gamma**2 * frob + p.m * p.icf[:, :d].sum() + c_prior)


def reference_gradient(p: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂F/∂alphas, ∂F/∂means, ∂F/∂icf) in float64, derived by hand. With r_ik = softmax_k(inner_ik),
    z_ik = Q_k(x_i − μ_k) and G_ik = −r_ik z_ik (= ∂F/∂z_ik):

        ∂F/∂α_k = Σ_i r_ik − n softmax(α)_k
        ∂F/∂μ_k = −Σ_i Q_kᵀ G_ik
        ∂F/∂q_kj = exp(q_kj) Σ_i G_ikj (x_i − μ_k)_j + Σ_i r_ik − γ² exp(2 q_kj) + m
        ∂F/∂L_k[a, b] = Σ_i G_ika (x_i − μ_k)_b − γ² L_k[a, b]   (a > b)
    """
    d, k = p.d, p.k
    q, l = p.icf[:, :d], p.icf[:, d:]
    idx = _lower_index(d)
    L = np.concatenate([np.zeros((k, 1)), l], axis=1)[:, idx]
    qdiag = np.exp(q)
    xc = p.x[None, :, :] - p.means[:, None, :]
    z = qdiag[:, None, :] * xc + xc @ np.swapaxes(L, 1, 2)
    inner = (p.alphas + q.sum(axis=1))[:, None] - 0.5 * np.sum(z * z, axis=2)
    r = np.exp(inner - inner.max(axis=0))
    r /= r.sum(axis=0)
    G = -r[:, :, None] * z
    rsum = r.sum(axis=1)
    wa = np.exp(p.alphas - p.alphas.max())
    d_alpha = rsum - p.n * wa / wa.sum()
    d_xc = qdiag[:, None, :] * G + G @ L
    d_means = -d_xc.sum(axis=1)
    d_q = qdiag * np.sum(G * xc, axis=1) + rsum[:, None] - p.gamma**2 * qdiag**2 + p.m
    dL = np.swapaxes(G, 1, 2) @ xc  # (k, d, d)
    a, b = np.nonzero(idx)
    pos = idx[a, b] - 1
    d_l = np.empty_like(l)
    d_l[:, pos] = dL[:, a, b]
    d_l -= p.gamma**2 * l
    return d_alpha, d_means, np.concatenate([d_q, d_l], axis=1)
