"""The FFT family beyond nn.py's 1-D and 2-D forward transforms, by each framework's own functions:
ifft2, fftn/ifftn (TF's fft3d/ifft3d), rfft2/rfftn, irfft2/irfftn, hfft/ihfft (torch's hfft2/ihfft2),
fftshift/ifftshift, the DCT (type II and its inverse, 1-D and n-D) and TF's framing and overlap-add.

Inputs are real; a complex output is checked through fixed real weights of its real and imaginary
parts (``nn._reim``), as nn.py's FFT rows are. The oracles are the mpmath namespace's explicit DFT
sums (``xp.fft``: twiddles exact at the working precision) composed along the axes; the DCT-II is
the real part of the DFT of the 4N-point even extension (y_k = 2 Σₙ xₙ cos(πk(2n + 1)/2N)) and its
inverse a weighted sum over the DCT of the identity. The rows belong to family ``nn`` with the other
FFTs: each output entry is a sum over every input, judged in norm.
"""

from __future__ import annotations

import numpy as np

from .inputs import fixed
from .manipulation import rearranged
from .nn import _reim
from .table import Op

RE = {s: fixed(900 + 10 * k, s) for k, s in enumerate([(2, 4), (1, 2, 4), (2, 3), (1, 2, 3), (5,)])}
IM = {s: fixed(901 + 10 * k, s) for k, s in enumerate([(2, 4), (1, 2, 4), (2, 3), (1, 2, 3), (5,)])}


def _along(xp, x, fn, axis):
    """fn (a transform of the last axis) applied along ``axis``."""
    return xp.swapaxes(fn(xp.swapaxes(x, axis, -1)), axis, -1)


def _fft2(xp, x):
    return _along(xp, xp.fft.fft(x), xp.fft.fft, -2)


def _ifft2(xp, x):
    return _along(xp, xp.fft.ifft(x), xp.fft.ifft, -2)


def _irfft2(xp, x, n):
    """numpy's irfft2: the inverse DFT along axis −2, then the real inverse of length n along the last."""
    return xp.fft.irfft(_along(xp, x, xp.fft.ifft, -2), n)


def _weighted(transform, shape):
    """A real loss of a complex transform: a·Re X + b·Im X with fixed a, b of the output's shape."""

    def oracle(xp, x):
        return _reim(RE[shape], IM[shape])(xp, transform(xp, x))

    return oracle


def _dct(xp, x):
    """DCT-II along the last axis, y_k = 2 Σₙ xₙ cos(πk(2n + 1)/2N): Re DFT of the 4N-point
    sequence u with u[2n + 1] = u[4N − 2n − 1] = xₙ, its first N entries."""
    n = x.shape[-1]
    zero = x[..., 0] * 0
    u = [zero] * (4 * n)
    for j in range(n):
        u[2 * j + 1] = x[..., j]
        u[4 * n - 2 * j - 1] = x[..., j]
    return xp.real(xp.fft.fft(xp.stack(u, axis=-1)))[..., :n]


def _idct(xp, x):
    """scipy's idct (type II, norm None): xₙ = (Σ_k D[n, k] X_k − X₀)/2N, D the DCT-II of the identity
    (D[n, k] = 2 cos(πk(2n + 1)/2N))."""
    n = x.shape[-1]
    d = _dct(xp, xp.asarray(np.eye(n), like=x))
    return (xp.sum(d * x[..., None, :], axis=-1) - x[..., :1]) / (2.0 * n)


def _dctn(xp, x):
    return _along(xp, _dct(xp, x), lambda z: _dct(xp, z), -2)


def _overlap_add(xp, x):
    """y[j] = Σᵢ frames[i, j − 2i] for 3 frames of length 4, step 2."""
    frames, length, step = x.shape[0], x.shape[1], 2
    out = []
    for j in range((frames - 1) * step + length):
        terms = [x[i, j - step * i] for i in range(frames) if 0 <= j - step * i < length]
        out.append(sum(terms[1:], terms[0]))
    return xp.stack(out)


def _impulse(shape):
    return ("impulse", np.eye(int(np.prod(shape)))[0].reshape(shape))


