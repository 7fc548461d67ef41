"""Complex inputs: holomorphic functions and real-valued losses of complex z = x + iy.

Frameworks differ in *which* complex number they return, not in the math, so each answer is first
normalized by the adapter's documented ``complex_grad_convention``:

    "direct"     (PyTorch, TensorFlow)  grad L = ∂L/∂x + i ∂L/∂y;   vjp(f, z, u) = conj(f'(z)) u
    "conjugate"  (JAX)                  grad L = ∂L/∂x − i ∂L/∂y;   vjp(f, z, u) = f'(z) u

normalized to the "direct" form (the steepest-ascent direction, what gradient descent needs):
G = raw for "direct", conj(raw) for "conjugate"; for a vjp, conj(vjp(f, z, conj(u))). The JVP
J v = f'(z) v is the same in every convention. The oracle is the closed form (f' for holomorphic
cases; ∂L/∂x + i ∂L/∂y for losses). The raw answers go in ``convention`` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from conformance.derivatives.case import Case
from conformance.engine import Context, Outcome, Task
from conformance.tolerance import compare, policy


def _z(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-1.5, 1.5, shape) + 1j * rng.uniform(-1.5, 1.5, shape)


@dataclass(frozen=True)
class ComplexCase:
    """f on complex arrays; ``holomorphic``: ``derivative`` is f' (elementwise); else f is a real
    loss and ``gradient`` is ∂L/∂x + i ∂L/∂y."""

    case: Case
    holomorphic: bool
    derivative: Callable[[np.ndarray], np.ndarray] | None = None
    gradient: Callable[[np.ndarray], np.ndarray] | None = None


def _case(name: str, fn: Callable, doc: str, scalar: bool) -> Case:
    return Case(
        name,
        "complex",
        fn,
        shapes=((3,),),
        make_input=_z,
        scalar=scalar,
        mp=False,
        dtypes=("complex128", "complex64"),
        doc=doc,
    )


CASES: tuple[ComplexCase, ...] = (
    ComplexCase(
        _case("z_sin_z", lambda xp, z: xp.sin(z) * z, "f(z) = z sin z (holomorphic)", False),
        True,
        derivative=lambda z: np.sin(z) + z * np.cos(z),
    ),
    ComplexCase(
        _case("exp_z_squared", lambda xp, z: xp.exp(z * z), "f(z) = exp(z²)", False),
        True,
        derivative=lambda z: 2 * z * np.exp(z * z),
    ),
    ComplexCase(
        _case("z_cubed_plus_z", lambda xp, z: z * z * z + z, "f(z) = z³ + z", False),
        True,
        derivative=lambda z: 3 * z * z + 1,
    ),
    ComplexCase(
        _case("abs_squared", lambda xp, z: xp.sum(xp.real(z * xp.conj(z))), "L(z) = Σ |z|² = Σ x² + y²", True),
        False,
        gradient=lambda z: 2 * z,
    ),
    ComplexCase(
        _case("real_times_imag", lambda xp, z: xp.sum(xp.real(z) * xp.imag(z)), "L(z) = Σ x y", True),
        False,
        gradient=lambda z: z.imag + 1j * z.real,
    ),
    ComplexCase(
        _case(
            "abs_sin_squared",
            lambda xp, z: xp.sum(xp.real(xp.sin(z) * xp.conj(xp.sin(z)))),
            "L(z) = Σ |sin z|² = Σ sin²x + sinh²y",
            True,
        ),
        False,
        gradient=lambda z: np.sin(2 * z.real) + 1j * np.sinh(2 * z.imag),
    ),
)


def normalize_grad(adapter: Any, raw: np.ndarray) -> np.ndarray:
    """A real loss's gradient in the "direct" form ∂L/∂x + i ∂L/∂y."""
    return np.conj(raw) if convention(adapter) == "conjugate" else raw


def convention(adapter: Any) -> str:
    conv = getattr(type(adapter), "complex_grad_convention", None)
    if conv not in ("direct", "conjugate"):
        raise ValueError(
            f"{adapter.name} declares no complex_grad_convention ('direct' or 'conjugate'); add it to its adapter class"
        )
    return conv


