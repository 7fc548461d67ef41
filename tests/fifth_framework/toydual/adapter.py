"""Forward mode by dual numbers: x + ε v with ε² = 0, so f(x + ε v) = f(x) + ε J v.

A ``Dual`` carries a tag, one per ``jvp`` call, so that nested derivatives keep their ε's apart: the
newest (innermost) derivative's tag is the largest and its Dual the outermost layer, whose primal
and tangent may be Duals of outer derivatives. Every operator is built from ``jvp``: the gradient and
Jᵀu from one JVP per input coordinate, the rest by the generic compositions of
``conformance.adapters.operators.Operators`` (Hessians forward-over-forward).

The ``xp`` namespace is numpy's, with the functions the example cases use (sin, cos, exp, sum,
stack, reshape and arithmetic) lifted to Duals.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
from conformance.adapters.base import Adapter, Namespace
from conformance.adapters.numpy import NumpyAdapter
from conformance.adapters.operators import Operators

_TAGS = itertools.count(1)


class Dual:
    """primal + ε·tangent (ε² = 0) for the derivative ``tag``."""

    __array_ufunc__ = None  # numpy defers to Dual's operators (ndarray * Dual -> Dual.__rmul__)

    def __init__(self, tag: int, primal: Any, tangent: Any):
        self.tag, self.primal, self.tangent = tag, primal, tangent

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.primal)

    @property
    def dtype(self) -> np.dtype:
        return dtype(self.primal)

    def __getitem__(self, index: Any) -> Dual:
        return Dual(self.tag, self.primal[index], self.tangent[index])

    def __neg__(self) -> Dual:
        return Dual(self.tag, -self.primal, -self.tangent)

    def __add__(self, other: Any) -> Dual:
        return _binary(self, other, lambda p, q: p + q, lambda p, dp, q, dq: _plus(dp, dq))

    def __sub__(self, other: Any) -> Dual:
        return self + (-other)

    def __mul__(self, other: Any) -> Dual:
        return _binary(
            self,
            other,
            lambda p, q: p * q,
            lambda p, dp, q, dq: _plus(None if dp is None else dp * q, None if dq is None else p * dq),
        )

    def __truediv__(self, other: Any) -> Dual:
        return self * reciprocal(other)

    def __rtruediv__(self, other: Any) -> Dual:
        return other * reciprocal(self)

    def __pow__(self, k: float) -> Dual:  # a constant exponent
        return Dual(self.tag, self.primal**k, k * self.primal ** (k - 1) * self.tangent)

    __radd__, __rmul__ = __add__, __mul__

    def __rsub__(self, other: Any) -> Dual:
        return other + (-self)


def dtype(x: Any) -> np.dtype:
    return x.dtype if isinstance(x, Dual) else np.asarray(x).dtype


def _split(x: Any, tag: int) -> tuple[Any, Any]:
    """(primal, tangent) of x for derivative ``tag``; a constant there has tangent None (zero)."""
    return (x.primal, x.tangent) if isinstance(x, Dual) and x.tag == tag else (x, None)


def _plus(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else a + b


def _binary(a: Any, b: Any, value: Callable, tangent: Callable) -> Dual:
    tag = max(x.tag for x in (a, b) if isinstance(x, Dual))
    (p, dp), (q, dq) = _split(a, tag), _split(b, tag)
    return Dual(tag, value(p, q), tangent(p, dp, q, dq))


def lift(f: Callable, df: Callable) -> Callable:
    """f on Duals: f(p + ε d) = f(p) + ε f′(p) d (``df`` is f′, itself on Duals)."""

    def g(x: Any) -> Any:
        if isinstance(x, Dual):
            return Dual(x.tag, g(x.primal), df(x.primal) * x.tangent)
        return f(x)

    return g


sin = lift(np.sin, lambda p: cos(p))
cos = lift(np.cos, lambda p: -sin(p))
exp = lift(np.exp, lambda p: exp(p))
reciprocal = lift(lambda x: 1.0 / np.asarray(x), lambda p: -(reciprocal(p) * reciprocal(p)))


def structural(f: Callable) -> Callable:
    """A linear function of its array argument(s), e.g. sum or reshape, applied to primal and
    tangent alike: ``f(xs, ...)`` takes one array or a list of them."""

    def g(xs: Any, *args: Any, **kwargs: Any) -> Any:
        many = isinstance(xs, (list, tuple))
        items = list(xs) if many else [xs]
        duals = [x.tag for x in items if isinstance(x, Dual)]
        if not duals:
            return f(xs, *args, **kwargs)
        tag = max(duals)
        parts = [_split(x, tag) for x in items]
        primals = [p for p, _ in parts]
        tangents = [np.zeros(np.shape(p), dtype(p)) if d is None else d for p, d in parts]
        pack = (lambda v: v) if many else (lambda v: v[0])
        return Dual(tag, g(pack(primals), *args, **kwargs), g(pack(tangents), *args, **kwargs))

    return g


XP = Namespace(
    "toydual",
    np,
    {
        "sin": sin,
        "cos": cos,
        "exp": exp,
        "sum": structural(np.sum),
        "stack": structural(np.stack),
        "reshape": structural(np.reshape),
    },
)


class Forward(Operators):
    """Forward mode only: each operator from JVPs of dual numbers."""

    apis = "toydual: dual numbers x + εv (forward mode); gradients and Jᵀu from one JVP per coordinate"

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        tag = next(_TAGS)
        out = f(Dual(tag, x, v))
        if isinstance(out, Dual) and out.tag == tag:
            return out.primal, out.tangent
        return out, np.zeros(np.shape(out), dtype(out))  # f does not depend on x

    def grad(self, f: Callable, argnums: Any) -> Callable:
        idx = [argnums] if isinstance(argnums, int) else list(argnums)

        def gradient(*args: Any) -> Any:
            grads = []
            for i in idx:

                def fi(z: Any, i: int = i) -> Any:
                    return f(*args[:i], z, *args[i + 1 :])

                cols = [self.jvp(fi, args[i], e)[1] for e in self.basis(args[i])]
                grads.append(XP.reshape(XP.stack(cols), np.shape(args[i])))
            return grads[0] if isinstance(argnums, int) else tuple(grads)

        return gradient

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        """Jᵀu = (⟨u, J eᵢ⟩)ᵢ, one JVP per input coordinate."""
        cols = [XP.sum(u * self.jvp(f, x, e)[1]) for e in self.basis(x)]
        return f(x), XP.reshape(XP.stack(cols), np.shape(x))


class DualAdapter(Adapter):
    name = "dual"
    order = 50  # after the four built-in frameworks
    color = "#2a9d8f"
    module = "toydual"
    distribution = "toydual"  # its version comes from the package metadata
    install = "pip install toydual"
    implementations = {"forward": Forward}
    dtypes = ("float32", "float64")

    @classmethod
    def _load(cls) -> Any:
        import toydual

        return toydual

    @property
    def xp(self) -> Namespace:
        return XP

    # its arrays are numpy arrays, converted as the numpy adapter converts them
    from_numpy = NumpyAdapter.from_numpy
    to_numpy = NumpyAdapter.to_numpy

    def _like(self, a: np.ndarray, x: Any) -> Any:
        return np.asarray(a, dtype=dtype(x))
