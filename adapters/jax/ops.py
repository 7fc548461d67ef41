"""How JAX's public functions of the op table are called where the table's default call does not fit.

Each entry: public name -> ``(f, *args, **params) -> value``. The op table's convolution rows name
torch's keywords (stride, dilation, groups) and layout (N, C, *spatial; weights O, I, *kernel), which
is also ``jax.lax``'s default dimension numbers; scipy-style functions that take a factorization are
given the framework's own factorization of the matrix.
"""

from __future__ import annotations

from typing import Any, Callable


def _keywords(**fixed: Any) -> Callable:
    """f(*args, **fixed, **params): a function that wants some arguments by keyword."""
    return lambda f, *args, **params: f(*args, **fixed, **params)


def _norm_keywords(f: Callable, x: Any, ord: Any, axis: Any) -> Any:
    return f(x, ord=ord, axis=axis)


def _matrix_norm(f: Callable, x: Any, ord: Any, axis: Any) -> Any:
    return f(x, ord=ord)  # jnp.linalg.matrix_norm reduces the last two axes; no axis argument


def _conv(f: Callable, x: Any, w: Any, stride: int = 1, dilation: int = 1, groups: int = 1) -> Any:
    nd = x.ndim - 2
    return f(x, w, (stride,) * nd, "VALID", rhs_dilation=(dilation,) * nd, feature_group_count=groups)


def _lax_conv(f: Callable, x: Any, w: Any, stride: int = 1, dilation: int = 1, groups: int = 1) -> Any:
    if dilation != 1 or groups != 1:
        raise TypeError("jax.lax.conv takes neither dilation nor groups")
    return f(x, w, (stride,) * (x.ndim - 2), "VALID")


def _conv_transpose(f: Callable, x: Any, w: Any, stride: int) -> Any:
    """torch's conv_transpose2d weight (C_in, C_out, kH, kW) is the forward convolution's OIHW
    kernel: transpose_kernel=True makes lax.conv_transpose the gradient of that convolution."""
    return f(x, w, (stride, stride), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"), transpose_kernel=True)


def _max_window(f: Callable, x: Any, k: int) -> Any:
    import jax
    import jax.numpy as jnp

    window = (1,) * (x.ndim - 2) + (k, k)
    return f(x, -jnp.inf, jax.lax.max, window, window, "VALID")


def _resize(f: Callable, x: Any, size: int, mode: str, align_corners: bool) -> Any:
    if align_corners:
        raise TypeError("jax.image.resize has no align_corners")
    return f(x, x.shape[:-1] + (size,), mode)


def _cho_solve(f: Callable, s: Any, b: Any) -> Any:
    import jax.numpy as jnp

    return f((jnp.linalg.cholesky(s), True), b)


def _lu_solve(f: Callable, a: Any, b: Any) -> Any:
    import jax.scipy.linalg as jsl

    return f(jsl.lu_factor(a), b)


BINDINGS: dict[str, Callable] = {
    "jax.numpy.linalg.vector_norm": _norm_keywords,
    "jax.numpy.linalg.matrix_norm": _matrix_norm,
    "jax.lax.conv_general_dilated": _conv,
    "jax.lax.conv": _lax_conv,
    "jax.lax.conv_transpose": _conv_transpose,
    "jax.lax.reduce_window": _max_window,
    "jax.image.resize": _resize,
    "jax.scipy.linalg.cholesky": _keywords(lower=True),
    "jax.scipy.linalg.cho_solve": _cho_solve,
    "jax.scipy.linalg.solve_triangular": _keywords(lower=True),
    "jax.lax.linalg.triangular_solve": _keywords(left_side=True, lower=True),
    "jax.scipy.linalg.lu_solve": _lu_solve,
    "jax.scipy.linalg.qr": _keywords(mode="economic"),
}


# ---------------------------------------------------------------- catalog growth (conformance/ops/manipulation.py,
# statistics.py, fft.py): numpy-style arguments as jax.lax's explicit forms
def _lax_expand_dims(f: Callable, x: Any, axis: int) -> Any:
    return f(x, (axis,))


def _lax_pad(f: Callable, x: Any, widths: Any) -> Any:
    """lax.pad's (low, high, interior) per axis, padding value 0."""
    return f(x, x.dtype.type(0), [(int(lo), int(hi), 0) for lo, hi in widths])


def _slice_in_dim(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    return f(x, start, start + length, axis=dim)


def _dynamic_slice_in_dim(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    return f(x, start, length, axis=dim)


def _lax_slice(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    starts = [start if d == dim else 0 for d in range(x.ndim)]
    limits = [start + length if d == dim else n for d, n in enumerate(x.shape)]
    return f(x, starts, limits)


def _dynamic_slice(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    starts = [start if d == dim else 0 for d in range(x.ndim)]
    sizes = [length if d == dim else n for d, n in enumerate(x.shape)]
    return f(x, starts, sizes)


def _dot_general(f: Callable, a: Any, b: Any) -> Any:
    """A @ B as a contraction of A's last axis with B's first."""
    return f(a, b, (([a.ndim - 1], [0]), ([], [])))


BINDINGS.update(
    {
        "jax.lax.expand_dims": _lax_expand_dims,
        "jax.lax.pad": _lax_pad,
        "jax.lax.slice_in_dim": _slice_in_dim,
        "jax.lax.dynamic_slice_in_dim": _dynamic_slice_in_dim,
        "jax.lax.slice": _lax_slice,
        "jax.lax.dynamic_slice": _dynamic_slice,
        "jax.lax.dot_general": _dot_general,
    }
)
BINDINGS.update({"jax.numpy.concat": lambda f, arrays, axis: f(arrays, axis=axis)})  # axis keyword-only


def _constant_first(f: Callable, x: Any, **params: Any) -> Any:
    """f(c, x) with the single parameter c as a scalar of x's dtype: jax.lax's binary special functions
    (igamma, igammac, zeta, polygamma) want both arguments floating and of one dtype (a Python int, or
    a Python float under x64 beside a float32 x, is refused)."""
    import jax.numpy as jnp

    (value,) = params.values()
    return f(jnp.asarray(value, dtype=x.dtype), x)


BINDINGS.update(
    {name: _constant_first for name in ("jax.lax.igamma", "jax.lax.igammac", "jax.lax.zeta", "jax.lax.polygamma")}
)
