"""Checks ``conformance.check`` runs beyond the suite's menu (``conformance.derivatives.checks.CHECKS``):

    rev_over_rev  reverse over reverse: uᵀD²f(x)[v,·] = ∇ₓ⟨J(x)ᵀu, v⟩ (u·H·v for a scalar f), the default
               second-order check, against the oracle S₂ (O(n) evaluations of a numpy reference where the
               dense Hessian takes O(n²)); for a scalar f that fails it, the dense Hessian as a diagnostic;
    jvp_jvp    forward over forward: ⟨u, D²f(x)[v, v]⟩ = ⟨u, d²/dt² f(x + tv)|₀⟩ from a JVP of the JVP
               x ↦ ⟨u, J(x) v⟩, against the oracle's S₂ = uᵀD²f[v,·] contracted with v
               (``conformance.edges.nested``: mpmath, or Richardson differences of a complex-step/Richardson
               JVP), judged on the magnitude of the contraction's terms Σ|S₂ ⊙ v|;
    float16 / bfloat16 versions of gradient, jvp, vjp (first order: the operator itself) and hessian, hvp,
               jvp_jvp (second order: uᵀD²f[v,·] by forward over reverse), computed in the dtype from an
               input and directions rounded to it, against the float64 oracle, under the policy's
               ``low_precision_first``/``low_precision_second`` bounds (as ``conformance.edges.low_precision``).

``menu(dtype)`` is the name → Check table for a dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from conformance.derivatives.checks import CHECKS, Check, Inputs, evaluate, function, oracle, verdict, wide
from conformance.engine import Context, Outcome
from conformance.errors import first_line
from conformance.tolerance import compare, policy
from conformance.usercheck import condition


def jvp_jvp(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """⟨u, D²f(x)[v, v]⟩ by a JVP of a JVP vs the oracle's uᵀD²f[v,·] contracted with v."""
    from conformance.edges import nested

    a = ctx.adapter
    y = evaluate(case, ctx, ctx.array(inp.x))
    u, v = inp.u(y.shape), inp.v()
    f = function(case, ctx)

    def second(x: Any, u_: Any, v_: Any) -> Any:
        return a.jvp(lambda z: a.xp.sum(u_ * a.jvp(f, z, v_)[1]), x, v_)[1]

    got = wide(ctx.numpy(a.program(second, "jvp_jvp", f)(ctx.array(inp.x), ctx.array(u), ctx.array(v))))
    ref = nested.reference(case, 2, nested.Draw(inp.x, u, v))
    want = np.sum(np.asarray(ref.value) * v)
    terms = float(np.sum(np.abs(np.asarray(ref.value) * v)))
    tol = nested.tolerance(2, ctx.dtype, ref.method)
    c = compare(got, want, tol, terms, scale_name="Σ|uᵀD²f[v,·] ⊙ v|, the magnitude of the contraction's terms")
    return verdict("⟨u, D²f[v,v]⟩ (forward over forward)", c, tol, inp, f"the {ref.method} oracle", oracle=ref.method)


