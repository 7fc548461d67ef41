"""The limits of a scalar function and of its derivative at ±∞, and its exact values at a huge finite
argument, in mpmath — the oracle of ``conformance.edges.infinities``.

**The limits** (``limit_at``). In mpmath the sequence vⱼ = f(±c·2^kⱼ), kⱼ = 16, 32, …, 2048, c = 1 + 1/π
(no xⱼ is an integer or a multiple of π: a sawtooth such as frac or fmod sampled at integers would look
constant), at 2kⱼ + 256 bits (x² to the last bit, for exp(x²) in erfcx; f' by central differences of
steps 2^-(64 + k) and 2^-(96 + k), below the scale 1/|x| on which exp(x²) or sin(x²) vary; truncation and
cancellation both far below float64, and the two must agree to 2⁻³⁰ where |f'| > 2⁻⁷²), is read as

    finite L      the last three values agree to 2⁻⁶² relative (a thousandth of float64's ε): L = v_last
    L = 0         the last three magnitudes shrink at least twofold per step and |v_last| < 2⁻⁷²
                  (e.g. 1/x, j0(x) ~ cos(x)/√x): far below float64's absolute allowance at an exact 0
    ±inf          the last three values share a sign, grow in magnitude, and their increments do not
                  shrink (log x, log log x, eˣ): the sequence diverges monotonically
    no answer     anything else — an oscillating (sin x), non-real or failing sequence, or one that
                  converges too slowly to resolve float64 (1 − 1/log x) — gives no judgement: the
                  task is a ``skip`` record that says why (limits are computed when a task first
                  runs, ~0.1 s per case, so that collecting the suite stays fast)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from conformance.tolerance import EPS, TINY

KS = tuple(2**j for j in range(4, 12))  # x = ±c·2^k, k = 16 … 2048 (beyond float64's 2^1024)
GUARD_BITS = 256  # working precision 2k + 256 bits: x ± h and x² exact, f resolved
STEP_BITS = 64  # central-difference step h = 2^-64 (absolute)
CONVERGED = 2.0**-62  # relative agreement of the last three values: ε(float64)/1024
ZERO = 2.0**-72  # below this (and shrinking) a limit is 0 for float64


@dataclass(frozen=True)
class Limit:
    """``value``: the limit (float; ±inf where it diverges) or None where there is none; ``how``: the
    sequence and the reading of it, for the record."""

    value: float | None
    how: str


def scalar_function(case: Any) -> Callable[[Any], Any]:
    """t ↦ f(t) for one mpf t, from the case's exact formula in the mpmath namespace."""
    from conformance.edges import limit_oracle as lo

    F = lo.mp_function(case)
    return lambda t: np.asarray(F(np.array([t], dtype=object)), dtype=object).reshape(-1)[0]


class Unresolved(ValueError):
    """f' changes faster than the central difference's step can follow (fresnel's sin(πx²/2) at 2^2048)."""


def value_at(g: Callable[[Any], Any], x: Any, order: int) -> Any:
    """f(x) (order 0) or f'(x) (order 1) in mpmath at 2k + GUARD_BITS bits, |x| ≈ 2^k: x² to the last bit.
    f' is the central difference of steps h = 2^-(64 + k) and 2^-(96 + k) — below the scale 1/|x| on which
    exp(x²) or sin(x²) vary — which must agree to 2^-30 relative, else ``Unresolved``; below 2^-72 the
    sequence reads only "≈ 0" from them, so there they need not agree."""
    import mpmath

    x = x if isinstance(x, mpmath.mpf) else mpmath.mpf(x)  # exact: an mpf keeps its bits, a float has 53
    k = max(0, int(mpmath.mag(x))) if x else 0
    with mpmath.workprec(2 * k + GUARD_BITS):
        if order == 0:
            return +g(x)
        d = [
            (g(x + h) - g(x - h)) / (2 * h)
            for h in (mpmath.ldexp(1, -STEP_BITS - k), mpmath.ldexp(1, -STEP_BITS - 32 - k))
        ]
        big = max(abs(d[0]), abs(d[1]))
        if big >= ZERO and abs(d[0] - d[1]) > 2.0**-30 * big:
            raise Unresolved(
                f"central differences of steps 2^-{STEP_BITS + k} and 2^-{STEP_BITS + 32 + k} "
                f"disagree ({mpmath.nstr(d[0], 5)} vs {mpmath.nstr(d[1], 5)})"
            )
        return d[1]


def name_of(order: int) -> str:
    return "f" + "'" * order


def real_part(v: Any) -> float | None:
    """v as an mpf when it is real (an mpc with a zero imaginary part counts), else None."""
    import mpmath

    if isinstance(v, mpmath.mpc):
        return v.real if v.imag == 0 else None
    return v if isinstance(v, mpmath.mpf) else None


