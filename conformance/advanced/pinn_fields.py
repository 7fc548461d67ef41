"""Scalar and vector fields on Rᵈ whose differential operators are known exactly in any dimension d,
and small MLPs whose Laplacian and Hessian are propagated exactly (in float64 NumPy) layer by layer.

Each field is written once against ``xp`` (run by every framework) and once in NumPy for its oracle.

    exp-sum     f(x) = (1/d) Σᵢ exp(xᵢ)             Δf = Δ²f = (1/d) Σᵢ exp(xᵢ),   ∇²f = diag(eˣ)/d
    two-body    f(x) = (1/2d) Σᵢ,ⱼ cos(xᵢ − xⱼ)      Δf = −(1/d) Σᵢ≠ⱼ cos(xᵢ − xⱼ),
                ∂ᵢ∂ⱼf = cos(xᵢ − xⱼ)/d (i ≠ j),  ∂ᵢ²f = −(1/d) Σⱼ≠ᵢ cos(xᵢ − xⱼ)
    r⁴          f(x) = (Σᵢ xᵢ²)²                     Δf = 4(d + 2) r²,   Δ²f = 8 d (d + 2)
    MLP         f(x) = wᵀ σ(W₂ σ(W₁ x + b₁) + b₂)    σ ∈ {tanh, softplus, sin}; Δf by the forward
                Laplacian (folx): for h = σ(z), z = W a + b,
                    J_z = W J_a,  L_z = W L_a,  J_h = σ′(z) J_z,  L_h = σ′(z) L_z + σ″(z) Σⱼ (J_z)²ᵢⱼ
                and ∇²f by the forward Hessian H_h = σ′(z) H_z + σ″(z) J_z J_zᵀ.

Each oracle returns the exact value and the *scale* it is judged on: the magnitude of the terms that
the derivative program sums (the same recursion on absolute values, with σ′ and σ″ replaced by their
bounds on R, since 1 − tanh² and sigmoid′ are computed with an absolute rounding error of ε near
saturation). A sum of d second derivatives rounds on the scale of its terms, not of its value: a
two-body Laplacian is a sum of d² cosines of both signs.

Vector fields F: Rᵈ → Rᵈ for the divergence:

    radial      F(x) = x g(r²), g = exp(−r²/2d)      ∇·F = g (d − r²/d)
    tanh layer  F(x) = tanh(W x + b)                 ∇·F = Σᵢ (1 − tanh²(zᵢ)) Wᵢᵢ

The oracles form d×d arrays (two-body, Hessians); a dimension beyond their limit is refused with a
one-line ``OracleTooLargeError`` (bad input of issue 22), and the rest of the suite runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from conformance.errors import ConformanceError

MAX_ORACLE_DIM = 4096  # the exact oracles form d×d arrays (~130 MB at 4096)
MAX_HESSIAN_DIM = 64  # exact Hessians of the MLPs form width×d×d arrays
MLP_WIDTH = 16


class OracleTooLargeError(ConformanceError, ValueError):
    """A dimension too large for an exact oracle."""


def check_dim(d: int, limit: int, what: str) -> None:
    if int(d) < 1:
        raise OracleTooLargeError(f"{what}: dimension d = {d} is empty; a field needs d >= 1")
    if int(d) > limit:
        raise OracleTooLargeError(
            f"{what}: dimension d = {d} is too large for the exact oracle "
            f"(limit d <= {limit}: it forms d×d arrays); choose a smaller d"
        )


@dataclass(eq=False)
class Field:
    """f: Rᵈ → R (or Rᵈ → Rᵈ for a vector field) with its exact operators as NumPy functions of x,
    each returning (exact value, scale of its terms); None where not known."""

    kind: str
    dim: int
    fn: Callable[[Any, Any], Any]
    laplacian: Callable[[np.ndarray], tuple[float, float]] | None = None
    hessian: Callable[[np.ndarray], np.ndarray] | None = None
    biharmonic: Callable[[np.ndarray], tuple[float, float]] | None = None
    divergence: Callable[[np.ndarray], tuple[float, float]] | None = None
    box: float = 1.0
    _bound: dict = field(default_factory=dict, repr=False)

    @property
    def case(self) -> str:
        return f"{self.kind}, d = {self.dim}"

    def function(self, xp: Any) -> Callable[[Any], Any]:
        """x ↦ f(x) in the namespace ``xp``: one function object per namespace, so that a staged
        program built for it is compiled once."""
        if xp not in self._bound:
            self._bound[xp] = lambda x: self.fn(xp, x)
        return self._bound[xp]

    def point(self, seed: int) -> np.ndarray:
        """A point drawn uniformly from the box [−box, box]ᵈ by ``seed``."""
        return np.random.default_rng(seed).uniform(-self.box, self.box, self.dim)


# ----------------------------------------------------------------------------- closed forms
def _exp_sum(d: int) -> Field:
    def lap(x):
        v = float(np.sum(np.exp(x)) / d)
        return v, v

    return Field(
        "exp-sum (1/d)Σexp(xᵢ)",
        d,
        lambda xp, x: xp.sum(xp.exp(x)) / d,
        lap,
        hessian=lambda x: np.diag(np.exp(x) / d),
        biharmonic=lap,
    )


def _pairs(x: np.ndarray) -> np.ndarray:
    c = np.cos(x[:, None] - x[None, :])
    np.fill_diagonal(c, 0.0)
    return c


def _two_body(d: int) -> Field:
    def fn(xp, x):
        diff = xp.expand_dims(x, 1) - xp.expand_dims(x, 0)
        return xp.sum(xp.cos(diff)) / (2 * d)

    def lap(x):
        c = _pairs(x)
        return float(-np.sum(c) / d), float(np.sum(np.abs(c)) / d)

    def hess(x):
        c = _pairs(x) / d
        return c - np.diag(np.sum(c, axis=1))

    return Field("two-body (1/2d)Σcos(xᵢ−xⱼ)", d, fn, lap, hessian=hess)


def _r4(d: int) -> Field:
    def lap(x):
        r2 = float(np.sum(x * x))
        return 4.0 * (d + 2) * r2, 4.0 * (d + 2) * r2

    def bih(x):
        return 8.0 * d * (d + 2), 8.0 * d * (d + 2)

    return Field("r⁴ (Σxᵢ²)²", d, lambda xp, x: xp.sum(x * x) ** 2, lap, biharmonic=bih)


# ----------------------------------------------------------------------------- MLPs
@dataclass(frozen=True)
class Activation:
    """σ with σ′, σ″ in NumPy and the bounds of |σ′|, |σ″| on R."""

    name: str
    xp_name: str
    value: Callable[[np.ndarray], np.ndarray]
    d1: Callable[[np.ndarray], np.ndarray]
    d2: Callable[[np.ndarray], np.ndarray]
    bound1: float
    bound2: float


def _sig(z):
    return 0.5 * (1 + np.tanh(z / 2))


ACTIVATIONS = {
    "tanh": Activation(
        "tanh",
        "tanh",
        np.tanh,
        lambda z: 1 - np.tanh(z) ** 2,
        lambda z: -2 * np.tanh(z) * (1 - np.tanh(z) ** 2),
        1.0,
        4 / (3 * np.sqrt(3)),
    ),
    "softplus": Activation(
        "softplus", "softplus", lambda z: np.logaddexp(0.0, z), _sig, lambda z: _sig(z) * (1 - _sig(z)), 1.0, 0.25
    ),
    "sin": Activation("sin", "sin", np.sin, np.cos, lambda z: -np.sin(z), 1.0, 1.0),
}


@dataclass(frozen=True, eq=False)
class MLP:
    """f(x) = wᵀ σ(W₂ σ(W₁ x + b₁) + b₂) with fixed weights (W₁ ~ N(0, 1/d), W₂ ~ N(0, 1/width))."""

    act: Activation
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    out: np.ndarray

    def __call__(self, xp: Any, x: Any) -> Any:
        act = getattr(xp, self.act.xp_name)
        a = x
        for w, b in self.layers:
            a = act(xp.matmul(xp.asarray(w, like=x), a) + xp.asarray(b, like=x))
        return xp.sum(xp.asarray(self.out, like=x) * a)

    def laplacian(self, x: np.ndarray) -> tuple[float, float]:
        """(Δf, scale) by the forward Laplacian; the scale runs the recursion on |W|, |σ′| <= B₁, |σ″| <= B₂."""
        d = x.size
        a, jac, lap = x, np.eye(d), np.zeros(d)
        jm, lm = np.eye(d), np.zeros(d)
        for w, b in self.layers:
            z, zj, zl = w @ a + b, w @ jac, w @ lap
            s1, s2 = self.act.d1(z), self.act.d2(z)
            a, lap, jac = self.act.value(z), s1 * zl + s2 * np.sum(zj * zj, axis=1), s1[:, None] * zj
            zjm, zlm = np.abs(w) @ jm, np.abs(w) @ lm
            lm, jm = self.act.bound1 * zlm + self.act.bound2 * np.sum(zjm * zjm, axis=1), self.act.bound1 * zjm
        return float(self.out @ lap), float(np.abs(self.out) @ lm)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """∇²f by the forward Hessian recursion."""
        d = x.size
        check_dim(d, MAX_HESSIAN_DIM, f"exact Hessian of the {self.act.name} MLP")
        a, jac, hes = x, np.eye(d), np.zeros((d, d, d))
        for w, b in self.layers:
            z, zj, zh = w @ a + b, w @ jac, np.einsum("ij,jkl->ikl", w, hes)
            s1, s2 = self.act.d1(z), self.act.d2(z)
            a = self.act.value(z)
            hes = s1[:, None, None] * zh + s2[:, None, None] * np.einsum("ik,il->ikl", zj, zj)
            jac = s1[:, None] * zj
        return np.einsum("i,ikl->kl", self.out, hes)


def _mlp(activation: str, d: int) -> Field:
    rng = np.random.default_rng([d, sorted(ACTIVATIONS).index(activation)])
    width = MLP_WIDTH
    layers = (
        (rng.normal(0, 1 / np.sqrt(d), (width, d)), rng.normal(0, 0.5, width)),
        (rng.normal(0, 1 / np.sqrt(width), (width, width)), rng.normal(0, 0.5, width)),
    )
    net = MLP(ACTIVATIONS[activation], layers, rng.normal(0, 1 / np.sqrt(width), width))
    return Field(f"MLP {d}-{width}-{width}-1 ({activation})", d, net, net.laplacian, hessian=net.hessian)


# ----------------------------------------------------------------------------- vector fields
def _radial(d: int) -> Field:
    def fn(xp, x):
        return x * xp.exp(-xp.sum(x * x) / (2 * d))

    def div(x):
        r2 = float(np.sum(x * x))
        g = np.exp(-r2 / (2 * d))
        return float(g * (d - r2 / d)), float(g * (d + r2 / d))

    return Field("radial x·exp(−r²/2d)", d, fn, divergence=div)


def _tanh_layer(d: int) -> Field:
    rng = np.random.default_rng([d, 7])
    w, b = rng.normal(0, 1 / np.sqrt(d), (d, d)), rng.normal(0, 0.5, d)

    def fn(xp, x):
        return xp.tanh(xp.matmul(xp.asarray(w, like=x), x) + xp.asarray(b, like=x))

    def div(x):
        t = np.tanh(w @ x + b)
        return float(np.sum((1 - t * t) * np.diag(w))), float(np.sum(np.abs(np.diag(w))))

    return Field("tanh layer tanh(Wx + b)", d, fn, divergence=div)


BUILDERS: dict[str, Callable[[int], Field]] = {
    "exp-sum": _exp_sum,
    "two-body": _two_body,
    "r4": _r4,
    "mlp-tanh": functools.partial(_mlp, "tanh"),
    "mlp-softplus": functools.partial(_mlp, "softplus"),
    "mlp-sin": functools.partial(_mlp, "sin"),
    "radial": _radial,
    "tanh-layer": _tanh_layer,
}


@functools.lru_cache(maxsize=None)
def make(kind: str, d: int) -> Field:
    """The field ``kind`` in dimension d (one object per (kind, d), so staged programs are reused);
    OracleTooLargeError for a d its exact oracle cannot take."""
    check_dim(d, MAX_ORACLE_DIM, kind)
    return BUILDERS[kind](int(d))
