"""Conventions: what each framework returns where the mathematics leaves a choice.

At a kink (|x| and relu at 0, clip at its bounds, ‖x‖ at 0), a tie (maximum, minimum, max over equal
entries), a singular derivative (√x at 0), a ``where`` whose untaken branch has a non-finite
derivative, a complex input to a real loss, an integer input or a non-scalar output, the derivative is
not defined — or is a set (the subdifferential), or depends on a convention (Wirtinger calculus). Each
probe records the value a framework's derivative returns (or the error it raises) with the candidate
answers the mathematics allows, and the report shows them side by side. A finite answer (or an error)
is a convention, recorded as status "pass" with data.value; a NaN, or an infinity where the
candidate (the subgradient element or the one-sided limit) is finite, is not one more convention but
a deviation: status "fail" with ``failure_class = "non_finite"`` (issue 19).

Probes go through the adapter's own implementation of the operator (``adapter.impl``) rather than
its public method, so that integer inputs and non-scalar outputs reach the framework itself and the
record shows what the framework does, not what the adapter's input validation says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from conformance.engine import Context, Outcome, Profile, Task
from conformance.errors import first_line

FAMILY = "conventions"


@dataclass(frozen=True)
class Probe:
    """``op`` ("grad" or "jvp") of ``fn(xp, x)`` at ``x`` (in ``dtype``); ``expected`` lists the
    answers mathematics allows (None when it allows none: an error is the honest answer)."""

    name: str
    fn: Callable[[Any, Any], Any]
    x: Any
    expected: list | None
    note: str
    dtype: str = "float64"
    op: str = "grad"


PROBES: tuple[Probe, ...] = (
    Probe(
        "abs at 0",
        lambda xp, x: xp.abs(x),
        0.0,
        [0.0, 1.0, -1.0],
        "d|x|/dx at 0: the subdifferential is [-1, 1]; 0 (its minimum-norm element) or sign conventions",
    ),
    Probe("relu at 0", lambda xp, x: xp.relu(x), 0.0, [0.0, 1.0], "relu'(0): the subdifferential is [0, 1]"),
    Probe(
        "maximum tie",
        lambda xp, x: xp.maximum(x[0], x[1]),
        [1.0, 1.0],
        [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]],
        "∇ max(a, b) at a = b: any convex combination of e₁ and e₂",
    ),
    Probe(
        "minimum tie",
        lambda xp, x: xp.minimum(x[0], x[1]),
        [1.0, 1.0],
        [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]],
        "∇ min(a, b) at a = b: any convex combination of e₁ and e₂",
    ),
    Probe(
        "max reduction tie",
        lambda xp, x: xp.max(x),
        [1.0, 3.0, 3.0],
        [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.5, 0.5]],
        "∇ max(x) with two maximal entries: any convex combination of their unit vectors",
    ),
    Probe(
        "clip at lower bound",
        lambda xp, x: xp.clip(x, 0.0, 1.0),
        0.0,
        [0.0, 1.0],
        "d clip(x, 0, 1)/dx at x = 0: one-sided derivatives 0 (left) and 1 (right)",
    ),
    Probe(
        "clip at upper bound",
        lambda xp, x: xp.clip(x, 0.0, 1.0),
        1.0,
        [0.0, 1.0],
        "d clip(x, 0, 1)/dx at x = 1: one-sided derivatives 1 (left) and 0 (right)",
    ),
    Probe(
        "norm at 0",
        lambda xp, x: xp.linalg.norm(x),
        [0.0, 0.0, 0.0],
        [[0.0, 0.0, 0.0]],
        "∇‖x‖ at 0: the subdifferential is the unit ball; 0 is its minimum-norm element (NaN is a 0/0 from x/‖x‖)",
    ),
    Probe("sqrt at 0", lambda xp, x: xp.sqrt(x), 0.0, [float("inf")], "d√x/dx = 1/(2√x) → +∞ as x → 0⁺ (one-sided)"),
    Probe(
        "where: log(x) untaken at 0",
        lambda xp, x: xp.sum(xp.where(x > 0, xp.log(x), xp.zeros_like(x))),
        [0.0],
        [[0.0]],
        "f = where(x > 0, log x, 0) is 0 near x = 0⁻, but reverse mode multiplies the untaken branch's "
        "derivative 1/x = ∞ by 0, giving NaN (the classic where-gradient trap)",
    ),
    Probe(
        "where: sqrt(x) untaken at -1",
        lambda xp, x: xp.sum(xp.where(x > 0, xp.sqrt(x), x * 0.0)),
        [-1.0],
        [[0.0]],
        "f = where(x > 0, √x, 0) is 0 near x = −1, but √(−1) = NaN in the untaken branch; NaN·0 = NaN",
    ),
    Probe(
        "complex input to a real loss",
        lambda xp, x: xp.sum(xp.real(x * xp.conj(x))),
        [1.0 + 2.0j],
        [[2.0 + 4.0j], [2.0 - 4.0j]],
        "L = |z|² = z z̄ at z = 1 + 2i: ∂L/∂x + i ∂L/∂y = 2z (the steepest-ascent direction, PyTorch's "
        "convention) or its conjugate 2z̄ (JAX's convention)",
        dtype="complex128",
    ),
    Probe(
        "integer input",
        lambda xp, x: x * x,
        3,
        None,
        "d(x²)/dx of an integer input: integers are not differentiable; an error (or a float 6) is recorded",
        dtype="int64",
    ),
    Probe(
        "non-scalar output to grad",
        lambda xp, x: xp.sin(x),
        [0.0, 1.0],
        None,
        "grad of a vector-valued function is undefined: an error, or an implicit sum (the VJP with "
        "u = 1, [cos 0, cos 1]), is recorded",
    ),
)


def _value(ctx: Context, y: Any) -> Any:
    try:
        return np.asarray(ctx.numpy(y)).tolist()
    except Exception:  # e.g. a framework returned None for an unconnected input
        return repr(y)


def _matches(value: Any, expected: list | None) -> int | None:
    """Index of the first candidate equal to value (NaN never matches), else None."""
    if expected is None or isinstance(value, (str, dict)):
        return None
    a = np.asarray(value)
    for i, cand in enumerate(expected):
        b = np.asarray(cand)
        if a.shape == b.shape and np.all(a == b):
            return i
    return None


def record(probe: Probe, ctx: Context) -> Outcome:
    """Run one probe: the framework's derivative at probe.x, recorded with the candidates."""
    adapter = ctx.adapter
    raw = np.asarray(probe.x, dtype=probe.dtype)
    x = adapter.from_numpy(raw, dtype=None if raw.dtype.kind in "iu" else probe.dtype, device=ctx.device)
    f = lambda z: probe.fn(ctx.xp, z)  # noqa: E731
    try:
        with np.errstate(all="ignore"):
            if probe.op == "grad":
                y = adapter.impl.grad(f, 0)(x)
            else:
                y = adapter.impl.jvp(f, x, adapter.xp.ones_like(x))[1]
    except Exception as exc:  # an error is the framework's answer here
        value: Any = {"error": first_line(exc, 300)}
    else:
        value = _value(ctx, y)
    hit = _matches(value, probe.expected)
    # the numerical reference's stencil may leave the domain at a kink (√x at 0): not a framework's answer
    bad = None if getattr(adapter, "is_reference", False) else non_finite(value, probe.expected)
    if isinstance(value, dict):
        said = f"raises {value['error']}"
    else:
        said = f"returns {value}" + (
            " (a candidate)" if hit is not None else " (none of the candidates)" if probe.expected else ""
        )
    if bad:
        said += f": {bad}, a deviation, not a convention"
    basis = (
        "no answer is admissible: the value or error is recorded"
        if probe.expected is None
        else "recorded, not judged: the numerical reference's differences may leave the domain here"
        if getattr(adapter, "is_reference", False)
        else "recorded as a convention when finite; NaN, or ±inf where every admissible answer is "
        "finite, is a deviation"
    )
    return Outcome(
        "fail" if bad else "pass",
        message=f"{probe.name}: {adapter.label} {said}",
        input=np.asarray(probe.x).tolist(),
        data={
            "value": value,
            "expected": probe.expected,
            "note": probe.note,
            "matches": hit,
            "dtype": probe.dtype,
            "basis": basis,
            "failure_class": "non_finite" if bad else None,
        },
    )