def _input(cc: ComplexCase, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from conformance.derivatives.checks import stable_seed

    rng = np.random.default_rng(stable_seed(ctx.seed, cc.case.name, "complex"))
    grid = lambda a: a.astype(np.complex64).astype(np.complex128)  # noqa: E731
    return grid(_z(rng, (3,))), grid(_z(rng, (3,))), grid(_z(rng, (3,)))


def _verdict(
    what: str, got: np.ndarray, want: np.ndarray, ctx: Context, z: np.ndarray, raw: np.ndarray, note: str
) -> Outcome:
    # The numerical reference differentiates by differences (~1e-10 relative), AD to rounding.
    tol = (
        policy("exact", "float64", "fd") if getattr(ctx.adapter, "is_reference", False) else policy("exact", ctx.dtype)
    )
    c = compare(got, want, tol)
    msg = (
        f"{what} (normalized from the {convention(ctx.adapter)} convention) "
        f"{'matches' if c.ok else 'differs from'} the closed form: ratio {c.error_ratio:.3g}"
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input=pairs(z),
        data={
            "raw": pairs(raw),
            "convention": convention(ctx.adapter),
            "note": note,
            "reason": tol.reason,
            **c.stated(),
        },
    )


def product(ctx: Context, f: Callable, z: np.ndarray, w: np.ndarray, op: str) -> tuple[np.ndarray, np.ndarray]:
    """(normalized, raw) of a holomorphic f at z: op "jvp" gives J w = f'(z) w (every convention);
    op "vjp" gives conj(f'(z)) w, asked of a "conjugate" framework as conj(vjp(f, z, conj(w)))."""
    a = ctx.adapter
    if op == "jvp":
        raw = ctx.numpy(a.jvp(f, ctx.array(z), ctx.array(w))[1])
        return raw, raw
    conj = convention(a) == "conjugate"
    raw = ctx.numpy(a.vjp(f, ctx.array(z), ctx.array(np.conj(w) if conj else w))[1])
    return (np.conj(raw) if conj else raw), raw


def pairs(arr: Any) -> list[list[float]]:
    """Complex entries as [re, im] pairs (JSON has no complex numbers)."""
    return [[float(w.real), float(w.imag)] for w in np.ravel(np.asarray(arr, dtype=np.complex128))]


def run_holomorphic(cc: ComplexCase, op: str, ctx: Context) -> Outcome:
    z, v, u = _input(cc, ctx)
    f = cc.case.function(ctx.adapter.name, ctx.xp)
    fp = cc.derivative(z)
    got, raw = product(ctx, f, z, v if op == "jvp" else u, op)
    if op == "jvp":
        return _verdict("J v", got, fp * v, ctx, z, raw, "forward mode: f'(z) v in every convention")
    return _verdict("vjp", got, np.conj(fp) * u, ctx, z, raw, "expected conj(f'(z)) u")


def run_loss(cc: ComplexCase, ctx: Context) -> Outcome:
    a = ctx.adapter
    z, _, _ = _input(cc, ctx)
    raw = ctx.numpy(a.grad(cc.case.function(a.name, a.xp))(ctx.array(z)))
    return _verdict("gradient", normalize_grad(a, raw), cc.gradient(z), ctx, z, raw, "expected ∂L/∂x + i ∂L/∂y")


def run_convention(cc: ComplexCase, ctx: Context) -> Outcome:
    """What the framework returns, raw, at a fixed z (kind "convention": shown, not judged)."""
    a = ctx.adapter
    z = np.array([1 + 2j, -0.5 + 0.25j, 0.75 - 1j])
    raw = ctx.numpy(a.grad(cc.case.function(a.name, a.xp))(ctx.array(z)))
    g = cc.gradient(z)
    return Outcome(
        "pass",
        message=f"{a.name} declares the {convention(a)} convention",
        input=pairs(z),
        data={
            "value": pairs(raw),
            "expected": {"∂L/∂x + i∂L/∂y (PyTorch, TensorFlow)": pairs(g), "∂L/∂x − i∂L/∂y (JAX)": pairs(np.conj(g))},
            "note": f"{cc.case.doc}; declared convention: {convention(a)}",
        },
    )


def reference_skips_loss(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference differentiates along real directions only, so it has no "
            "∂L/∂y for a non-holomorphic loss"
        )
    return None


def tasks() -> list[Task]:
    out: list[Task] = []
    for cc in CASES:
        c = cc.case
        if cc.holomorphic:
            for op in ("jvp", "vjp"):
                out.append(
                    Task(
                        "complex",
                        c.name,
                        f"complex_{op}",
                        lambda ctx, cc=cc, op=op: run_holomorphic(cc, op, ctx),
                        dtypes=c.dtypes,
                    )
                )
        else:
            out.append(
                Task(
                    "complex",
                    c.name,
                    "complex_gradient",
                    lambda ctx, cc=cc: run_loss(cc, ctx),
                    dtypes=c.dtypes,
                    applies=reference_skips_loss,
                )
            )
            out.append(
                Task(
                    "conventions",
                    f"complex gradient of {c.doc.split(' = ')[0]}",
                    "grad",
                    lambda ctx, cc=cc: run_convention(cc, ctx),
                    dtypes=("complex128",),
                    kind="convention",
                    per_variant=False,
                    applies=reference_skips_loss,
                )
            )
    return out
