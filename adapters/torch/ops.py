"""How torch's public functions of the op table are called where the table's default call does not fit.

Each entry: public name -> ``(f, *args, **params) -> value``. A fixed parameter that torch wants as a
tensor is made a constant tensor in the input's dtype that does not require grad, so that no gradient
is asked of it (torch raises for the derivatives it does not implement, e.g. ∂gammainc/∂a).
"""

from __future__ import annotations

from typing import Any, Callable


def _constant_first(f: Callable, x: Any, **params: Any) -> Any:
    """f(c, x) with the single parameter c as a constant tensor shaped like x."""
    import torch

    (value,) = params.values()
    return f(torch.full_like(x, value).detach(), x)


def _gelu(f: Callable, x: Any, approximate: bool) -> Any:
    """torch spells GELU's approximation as a string: 'none' (exact) or 'tanh'."""
    return f(x, approximate="tanh" if approximate else "none")


BINDINGS: dict[str, Callable] = {
    "torch.special.gammainc": _constant_first,
    "torch.igamma": _constant_first,
    "torch.special.gammaincc": _constant_first,
    "torch.igammac": _constant_first,
    "torch.nn.functional.gelu": _gelu,
}


# ---------------------------------------------------------------- the native-op catalog (issue 18)
def _t(a: Any, like: Any) -> Any:
    """A numpy array (class ids, a mask) as a torch tensor on ``like``'s device (integers stay int64)."""
    import numpy as np
    import torch

    a = np.asarray(a)
    dtype = torch.int64 if a.dtype.kind in "iu" else torch.bool if a.dtype == bool else like.dtype
    return torch.as_tensor(a, dtype=dtype, device=like.device)


def _values(f: Callable, *args: Any, **params: Any) -> Any:
    """The values of a (values, indices) result: torch.max/min/sort/cummax/cummin."""
    return f(*args, **params)[0]


def _population(f: Callable, x: Any, dim: int) -> Any:
    """torch.var/std divide by n − 1 unless told correction=0 (the table's rows are numpy's ddof=0)."""
    return f(x, dim, correction=0)


def _gather(f: Callable, x: Any, index: Any, dim: int) -> Any:
    return f(x, dim, _t(index, x))


def _take_along_dim(f: Callable, x: Any, index: Any, dim: int) -> Any:
    return f(x, _t(index, x), dim)


def _embedding(f: Callable, weight: Any, ids: Any, axis: int) -> Any:
    return f(_t(ids, weight), weight)


def _index_select(f: Callable, x: Any, ids: Any, axis: int) -> Any:
    return f(x, axis, _t(ids, x))


def _index_add(f: Callable, x: Any, ids: Any, n: int) -> Any:
    import torch

    return f(torch.zeros((n, *x.shape[1:]), dtype=x.dtype, device=x.device), 0, _t(ids, x), x)


def _scatter_add(f: Callable, x: Any, ids: Any, n: int) -> Any:
    import torch

    index = _t(ids, x).reshape(-1, *([1] * (x.dim() - 1))).expand_as(x)
    return f(torch.zeros((n, *x.shape[1:]), dtype=x.dtype, device=x.device), 0, index, x)


def _where(f: Callable, cond: Any, a: Any, b: Any) -> Any:
    return f(_t(cond, a), a, b)


def _targets(f: Callable, x: Any, target: Any, **params: Any) -> Any:
    return f(x, _t(target, x), **params)


def _cholesky_first(f: Callable, s: Any, *rest: Any) -> Any:
    """torch.cholesky_solve(B, L) / cholesky_inverse(L) take the factor L of S = L Lᵀ."""
    import torch

    chol = torch.linalg.cholesky(s)
    return f(rest[0], chol) if rest else f(chol)


def _solve_triangular(f: Callable, a: Any, b: Any) -> Any:
    return f(a, b, upper=False)


def _triangular_solve(f: Callable, a: Any, b: Any) -> Any:
    return f(b, a, upper=False).solution


def _linalg_lu_solve(f: Callable, a: Any, b: Any) -> Any:
    import torch

    lu, pivots = torch.linalg.lu_factor(a)
    return f(lu, pivots, b)


