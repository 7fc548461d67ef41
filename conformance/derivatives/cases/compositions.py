"""Compositions that mix families: chains through elementwise maps, reductions, linear algebra and
network blocks, where each framework's rules must compose (the chain rule through several kinds of
primitive). Classic test functions (Rosenbrock) sit here too."""

from __future__ import annotations

import numpy as np

from conformance.derivatives.case import Case

from .common import VECTOR_SHAPES, fixed, sp, spd
from .nn import attention, layer_norm

_M = {n: fixed(61 + n, (n, n), 0.7) for n in (3, 4, 6)}
_T = fixed(71, (3,))


def _c(xp, a, x):
    return xp.asarray(a, like=x)


def rosenbrock(xp, x):
    """Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)²."""
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_grad(x):
    g = np.zeros_like(x)
    d = x[1:] - x[:-1] ** 2
    g[:-1] += -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * d
    return g


def _rosenbrock_hess(x):
    n = x.size
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        H[i + 1, i + 1] += 200.0
        H[i, i + 1] += -400.0 * x[i]
        H[i + 1, i] += -400.0 * x[i]
    return H


def _sin_exp_grad(x):
    return np.exp(-x * x) * (np.cos(x) - 2.0 * x * np.sin(x))


def _lse_affine_grad(x):
    a = _M[x.shape[0]]
    z = a @ x
    s = np.exp(z - z.max())
    return a.T @ (s / s.sum())


