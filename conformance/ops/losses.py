"""Losses by each framework's own functions: cross-entropy (integer targets, label smoothing), NLL,
KL divergence, binary cross-entropy (with logits and on probabilities), Huber / smooth-L1, MSE, L1,
L2, cosine similarity and pairwise distances.

The frameworks reduce differently (torch's losses average by default; TF's ``tf.nn`` losses return
one value per example): ``out`` takes the mean of what the function returns, which leaves torch's
scalar as it is. Targets are constants shared by every framework (integer classes as numpy int
arrays, converted by a framework's binding where it wants its own tensor). JAX's public namespaces
(jax.nn, jax.numpy) hold no loss functions: its column is "not provided" (optax is not a framework).
"""

from __future__ import annotations

import numpy as np

from .table import Op

LOGITS = ((3, 4),)
T = np.array([1, 3, 0])  # class targets of 3 examples, 4 classes
ONEHOT = np.eye(4)[T]
EPS = 0.1  # label smoothing
SMOOTH = (1 - EPS) * ONEHOT + EPS / 4
Y = np.random.default_rng(501).uniform(0.05, 0.95, (3, 4))  # soft binary targets
LOGQ = np.log(np.random.default_rng(502).dirichlet(np.ones(4), 3))  # log-probabilities
PAIRS = ((4, 3),)  # rows a = x[:2], b = x[2:]
HUGE_LOGITS = [[40.0, -40.0, 700.0, 1.0], [-700.0, 0.0, 30.0, -30.0], [2.0, -2.0, 0.5, 1e-300]]


def _c(xp, x, a):
    return xp.asarray(a, like=x)


def _mean(xp, y):
    return xp.mean(y)


def _ce(targets):
    return lambda xp, x: -xp.mean(xp.sum(_c(xp, x, targets) * xp.log_softmax(x, axis=1), axis=1))


def _bce_logits(xp, x):
    return xp.mean(xp.softplus(x) - x * _c(xp, x, Y))


def _huber(xp, x):
    r = x - _c(xp, x, Y)
    a = xp.abs(r)
    return xp.mean(xp.where(a < 1.0, 0.5 * r * r, a - 0.5))


def _huber_input(rng, shape):
    """x = y + r with |r| in [0.1, 0.9] ∪ [1.1, 2] (away from the kink at |r| = 1 and from 0)."""
    r = rng.uniform(0.1, 0.9, shape) + rng.integers(0, 2, shape) * 1.0
    return Y + r * rng.choice([-1.0, 1.0], shape)


def _residual_away(points):
    def valid(x):
        r = np.abs(np.asarray(x) - Y)
        d = np.min(np.abs(r[..., None] - np.asarray(points)))
        return None if d > 1e-3 else f"a residual |x − y| is at a kink {points}"

    return valid


def _cos(xp, a, b):
    return xp.sum(a * b, axis=1) / (xp.sqrt(xp.sum(a * a, axis=1)) * xp.sqrt(xp.sum(b * b, axis=1)))


def _not_parallel(x):
    """Norms away from 0 and |cos| ≤ 0.95: at (anti)parallel pairs cos is extremal, its derivative
    vanishes and is left as the cancellation of O(1/‖a‖) terms (no relative accuracy to judge)."""
    a, b = x[:2], x[2:]
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    if np.any(na < 1e-3) or np.any(nb < 1e-3):
        return "a zero vector"
    cos = np.sum(a * b, axis=1) / (na * nb)
    return None if np.all(np.abs(cos) <= 0.95) else "a nearly (anti)parallel pair: |cos| > 0.95"


def _cos_input(rng, shape):
    for _ in range(1000):
        x = rng.uniform(-2.0, 2.0, shape)
        if _not_parallel(x) is None:
            return x
    raise RuntimeError("could not draw pairs away from parallel")


def _pairs(xp, x):
    return x[:2], x[2:]


