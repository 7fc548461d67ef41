"""Objectives, small networks and exact oracles of the Hessian-free checks; the Gauss–Newton product,
conjugate gradient and one Martens-style HF step, written once against ``xp``.

Models (parameters θ flat, unpacked row-major: W₁, b₁, W₂, b₂), data fixed (numpy seed 0):

    mlp_squared   z = W₂ tanh(W₁x + b₁) + b₂, 3 → 5 → 2, L = (1/2N) Σₙ ‖zₙ − yₙ‖²        N = 8
    mlp_softmax   the same 3 → 5 → 3, L = −(1/N) Σₙ yₙᵀ log softmax(zₙ) (one-hot yₙ)      N = 8
    linear        z = W x + b, 3 → 2, squared loss: ∇²z = 0, so the Hessian is the GGN    N = 8
    rosenbrock    the optimizer suite's (1 − x₀)² + 100 (x₁ − x₀²)², its closed-form Hessian

Oracles (numpy float64, exact to rounding): the gradient by hand-written backpropagation (complex-safe),
the Hessian column j as the complex step Im ∇L(θ + i h eⱼ)/h (h = 1e-30), the network Jacobian J by
the complex step of z, the loss Hessian in the outputs in closed form (I/N; (diag p − ppᵀ)/N), and
the GGN G = Σₙ Jₙᵀ H_L,ₙ Jₙ.

    GGN-vector product   Gv = Jᵀ (H_L (J v)): ``jvp`` of z, ``hvp`` of L in z, ``vjp`` of z
    CG                   (B) x = b from x₀ = 0, B = G + λI (Hestenes–Stiefel)
    HF step (Martens 2010, one outer iteration): p = CG_m(G + λI, −∇L) truncated at m iterations;
                         backtrack over the CG iterates (the last one whose predecessor has no lower
                         loss); ρ = (L(θ + p) − L(θ)) / (∇Lᵀp + ½ pᵀ(G + λI)p); λ ← 2λ/3 if ρ > ¾,
                         3λ/2 if ρ < ¼; Armijo line search α ← 0.8α until L(θ + αp) <= L(θ) + 10⁻² α ∇Lᵀp
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.finite_differences import jvp_complex_step
from conformance.optimizers import objectives

N_SAMPLES = 8
STEP = 1e-30  # the complex step


@dataclass(frozen=True)
class Mlp:
    """z = W₂ tanh(W₁x + b₁) + b₂ with ``sizes`` = (inputs, hidden, outputs); ``hidden`` = 0: z = Wx + b."""

    sizes: tuple[int, int, int]

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        i, h, o = self.sizes
        return [(o, i), (o,)] if h == 0 else [(h, i), (h,), (o, h), (o,)]

    @property
    def size(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes)

    def unpack(self, xp: Any, theta: Any) -> list[Any]:
        out, at = [], 0
        for s in self.shapes:
            n = int(np.prod(s))
            out.append(xp.reshape(theta[at : at + n], s))
            at += n
        return out

    def outputs(self, xp: Any, theta: Any, x: Any) -> Any:
        """z for every row of x: shape (N, outputs)."""
        p = self.unpack(xp, theta)
        if len(p) == 2:
            return xp.matmul(x, xp.transpose(p[0])) + p[1]
        return xp.matmul(xp.tanh(xp.matmul(x, xp.transpose(p[0])) + p[1]), xp.transpose(p[2])) + p[3]

    def backprop(self, theta: np.ndarray, x: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Jᵀ r for r = ∂L/∂z (N, outputs), by hand (numpy; complex-safe, no conjugation)."""
        p = self.unpack(np, theta)
        if len(p) == 2:
            return np.concatenate([(r.T @ x).ravel(), r.sum(0)])
        a = np.tanh(x @ p[0].T + p[1])
        dz1 = (r @ p[2]) * (1 - a * a)
        return np.concatenate([(dz1.T @ x).ravel(), dz1.sum(0), (r.T @ a).ravel(), r.sum(0)])


