"""Convolutions, pooling, interpolation and the FFT family by each framework's own functions.

Inputs are laid out as torch's (N, C, *spatial) and weights as (O, C/groups, *kernel); a framework
with another layout (TF: channels last, HWIO filters) transposes in its binding, which changes no
arithmetic. The oracles are the defining sums, written against xp: a convolution as a sum over
kernel offsets of strided slices times the weights, a transposed convolution as the scatter of
x ⊗ w, linear interpolation as its exact weight matrix (sizes doubled: half-pixel positions are
binary fractions), and each FFT as the explicit DFT sum (``xp.fft`` in mpmath). Complex outputs are
checked through fixed real weights of their real and imaginary parts.
"""

from __future__ import annotations

import numpy as np

from .inputs import fixed
from .table import Op

W1 = fixed(601, (2, 2, 3))  # conv1d: (O, C, K)
W1D = fixed(602, (2, 2, 2))  # conv1d, stride 2, dilation 2
W2 = fixed(603, (2, 1, 2, 2))  # conv2d (groups = 2 on 2 channels too)
WT = fixed(604, (1, 2, 2, 2))  # conv_transpose2d: (C_in, C_out, kH, kW)
H = fixed(605, (3,))  # convolve's kernel
RE = {n: fixed(610 + n, (n,)) for n in (5, 8)}
IM = {n: fixed(620 + n, (n,)) for n in (5, 8)}
RE2, IM2 = fixed(631, (2, 4)), fixed(632, (2, 4))


def _c(xp, x, a):
    return xp.asarray(a, like=x)


