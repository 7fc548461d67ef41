"""Reductions: sum, mean, prod, logsumexp, norm (away from 0), max/min without ties, var/std,
cumsum, and reductions along an axis. Special points: zeros inside products, one-hot and unit
vectors, large entries that overflow a naive logsumexp.

``hess_terms`` (the magnitude of the terms each Hessian entry is a difference of, ``judging.hessian_scale``)
is declared by std, norm and norm4, whose valid inputs make entries cancel far below their terms (std at
the sweep's [[1.2e-7, 0, 1], [1, 1, 1]], the norms near a one-hot x). Not by var (2(δᵢⱼ − 1/n)/n: the terms
are at most (n + 1)/(n − 1) times the entry) nor logsumexp (diag(s) − ssᵀ: on its domain (−3, 3) the
diagonal s(1 − s) stays within (1 + s)/(1 − s) <= 800× of its terms, and torch, JAX and TF pass at the domain's
corners with ratio <= 0.23; at far-apart inputs a lost 1 − s is registered as a finding, judging.toml's
logsumexp limit2@spread)."""

from __future__ import annotations

import numpy as np

from conformance.derivatives.case import Case

from .common import VECTOR_SHAPES, separated, sp

_LSE_NOTE = (
    "exp overflows without the max shift; the exact gradient is softmax(x − max x), but an "
    "implementation that forms x − logsumexp(x) rounds at ulp(|x|) ≈ |x|·ε: condition ≈ |x|"
)


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _prod_grad(x):
    f = x.reshape(-1)
    g = np.array([np.prod(np.delete(f, i)) for i in range(f.size)])
    return g.reshape(x.shape)


def _prod_hess(x):
    f = x.reshape(-1)
    n = f.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                H[i, j] = np.prod(np.delete(f, [i, j]))
    return H.reshape(x.shape + x.shape)


def _lse_hess(x):
    s = _softmax(x.reshape(-1))
    return (np.diag(s) - np.outer(s, s)).reshape(x.shape + x.shape)


def _norm_hess(x):
    f = x.reshape(-1)
    r = np.linalg.norm(f)
    u = f / r
    return ((np.eye(f.size) - np.outer(u, u)) / r).reshape(x.shape + x.shape)


def _norm_hess_terms(x):
    """‖x‖'s Hessian (I − uuᵀ)/r (u = x/r) is I/r − xxᵀ/r³, a difference of two terms: Σ|terms| =
    (I + |u||u|ᵀ)/r. Near a one-hot x the diagonal (1 − uᵢ²)/r cancels (at x = [1, 1e-4, 0], H₀₀ = 1e-8
    beside terms of 1), and float32 programs lose it entirely."""
    f = x.reshape(-1)
    r = np.linalg.norm(f)
    u = np.abs(f / r)
    return ((np.eye(f.size) + np.outer(u, u)) / r).reshape(x.shape + x.shape)


def _norm4_hess_terms(x):
    """(Σx⁴)^(1/4) = g(S), S = Σx⁴: the chain rule gives Hᵢⱼ = 3xᵢ²δᵢⱼS^(−3/4) − 3xᵢ³xⱼ³S^(−7/4) (the
    program as written, differentiated); Σ|terms| = 3xᵢ²δᵢⱼS^(−3/4) + 3|xᵢ³xⱼ³|S^(−7/4). Near a one-hot x the
    diagonal cancels: at x = [1, 1e-3, 0], H₀₀ = 3e-12 beside terms of 3."""
    f = x.reshape(-1)
    s = np.sum(f**4)
    c = f**3
    t = 3.0 * np.diag(f**2) * s**-0.75 + 3.0 * np.abs(np.outer(c, c)) * s**-1.75
    return t.reshape(x.shape + x.shape)


def _away_from_zero(rng, shape):
    x = rng.uniform(-2.0, 2.0, size=shape)
    r = np.linalg.norm(x)
    return x if r >= 0.5 else x * (0.5 + rng.uniform()) / max(r, 1e-12)


def _nonzero(x):
    return None if np.linalg.norm(x) > 0 else "the norm is not differentiable at 0"


def _one_hot(x, pick):
    f = x.reshape(-1)
    g = np.zeros(f.size)
    g[pick(f)] = 1.0
    return g.reshape(x.shape)


def _gap(x, axis=None, gap=1e-6):
    s = np.sort(x.reshape(-1) if axis is None else x, axis=-1)
    return None if np.min(np.diff(s, axis=-1)) > gap else "ties (entries closer than 1e-6) make max/min a kink"


def _var_grad(x):
    return 2.0 * (x - x.mean()) / x.size


def _var_hess(x):
    n = x.size
    return (2.0 / n * (np.eye(n) - 1.0 / n)).reshape(x.shape + x.shape)


def _std_grad(x):
    return (x - x.mean()) / (x.size * x.std())


