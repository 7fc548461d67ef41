"""Linear algebra by each framework's own functions: det, slogdet, inv, pinv, solve, lstsq, the
Cholesky family, triangular and LU solves, QR, SVD, eigh, matrix_exp, matrix_power, cross,
multi_dot, einsum, tensordot, trace and diagonal.

Decompositions are checked through what is unique about them (``out``): R's diagonal in absolute
value, the projectors U_k U_kᵀ, V_k V_kᵀ and v vᵀ onto singular/eigen subspaces (invariant to each
vector's sign and to rotations inside a repeated cluster), and invariant functions of the values.
The oracles compute the same quantities from the matrix itself (AᵀA's Cholesky factor, the
eigenvectors of A Aᵀ), never from a framework's factors. Symmetric inputs enter as (X + Xᵀ)/2 so
that every perturbation stays symmetric.

Special points: a singular matrix whose LU has an exactly zero pivot by construction (every
elimination step is exact, whatever the CPU), a nearly singular one, rank n − 2, and repeated
eigen/singular values through invariant losses.
"""

from __future__ import annotations

import numpy as np

from .inputs import fixed, spd, well_conditioned
from .table import Op

SQ = ((3, 3),)
B = fixed(401, (3, 2))  # right-hand sides
C3 = fixed(402, (3, 3))  # weights of a matrix output's entries
C4 = fixed(403, (4, 4))
W = np.array([1.0, 2.0, 3.0])  # weights of values
A33 = fixed(404, (3, 3))
B32 = fixed(405, (3, 2))
ZERO_PIVOT = [[4.0, 2.0, 1.0], [2.0, 1.0, 3.0], [1.0, 0.5, 2.0]]  # column 2 eliminates to exact zeros
NEAR_SINGULAR = [[4.0, 2.0, 1.0], [2.0, 1.0 + 2.0**-8, 3.0], [1.0, 0.5, 2.0]]
NEAR_SINGULAR_COND = float(np.linalg.cond(NEAR_SINGULAR))
RANK1 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]
NILPOTENT = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]


def _c(xp, like, a):
    return xp.asarray(a, like=like)


def _t(xp, a):
    return xp.swapaxes(a, -1, -2)


def _sym(xp, x):
    return 0.5 * (x + _t(xp, x))


def _wc(rng, shape):
    return well_conditioned(rng, shape[-1])


