"""Neural-network blocks written with xp ops: softmax, log_softmax, layer norm, RMS norm, scaled
dot-product attention, an MLP layer, a 1-D convolution, cross-entropy, MSE, Huber (away from its
kink), GELU (through erf), SiLU, logistic loss. Weights and targets are constants fixed by seed."""

from __future__ import annotations

from math import pi, sqrt

import numpy as np
from scipy.special import erf as _erf

from conformance.derivatives.case import Case

from .common import fixed, pointwise, sp

ROWS = ((2, 4), (3, 4))
_D = 4
_WQ, _WK, _WV = fixed(11, (_D, _D), 0.5), fixed(12, (_D, _D), 0.5), fixed(13, (_D, _D), 0.5)
_W1, _B1 = fixed(21, (_D, 5), 0.5), fixed(22, (5,), 0.5)
_W2, _B2 = fixed(23, (5, 3), 0.5), fixed(24, (3,), 0.5)
_GAMMA, _BETA = 1.0 + fixed(31, (_D,), 0.2), fixed(32, (_D,), 0.2)
_KERNEL = np.array([0.5, -1.0, 0.25])
_TARGET = {s: fixed(41 + i, s) for i, s in enumerate(ROWS)}
_LABELS = {s: np.eye(s[-1])[np.arange(s[0]) % s[-1]] for s in ROWS}  # one-hot rows
_SIGNS = {(6,): np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0]), (8,): np.array([1.0, -1.0] * 4)}
_FEATURES = {n: fixed(51 + n, (n, 3)) for n in (6, 8)}
LN_EPS = 1e-5
HUBER_DELTA = 1.0


def _c(xp, a, x):
    return xp.asarray(a, like=x)


def _softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _rowwise(x, block):
    """Jacobian of a map applied row by row (last axis): block(row) is its n×n Jacobian."""
    n = x.shape[-1]
    rs = x.reshape(-1, n)
    m = rs.shape[0]
    J = np.zeros((m, n, m, n))
    for r in range(m):
        J[r, :, r, :] = block(rs[r])
    return J.reshape(x.shape + x.shape)


def _softmax_block(r):
    s = _softmax(r)
    return np.diag(s) - np.outer(s, s)


def _log_softmax_block(r):
    return np.eye(r.size) - _softmax(r)[None, :]


_CAUSAL = np.where(np.tril(np.ones((3, 3))) > 0, 0.0, -np.inf)  # −∞ above the diagonal


def masked_softmax(xp, x):
    """softmax(x + M) over rows with the causal mask M (−∞ above the diagonal)."""
    return xp.softmax(x + xp.asarray(_CAUSAL, like=x), axis=-1)


def _masked_softmax_jac(x):
    def block(r, k):
        s = np.zeros_like(r)
        s[: k + 1] = _softmax(r[: k + 1])
        return np.diag(s) - np.outer(s, s)

    J = np.zeros((3, 3, 3, 3))
    for k in range(3):
        J[k, :, k, :] = block(x[k], k)
    return J


def _spread_rows(rng, shape):
    """Rows with standard deviation >= 0.5: away from var ≈ 0, where layer norm's curvature grows like
    1/√ε and the numerical reference cannot resolve it (the constant row is a special point)."""
    for _ in range(1000):
        x = rng.uniform(-2.0, 2.0, size=shape)
        if np.min(np.std(x, axis=-1)) >= 0.5:
            return x
    raise RuntimeError(f"could not draw rows of spread >= 0.5 for shape {shape}")


def layer_norm(xp, x):
    """(x − mean) / √(var + ε) · γ + β over the last axis."""
    m = xp.mean(x, axis=-1, keepdims=True)
    v = xp.mean((x - m) ** 2, axis=-1, keepdims=True)
    return (x - m) / xp.sqrt(v + LN_EPS) * _c(xp, _GAMMA, x) + _c(xp, _BETA, x)


def rms_norm(xp, x):
    """x / √(mean(x²) + ε) · γ over the last axis."""
    return x / xp.sqrt(xp.mean(x * x, axis=-1, keepdims=True) + LN_EPS) * _c(xp, _GAMMA, x)


def attention(xp, x):
    """softmax(Q Kᵀ / √d) V with Q, K, V = x W_q, x W_k, x W_v."""
    q, k, v = x @ _c(xp, _WQ, x), x @ _c(xp, _WK, x), x @ _c(xp, _WV, x)
    scores = q @ xp.transpose(k) / sqrt(_D)
    return xp.softmax(scores, axis=-1) @ v


def mlp(xp, x):
    """tanh(x W₁ + b₁) W₂ + b₂."""
    h = xp.tanh(x @ _c(xp, _W1, x) + _c(xp, _B1, x))
    return h @ _c(xp, _W2, x) + _c(xp, _B2, x)