def squared_loss(xp: Any, z: Any, y: Any) -> Any:
    """(1/2N) Σₙ ‖zₙ − yₙ‖²."""
    return xp.sum((z - y) ** 2) / (2 * z.shape[0])


def softmax_loss(xp: Any, z: Any, y: Any) -> Any:
    """−(1/N) Σₙ yₙᵀ log softmax(zₙ)."""
    return -xp.sum(y * xp.log_softmax(z, axis=1)) / z.shape[0]


def numpy_xp() -> Any:
    """The numpy reference adapter's namespace (numpy with ``log_softmax``, ``logsumexp``, ...)."""
    from conformance import adapters

    return adapters.get("numpy").xp


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)  # no shift: complex-safe, and |z| stays small on these problems
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Problem:
    """A loss L(θ) = loss(outputs(θ, x), y) of a model, with its exact oracles."""

    name: str
    model: Mlp | None
    loss: Callable[[Any, Any, Any], Any]  # (xp, z, y) -> scalar; None model: (xp, θ, unused)
    data: tuple[np.ndarray, np.ndarray]
    theta_scale: float = 0.5

    def value(self, xp: Any, theta: Any, x: Any, y: Any) -> Any:
        if self.model is None:
            return objectives.rosenbrock().value(theta)
        return self.loss(xp, self.model.outputs(xp, theta, x), y)

    @property
    def size(self) -> int:
        return 2 if self.model is None else self.model.size

    def point(self, rng: np.random.Generator) -> np.ndarray:
        if self.model is None:
            return objectives.rosenbrock().x0 + 0.3 * rng.standard_normal(2)
        return self.theta_scale * rng.standard_normal(self.size)

    def residual(self, z: np.ndarray) -> np.ndarray:
        """∂L/∂z (N, outputs)."""
        y = self.data[1]
        return (_softmax(z) - y) / len(z) if self.loss is softmax_loss else (z - y) / len(z)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """∇L by hand (complex-safe)."""
        if self.model is None:
            x = theta
            r = x[1] - x[0] ** 2
            return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])
        x, _ = self.data
        return self.model.backprop(theta, x, self.residual(self.model.outputs(np, theta, x)))

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """∇²L: complex-step columns of the hand-written gradient (Rosenbrock: its closed form)."""
        if self.model is None:
            x = theta
            return np.array([[2 - 400 * (x[1] - x[0] ** 2) + 800 * x[0] ** 2, -400 * x[0]], [-400 * x[0], 200.0]])
        cols = [jvp_complex_step(self.gradient, theta, e, STEP) for e in np.eye(self.size)]
        return np.stack(cols, axis=1)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """∂z/∂θ by the complex step: shape (N, outputs, P)."""
        x, _ = self.data
        cols = [jvp_complex_step(lambda t: self.model.outputs(np, t, x), theta, e, STEP) for e in np.eye(self.size)]
        return np.stack(cols, axis=-1)

    def loss_hessian(self, theta: np.ndarray) -> np.ndarray:
        """∇²_z L per sample in closed form: (N, outputs, outputs)."""
        x, _ = self.data
        z = self.model.outputs(np, theta, x)
        n, o = z.shape
        if self.loss is softmax_loss:
            p = _softmax(z)
            return (np.einsum("ni,ij->nij", p, np.eye(o)) - np.einsum("ni,nj->nij", p, p)) / n
        return np.broadcast_to(np.eye(o) / n, (n, o, o)).copy()

    def ggn(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(G = Σₙ Jₙᵀ H_L,ₙ Jₙ, the magnitude of its terms Σₙ |Jₙ|ᵀ |H_L,ₙ| |Jₙ|)."""
        J, HL = self.jacobian(theta), self.loss_hessian(theta)
        return (np.einsum("nip,nij,njq->pq", J, HL, J), np.einsum("nip,nij,njq->pq", np.abs(J), np.abs(HL), np.abs(J)))


def _data(outputs: int, onehot: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N_SAMPLES, 3))
    y = np.eye(outputs)[rng.integers(0, outputs, N_SAMPLES)] if onehot else rng.standard_normal((N_SAMPLES, outputs))
    return x, y


MLP_SQUARED = Problem("MLP 3-5-2 tanh, squared loss", Mlp((3, 5, 2)), squared_loss, _data(2, False))
MLP_SOFTMAX = Problem("MLP 3-5-3 tanh, softmax cross-entropy", Mlp((3, 5, 3)), softmax_loss, _data(3, True))
LINEAR = Problem("linear model 3-2, squared loss", Mlp((3, 0, 2)), squared_loss, _data(2, False), theta_scale=1.0)
ROSENBROCK = Problem("Rosenbrock (the optimizer suite objective)", None, squared_loss, (np.zeros(1), np.zeros(1)))


# ----------------------------------------------------------------------------- generic algorithms
def ggn_vector_product(ad: Any, xp: Any, problem: Problem, theta: Any, v: Any, x: Any, y: Any) -> Any:
    """Gv = Jᵀ(H_L(Jv)) by the adapter's jvp (z), hvp (L in z) and vjp (z)."""
    net = lambda t: problem.model.outputs(xp, t, x)  # noqa: E731
    z, jv = ad.jvp(net, theta, v)
    hjv = ad.hvp(lambda q: problem.loss(xp, q, y), z, jv)
    return ad.vjp(net, theta, hjv)[1]


def conjugate_gradient(
    xp: Any, matvec: Callable[[Any], Any], b: Any, iterations: int, to_float: Callable[[Any], float], rtol: float = 0.0
) -> tuple[Any, list[Any], list[float]]:
    """CG for B x = b (B symmetric positive definite, given as ``matvec``) from x₀ = 0: at most
    ``iterations`` steps, stopping once ‖r‖ <= rtol ‖b‖. Returns (x, the iterates, the residual norms)."""
    x, r = 0.0 * b, b
    p, rs = r, to_float(xp.sum(r * r))
    bnorm = np.sqrt(rs)
    iterates, norms = [], [bnorm]
    for _ in range(iterations):
        bp = matvec(p)
        step = rs / to_float(xp.sum(p * bp))
        x, r = x + step * p, r - step * bp
        rs_new = to_float(xp.sum(r * r))
        iterates.append(x)
        norms.append(float(np.sqrt(rs_new)))
        if np.sqrt(rs_new) <= rtol * bnorm:
            break
        p, rs = r + (rs_new / rs) * p, rs_new
    return x, iterates, norms


def hf_step(
    xp: Any,
    loss: Callable[[Any], Any],
    grad: Callable[[Any], Any],
    gvp: Callable[[Any], Any],
    theta: Any,
    lam: float,
    cg_iterations: int,
    to_float: Callable[[Any], float],
) -> tuple[Any, dict]:
    """One Martens-style Hessian-free step (module docstring) from θ with damping λ; returns (θ₁, facts)."""
    g = grad(theta)
    damped = lambda v: gvp(v) + lam * v  # noqa: E731
    _, iterates, norms = conjugate_gradient(xp, damped, -1.0 * g, cg_iterations, to_float)
    f0 = to_float(loss(theta))
    losses = [to_float(loss(theta + p)) for p in iterates]
    i = len(iterates) - 1
    while i > 0 and losses[i - 1] < losses[i]:
        i -= 1
    p = iterates[i]
    gp = to_float(xp.sum(g * p))
    rho = (losses[i] - f0) / (gp + 0.5 * to_float(xp.sum(p * damped(p))))
    lam_next = lam * 2 / 3 if rho > 0.75 else lam * 3 / 2 if rho < 0.25 else lam
    alpha, fa, shrinks = 1.0, losses[i], 0
    while fa > f0 + 1e-2 * alpha * gp and shrinks < 60:
        alpha, shrinks = 0.8 * alpha, shrinks + 1
        fa = to_float(loss(theta + alpha * p))
    return theta + alpha * p, {
        "iterate": i,
        "rho": rho,
        "lambda": lam_next,
        "alpha": alpha,
        "shrinks": shrinks,
        "loss_before": f0,
        "loss_after": fa,
        "cg_residuals": norms,
        "cg_losses": losses,
    }