def _lu_solve(f: Callable, a: Any, b: Any) -> Any:
    """torch.lu_solve(B, LU, pivots), the older argument order."""
    import torch

    lu, pivots = torch.linalg.lu_factor(a)
    return f(b, lu, pivots)


def _svd_v(f: Callable, a: Any) -> Any:
    """torch.svd returns V, not Vᴴ: (U, S, Vᴴ) as torch.linalg.svd."""
    u, s, v = f(a)
    return u, s, v.mT


def _cross(f: Callable, a: Any, b: Any) -> Any:
    return f(a, b, dim=-1)


BINDINGS.update(
    {
        "torch.var": _population,
        "torch.std": _population,
        "torch.max": _values,
        "torch.min": _values,
        "torch.sort": _values,
        "torch.cummax": _values,
        "torch.cummin": _values,
        "torch.gather": _gather,
        "torch.take_along_dim": _take_along_dim,
        "torch.nn.functional.embedding": _embedding,
        "torch.index_select": _index_select,
        "torch.index_add": _index_add,
        "torch.scatter_add": _scatter_add,
        "torch.where": _where,
        "torch.nn.functional.cross_entropy": _targets,
        "torch.nn.functional.nll_loss": _targets,
        "torch.cholesky_solve": _cholesky_first,
        "torch.cholesky_inverse": _cholesky_first,
        "torch.linalg.solve_triangular": _solve_triangular,
        "torch.triangular_solve": _triangular_solve,
        "torch.linalg.lu_solve": _linalg_lu_solve,
        "torch.lu_solve": _lu_solve,
        "torch.svd": _svd_v,
        "torch.cross": _cross,
    }
)


# ---------------------------------------------------------------- catalog growth (conformance/ops/elementwise.py,
# manipulation.py, statistics.py, fft.py)
def _pad_widths(f: Callable, x: Any, widths: Any, mode: str = "constant") -> Any:
    """numpy's per-axis (before, after) pad widths as torch's flat list, last axis first."""
    flat = [int(v) for pair in reversed(widths) for v in pair]
    while len(flat) > 2 and flat[-2:] == [0, 0]:  # leading unpadded axes (reflect pads only trailing ones)
        flat = flat[:-2]
    return f(x, flat) if mode == "constant" else f(x, flat, mode=mode)


def _split_sections(f: Callable, x: Any, sections: int, dim: int) -> Any:
    """torch.split takes the size of each part, numpy's split the number of parts."""
    return f(x, x.shape[dim] // sections, dim)


def _unbind(f: Callable, x: Any, axis: int) -> Any:
    return f(x, dim=axis)


def _index_tensor(f: Callable, x: Any, index: Any, *rest: Any) -> Any:
    """torch.take / masked_select / masked_fill want the index or mask as a tensor."""
    return f(x, _t(index, x), *rest)


def _dim_keywords(f: Callable, x: Any, **params: Any) -> Any:
    """numpy's axis= as torch's dim=."""
    return f(x, **{("dim" if k == "axis" else k): v for k, v in params.items()})


BINDINGS.update(
    {
        "torch.nn.functional.pad": _pad_widths,
        "torch.constant_pad_nd": _pad_widths,
        "torch.split": _split_sections,
        "torch.unbind": _unbind,
        "torch.take": _index_tensor,
        "torch.masked_select": _index_tensor,
        "torch.masked_fill": _index_tensor,
    }
)


def _first(f: Callable, *args: Any, **params: Any) -> Any:
    """The first part of a tuple result (torch.gradient's per-dimension tuple)."""
    return _dim_keywords(f, *args, **params)[0]


def _layer_norm(f: Callable, x: Any) -> Any:
    return f(x, x.shape[-1:])


def _group_norm(f: Callable, x: Any) -> Any:
    """One group per channel: normalized over each channel's entries, as instance_norm."""
    return f(x, x.shape[1])


BINDINGS.update(
    {
        "torch.median": _values,
        "torch.nanmedian": _values,
        "torch.gradient": _first,
        "torch.nn.functional.normalize": _dim_keywords,
        "torch.nn.functional.layer_norm": _layer_norm,
        "torch.nn.functional.group_norm": _group_norm,
    }
)
BINDINGS.update({"torch.linalg.vander": lambda f, x, n, increasing: f(x, N=n)})  # always increasing powers
