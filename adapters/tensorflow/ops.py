"""How TensorFlow's public functions of the op table are called where the table's default call does
not fit.

Each entry: public name -> ``(f, *args, **params) -> value``. TensorFlow's binary special functions
want every argument as a tensor of one dtype (a Python number becomes an int32 or float32 tensor and
the call fails), and some activations name their parameters otherwise.
"""

from __future__ import annotations

from typing import Any, Callable


def _constant_first(f: Callable, x: Any, **params: Any) -> Any:
    """f(c, x) with the single parameter c as a constant tensor of x's dtype and shape."""
    import tensorflow as tf

    (value,) = params.values()
    return f(tf.fill(tf.shape(x), tf.constant(value, dtype=x.dtype)), x)


def _leaky_relu(f: Callable, x: Any, negative_slope: float) -> Any:
    return f(x, alpha=negative_slope)  # tf.nn.leaky_relu calls the slope alpha


BINDINGS: dict[str, Callable] = {
    "tf.math.polygamma": _constant_first,
    "tf.math.zeta": _constant_first,
    "tf.math.igamma": _constant_first,
    "tf.math.igammac": _constant_first,
    "tf.nn.leaky_relu": _leaky_relu,
}


# ---------------------------------------------------------------- the native-op catalog (issue 18)
# The op table's convolution and pooling rows lay inputs out as torch does (N, C, *spatial; weights
# O, I, *kernel); TF's functions want channels last and HWIO filters: transposed here, both ways.
def _channels_last(x: Any) -> Any:
    import tensorflow as tf

    return tf.transpose(x, [0, *range(2, len(x.shape)), 1])


def _channels_first(y: Any) -> Any:
    import tensorflow as tf

    n = len(y.shape)
    return tf.transpose(y, [0, n - 1, *range(1, n - 1)])


def _filters(w: Any) -> Any:
    """(O, I, *kernel) -> (*kernel, I, O)."""
    import tensorflow as tf

    n = len(w.shape)
    return tf.transpose(w, [*range(2, n), 1, 0])


def _conv(f: Callable, x: Any, w: Any, stride: int = 1, dilation: int = 1, groups: int = 1) -> Any:
    """conv1d / conv2d / convolution: groups follow from the filter's input channels (C / groups)."""
    return _channels_first(f(_channels_last(x), _filters(w), stride, "VALID", dilations=dilation))


def _convolution(f: Callable, x: Any, w: Any, stride: int = 1, dilation: int = 1, groups: int = 1) -> Any:
    return _channels_first(f(_channels_last(x), _filters(w), strides=stride, padding="VALID", dilations=dilation))


def _conv2d_transpose(f: Callable, x: Any, w: Any, stride: int) -> Any:
    """torch's (C_in, C_out, kH, kW) weight is TF's (kH, kW, C_out, C_in) filter."""
    import tensorflow as tf

    n, _, h, wd = x.shape
    _, cout, kh, kw = w.shape
    shape = [n, (h - 1) * stride + kh, (wd - 1) * stride + kw, cout]
    return _channels_first(f(_channels_last(x), tf.transpose(w, [2, 3, 1, 0]), shape, stride, "VALID"))


def _pool(f: Callable, x: Any, k: int) -> Any:
    return _channels_first(f(_channels_last(x), k, k, "VALID"))


def _resize(f: Callable, x: Any, size: int, mode: str, align_corners: bool) -> Any:
    """(N, C, L) as an (N, L, 1, C) image resized to (size, 1), bilinear with half-pixel centres."""
    if align_corners or mode != "linear":
        raise TypeError("tf.image.resize: half-pixel linear only")
    img = _channels_last(x)[:, :, None, :]
    return _channels_first(f(img, (size, 1), method="bilinear")[:, :, 0, :])


def _complex(x: Any) -> Any:
    import tensorflow as tf

    return tf.complex(x, tf.zeros_like(x))


def _fft(f: Callable, x: Any) -> Any:
    """tf.signal's complex transforms want a complex tensor: x + 0i in x's precision."""
    return f(_complex(x))


def _irfft(f: Callable, x: Any, n: int) -> Any:
    return f(_complex(x), fft_length=[n])


def _gather(f: Callable, x: Any, index: Any, axis: int) -> Any:
    """numpy's take (1-D ids) or take_along_axis (ids of x's rank) through tf.gather."""
    batch = axis if getattr(index, "ndim", 1) == len(x.shape) else 0
    return f(x, index, axis=axis, batch_dims=batch)


def _embedding_lookup(f: Callable, x: Any, ids: Any, axis: int) -> Any:
    return f(x, ids)


def _segment_sum(f: Callable, x: Any, ids: Any, n: int) -> Any:
    return f(x, ids)  # the number of segments follows from the sorted ids


def _wrap(f: Callable, *args: Any) -> Any:
    """A function returning only the solution, as the first part of a tuple (numpy's lstsq)."""
    return (f(*args),)


def _cholesky_solve(f: Callable, s: Any, b: Any) -> Any:
    import tensorflow as tf

    return f(tf.linalg.cholesky(s), b)


def _lu_solve(f: Callable, a: Any, b: Any) -> Any:
    import tensorflow as tf

    lu, perm = tf.linalg.lu(a)
    return f(lu, perm, b)


def _svd(f: Callable, a: Any) -> Any:
    """tf.linalg.svd returns (s, U, V): as (U, s, Vᴴ), numpy's order."""
    import tensorflow as tf

    s, u, v = f(a)
    return u, s, tf.linalg.adjoint(v)


def _labels(f: Callable, x: Any, labels: Any) -> Any:
    return f(labels=labels, logits=x)


