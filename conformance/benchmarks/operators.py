"""The functions timed per operator and size, written against an adapter's ``xp``, and the
operators applied to them.

Functions (x ∈ Rⁿ):
    sum_sin(x)    = Σ_i sin x_i                                   scalar, O(n), diagonal Hessian
    rosenbrock(x) = Σ_{i<n} 100 (x_{i+1} − x_i²)² + (1 − x_i)²    scalar, O(n), tridiagonal Hessian
    softmax(x)    = exp(x − logsumexp x)                          vector, O(n), dense Jacobian

Operators and the cost bound each is held to (derivative time / primal time at the same n):
    grad, value_and_grad, vjp: 5   the cheap-gradient principle: a reverse sweep costs a small
                                    constant (≈ 4–5) times the function (Baur–Strassen 1983,
                                    Griewank–Walther, "Evaluating Derivatives", §4.6)
    jvp: 3                          a forward tangent sweep costs ≤ ≈ 2.5 times the function
    hvp: 10                         forward-over-reverse: a tangent sweep of the gradient, ≈ 2.5 · 4
    jacobian_fwd, jacobian_rev, hessian: none — they cost n sweeps; their growth shows in the
                                    fitted exponent (≈ 2 for a dense n × n result)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

LARGE_N = 10_000  # sizes at and above which a ratio over its bound is flagged


def sum_sin(xp: Any) -> Callable:
    return lambda x: xp.sum(xp.sin(x))


def rosenbrock(xp: Any) -> Callable:
    return lambda x: xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def softmax(xp: Any) -> Callable:
    return lambda x: xp.exp(x - xp.logsumexp(x))


@dataclass(frozen=True)
class Function:
    name: str
    build: Callable[[Any], Callable]  # xp -> f
    scalar: bool  # scalar output (gradients, Hessians) or vector (Jacobians)


FUNCTIONS = {
    "sum_sin": Function("sum_sin", sum_sin, True),
    "rosenbrock": Function("rosenbrock", rosenbrock, True),
    "softmax": Function("softmax", softmax, False),
}

SCALAR_OPS = ("primal", "grad", "value_and_grad", "jvp", "vjp", "hvp", "hessian")
VECTOR_OPS = ("primal", "jvp", "vjp", "jacobian_fwd", "jacobian_rev")
QUADRATIC = ("hessian", "jacobian_fwd", "jacobian_rev")  # n × n results
BOUNDS = {"grad": 5.0, "value_and_grad": 5.0, "vjp": 5.0, "jvp": 3.0, "hvp": 10.0}


def operators_for(fn: Function) -> tuple[str, ...]:
    return SCALAR_OPS if fn.scalar else VECTOR_OPS


def build(adapter: Any, f: Callable, op: str) -> Callable:
    """The callable timed for ``op``: it takes (x,) or (x, w), w the tangent/cotangent."""
    a = adapter
    table = {
        "primal": lambda: f,
        "grad": lambda: a.grad(f),
        "value_and_grad": lambda: a.value_and_grad(f),
        "jvp": lambda: lambda x, v: a.jvp(f, x, v),
        "vjp": lambda: lambda x, u: a.vjp(f, x, u),
        "hvp": lambda: lambda x, v: a.hvp(f, x, v),
        "hessian": lambda: a.hessian(f),
        "jacobian_fwd": lambda: a.jacobian(f, "fwd"),
        "jacobian_rev": lambda: a.jacobian(f, "rev"),
    }
    return table[op]()


def inputs(adapter: Any, fn: Function, op: str, n: int, device: str, seed: int) -> tuple:
    """float64 arguments for ``op`` at size n, the same numbers for every framework."""
    rng = np.random.default_rng(seed + n)
    x = rng.uniform(-1.0, 1.0, n)
    args = [x]
    if op in ("jvp", "hvp"):
        args.append(rng.standard_normal(n))
    elif op == "vjp":
        args.append(rng.standard_normal(()) if fn.scalar else rng.standard_normal(n))
    return tuple(adapter.from_numpy(a, dtype="float64", device=device) for a in args)


def memory_estimate(op: str, n: int) -> int:
    """Peak float64 bytes: ~4 n × n arrays for Jacobians and Hessians (the result, the batched basis
    and two batched intermediates); ~32 length-n arrays otherwise."""
    return 8 * (4 * n * n if op in QUADRATIC else 32 * n)