def conv1d(xp, x):
    """Valid 1-D correlation with a 3-tap kernel, yᵢ = Σₖ wₖ x_{i+k}, then tanh."""
    n = x.shape[-1]
    w = [float(v) for v in _KERNEL]  # Python floats are weakly typed: numpy float64 scalars would
    # promote a float32 input to float64 in jax under x64
    y = w[0] * x[..., 0 : n - 2] + w[1] * x[..., 1 : n - 1] + w[2] * x[..., 2:n]
    return xp.tanh(y)


def cross_entropy(xp, x):
    """mean over rows of −Σ yᵢ log softmax(x)ᵢ, one-hot labels y."""
    labels = _c(xp, _LABELS[tuple(x.shape)], x)
    return -xp.mean(xp.sum(labels * xp.log_softmax(x, axis=-1), axis=-1))


def mse(xp, x):
    """mean((x − t)²)."""
    d = x - _c(xp, _TARGET[tuple(x.shape)], x)
    return xp.mean(d * d)


def huber(xp, x):
    """mean of ½r² for |r| < δ, δ(|r| − δ/2) otherwise, r = x − t."""
    r = x - _c(xp, _TARGET[tuple(x.shape)], x)
    a = xp.abs(r)
    return xp.mean(xp.where(a < HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (a - 0.5 * HUBER_DELTA)))


def _huber_grad(x):
    r = x - _TARGET[x.shape]
    return np.clip(r, -HUBER_DELTA, HUBER_DELTA) / x.size


def _huber_input(rng, shape):
    """Residuals at least 0.1 away from the kink |r| = δ."""
    mag = np.where(rng.uniform(size=shape) < 0.5, rng.uniform(0.0, 0.9, shape), rng.uniform(1.1, 2.5, shape))
    return _TARGET[tuple(shape)] + mag * rng.choice([-1.0, 1.0], size=shape)


def _huber_valid(x):
    r = np.abs(x - _TARGET[x.shape])
    return None if np.all(np.abs(r - HUBER_DELTA) > 1e-6) else "a residual is at the Huber kink |r| = δ"


def logistic(xp, x):
    """mean softplus(−s · (F w)): logistic-regression loss in the weights w = x."""
    z = xp.matmul(_c(xp, _FEATURES[6], x), x)  # tf's @ needs equal ranks: use matmul
    return xp.mean(xp.softplus(-_c(xp, _SIGNS[(6,)], x) * z))


def _gelu_d(x):
    return 0.5 * (1.0 + _erf(x / sqrt(2.0))) + x * np.exp(-0.5 * x * x) / sqrt(2.0 * pi)


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _ln_mean(xp, x):
    return xp.sum(layer_norm(xp, x) * _c(xp, _TARGET[tuple(x.shape)], x))


