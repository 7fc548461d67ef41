"""The array API's manipulation functions whose values carry a gradient, and the products of vectors
and matrices, by each framework's own functions: flip, roll, rot90, reshape, transpose, permute,
moveaxis, squeeze, expand_dims, broadcast_to, tile, repeat, concatenate and stack, split, pad
(constant and reflect), tril/triu, diagonal embedding, narrow/slice, take, boolean masks, kron,
outer, the dot products, matmul, matvec and vecmat, and torch's fused add-multiply functions.

A rearrangement's oracle is its index map: ``pick(xp, x, index)`` builds the output entry by entry
from the input entry each position names (−1: a zero; ``n + k``: entry k of a fixed constant), the
index map written out for the integer positions 0..n−1 (numpy on integers, never a float computation
of the function under test). Products are written as broadcast sums against xp. Every derivative
of a rearrangement is a 0/1 matrix, so each check is exact up to the rounding of the framework's
gradient accumulation (repeated indices add).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .inputs import fixed
from .table import Op

M23 = ((2, 3),)
C23 = fixed(801, (2, 3))  # a constant joined to the input
C22 = fixed(802, (2, 2))
B32 = fixed(803, (3, 2))
V3 = fixed(804, (3,))
V2 = fixed(805, (2,))
M33 = fixed(806, (3, 3))
MASK = np.array([[True, False, True], [False, True, True]])
TAKE = np.array([4, 0, 4, 2])  # flat indices, one repeated (its gradient adds)
ZEROS = [("zeros", np.zeros((2, 3)))]


def _c(xp, x, a):
    return xp.asarray(a, like=x)


def pick(xp: Any, x: Any, index: np.ndarray, const: np.ndarray | None = None) -> Any:
    """y[p] = x.flat[index[p]] (index[p] < n), 0 (index[p] = −1), const.flat[index[p] − n] (index[p] ≥ n):
    the output of a rearrangement built from the input entries it names."""
    shape = np.shape(x)
    n = int(np.prod(shape))
    flat_c = None if const is None else np.asarray(const, dtype=np.float64).reshape(-1)
    zero = x[(0,) * len(shape)] * 0
    entries = []
    for k in np.asarray(index).reshape(-1):
        if k < 0:
            entries.append(zero)
        elif k < n:
            entries.append(x[np.unravel_index(int(k), shape)])
        else:
            entries.append(zero + float(flat_c[int(k) - n]))
    return xp.reshape(xp.stack(entries), np.shape(index))


def positions(shape: tuple[int, ...]) -> np.ndarray:
    """The integer positions 0..n−1 laid out in ``shape`` (row-major)."""
    return np.arange(int(np.prod(shape))).reshape(shape)


def rearranged(
    shape: tuple[int, ...], index_map: Callable[[np.ndarray], Any], const: np.ndarray | None = None
) -> Callable[[Any, Any], Any]:
    """The oracle of a rearrangement: ``index_map`` applied to the input's integer positions (and, where
    a constant joins, to the constant's positions n, n + 1, ...), then ``pick``."""
    n = int(np.prod(shape))
    if const is None:
        index = np.asarray(index_map(positions(shape)))
    else:
        index = np.asarray(index_map(positions(shape), n + positions(np.shape(const))))
    return lambda xp, x: pick(xp, x, index, const)


def _part_stack(out_axis: int = 0) -> Callable[[Any, Any], Any]:
    """A split's parts stacked along a new leading axis (what is checked of a tuple output)."""
    return lambda xp, y: xp.stack(list(y), axis=out_axis)


def _tri(lower: bool) -> Callable[[np.ndarray], np.ndarray]:
    def index_map(p):
        i, j = np.indices(p.shape)
        return np.where(j <= i if lower else j >= i, p, -1)

    return index_map


def _pad_constant(p):
    out = -np.ones((p.shape[0], p.shape[1] + 3), dtype=int)
    out[:, 1 : 1 + p.shape[1]] = p
    return out


def _pad_reflect(p):
    """numpy's 'reflect' (the edge not repeated): 1 before, 2 after the last axis."""
    cols = [1, *range(p.shape[1]), p.shape[1] - 2, p.shape[1] - 3]
    return p[:, cols]


