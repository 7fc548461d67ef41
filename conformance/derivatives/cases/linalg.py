"""Linear algebra: matmul, solve, inv, det, slogdet, cholesky, eigh, singular values, trace, QR.

Inputs are structured (``make_input``): well-conditioned matrices with distinct singular values,
symmetric matrices with well-separated eigenvalues. Decompositions whose output has a sign or
symmetry convention are reached through inputs and losses that make the derivative unique:

- cholesky and eigh take S = (X + Xᵀ)/2 (+ a shift), so every perturbation of X is symmetric in S;
- eigenvector and QR losses use squared entries, invariant to the sign of each vector.

Special points: the identity; a singular matrix for det, whose gradient (the adjugate transposed)
is unique although det·A⁻ᵀ is 0·∞ there.
"""

from __future__ import annotations

import numpy as np

from conformance.derivatives.case import Case

from .common import eigvals_distinct, fixed, sp, spd, well_conditioned

SQUARE = ((3, 3), (2, 2))
_B = {n: fixed(100 + n, (n,)) for n in (2, 3, 4)}
_W = {n: np.arange(1.0, n + 1.0) for n in (2, 3, 4)}  # weights of eigen/singular values
_C = {n: fixed(200 + n, (n, n)) for n in (2, 3, 4)}  # weights of matrix entries
_A = {n: fixed(300 + n, (n, n)) for n in (2, 3, 4)}  # constant matrices


def _wc(rng, shape):
    return well_conditioned(rng, shape[-1])


def _sym_sep(rng, shape):
    """X whose symmetric part has eigenvalues at least 0.5 apart (plus an antisymmetric part)."""
    n = shape[-1]
    s = spd(rng, n, lo=-2.0, gap=0.5)
    k = rng.uniform(-1, 1, (n, n))
    return s + 0.5 * (k - k.T)


def _nonsingular(x):
    s = np.linalg.svd(x, compute_uv=False)
    return None if s[-1] > 1e-8 * s[0] else "the matrix is singular"


def _distinct_sv(x):
    s = np.linalg.svd(x, compute_uv=False)
    if s[-1] <= 1e-8:
        return "a singular value is 0"
    return None if np.min(-np.diff(s)) > 1e-3 else "singular values closer than 1e-3"


def _cofactor(a):
    """Cofactor matrix C (det gradient = C) from minors: unique at singular a too."""
    n = a.shape[0]
    C = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            m = np.delete(np.delete(a, i, 0), j, 1)
            C[i, j] = (-1) ** (i + j) * (np.linalg.det(m) if m.size else 1.0)
    return C