def _cdist(xp, x):
    a, b = _pairs(xp, x)
    d = xp.expand_dims(a, 1) - xp.expand_dims(b, 0)
    return xp.sqrt(xp.sum(d * d, axis=-1))


def _distinct_pairs(x):
    d = np.linalg.norm(x[:2, None] - x[None, 2:], axis=-1)
    return None if np.min(d) > 1e-3 else "two points coincide (the distance's kink)"


def _prob_input(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def _open_unit(x):
    return None if np.all((x > 0) & (x < 1)) else "a probability outside (0, 1)"


OPS: list[Op] = [
    Op(
        "cross_entropy_int",
        "losses",
        None,
        {
            "torch": ("torch.nn.functional.cross_entropy",),
            "tensorflow": ("tf.nn.sparse_softmax_cross_entropy_with_logits", "tf.nn.softmax_cross_entropy_with_logits"),
        },
        oracle=_ce(ONEHOT),
        args=lambda xp, x: (x, T),
        out=_mean,
        shapes=LOGITS,
        scalar=True,
        special=[("huge logits", HUGE_LOGITS)],
        doc="mean −log softmax(x)ᵢ,tᵢ over integer targets",
    ),
    Op(
        "cross_entropy_smoothed",
        "losses",
        None,
        {"torch": ("torch.nn.functional.cross_entropy",), "tensorflow": ("tf.nn.softmax_cross_entropy_with_logits",)},
        oracle=_ce(SMOOTH),
        args=lambda xp, x: (x, T),
        params={"label_smoothing": EPS},
        out=_mean,
        shapes=LOGITS,
        scalar=True,
        special=[("huge logits", HUGE_LOGITS)],
        doc="cross-entropy against (1 − ε)·onehot + ε/K, ε = 0.1 (TF: the smoothed distribution as labels)",
    ),
    Op(
        "nll_loss",
        "losses",
        None,
        {"torch": ("torch.nn.functional.nll_loss",)},
        oracle=lambda xp, x: -xp.mean(xp.sum(_c(xp, x, ONEHOT) * x, axis=1)),
        args=lambda xp, x: (x, T),
        shapes=LOGITS,
        scalar=True,
        special=[("zeros", np.zeros((3, 4)))],
        doc="mean −xᵢ,tᵢ of log-probabilities x",
    ),
    Op(
        "kl_div",
        "losses",
        None,
        {"torch": ("torch.nn.functional.kl_div",)},
        oracle=lambda xp, x: xp.sum(x * (xp.log(x) - _c(xp, x, LOGQ))) / 3,
        args=lambda xp, x: (_c(xp, x, LOGQ), x),
        params={"reduction": "batchmean"},
        shapes=LOGITS,
        scalar=True,
        make_input=_prob_input,
        valid=_open_unit,
        special=[("uniform", np.full((3, 4), 0.25))],
        doc="Σ p (log p − log q) / batch, differentiated in the target p (input log q fixed)",
    ),
    Op(
        "bce_with_logits",
        "losses",
        None,
        {
            "torch": ("torch.nn.functional.binary_cross_entropy_with_logits",),
            "tensorflow": ("tf.nn.sigmoid_cross_entropy_with_logits",),
        },
        oracle=_bce_logits,
        args=lambda xp, x: (x, _c(xp, x, Y)),
        out=_mean,
        shapes=LOGITS,
        scalar=True,
        special=[("huge logits", HUGE_LOGITS)],
        doc="mean log(1 + eˣ) − x y, soft targets y",
    ),
    Op(
        "binary_cross_entropy",
        "losses",
        None,
        {"torch": ("torch.nn.functional.binary_cross_entropy",)},
        oracle=lambda xp, x: -xp.mean(_c(xp, x, Y) * xp.log(x) + (1 - _c(xp, x, Y)) * xp.log(1 - x)),
        args=lambda xp, x: (x, _c(xp, x, Y)),
        shapes=LOGITS,
        scalar=True,
        make_input=_prob_input,
        valid=_open_unit,
        special=[("half", np.full((3, 4), 0.5)), ("near 0 and 1", [[1e-6, 1 - 2**-20, 0.5, 0.25]] * 3)],
        doc="mean −(y log p + (1 − y) log(1 − p))",
    ),
    Op(
        "huber_loss",
        "losses",
        None,
        {"torch": ("torch.nn.functional.huber_loss", "torch.nn.functional.smooth_l1_loss")},
        oracle=_huber,
        args=lambda xp, x: (x, _c(xp, x, Y)),
        shapes=LOGITS,
        scalar=True,
        make_input=_huber_input,
        valid=_residual_away((1.0,)),
        special=[("quadratic zone", Y + 0.5), ("linear zone", Y - 1.5)],
        doc="mean of ½r² (|r| < 1) or |r| − ½, r = x − y (δ = β = 1: Huber and smooth-L1 agree)",
    ),
    Op(
        "mse_loss",
        "losses",
        None,
        {"torch": ("torch.nn.functional.mse_loss",)},
        oracle=lambda xp, x: xp.mean((x - _c(xp, x, Y)) ** 2),
        args=lambda xp, x: (x, _c(xp, x, Y)),
        shapes=LOGITS,
        scalar=True,
        special=[("at the targets", Y)],
        doc="mean (x − y)²",
    ),
    Op(
        "l1_loss",
        "losses",
        None,
        {"torch": ("torch.nn.functional.l1_loss",)},
        oracle=lambda xp, x: xp.mean(xp.abs(x - _c(xp, x, Y))),
        args=lambda xp, x: (x, _c(xp, x, Y)),
        shapes=LOGITS,
        scalar=True,
        smooth_order=1,
        make_input=_huber_input,
        valid=_residual_away((0.0,)),
        special=[("above and below", Y + np.where(np.arange(12).reshape(3, 4) % 2, 1.5, -0.5))],
        doc="mean |x − y| away from x = y",
    ),
    Op(
        "l2_loss",
        "losses",
        None,
        {"tensorflow": ("tf.nn.l2_loss",)},
        oracle=lambda xp, x: xp.sum(x * x) / 2,
        shapes=LOGITS,
        scalar=True,
        special=[("zeros", np.zeros((3, 4)))],
        doc="Σ x² / 2",
    ),
    Op(
        "cosine_similarity",
        "losses",
        None,
        {"torch": ("torch.nn.functional.cosine_similarity",)},
        oracle=lambda xp, x: _cos(xp, *_pairs(xp, x)),
        args=_pairs,
        shapes=PAIRS,
        make_input=_cos_input,
        valid=_not_parallel,
        special=[("orthogonal", [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])],
        doc="a·b / (‖a‖‖b‖) of the row pairs (x₀, x₂), (x₁, x₃)",
    ),
    Op(
        "cdist",
        "losses",
        None,
        {"torch": ("torch.cdist",), "numpy": ("scipy.spatial.distance.cdist",)},
        oracle=_cdist,
        args=_pairs,
        shapes=PAIRS,
        valid=_distinct_pairs,
        special=[("unit points", [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 1.0]])],
        doc="‖aᵢ − bⱼ‖₂ for all pairs of rows of a = x[:2], b = x[2:]",
    ),
    Op(
        "pairwise_distance",
        "losses",
        None,
        {"torch": ("torch.nn.functional.pairwise_distance",)},
        oracle=lambda xp, x: xp.sqrt(xp.sum((x[:2] - x[2:] + 1e-6) ** 2, axis=1)),
        args=_pairs,
        shapes=PAIRS,
        valid=lambda x: None if np.min(np.linalg.norm(x[:2] - x[2:] + 1e-6, axis=1)) > 1e-3 else "a zero distance",
        special=[("unit points", [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 1.0]])],
        doc="‖aᵢ − bᵢ + ε‖₂, ε = 1e-6 (torch adds ε to the difference)",
    ),
]
