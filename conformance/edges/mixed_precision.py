"""Mixed precision: gradients of a linear layer whose matmul runs on float16/bfloat16 operands and
accumulates in float32, through each framework's own mixed-precision entry point, against float64.

A framework's entry point is its adapter's ``mixed`` capability (``adapters/<framework>/mixed.py``:
``program(adapter, dtype, loss)``, ``PARAMETERS``): torch.autocast around torch.nn.functional.linear
with float32 parameters, jnp.matmul(..., preferred_element_type=float32) of low-precision operands; a
framework without one raises NotProvidedError (a skip, "not provided in <framework> <version>").

With x (N×K), w (M×K), b (M) and a cotangent U (N×M) drawn on the dtype's grid (so the cast into the
dtype is exact) and R = x wᵀ + b, n = N·M:

    linear_vjp          L = Σ U ⊙ R       ∂L/∂x = U w,   ∂L/∂w = Uᵀ x,   ∂L/∂b = Σᵢ Uᵢ
    linear_mean_square  L = Σ R² / n      G = 2R/n:  ∂L/∂x = G w,   ∂L/∂w = Gᵀ x,   ∂L/∂b = Σᵢ Gᵢ

The three gradients, computed by the adapter's ``grad`` (each API variant), are compared with the
float64 products above on the scale of their terms: |U||w|, |U|ᵀ|x|, Σ|U| for the first; for the second
G is known only to the rounding of R, whose terms are A = |x||w|ᵀ + |b|, so Gₛ = 2A/n takes G's place
(|G| ≤ Gₛ): Gₛ|w|, Gₛᵀ|x|, Σᵢ Gₛ. The bound is ``low_precision_first`` of the dtype (a dozen roundings
to the dtype, 16 ε) plus K ε₃₂ for the float32 accumulation of the K products of each entry.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from conformance.edges.low_precision import DTYPES, _applies, _in_range, round_to
from conformance.engine import Context, Outcome, Task
from conformance.tolerance import EPS, compare, policy

FAMILY = "mixed_precision"
CHECK = "mixed_precision"
N, K, M = 4, 8, 3


def _linear_vjp(linear: Callable, xp: Any, x: Any, w: Any, b: Any, u: Any) -> Any:
    return xp.sum(u * linear(x, w, b))


def _mean_square(linear: Callable, xp: Any, x: Any, w: Any, b: Any, u: Any) -> Any:
    r = linear(x, w, b)
    return xp.mean(r * r)


def _exact_linear_vjp(x: np.ndarray, w: np.ndarray, b: np.ndarray, u: np.ndarray) -> tuple[list, list]:
    """(∂x, ∂w, ∂b) of Σ U ⊙ (x wᵀ + b) and the magnitudes of their terms."""
    au = np.abs(u)
    return [u @ w, u.T @ x, u.sum(0)], [au @ np.abs(w), au.T @ np.abs(x), au.sum(0)]


def _exact_mean_square(x: np.ndarray, w: np.ndarray, b: np.ndarray, u: np.ndarray) -> tuple[list, list]:
    """(∂x, ∂w, ∂b) of Σ (x wᵀ + b)² / n and their terms' magnitudes, G's on the scale 2A/n."""
    r = x @ w.T + b
    g = 2 * r / r.size
    gs = 2 * (np.abs(x) @ np.abs(w).T + np.abs(b)) / r.size
    return [g @ w, g.T @ x, g.sum(0)], [gs @ np.abs(w), gs.T @ np.abs(x), gs.sum(0)]


CASES: dict[str, tuple[Callable, Callable]] = {
    "linear_vjp": (_linear_vjp, _exact_linear_vjp),
    "linear_mean_square": (_mean_square, _exact_mean_square),
}


def _draw(case: str, dtype: str, seed: int) -> list[np.ndarray]:
    from conformance.derivatives.checks import stable_seed

    rng = np.random.default_rng(stable_seed(seed, case, "mixed precision"))
    return [round_to(rng.standard_normal(shape), dtype) for shape in ((N, K), (M, K), (M,), (N, M))]


def run(case: str, ctx: Context) -> Outcome:
    """The gradients of ``case`` in the framework's mixed-precision mode vs float64 (module docstring)."""
    a, dtype = ctx.adapter, ctx.dtype
    loss, oracle = CASES[case]
    mixed = a.capability("mixed")
    x, w, b, u = _draw(case, dtype, ctx.seed)
    exact, terms = oracle(x, w, b, u)
    why = _in_range(dtype, *exact, *terms)
    if why:
        return Outcome.skip(why)
    held = mixed.PARAMETERS or dtype
    ua = ctx.array(u, dtype=held)
    f = mixed.program(a, dtype, lambda linear, xp, x_, w_, b_: loss(linear, xp, x_, w_, b_, ua))
    grads = a.grad(f, argnums=(0, 1, 2))(*(ctx.array(p, dtype=held) for p in (x, w, b)))
    got = np.concatenate([np.asarray(ctx.numpy(g), np.float64).reshape(-1) for g in grads])
    want = np.concatenate([e.reshape(-1) for e in exact])
    scale = np.concatenate([s.reshape(-1) for s in terms])
    base = policy("low_precision_first", dtype)
    tol = dataclasses.replace(
        base,
        rtol=base.rtol + K * EPS["float32"],
        reason=f"{base.reason}; plus K ε₃₂ (K = {K}) for the float32 accumulation of each entry's products",
    )
    c = compare(got, want, tol, np.maximum(scale, np.abs(want)))
    msg = (
        f"∂L/∂(x, w, b) of {case} in {mixed.ENTRY} ({dtype} operands, parameters held in {held}) "
        f"{'matches' if c.ok else 'differs from'} float64: max rel error {c.max_rel_error:.3g} "
        f"({c.max_rel_error / EPS[dtype]:.3g} ε of {dtype}), ratio {c.error_ratio:.3g}"
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input=x.tolist(),
        data={
            "w": w.tolist(),
            "b": b.tolist(),
            "u": u.tolist(),
            "entry": mixed.ENTRY,
            "gradient_dtypes": [a.dtype_name(g) for g in grads],
            "expected": want.tolist(),
            "got": got.tolist(),
            "reason": tol.reason,
            **c.stated(),
        },
    )


def _applies_mixed(adapter: Any, dtype: str) -> str | None:
    why = _applies(adapter, dtype)
    if why is None and not adapter.provides("mixed"):
        return f"mixed precision is not provided in {adapter.name} {adapter.version} (no mixed capability)"
    return why


def tasks() -> list[Task]:
    """One task per case, each low dtype, every API variant."""
    return [
        Task(FAMILY, case, CHECK, lambda ctx, case=case: run(case, ctx), dtypes=DTYPES, applies=_applies_mixed)
        for case in CASES
    ]
