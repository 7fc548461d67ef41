"""One API variant's operator implementations, and the generic compositions they fall back on.

An adapter's framework may offer several idiomatic APIs for the same mathematics (torch.func vs
torch.autograd, GradientTape vs ForwardAccumulator); each is an ``Operators`` subclass, listed in the
adapter's ``implementations`` (variant name -> class). ``adapter.impl`` is the selected variant's
instance; the adapter's public operators (``grad``, ``jvp``, ...) validate their inputs, stage the
program where the framework stages, and call the method of the same name here:

    grad(f, argnums)        -> x ↦ ∇f(x)                   (required)
    value_and_grad(f, argnums) -> x ↦ (f(x), ∇f(x))        (generic: f and grad side by side)
    jvp(f, x, v)            -> (f(x), J v)                  (required)
    vjp(f, x, u)            -> (f(x), Jᵀ u)                 (required)
    jacobian_fwd(f)         -> x ↦ J                        (generic: one JVP per input coordinate)
    jacobian_rev(f)         -> x ↦ J                        (generic: one VJP per output coordinate)
    hessian(f)              -> x ↦ ∇²f                      (generic: forward-over-reverse)
    hvp(f, x, v)            -> ∇²f(x) v                     (generic: forward-over-reverse)
    derivative(f, order)    -> x ↦ dⁿf/dxⁿ                  (generic: reverse mode nested n times)

A variant overrides what its framework has a more idiomatic API for; the compositions below call the
variant's own ``grad``, ``jvp`` and ``vjp``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


class AdapterPart:
    """What one adapter does through its framework (its operators, its integrals): bound to the
    adapter, with the framework module, imported and configured by the adapter, as ``fw``."""

    def __init__(self, adapter: Any):
        self.adapter = adapter

    @property
    def fw(self) -> Any:
        return self.adapter.fw


class Operators(AdapterPart):
    """The operators of one API variant of one adapter (``self.adapter``)."""

    apis: str = ""  # the framework APIs this variant goes through (shown as the variant's doc)

    # ----------------------------------------------------------------- primitives each variant has
    def grad(self, f: Callable, argnums: Any) -> Callable:
        raise NotImplementedError(f"{type(self).__name__} defines no grad")

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        raise NotImplementedError(f"{type(self).__name__} defines no jvp")

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        raise NotImplementedError(f"{type(self).__name__} defines no vjp")

    # ----------------------------------------------------------------- generic compositions
    def value_and_grad(self, f: Callable, argnums: Any) -> Callable:
        g = self.grad(f, argnums)
        return lambda *args: (f(*args), g(*args))

    def jacobian_fwd(self, f: Callable) -> Callable:
        """Columns J e_i from one JVP per input coordinate."""
        ad = self.adapter

        def jac(x: Any) -> Any:
            cols = [self.jvp(f, x, e)[1] for e in self.basis(x)]
            stacked = ad.xp.stack(cols, axis=-1)
            return ad.xp.reshape(stacked, ad.shape(cols[0]) + ad.shape(x))

        return jac

    def jacobian_rev(self, f: Callable) -> Callable:
        """Rows eᵢᵀ J from one VJP per output coordinate."""
        ad = self.adapter

        def jac(x: Any) -> Any:
            y = f(x)
            rows = [self.vjp(f, x, e)[1] for e in self.basis(y)]
            stacked = ad.xp.stack(rows, axis=0)
            return ad.xp.reshape(stacked, ad.shape(y) + ad.shape(x))

        return jac

    def hessian(self, f: Callable) -> Callable:
        """Forward-over-reverse: the forward-mode Jacobian of the gradient."""
        return self.jacobian_fwd(self.grad(f, 0))

    def hvp(self, f: Callable, x: Any, v: Any) -> Any:
        """Forward-over-reverse: H v = d/dε ∇f(x + ε v) at ε = 0."""
        return self.jvp(self.grad(f, 0), x, v)[1]

    def derivative(self, f: Callable, order: int) -> Callable:
        """Reverse mode nested ``order`` times."""
        g = f
        for _ in range(order):
            g = self.grad(g, 0)
        return g

    def basis(self, x: Any) -> list[Any]:
        """Unit arrays e_i shaped like x, in x's dtype and on x's device."""
        ad = self.adapter
        n = int(np.prod(ad.shape(x), dtype=int))
        eye = np.eye(n).reshape((n,) + ad.shape(x))
        return [ad._like(eye[i], x) for i in range(n)]
