"""The NumPy numerical reference: every operator computed without AD.

Variants: ``richardson`` (central differences with Richardson extrapolation, Ridders' method) and
``complex_step`` (Im f(x + ihv)/h for first derivatives, exact to rounding where f is analytic;
second and higher derivatives by Richardson on top). Computation runs in float64 (complex128 for
complex inputs) whatever the input dtype; results are cast back to it. Richardson's first derivatives
refuse (``KinkWithinStep``: the check skips with the reason) where a kink of f lies within the step.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance import finite_differences as fd
from conformance.errors import NotProvidedError

from ..base import Adapter, Namespace
from ..operators import Operators


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
    return Namespace(
        "numpy",
        np,
        {
            "erf": sp.erf,
            "erfc": sp.erfc,
            "sigmoid": _sigmoid,
            "softplus": _softplus,
            "relu": lambda x: np.maximum(x, 0),
            "logsumexp": _logsumexp,
            "softmax": _softmax,
            "log_softmax": _log_softmax,
        },
        linalg=linalg,
    )


def _wide(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)


def _back(value: Any, like: Any) -> np.ndarray:
    like = np.asarray(like)
    value = np.asarray(value)
    if not np.iscomplexobj(like):
        value = np.real(value)
    return value.astype(np.result_type(like.dtype, value.dtype) if np.iscomplexobj(value) else like.dtype)


def _wide_fn(f: Callable) -> Callable:
    return lambda z: np.asarray(f(z))


class KinkWithinStep(NotProvidedError):
    """The Richardson reference refuses a point where a kink of f lies within its step: its checks skip
    there with the reason (the numerical reference's own limit, not a framework's)."""


SHRINK = 4.0  # the kink test's steps h, h/4, h/16 (Ridders' tableau goes down to h/1.4⁹ ≈ h/21)
NEGLIGIBLE = 1e-10  # a shift of the central difference below 1e-10·max(1, |f|): a hundredth of the
#                    reference's 1e-8 bound (conformance.tolerance, ("exact", "fd")), it cannot fail a check


def kink_within_step(f: Callable, x: np.ndarray, v: np.ndarray, h: float) -> str | None:
    """Why central differences of f along v from step h down cannot be extrapolated, or None.

    Where f is smooth along v, s(t) = f(x+tv) − 2f(x) + f(x−tv) = t²·vᵀ∇²f v + O(t⁴) falls 16-fold per
    4-fold smaller t. Where a kink lies within h/16 (|·| at a crossing, a norm beside a row of norm ≪ h)
    s grows like t there, falls only ~4-fold, and shifts every central difference of the tableau by
    ~s(t)/2t, which extrapolation does not remove (a row of norm 1e-38 gives ∂‖x‖/∂x₁ = 0 for 1).
    Refused: an output entry whose s falls less than 8-fold (slower than t^1.5) from h to h/4 and from
    h/4 to h/16 — both, so that a smooth f whose t² and t⁴ terms cancel at one step is not refused —
    while s(h/16)/(2h/16) exceeds NEGLIGIBLE·max(1, |f|), which rounding noise (s ~ ε|f|) never does."""
    steps = [h / SHRINK**k for k in range(3)]
    with np.errstate(all="ignore"):
        f0 = np.asarray(f(x))
        s = [np.abs(np.asarray(f(x + t * v)) + np.asarray(f(x - t * v)) - 2 * f0) for t in steps]
        slow = np.isfinite(s[0]) & (s[1] * SHRINK**1.5 > s[0]) & (s[2] * SHRINK**1.5 > s[1])
        scale = np.maximum(1.0, np.where(np.isfinite(f0), np.abs(f0), 0.0))
        kink = slow & (s[2] / (2 * steps[2]) > NEGLIGIBLE * scale)
    if not np.any(kink):
        return None
    i = int(np.argmax(np.where(kink, s[2], -1.0)))
    falls = " and ".join(f"{float(s[k].flat[i] / s[k + 1].flat[i]):.3g}" for k in range(2))
    return (
        f"the Richardson reference refuses this input: f has a kink within its step h = {h:.3g} along the "
        f"direction (output entry {i}: the second difference falls {falls}-fold per 4-fold smaller step, not "
        f"~16-fold), so central differences cannot be extrapolated there"
    )


class Richardson(Operators):
    """Every operator from central differences with Richardson extrapolation, in float64."""

    apis = "central differences + Richardson extrapolation (Ridders)"

    def _first(self, f: Callable, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """J v in float64 by this variant's first-derivative method (refused at a kink within the step)."""
        self._smooth_within_step(f, x, [v])
        return fd.jvp(f, x, v)[0]

    def _jacobian_of(self, f: Callable, x: np.ndarray) -> np.ndarray:
        self._smooth_within_step(f, x, list(np.eye(x.size, dtype=x.dtype).reshape((x.size,) + x.shape)))
        return fd.jacobian(f, x)[0]

    @staticmethod
    def _smooth_within_step(f: Callable, x: np.ndarray, directions: list[np.ndarray]) -> None:
        """Raise KinkWithinStep where f has a kink within the first Richardson step along a direction
        (the step of ``fd.jvp``, or for a Jacobian the smallest over the basis, as ``fd.jacobian``)."""
        if not directions:
            return
        h = min(fd._finite_step(f, x, d, fd._step(x, d)) for d in directions)
        for d in directions:
            why = kink_within_step(f, x, d, h)
            if why is not None:
                raise KinkWithinStep(why)

    def _hessian_of(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return fd.hessian(_wide_fn(f), x)[0]

    def grad(self, f: Callable, argnums: Any) -> Callable:
        def gradient(*args: Any) -> Any:
            wide = [_wide(a) for a in args]
            grads = []
            for i in [argnums] if isinstance(argnums, int) else argnums:

                def fi(z, i=i):
                    return np.asarray(f(*wide[:i], z, *wide[i + 1 :]))

                grads.append(_back(self._jacobian_of(fi, wide[i]), args[i]))
            return grads[0] if isinstance(argnums, int) else tuple(grads)

        return gradient

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        xw, vw = _wide(x), _wide(v)
        y = f(x)
        return y, _back(self._first(_wide_fn(f), xw, vw), y)

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        y = f(x)
        J = self._jacobian_of(_wide_fn(f), _wide(x))
        uw = _wide(u)
        ct = np.tensordot(np.conj(uw) if np.iscomplexobj(J) else uw, J, axes=uw.ndim)
        return y, _back(np.conj(ct) if np.iscomplexobj(ct) else ct, x)

    def jacobian_fwd(self, f: Callable) -> Callable:
        return lambda x: _back(self._jacobian_of(_wide_fn(f), _wide(x)), f(x))

    jacobian_rev = jacobian_fwd  # numerically there is one Jacobian; both modes share it

    def hessian(self, f: Callable) -> Callable:
        return lambda x: _back(self._hessian_of(f, _wide(x)), x)

    def hvp(self, f: Callable, x: Any, v: Any) -> Any:
        H = np.asarray(self.hessian(f)(x)).reshape(np.size(x), np.size(x))
        return _back((H @ _wide(v).reshape(-1)).reshape(np.shape(x)), x)

    def derivative(self, f: Callable, order: int) -> Callable:
        def derivative(x: Any) -> Any:
            xw = _wide(x)
            if order == 1:
                val = self._first(_wide_fn(f), xw, np.ones_like(xw))
            else:
                val = fd.derivative(_wide_fn(f), xw, order)[0]
            return _back(val, x)

        return derivative


class ComplexStep(Richardson):
    """First derivatives of real inputs by the complex step (exact to rounding where f is analytic);
    higher ones by Richardson on top of it; complex inputs as ``Richardson``."""

    apis = "complex step Im f(x+ihv)/h for first derivatives"

    def _first(self, f: Callable, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(x):
            return super()._first(f, x, v)
        return fd.jvp_complex_step(f, x, v)

    def _jacobian_of(self, f: Callable, x: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(x):
            return super()._jacobian_of(f, x)
        basis = np.eye(x.size).reshape((x.size,) + x.shape)
        out_shape = np.shape(f(x))
        cols = [fd.jvp_complex_step(f, x, e) for e in basis]
        return np.stack(cols, axis=-1).reshape(out_shape + x.shape) if cols else np.zeros(out_shape + x.shape)

    def _hessian_of(self, f: Callable, x: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(x):
            return super()._hessian_of(f, x)
        g = lambda z: self._jacobian_of(_wide_fn(f), z)  # noqa: E731
        H = fd.jacobian(g, x)[0]
        return 0.5 * (H + np.swapaxes(H.reshape(x.size, x.size), 0, 1).reshape(H.shape))


class NumpyAdapter(Adapter):
    name = "numpy"
    order = 0
    color = "#4c72b0"
    module = "numpy"
    distribution = "numpy"
    companions = ("scipy", "mpmath")
    install = "pip install numpy"
    implementations = {"richardson": Richardson, "complex_step": ComplexStep}
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