def _diag_embed(p):
    out = -np.ones(p.shape + (p.shape[-1],), dtype=int)
    for j in range(p.shape[-1]):
        out[..., j, j] = p[..., j]
    return out


def _kron(xp, x):
    c = _c(xp, x, C22)
    return xp.reshape(x[:, None, :, None] * c[None, :, None, :], (4, 6))


def _sum_products(xp, a, b):
    """A @ B written as Σₖ A[:, k] B[k, :] (broadcast and sum)."""
    return xp.sum(a[:, :, None] * b[None, :, :], axis=1)


def _masked_fill(p):
    return np.where(MASK, -1, p)


def _drop_params(f, *args, **params):
    """f(*args): the row's parameters serve only the bindings that need them (tf.linalg.band_part)."""
    return f(*args)


def _nonzero_second(x):
    return None if np.all(np.abs(x[1]) > 0.05) else "a divisor near 0"


OPS: list[Op] = [
    # ---- rearrangements of one input
    Op(
        "flip",
        "manipulation",
        None,
        {
            "torch": ("torch.flip",),
            "jax": ("jax.numpy.flip",),
            "tensorflow": ("tf.reverse", "tf.experimental.numpy.flip"),
            "numpy": ("numpy.flip",),
        },
        oracle=rearranged((2, 3), lambda p: p[:, ::-1]),
        args=lambda xp, x: (x, (1,)),
        shapes=M23,
        special=ZEROS,
        doc="x reversed along axis 1",
    ),
    Op(
        "fliplr",
        "manipulation",
        None,
        {
            "torch": ("torch.fliplr",),
            "jax": ("jax.numpy.fliplr",),
            "tensorflow": ("tf.experimental.numpy.fliplr",),
            "numpy": ("numpy.fliplr",),
        },
        oracle=rearranged((2, 3), lambda p: p[:, ::-1]),
        shapes=M23,
        special=ZEROS,
        doc="columns reversed",
    ),
    Op(
        "flipud",
        "manipulation",
        None,
        {
            "torch": ("torch.flipud",),
            "jax": ("jax.numpy.flipud",),
            "tensorflow": ("tf.experimental.numpy.flipud",),
            "numpy": ("numpy.flipud",),
        },
        oracle=rearranged((2, 3), lambda p: p[::-1]),
        shapes=M23,
        special=ZEROS,
        doc="rows reversed",
    ),
    Op(
        "rot90",
        "manipulation",
        None,
        {
            "torch": ("torch.rot90",),
            "jax": ("jax.numpy.rot90",),
            "tensorflow": ("tf.experimental.numpy.rot90",),
            "numpy": ("numpy.rot90",),
        },
        oracle=rearranged((2, 3), lambda p: p.T[::-1]),
        shapes=M23,
        special=ZEROS,
        doc="rotation by 90° in the plane of axes (0, 1): xᵀ with its rows reversed",
    ),
    Op(
        "roll",
        "manipulation",
        None,
        {
            "torch": ("torch.roll",),
            "jax": ("jax.numpy.roll",),
            "tensorflow": ("tf.roll", "tf.experimental.numpy.roll"),
            "numpy": ("numpy.roll",),
        },
        oracle=rearranged((2, 3), lambda p: p[:, [2, 0, 1]]),
        args=lambda xp, x: (x, 1, 1),
        shapes=M23,
        special=ZEROS,
        doc="x shifted by 1 along axis 1, cyclically",
    ),
    Op(
        "reshape",
        "manipulation",
        None,
        {
            "torch": ("torch.reshape",),
            "jax": ("jax.numpy.reshape", "jax.lax.reshape"),
            "tensorflow": ("tf.reshape", "tf.experimental.numpy.reshape"),
            "numpy": ("numpy.reshape",),
        },
        oracle=rearranged((2, 3), lambda p: p.reshape(3, 2)),
        args=lambda xp, x: (x, (3, 2)),
        shapes=M23,
        special=ZEROS,
        doc="the (2, 3) input as (3, 2), row-major",
    ),
    Op(
        "ravel",
        "manipulation",
        None,
        {
            "torch": ("torch.ravel", "torch.flatten"),
            "jax": ("jax.numpy.ravel",),
            "tensorflow": ("tf.experimental.numpy.ravel",),
            "numpy": ("numpy.ravel",),
        },
        oracle=rearranged((2, 3), lambda p: p.reshape(-1)),
        shapes=M23,
        special=ZEROS,
        doc="the entries, row-major",
    ),
    Op(
        "transpose",
        "manipulation",
        None,
        {
            "torch": ("torch.t", "torch.adjoint"),
            "jax": ("jax.numpy.transpose", "jax.numpy.matrix_transpose"),
            "tensorflow": (
                "tf.transpose",
                "tf.linalg.matrix_transpose",
                "tf.experimental.numpy.transpose",
                "tf.linalg.adjoint",
            ),
            "numpy": ("numpy.transpose", "numpy.matrix_transpose"),
        },
        oracle=rearranged((2, 3), lambda p: p.T),
        shapes=M23,
        special=ZEROS,
        doc="xᵀ",
    ),
    Op(
        "swapaxes",
        "manipulation",
        None,
        {
            "torch": ("torch.transpose", "torch.swapaxes", "torch.swapdims"),
            "jax": ("jax.numpy.swapaxes",),
            "tensorflow": ("tf.experimental.numpy.swapaxes",),
            "numpy": ("numpy.swapaxes",),
        },
        oracle=rearranged((2, 3, 2), lambda p: np.swapaxes(p, 0, 2)),
        args=lambda xp, x: (x, 0, 2),
        shapes=((2, 3, 2),),
        special=[("zeros", np.zeros((2, 3, 2)))],
        doc="axes 0 and 2 exchanged",
    ),
    Op(
        "moveaxis",
        "manipulation",
        None,
        {
            "torch": ("torch.movedim", "torch.moveaxis"),
            "jax": ("jax.numpy.moveaxis",),
            "tensorflow": ("tf.experimental.numpy.moveaxis",),
            "numpy": ("numpy.moveaxis",),
        },
        oracle=rearranged((2, 3, 2), lambda p: p.transpose(1, 2, 0)),
        args=lambda xp, x: (x, 0, 2),
        shapes=((2, 3, 2),),
        special=[("zeros", np.zeros((2, 3, 2)))],
        doc="axis 0 moved to the end",
    ),
    Op(
        "permute",
        "manipulation",
        None,
        {
            "torch": ("torch.permute",),
            "jax": ("jax.numpy.permute_dims", "jax.lax.transpose"),
            "tensorflow": ("tf.transpose",),
            "numpy": ("numpy.permute_dims",),
        },
        oracle=rearranged((2, 3, 2), lambda p: p.transpose(2, 0, 1)),
        args=lambda xp, x: (x, (2, 0, 1)),
        shapes=((2, 3, 2),),
        special=[("zeros", np.zeros((2, 3, 2)))],
        doc="axes permuted (2, 0, 1)",
    ),
    Op(
        "squeeze",
        "manipulation",
        None,
        {
            "torch": ("torch.squeeze",),
            "jax": ("jax.numpy.squeeze", "jax.lax.squeeze"),
            "tensorflow": ("tf.squeeze", "tf.experimental.numpy.squeeze"),
            "numpy": ("numpy.squeeze",),
        },
        oracle=rearranged((1, 2, 3), lambda p: p[0]),
        args=lambda xp, x: (x, (0,)),
        shapes=((1, 2, 3),),
        special=[("zeros", np.zeros((1, 2, 3)))],
        doc="the (1, 2, 3) input without its axis 0",
    ),
    Op(
        "expand_dims",
        "manipulation",
        None,
        {
            "torch": ("torch.unsqueeze",),
            "jax": ("jax.numpy.expand_dims", "jax.lax.expand_dims"),
            "tensorflow": ("tf.expand_dims", "tf.experimental.numpy.expand_dims"),
            "numpy": ("numpy.expand_dims",),
        },
        oracle=rearranged((2, 3), lambda p: p[:, None, :]),
        args=lambda xp, x: (x, 1),
        shapes=M23,
        special=ZEROS,
        doc="a new axis 1",
    ),
    Op(
        "atleast_3d",
        "manipulation",
        None,
        {
            "torch": ("torch.atleast_3d",),
            "jax": ("jax.numpy.atleast_3d",),
            "tensorflow": ("tf.experimental.numpy.atleast_3d",),
            "numpy": ("numpy.atleast_3d",),
        },
        oracle=rearranged((3,), lambda p: p[None, :, None]),
        shapes=((3,),),
        special=[("zeros", np.zeros(3))],
        doc="a (3,) vector as (1, 3, 1)",
    ),
    Op(
        "broadcast_to",
        "manipulation",
        None,
        {
            "torch": ("torch.broadcast_to",),
            "jax": ("jax.numpy.broadcast_to",),
            "tensorflow": ("tf.broadcast_to", "tf.experimental.numpy.broadcast_to"),
            "numpy": ("numpy.broadcast_to",),
        },
        oracle=rearranged((2, 3), lambda p: np.stack([p, p])),
        args=lambda xp, x: (x, (2, 2, 3)),
        shapes=M23,
        special=ZEROS,
        doc="x broadcast to (2, 2, 3): each entry used twice (its gradient adds)",
    ),
    Op(
        "tile",
        "manipulation",
        None,
        {
            "torch": ("torch.tile",),
            "jax": ("jax.numpy.tile",),
            "tensorflow": ("tf.tile", "tf.experimental.numpy.tile"),
            "numpy": ("numpy.tile",),
        },
        oracle=rearranged((2, 3), lambda p: np.concatenate([p, p, p], axis=1)),
        args=lambda xp, x: (x, (1, 3)),
        shapes=M23,
        special=ZEROS,
        doc="x tiled 3 times along axis 1",
    ),
    Op(
        "repeat",
        "manipulation",
        None,
        {
            "torch": ("torch.repeat_interleave",),
            "jax": ("jax.numpy.repeat",),
            "tensorflow": ("tf.repeat", "tf.experimental.numpy.repeat"),
            "numpy": ("numpy.repeat",),
        },
        oracle=rearranged((2, 3), lambda p: p[:, [0, 0, 1, 1, 2, 2]]),
        args=lambda xp, x: (x, 2, 1),
        shapes=M23,
        special=ZEROS,
        doc="each column repeated twice",
    ),
    # ---- joining the input to a constant
    Op(
        "concatenate",
        "manipulation",
        None,
        {
            "torch": ("torch.cat", "torch.concat", "torch.concatenate"),
            "jax": ("jax.numpy.concatenate", "jax.numpy.concat", "jax.lax.concatenate"),
            "tensorflow": ("tf.concat", "tf.experimental.numpy.concatenate"),
            "numpy": ("numpy.concatenate", "numpy.concat"),
        },
        oracle=rearranged((2, 3), lambda p, c: np.concatenate([p, c], axis=1), C23),
        args=lambda xp, x: ([x, _c(xp, x, C23)], 1),
        shapes=M23,
        special=ZEROS,
        doc="[x, C] along axis 1",
    ),
    Op(
        "vstack",
        "manipulation",
        None,
        {
            "torch": ("torch.vstack", "torch.row_stack"),
            "jax": ("jax.numpy.vstack",),
            "tensorflow": ("tf.experimental.numpy.vstack",),
            "numpy": ("numpy.vstack",),
        },
        oracle=rearranged((2, 3), lambda p, c: np.concatenate([p, c], axis=0), C23),
        args=lambda xp, x: ([x, _c(xp, x, C23)],),
        shapes=M23,
        special=ZEROS,
        doc="x above C",
    ),
    Op(
        "hstack",
        "manipulation",
        None,
        {
            "torch": ("torch.hstack", "torch.column_stack"),
            "jax": ("jax.numpy.hstack", "jax.numpy.column_stack"),
            "tensorflow": ("tf.experimental.numpy.hstack",),
            "numpy": ("numpy.hstack", "numpy.column_stack"),
        },
        oracle=rearranged((2, 3), lambda p, c: np.concatenate([p, c], axis=1), C23),
        args=lambda xp, x: ([x, _c(xp, x, C23)],),
        shapes=M23,
        special=ZEROS,
        doc="x beside C",
    ),
    Op(
        "dstack",
        "manipulation",
        None,
        {
            "torch": ("torch.dstack",),
            "jax": ("jax.numpy.dstack",),
            "tensorflow": ("tf.experimental.numpy.dstack",),
            "numpy": ("numpy.dstack",),
        },
        oracle=rearranged((2, 3), lambda p, c: np.stack([p, c], axis=2), C23),
        args=lambda xp, x: ([x, _c(xp, x, C23)],),
        shapes=M23,
        special=ZEROS,
        doc="x and C stacked along a third axis",
    ),
    Op(
        "stack",
        "manipulation",
        None,
        {
            "torch": ("torch.stack",),
            "jax": ("jax.numpy.stack",),
            "tensorflow": ("tf.stack", "tf.experimental.numpy.stack"),
            "numpy": ("numpy.stack",),
        },
        oracle=rearranged((2, 3), lambda p, c: np.stack([p, c]), C23),
        args=lambda xp, x: ([x, _c(xp, x, C23)],),
        shapes=M23,
        special=ZEROS,
        doc="x and C stacked along a new axis 0",
    ),
    Op(
        "pad_constant",
        "manipulation",
        None,
        {
            "torch": ("torch.nn.functional.pad", "torch.constant_pad_nd"),
            "jax": ("jax.numpy.pad", "jax.lax.pad"),
            "tensorflow": ("tf.pad", "tf.experimental.numpy.pad"),
            "numpy": ("numpy.pad",),
        },
        oracle=rearranged((2, 3), _pad_constant),
        args=lambda xp, x: (x, ((0, 0), (1, 2))),
        shapes=M23,
        special=ZEROS,
        doc="one zero before and two after each row",
    ),
    Op(
        "pad_reflect",
        "manipulation",
        None,
        {
            "torch": ("torch.nn.functional.pad",),
            "jax": ("jax.numpy.pad",),
            "tensorflow": ("tf.pad", "tf.experimental.numpy.pad"),
            "numpy": ("numpy.pad",),
        },
        oracle=rearranged((2, 3), _pad_reflect),
        args=lambda xp, x: (x, ((0, 0), (1, 2))),
        params={"mode": "reflect"},
        shapes=M23,
        special=ZEROS,
        doc="each row reflected (edge not repeated): 1 entry before, 2 after; reflected entries' gradients add",
    ),
    # ---- splitting (the parts stacked)
    Op(
        "split",
        "manipulation",
        None,
        {
            "torch": ("torch.chunk", "torch.tensor_split", "torch.split"),
            "jax": ("jax.numpy.split", "jax.numpy.array_split"),
            "tensorflow": ("tf.split", "tf.experimental.numpy.split"),
            "numpy": ("numpy.split", "numpy.array_split"),
        },
        oracle=rearranged((2, 3), lambda p: np.stack([p[:, 0:1], p[:, 1:2], p[:, 2:3]])),
        args=lambda xp, x: (x, 3, 1),
        out=_part_stack(),
        shapes=M23,
        special=ZEROS,
        doc="the 3 column blocks of x (stacked)",
    ),
    Op(
        "hsplit",
        "manipulation",
        None,
        {
            "torch": ("torch.hsplit",),
            "jax": ("jax.numpy.hsplit",),
            "tensorflow": ("tf.experimental.numpy.hsplit",),
            "numpy": ("numpy.hsplit",),
        },
        oracle=rearranged((2, 3), lambda p: np.stack([p[:, 0:1], p[:, 1:2], p[:, 2:3]])),
        args=lambda xp, x: (x, 3),
        out=_part_stack(),
        shapes=M23,
        special=ZEROS,
        doc="hsplit into 3 (stacked)",
    ),
    Op(
        "unstack",
        "manipulation",
        None,
        {
            "torch": ("torch.unbind",),
            "jax": ("jax.numpy.unstack",),
            "tensorflow": ("tf.unstack",),
            "numpy": ("numpy.unstack",),
        },
        oracle=rearranged((2, 3), lambda p: p.T),
        params={"axis": 1},
        out=_part_stack(),
        shapes=M23,
        special=ZEROS,
        doc="the columns of x as separate arrays (stacked)",
    ),
    # ---- selection
    Op(
        "tril",
        "manipulation",
        None,
        {
            "torch": ("torch.tril",),
            "jax": ("jax.numpy.tril",),
            "tensorflow": ("tf.experimental.numpy.tril", "tf.linalg.band_part"),
            "numpy": ("numpy.tril",),
        },
        oracle=rearranged((3, 3), _tri(True)),
        params={"lower": True},
        call=_drop_params,
        shapes=((3, 3),),
        special=[("zeros", np.zeros((3, 3)))],
        doc="the lower triangle (the rest 0)",
    ),
    Op(
        "triu",
        "manipulation",
        None,
        {
            "torch": ("torch.triu",),
            "jax": ("jax.numpy.triu",),
            "tensorflow": ("tf.experimental.numpy.triu", "tf.linalg.band_part"),
            "numpy": ("numpy.triu",),
        },
        oracle=rearranged((3, 3), _tri(False)),
        params={"lower": False},
        call=_drop_params,
        shapes=((3, 3),),
        special=[("zeros", np.zeros((3, 3)))],
        doc="the upper triangle (the rest 0)",
    ),
    Op(
        "diag_embed",
        "manipulation",
        None,
        {"torch": ("torch.diag_embed",), "tensorflow": ("tf.linalg.diag",)},
        oracle=rearranged((2, 3), _diag_embed),
        shapes=M23,
        special=ZEROS,
        doc="each row of x as the diagonal of a 3×3 matrix",
    ),
    Op(
        "diagflat",
        "manipulation",
        None,
        {
            "torch": ("torch.diagflat", "torch.diag_embed"),
            "jax": ("jax.numpy.diagflat", "jax.numpy.diag"),
            "tensorflow": ("tf.experimental.numpy.diagflat", "tf.experimental.numpy.diag", "tf.linalg.diag"),
            "numpy": ("numpy.diagflat", "numpy.diag"),
        },
        oracle=rearranged((3,), _diag_embed),
        shapes=((3,),),
        special=[("zeros", np.zeros(3))],
        doc="a vector as the diagonal of a square matrix",
    ),
    Op(
        "set_diagonal",
        "manipulation",
        None,
        {"torch": ("torch.diagonal_scatter",), "tensorflow": ("tf.linalg.set_diag",)},
        oracle=rearranged((3, 3), lambda p, c: np.where(np.eye(3, dtype=bool), c[None, :], p), V3),
        args=lambda xp, x: (x, _c(xp, x, V3)),
        shapes=((3, 3),),
        special=[("zeros", np.zeros((3, 3)))],
        doc="x with its diagonal replaced by a constant (its diagonal's gradient is 0)",
    ),
    Op(
        "narrow",
        "manipulation",
        None,
        {
            "torch": ("torch.narrow", "torch.narrow_copy"),
            "jax": ("jax.lax.slice_in_dim", "jax.lax.dynamic_slice_in_dim", "jax.lax.slice", "jax.lax.dynamic_slice"),
            "tensorflow": ("tf.slice", "tf.strided_slice"),
        },
        oracle=rearranged((2, 3), lambda p: p[:, 1:3]),
        args=lambda xp, x: (x, 1, 1, 2),
        shapes=M23,
        special=ZEROS,
        doc="columns 1..2 of x (dimension 1, start 1, length 2)",
    ),
    Op(
        "take_flat",
        "manipulation",
        None,
        {
            "torch": ("torch.take",),
            "jax": ("jax.numpy.take",),
            "tensorflow": ("tf.experimental.numpy.take", "tf.gather_nd"),
            "numpy": ("numpy.take",),
        },
        oracle=rearranged((2, 3), lambda p: p.reshape(-1)[TAKE]),
        args=lambda xp, x: (x, TAKE),
        shapes=M23,
        special=ZEROS,
        doc="entries 4, 0, 4, 2 of the flattened x (one repeated: its gradient adds)",
    ),
    Op(
        "masked_fill",
        "manipulation",
        None,
        {"torch": ("torch.masked_fill",)},
        oracle=rearranged((2, 3), _masked_fill),
        args=lambda xp, x: (x, MASK, 0.0),
        shapes=M23,
        special=ZEROS,
        doc="x with the masked entries set to 0 (their gradient is 0)",
    ),
    Op(
        "boolean_mask",
        "manipulation",
        None,
        {"torch": ("torch.masked_select",), "tensorflow": ("tf.boolean_mask",), "numpy": ("numpy.extract",)},
        oracle=rearranged((2, 3), lambda p: p[MASK]),
        args=lambda xp, x: (x, MASK),
        shapes=M23,
        special=ZEROS,
        doc="the entries where the mask is set, row-major",
    ),
    # ---- products
    Op(
        "kron",
        "manipulation",
        None,
        {
            "torch": ("torch.kron",),
            "jax": ("jax.numpy.kron",),
            "tensorflow": ("tf.experimental.numpy.kron",),
            "numpy": ("numpy.kron",),
        },
        oracle=_kron,
        args=lambda xp, x: (x, _c(xp, x, C22)),
        shapes=M23,
        special=ZEROS,
        doc="the Kronecker product x ⊗ C of a (2, 3) x and a fixed (2, 2) C",
    ),
    Op(
        "outer",
        "manipulation",
        None,
        {
            "torch": ("torch.outer", "torch.ger"),
            "jax": ("jax.numpy.outer",),
            "tensorflow": ("tf.experimental.numpy.outer",),
            "numpy": ("numpy.outer",),
        },
        oracle=lambda xp, x: x[0][:, None] * x[1][None, :],
        args=lambda xp, x: (x[0], x[1]),
        shapes=M23,
        special=ZEROS,
        doc="a bᵀ of the rows (a, b)",
    ),
    Op(
        "vector_dot",
        "manipulation",
        None,
        {
            "torch": ("torch.dot", "torch.inner", "torch.vdot", "torch.linalg.vecdot"),
            "jax": (
                "jax.numpy.dot",
                "jax.numpy.inner",
                "jax.numpy.vdot",
                "jax.numpy.vecdot",
                "jax.numpy.linalg.vecdot",
                "jax.lax.dot",
            ),
            "tensorflow": ("tf.experimental.numpy.dot", "tf.experimental.numpy.inner", "tf.experimental.numpy.vdot"),
            "numpy": ("numpy.dot", "numpy.inner", "numpy.vdot", "numpy.vecdot", "numpy.linalg.vecdot"),
        },
        oracle=lambda xp, x: xp.sum(x[0] * x[1]),
        args=lambda xp, x: (x[0], x[1]),
        shapes=M23,
        scalar=True,
        special=ZEROS,
        doc="a · b of the rows (a, b)",
    ),
    Op(
        "matmul_const",
        "manipulation",
        None,
        {
            "torch": ("torch.matmul", "torch.mm", "torch.linalg.matmul"),
            "jax": ("jax.numpy.matmul", "jax.numpy.linalg.matmul", "jax.lax.dot_general"),
            "tensorflow": ("tf.linalg.matmul", "tf.experimental.numpy.matmul", "tf.experimental.numpy.dot"),
            "numpy": ("numpy.matmul", "numpy.linalg.matmul"),
        },
        oracle=lambda xp, x: _sum_products(xp, x, _c(xp, x, B32)),
        args=lambda xp, x: (x, _c(xp, x, B32)),
        shapes=M23,
        special=ZEROS,
        doc="X B with a fixed (3, 2) B",
    ),
    Op(
        "matvec",
        "manipulation",
        None,
        {
            "torch": ("torch.mv",),
            "jax": ("jax.numpy.matvec",),
            "tensorflow": ("tf.linalg.matvec",),
            "numpy": ("numpy.matvec",),
        },
        oracle=lambda xp, x: xp.sum(x * _c(xp, x, V3), axis=1),
        args=lambda xp, x: (x, _c(xp, x, V3)),
        shapes=M23,
        special=ZEROS,
        doc="X v with a fixed v",
    ),
    Op(
        "vecmat",
        "manipulation",
        None,
        {"jax": ("jax.numpy.vecmat",), "numpy": ("numpy.vecmat",)},
        oracle=lambda xp, x: xp.sum(_c(xp, x, V2)[:, None] * x, axis=0),
        args=lambda xp, x: (_c(xp, x, V2), x),
        shapes=M23,
        special=ZEROS,
        doc="vᵀ X with a fixed v",
    ),
    Op(
        "batch_matmul",
        "manipulation",
        None,
        {"torch": ("torch.bmm",), "jax": ("jax.lax.batch_matmul",), "tensorflow": ("tf.linalg.matmul",)},
        oracle=lambda xp, x: _sum_products(xp, x[0], _c(xp, x, B32))[None],
        args=lambda xp, x: (x, _c(xp, x, B32[None])),
        shapes=((1, 2, 3),),
        special=[("zeros", np.zeros((1, 2, 3)))],
        doc="a batch of one X B",
    ),
    # ---- torch's fused forms: C + α·(product)
    Op(
        "addmm",
        "manipulation",
        None,
        {"torch": ("torch.addmm",)},
        oracle=lambda xp, x: _c(xp, x, C22) + _sum_products(xp, x, _c(xp, x, B32)),
        args=lambda xp, x: (_c(xp, x, C22), x, _c(xp, x, B32)),
        shapes=M23,
        special=ZEROS,
        doc="C + X B",
    ),
    Op(
        "addmv",
        "manipulation",
        None,
        {"torch": ("torch.addmv",)},
        oracle=lambda xp, x: _c(xp, x, V2) + xp.sum(x * _c(xp, x, V3), axis=1),
        args=lambda xp, x: (_c(xp, x, V2), x, _c(xp, x, V3)),
        shapes=M23,
        special=ZEROS,
        doc="c + X v",
    ),
    Op(
        "addr",
        "manipulation",
        None,
        {"torch": ("torch.addr",)},
        oracle=lambda xp, x: _c(xp, x, M33) + x[0][:, None] * x[1][None, :],
        args=lambda xp, x: (_c(xp, x, M33), x[0], x[1]),
        shapes=M23,
        special=ZEROS,
        doc="M + a bᵀ of the rows (a, b)",
    ),
    Op(
        "baddbmm",
        "manipulation",
        None,
        {"torch": ("torch.baddbmm", "torch.addbmm")},
        oracle=lambda xp, x: _c(xp, x, C22) + _sum_products(xp, x[0], _c(xp, x, B32)),
        args=lambda xp, x: (_c(xp, x, C22), x, _c(xp, x, B32[None])),
        out=lambda xp, y: y[0] if len(y.shape) == 3 else y,
        shapes=((1, 2, 3),),
        special=[("zeros", np.zeros((1, 2, 3)))],
        doc="C + X B for a batch of one (addbmm sums the batch)",
    ),
    Op(
        "addcmul",
        "manipulation",
        None,
        {"torch": ("torch.addcmul",)},
        oracle=lambda xp, x: _c(xp, x, V3) + 0.5 * x[0] * x[1],
        args=lambda xp, x: (_c(xp, x, V3), x[0], x[1]),
        params={"value": 0.5},
        shapes=M23,
        special=ZEROS,
        doc="c + ½ a·b of the rows (a, b)",
    ),
    Op(
        "addcdiv",
        "manipulation",
        None,
        {"torch": ("torch.addcdiv",)},
        oracle=lambda xp, x: _c(xp, x, V3) + 0.5 * x[0] / x[1],
        args=lambda xp, x: (_c(xp, x, V3), x[0], x[1]),
        params={"value": 0.5},
        shapes=M23,
        make_input=lambda rng, shape: np.stack([rng.uniform(-2, 2, shape[1]), rng.uniform(0.5, 2, shape[1])]),
        valid=_nonzero_second,
        special=[("zero numerator", [[0.0, 0.0, 0.0], [1.0, 2.0, 0.5]])],
        doc="c + ½ a/b of the rows (a, b), b away from 0",
    ),
    Op(
        "vander",
        "manipulation",
        None,
        {
            "torch": ("torch.vander",),
            "jax": ("jax.numpy.vander",),
            "tensorflow": ("tf.experimental.numpy.vander",),
            "numpy": ("numpy.vander",),
        },
        oracle=lambda xp, x: xp.stack([x * x, x, x * 0 + 1.0], axis=-1),
        args=lambda xp, x: (x, 3),
        shapes=((3,),),
        special=[("zeros", np.zeros(3)), ("large", np.array([1e100, -2e100, 3e100]))],
        doc="the Vandermonde matrix [x², x, 1]",
    ),
    Op(
        "vander_increasing",
        "manipulation",
        None,
        {"torch": ("torch.linalg.vander",), "jax": ("jax.numpy.vander",), "numpy": ("numpy.vander",)},
        oracle=lambda xp, x: xp.stack([x * 0 + 1.0, x, x * x], axis=-1),
        args=lambda xp, x: (x, 3),
        params={"increasing": True},
        shapes=((3,),),
        special=[("zeros", np.zeros(3)), ("large", np.array([1e100, -2e100, 3e100]))],
        doc="the Vandermonde matrix [1, x, x²] (increasing powers)",
    ),
]
