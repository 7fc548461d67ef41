"""First-order checks of ``conformance.check`` with the derivative's own condition allowance.

A backward-stable program for a derivative q(x) (∇f, J v or Jᵀu) returns q at a point whose entries are
each off by a relative δ, |δ| <= ε: so entry i may be off by about

    ε · Σₖ |xₖ| · |∂ₖ qᵢ(x)|      (ε·(|H|·|x|)ᵢ for ∇f, ε·Σₖ|xₖ|·|∂ₖ(Jᵀu)ᵢ| for a VJP, ε·(|∂(Jv)/∂x|·|x|)ᵢ for a JVP)

which the 64ε bound on |q| does not cover where qᵢ cancels to near 0 (sin(x)·Σx at a zero of a gradient
entry). ``judging.pointwise_condition`` gives this allowance to elementwise functions; here it holds for every
user function: the allowance 2ε·Σₖ|xₖ||∂ₖqᵢ| (as ``pointwise_condition``) is added to entry i's scale.

The row ∂qᵢ/∂x is a second-derivative contraction uᵀD²f[v,·] of the oracle (``conformance.edges.nested``:
row i of H is S₂ with u = 1, v = eᵢ; of ∂(Jᵀu) with the check's u, v = eᵢ; of ∂(Jv) with u = eᵢ and the
check's v), one oracle call per entry. It is taken only for entries that fail without it, worst first, until
the worst remaining entry is one that has it: a correct rule costs nothing more, and a wrong one a call or two.
The allowance is ~ε·O(|x|·|f''|) per entry — a rule off by 1e-8 relative stays far outside it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance.derivatives.checks import (
    Inputs,
    _jtu,
    _jv,
    evaluate,
    function,
    of_terms,
    oracle,
    pointwise_condition,
    tolerance_for,
    verdict,
    wide,
)
from conformance.engine import Context, Outcome
from conformance.tolerance import EPS, Comparison, Tolerance, compare

SCALE_NOTE = " + 2ε/rtol·Σₖ|xₖ||∂ₖ(entry)| (the derivative's own condition) where an entry needs it"


def _unit(shape: tuple[int, ...], i: int) -> np.ndarray:
    e = np.zeros(int(np.prod(shape, dtype=int)))
    e[i] = 1.0
    return e.reshape(shape)


def row_sensitivity(case: Any, x: np.ndarray, row: Callable[[int], tuple[np.ndarray, np.ndarray]], i: int) -> float:
    """Σₖ |xₖ|·|∂ₖqᵢ(x)| with ∂qᵢ/∂x = uᵀD²f(x)[v,·] for (u, v) = row(i), from the nested oracle;
    0 where the oracle cannot take it (no allowance then)."""
    from conformance.edges import nested

    u, v = row(i)
    try:
        d = np.asarray(nested.reference(case, 2, nested.Draw(x, u, v)).value, dtype=np.float64)
    except Exception:
        return 0.0
    s = float(np.sum(np.abs(d) * np.abs(x)))
    return s if np.isfinite(s) else 0.0


def conditioned(
    got: np.ndarray,
    want: np.ndarray,
    tol: Tolerance,
    dtype: str,
    scale: np.ndarray,
    scale_name: str | None,
    sensitivity: Callable[[int], float],
) -> Comparison:
    """compare(got, want, tol, scale), with the condition allowance 2ε·sensitivity(i)/rtol added to the
    scale of each failing entry i, worst first, until the comparison passes or its worst entry has it."""
    scale = np.array(np.broadcast_to(np.abs(np.asarray(scale, dtype=np.float64)), np.shape(want)))
    name = (scale_name or "the magnitude of the terms") + SCALE_NOTE
    c = compare(got, want, tol, scale, name)
    done: set[int] = set()
    while not c.ok and np.isfinite(c.error_ratio) and c.worst and c.worst.get("index") is not None:
        idx = tuple(c.worst["index"])
        i = int(np.ravel_multi_index(idx, np.shape(want))) if idx else 0
        if i in done:
            break
        done.add(i)
        scale.reshape(-1)[i] += sensitivity(i) * 2 * EPS[dtype] / tol.rtol
        c = compare(got, want, tol, scale, name)
    return c


def gradient(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """∇f(x) from ``adapter.grad`` vs the oracle gradient on |∇f| + 2ε/rtol·|H|·|x| (the entries that need it)."""
    x = ctx.array(inp.x)
    evaluate(case, ctx, x)
    g = wide(ctx.numpy(ctx.adapter.grad(function(case, ctx))(x)))
    ref = oracle("jacobian", case, inp.x)
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    want = np.asarray(ref.value)
    c = conditioned(
        g,
        want,
        tol,
        ctx.dtype,
        np.abs(want),
        "|exact|",
        lambda i: row_sensitivity(case, inp.x, lambda j: (np.ones(()), _unit(inp.x.shape, j)), i),
    )
    return verdict("gradient", c, tol, inp, f"the {ref.method} oracle", oracle=ref.method)


def jvp(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """J(x) v from ``adapter.jvp`` vs the oracle J·v, on |J|·|v| (+ the pointwise condition, + the
    condition 2ε/rtol·|∂(Jv)/∂x|·|x| of the entries that need it)."""
    x, v = ctx.array(inp.x), ctx.array(inp.v())
    y = evaluate(case, ctx, x)
    _, t = ctx.adapter.jvp(function(case, ctx), x, v)
    ref = oracle("jacobian", case, inp.x)
    want, scale = _jv(ref.value, inp.v())
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    scale = scale + pointwise_condition(case, inp.x, inp.v(), tol, ctx.dtype, oracle)
    c = conditioned(
        wide(ctx.numpy(t)),
        want,
        tol,
        ctx.dtype,
        *of_terms(case, want, scale),
        lambda i: row_sensitivity(case, inp.x, lambda j: (_unit(y.shape, j), inp.v()), i),
    )
    return verdict("JVP", c, tol, inp, f"the {ref.method} oracle", oracle=ref.method)


def vjp(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """J(x)ᵀ u from ``adapter.vjp`` vs u times the oracle Jacobian, on |J|ᵀ·|u| (+ the pointwise condition,
    + the condition 2ε/rtol·Σₖ|xₖ||∂ₖ(Jᵀu)| of the entries that need it)."""
    x = ctx.array(inp.x)
    y = evaluate(case, ctx, x)
    u = inp.u(y.shape)
    _, ct = ctx.adapter.vjp(function(case, ctx), x, ctx.array(u))
    ref = oracle("jacobian", case, inp.x)
    want, scale = _jtu(ref.value, u, inp.x.shape)
    tol = tolerance_for("exact", ctx.dtype, ctx.adapter, ref.method)
    scale = scale + pointwise_condition(case, inp.x, u, tol, ctx.dtype, oracle)
    c = conditioned(
        wide(ctx.numpy(ct)),
        want,
        tol,
        ctx.dtype,
        *of_terms(case, want, scale),
        lambda i: row_sensitivity(case, inp.x, lambda j: (u, _unit(inp.x.shape, j)), i),
    )
    return verdict("VJP", c, tol, inp, f"the {ref.method} oracle", oracle=ref.method)
