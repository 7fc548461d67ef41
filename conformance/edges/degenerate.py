"""Degenerate linear algebra: repeated eigenvalues and singular values, identity and near-singular
matrices, very large and very small scales — with losses that stay differentiable there.

    sum_eigvalsh      Σ λᵢ((X + Xᵀ)/2) = tr X                ∇ = I            (any multiplicity)
    sq_eigvalsh       Σ λᵢ((X + Xᵀ)/2)² = ‖(X + Xᵀ)/2‖²_F    ∇ = X + Xᵀ
    sq_svdvals        Σ σᵢ(X)² = ‖X‖²_F                     ∇ = 2X           (repeated or zero σ)
    det               det X                                  ∇ = det X · X⁻ᵀ
    logabsdet         log |det X|                            ∇ = X⁻ᵀ
    inv_weighted      Σ W ⊙ X⁻¹                              ∇ = −X⁻ᵀ W X⁻ᵀ
    solve_sum         Σ X⁻¹ b                                ∇ = −X⁻ᵀ 1 (X⁻¹ b)ᵀ

Random inputs are drawn *at* the degeneracy (an orthogonal conjugate of a diagonal with repeated
entries, or near-singular), and each case declares special points at the identity, a repeated
spectrum, a near-singular matrix (condition 1e3: derivatives of X⁻¹ lose cond(X)·ε, so
the float64 bounds of tens of ε still judge them) and the same matrices scaled by 1e±100; the edges
suite checks them against mpmath limits (``special_points``) and through every nested mode.
Closed-form gradients are given only where they are exact in float64 (I, X + Xᵀ, 2X): the formulas
with X⁻¹ lose cond(X)·ε at the near-singular points, where the mpmath oracle is used instead.
"""

from __future__ import annotations

import numpy as np

from conformance.derivatives.case import Case, SpecialPoint

N = 3
_W = np.arange(1.0, N * N + 1.0).reshape(N, N) / N
_B = np.array([1.0, -2.0, 0.5])


def _rotation(seed: int = 7) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((N, N)))
    return q


_Q = _rotation()
REPEATED = _Q @ np.diag([1.0, 1.0, 2.0]) @ _Q.T  # eigenvalue 1 twice (symmetric)
NEAR_SINGULAR = _Q @ np.diag([1.0, 0.5, 1e-3]) @ _rotation(11).T  # condition number 1e3
ORTHOGONAL = _Q  # every singular value 1
RANK_ONE = np.outer([1.0, 2.0, -1.0], [0.5, -1.0, 2.0])  # singular values (‖a‖‖b‖, 0, 0)


def _repeated_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """An orthogonal conjugate of diag(a, a, b): a repeated eigenvalue at every draw."""
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    a, b = rng.uniform(0.5, 1.5), rng.uniform(2.0, 3.0)
    return q @ np.diag([a, a, b]) @ q.T


def _near_singular_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """U diag(s₁, s₂, 0.05) Vᵀ with s in [0.5, 2]: condition number at most 40, so that third
    derivatives (which lose about cond³·ε) stay inside the float64 bounds; the near-singular
    point (condition 1e3) is a special point, checked to first and second order."""
    u, _ = np.linalg.qr(rng.standard_normal(shape))
    v, _ = np.linalg.qr(rng.standard_normal(shape))
    return u @ np.diag([rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0), 0.05]) @ v.T


def _points(*named: tuple[str, np.ndarray], scales: bool = True) -> tuple[SpecialPoint, ...]:
    out = [SpecialPoint(name, m, limit="mpmath") for name, m in named]
    if scales:
        base = named[0]
        out += [
            SpecialPoint(f"{base[0]} x 1e100", base[1] * 1e100, limit="mpmath", orders=(1,)),
            SpecialPoint(f"{base[0]} x 1e-100", base[1] * 1e-100, limit="mpmath", orders=(1,)),
        ]
    return tuple(out)


def _sym(xp, x):
    return (x + xp.swapaxes(x, -1, -2)) / 2


_I = np.eye(N)

CASES: tuple[Case, ...] = (
    Case(
        "deg_sum_eigvalsh",
        "degenerate",
        lambda xp, x: xp.sum(xp.linalg.eigvalsh(_sym(xp, x))),
        shapes=((N, N),),
        make_input=_repeated_input,
        scalar=True,
        grad=lambda x: np.eye(N),
        special_points=_points(("identity", _I), ("repeated", REPEATED)),
        doc="Σ eigenvalues of the symmetric part = tr X, smooth at repeated eigenvalues",
    ),
    Case(
        "deg_sq_eigvalsh",
        "degenerate",
        lambda xp, x: xp.sum(xp.linalg.eigvalsh(_sym(xp, x)) ** 2),
        shapes=((N, N),),
        make_input=_repeated_input,
        scalar=True,
        grad=lambda x: x + x.T,
        special_points=_points(("repeated", REPEATED), ("identity", _I)),
        doc="Σ λ² of the symmetric part = its squared Frobenius norm",
    ),
    Case(
        "deg_sq_svdvals",
        "degenerate",
        lambda xp, x: xp.sum(xp.linalg.svdvals(x) ** 2),
        shapes=((N, N),),
        make_input=_repeated_input,
        scalar=True,
        grad=lambda x: 2 * x,
        special_points=_points(("orthogonal", ORTHOGONAL), ("identity", _I), ("rank one", RANK_ONE)),
        doc="Σ σ² = ‖X‖²_F, smooth at repeated and zero singular values",
    ),
    Case(
        "deg_det",
        "degenerate",
        lambda xp, x: xp.linalg.det(x),
        shapes=((N, N),),
        make_input=_near_singular_input,
        scalar=True,
        special_points=_points(("identity", _I), ("near singular", NEAR_SINGULAR)),
        doc="det X near singularity and at the identity",
    ),
    Case(
        "deg_logabsdet",
        "degenerate",
        lambda xp, x: xp.linalg.slogdet(x)[1],
        shapes=((N, N),),
        make_input=_near_singular_input,
        scalar=True,
        special_points=_points(("identity", _I), ("near singular", NEAR_SINGULAR)),
        doc="log |det X|",
    ),
    Case(
        "deg_inv_weighted",
        "degenerate",
        lambda xp, x: xp.sum(xp.asarray(_W, like=x) * xp.linalg.inv(x)),
        shapes=((N, N),),
        make_input=_near_singular_input,
        scalar=True,
        special_points=_points(("identity", _I), ("near singular", NEAR_SINGULAR)),
        doc="Σ W ⊙ X⁻¹",
    ),
    Case(
        "deg_solve_sum",
        "degenerate",
        lambda xp, x: xp.sum(xp.linalg.solve(x, xp.asarray(_B, like=x))),
        shapes=((N, N),),
        make_input=_near_singular_input,
        scalar=True,
        special_points=_points(("identity", _I), ("near singular", NEAR_SINGULAR)),
        doc="Σ X⁻¹ b",
    ),
)
