"""Deterministic objectives J: Rⁿ → R with analytic gradients, and the loop that runs a stepper on one.

    quadratic   J(x) = ½ xᵀAx − bᵀx, A = Q diag(1 … 10) Qᵀ (Q orthogonal from seed 0), ∇J = Ax − b
    rosenbrock  J(x) = (1 − x₀)² + 100 (x₁ − x₀²)²  from (−1.2, 1)
                ∇J = (−2(1 − x₀) − 400 x₀ (x₁ − x₀²), 200 (x₁ − x₀²))
    logistic    J(w) = mean log(1 + exp(−yᵢ xᵢᵀw)) + (μ/2)|w|², 64 points in R⁵ from seed 0, y ∈ {±1}
                ∇J = −Xᵀ(y ⊙ σ(−y ⊙ Xw))/N + μw
    tiny        J(x) = s·quadratic(x), s = 1e−9: gradients far below ε = 1e-8 (ε placement probe)

Each objective carries the learning rates the checks use: ``lr["plain"]`` for SGD and momentum,
``lr["adaptive"]`` for Adam, RMSprop and Adagrad (both stable over 100 steps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from conformance.errors import ConformanceError

Array = np.ndarray


@dataclass(frozen=True)
class Objective:
    name: str
    x0: Array
    value: Callable[[Array], float]
    grad: Callable[[Array], Array]
    lr: dict


class UnknownObjectiveError(ConformanceError, KeyError):
    pass


def _quadratic_parts(n: int = 6, seed: int = 0) -> tuple[Array, Array, Array]:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = q @ np.diag(np.linspace(1.0, 10.0, n)) @ q.T
    return a, rng.standard_normal(n), rng.standard_normal(n)


def quadratic(scale: float = 1.0, name: str = "quadratic") -> Objective:
    a, b, x0 = _quadratic_parts()
    return Objective(
        name,
        x0,
        lambda x: scale * (0.5 * x @ a @ x - b @ x),
        lambda x: scale * (a @ x - b),
        {"plain": 0.05, "adaptive": 0.005},
    )


def rosenbrock() -> Objective:
    def value(x: Array) -> float:
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    def grad(x: Array) -> Array:
        r = x[1] - x[0] ** 2
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])

    return Objective("rosenbrock", np.array([-1.2, 1.0]), value, grad, {"plain": 1e-4, "adaptive": 2e-3})


def logistic(n: int = 64, d: int = 5, mu: float = 1e-2, seed: int = 0) -> Objective:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = np.where(x @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)

    def value(w: Array) -> float:
        return float(np.mean(np.logaddexp(0.0, -y * (x @ w))) + 0.5 * mu * w @ w)

    def grad(w: Array) -> Array:
        s = 1.0 / (1.0 + np.exp(y * (x @ w)))  # σ(−y xᵀw)
        return -x.T @ (y * s) / n + mu * w

    return Objective("logistic", np.zeros(d) + 0.1, value, grad, {"plain": 0.5, "adaptive": 0.005})


BUILDERS: dict[str, Callable[[], Objective]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "logistic": logistic,
    "tiny": lambda: quadratic(1e-9, "tiny"),
}
STANDARD = ("quadratic", "rosenbrock", "logistic")


@cache
def get(name: str) -> Objective:
    if name not in BUILDERS:
        raise UnknownObjectiveError(f"unknown objective {name!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[name]()


def trajectory(stepper: Any, objective: Objective, steps: int, lr_at: dict | None = None) -> Array:
    """θ₀ … θ_steps from ``objective.x0``: θ_{k+1} = stepper(θ_k, ∇J(θ_k)); before step k the
    learning rate becomes ``lr_at[k]`` where given. Shape (steps + 1, n), float64."""
    theta = np.array(objective.x0, dtype=np.float64)
    out = [theta]
    for k in range(steps):
        if lr_at and k in lr_at:
            stepper.set_learning_rate(lr_at[k])
        theta = np.asarray(stepper(theta, objective.grad(theta)), dtype=np.float64)
        out.append(theta)
    return np.stack(out)