def non_finite(value: Any, expected: list | None) -> str | None:
    """Why ``value`` is a deviation rather than a convention: NaN where the mathematics admits an
    answer, or ±inf where every candidate is finite (elementwise); None when it is not."""
    if expected is None or isinstance(value, (str, dict)):
        return None
    try:
        a = np.asarray(value, dtype=np.complex128)
        cands = [np.asarray(c, dtype=np.complex128) for c in expected]
    except (TypeError, ValueError):
        return None
    if np.isnan(a).any():
        return "NaN where the mathematics admits " + (
            "a finite answer" if all(np.isfinite(c).all() for c in cands) else "an answer"
        )
    finite_everywhere = np.ones(a.shape, dtype=bool)
    for c in cands:
        if c.shape == a.shape:
            finite_everywhere &= np.isfinite(c)
    if (np.isinf(a) & finite_everywhere).any():
        return "±inf where every admissible answer is finite"
    return None


def _runner(probe: Probe) -> Callable[[Context], Outcome]:
    return lambda ctx: record(probe, ctx)


def tasks(profile: Profile) -> list[Task]:
    """One convention Task per probe, run for every API variant, in float64 (the probe's own dtype
    — complex128 or int64 — is used for the input where the probe is about it)."""
    return [
        Task(FAMILY, p.name, p.op, _runner(p), dtypes=("float64",), kind="convention", per_variant=True) for p in PROBES
    ]
