"""An ``xp`` namespace over numpy object arrays of ``mpmath.mpf``: the cases' functions evaluated at
arbitrary precision, free of every AD framework.

    xp = MpNamespace(dps=40)
    with xp.precision():                 # operators (+ − * / **) on mpf use mpmath's global precision
        y = case.fn(xp, xp.asarray(x))

Semantics follow numpy's (``var`` is the population variance, ``max`` returns values, reductions take
``axis``/``keepdims``, ``eigh`` sorts eigenvalues ascending, ``svdvals`` descending). Linear algebra
runs through mpmath's own routines (LU, Cholesky, Jacobi ``eigsy``, ``svd_r``, Householder ``qr``,
``expm``), looping over any leading batch axes; ``xp.fft`` computes numpy.fft's transforms as explicit
DFT sums.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import mpmath
import numpy as np

Obj = np.ndarray  # dtype=object, entries mpmath.mpf


def to_mp(a: Any) -> Obj:
    """An object array of mpf holding exactly the values of ``a`` (floats convert exactly).

    Scale such arrays as ``array * mpf``, not ``mpf * array``, and add a 0-d one with ``np.add``:
    an mpf meeting an array first tries to convert it through its repr (~0.3 ms) before it gives
    way to numpy's elementwise operator; that cost a third of the special points' collection."""
    a = np.asarray(a)
    if a.dtype == object:
        return np.asarray(
            np.frompyfunc(lambda v: v if isinstance(v, (mpmath.mpf, mpmath.mpc)) else mpmath.mpmathify(v), 1, 1)(a),
            dtype=object,
        )
    if np.iscomplexobj(a):
        return np.asarray(
            np.frompyfunc(lambda v: mpmath.mpc(float(v.real), float(v.imag)), 1, 1)(a), dtype=object
        ).reshape(a.shape)
    return np.asarray(np.frompyfunc(lambda v: mpmath.mpf(float(v)), 1, 1)(a.astype(np.float64)), dtype=object).reshape(
        a.shape
    )


def to_float(a: Any) -> np.ndarray:
    """mpf (or mpc) entries rounded to float64 (complex128)."""
    a = np.asarray(a, dtype=object)
    if any(isinstance(v, mpmath.mpc) for v in a.flat):
        return np.asarray(np.frompyfunc(complex, 1, 1)(a), dtype=np.complex128).reshape(a.shape)
    return np.asarray(np.frompyfunc(float, 1, 1)(a), dtype=np.float64).reshape(a.shape)


def _obj(r: Any) -> Obj:
    return np.asarray(r, dtype=object)


def _unary(fn: Callable) -> Callable:
    uf = np.frompyfunc(fn, 1, 1)
    return lambda x: _obj(uf(_obj(x)))


def _binary(fn: Callable) -> Callable:
    uf = np.frompyfunc(fn, 2, 1)
    return lambda a, b: _obj(uf(_obj(a), _obj(b)))


def _reduce(fn: Callable) -> Callable:
    def reduce(x, axis=None, keepdims=False):
        return _obj(fn(_obj(x), axis=axis, keepdims=keepdims))

    return reduce


def _count(x: Obj, axis: Any) -> int:
    if axis is None:
        return x.size
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return int(np.prod([x.shape[a] for a in axes]))


def _mean(x, axis=None, keepdims=False):
    x = _obj(x)
    return _obj(np.sum(x, axis=axis, keepdims=keepdims)) / _count(x, axis)


def _var(x, axis=None, keepdims=False):
    x = _obj(x)
    d = x - _mean(x, axis=axis, keepdims=True)
    return _mean(d * d, axis=axis, keepdims=keepdims)


def _logsumexp(x, axis=None, keepdims=False):
    x = _obj(x)
    m = _obj(np.max(x, axis=axis, keepdims=True))
    m = np.where(_unary(mpmath.isfinite)(m).astype(bool), m, mpmath.mpf(0))
    out = _unary(mpmath.log)(np.sum(_unary(mpmath.exp)(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else _obj(np.squeeze(out, axis=axis))


def _batched(fn: Callable[[mpmath.matrix], Any], a: Obj, core: int = 2) -> Any:
    """Apply ``fn`` (mpmath matrix -> matrix, scalar, object array, or a tuple of them) over the
    trailing ``core`` axes of ``a``, looping over the leading (batch) axes."""
    a = _obj(a)
    lead = a.shape[: a.ndim - core]
    results = [fn(mpmath.matrix(a[idx].tolist())) for idx in np.ndindex(*lead)]

    def back(m: Any) -> Obj:
        if isinstance(m, mpmath.matrix):
            return _obj([[m[i, j] for j in range(m.cols)] for i in range(m.rows)])
        if isinstance(m, np.ndarray):
            return m.astype(object)
        return _obj(m)

    def assemble(items: list[Any]) -> Obj:
        arrs = [back(m) for m in items]
        out = np.empty(lead + arrs[0].shape, dtype=object)
        for idx, r in zip(np.ndindex(*lead), arrs):
            out[idx + (Ellipsis,)] = r
        return out

    if isinstance(results[0], tuple):
        return tuple(assemble(list(part)) for part in zip(*results))
    return assemble(results)


def _eigh(m: mpmath.matrix) -> tuple[Obj, Obj]:
    w, v = mpmath.eigsy(m)
    n = m.rows
    order = sorted(range(n), key=lambda i: w[i])
    return (_obj([w[i] for i in order]), _obj([[v[r, i] for i in order] for r in range(n)]))


def _svdvals(m: mpmath.matrix) -> Obj:
    s = mpmath.svd_r(m, compute_uv=False)
    return _obj(sorted([s[i] for i in range(len(s))], reverse=True))


def _det(m: mpmath.matrix) -> Any:
    """det by Gaussian elimination with partial pivoting; exactly 0 when a pivot column vanishes
    (mpmath.det fails on exactly singular matrices)."""
    n = m.rows
    a = [[m[i, j] for j in range(n)] for i in range(n)]
    det = mpmath.mpf(1)
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        if a[p][k] == 0:
            return mpmath.mpf(0)
        if p != k:
            a[k], a[p] = a[p], a[k]
            det = -det
        det *= a[k][k]
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return det


def _slogdet(m: mpmath.matrix) -> tuple[Obj, Obj]:
    d = _det(m)
    return _obj(mpmath.sign(d)), _obj(mpmath.log(abs(d)))


def _solve(a, b):
    """A⁻¹ b by LU for a vector b (shape a.shape[:-1]); A⁻¹ B for a matrix B."""
    a, b = _obj(a), _obj(b)
    if b.ndim == a.ndim - 1:
        return _solve_vec(a, b)
    return _batched(mpmath.inverse, a) @ b


def _solve_vec(a: Obj, b: Obj) -> Obj:
    lead = a.shape[:-2]
    outs = []
    for idx in np.ndindex(*lead) if lead else [()]:
        x = mpmath.lu_solve(mpmath.matrix(a[idx].tolist()), mpmath.matrix(list(b[idx])))
        outs.append([x[i] for i in range(x.rows)])
    return _obj(outs).reshape(b.shape)


def _norm(x, ord=None, axis=None):
    if ord not in (None, 2, "fro") or (ord == 2 and axis is None and _obj(x).ndim == 2):
        raise ValueError(f"the mpmath namespace computes only the 2-norm / Frobenius norm, not ord={ord!r}")
    x = _obj(x)
    return _unary(mpmath.sqrt)(_obj(np.sum(x * x, axis=axis)))


class MpNamespace:
    """The ``xp`` surface (adapters.base.XP_SURFACE) over object arrays of mpf at ``dps`` digits."""

    __name__ = "mpmath"

    def __init__(self, dps: int = 40):
        if dps < 30:
            raise ValueError(f"the mpmath oracle works at >= 30 significant digits, not {dps}")
        self.dps = int(dps)
        u = _unary
        self._fns: dict[str, Any] = {
            "sin": u(mpmath.sin),
            "cos": u(mpmath.cos),
            "tan": u(mpmath.tan),
            "arcsin": u(mpmath.asin),
            "arccos": u(mpmath.acos),
            "arctan": u(mpmath.atan),
            "sinh": u(mpmath.sinh),
            "cosh": u(mpmath.cosh),
            "tanh": u(mpmath.tanh),
            "arcsinh": u(mpmath.asinh),
            "arccosh": u(mpmath.acosh),
            "arctanh": u(mpmath.atanh),
            "exp": u(mpmath.exp),
            "expm1": u(mpmath.expm1),
            "log": u(mpmath.log),
            "log1p": u(mpmath.log1p),
            "log2": u(lambda v: mpmath.log(v, 2)),
            "log10": u(mpmath.log10),
            "sqrt": u(mpmath.sqrt),
            "square": u(lambda v: v * v),
            "abs": u(abs),
            "sign": u(mpmath.sign),
            "power": _binary(mpmath.power),
            "arctan2": _binary(mpmath.atan2),
            "hypot": _binary(mpmath.hypot),
            "maximum": _binary(lambda a, b: a if a >= b else b),
            "minimum": _binary(lambda a, b: a if a <= b else b),
            "erf": u(mpmath.erf),
            "erfc": u(mpmath.erfc),
            "sigmoid": u(lambda v: 1 / (1 + mpmath.exp(-v))),
            "softplus": u(lambda v: mpmath.log1p(mpmath.exp(v))),
            "relu": u(lambda v: v if v > 0 else mpmath.mpf(0)),
            "real": u(mpmath.re),
            "imag": u(mpmath.im),
            "conj": u(mpmath.conj),
            "isfinite": lambda x: _unary(mpmath.isfinite)(x).astype(bool),
            "sum": _reduce(np.sum),
            "prod": _reduce(np.prod),
            "max": _reduce(np.max),
            "min": _reduce(np.min),
            "cumsum": lambda x, axis=None: _obj(np.cumsum(_obj(x), axis=axis)),
            "mean": _mean,
            "var": _var,
            "std": lambda x, axis=None, keepdims=False: _unary(mpmath.sqrt)(_var(x, axis=axis, keepdims=keepdims)),
            "logsumexp": _logsumexp,
            "softmax": lambda x, axis=-1: _unary(mpmath.exp)(_obj(x) - _logsumexp(x, axis, True)),
            "log_softmax": lambda x, axis=-1: _obj(x) - _logsumexp(x, axis, True),
            "asarray": lambda a, like=None, dtype=None: to_mp(a),
            "eye": lambda n, like=None, dtype=None: to_mp(np.eye(n)),
            "zeros_like": lambda x: to_mp(np.zeros(np.shape(x))),
            "ones_like": lambda x: to_mp(np.ones(np.shape(x))),
            "clip": lambda x, lo=None, hi=None: self._clip(x, lo, hi),
            "where": lambda c, a, b: _obj(np.where(np.asarray(c).astype(bool), _obj(a), _obj(b))),
        }
        self.linalg = _Linalg()
        self.fft = _Fft()

    def _clip(self, x, lo, hi):
        y = _obj(x)
        if lo is not None:
            y = self._fns["maximum"](y, lo)
        if hi is not None:
            y = self._fns["minimum"](y, hi)
        return y

    def precision(self) -> contextlib.AbstractContextManager:
        """Context in which mpmath (and so + − * / ** on mpf) works at ``dps`` digits or more."""
        return mpmath.workdps(max(self.dps, mpmath.mp.dps))

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in self._fns:
            return self._fns[attr]
        if attr in _NUMPY_STRUCTURE:
            fn = getattr(np, attr)
            return lambda *a, **k: _obj(fn(*a, **k))
        raise AttributeError(f"mpmath namespace has no function {attr!r}")

    def __repr__(self) -> str:
        return f"<xp namespace mpmath dps={self.dps}>"


# Functions whose numpy versions already work on object arrays (structure, products, sums).
_NUMPY_STRUCTURE = (
    "reshape",
    "transpose",
    "swapaxes",
    "stack",
    "concatenate",
    "expand_dims",
    "squeeze",
    "matmul",
    "einsum",
    "outer",
    "trace",
    "diagonal",
    "tril",
    "triu",
    "take",
    "cumprod",
    "sort",
    "diff",
    "flip",
    "take_along_axis",
    "cross",
    "tensordot",
    "broadcast_to",
    "pad",
)


class _Linalg:
    __name__ = "mpmath.linalg"

    @staticmethod
    def inv(a):
        return _batched(mpmath.inverse, a)

    solve = staticmethod(_solve)

    @staticmethod
    def det(a):
        return _batched(lambda m: _obj(_det(m)), a)

    @staticmethod
    def slogdet(a):
        return _batched(_slogdet, a)

    @staticmethod
    def cholesky(a):
        return _batched(mpmath.cholesky, a)

    @staticmethod
    def eigh(a):
        return _batched(_eigh, a)

    @staticmethod
    def eigvalsh(a):
        return _batched(lambda m: _eigh(m)[0], a)

    @staticmethod
    def svdvals(a):
        return _batched(_svdvals, a)

    @staticmethod
    def qr(a):
        return _batched(lambda m: tuple(mpmath.qr(m)), a)

    norm = staticmethod(_norm)

    @staticmethod
    def matrix_power(a, n: int):
        """Aⁿ for an integer n ≥ 1 by repeated products (numpy's ``matrix_power`` for n ≥ 1)."""
        a = _obj(a)
        out = a
        for _ in range(int(n) - 1):
            out = _obj(np.matmul(out, a))
        return out

    @staticmethod
    def expm(a):
        """The matrix exponential (mpmath's Padé/Taylor ``expm`` at the working precision)."""
        return _batched(mpmath.expm, a)

    @staticmethod
    def pinv(a):
        """The Moore–Penrose inverse of a full-rank matrix: (AᵀA)⁻¹Aᵀ (tall) or Aᵀ(AAᵀ)⁻¹ (wide)."""
        a = _obj(a)
        at = np.swapaxes(a, -1, -2)
        if a.shape[-2] >= a.shape[-1]:
            return _obj(np.matmul(_batched(mpmath.inverse, _obj(np.matmul(at, a))), at))
        return _obj(np.matmul(at, _batched(mpmath.inverse, _obj(np.matmul(a, at)))))

    @staticmethod
    def lstsq(a, b):
        """(solution,) of min ‖A x − b‖ for a full-column-rank A: (AᵀA)⁻¹Aᵀb (numpy returns 4 parts;
        the oracle uses the first)."""
        return (_obj(np.matmul(_Linalg.pinv(a), _obj(b))),)

    @staticmethod
    def svd(a):
        """(U, s, Vᵀ) of a square matrix from the eigenpairs of AᵀA (distinct singular values;
        each vector's sign is mpmath's, as any SVD's is a convention: use gauge-invariant losses)."""

        def one(m: mpmath.matrix) -> tuple[Obj, Obj, Obj]:
            u, s, v = mpmath.svd_r(m)
            n = len(s)
            order = sorted(range(n), key=lambda i: -s[i])
            return (
                _obj([[u[r, i] for i in order] for r in range(u.rows)]),
                _obj([s[i] for i in order]),
                _obj([[v[i, c] for c in range(v.cols)] for i in order]),
            )

        return _batched(one, a)


def _dft(x: Obj, inverse: bool = False) -> Obj:
    """Σₙ xₙ e^{∓2πi kn/N} along the last axis (divided by N for the inverse), twiddles exact
    at the working precision."""
    x = _obj(x)
    n = x.shape[-1]
    sign = 1 if inverse else -1
    w = _obj([[mpmath.expjpi(mpmath.mpf(2 * sign * ((k * j) % n)) / n) for j in range(n)] for k in range(n)])
    y = _obj(np.matmul(x, w.T))
    return y * (mpmath.mpf(1) / n) if inverse else y


class _Fft:
    """numpy.fft's functions as explicit DFT sums over mpc (last axis; ``fft2`` the last two)."""

    __name__ = "mpmath.fft"

    @staticmethod
    def fft(x):
        return _dft(x)

    @staticmethod
    def ifft(x):
        return _dft(x, inverse=True)

    @staticmethod
    def fft2(x):
        return np.swapaxes(_dft(np.swapaxes(_dft(x), -1, -2)), -1, -2)

    @staticmethod
    def ifft2(x):
        return np.swapaxes(_dft(np.swapaxes(_dft(x, True), -1, -2), True), -1, -2)

    @staticmethod
    def rfft(x):
        x = _obj(x)
        return _dft(x)[..., : x.shape[-1] // 2 + 1]

    @staticmethod
    def irfft(x, n: int | None = None):
        """The real signal of length n (default 2(m − 1)) whose half spectrum is x: the Hermitian
        extension, the imaginary parts of the zero and Nyquist terms dropped (numpy's semantics)."""
        x = _obj(x)
        m = x.shape[-1]
        n = 2 * (m - 1) if n is None else int(n)
        half = n // 2 + 1
        spec = [x[..., k] if k < m else x[..., 0] * 0 for k in range(half)]
        spec[0] = _unary(mpmath.re)(spec[0])
        if n % 2 == 0:
            spec[-1] = _unary(mpmath.re)(spec[-1])
        full = spec + [_unary(mpmath.conj)(spec[n - k]) for k in range(half, n)]
        return _unary(mpmath.re)(_dft(np.stack(full, axis=-1), inverse=True))