def rev_over_rev(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """S₂ = uᵀD²f(x)[v,·] = ∇ₓ⟨J(x)ᵀu, v⟩ by reverse over reverse (the gradient of a VJP: every rule
    mechanism with a differentiable backward runs it) vs the oracle's S₂ (``conformance.edges.nested``:
    mpmath, or Richardson differences of a complex-step JVP, O(n) evaluations of the reference), judged
    normwise on the largest |entry| of the exact S₂ (a contraction whose terms are not at hand). For a
    scalar f it is u·H·v, the default second-order check: the dense Hessian (O(n²) evaluations of a
    numpy reference) is computed only when it fails, as a diagnostic of which entries are wrong."""
    from conformance.edges import nested

    a = ctx.adapter
    y = evaluate(case, ctx, ctx.array(inp.x))
    u, v = inp.u(y.shape), inp.v()
    f = function(case, ctx)

    def second(x: Any, u_: Any, v_: Any) -> Any:
        return a.grad(lambda z: a.xp.sum(a.vjp(f, z, u_)[1] * v_))(x)

    got = wide(ctx.numpy(a.program(second, "rev_over_rev", f)(ctx.array(inp.x), ctx.array(u), ctx.array(v))))
    ref = nested.reference(case, 2, nested.Draw(inp.x, u, v))
    want = np.asarray(ref.value)
    top = float(np.max(np.abs(want), initial=0.0))
    tol = nested.tolerance(2, ctx.dtype, ref.method)
    c = compare(
        got,
        want,
        tol,
        np.full(np.shape(want), top),
        scale_name="the largest |entry| of the exact uᵀD²f[v,·] (normwise)",
    )
    what = "u·H·v (reverse over reverse)" if case.scalar else "uᵀD²f[v,·] (reverse over reverse)"
    out = verdict(what, c, tol, inp, f"the {ref.method} oracle", oracle=ref.method)
    if out.status == "fail" and case.scalar:
        _hessian_diagnostic(case, ctx, inp, out)
    return out


def _hessian_diagnostic(case: Any, ctx: Context, inp: Inputs, out: Outcome) -> None:
    """Append the dense Hessian check's verdict (which entry is worst) to a failing scalar H·v row."""
    try:
        h = CHECKS["hessian"].run(case, ctx, inp)
    except Exception as exc:  # the mechanism cannot take the dense Hessian: say so, the row stands
        out.message += f" [dense Hessian diagnostic not available: {first_line(exc, 300, with_type=False)}]"
        return
    out.message += f" [dense Hessian (diagnostic): {h.message}]"
    out.data["hessian_diagnostic"] = {"status": h.status, "worst": h.data.get("worst")}


def _lp_first(op: str) -> Any:
    def run(case: Any, ctx: Context, inp: Inputs) -> Outcome:
        from conformance.edges.low_precision import round_to

        a, dtype = ctx.adapter, ctx.dtype
        x = inp.x
        y = evaluate(case, ctx, ctx.array(x))
        J = np.asarray(oracle("jacobian", case, x).value, dtype=np.float64).reshape(y.size, x.size)
        f = function(case, ctx)
        if op == "jvp":
            d = round_to(inp.v(), dtype)
            exact, terms = J @ d.reshape(-1), np.abs(J) @ np.abs(d).reshape(-1)
            got = lambda: a.jvp(f, ctx.array(x), ctx.array(d))[1]  # noqa: E731
            shape = y.shape
        else:
            d = np.ones(()) if op == "gradient" else round_to(inp.u(y.shape), dtype)
            exact, terms = d.reshape(-1) @ J, np.abs(d).reshape(-1) @ np.abs(J)
            got = (
                (lambda: a.grad(f)(ctx.array(x)))
                if op == "gradient"
                else (lambda: a.vjp(f, ctx.array(x), ctx.array(d))[1])
            )
            shape = x.shape
        if not case.pointwise:  # an entry of a reduction's derivative is a chain-rule sum: normwise
            terms = np.maximum(terms, float(np.max(np.abs(exact), initial=0.0)))
        return _judge(ctx, f"{op} in {dtype}", got, exact.reshape(shape), terms.reshape(shape), 1, inp)

    return run


def _lp_second(case: Any, ctx: Context, inp: Inputs) -> Outcome:
    from conformance.edges import nested
    from conformance.edges.low_precision import round_to

    a, dtype = ctx.adapter, ctx.dtype
    y = evaluate(case, ctx, ctx.array(inp.x))
    u, v = round_to(inp.u(y.shape), dtype), round_to(inp.v(), dtype)
    exact = np.asarray(nested.reference(case, 2, nested.Draw(inp.x, u, v)).value, dtype=np.float64)
    terms = np.full(exact.shape, float(np.max(np.abs(exact), initial=0.0)))  # a contraction: normwise
    f = function(case, ctx)
    got = lambda: nested.directional(a, f, 2)(ctx.array(inp.x), ctx.array(u), ctx.array(v))  # noqa: E731
    return _judge(ctx, f"uᵀD²f[v,·] in {dtype}", got, exact, terms, 2, inp)


def _judge(ctx: Context, what: str, got: Any, exact: np.ndarray, terms: np.ndarray, order: int, inp: Inputs) -> Outcome:
    from conformance.edges.low_precision import UNSUPPORTED, _in_range

    dtype = ctx.dtype
    why = _in_range(dtype, exact, terms)
    if why:
        return Outcome.skip(why)
    try:
        value = wide(ctx.numpy(got()))
    except Exception as exc:
        if UNSUPPORTED.search(str(exc)):
            return Outcome.skip(
                f"{ctx.adapter.label} has no {dtype} kernel here: {first_line(exc, 300, with_type=False)}"
            )
        raise
    tol = policy("low_precision_first" if order == 1 else "low_precision_second", dtype)
    c = compare(value, exact, tol, np.maximum(terms, np.abs(exact)))
    return verdict(what, c, tol, inp, "the float64 oracle", oracle="float64 oracle rounded to " + dtype)


LOW_PRECISION = {
    "gradient": Check("gradient", _lp_first("gradient"), per_variant=True, scalar=True),
    "jvp": Check("jvp", _lp_first("jvp"), per_variant=True),
    "vjp": Check("vjp", _lp_first("vjp"), per_variant=True),
    "hessian": Check("hessian", _lp_second, per_variant=True, scalar=True, order=2),
    "hvp": Check("hvp", _lp_second, scalar=True, order=2),
    "jvp_jvp": Check("jvp_jvp", _lp_second, order=2),
    "rev_over_rev": Check("rev_over_rev", _lp_second, order=2),
}

# gradient, jvp, vjp with the derivative's own condition allowance (``usercheck.condition``)
MENU: dict[str, Check] = {
    **{n: c for n, c in CHECKS.items() if n != "probe"},
    **{n: dataclasses.replace(CHECKS[n], run=getattr(condition, n)) for n in ("gradient", "jvp", "vjp")},
    "jvp_jvp": Check("jvp_jvp", jvp_jvp, order=2),
    "rev_over_rev": Check("rev_over_rev", rev_over_rev, per_variant=True, order=2),
}


def menu(dtype: str) -> dict[str, Check]:
    """The checks for ``dtype``: the full menu in float64/float32, the low-precision ones in float16/bfloat16
    (the others are skipped there with the reason)."""
    if dtype in ("float16", "bfloat16"):
        return {n: LOW_PRECISION.get(n, c) for n, c in MENU.items()}
    return MENU


def not_in_low_precision(name: str, dtype: str) -> str | None:
    if dtype in ("float16", "bfloat16") and name not in LOW_PRECISION:
        return f"{name} runs in float32/float64 only (in {dtype}: {', '.join(LOW_PRECISION)})"
    return None