def _std_hess_terms(x):
    """The population std σ = √var, d = x − mean(x): ∇²σ = I/(nσ) − 11ᵀ/(n²σ) − ddᵀ/(n²σ³) (∇²var/(2σ) −
    ∇var∇varᵀ/(4σ³), ∇var = 2d/n, ∇²var = 2(I − 11ᵀ/n)/n), the terms every framework's program forms (std
    as √var differentiated twice, or torch's std_backward d/(nσ) differentiated). Σ|terms| = δᵢⱼ/(nσ) +
    1/(n²σ) + |dᵢdⱼ|/(n²σ³). The entries cancel where σ² ≈ −dᵢdⱼ (i ≠ j) or dᵢ² ≈ (n − 1)σ²: at the seed
    sweep's x = [[1.19e-7, 0, 1], [1, 1, 1]], H₀₂ = −5.27e-9 is the difference of two terms of 0.059 (every
    framework is ~2 ε of the terms off, 1.6e-9 relative); its componentwise condition Σₖ|xₖ||∂ₖH₀₂| = 0.25
    exceeds the terms (0.12) there, so no program does better."""
    f = x.reshape(-1)
    n = f.size
    s = f.std()
    d = f - f.mean()
    t = np.eye(n) / (n * s) + 1.0 / (n * n * s) + np.abs(np.outer(d, d)) / (n * n * s**3)
    return t.reshape(x.shape + x.shape)


def _cumsum_jac(x):
    n = x.shape[-1]
    lead = x.shape[:-1]
    m = int(np.prod(lead, dtype=int))
    J = np.zeros((m, n, m, n))
    for r in range(m):
        J[r, :, r, :] = np.tril(np.ones((n, n)))
    return J.reshape(x.shape + x.shape)


def _rowwise_jac(x, row_grad):
    """Jacobian of a reduction along the last axis: block diagonal with row_grad(row) blocks."""
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    m = rows.shape[0]
    J = np.zeros((m, m, n))
    for r in range(m):
        J[r, r] = row_grad(rows[r])
    return J.reshape(x.shape[:-1] + x.shape)


def _separated_flat(rng, shape):
    return separated(rng, (int(np.prod(shape)),), gap=0.1).reshape(shape)


_MASK = np.array([0.0, 0.0, -np.inf])  # an infinite entry inside the reduction (masking)


def _masked_softmax(x):
    s = np.zeros_like(x)
    s[:2] = _softmax(x[:2])
    return s


def _masked_lse_hess(x):
    s = _masked_softmax(x)
    return np.diag(s) - np.outer(s, s)


