"""PINN differential operators written once against an adapter's public operators.

The Laplacian Δf(x) = tr ∇²f(x) = Σᵢ eᵢᵀ ∇²f(x) eᵢ, every way the adapters offer it:

    hessian          tr of the framework's own Hessian operator (``adapter.hessian``)
    rev_over_rev     tr of the reverse-mode Jacobian of the gradient: jacobian(grad f, "rev")
    jacfwd_jacrev    tr of jacobian(jacobian(f, "rev"), "fwd")
    fwd_over_rev     Σᵢ eᵢ · jvp(∇f, x, eᵢ): one forward-over-reverse product per basis vector
    axis_second      Σᵢ d²/dt² f(x + t eᵢ) at t = 0: a nested scalar derivative along each axis
                     (``adapter.derivative(order=2)``; O(d) stencils in the numerical reference)

plus those one framework alone offers, found in its adapter's ``pinn`` module (``LAPLACIANS``: name ->
(doc, fn(adapter, f, x))), e.g. JAX's Taylor mode (``jax.experimental.jet``). Each per-vector step is
one staged program (``adapter.program``) compiled once and called d times.

Divergence ∇·F = tr J_F by jacobian("fwd"), jacobian("rev"), Σᵢ eᵢ·(J eᵢ) (jvp) and Σᵢ (Jᵀeᵢ)ᵢ (vjp).
Biharmonic Δ²f = Δ(Δf): a Laplacian method applied to x ↦ Δf(x).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Method:
    """One way to compute an operator: ``run(adapter, f, x)`` returns a framework scalar.
    ``reference_max_dim``: the largest d at which the numerical reference runs it (0: never, since it
    would nest difference quotients, which are no reference)."""

    name: str
    doc: str
    run: Callable[[Any, Callable, Any], Any]
    reference_max_dim: float = 0
    adapter_specific: bool = False


def _basis(adapter: Any, x: Any) -> list[Any]:
    return adapter.impl.basis(x)


def _sum(terms: list[Any]) -> Any:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def per_vector(adapter: Any, f: Callable, name: str, step: Callable[[Any, Any], Any], x: Any) -> Any:
    """Σᵢ step(x, eᵢ) with ``step`` staged once (a program of (x, v)) and called for each basis vector."""
    program = adapter.program(step, f, name)
    return _sum([program(x, e) for e in _basis(adapter, x)])


def trace_of(adapter: Any, f: Callable, name: str, matrix: Callable[[Any], Any], x: Any) -> Any:
    """tr matrix(x), the whole computation one staged program."""
    xp = adapter.xp
    return adapter.program(lambda z: xp.trace(matrix(z)), f, name)(x)


def _hessian(ad: Any, f: Callable, x: Any) -> Any:
    return trace_of(ad, f, "Δ:hessian", ad.hessian(f), x)


def _rev_over_rev(ad: Any, f: Callable, x: Any) -> Any:
    return trace_of(ad, f, "Δ:rev_over_rev", lambda z: ad.jacobian(ad.grad(f), mode="rev")(z), x)


def _jacfwd_jacrev(ad: Any, f: Callable, x: Any) -> Any:
    return trace_of(ad, f, "Δ:jacfwd_jacrev", lambda z: ad.jacobian(ad.jacobian(f, mode="rev"), mode="fwd")(z), x)


def _fwd_over_rev(ad: Any, f: Callable, x: Any) -> Any:
    xp = ad.xp
    return per_vector(ad, f, "Δ:fwd_over_rev", lambda z, v: xp.sum(v * ad.jvp(ad.grad(f), z, v)[1]), x)


def _axis_second(ad: Any, f: Callable, x: Any) -> Any:
    def step(z: Any, v: Any) -> Any:
        t0 = ad.xp.zeros_like(z[0])  # the scalar 0 in x's dtype, on x's device
        return ad.derivative(lambda t: f(z + t * v), order=2)(t0)

    return per_vector(ad, f, "Δ:axis_second", step, x)


LAPLACIANS = (
    Method("hessian", "tr ∇²f by the framework's Hessian operator", _hessian, reference_max_dim=10),
    Method("rev_over_rev", "tr jacobian(grad f, rev): reverse over reverse", _rev_over_rev),
    Method("jacfwd_jacrev", "tr jacobian(jacobian(f, rev), fwd)", _jacfwd_jacrev),
    Method("fwd_over_rev", "Σᵢ eᵢ·jvp(∇f, x, eᵢ): forward over reverse per basis vector", _fwd_over_rev),
    Method(
        "axis_second",
        "Σᵢ d²/dt² f(x + t eᵢ): nested scalar derivatives along each axis",
        _axis_second,
        reference_max_dim=math.inf,
    ),
)


def adapter_laplacians(adapter_cls: Any) -> list[Method]:
    """The Laplacian methods one framework alone offers (its adapter's ``pinn`` module), if any."""
    if not adapter_cls.provides("pinn"):
        return []
    return [
        Method(name, doc, fn, adapter_specific=True)
        for name, (doc, fn) in adapter_cls.capability("pinn").LAPLACIANS.items()
    ]


def method_for(adapter: Any, name: str, generic: tuple[Method, ...] = LAPLACIANS) -> Method | None:
    """The Laplacian method ``name`` as this adapter offers it (generic, or its own), else None."""
    for m in generic:
        if m.name == name:
            return m
    for m in adapter_laplacians(type(adapter)):
        if m.name == name:
            return m
    return None


# ----------------------------------------------------------------------------- divergence
def _div_jac(mode: str) -> Callable:
    def run(ad: Any, f: Callable, x: Any) -> Any:
        return trace_of(ad, f, f"∇·:jacobian_{mode}", ad.jacobian(f, mode=mode), x)

    return run


def _div_jvp(ad: Any, f: Callable, x: Any) -> Any:
    xp = ad.xp
    return per_vector(ad, f, "∇·:jvp", lambda z, v: xp.sum(v * ad.jvp(f, z, v)[1]), x)


def _div_vjp(ad: Any, f: Callable, x: Any) -> Any:
    xp = ad.xp
    return per_vector(ad, f, "∇·:vjp", lambda z, v: xp.sum(v * ad.vjp(f, z, v)[1]), x)


DIVERGENCES = (
    Method("jacobian_fwd", "tr J_F by the forward-mode Jacobian", _div_jac("fwd"), reference_max_dim=math.inf),
    Method("jacobian_rev", "tr J_F by the reverse-mode Jacobian", _div_jac("rev")),
    Method("jvp", "Σᵢ eᵢ·(J_F eᵢ): one JVP per basis vector", _div_jvp, reference_max_dim=math.inf),
    Method("vjp", "Σᵢ (J_Fᵀ eᵢ)ᵢ: one VJP per basis vector", _div_vjp, reference_max_dim=10),
)


# ----------------------------------------------------------------------------- biharmonic
def _bih(inner: Method, outer: Method, name: str) -> Callable:
    def run(ad: Any, f: Callable, x: Any) -> Any:
        lap = _laplacian_function(ad, f, inner)
        return outer.run(ad, lap, x)

    return run


_LAPLACIAN_FUNCTIONS: dict = {}


def _laplacian_function(ad: Any, f: Callable, inner: Method) -> Callable:
    """x ↦ Δf(x) by ``inner`` as one function object per (adapter class, variant, f, method), so that the
    outer operator's staged program is built once."""
    key = (type(ad), ad.variant, ad.staged, f, inner.name)
    if key not in _LAPLACIAN_FUNCTIONS:
        _LAPLACIAN_FUNCTIONS[key] = lambda z: inner.run(ad, f, z)
    return _LAPLACIAN_FUNCTIONS[key]


_BY_NAME = {m.name: m for m in LAPLACIANS}
BIHARMONICS = (
    Method(
        "hessian∘hessian",
        "Δ(Δf), both Laplacians as tr of the framework's Hessian",
        _bih(_BY_NAME["hessian"], _BY_NAME["hessian"], "hessian∘hessian"),
    ),
    Method(
        "jacfwd_jacrev∘rev_over_rev",
        "outer tr jacfwd∘jacrev of the inner reverse-over-reverse Δf",
        _bih(_BY_NAME["rev_over_rev"], _BY_NAME["jacfwd_jacrev"], "jacfwd_jacrev∘rev_over_rev"),
    ),
)


def scalar(adapter: Any, value: Any) -> float:
    """A framework scalar as a Python float."""
    return float(np.asarray(adapter.to_numpy(value)).reshape(()))