OPS: list[Op] = [
    Op(
        "ifft2",
        "nn",
        None,
        {
            "torch": ("torch.fft.ifft2",),
            "jax": ("jax.numpy.fft.ifft2",),
            "tensorflow": ("tf.signal.ifft2d",),
            "numpy": ("numpy.fft.ifft2", "scipy.fft.ifft2"),
        },
        oracle=_weighted(_ifft2, (2, 4)),
        out=_reim(RE[(2, 4)], IM[(2, 4)]),
        shapes=((2, 4),),
        special=[_impulse((2, 4)), ("constant", np.ones((2, 4)))],
        doc="a·Re + b·Im of the 2-D inverse DFT",
    ),
    Op(
        "fftn",
        "nn",
        None,
        {
            "torch": ("torch.fft.fftn",),
            "jax": ("jax.numpy.fft.fftn",),
            "tensorflow": ("tf.signal.fft3d",),
            "numpy": ("numpy.fft.fftn", "scipy.fft.fftn"),
        },
        oracle=_weighted(_fft2, (1, 2, 4)),
        out=_reim(RE[(1, 2, 4)], IM[(1, 2, 4)]),
        shapes=((1, 2, 4),),
        special=[_impulse((1, 2, 4)), ("constant", np.ones((1, 2, 4)))],
        doc="a·Re + b·Im of the 3-D DFT of a (1, 2, 4) input",
    ),
    Op(
        "ifftn",
        "nn",
        None,
        {
            "torch": ("torch.fft.ifftn",),
            "jax": ("jax.numpy.fft.ifftn",),
            "tensorflow": ("tf.signal.ifft3d",),
            "numpy": ("numpy.fft.ifftn", "scipy.fft.ifftn"),
        },
        oracle=_weighted(_ifft2, (1, 2, 4)),
        out=_reim(RE[(1, 2, 4)], IM[(1, 2, 4)]),
        shapes=((1, 2, 4),),
        special=[_impulse((1, 2, 4))],
        doc="a·Re + b·Im of the 3-D inverse DFT of a (1, 2, 4) input",
    ),
    Op(
        "rfft2",
        "nn",
        None,
        {
            "torch": ("torch.fft.rfft2",),
            "jax": ("jax.numpy.fft.rfft2",),
            "tensorflow": ("tf.signal.rfft2d",),
            "numpy": ("numpy.fft.rfft2", "scipy.fft.rfft2"),
        },
        oracle=_weighted(lambda xp, x: _fft2(xp, x)[..., :3], (2, 3)),
        out=_reim(RE[(2, 3)], IM[(2, 3)]),
        shapes=((2, 4),),
        special=[_impulse((2, 4)), ("constant", np.ones((2, 4)))],
        doc="a·Re + b·Im of the half 2-D spectrum (last axis 0..2) of a real (2, 4) x",
    ),
    Op(
        "rfftn",
        "nn",
        None,
        {
            "torch": ("torch.fft.rfftn",),
            "jax": ("jax.numpy.fft.rfftn",),
            "tensorflow": ("tf.signal.rfft3d",),
            "numpy": ("numpy.fft.rfftn", "scipy.fft.rfftn"),
        },
        oracle=_weighted(lambda xp, x: _fft2(xp, x)[..., :3], (1, 2, 3)),
        out=_reim(RE[(1, 2, 3)], IM[(1, 2, 3)]),
        shapes=((1, 2, 4),),
        special=[_impulse((1, 2, 4))],
        doc="the half 3-D spectrum of a real (1, 2, 4) x",
    ),
    Op(
        "irfft2",
        "nn",
        None,
        {
            "torch": ("torch.fft.irfft2",),
            "jax": ("jax.numpy.fft.irfft2",),
            "tensorflow": ("tf.signal.irfft2d",),
            "numpy": ("numpy.fft.irfft2", "scipy.fft.irfft2"),
        },
        oracle=lambda xp, x: _irfft2(xp, x, 4),
        args=lambda xp, x: (x, (2, 4)),
        shapes=((2, 3),),
        special=[_impulse((2, 3)), ("Nyquist column", np.eye(3)[[2, 2]])],
        doc="the real (2, 4) signal whose half spectrum is the real (2, 3) x",
    ),
    Op(
        "irfftn",
        "nn",
        None,
        {
            "torch": ("torch.fft.irfftn",),
            "jax": ("jax.numpy.fft.irfftn",),
            "tensorflow": ("tf.signal.irfft3d",),
            "numpy": ("numpy.fft.irfftn", "scipy.fft.irfftn"),
        },
        oracle=lambda xp, x: _irfft2(xp, x, 4),
        args=lambda xp, x: (x, (1, 2, 4)),
        shapes=((1, 2, 3),),
        special=[_impulse((1, 2, 3))],
        doc="the real (1, 2, 4) signal whose 3-D half spectrum is the real x",
    ),
    Op(
        "hfft",
        "nn",
        None,
        {"torch": ("torch.fft.hfft",), "jax": ("jax.numpy.fft.hfft",), "numpy": ("numpy.fft.hfft", "scipy.fft.hfft")},
        oracle=lambda xp, x: xp.fft.irfft(x, 8) * 8.0,
        args=lambda xp, x: (x, 8),
        shapes=((5,),),
        special=[_impulse((5,)), ("Nyquist only", np.eye(5)[4])],
        doc="the length-8 DFT of the Hermitian signal whose first half is the real x: 8·irfft(x̄)",
    ),
    Op(
        "ihfft",
        "nn",
        None,
        {
            "torch": ("torch.fft.ihfft",),
            "jax": ("jax.numpy.fft.ihfft",),
            "numpy": ("numpy.fft.ihfft", "scipy.fft.ihfft"),
        },
        oracle=_weighted(lambda xp, x: xp.conj(xp.fft.rfft(x)) * (1.0 / 8), (5,)),
        out=_reim(RE[(5,)], IM[(5,)]),
        shapes=((8,),),
        special=[_impulse((8,)), ("constant", np.ones(8))],
        doc="a·Re + b·Im of conj(rfft(x))/8, the inverse of hfft",
    ),
    Op(
        "hfft2",
        "nn",
        None,
        {"torch": ("torch.fft.hfft2", "torch.fft.hfftn")},
        oracle=lambda xp, x: _irfft2(xp, x, 4) * 8.0,
        args=lambda xp, x: (x, (2, 4)),
        shapes=((2, 3),),
        special=[_impulse((2, 3))],
        doc="8·irfft2(x̄) of a real (2, 3) x: the 2-D hfft",
    ),
    Op(
        "ihfft2",
        "nn",
        None,
        {"torch": ("torch.fft.ihfft2", "torch.fft.ihfftn")},
        oracle=_weighted(lambda xp, x: xp.conj(_fft2(xp, x)[..., :3]) * (1.0 / 8), (2, 3)),
        out=_reim(RE[(2, 3)], IM[(2, 3)]),
        shapes=((2, 4),),
        special=[_impulse((2, 4))],
        doc="a·Re + b·Im of conj(rfft2(x))/8",
    ),
    Op(
        "fftshift",
        "nn",
        None,
        {
            "torch": ("torch.fft.fftshift",),
            "jax": ("jax.numpy.fft.fftshift",),
            "tensorflow": ("tf.signal.fftshift",),
            "numpy": ("numpy.fft.fftshift", "scipy.fft.fftshift"),
        },
        oracle=rearranged((5,), lambda p: p[[3, 4, 0, 1, 2]]),
        shapes=((5,),),
        special=[_impulse((5,))],
        doc="the zero frequency moved to the centre of a length-5 axis (roll by 2)",
    ),
    Op(
        "ifftshift",
        "nn",
        None,
        {
            "torch": ("torch.fft.ifftshift",),
            "jax": ("jax.numpy.fft.ifftshift",),
            "tensorflow": ("tf.signal.ifftshift",),
            "numpy": ("numpy.fft.ifftshift", "scipy.fft.ifftshift"),
        },
        oracle=rearranged((5,), lambda p: p[[2, 3, 4, 0, 1]]),
        shapes=((5,),),
        special=[_impulse((5,))],
        doc="the inverse of fftshift on a length-5 axis (roll by −2)",
    ),
    Op(
        "dct",
        "nn",
        None,
        {"jax": ("jax.scipy.fft.dct",), "tensorflow": ("tf.signal.dct",), "numpy": ("scipy.fft.dct",)},
        oracle=_dct,
        shapes=((8,),),
        special=[_impulse((8,)), ("constant", np.ones(8))],
        doc="DCT-II, y_k = 2 Σₙ xₙ cos(πk(2n + 1)/16)",
    ),
    Op(
        "idct",
        "nn",
        None,
        {"jax": ("jax.scipy.fft.idct",), "numpy": ("scipy.fft.idct",)},
        oracle=_idct,
        shapes=((8,),),
        special=[_impulse((8,)), ("constant", np.ones(8))],
        doc="the inverse of the DCT-II (a DCT-III divided by 2N)",
    ),
    Op(
        "dct_iii",
        "nn",
        None,
        {"tensorflow": ("tf.signal.idct",)},
        oracle=lambda xp, x: _idct(xp, x) * 16.0,
        shapes=((8,),),
        special=[_impulse((8,)), ("constant", np.ones(8))],
        doc="TF's idct: the unnormalized DCT-III (documented: re-normalize by 1/(2N) for the inverse)",
    ),
    Op(
        "dctn",
        "nn",
        None,
        {"jax": ("jax.scipy.fft.dctn",), "numpy": ("scipy.fft.dctn",)},
        oracle=_dctn,
        shapes=((2, 4),),
        special=[_impulse((2, 4))],
        doc="DCT-II along both axes of a (2, 4) x",
    ),
    Op(
        "frame",
        "nn",
        None,
        {"tensorflow": ("tf.signal.frame",)},
        oracle=rearranged((8,), lambda p: np.stack([p[0:4], p[2:6], p[4:8]])),
        args=lambda xp, x: (x, 4, 2),
        shapes=((8,),),
        special=[_impulse((8,))],
        doc="frames of length 4, step 2, of a length-8 signal",
    ),
    Op(
        "overlap_and_add",
        "nn",
        None,
        {"tensorflow": ("tf.signal.overlap_and_add",)},
        oracle=_overlap_add,
        args=lambda xp, x: (x, 2),
        shapes=((3, 4),),
        special=[("ones", np.ones((3, 4)))],
        doc="3 frames of length 4 added at step 2 (overlaps sum)",
    ),
]