CASES: list[Case] = [
    Case(
        "sum",
        "reductions",
        lambda xp, x: xp.sum(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        grad=np.ones_like,
        hess=lambda x: np.zeros(x.shape + x.shape),
        special_points=(sp("0", np.zeros(3)), sp("large", [1e300, -1e300, 1.0])),
    ),
    Case(
        "mean",
        "reductions",
        lambda xp, x: xp.mean(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        grad=lambda x: np.full(x.shape, 1.0 / x.size),
        hess=lambda x: np.zeros(x.shape + x.shape),
        special_points=(sp("0", np.zeros(3)),),
    ),
    Case(
        "half_sq_norm",
        "reductions",
        lambda xp, x: 0.5 * xp.sum(x * x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        grad=lambda x: x,
        hess=lambda x: np.eye(x.size).reshape(x.shape + x.shape),
        special_points=(sp("0", np.zeros(3)), sp("tiny", np.full(3, 1e-300))),
    ),
    Case(
        "prod",
        "reductions",
        lambda xp, x: xp.prod(x),
        shapes=((3,), (2, 2)),
        scalar=True,
        grad=_prod_grad,
        hess=_prod_hess,
        special_points=(
            sp("one zero", [0.0, 1.5, -0.7], note="∂/∂xᵢ = Π_{j≠i} xⱼ; x·(Π/x) is 0/0"),
            sp("two zeros", [0.0, 0.0, 2.0]),
            sp("all zero", [0.0, 0.0, 0.0]),
            sp("ones", [1.0, 1.0, 1.0]),
            sp("tiny", [1e-300, 1e-300, 2.0]),
        ),
    ),
    Case(
        "logsumexp",
        "reductions",
        lambda xp, x: xp.logsumexp(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        domain=(-3.0, 3.0),
        grad=lambda x: _softmax(x.reshape(-1)).reshape(x.shape),
        hess=_lse_hess,
        special_points=(
            sp("equal", [0.0, 0.0, 0.0]),
            sp("large", [1000.0, 999.0, 998.0], condition=1000.0, note=_LSE_NOTE),
            sp("very negative", [-1000.0, -1001.0, -1002.0], condition=1000.0, note=_LSE_NOTE),
            sp("spread", [40.0, 0.0, -40.0]),
        ),
    ),
    Case(
        "logsumexp_masked",
        "reductions",
        lambda xp, x: xp.logsumexp(x + xp.asarray(_MASK, like=x)),
        shapes=((3,),),
        scalar=True,
        domain=(-3.0, 3.0),
        grad=_masked_softmax,
        hess=_masked_lse_hess,
        special_points=(
            sp("0", np.zeros(3)),
            sp("masked entry large", [0.0, 1.0, 1e300]),
            sp("large", [1000.0, 999.0, 0.0], condition=1000.0, note=_LSE_NOTE),
        ),
        doc="logsumexp(x + m) with m = (0, 0, −∞): an infinite entry inside the reduction; "
        "∂/∂x₃ = 0 exactly (the masking pattern of attention)",
    ),
    Case(
        "norm",
        "reductions",
        lambda xp, x: xp.linalg.norm(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        make_input=_away_from_zero,
        grad=lambda x: x / np.linalg.norm(x),
        hess=_norm_hess,
        hess_terms=_norm_hess_terms,
        analytic=False,
        valid=_nonzero,
        special_points=(sp("one-hot", [0.0, 0.0, 1.0]), sp("3-4-0", [3.0, 4.0, 0.0]), sp("negative", [-1.0, 0.0, 0.0])),
        doc="Euclidean (Frobenius) norm away from 0",
    ),
    Case(
        "norm4",
        "reductions",
        lambda xp, x: xp.power(xp.sum(x**4), 0.25),
        shapes=VECTOR_SHAPES,
        scalar=True,
        make_input=_away_from_zero,
        valid=_nonzero,
        grad=lambda x: x**3 / np.sum(x**4) ** 0.75,
        hess_terms=_norm4_hess_terms,
        special_points=(sp("one-hot", [0.0, 0.0, 1.0]),),
        doc="(Σ x⁴)^(1/4) away from 0",
    ),
    Case(
        "max",
        "reductions",
        lambda xp, x: xp.max(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        make_input=_separated_flat,
        grad=lambda x: _one_hot(x, np.argmax),
        hess=lambda x: np.zeros(x.shape + x.shape),
        analytic=False,
        valid=_gap,
        special_points=(sp("negative", [-3.0, -1.0, -2.0]), sp("large", [1e300, 0.0, -1e300])),
        doc="max without ties (its gradient is one-hot at the argmax)",
    ),
    Case(
        "min",
        "reductions",
        lambda xp, x: xp.min(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        make_input=_separated_flat,
        grad=lambda x: _one_hot(x, np.argmin),
        hess=lambda x: np.zeros(x.shape + x.shape),
        analytic=False,
        valid=_gap,
        special_points=(sp("mixed", [0.5, -0.5, 2.0]),),
        doc="min without ties",
    ),
    Case(
        "var",
        "reductions",
        lambda xp, x: xp.var(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        grad=_var_grad,
        hess=_var_hess,
        analytic=False,
        special_points=(
            sp("constant", [1.0, 1.0, 1.0], note="var = 0 but var is a smooth quadratic"),
            sp("0-0-1", [0.0, 0.0, 1.0]),
        ),
    ),
    Case(
        "std",
        "reductions",
        lambda xp, x: xp.std(x),
        shapes=VECTOR_SHAPES,
        scalar=True,
        grad=_std_grad,
        hess_terms=_std_hess_terms,
        analytic=False,
        valid=lambda x: None if np.std(x) > 1e-6 else "std is not differentiable at a constant input",
        special_points=(sp("0-0-1", [0.0, 0.0, 1.0]),),
        doc="population std away from constant inputs",
    ),
    Case(
        "cumsum",
        "reductions",
        lambda xp, x: xp.cumsum(x, axis=-1),
        shapes=((4,), (2, 3)),
        jac=_cumsum_jac,
        special_points=(sp("0", np.zeros(4), orders=(1,)),),
        doc="cumulative sum along the last axis",
    ),
    Case(
        "logsumexp_rows",
        "reductions",
        lambda xp, x: xp.logsumexp(x, axis=-1),
        shapes=((2, 3), (3, 4)),
        domain=(-3.0, 3.0),
        jac=lambda x: _rowwise_jac(x, _softmax),
        special_points=(
            sp("large", [[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]], orders=(1,), condition=1000.0, note=_LSE_NOTE),
        ),
    ),
    Case(
        "prod_rows",
        "reductions",
        lambda xp, x: xp.prod(x, axis=-1),
        shapes=((2, 3),),
        jac=lambda x: _rowwise_jac(x, _prod_grad),
        special_points=(sp("zeros", [[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]], orders=(1,)),),
    ),
    Case(
        "max_rows",
        "reductions",
        lambda xp, x: xp.max(x, axis=-1),
        shapes=((2, 3),),
        make_input=lambda rng, shape: separated(rng, shape, gap=0.1),
        analytic=False,
        valid=lambda x: _gap(x, axis=-1),
        jac=lambda x: _rowwise_jac(x, lambda r: _one_hot(r, np.argmax)),
        special_points=(sp("signs", [[1.0, -1.0, 0.0], [-2.0, -3.0, -1.0]], orders=(1,)),),
    ),
    Case(
        "mean_sq_rows",
        "reductions",
        lambda xp, x: xp.mean(x * x, axis=-1),
        shapes=((2, 3),),
        jac=lambda x: _rowwise_jac(x, lambda r: 2.0 * r / r.size),
        special_points=(sp("0", np.zeros((2, 3)), orders=(1,)),),
    ),
]