def read_sequence(vals: list[Any]) -> tuple[float | None, str]:
    """The limit a sequence of mpf values settles to (module docstring), and how it was read."""
    import mpmath

    if len(vals) < 3 or any(v is None or mpmath.isnan(v) for v in vals):
        return None, "a value of the sequence is not real"
    a, b, c = vals[-3:]
    if all(mpmath.isfinite(v) for v in (a, b, c)):
        if c != 0 and abs(c - b) <= CONVERGED * abs(c) and abs(b - a) <= CONVERGED * abs(c):
            return float(c), "converged: the last three values agree to 2^-62 relative"
        if abs(c) < ZERO and abs(c) * 2 <= abs(b) and abs(b) * 2 <= abs(a):
            return 0.0, f"→ 0: |f| shrinks at least twofold per step, to {mpmath.nstr(abs(c), 3)}"
        if c == 0 and b == 0 and a == 0:
            return 0.0, "→ 0: the last three values are exactly 0"
    same_sign = (a > 0 and b > 0 and c > 0) or (a < 0 and b < 0 and c < 0)
    if same_sign:
        if not mpmath.isfinite(c):
            return (np.inf if c > 0 else -np.inf), "diverges: the value is infinite at the last step"
        d1, d2 = abs(b) - abs(a), abs(c) - abs(b)
        if d1 > 0 and d2 > 0 and d2 >= 0.9 * d1:
            return (np.inf if c > 0 else -np.inf), "diverges: |f| grows with increments that do not shrink"
    return None, (
        "no limit resolved: the sequence neither settles to float64's precision nor diverges "
        "monotonically (it oscillates, or converges too slowly)"
    )


def limit_at(case: Any, sign: int, order: int) -> Limit:
    """lim f^(order)(x) as x → sign·∞ (order 0 or 1), read from the sequence at x = sign·2^k."""
    import mpmath

    g = scalar_function(case)
    vals = []
    for k in KS:
        try:
            with mpmath.workprec(2 * k + GUARD_BITS):  # c = 1 + 1/π: x is no integer, nor a multiple of π
                x = mpmath.ldexp(sign, k) * (1 + 1 / mpmath.pi)
            v = real_part(value_at(g, x, order))
        except Unresolved as exc:
            return Limit(None, f"no limit resolved: at {'-' if sign < 0 else ''}c·2^{k} the {exc}")
        except Exception as exc:  # mpmath raises ValueError, ZeroDivisionError, even TypeError
            return Limit(
                None,
                f"no limit: the formula fails at {'-' if sign < 0 else ''}c·2^{k} "
                f"({type(exc).__name__}: {str(exc)[:80]})",
            )
        if v is None:
            return Limit(None, f"no limit: {name_of(order)} is not real at {'-' if sign < 0 else ''}2^{k}")
        vals.append(v)
    value, reading = read_sequence(vals)
    what = "f" if order == 0 else "f' (central differences of steps 2^-(64 + k) and 2^-(96 + k), agreeing)"
    return Limit(
        value,
        f"{what} in mpmath at x = {'-' if sign < 0 else ''}c·2^k, c = 1 + 1/π, k = {KS[0]}…{KS[-1]}, "
        f"2k + {GUARD_BITS} bits; last values {[mpmath.nstr(v, 6) for v in vals[-3:]]}: "
        f"{reading}",
    )


def exact_at(case: Any, x: float, order: int) -> Limit:
    """f^(order)(x) at a finite x in mpmath (``value_at``: 2k + 256 bits for |x| ≈ 2^k)."""
    try:
        v = real_part(value_at(scalar_function(case), x, order))
    except Unresolved as exc:
        return Limit(None, f"not resolved at {x!r}: the {exc}")
    except Exception as exc:
        return Limit(None, f"the formula fails at {x!r} ({type(exc).__name__})")
    if v is None:
        return Limit(None, f"{name_of(order)} is not real at {x!r}")
    return Limit(
        float(v),
        f"{name_of(order)}({x!r}) in mpmath at 2k + {GUARD_BITS} bits (|x| ≈ 2^k)"
        + (", by central differences of steps 2^-(64 + k) and 2^-(96 + k), agreeing" if order else ""),
    )


def saturated(at: Limit, lim: Limit, dtype: str) -> str | None:
    """None where f^(k)(±M) has reached its limit L to the dtype's precision (|f(M) − L| <= ε|L|; for
    L = 0, |f(M)| below the dtype's normal range; L = ±inf: f grows without bound and f(M) is its
    value on the way); else why not (an oscillating tail such as j0's, which decays only as 1/√x)."""
    if lim.value is None or at.value is None:
        return lim.how if lim.value is None else at.how
    L, v = lim.value, at.value
    if np.isinf(L) or (L == 0 and abs(v) < TINY[dtype]) or (L != 0 and abs(v - L) <= EPS[dtype] * abs(L)):
        return None
    return f"{v!r} there, the limit is {L!r}"
