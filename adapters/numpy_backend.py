"""The NumPy numerical reference: every operator computed without AD.

Variants: ``richardson`` (central differences with Richardson extrapolation, Ridders' method) and
``complex_step`` (Im f(x + ihv)/h for first derivatives, exact to rounding where f is analytic;
second and higher derivatives by Richardson on top). Computation runs in float64 (complex128 for
complex inputs) whatever the input dtype; results are cast back to it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance import finite_differences as fd

from .base import Adapter, Namespace


def _logsumexp(x, axis=None, keepdims=False):
    """log Σ exp(x), shifted by the max real part for stability."""
    m = np.max(np.real(x), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _softplus(x):
    """log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)) (for complex inputs: log1p(eˣ))."""
    if np.iscomplexobj(x):
        return np.log1p(np.exp(x))
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x):
    """1 / (1 + e^(−x))."""
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x, axis=-1):
    return np.exp(x - _logsumexp(x, axis=axis, keepdims=True))


def _log_softmax(x, axis=-1):
    return x - _logsumexp(x, axis=axis, keepdims=True)


def _xp() -> Namespace:
    import scipy.special as sp

    linalg = Namespace("numpy.linalg", np.linalg)
    return Namespace("numpy", np, {
        "erf": sp.erf, "erfc": sp.erfc, "sigmoid": _sigmoid, "softplus": _softplus,
        "relu": lambda x: np.maximum(x, 0), "logsumexp": _logsumexp, "softmax": _softmax,
        "log_softmax": _log_softmax,
    }, linalg=linalg)


class NumpyAdapter(Adapter):
    name = "numpy"
    order = 0
    color = "#4c72b0"
    module = "numpy"
    distribution = "numpy"
    install = "pip install numpy"
    variants = ("richardson", "complex_step")
    variant_doc = {
        "richardson": "central differences + Richardson extrapolation (Ridders)",
        "complex_step": "complex step Im f(x+ihv)/h for first derivatives",
    }
    dtypes = ("float32", "float64", "complex128")
    relative_cost = 1.5  # task seconds vs torch's in a full `conformance run` (2-core CPU, ci profile)
    # Complex gradient convention (conformance.edges.complex normalizes by it): the numerical reference conjugates like PyTorch (vjp = conj(J)ᵀu)
    complex_grad_convention = "direct"
    is_reference = True

    @classmethod
    def _load(cls) -> Any:
        return np

    _XP: Namespace | None = None

    @property
    def xp(self) -> Namespace:
        if NumpyAdapter._XP is None:
            NumpyAdapter._XP = _xp()
        return NumpyAdapter._XP

    def from_numpy(self, array: Any, dtype: str | None = None, device: str | None = None) -> Any:
        self._check_device(device)
        self._check_dtype(dtype)
        return np.array(array, dtype=dtype or np.asarray(array).dtype)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def _like(self, a: np.ndarray, x: Any) -> Any:
        return np.asarray(a, dtype=np.asarray(x).dtype)

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _wide(x: Any) -> np.ndarray:
        x = np.asarray(x)
        return x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)

    @staticmethod
    def _back(value: Any, like: Any) -> np.ndarray:
        like = np.asarray(like)
        value = np.asarray(value)
        if not np.iscomplexobj(like):
            value = np.real(value)
        return value.astype(np.result_type(like.dtype, value.dtype) if np.iscomplexobj(value) else like.dtype)

    def _first(self, f: Callable, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """J v in float64 by this variant's first-derivative method."""
        if self.variant == "complex_step" and not np.iscomplexobj(x):
            return fd.jvp_complex_step(f, x, v)
        return fd.jvp(f, x, v)[0]

    def _wide_fn(self, f: Callable) -> Callable:
        return lambda z: np.asarray(f(z))

    # ------------------------------------------------------------ operators
    def _grad(self, f: Callable, argnums: Any) -> Callable:
        def gradient(*args: Any) -> Any:
            wide = [self._wide(a) for a in args]
            grads = []
            for i in ([argnums] if isinstance(argnums, int) else argnums):
                def fi(z, i=i):
                    return np.asarray(f(*wide[:i], z, *wide[i + 1:]))
                grads.append(self._back(self._jacobian_of(fi, wide[i]), args[i]))
            return grads[0] if isinstance(argnums, int) else tuple(grads)

        return gradient

    def _jacobian_of(self, f: Callable, x: np.ndarray) -> np.ndarray:
        if self.variant == "complex_step" and not np.iscomplexobj(x):
            basis = np.eye(x.size).reshape((x.size,) + x.shape)
            out_shape = np.shape(f(x))
            cols = [fd.jvp_complex_step(f, x, e) for e in basis]
            return np.stack(cols, axis=-1).reshape(out_shape + x.shape) if cols else np.zeros(out_shape + x.shape)
        return fd.jacobian(f, x)[0]

    def _jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        xw, vw = self._wide(x), self._wide(v)
        y = f(x)
        return y, self._back(self._first(self._wide_fn(f), xw, vw), y)

    def _vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        y = f(x)
        J = self._jacobian_of(self._wide_fn(f), self._wide(x))
        uw = self._wide(u)
        ct = np.tensordot(np.conj(uw) if np.iscomplexobj(J) else uw, J, axes=uw.ndim)
        return y, self._back(np.conj(ct) if np.iscomplexobj(ct) else ct, x)

    def _jacobian_fwd(self, f: Callable) -> Callable:
        return lambda x: self._back(self._jacobian_of(self._wide_fn(f), self._wide(x)), f(x))

    _jacobian_rev = _jacobian_fwd  # numerically there is one Jacobian; both modes share it

    def _hessian(self, f: Callable) -> Callable:
        def hessian(x: Any) -> Any:
            xw = self._wide(x)
            if self.variant == "complex_step" and not np.iscomplexobj(xw):
                g = lambda z: self._jacobian_of(self._wide_fn(f), z)  # noqa: E731
                H = fd.jacobian(g, xw)[0]
                H = 0.5 * (H + np.swapaxes(H.reshape(xw.size, xw.size), 0, 1).reshape(H.shape))
            else:
                H = fd.hessian(self._wide_fn(f), xw)[0]
            return self._back(H, x)

        return hessian

    def _hvp(self, f: Callable, x: Any, v: Any) -> Any:
        H = np.asarray(self._hessian(f)(x)).reshape(np.size(x), np.size(x))
        return self._back((H @ self._wide(v).reshape(-1)).reshape(np.shape(x)), x)

    def _derivative(self, f: Callable, order: int) -> Callable:
        def derivative(x: Any) -> Any:
            xw = self._wide(x)
            if order == 1:
                val = self._first(self._wide_fn(f), xw, np.ones_like(xw))
            else:
                val = fd.derivative(self._wide_fn(f), xw, order)[0]
            return self._back(val, x)

        return derivative

    def _value_and_grad(self, f: Callable, argnums: Any) -> Callable:
        g = self._grad(f, argnums)
        return lambda *args: (f(*args), g(*args))