def _tall(rng, shape):
    """A (m, n) matrix Q diag(s) Vᵀ with orthonormal Q and distinct singular values s ≥ 0.5."""
    m, n = shape
    q, _ = np.linalg.qr(rng.standard_normal((m, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = 0.5 + np.cumsum(0.3 + rng.uniform(0, 0.5, n))[::-1]
    return (q * s) @ v.T


def _spd(rng, shape):
    return spd(rng, shape[-1], lo=0.5, gap=0.3)


def _sym_sep(rng, shape):
    return spd(rng, shape[-1], lo=-2.0, gap=0.5)


def _lower(rng, shape):
    """A full matrix whose lower triangle is well conditioned (diagonal in ±[1, 2])."""
    n = shape[-1]
    x = rng.uniform(-1, 1, (n, n))
    x[np.diag_indices(n)] = rng.uniform(1, 2, n) * rng.choice([-1.0, 1.0], n)
    return x


def _nonsingular(x):
    s = np.linalg.svd(x, compute_uv=False)
    return None if s[-1] > 1e-8 * s[0] else "the matrix is singular"


def _pd(x):
    w = np.linalg.eigvalsh(0.5 * (x + x.T))
    return None if w[0] > 1e-3 else "(X + Xᵀ)/2 is not positive definite"


def _eig_gap(x):
    w = np.linalg.eigvalsh(0.5 * (x + x.T))
    return None if np.min(np.diff(w)) > 1e-3 else "eigenvalues closer than 1e-3"


def _top_gap(x):
    w = np.linalg.eigvalsh(0.5 * (x + x.T))
    return None if w[-1] - w[-2] > 1e-3 else "the top eigenvalue is not isolated"


def _sv_gap(x):
    s = np.linalg.svd(x, compute_uv=False)
    return None if s[1] - s[2] > 1e-3 and s[2] > 1e-8 else "the top-2 singular subspace is not isolated"


def _sv_curvature(x):
    """‖D²σᵢ(A)‖ = 1/gapᵢ, gapᵢ = min_{j≠i} |σᵢ − σⱼ| (and σᵢ itself, the distance to the complement's
    zero singular values, where A is not square): the normwise condition of dσᵢ = uᵢᵀ dA vᵢ.

    With Ẽ = UᵀEV, D²σᵢ[E, E] = Σ_{j≠i} (Ẽⱼᵢ + Ẽᵢⱼ)²/(2(σᵢ − σⱼ)) + (Ẽⱼᵢ − Ẽᵢⱼ)²/(2(σᵢ + σⱼ)) (+ Σ Ẽₖᵢ²/σᵢ
    over the complement of a non-square A): the eigenvalues of σᵢ in the Jordan–Wielandt matrix
    [[0, A], [Aᵀ, 0]] (±σⱼ and 0). Each (Ẽⱼᵢ, Ẽᵢⱼ) block has eigenvalues 1/(σᵢ − σⱼ) and 1/(σᵢ + σⱼ),
    so |D²σᵢ[E, V]| <= ‖E‖_F ‖V‖_F / gapᵢ, and a backward-stable SVD (‖E‖ ~ ε‖A‖) gives σᵢ's JVP to
    ε·‖A‖·‖V‖/gapᵢ. A tie (gap 0, no derivative) gives inf: the domain excludes it."""
    a = np.asarray(x, dtype=np.float64)
    s = np.linalg.svd(a, compute_uv=False)
    d = np.abs(s[:, None] - s[None, :]) + np.diag(np.full(len(s), np.inf))
    gap = np.min(d, axis=1)
    if a.shape[-1] != a.shape[-2]:
        gap = np.minimum(gap, s)
    with np.errstate(divide="ignore"):
        return 1.0 / gap


def _loss_curvature(loss, step: float = 1e-4):
    """x -> ‖∇²L(x)‖₂ of a scalar loss L of a matrix (numpy, float64), by central differences of step
    ``step`` (truncation O(step²), rounding ~ε|L|/step² ~ 1e-7 relative: a bound's estimate, not an
    oracle): the normwise condition of ∇L (``judging.normwise_condition``). A backward-stable
    factorization returns ∇L at A + E, ‖E‖ ~ ε‖A‖, so ∇L is off by up to ‖E‖·‖∇²L‖ whatever its rule —
    for the top-2 singular subspaces' projectors ‖∇²L‖ grows as ‖C‖/(σ₂ − σ₃)² (42 at σ = 1.99, 1.20, 0.86,
    where torch's and JAX's correct gradients are both 8ε·‖A‖·‖∇²L‖ off); a wrong rule, off by 1e-6
    relative, stays far outside it."""

    def curvature(x):
        a = np.asarray(x, dtype=np.float64).reshape(-1)
        n = a.size
        e = np.eye(n) * step

        def f(z):
            return float(loss(z.reshape(np.shape(x))))

        H = np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                H[i, j] = H[j, i] = (
                    f(a + e[i] + e[j]) - f(a + e[i] - e[j]) - f(a - e[i] + e[j]) + f(a - e[i] - e[j])
                ) / (4 * step * step)
        return np.asarray(np.linalg.norm(H, 2) if np.all(np.isfinite(H)) else np.inf)

    return curvature


def _expm(xp, a):
    """The exact matrix exponential: the namespace's own (mpmath) or scipy's (numpy, float64)."""
    f = getattr(xp.linalg, "expm", None)
    if f is None:
        import scipy.linalg

        return scipy.linalg.expm(a)
    return f(a)


def _projector(xp, v):
    return xp.matmul(v, _t(xp, v))


def _qr_loss(xp, x_or_q, r_diag):
    return xp.sum(_c(xp, r_diag, C4) * x_or_q) + xp.sum(_c(xp, r_diag, W[:2]) * r_diag)


def _qr_oracle(xp, x):
    """Σ C ∘ (A (AᵀA)⁻¹ Aᵀ) + Σ w |diag R|, with |diag R| = diag chol(AᵀA)."""
    ata = xp.matmul(_t(xp, x), x)
    p = xp.matmul(xp.matmul(x, xp.linalg.inv(ata)), _t(xp, x))
    return _qr_loss(xp, p, xp.diagonal(xp.linalg.cholesky(ata)))


def _qr_out(xp, y):
    q, r = y[0], y[1]
    return _qr_loss(xp, _projector(xp, q), xp.abs(xp.diagonal(r)))


def _svd_loss(xp, pu, pv, s):
    return xp.sum(_c(xp, s, C3) * pu) + xp.sum(_c(xp, s, C3.T) * pv) + xp.sum(s * s * s)


def _svd_oracle(xp, x):
    """Σ C ∘ U₂U₂ᵀ + Σ Cᵀ ∘ V₂V₂ᵀ + Σ sᵢ³, the top-2 singular subspaces from eigh(AAᵀ), eigh(AᵀA)."""
    u = xp.linalg.eigh(xp.matmul(x, _t(xp, x)))[1][..., 1:]
    v = xp.linalg.eigh(xp.matmul(_t(xp, x), x))[1][..., 1:]
    return _svd_loss(xp, _projector(xp, u), _projector(xp, v), xp.linalg.svdvals(x))


def _svd_out(xp, y):
    u, s, vh = y[0], y[1], y[2]
    return _svd_loss(xp, _projector(xp, u[..., :2]), _projector(xp, _t(xp, vh[..., :2, :])), s)


def _eigh_loss(xp, w, v):
    return xp.sum(_c(xp, w, C3) * _projector(xp, v[..., -1:])) + xp.sum(w * w * w)


def _cross(xp, a, b):
    return xp.stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


DET_SPECIAL = [
    ("identity", np.eye(3)),
    (
        "zero pivot",
        ZERO_PIVOT,
        (1, 2),
        "singular: LU meets an exactly zero pivot (exact elimination); "
        "the gradient is the cofactor matrix, det·A⁻ᵀ is 0·∞",
    ),
    (
        "nearly singular",
        NEAR_SINGULAR,
        (1, 2),
        "det = 7·2⁻⁸: LU's last pivot is small, not 0; the "
        "cofactors computed as det·A⁻ᵀ lose up to κ(A) ≈ 3e3 in relative accuracy",
        NEAR_SINGULAR_COND,
    ),
    ("rank n-2", RANK1, (1, 2), "det = 0 and its gradient is 0; the Hessian is not"),
]

OPS: list[Op] = [
    Op(
        "linalg_det",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.det", "torch.det"),
            "jax": ("jax.numpy.linalg.det", "jax.scipy.linalg.det"),
            "tensorflow": ("tf.linalg.det",),
            "numpy": ("numpy.linalg.det", "scipy.linalg.det"),
        },
        oracle=lambda xp, x: xp.linalg.det(x),
        shapes=SQ,
        scalar=True,
        make_input=_wc,
        special=DET_SPECIAL,
        doc="det A",
    ),
    Op(
        "linalg_slogdet",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.slogdet", "torch.slogdet"),
            "jax": ("jax.numpy.linalg.slogdet",),
            "tensorflow": ("tf.linalg.slogdet",),
            "numpy": ("numpy.linalg.slogdet",),
        },
        oracle=lambda xp, x: xp.log(xp.abs(xp.linalg.det(x))),
        out=lambda xp, y: y[1],
        shapes=SQ,
        scalar=True,
        make_input=_wc,
        valid=_nonsingular,
        special=[
            ("negative det", np.diag([-1.0, 2.0, 3.0])),
            ("huge scale", 1e100 * np.eye(3)),
            ("tiny scale", 1e-100 * np.eye(3), (1,)),
        ],
        doc="log |det A| (slogdet's second part)",
    ),
    Op(
        "logdet_spd",
        "linalg",
        None,
        {"torch": ("torch.logdet",), "tensorflow": ("tf.linalg.logdet",)},
        oracle=lambda xp, x: xp.log(xp.linalg.det(_sym(xp, x))),
        args=lambda xp, x: (_sym(xp, x),),
        shapes=SQ,
        scalar=True,
        make_input=_spd,
        valid=_pd,
        special=[("identity", np.eye(3))],
        doc="log det S, S = (X + Xᵀ)/2 positive definite",
    ),
    Op(
        "linalg_inv",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.inv", "torch.inverse"),
            "jax": ("jax.numpy.linalg.inv", "jax.scipy.linalg.inv"),
            "tensorflow": ("tf.linalg.inv",),
            "numpy": ("numpy.linalg.inv", "scipy.linalg.inv"),
        },
        oracle=lambda xp, x: xp.linalg.inv(x),
        shapes=SQ,
        make_input=_wc,
        valid=_nonsingular,
        special=[("identity", np.eye(3))],
        doc="A⁻¹",
    ),
    Op(
        "linalg_pinv",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.pinv", "torch.pinverse"),
            "jax": ("jax.numpy.linalg.pinv",),
            "tensorflow": ("tf.linalg.pinv",),
            "numpy": ("numpy.linalg.pinv", "scipy.linalg.pinv"),
        },
        oracle=lambda xp, x: xp.linalg.pinv(x),
        shapes=((3, 2),),
        make_input=_tall,
        smooth_order=2,
        special=[("orthonormal columns", np.eye(3)[:, :2])],
        doc="A⁺ = (AᵀA)⁻¹Aᵀ of a full-rank tall A",
    ),
    Op(
        "linalg_solve",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.solve",),
            "jax": ("jax.numpy.linalg.solve", "jax.scipy.linalg.solve"),
            "tensorflow": ("tf.linalg.solve",),
            "numpy": ("numpy.linalg.solve", "scipy.linalg.solve"),
        },
        oracle=lambda xp, x: xp.linalg.solve(x, _c(xp, x, B)),
        args=lambda xp, x: (x, _c(xp, x, B)),
        shapes=SQ,
        make_input=_wc,
        valid=_nonsingular,
        special=[("identity", np.eye(3))],
        doc="A⁻¹B",
    ),
    Op(
        "linalg_lstsq",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.lstsq",),
            "jax": ("jax.numpy.linalg.lstsq",),
            "tensorflow": ("tf.linalg.lstsq",),
            "numpy": ("numpy.linalg.lstsq", "scipy.linalg.lstsq"),
        },
        oracle=lambda xp, x: xp.linalg.lstsq(x, _c(xp, x, B[:, :1]))[0],
        out=lambda xp, y: y[0],
        args=lambda xp, x: (x, _c(xp, x, B[:, :1])),
        shapes=((3, 2),),
        make_input=_tall,
        smooth_order=2,
        special=[("orthonormal columns", np.eye(3)[:, :2])],
        doc="argmin ‖A x − b‖ of a full-rank tall A (the solution part)",
    ),
    Op(
        "linalg_cholesky",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.cholesky", "torch.cholesky"),
            "jax": ("jax.numpy.linalg.cholesky", "jax.scipy.linalg.cholesky"),
            "tensorflow": ("tf.linalg.cholesky",),
            "numpy": ("numpy.linalg.cholesky", "scipy.linalg.cholesky"),
        },
        oracle=lambda xp, x: xp.sum(_c(xp, x, C3) * xp.linalg.cholesky(_sym(xp, x))),
        args=lambda xp, x: (_sym(xp, x),),
        out=lambda xp, y: xp.sum(_c(xp, y, C3) * y),
        shapes=SQ,
        scalar=True,
        make_input=_spd,
        valid=_pd,
        special=[("identity", np.eye(3)), ("diagonal", np.diag([1e-2, 1.0, 1e2]))],
        doc="Σ C ∘ L, L Lᵀ = (X + Xᵀ)/2",
    ),
    Op(
        "cholesky_solve",
        "linalg",
        None,
        {
            "torch": ("torch.cholesky_solve",),
            "jax": ("jax.scipy.linalg.cho_solve",),
            "tensorflow": ("tf.linalg.cholesky_solve",),
            "numpy": ("scipy.linalg.cho_solve",),
        },
        oracle=lambda xp, x: xp.linalg.solve(_sym(xp, x), _c(xp, x, B)),
        args=lambda xp, x: (_sym(xp, x), _c(xp, x, B)),
        shapes=SQ,
        make_input=_spd,
        valid=_pd,
        special=[("identity", np.eye(3))],
        doc="S⁻¹B through the Cholesky factor of S = (X + Xᵀ)/2 (factored by the framework's cholesky)",
    ),
    Op(
        "cholesky_inverse",
        "linalg",
        None,
        {"torch": ("torch.cholesky_inverse",)},
        oracle=lambda xp, x: xp.linalg.inv(_sym(xp, x)),
        args=lambda xp, x: (_sym(xp, x),),
        shapes=SQ,
        make_input=_spd,
        valid=_pd,
        special=[("identity", np.eye(3))],
        doc="S⁻¹ from the Cholesky factor of S = (X + Xᵀ)/2",
    ),
    Op(
        "solve_triangular",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.solve_triangular", "torch.triangular_solve"),
            "jax": ("jax.scipy.linalg.solve_triangular", "jax.lax.linalg.triangular_solve"),
            "tensorflow": ("tf.linalg.triangular_solve",),
            "numpy": ("scipy.linalg.solve_triangular",),
        },
        oracle=lambda xp, x: xp.linalg.solve(xp.tril(x), _c(xp, x, B)),
        args=lambda xp, x: (x, _c(xp, x, B)),
        shapes=SQ,
        make_input=_lower,
        special=[("identity", np.eye(3))],
        doc="L⁻¹B with L the lower triangle of A (the upper one is not read)",
    ),
    Op(
        "lu_solve",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.lu_solve", "torch.lu_solve"),
            "jax": ("jax.scipy.linalg.lu_solve",),
            "tensorflow": ("tf.linalg.lu_solve",),
            "numpy": ("scipy.linalg.lu_solve",),
        },
        oracle=lambda xp, x: xp.linalg.solve(x, _c(xp, x, B)),
        args=lambda xp, x: (x, _c(xp, x, B)),
        shapes=SQ,
        make_input=_wc,
        valid=_nonsingular,
        special=[
            ("permutation", [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], (1, 2), "LU must pivot: A₁₁ = 0")
        ],
        doc="A⁻¹B from the framework's LU factorization (lu_factor, then the lu_solve under test)",
    ),
    Op(
        "qr",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.qr", "torch.qr"),
            "jax": ("jax.numpy.linalg.qr", "jax.scipy.linalg.qr"),
            "tensorflow": ("tf.linalg.qr",),
            "numpy": ("numpy.linalg.qr", "scipy.linalg.qr"),
        },
        oracle=_qr_oracle,
        out=_qr_out,
        shapes=((4, 2),),
        scalar=True,
        make_input=_tall,
        special=[("orthonormal columns", np.eye(4)[:, :2])],
        doc="Σ C ∘ QQᵀ + Σ w |diag R| of the reduced QR of a tall A (sign-invariant)",
    ),
    Op(
        "svd",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.svd", "torch.svd"),
            "jax": ("jax.numpy.linalg.svd", "jax.scipy.linalg.svd"),
            "tensorflow": ("tf.linalg.svd",),
            "numpy": ("numpy.linalg.svd", "scipy.linalg.svd"),
        },
        oracle=_svd_oracle,
        out=_svd_out,
        shapes=SQ,
        scalar=True,
        make_input=_wc,
        valid=_sv_gap,
        curvature=_loss_curvature(lambda a: _svd_out(np, np.linalg.svd(a))),
        smooth_order=2,
        special=[
            (
                "repeated top pair",
                np.diag([2.0, 2.0, 1.0]),
                (1,),
                "s₁ = s₂: the top-2 projectors and Σ sᵢ³ are smooth, the single vectors are not unique",
            ),
            ("diagonal", np.diag([3.0, 2.0, 1.0])),
        ],
        doc="Σ C ∘ U₂U₂ᵀ + Σ Cᵀ ∘ V₂V₂ᵀ + Σ sᵢ³ (gauge-invariant)",
    ),
    Op(
        "linalg_svdvals",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.svdvals",),
            "jax": ("jax.numpy.linalg.svdvals",),
            "numpy": ("scipy.linalg.svdvals", "numpy.linalg.svdvals"),
        },
        oracle=lambda xp, x: xp.linalg.svdvals(x),
        shapes=SQ,
        make_input=_wc,
        valid=_sv_gap,
        curvature=_sv_curvature,
        special=[("diagonal", np.diag([3.0, -2.0, 1.0]))],
        doc="singular values, descending (distinct)",
    ),
    Op(
        "linalg_eigvalsh",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.eigvalsh",),
            "jax": ("jax.numpy.linalg.eigvalsh",),
            "tensorflow": ("tf.linalg.eigvalsh",),
            "numpy": ("numpy.linalg.eigvalsh", "scipy.linalg.eigvalsh"),
        },
        oracle=lambda xp, x: xp.linalg.eigvalsh(_sym(xp, x)),
        args=lambda xp, x: (_sym(xp, x),),
        shapes=SQ,
        make_input=_sym_sep,
        valid=_eig_gap,
        special=[("diagonal", np.diag([1.0, 2.0, 3.0]))],
        doc="eigenvalues of (X + Xᵀ)/2, ascending (distinct)",
    ),
    Op(
        "eigh",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.eigh",),
            "jax": ("jax.numpy.linalg.eigh", "jax.scipy.linalg.eigh"),
            "tensorflow": ("tf.linalg.eigh",),
            "numpy": ("numpy.linalg.eigh", "scipy.linalg.eigh"),
        },
        oracle=lambda xp, x: _eigh_loss(xp, *xp.linalg.eigh(_sym(xp, x))),
        args=lambda xp, x: (_sym(xp, x),),
        out=lambda xp, y: _eigh_loss(xp, y[0], y[1]),
        shapes=SQ,
        scalar=True,
        make_input=_sym_sep,
        valid=_top_gap,
        smooth_order=2,
        special=[
            (
                "repeated pair below the top",
                np.diag([1.0, 1.0, 3.0]),
                (1, 2),
                "λ₁ = λ₂: the loss (top projector, Σλ³) is smooth, the two lower vectors are not unique",
            )
        ],
        doc="Σ C ∘ v₃v₃ᵀ + Σ λᵢ³ of (X + Xᵀ)/2 (invariant to signs and to rotations in a cluster)",
    ),
    Op(
        "matrix_exp",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.matrix_exp", "torch.matrix_exp"),
            "jax": ("jax.scipy.linalg.expm",),
            "tensorflow": ("tf.linalg.expm",),
            "numpy": ("scipy.linalg.expm",),
        },
        oracle=_expm,
        shapes=SQ,
        smooth_order=2,
        special=[("zero", np.zeros((3, 3))), ("nilpotent", NILPOTENT)],
        doc="exp A = Σ Aᵏ/k!",
    ),
    Op(
        "matrix_power",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.matrix_power", "torch.matrix_power"),
            "jax": ("jax.numpy.linalg.matrix_power",),
            "numpy": ("numpy.linalg.matrix_power",),
        },
        oracle=lambda xp, x: xp.matmul(xp.matmul(x, x), x),
        args=lambda xp, x: (x, 3),
        shapes=SQ,
        special=[("identity", np.eye(3)), ("nilpotent", NILPOTENT)],
        doc="A³",
    ),
    Op(
        "cross",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.cross", "torch.cross"),
            "jax": ("jax.numpy.cross",),
            "tensorflow": ("tf.linalg.cross",),
            "numpy": ("numpy.cross",),
        },
        oracle=lambda xp, x: _cross(xp, x[0], x[1]),
        args=lambda xp, x: (x[0], x[1]),
        shapes=((2, 3),),
        special=[("parallel", [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])],
        doc="a × b of the rows (a, b)",
    ),
    Op(
        "multi_dot",
        "linalg",
        None,
        {
            "torch": ("torch.linalg.multi_dot",),
            "jax": ("jax.numpy.linalg.multi_dot",),
            "numpy": ("numpy.linalg.multi_dot",),
        },
        oracle=lambda xp, x: xp.matmul(xp.matmul(x, _c(xp, x, A33)), _c(xp, x, B32)),
        args=lambda xp, x: ([x, _c(xp, x, A33), _c(xp, x, B32)],),
        shapes=((2, 3),),
        special=[("zeros", np.zeros((2, 3)))],
        doc="X A B",
    ),
    Op(
        "einsum",
        "linalg",
        None,
        {
            "torch": ("torch.einsum",),
            "jax": ("jax.numpy.einsum",),
            "tensorflow": ("tf.einsum",),
            "numpy": ("numpy.einsum",),
        },
        oracle=lambda xp, x: xp.matmul(x, _t(xp, x)),
        args=lambda xp, x: ("ij,kj->ik", x, x),
        shapes=((2, 3),),
        special=[("zeros", np.zeros((2, 3)))],
        doc="einsum('ij,kj->ik', X, X) = X Xᵀ",
    ),
    Op(
        "tensordot",
        "linalg",
        None,
        {
            "torch": ("torch.tensordot",),
            "jax": ("jax.numpy.tensordot",),
            "tensorflow": ("tf.tensordot",),
            "numpy": ("numpy.tensordot",),
        },
        oracle=lambda xp, x: xp.matmul(x, _c(xp, x, B32)),
        args=lambda xp, x: (x, _c(xp, x, B32), 1),
        shapes=((2, 3),),
        special=[("zeros", np.zeros((2, 3)))],
        doc="tensordot(X, B, 1) = X B",
    ),
    Op(
        "linalg_trace",
        "linalg",
        None,
        {
            "torch": ("torch.trace",),
            "jax": ("jax.numpy.trace",),
            "tensorflow": ("tf.linalg.trace",),
            "numpy": ("numpy.trace",),
        },
        oracle=lambda xp, x: xp.trace(x),
        shapes=SQ,
        scalar=True,
        special=[("zeros", np.zeros((3, 3)))],
        doc="Σ Aᵢᵢ",
    ),
    Op(
        "diagonal",
        "linalg",
        None,
        {
            "torch": ("torch.diagonal", "torch.diag"),
            "jax": ("jax.numpy.diagonal", "jax.numpy.diag"),
            "tensorflow": ("tf.linalg.diag_part",),
            "numpy": ("numpy.diagonal", "numpy.diag"),
        },
        oracle=lambda xp, x: xp.diagonal(x),
        shapes=SQ,
        special=[("zeros", np.zeros((3, 3)))],
        doc="(A₁₁, A₂₂, A₃₃)",
    ),
]