def _soft_labels(f: Callable, x: Any, targets: Any, label_smoothing: float = 0.0) -> Any:
    """softmax_cross_entropy_with_logits takes a distribution: the one-hot targets, smoothed as
    torch's label_smoothing does ((1 − ε)·onehot + ε/K)."""
    import numpy as np
    import tensorflow as tf

    k = x.shape[-1]
    q = (1 - label_smoothing) * np.eye(k)[np.asarray(targets)] + label_smoothing / k
    return f(labels=tf.constant(q, dtype=x.dtype), logits=x)


BINDINGS.update(
    {
        "tf.nn.conv1d": _conv,
        "tf.nn.conv2d": _conv,
        "tf.nn.convolution": _convolution,
        "tf.nn.conv2d_transpose": _conv2d_transpose,
        "tf.nn.max_pool2d": _pool,
        "tf.nn.max_pool": _pool,
        "tf.nn.avg_pool2d": _pool,
        "tf.nn.avg_pool": _pool,
        "tf.image.resize": _resize,
        "tf.signal.fft": _fft,
        "tf.signal.ifft": _fft,
        "tf.signal.fft2d": _fft,
        "tf.signal.irfft": _irfft,
        "tf.gather": _gather,
        "tf.nn.embedding_lookup": _embedding_lookup,
        "tf.math.segment_sum": _segment_sum,
        "tf.linalg.lstsq": _wrap,
        "tf.linalg.cholesky_solve": _cholesky_solve,
        "tf.linalg.lu_solve": _lu_solve,
        "tf.linalg.svd": _svd,
        "tf.nn.sparse_softmax_cross_entropy_with_logits": _labels,
        "tf.nn.sigmoid_cross_entropy_with_logits": _labels,
        "tf.nn.softmax_cross_entropy_with_logits": _soft_labels,
    }
)


# ---------------------------------------------------------------- catalog growth (conformance/ops/elementwise.py,
# manipulation.py, statistics.py, fft.py)
def _add_n(f: Callable, a: Any, b: Any) -> Any:
    """tf.math.add_n sums a list of tensors: add_n([a, b])."""
    return f([a, b])


def _polyval(f: Callable, x: Any, coeffs: Any) -> Any:
    """tf.math.polyval takes the coefficients as a list of tensors (highest power first) of x's dtype."""
    import tensorflow as tf

    return f([tf.constant(float(c), dtype=x.dtype) for c in coeffs], x)


BINDINGS.update(
    {
        "tf.math.add_n": _add_n,
        "tf.math.polyval": _polyval,
    }
)


def _band_part(f: Callable, x: Any, lower: bool) -> Any:
    """tril / triu as tf.linalg.band_part(x, num_lower, num_upper) (−1: keep all)."""
    return f(x, -1, 0) if lower else f(x, 0, -1)


def _tf_slice(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    begin = [start if d == dim else 0 for d in range(len(x.shape))]
    size = [length if d == dim else -1 for d in range(len(x.shape))]
    return f(x, begin, size)


def _strided_slice(f: Callable, x: Any, dim: int, start: int, length: int) -> Any:
    begin = [start if d == dim else 0 for d in range(len(x.shape))]
    end = [start + length if d == dim else int(n) for d, n in enumerate(x.shape)]
    return f(x, begin, end)


def _gather_nd_flat(f: Callable, x: Any, flat: Any) -> Any:
    """Flat (row-major) indices as tf.gather_nd's multi-indices."""
    import numpy as np

    return f(x, np.stack(np.unravel_index(np.asarray(flat), tuple(x.shape)), axis=-1))


def _tnp_flip(f: Callable, x: Any, axes: Any) -> Any:
    """tf.experimental.numpy.flip takes one integer axis."""
    (axis,) = axes
    return f(x, axis)


def _tnp_pad(f: Callable, x: Any, widths: Any, mode: str = "constant") -> Any:
    """tf.experimental.numpy.pad wants its mode positionally."""
    return f(x, widths, mode)


BINDINGS.update(
    {
        "tf.experimental.numpy.flip": _tnp_flip,
        "tf.experimental.numpy.pad": _tnp_pad,
        "tf.linalg.band_part": _band_part,
        "tf.slice": _tf_slice,
        "tf.strided_slice": _strided_slice,
        "tf.gather_nd": _gather_nd_flat,
    }
)


def _normalize(f: Callable, x: Any, axis: int) -> Any:
    """tf.linalg.normalize returns (x / ‖x‖, ‖x‖): the normalized tensor."""
    return f(x, axis=axis)[0]


def _batch_normalization(f: Callable, x: Any) -> Any:
    """Standardization along the last axis: tf.nn.batch_normalization given that axis's moments
    (tf.nn.moments), no offset or scale, ε = 1e-5 (the other frameworks' default)."""
    import tensorflow as tf

    mean, var = tf.nn.moments(x, axes=[len(x.shape) - 1], keepdims=True)
    return f(x, mean, var, None, None, 1e-5)


BINDINGS.update(
    {
        "tf.linalg.normalize": _normalize,
        "tf.nn.batch_normalization": _batch_normalization,
        "tf.math.segment_mean": _segment_sum,
        "tf.math.segment_max": _segment_sum,
        "tf.math.segment_min": _segment_sum,
        "tf.math.segment_prod": _segment_sum,
    }
)


def _irfft_n(f: Callable, x: Any, shape: Any) -> Any:
    """tf.signal.irfft2d / irfft3d: a complex half spectrum and the output's fft_length."""
    return f(_complex(x), fft_length=list(shape))


BINDINGS.update(
    {
        "tf.signal.ifft2d": _fft,
        "tf.signal.fft3d": _fft,
        "tf.signal.ifft3d": _fft,
        "tf.signal.irfft2d": _irfft_n,
        "tf.signal.irfft3d": _irfft_n,
    }
)