def _spd_chol_input(rng, shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def _sym_eig_softmax(xp, x):
    """Σ t ∘ softmax(λ((X + Xᵀ)/2)) — eigenvalues into a softmax."""
    lam = xp.linalg.eigvalsh(0.5 * (x + xp.transpose(x)))
    return xp.sum(_c(xp, _T, x) * xp.softmax(lam, axis=-1))


def _sym_sep(rng, shape):
    return spd(rng, shape[-1], lo=-2.0, gap=0.5)


def _eig_gap(x):
    w = np.linalg.eigvalsh(0.5 * (x + x.T))
    return None if np.min(np.diff(w)) > 1e-3 else "eigenvalues of (X + Xᵀ)/2 closer than 1e-3"


CASES: list[Case] = [
    Case(
        "sin_times_gaussian",
        "compositions",
        lambda xp, x: xp.sum(xp.sin(x) * xp.exp(-x * x)),
        shapes=VECTOR_SHAPES,
        scalar=True,
        domain=(-2.5, 2.5),
        grad=_sin_exp_grad,
        special_points=(sp("0", np.zeros(3)), sp("40", np.full(3, 40.0))),
    ),
    Case(
        "rosenbrock",
        "compositions",
        rosenbrock,
        shapes=((3,), (4,)),
        scalar=True,
        grad=_rosenbrock_grad,
        hess=_rosenbrock_hess,
        special_points=(sp("minimum", np.ones(3)), sp("0", np.zeros(3))),
    ),
    Case(
        "logsumexp_affine",
        "compositions",
        lambda xp, x: xp.logsumexp(xp.matmul(_c(xp, _M[x.shape[0]], x), x)),
        shapes=((3,), (4,)),
        scalar=True,
        grad=_lse_affine_grad,
        special_points=(sp("0", np.zeros(3)), sp("large", np.full(3, 300.0))),
    ),
    Case(
        "tanh_mlp_sq",
        "compositions",
        lambda xp, x: xp.sum(xp.tanh(xp.matmul(_c(xp, _M[x.shape[0]], x), x)) ** 2),
        shapes=((3,), (4,)),
        scalar=True,
        special_points=(sp("0", np.zeros(3)), sp("saturated", np.full(3, 40.0))),
    ),
    Case(
        "softmax_distance",
        "compositions",
        lambda xp, x: xp.sqrt(xp.sum((xp.softmax(x, axis=-1) - _c(xp, _T / 10.0 + 0.3, x)) ** 2)),
        shapes=((3,),),
        scalar=True,
        domain=(-2.0, 2.0),
        special_points=(sp("0", np.zeros(3)),),
        doc="‖softmax(x) − t‖ (t is never a softmax output)",
    ),
    Case(
        "log_det_gram",
        "compositions",
        lambda xp, x: xp.linalg.slogdet(x @ xp.transpose(x) + xp.eye(x.shape[0], like=x))[1],
        shapes=((3, 3), (2, 3)),
        scalar=True,
        analytic=False,
        grad=lambda x: 2.0 * np.linalg.solve(x @ x.T + np.eye(x.shape[0]), x),
        special_points=(sp("zero", np.zeros((3, 3))), sp("identity", np.eye(3))),
        doc="log det(X Xᵀ + I)",
    ),
    Case(
        "chol_solve",
        "compositions",
        lambda xp, x: xp.sum(
            xp.linalg.solve(
                xp.linalg.cholesky(x @ xp.transpose(x) + xp.eye(x.shape[0], like=x)), _c(xp, _T[: x.shape[0]], x)
            )
            ** 2
        ),
        shapes=((3, 3), (3, 2)),
        scalar=True,
        make_input=_spd_chol_input,
        analytic=False,
        special_points=(sp("zero", np.zeros((3, 3))),),
        doc="‖L⁻¹ t‖² with L = chol(X Xᵀ + I)",
    ),
    Case(
        "eig_softmax",
        "compositions",
        _sym_eig_softmax,
        shapes=((3, 3),),
        scalar=True,
        make_input=_sym_sep,
        analytic=False,
        valid=_eig_gap,
        special_points=(sp("diagonal", np.diag([-1.0, 0.5, 2.0])),),
    ),
    Case(
        "attention_layer_norm",
        "compositions",
        lambda xp, x: xp.sum(layer_norm(xp, attention(xp, x) + x) ** 2 * _c(xp, fixed(81, x.shape), x)),
        shapes=((3, 4),),
        scalar=True,
        special_points=(sp("zero", np.zeros((3, 4)), orders=(1,)),),
        doc="a transformer block's residual + layer norm, reduced by fixed weights",
    ),
    Case(
        "norm_of_exp",
        "compositions",
        lambda xp, x: xp.linalg.norm(xp.exp(x) - 1.0 + 0.5),
        shapes=VECTOR_SHAPES,
        scalar=True,
        analytic=False,
        domain=(-2.0, 2.0),
        special_points=(sp("0", np.zeros(3)),),
        doc="‖eˣ − 1/2‖ (never 0)",
    ),
    Case(
        "prod_of_sines",
        "compositions",
        lambda xp, x: xp.prod(xp.sin(x)),
        shapes=VECTOR_SHAPES,
        scalar=True,
        domain=(-3.0, 3.0),
        special_points=(sp("one zero", [0.0, 1.0, 2.0]), sp("two zeros", [0.0, np.pi, 1.0])),
    ),
    Case(
        "cumsum_logsumexp",
        "compositions",
        lambda xp, x: xp.logsumexp(xp.cumsum(x, axis=-1)),
        shapes=((4,),),
        scalar=True,
        special_points=(sp("0", np.zeros(4)),),
    ),
    Case(
        "power_tower",
        "compositions",
        lambda xp, x: xp.sum(xp.power(x, xp.sin(x) + 2.0)),
        shapes=VECTOR_SHAPES,
        scalar=True,
        domain=(0.2, 3.0),
        defined_on=(0.0, np.inf),
        special_points=(sp("1", np.ones(3)),),
        doc="Σ x^(sin x + 2), x > 0",
    ),
    Case(
        "inv_trace_exp",
        "compositions",
        lambda xp, x: (
            xp.trace(xp.linalg.inv(xp.eye(x.shape[0], like=x) + x @ xp.transpose(x))) * xp.mean(xp.exp(-x * x))
        ),
        shapes=((3, 3), (2, 2)),
        scalar=True,
        analytic=False,
        special_points=(sp("zero", np.zeros((3, 3))),),
        doc="tr (I + X Xᵀ)⁻¹ · mean e^(−X²)",
    ),
]