def _conv(xp, x, w, stride=1, dilation=1, groups=1):
    """y[n, o, p] = Σ_{c in o's group, k} x[n, c, p·stride + k·dilation] w[o, c, k] (p, k multi-indices)."""
    w = _c(xp, x, w)
    spatial, kernel = x.shape[2:], w.shape[2:]
    size = [(n - dilation * (k - 1) - 1) // stride + 1 for n, k in zip(spatial, kernel)]
    og, cg = w.shape[0] // groups, w.shape[1]
    outs = []
    for g in range(groups):
        acc = None
        for k in np.ndindex(*kernel):
            win = tuple(slice(j * dilation, j * dilation + (o - 1) * stride + 1, stride) for j, o in zip(k, size))
            patch = xp.reshape(x[(slice(None), slice(g * cg, (g + 1) * cg)) + win], (x.shape[0], cg, -1))
            term = xp.matmul(w[(slice(g * og, (g + 1) * og), slice(None)) + k], patch)
            acc = term if acc is None else acc + term
        outs.append(acc)
    y = xp.concatenate(outs, axis=1) if groups > 1 else outs[0]
    return xp.reshape(y, (x.shape[0], w.shape[0], *size))


def _conv_transpose2d(xp, x, stride):
    """y[n, o, i·s + a, j·s + b] += Σ_c x[n, c, i, j] w[c, o, a, b]: the scatter of x ⊗ w (numpy
    arrays: the oracle namespaces' arrays, float or mpf objects)."""
    n, _, h, wd = x.shape
    cin, cout, kh, kw = WT.shape
    w = _c(xp, x, WT)
    out = np.zeros((n, cout, (h - 1) * stride + kh, (wd - 1) * stride + kw), dtype=np.asarray(x).dtype)
    flat = xp.reshape(x, (n, cin, h * wd))
    for a in range(kh):
        for b in range(kw):
            term = xp.reshape(xp.matmul(xp.transpose(w[:, :, a, b]), flat), (n, cout, h, wd))
            out[:, :, a : a + (h - 1) * stride + 1 : stride, b : b + (wd - 1) * stride + 1 : stride] += term
    return out


def _pool(reduce_, xp, x):
    """2×2 windows, stride 2, of an (N, C, 4, 4) input."""
    n, c, h, w = x.shape
    blocks = xp.reshape(x, (n, c, h // 2, 2, w // 2, 2))
    return reduce_(blocks, axis=(3, 5))


def _linear_weights(n_in: int, n_out: int, align_corners: bool) -> np.ndarray:
    """M with y = M x for linear interpolation (torch's source positions, clamped to [0, n_in − 1])."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        if align_corners:
            src = i * (n_in - 1) / (n_out - 1)
        else:
            src = max((i + 0.5) * n_in / n_out - 0.5, 0.0)
        lo = min(int(np.floor(src)), n_in - 1)
        hi = min(lo + 1, n_in - 1)
        t = src - lo
        m[i, lo] += 1 - t
        m[i, hi] += t
    return m


M_HALF = _linear_weights(4, 8, False)
M_CORNERS = _linear_weights(4, 7, True)


def _convolve_matrix(n: int) -> np.ndarray:
    """T with T x = the full convolution x * h: T[i, j] = h[i − j]."""
    t = np.zeros((n + len(H) - 1, n))
    for j in range(n):
        t[j : j + len(H), j] = H
    return t


def _reim(re, im):
    def out(xp, y):
        return xp.real(y) * _c(xp, xp.real(y), re) + xp.imag(y) * _c(xp, xp.real(y), im)

    return out


def _fft_oracle(transform, re, im):
    def oracle(xp, x):
        return _reim(re, im)(xp, getattr(xp.fft, transform)(x))

    return oracle


def _distinct(rng, shape):
    """Every entry distinct (≥ 4/(n − 1) · 0.8 apart): a shuffled grid on [−2, 2], jittered."""
    n = int(np.prod(shape))
    step = 4.0 / (n - 1)
    grid = np.linspace(-2.0, 2.0, n) + rng.uniform(-0.1, 0.1, n) * step
    return rng.permutation(grid).reshape(shape)


def _distinct_valid(x):
    s = np.sort(np.asarray(x).reshape(-1))
    return None if np.min(np.diff(s)) > 1e-3 else "tied entries (max's derivative is a convention)"


CONV = {
    "torch": ("torch.nn.functional.conv1d",),
    "jax": ("jax.lax.conv_general_dilated", "jax.lax.conv"),
    "tensorflow": ("tf.nn.conv1d", "tf.nn.convolution"),
}
CONV2 = {
    "torch": ("torch.nn.functional.conv2d",),
    "jax": ("jax.lax.conv_general_dilated", "jax.lax.conv"),
    "tensorflow": ("tf.nn.conv2d", "tf.nn.convolution"),
}


def _no_lax_conv(names):
    """jax.lax.conv has no dilation or groups, and tf.nn.convolution refuses a stride > 1 with a
    dilation > 1 (documented): such rows name only conv_general_dilated and TF's conv1d/conv2d."""
    return {**names, "jax": ("jax.lax.conv_general_dilated",), "tensorflow": names["tensorflow"][:1]}


OPS: list[Op] = [
    Op(
        "conv1d_valid",
        "nn",
        None,
        CONV,
        oracle=lambda xp, x: _conv(xp, x, W1),
        args=lambda xp, x: (x, _c(xp, x, W1)),
        params={"stride": 1, "dilation": 1, "groups": 1},
        shapes=((1, 2, 5),),
        special=[("ones", np.ones((1, 2, 5)))],
        doc="1-D cross-correlation, 2 → 2 channels, kernel 3",
    ),
    Op(
        "conv1d_strided_dilated",
        "nn",
        None,
        _no_lax_conv(CONV),
        oracle=lambda xp, x: _conv(xp, x, W1D, stride=2, dilation=2),
        args=lambda xp, x: (x, _c(xp, x, W1D)),
        params={"stride": 2, "dilation": 2, "groups": 1},
        shapes=((1, 2, 7),),
        special=[("ones", np.ones((1, 2, 7)))],
        doc="1-D cross-correlation, stride 2, dilation 2",
    ),
    Op(
        "conv2d",
        "nn",
        None,
        CONV2,
        oracle=lambda xp, x: _conv(xp, x, W2),
        args=lambda xp, x: (x, _c(xp, x, W2)),
        params={"stride": 1, "dilation": 1, "groups": 1},
        shapes=((1, 1, 4, 4),),
        special=[("ones", np.ones((1, 1, 4, 4)))],
        doc="2-D cross-correlation, 1 → 2 channels, 2×2 kernel",
    ),
    Op(
        "conv2d_groups",
        "nn",
        None,
        _no_lax_conv(CONV2),
        oracle=lambda xp, x: _conv(xp, x, W2, groups=2),
        args=lambda xp, x: (x, _c(xp, x, W2)),
        params={"stride": 1, "dilation": 1, "groups": 2},
        shapes=((1, 2, 2, 4),),
        special=[("ones", np.ones((1, 2, 2, 4)))],
        doc="2-D cross-correlation, 2 groups of one channel",
    ),
    Op(
        "conv_transpose2d",
        "nn",
        None,
        {
            "torch": ("torch.nn.functional.conv_transpose2d",),
            "jax": ("jax.lax.conv_transpose",),
            "tensorflow": ("tf.nn.conv2d_transpose",),
        },
        oracle=lambda xp, x: _conv_transpose2d(xp, x, 2),
        args=lambda xp, x: (x, _c(xp, x, WT)),
        params={"stride": 2},
        shapes=((1, 1, 2, 3),),
        special=[("ones", np.ones((1, 1, 2, 3)))],
        doc="transposed 2-D convolution, stride 2, 1 → 2 channels",
    ),
    Op(
        "convolve",
        "nn",
        None,
        {"jax": ("jax.numpy.convolve",), "numpy": ("numpy.convolve", "scipy.signal.convolve")},
        oracle=lambda xp, x: xp.matmul(_c(xp, x, _convolve_matrix(5)), x),
        args=lambda xp, x: (x, _c(xp, x, H)),
        shapes=((5,),),
        special=[("impulse", np.eye(5)[0])],
        doc="the full discrete convolution x * h",
    ),
    Op(
        "max_pool2d",
        "nn",
        None,
        {
            "torch": ("torch.nn.functional.max_pool2d", "torch.max_pool2d"),
            "jax": ("jax.lax.reduce_window",),
            "tensorflow": ("tf.nn.max_pool2d", "tf.nn.max_pool"),
        },
        oracle=lambda xp, x: _pool(xp.max, xp, x),
        args=lambda xp, x: (x, 2),
        shapes=((1, 1, 4, 4),),
        make_input=_distinct,
        valid=_distinct_valid,
        special=[("ramp", np.arange(16.0).reshape(1, 1, 4, 4))],
        doc="max over 2×2 windows, stride 2 (distinct entries)",
    ),
    Op(
        "avg_pool2d",
        "nn",
        None,
        {"torch": ("torch.nn.functional.avg_pool2d",), "tensorflow": ("tf.nn.avg_pool2d", "tf.nn.avg_pool")},
        oracle=lambda xp, x: _pool(xp.mean, xp, x),
        args=lambda xp, x: (x, 2),
        shapes=((1, 1, 4, 4),),
        special=[("ones", np.ones((1, 1, 4, 4)))],
        doc="mean over 2×2 windows, stride 2",
    ),
    Op(
        "interpolate_linear",
        "nn",
        None,
        {
            "torch": ("torch.nn.functional.interpolate",),
            "jax": ("jax.image.resize",),
            "tensorflow": ("tf.image.resize",),
        },
        oracle=lambda xp, x: xp.matmul(x, _c(xp, x, M_HALF.T)),
        params={"size": 8, "mode": "linear", "align_corners": False},
        shapes=((1, 1, 4),),
        special=[("ramp", np.arange(4.0).reshape(1, 1, 4))],
        doc="linear upsampling 4 → 8, half-pixel centres, edges clamped",
    ),
    Op(
        "interpolate_linear_align_corners",
        "nn",
        None,
        {"torch": ("torch.nn.functional.interpolate",)},
        oracle=lambda xp, x: xp.matmul(x, _c(xp, x, M_CORNERS.T)),
        params={"size": 7, "mode": "linear", "align_corners": True},
        shapes=((1, 1, 4),),
        special=[("ramp", np.arange(4.0).reshape(1, 1, 4))],
        doc="linear upsampling 4 → 7, corners aligned",
    ),
    Op(
        "fft",
        "nn",
        None,
        {
            "torch": ("torch.fft.fft",),
            "jax": ("jax.numpy.fft.fft",),
            "tensorflow": ("tf.signal.fft",),
            "numpy": ("numpy.fft.fft", "scipy.fft.fft"),
        },
        oracle=_fft_oracle("fft", RE[8], IM[8]),
        out=_reim(RE[8], IM[8]),
        shapes=((8,),),
        special=[("impulse", np.eye(8)[0]), ("constant", np.ones(8))],
        doc="a·Re X + b·Im X of the DFT X of a real x (fixed a, b)",
    ),
    Op(
        "ifft",
        "nn",
        None,
        {
            "torch": ("torch.fft.ifft",),
            "jax": ("jax.numpy.fft.ifft",),
            "tensorflow": ("tf.signal.ifft",),
            "numpy": ("numpy.fft.ifft", "scipy.fft.ifft"),
        },
        oracle=_fft_oracle("ifft", RE[8], IM[8]),
        out=_reim(RE[8], IM[8]),
        shapes=((8,),),
        special=[("impulse", np.eye(8)[0]), ("constant", np.ones(8))],
        doc="a·Re x + b·Im x of the inverse DFT of a real X",
    ),
    Op(
        "rfft",
        "nn",
        None,
        {
            "torch": ("torch.fft.rfft",),
            "jax": ("jax.numpy.fft.rfft",),
            "tensorflow": ("tf.signal.rfft",),
            "numpy": ("numpy.fft.rfft", "scipy.fft.rfft"),
        },
        oracle=_fft_oracle("rfft", RE[5], IM[5]),
        out=_reim(RE[5], IM[5]),
        shapes=((8,),),
        special=[("impulse", np.eye(8)[0]), ("constant", np.ones(8))],
        doc="a·Re X + b·Im X of the half spectrum X₀..X₄ of a real x of length 8",
    ),
    Op(
        "irfft",
        "nn",
        None,
        {
            "torch": ("torch.fft.irfft",),
            "jax": ("jax.numpy.fft.irfft",),
            "tensorflow": ("tf.signal.irfft",),
            "numpy": ("numpy.fft.irfft", "scipy.fft.irfft"),
        },
        oracle=lambda xp, x: xp.fft.irfft(x, 8),
        args=lambda xp, x: (x, 8),
        shapes=((5,),),
        special=[("impulse", np.eye(5)[0]), ("Nyquist only", np.eye(5)[4])],
        doc="the real signal of length 8 whose half spectrum is the real x₀..x₄",
    ),
    Op(
        "fft2",
        "nn",
        None,
        {
            "torch": ("torch.fft.fft2",),
            "jax": ("jax.numpy.fft.fft2",),
            "tensorflow": ("tf.signal.fft2d",),
            "numpy": ("numpy.fft.fft2", "scipy.fft.fft2"),
        },
        oracle=_fft_oracle("fft2", RE2, IM2),
        out=_reim(RE2, IM2),
        shapes=((2, 4),),
        special=[("impulse", np.eye(8)[0].reshape(2, 4))],
        doc="a·Re X + b·Im X of the 2-D DFT of a real (2, 4) x",
    ),
]
