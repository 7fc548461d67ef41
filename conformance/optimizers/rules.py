"""Reference update rules in NumPy: each one step θ ← rule(θ, g, state) with its formula stated.

Every rule is a function ``rule(theta, g, state, **hyper) -> theta`` that updates ``state`` (a dict,
empty before the first step) in place; ``state["t"]`` counts steps from 1. Convention flags select
the variants the libraries implement:

    eps placement      "outside": √v + ε    "inside": √(v + ε)    "hat": ε̂ = ε in θ − α_t m/(√v + ε̂)
    learning rate      outside the velocity: b ← μb + g, θ ← θ − ηb   (torch.optim, optax.sgd)
                       inside the velocity:  v ← μv + ηg, θ ← θ − v   (Keras, optax.rmsprop momentum)
    weight decay       coupled: g ← g + λθ (L2 in the loss)   decoupled: θ ← θ − ηλθ (AdamW)

``Reference(rule, **hyper)`` wraps a rule as a stepper with the same interface as the library
steppers: ``step(theta, g) -> theta`` and ``set_learning_rate(lr)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray


def _tick(state: dict) -> int:
    state["t"] = state.get("t", 0) + 1
    return state["t"]


def _decay(theta: Array, g: Array, lr: float, weight_decay: float, decoupled: bool) -> tuple[Array, Array]:
    """Weight decay λ: coupled g ← g + λθ, or decoupled θ ← θ − ηλθ (applied before the update)."""
    if weight_decay:
        if decoupled:
            theta = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
    return theta, g


def gradient_descent(
    theta: Array, g: Array, state: dict, *, lr: float, weight_decay: float = 0.0, decoupled: bool = False
) -> Array:
    """Gradient descent θ ← θ − η∇J(θ). With a mini-batch gradient g ≈ ∇J this is SGD.
    Weight decay λ: coupled (torch) θ ← θ − η(g + λθ); decoupled (Keras) θ ← θ(1 − ηλ) − ηg."""
    _tick(state)
    theta, g = _decay(theta, g, lr, weight_decay, decoupled)
    return theta - lr * g


def momentum(
    theta: Array,
    g: Array,
    state: dict,
    *,
    lr: float,
    momentum: float,
    dampening: float = 0.0,
    nesterov: bool = False,
    lr_in_velocity: bool = False,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> Array:
    """Heavy-ball momentum μ, optionally Nesterov, in its two forms.

    lr outside (torch.optim.SGD, optax.sgd):  b₁ = g, b_t = μb_{t−1} + (1 − τ)g (τ = dampening;
        torch leaves the first step undamped), θ ← θ − η·(g + μb if nesterov else b).
    lr inside (Keras SGD, the textbook v ← γv + η∇J):  v ← μv + ηg, θ ← θ − v;
        Nesterov: θ ← θ − (μv + ηg).
    The two agree while η is constant (v = ηb); they differ once η changes mid-run.
    """
    t = _tick(state)
    theta, g = _decay(theta, g, lr, weight_decay, decoupled)
    if lr_in_velocity:
        v = momentum * state.get("v", np.zeros_like(theta)) + lr * g
        state["v"] = v
        return theta - (momentum * v + lr * g if nesterov else v)
    b = g.copy() if t == 1 else momentum * state["b"] + (1.0 - dampening) * g
    state["b"] = b
    return theta - lr * (g + momentum * b if nesterov else b)


def adam(
    theta: Array,
    g: Array,
    state: dict,
    *,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    eps_hat: bool = False,
    bias_correction: bool = True,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> Array:
    """Adam (Kingma & Ba 2015), AdamW when ``decoupled``.

        m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
        θ ← θ − η m̂ / (√(v̂ + ε_root) + ε)                 (Algorithm 1; torch, optax)
        θ ← θ − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε̂)    (eps_hat: the paper's ε̂; Keras)
    The ε̂ form equals Algorithm 1 with ε = ε̂/√(1 − β₂ᵗ): a larger effective ε in the first steps.
    Without bias correction m̂ = m, v̂ = v. Weight decay λ: coupled g ← g + λθ (torch Adam);
    decoupled θ ← θ − ηλθ (torch AdamW, optax.adamw, Keras weight_decay).
    """
    t = _tick(state)
    theta, g = _decay(theta, g, lr, weight_decay, decoupled)
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * g
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * g * g
    state["m"], state["v"] = m, v
    c1, c2 = (1.0 - beta1**t, 1.0 - beta2**t) if bias_correction else (1.0, 1.0)
    if eps_hat:
        return theta - lr * np.sqrt(c2) / c1 * m / (np.sqrt(v) + eps)
    return theta - lr * (m / c1) / (np.sqrt(v / c2 + eps_root) + eps)


def _denominator(d: Array, eps: float, eps_in_sqrt: bool) -> Array:
    """√(d + ε) when ε is inside the square root, else √d + ε."""
    return np.sqrt(d + eps) if eps_in_sqrt else np.sqrt(d) + eps


def rmsprop(
    theta: Array,
    g: Array,
    state: dict,
    *,
    lr: float,
    rho: float = 0.99,
    eps: float = 1e-8,
    eps_in_sqrt: bool = False,
    centered: bool = False,
    momentum: float = 0.0,
    lr_in_velocity: bool = False,
    initial_scale: float = 0.0,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> Array:
    """RMSprop (Tieleman & Hinton 2012), plain or centered, with or without momentum μ.

    v ← ρv + (1 − ρ)g²          (v₀ = initial_scale)
    centered: a ← ρa + (1 − ρ)g,  d = v − a²;   plain: d = v
    s = g / (√d + ε)  [torch]   or   g / √(d + ε)  [Keras, optax default]
    no momentum:            θ ← θ − ηs
    lr outside (torch):     b ← μb + s,   θ ← θ − ηb
    lr inside (Keras, optax): b ← μb + ηs, θ ← θ − b
    """
    _tick(state)
    theta, g = _decay(theta, g, lr, weight_decay, decoupled)
    v = rho * state.get("v", initial_scale) + (1.0 - rho) * g * g
    state["v"] = v
    d = v
    if centered:
        a = rho * state.get("a", 0.0) + (1.0 - rho) * g
        state["a"] = a
        d = v - a * a
    s = g / _denominator(d, eps, eps_in_sqrt)
    if not momentum:
        return theta - lr * s
    if lr_in_velocity:
        b = momentum * state.get("b", 0.0) + lr * s
        state["b"] = b
        return theta - b
    b = momentum * state.get("b", 0.0) + s
    state["b"] = b
    return theta - lr * b


def adagrad(
    theta: Array,
    g: Array,
    state: dict,
    *,
    lr: float,
    eps: float = 1e-10,
    eps_in_sqrt: bool = False,
    initial_accumulator: float = 0.0,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> Array:
    """Adagrad (Duchi et al. 2011): S ← S + g² (S₀ = initial accumulator),
    θ ← θ − η_t g / (√S + ε) [torch]  or  θ − η_t g / √(S + ε) [Keras, optax],
    η_t = η / (1 + (t − 1)·lr_decay) (torch's lr_decay; 0 elsewhere)."""
    t = _tick(state)
    theta, g = _decay(theta, g, lr, weight_decay, decoupled)
    s = state.get("S", initial_accumulator) + g * g
    state["S"] = s
    return theta - lr / (1.0 + (t - 1) * lr_decay) * g / _denominator(s, eps, eps_in_sqrt)


RULES: dict[str, Callable[..., Array]] = {
    "gradient_descent": gradient_descent,
    "momentum": momentum,
    "adam": adam,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
}


class Reference:
    """A reference rule as a stepper: ``step(theta, g)`` returns the next θ; the learning rate can
    be changed between steps like a library's (``set_learning_rate``)."""

    def __init__(self, rule: Callable[..., Array] | str, **hyper: Any):
        self.rule = RULES[rule] if isinstance(rule, str) else rule
        self.hyper = dict(hyper)
        self.state: dict = {}

    def set_learning_rate(self, lr: float) -> None:
        self.hyper["lr"] = float(lr)

    def step(self, theta: Array, g: Array) -> Array:
        return self.rule(np.asarray(theta, dtype=np.float64), np.asarray(g, dtype=np.float64), self.state, **self.hyper)

    __call__ = step