CASES: list[Case] = [
    Case(
        "softmax",
        "nn",
        lambda xp, x: xp.softmax(x, axis=-1),
        shapes=ROWS,
        domain=(-3.0, 3.0),
        jac=lambda x: _rowwise(x, _softmax_block),
        special_points=(
            sp("equal", np.zeros((2, 4)), orders=(1,)),
            sp(
                "large",
                [[1000.0, 0.0, -1000.0, 1.0], [40.0, 40.0, -40.0, 0.0]],
                orders=(1,),
                condition=1000.0,
                note="exp overflows without the max shift; forming "
                "x − logsumexp(x) rounds at ulp(|x|): condition ≈ |x|",
            ),
        ),
    ),
    Case(
        "log_softmax",
        "nn",
        lambda xp, x: xp.log_softmax(x, axis=-1),
        shapes=ROWS,
        domain=(-3.0, 3.0),
        jac=lambda x: _rowwise(x, _log_softmax_block),
        special_points=(
            sp("equal", np.zeros((2, 4)), orders=(1,)),
            sp(
                "large",
                [[1000.0, 0.0, -1000.0, 1.0], [40.0, 40.0, -40.0, 0.0]],
                orders=(1,),
                condition=1000.0,
                note="forming x − logsumexp(x) rounds at ulp(|x|): condition ≈ |x|",
            ),
        ),
    ),
    Case(
        "masked_softmax",
        "nn",
        masked_softmax,
        shapes=((3, 3),),
        domain=(-3.0, 3.0),
        jac=_masked_softmax_jac,
        special_points=(
            sp("0", np.zeros((3, 3)), orders=(1,)),
            sp(
                "masked entries large",
                [[0.0, 1e300, -1e300], [1.0, 2.0, 1e300], [0.0, 0.0, 0.0]],
                orders=(1,),
                note="masked (−∞) entries must get exactly zero weight and gradient",
            ),
        ),
        doc="causal-masked softmax: −∞ entries inside the softmax's reduction",
    ),
    Case(
        "layer_norm",
        "nn",
        layer_norm,
        shapes=ROWS,
        make_input=_spread_rows,
        special_points=(
            sp(
                "constant row",
                [[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0]],
                orders=(1,),
                note="var = 0; smooth because of ε",
            ),
        ),
    ),
    Case(
        "layer_norm_loss",
        "nn",
        _ln_mean,
        shapes=ROWS,
        scalar=True,
        make_input=_spread_rows,
        special_points=(sp("constant row", [[2.0, 2.0, 2.0, 2.0], [0.0, 1.0, 2.0, 3.0]]),),
        doc="Σ t ∘ layer_norm(x) (a scalar loss through layer norm)",
    ),
    Case(
        "rms_norm",
        "nn",
        rms_norm,
        shapes=ROWS,
        special_points=(
            sp(
                "zero row",
                [[0.0, 0.0, 0.0, 0.0], [1.0, -1.0, 2.0, 0.5]],
                orders=(1,),
                note="mean(x²) = 0; smooth because of ε",
            ),
        ),
    ),
    Case(
        "attention",
        "nn",
        attention,
        shapes=((3, 4), (2, 4)),
        special_points=(sp("zero", np.zeros((3, 4)), orders=(1,)),),
        doc="single-head scaled dot-product attention",
    ),
    Case(
        "mlp",
        "nn",
        mlp,
        shapes=((2, 4), (3, 4)),
        special_points=(sp("zero", np.zeros((2, 4)), orders=(1,)), sp("saturated", np.full((2, 4), 40.0), orders=(1,))),
        doc="one hidden tanh layer",
    ),
    Case(
        "conv1d",
        "nn",
        conv1d,
        shapes=((6,), (2, 8)),
        special_points=(sp("zero", np.zeros(6), orders=(1,)),),
        doc="3-tap valid correlation + tanh",
    ),
    Case(
        "cross_entropy",
        "nn",
        cross_entropy,
        shapes=ROWS,
        scalar=True,
        domain=(-3.0, 3.0),
        grad=lambda x: (_softmax(x) - _LABELS[x.shape]) / x.shape[0],
        special_points=(
            sp("uniform", np.zeros((2, 4))),
            sp("confident", [[40.0, 0.0, 0.0, 0.0], [0.0, -40.0, 0.0, 0.0]]),
            sp(
                "large",
                [[1000.0, 0.0, 0.0, 0.0], [0.0, 1000.0, 0.0, 0.0]],
                condition=1000.0,
                note="forming x − logsumexp(x) rounds at ulp(|x|): condition ≈ |x|",
            ),
        ),
    ),
    Case(
        "mse",
        "nn",
        mse,
        shapes=ROWS,
        scalar=True,
        grad=lambda x: 2.0 * (x - _TARGET[x.shape]) / x.size,
        hess=lambda x: (2.0 / x.size * np.eye(x.size)).reshape(x.shape + x.shape),
        special_points=(sp("at target", _TARGET[(2, 4)]),),
    ),
    Case(
        "huber",
        "nn",
        huber,
        shapes=ROWS,
        scalar=True,
        make_input=_huber_input,
        grad=_huber_grad,
        analytic=False,
        valid=_huber_valid,
        smooth_order=2,
        special_points=(
            sp("at target", _TARGET[(2, 4)]),
            sp("far", _TARGET[(2, 4)] + 1e300 * np.sign(_TARGET[(2, 4)] + 0.1)),
        ),
        doc=f"Huber loss, δ = {HUBER_DELTA}, inputs away from the kink |r| = δ",
    ),
    Case(
        "logistic",
        "nn",
        logistic,
        shapes=((3,),),
        scalar=True,
        special_points=(sp("0", np.zeros(3)), sp("large", np.full(3, 40.0))),
        doc="logistic-regression loss mean softplus(−s·(F w))",
    ),
    pointwise(
        "gelu_via_erf",
        lambda xp, x: 0.5 * x * (1.0 + xp.erf(x / sqrt(2.0))),
        _gelu_d,
        family="nn",
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("1", 1.0), ("-1", -1.0), ("40", 40.0), ("-40", -40.0), ("tiny", 1e-300)],
        doc="GELU x·Φ(x) through erf",
    ),
    pointwise(
        "x_times_sigmoid",
        lambda xp, x: x * xp.sigmoid(x),
        lambda x: _sig(x) * (1.0 + x * (1.0 - _sig(x))),
        family="nn",
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("40", 40.0), ("-40", -40.0)],
        doc="SiLU x·σ(x)",
    ),
]