def _det_hess(a):
    """∂² det / ∂a_ij ∂a_kl = ± minor with rows i,k and columns j,l removed."""
    n = a.shape[0]
    H = np.zeros((n, n, n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                for l in range(n):
                    if i == k or j == l:
                        continue
                    rows = [r for r in range(n) if r not in (i, k)]
                    cols = [c for c in range(n) if c not in (j, l)]
                    m = a[np.ix_(rows, cols)]
                    sign = (-1) ** (i + j + k + l) * (1 if (i < k) == (j < l) else -1)
                    H[i, j, k, l] = sign * (np.linalg.det(m) if m.size else 1.0)
    return H


def _solve_jac(a):
    n = a.shape[0]
    ainv = np.linalg.inv(a)
    x = ainv @ _B[n]
    return -np.einsum("ik,l->ikl", ainv, x)


def _inv_jac(a):
    ainv = np.linalg.inv(a)
    return -np.einsum("ik,lj->ijkl", ainv, ainv)


def _sym_grad(g_s):
    """Gradient with respect to X of a loss of S = (X + Xᵀ)/2, given its gradient in S."""
    return 0.5 * (g_s + g_s.T)


def _eigh_values_grad(x):
    n = x.shape[0]
    s = 0.5 * (x + x.T)
    _, v = np.linalg.eigh(s)
    return _sym_grad((v * _W[n]) @ v.T)


def _svdvals_grad(x):
    n = x.shape[0]
    u, _, vt = np.linalg.svd(x)
    return (u * _W[n]) @ vt


def _matmul_jac(x):
    """d(X A)/dX: J[i, j, k, l] = δ_ik A[l, j]."""
    n = x.shape[0]
    return np.einsum("ik,lj->ijkl", np.eye(n), _A[n])


def _square_jac(x):
    """d(X X)/dX: J[i, j, k, l] = δ_ik X[l, j] + X[i, k] δ_jl."""
    n = x.shape[0]
    e = np.eye(n)
    return np.einsum("ik,lj->ijkl", e, x) + np.einsum("ik,jl->ijkl", x, e)


def _chol_logdet_grad(x):
    """d/dX of log det(S) with S = (X + Xᵀ)/2 + shift·I = sum of 2·log diag chol(S): S⁻¹ symmetrized."""
    n = x.shape[0]
    s = 0.5 * (x + x.T) + n * np.eye(n)
    return _sym_grad(np.linalg.inv(s))


def _spd_input(rng, shape):
    return spd(rng, shape[-1], lo=0.5, gap=0.3)


CASES: list[Case] = [
    Case(
        "matmul",
        "linalg",
        lambda xp, x: xp.matmul(x, xp.asarray(_A[x.shape[-1]], like=x)),
        shapes=SQUARE,
        jac=_matmul_jac,
        special_points=(sp("identity", np.eye(3), orders=(1,)), sp("zero", np.zeros((3, 3)), orders=(1,))),
        doc="X A for a constant A",
    ),
    Case(
        "matmul_square",
        "linalg",
        lambda xp, x: x @ x,
        shapes=SQUARE,
        jac=_square_jac,
        special_points=(sp("identity", np.eye(3), orders=(1,)),),
        doc="X @ X",
    ),
    Case(
        "solve",
        "linalg",
        lambda xp, x: xp.linalg.solve(x, xp.asarray(_B[x.shape[-1]], like=x)),
        shapes=SQUARE,
        make_input=_wc,
        jac=_solve_jac,
        valid=_nonsingular,
        special_points=(sp("identity", np.eye(3), orders=(1,)),),
        doc="A⁻¹ b for a constant b",
    ),
    Case(
        "inv",
        "linalg",
        lambda xp, x: xp.linalg.inv(x),
        shapes=SQUARE,
        make_input=_wc,
        jac=_inv_jac,
        valid=_nonsingular,
        special_points=(sp("identity", np.eye(3), orders=(1,)), sp("diagonal", np.diag([1.0, 2.0, 4.0]), orders=(1,))),
    ),
    Case(
        "det",
        "linalg",
        lambda xp, x: xp.linalg.det(x),
        shapes=SQUARE,
        scalar=True,
        grad=_cofactor,
        hess=_det_hess,
        make_input=_wc,  # random draws stay nonsingular; the
        # singular matrices, where the frameworks' det·A⁻ᵀ formulas break, are special points
        special_points=(
            sp("identity", np.eye(3)),
            # a zero column stays exactly zero through any elimination order, so LU's
            # last pivot is exactly 0 on every CPU ([[1,2,3],[2,4,6],[1,0,1]] gave a
            # pivot of 0 on one CPU and ~1e-16 on another, and torch's answer with it)
            sp(
                "rank n-1",
                [[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [5.0, 6.0, 0.0]],
                note="det = 0 with an exactly zero LU pivot: the gradient is the cofactor "
                "matrix (nonzero in the zero column), det·A⁻ᵀ is 0·∞",
            ),
            sp("rank n-2", [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]], note="det = 0 and the gradient is 0"),
            sp("zero", np.zeros((3, 3))),
        ),
    ),
    Case(
        "slogdet",
        "linalg",
        lambda xp, x: xp.linalg.slogdet(x)[1],
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        grad=lambda x: np.linalg.inv(x).T,
        analytic=False,
        valid=_nonsingular,
        special_points=(
            sp("identity", np.eye(3)),
            sp("negative det", np.diag([-1.0, 2.0, 3.0])),
            sp("large scale", 1e100 * np.eye(3)),
            sp("small scale", 1e-100 * np.eye(3), orders=(1,)),
        ),
        doc="log |det A|",
    ),
    Case(
        "trace",
        "linalg",
        lambda xp, x: xp.trace(x),
        shapes=SQUARE,
        scalar=True,
        grad=lambda x: np.eye(x.shape[0]),
        hess=lambda x: np.zeros(x.shape + x.shape),
        special_points=(sp("zero", np.zeros((3, 3))),),
    ),
    Case(
        "trace_inv",
        "linalg",
        lambda xp, x: xp.trace(xp.linalg.inv(x)),
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        valid=_nonsingular,
        grad=lambda x: -(np.linalg.inv(x) @ np.linalg.inv(x)).T,
        special_points=(sp("identity", np.eye(3)),),
        doc="tr A⁻¹",
    ),
    Case(
        "frobenius",
        "linalg",
        lambda xp, x: xp.linalg.norm(x),
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        grad=lambda x: x / np.linalg.norm(x),
        analytic=False,
        valid=lambda x: None if np.any(x != 0) else "the norm is not differentiable at 0",
        special_points=(sp("identity", np.eye(3)),),
        doc="Frobenius norm away from 0",
    ),
    Case(
        "cholesky",
        "linalg",
        lambda xp, x: xp.sum(
            xp.asarray(_C[x.shape[-1]], like=x)
            * xp.linalg.cholesky(0.5 * (x + xp.transpose(x)) + x.shape[-1] * xp.eye(x.shape[-1], like=x))
        ),
        shapes=SQUARE,
        scalar=True,
        make_input=_spd_input,
        analytic=False,
        valid=lambda x: (
            None
            if np.min(np.linalg.eigvalsh(0.5 * (x + x.T))) > -x.shape[0] + 1e-3
            else "S = (X + Xᵀ)/2 + nI is not positive definite"
        ),
        special_points=(sp("zero", np.zeros((3, 3))), sp("identity", np.eye(3))),
        doc="Σ C ∘ chol((X + Xᵀ)/2 + nI) for a constant C",
    ),
    Case(
        "cholesky_logdet",
        "linalg",
        lambda xp, x: (
            2.0
            * xp.sum(
                xp.log(
                    xp.diagonal(
                        xp.linalg.cholesky(0.5 * (x + xp.transpose(x)) + x.shape[-1] * xp.eye(x.shape[-1], like=x))
                    )
                )
            )
        ),
        shapes=SQUARE,
        scalar=True,
        make_input=_spd_input,
        analytic=False,
        grad=_chol_logdet_grad,
        valid=lambda x: (
            None
            if np.min(np.linalg.eigvalsh(0.5 * (x + x.T))) > -x.shape[0] + 1e-3
            else "S = (X + Xᵀ)/2 + nI is not positive definite"
        ),
        special_points=(sp("zero", np.zeros((3, 3))),),
        doc="log det S = 2 Σ log diag chol(S)",
    ),
    Case(
        "eigvalsh",
        "linalg",
        lambda xp, x: xp.sum(xp.asarray(_W[x.shape[-1]], like=x) * xp.linalg.eigvalsh(0.5 * (x + xp.transpose(x)))),
        shapes=SQUARE,
        scalar=True,
        make_input=_sym_sep,
        grad=_eigh_values_grad,
        analytic=False,
        valid=lambda x: eigvals_distinct(x),
        special_points=(sp("diagonal", np.diag([1.0, 2.0, 3.0])),),
        doc="Σ wᵢ λᵢ((X + Xᵀ)/2), distinct eigenvalues",
    ),
    Case(
        "eigh_values",
        "linalg",
        lambda xp, x: xp.sum(xp.asarray(_W[x.shape[-1]], like=x) * xp.linalg.eigh(0.5 * (x + xp.transpose(x)))[0]),
        shapes=SQUARE,
        scalar=True,
        make_input=_sym_sep,
        grad=_eigh_values_grad,
        analytic=False,
        valid=lambda x: eigvals_distinct(x),
        special_points=(sp("diagonal", np.diag([3.0, -1.0, 1.0])),),
        doc="Σ wᵢ λᵢ through eigh (values output)",
    ),
    Case(
        "eigh_vectors",
        "linalg",
        lambda xp, x: xp.sum(xp.asarray(_C[x.shape[-1]], like=x) * xp.linalg.eigh(0.5 * (x + xp.transpose(x)))[1] ** 2),
        shapes=SQUARE,
        scalar=True,
        make_input=_sym_sep,
        analytic=False,
        valid=lambda x: eigvals_distinct(x, gap=0.1),
        special_points=(sp("near diagonal", [[1.0, 0.1, 0.0], [0.1, 2.0, 0.1], [0.0, 0.1, 3.0]]),),
        doc="Σ C ∘ V² (squared eigenvector entries are sign-invariant), distinct eigenvalues",
    ),
    Case(
        "svdvals",
        "linalg",
        lambda xp, x: xp.sum(xp.asarray(_W[x.shape[-1]], like=x) * xp.linalg.svdvals(x)),
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        grad=_svdvals_grad,
        analytic=False,
        valid=_distinct_sv,
        special_points=(sp("diagonal", np.diag([3.0, 2.0, 1.0])),),
        doc="Σ wᵢ σᵢ(X), distinct nonzero singular values",
    ),
    Case(
        "qr_r",
        "linalg",
        lambda xp, x: xp.sum(xp.asarray(_C[x.shape[-1]], like=x) * xp.linalg.qr(x)[1] ** 2),
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        analytic=False,
        valid=_nonsingular,
        special_points=(sp("identity", np.eye(3)),),
        doc="Σ C ∘ R² of A = QR (sign-invariant), full rank",
    ),
    Case(
        "inv_quadratic",
        "linalg",
        lambda xp, x: xp.sum(
            xp.asarray(_B[x.shape[-1]], like=x) * xp.linalg.solve(x, xp.asarray(_B[x.shape[-1]], like=x))
        ),
        shapes=SQUARE,
        scalar=True,
        make_input=_wc,
        valid=_nonsingular,
        grad=lambda x: -np.outer(np.linalg.solve(x.T, _B[x.shape[0]]), np.linalg.solve(x, _B[x.shape[0]])),
        special_points=(sp("identity", np.eye(3)),),
        doc="bᵀ A⁻¹ b",
    ),
]
