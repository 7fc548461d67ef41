"""How an oracle's array answer is judged beyond the tolerance policy: the families whose derivatives
are accurate in norm rather than per entry, and the condition allowances of a derivative.

    compare(got, want, tol, *elementwise(case, want))
    conditioned(got, want, tol, dtype, scale, scale_name, case, x, row)   # + the derivative's condition

``hessian_scale`` / ``hvp_terms``: a Hessian entry formed as a difference of closed-form terms that the
case declares (``case.hess_terms``) is judged on the terms' magnitude, as J·v is on |J|·|v|.

Three condition allowances, each added to the scale a result is judged on (so judged at the policy's
rtol) and each stated in the record:

- ``pointwise_condition``: elementwise cases, ε·|x f''(x)| (a backward-stable f' rounds x inside);
- ``normwise_condition``: cases that declare their derivative's normwise condition (``case.curvature``,
  e.g. the singular values' 1/gap), ‖x‖·‖D²yᵢ‖·‖v‖;
- ``conditioned``: on request (``conformance.check``'s user functions), the componentwise
  2ε·Σₖ|xₖ||∂ₖqᵢ| of every entry that needs it, from the nested oracle.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance.tolerance import EPS, Comparison, Tolerance, compare

# Families whose array derivatives are judged in norm (``elementwise``, ``of_terms``), with the reason.
# Not "statistics": its rows (medians and quantiles, the NaN-ignoring reductions, segment reductions,
# averages, cumulative sums) have derivatives that are exact selections or short sums of O(1) weights,
# accurate per entry; its rows whose every entry is a sum over all inputs (the normalizations, the
# covariance and correlation matrices) sit in "nn" and "linalg" (``conformance.ops.statistics``).
NORMWISE = {
    "linalg": "normwise: matrix functions are computed by backward-stable factorizations (LU, QR, "
    "Cholesky, eigh, SVD), accurate in norm, not per element",
    "compositions": "normwise: a composite program's gradient entry is a sum over many paths (attention, "
    "layer norm, cumulative sums), and an entry that cancels carries the large terms' rounding",
    "nn": "normwise: convolutions, pooling windows and FFTs make each entry a sum over many inputs, and an "
    "entry that cancels carries the large terms' rounding",
    "losses": "normwise: a loss is a sum over its inputs (softmax, log-sum-exp, norms), and a gradient or "
    "Hessian entry that cancels carries the large terms' rounding",
}


def _top(a: Any) -> float:
    a = np.abs(np.asarray(a))
    return float(np.max(a[np.isfinite(a)], initial=0.0))


def elementwise(case: Any, want: np.ndarray) -> tuple[Any, str | None]:
    """The scale an array derivative is judged on, and its name: |exact| element by element (None),
    or for a family in NORMWISE max(|exact|, ‖exact‖∞): an entry that cancels to far below the others
    carries the rounding of the large ones. Pointwise functions, reductions and special functions stay
    elementwise, where a tiny entry that is 100 % wrong fails."""
    why = NORMWISE.get(getattr(case, "family", ""))
    if why is None:
        return None, None
    return np.maximum(np.abs(np.asarray(want)), _top(want)), f"max(|exact|, ‖exact‖∞) ({why})"


def of_terms(
    case: Any, want: np.ndarray, terms: np.ndarray, operator: Any = None, vector: Any = None
) -> tuple[Any, str | None]:
    """The scale a product w = M·z (J·v, Jᵀu, H·v) is judged on: the magnitude of its terms |M|·|z|, and
    for a family in NORMWISE at least ‖M‖∞·‖z‖∞ (``operator`` M, ``vector`` z): a normwise-accurate M
    (‖δM‖∞ <= rtol·‖M‖∞, see ``elementwise``) gives ‖δ(M z)‖∞ <= rtol·‖M‖∞·‖z‖∞, whatever z — a tangent
    concentrated on a column of small entries formed as differences of O(1) terms (standardization's
    J[0,2] = −8.85e-6 beside max|J| = 2.6) makes M z small but not its rounding. ‖M z‖∞ <= ‖M‖∞‖z‖∞, so
    this is at least ‖exact‖∞, the scale used where M is not given."""
    why = NORMWISE.get(getattr(case, "family", ""))
    if why is None:
        return terms, None
    terms = np.abs(np.asarray(terms, dtype=np.float64))
    if operator is None or vector is None:
        return np.maximum(terms, _top(want)), f"max(the magnitude of the product's terms, ‖exact‖∞) ({why})"
    m = np.abs(np.reshape(np.asarray(operator), (np.size(want), np.size(vector))))
    norm = _top(np.sum(np.where(np.isfinite(m), m, 0.0), axis=1)) * _top(vector)
    return np.maximum(terms, norm), f"max(the magnitude of the product's terms, ‖M‖∞·‖z‖∞) ({why})"


HESS_TERMS = (
    "Σₜ|Tₜ| of each entry of ∇²f = Σₜ Tₜ (case.hess_terms: the terms every program for the Hessian forms; "
    "an entry that cancels far below them carries their rounding)"
)


def _hess_terms(case: Any, x: Any, want: np.ndarray) -> np.ndarray | None:
    """|case.hess_terms(x)| shaped like ``want`` (n×n or x.shape + x.shape), None where the case declares
    none. A non-finite term gives that entry no allowance (its scale stays |exact|): a NaN scale would
    accept any finite answer."""
    fn = getattr(case, "hess_terms", None)
    if fn is None:
        return None
    t = np.abs(np.asarray(fn(np.asarray(x, dtype=np.float64)), dtype=np.float64))
    t = np.reshape(t, np.shape(want))
    return np.where(np.isfinite(t), t, 0.0)


def hessian_scale(case: Any, x: Any, want: np.ndarray) -> tuple[Any, str | None]:
    """The scale a Hessian is judged on, and its name: ``elementwise`` (|exact| per entry, or the normwise
    scale of a family in NORMWISE), raised where the case declares ``hess_terms`` to the magnitude of the
    terms each entry is formed from, as a product J·v is judged on |J|·|v|. A Hessian entry that is a
    difference of closed-form terms (std: Hᵢⱼ = δᵢⱼ/(nσ) − 1/(n²σ) − dᵢdⱼ/(n²σ³)) is computed by any program
    that forms those terms — the chain rule through the function, or the closed form itself — with a few ε of
    rounding each, so where they cancel to far below their size the entry is accurate to rtol·Σₜ|Tₜ|, not to
    rtol·|Hᵢⱼ|. An entry whose terms are themselves small keeps a small scale: a 100 % error on it fails."""
    scale, name = elementwise(case, want)
    t = _hess_terms(case, x, want)
    if t is None:
        return scale, name
    base = np.abs(np.asarray(want, dtype=np.float64)) if scale is None else scale
    return np.maximum(base, t), HESS_TERMS + (f"; at least {name}" if name else "")


def hvp_terms(case: Any, x: Any, want: np.ndarray, terms: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, str | None]:
    """The terms' magnitude of H·v, and its name: |H|·|v| (``terms``, name None), or where the case declares
    ``hess_terms`` T, max(|H|·|v|, T·|v|): (H v)ᵢ = Σⱼ Σₜ Tₜ,ᵢⱼ vⱼ is a sum of the products of every term with
    v, each rounded on its own size (``hessian_scale``)."""
    v = np.asarray(v, dtype=np.float64)
    t = _hess_terms(case, x, np.zeros((np.size(want), v.size)))
    if t is None:
        return terms, None
    tv = np.reshape(t @ np.abs(v).reshape(-1), np.shape(want))
    return np.maximum(np.abs(np.asarray(terms, dtype=np.float64)), tv), "Σⱼ Tᵢⱼ|vⱼ| with T = " + HESS_TERMS


def pointwise_condition(
    case: Any, x: np.ndarray, direction: np.ndarray, tol: Any, dtype: str, oracle: Any
) -> np.ndarray | float:
    """The allowance for the op's condition at a random input of a pointwise case: a backward-stable
    f' evaluates f'(x(1 + δ)), |δ| <= ε, so it may be off by ε·|x f''(x)| — added to the terms' scale as
    |x f''(x)|·|direction|·(2ε/rtol) (as the special points do). Near a zero of f' (GELU's at x ≈ −0.75)
    that is what a correct implementation loses; elsewhere it is below the bound. f'' comes
    via ``oracle("derivative", case, x, 2)``; 0 where the case is not pointwise or f'' is unavailable."""
    if (
        not getattr(case, "pointwise", False)
        or getattr(case, "smooth_order", 0) < 2
        or np.shape(direction) != np.shape(x)
    ):
        return 0.0
    try:
        d2 = np.asarray(oracle("derivative", case, x, 2).value, dtype=np.float64)
    except Exception:  # no second derivative there (the oracle cannot take it): no allowance
        return 0.0
    sens = np.abs(np.asarray(x, dtype=np.float64) * d2) * np.abs(direction)
    return np.where(np.isfinite(sens), sens, 0.0) * (2 * EPS[dtype] / tol.rtol)


def normwise_condition(case: Any, x: np.ndarray, v: Any = None, u: Any = None) -> tuple[Any, str]:
    """The allowance for a derivative's normwise condition, where the case declares it: ``case.curvature(x)``
    bounds the norm κᵢ = ‖D²yᵢ(x)‖ of each output entry's second derivative (a bilinear form on the
    Frobenius norm). A backward-stable factorization returns the derivative exactly at a nearby x + E,
    ‖E‖ <= rtol·‖x‖ (rtol covers the factorization's constant), so entry i of

        J v    is off by |D²yᵢ[E, v]|          <= rtol · ‖x‖·‖v‖·κᵢ           (v given)
        Jᵀu    is off by ‖Σᵢ uᵢ D²yᵢ[E, ·]‖    <= rtol · ‖x‖·Σᵢ|uᵢ|κᵢ         (u given; ∇f: u = 1)

    For the singular values κᵢ = 1/gapᵢ (``conformance.ops.linalg``): dσᵢ = uᵢᵀ dA vᵢ inherits the
    singular vectors' error ε‖A‖/gapᵢ, which the terms |uᵢ|ᵀ|dA||vᵢ| do not bound. Returns (the allowance
    in the units of the scale, i.e. judged at rtol; its name for the record), (0, "") where the case
    declares nothing. The allowance is ~rtol·‖x‖‖v‖/gap: a rule off by 1e-6 relative stays outside it."""
    curvature = getattr(case, "curvature", None)
    if curvature is None:
        return 0.0, ""
    k = np.asarray(curvature(np.asarray(x, dtype=np.float64)), dtype=np.float64)
    k = np.where(np.isfinite(k), k, 0.0)  # a tie (no derivative there) is the domain's to exclude
    nx = float(np.linalg.norm(np.asarray(x, dtype=np.float64)))
    if v is not None:
        return nx * float(np.linalg.norm(v)) * k, " + ‖x‖·‖v‖·‖D²yᵢ‖ (the derivative's normwise condition)"
    w = np.ones_like(k) if u is None else np.abs(np.asarray(u, dtype=np.float64))
    return nx * float(np.sum(w * k)), " + ‖x‖·Σᵢ|uᵢ|‖D²yᵢ‖ (the derivative's normwise condition)"


def with_allowance(judged: tuple[Any, str | None], want: Any, allowance: tuple[Any, str]) -> tuple[Any, str | None]:
    """(scale, name) of ``judged`` with ``allowance`` = (value, note) added (to |want| where the scale is
    None); ``judged`` itself where there is no allowance (note "")."""
    (scale, name), (extra, note) = judged, allowance
    if not note:
        return scale, name
    if scale is None:
        return np.abs(np.asarray(want, dtype=np.float64)) + extra, "|exact|" + note
    return scale + extra, (name or "the magnitude of the product's terms") + note


# ------------------------------------------------------------------ the componentwise condition, on request
CONDITION_NOTE = " + 2ε/rtol·Σₖ|xₖ||∂ₖ(entry)| (the derivative's own condition) where an entry needs it"


def unit(shape: tuple[int, ...], i: int) -> np.ndarray:
    """eᵢ of ``shape`` (i indexes the flattened array)."""
    e = np.zeros(int(np.prod(shape, dtype=int)))
    e[i] = 1.0
    return e.reshape(shape)


def _row_sensitivity(case: Any, x: np.ndarray, u: np.ndarray, v: np.ndarray) -> float:
    """Σₖ |xₖ|·|∂ₖq(x)| with ∂q/∂x = uᵀD²f(x)[v,·] from the nested oracle; 0 where the oracle cannot
    take it (no allowance then)."""
    from conformance.edges import nested

    try:
        d = np.asarray(nested.reference(case, 2, nested.Draw(x, u, v)).value, dtype=np.float64)
    except Exception:
        return 0.0
    s = float(np.sum(np.abs(d) * np.abs(x)))
    return s if np.isfinite(s) else 0.0


def conditioned(
    got: Any,
    want: Any,
    tol: Tolerance,
    dtype: str,
    scale: Any,
    scale_name: str | None,
    case: Any = None,
    x: Any = None,
    row: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None,
) -> Comparison:
    """compare(got, want, tol, scale), with — where ``row`` is given — the derivative's own condition: a
    backward-stable program for a derivative q(x) (∇f, J v or Jᵀu) returns q at a point whose entries are
    each off by a relative δ, |δ| <= ε, so entry i may be off by about

        ε · Σₖ |xₖ| · |∂ₖ qᵢ(x)|     (ε·(|H|·|x|)ᵢ for ∇f, ε·Σₖ|xₖ||∂ₖ(Jᵀu)ᵢ| for Jᵀu, ε·(|∂(Jv)/∂x|·|x|)ᵢ for J v)

    which the bound on |q| does not cover where qᵢ cancels to near 0 (sin(x)·Σx at a zero of a gradient
    entry). The row ∂qᵢ/∂x = uᵀD²f[v,·] with (u, v) = row(i) comes from the nested oracle
    (``conformance.edges.nested``: for ∇f u = 1, v = eᵢ; for Jᵀu the check's u, v = eᵢ; for J v u = eᵢ and
    the check's v), one call per entry, and 2ε/rtol·Σₖ|xₖ||∂ₖqᵢ| is added to the scale of each failing
    entry, worst first, until the comparison passes, its worst entry has it, or an entry fails even with
    it (the verdict then stands): a correct rule costs nothing more, a wrong one a call. The allowance is ~ε·O(|x|·|f''|) per entry — a rule off by
    1e-8 relative stays far outside it. Without ``row``, a plain ``compare``; scale None is |want|."""
    if row is None:
        return compare(got, want, tol, scale, scale_name)
    want = np.asarray(want)
    name = (scale_name or ("|exact|" if scale is None else "the magnitude of the terms")) + CONDITION_NOTE
    scale = np.array(np.broadcast_to(np.abs(np.asarray(want if scale is None else scale, np.float64)), want.shape))
    c = compare(got, want, tol, scale, name)
    done: set[int] = set()
    while not c.ok and np.isfinite(c.error_ratio) and c.worst and c.worst.get("index") is not None:
        idx = tuple(c.worst["index"])
        i = int(np.ravel_multi_index(idx, want.shape)) if idx else 0
        if i in done:
            break
        done.add(i)
        scale.reshape(-1)[i] += _row_sensitivity(case, np.asarray(x), *row(i)) * 2 * EPS[dtype] / tol.rtol
        c = compare(got, want, tol, scale, name)
        g = np.asarray(got).reshape(-1)[i] if np.size(got) == want.size else None
        if g is not None and not compare(g, want.reshape(-1)[i], tol, scale.reshape(-1)[i]).ok:
            break  # the entry fails even with its condition: the verdict stands, no further oracle calls
    return c
