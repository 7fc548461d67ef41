"""The accuracy tables' exact values: mpmath at raised precision, correctly rounded to float64.

What the tables (``conformance.accuracy``, ``accuracy_binary``, ``accuracy_arrays``) measure the
frameworks against, at one grid point each:

    unary_point(op, t, n)     [f(t), f'(t), ..., f⁽ⁿ⁾(t)] of a unary elementwise row
    binary_point(op, a, b, n) every ∂ⁱ⁺ʲf/∂aⁱ∂bʲ with i + j <= n (``PARTIALS`` order) of a binary row
    array_point(op, x, u)     (f(x), J_f(x)ᵀu) of a whole-array row (its mpmath ``oracle``)

Each is a pure function of the op table row (its mpmath formula, ``Op.derivative``, ``Op.oracle``),
mpmath and this module, so the values go to the oracle store's ``exact`` scope
(``conformance.oracle_cache.EXACT_SOURCES``: keyed by these sources only, kept across changes to the
measuring, the engine or the report).

Derivatives are mpmath's step differences (``_diffs``), or the row's own f' (``analytic``), at two
precisions (``PRECISIONS``: another step and working precision each); where the two disagree once
rounded to float64, the precision is raised and, when no precision up to ``MAX_DIGITS`` resolves a
point, AccuracyError names the op and the point (``resolve``). A derivative within NOISE× its
stencil's resolution floor, or within NOISE× its two estimates' difference, is an exact 0 only where
that bound lies below half the smallest float64 subnormal; otherwise more digits are taken (f' =
5e-131 beside f = 1 is no 0). Two estimates straddling a float64 midpoint within 2^-40 ULP of each
other are an exact tie (rounded to even). Binary rows: partial derivatives along one argument with
the other fixed; the mixed ∂ⁱ⁺ʲf/∂aⁱ∂bʲ (i, j >= 1) differentiates along a the j-th b-derivative
computed at (i + 1)·dps + 20 digits, so that the outer difference quotient does not amplify the
inner one's rounding. Whole-array rows: the oracle at W = 2·dps + (digits x + h needs) + 10 working
digits, the VJP by forward differences of ⟨u, f⟩.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from conformance.errors import ConformanceError

PRECISIONS = ((30, 45), (60, 80), (120, 150))
MAX_DIGITS = 3000  # the precision noise may raise an estimate to (``resolve``)
LOG10_HALF_SUBNORMAL = -1075 * math.log10(2.0)  # log10 of 2^-1075: below it a float64 rounds to 0
NOISE = 1000.0


class AccuracyError(ConformanceError, ValueError):
    """A grid point whose exact value mpmath cannot resolve at the bounded precision."""


# ∂ⁱ⁺ʲf/∂aⁱ∂bʲ in the order of the exact values' lists: (0, 0) the value, then order 1, 2, 3
PARTIALS = ((0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2), (3, 0), (2, 1), (1, 2), (0, 3))


def partials(n: int) -> list[tuple[int, int]]:
    """(i, j) of every partial derivative of order <= n (``PARTIALS``' order)."""
    return [p for p in PARTIALS if sum(p) <= n]


# ------------------------------------------------------------------------------ unary rows
def _diffs(
    f: Callable, t: Any, n: int, dps: int, inner: Callable[[], Any] | None = None
) -> tuple[list[Any], list[Any]]:
    """([f(t), f'(t), ..., f⁽ⁿ⁾(t)], [0, r₁, ..., rₙ]): mpmath's step differences at ``dps`` digits and
    each derivative's resolution floor rₖ, the size its stencil cannot tell from 0: the evaluations'
    rounding M·2^-W (M >= |f| over the stencil, W mpmath's working bits (p + 20)(n + 2)) times the
    difference's 2ᵏ / (2h)ᵏ. ``inner()``: the largest error of f's own values where f is itself
    computed (a derivative along the other argument), which the difference amplifies alike."""
    import mpmath

    # The step h = min(|t|, 1)·2^-(p+10): relative below 1 (mpmath's default absolute step is too wide
    # at 1e-300), absolute above (an oscillating f varies on a scale of 1 even at 1e120). The working
    # precision gains n·log2(1/|t|) bits below 1, so that differences of f(t ± h) of order one stay
    # resolved, and log2|t| bits above, so that t ± h is exact.
    e = math.frexp(t)[1] if t else 0
    with mpmath.workdps(dps):
        base = mpmath.mp.prec
    with mpmath.workprec(base + n * max(0, -e) + max(0, e)):
        p = mpmath.mp.prec
        h = mpmath.ldexp(min(abs(mpmath.mpf(t)), 1) if t else mpmath.mpf(1), -base - 10)
        try:
            values = list(mpmath.diffs(f, mpmath.mpf(t), n, h=h))
        except (ZeroDivisionError, ValueError):  # a removable singularity at t itself
            values = [mpmath.limit(f, mpmath.mpf(t))] + [
                mpmath.diff(f, mpmath.mpf(t), k, singular=True) for k in range(1, n + 1)
            ]
            return values, [mpmath.mpf(0)] * (n + 1)
        reach = (n + 1) * abs(h)  # the stencil's half-width
        size = sum((abs(v) * reach**k / mpmath.factorial(k) for k, v in enumerate(values)), mpmath.mpf(0))
        err = mpmath.ldexp(size, -(p + 20) * (n + 2)) + (inner() if inner is not None else 0)
        return values, [mpmath.mpf(0)] + [err * 2 ** (k + 1) / (2 * abs(h)) ** k for k in range(1, n + 1)]


def _to_float(v: Any) -> float:
    import mpmath

    if isinstance(v, mpmath.mpc) or (isinstance(v, complex) and v.imag):
        if v.imag != 0:
            return float("nan")
        v = v.real
    try:
        return float(v)
    except (OverflowError, TypeError):
        return float("inf") if v > 0 else float("-inf")


def resolve(
    name: str, where: str, estimate: Callable[[int], tuple[list[Any], list[Any]]], derivative: list[bool]
) -> list[float] | None:
    """The entries of ``estimate(dps)`` (mpmath numbers, and each one's resolution floor r: the size
    the stencil cannot tell from 0) correctly rounded to float64, at the first precision where its two
    estimates (``dps`` and the check digits) agree once rounded. None where an entry is not real (or
    ``estimate`` raises: outside the function's domain); AccuracyError naming ``name`` and ``where``
    when no precision up to ``MAX_DIGITS`` resolves every entry.

    Precisions: ``PRECISIONS`` in turn. An entry flagged in ``derivative`` (one that may be an exact 0
    the stencil leaves noise around) within NOISE·r of 0 (an exact 0 included: a variation below the
    working precision leaves f(t ± h) identical), or whose two estimates a, b differ by more than
    1/NOISE of b (noise), is only known to be at most B = |b| + |a − b| + NOISE·r. It is an exact 0
    where B < 2^-1075 (half the smallest float64 subnormal: 0 is then the correctly rounded value); else
    the precision is raised by the digits B says are missing, log10(B / 2^-1075) + 10 (r falls at least
    as 10^-2·dps). Taking such an entry for an exact 0 at the last of ``PRECISIONS``, as this did
    before, made expit'(300) = 5.1e-131 and erf'(20) = 2.2e-174 (beside f = 1) and ∂hypot/∂a = 2e-95
    at (1.6, 8e94) exact zeros. Estimates on either side of a float64 midpoint within 2^-40 ULP of each
    other are an exact tie, rounded to even (``_tie``)."""
    levels = list(PRECISIONS)
    i = 0
    while i < len(levels):
        dps, check = levels[i]
        try:
            (a, _), (b, floor) = estimate(dps), estimate(check)
        except Exception:  # outside the function's domain (mpmath raises its own errors)
            return None
        out, resolved, noise = [], True, None
        for va, vb, rb, is_d in zip(a, b, floor, derivative):
            fa, fb = _to_float(va), _to_float(vb)
            if math.isnan(fa) or math.isnan(fb):
                return None
            if math.isinf(fb) and fa == fb:  # beyond float64's range at both precisions
                out.append(fb)
                continue
            if is_d and (abs(vb) <= NOISE * rb or abs(va - vb) * NOISE >= abs(vb) > 0):
                # below the stencil's resolution (an exact 0 included) or noise: |exact| <= bound
                bound = abs(vb) + abs(va - vb) + NOISE * rb
                if bound == 0 or _log10(bound) < LOG10_HALF_SUBNORMAL:
                    fb = 0.0  # certainly below float64's range: 0 is its rounding
                else:
                    resolved = False  # more digits tell
                    noise = _log10(bound) if noise is None else max(noise, _log10(bound))
            elif fa != fb:
                tie = _tie(va, vb, fa, fb)
                if tie is None:
                    resolved = False
                else:
                    fb = tie
            out.append(fb)
        if resolved:
            return out
        if noise is not None and math.isfinite(
            noise
        ):  # the digits the bound says are missing, unless the next level has them
            more = check + math.ceil(noise - LOG10_HALF_SUBNORMAL) + 10
            if more <= MAX_DIGITS and (i + 1 == len(levels) or more > levels[i + 1][0]):
                levels[i + 1 :] = [(more, more + check - dps)]
        i += 1
    raise AccuracyError(
        f"op {name!r}: the exact value at {where} is not resolved at "
        f"{levels[-1][1]} digits (two precisions disagree); drop the point from "
        f"the row's domain or give its exact formula more precision"
    )


TIE = 2.0**-40  # estimates this close (in ULPs) on both sides of a float64 midpoint: an exact tie


def _tie(va: Any, vb: Any, fa: float, fb: float) -> float | None:
    """The ties-to-even rounding where two estimates round to adjacent float64 numbers on either side
    of their midpoint and lie within TIE·ULP of each other: a polynomial of float inputs (a cross
    product, a convolution, Jᵀu of a bilinear map with the cotangent's ±(1 + k/8)) is a dyadic number,
    often exactly a midpoint, which estimates that differ by 1e-40 then straddle at every precision.
    (A value within 2^-40 ULP of a midpoint without being one is a coin flip for any correctly rounded
    implementation too.) None otherwise."""
    import struct

    import mpmath

    if not (math.isfinite(fa) and math.isfinite(fb)) or math.nextafter(fa, fb) != fb:
        return None
    with mpmath.workprec(2200):  # the midpoint of two float64s, exactly
        mid = (mpmath.mpf(fa) + mpmath.mpf(fb)) / 2
        gap = abs(mpmath.mpf(fb) - mpmath.mpf(fa))
        if (va - mid) * (vb - mid) >= 0 or abs(va - vb) > TIE * gap:
            return None
    return fa if struct.unpack("<q", struct.pack("<d", fa))[0] % 2 == 0 else fb


def _log10(v: Any) -> float:
    import mpmath

    return float(mpmath.log10(abs(v)))


def unary_point(op: Any, t: float, n: int) -> list[float] | None:
    """[f(t), f'(t), ..., f⁽ⁿ⁾(t)] correctly rounded to float64, at the first precision of
    ``PRECISIONS`` where two estimates agree (``resolve``); None where f is not real there;
    AccuracyError where no precision resolves it."""
    from conformance import oracle_cache

    f = lambda s: op.exact(s, **op.params)  # noqa: E731
    if op.derivative is not None and n >= 1:
        # the row's own f': f and f' evaluated, f'' (n = 2) a step difference of f' (``analytic``)
        d = lambda s: op.derivative(s, **op.params)  # noqa: E731
        estimate = lambda dps: analytic(f, d, t, n, dps)  # noqa: E731
    else:
        estimate = lambda dps: _diffs(f, t, n, dps)  # noqa: E731
    # every derivative may be an exact 0 (fresnel_sin'(10) = sin(50π)) that leaves noise at any precision
    return oracle_cache.cached(
        "accuracy-unary",
        op,
        (repr(sorted(op.params.items())), t, n),
        lambda: resolve(op.name, f"x = {t!r}", estimate, [False] + [True] * n),
    )


def analytic(f: Callable, d: Callable, t: float, n: int, dps: int) -> tuple[list[Any], list[Any]]:
    """``_diffs`` where the row gives f' (``Op.derivative``): [f(t), f'(t), ..., f⁽ⁿ⁾(t)] with f and
    f' evaluated (no stencil: exact to the working precision, raised by log2|t| bits above 1 as
    ``_diffs`` does, so that an oscillating f at 1e300 keeps its phase) and the higher orders step
    differences of f'. A step difference near 0 needs n·log2(1/|t|) more bits (1,100 at 1e-323, where
    mpmath's incomplete gamma takes 30 s a point); the evaluation does not."""
    (v0,), _ = _diffs(f, t, 0, dps)
    values, floors = _diffs(d, t, n - 1, dps)
    return [v0, *values], [0, *floors]


# ------------------------------------------------------------------------------ binary rows
def _binary_estimate(op: Any, a: float, b: float, n: int, dps: int) -> tuple[list[Any], list[Any]]:
    """Every ∂ⁱ⁺ʲf/∂aⁱ∂bʲ with i + j <= n at (a, b) (``partials`` order) as mpmath numbers at ``dps``,
    and each one's resolution floor (``_diffs``)."""
    import mpmath

    def f(s: Any, t: Any) -> Any:
        return op.exact(s, t, **op.params)

    A, B = mpmath.mpf(a), mpmath.mpf(b)
    out: dict[tuple[int, int], tuple[Any, Any]] = {}
    for i, vr in enumerate(zip(*_diffs(lambda s: f(s, B), a, n, dps))):
        out[(i, 0)] = vr
    for j, vr in enumerate(zip(*_diffs(lambda t: f(A, t), b, n, dps))):
        out[(0, j)] = vr
    for j in range(1, n):
        worst = [mpmath.mpf(0)]

        def inner(s: Any, j: int = j, worst: list = worst) -> Any:
            """∂ʲf/∂bʲ at (s, b), at more digits than the outer step needs (its floor kept)."""
            digits = max((n - j + 1) * dps + 20, mpmath.mp.dps + 20)
            v, r = _diffs(lambda t: f(s, t), b, j, digits)
            worst[0] = max(worst[0], r[j])
            return v[j]

        for i, vr in enumerate(zip(*_diffs(inner, a, n - j, dps, lambda worst=worst: worst[0]))):
            if i:
                out[(i, j)] = vr
    ps = partials(n)
    return [out[p][0] for p in ps], [out[p][1] for p in ps]


def binary_point(op: Any, a: float, b: float, n: int) -> list[float] | None:
    """Every ∂ⁱ⁺ʲf/∂aⁱ∂bʲ with i + j <= n at (a, b), correctly rounded to float64 (``partials``
    order); None where f is not real there; AccuracyError where no precision resolves it."""
    from conformance import oracle_cache

    return oracle_cache.cached(
        "accuracy-binary",
        op,
        (repr(sorted(op.params.items())), a, b, n),
        lambda: resolve(
            op.name,
            f"(a, b) = ({a!r}, {b!r})",
            lambda dps: _binary_estimate(op, a, b, n, dps),
            [p != (0, 0) for p in partials(n)],
        ),
    )


# ------------------------------------------------------------------------------ whole-array rows
def _array_estimate(op: Any, x: np.ndarray, u: np.ndarray, dps: int) -> tuple[list[Any], list[Any]]:
    """(f(x) entries then ∇⟨u, f⟩(x) entries, their resolution floors) at ``dps`` digits: the oracle at
    W = 2·dps + (digits x + h needs) + 10 working digits; g by forward differences, whose floor is the
    two evaluations' rounding 2·Σ|uᵢfᵢ|·10^(1−W) over h."""
    import mpmath

    from conformance.mp_namespace import to_mp
    from conformance.oracles import _extra_digits, _scale, mp_namespace

    s = float(np.min(_scale(x))) if x.size else 1.0
    work = 2 * dps + _extra_digits(x, s) + 10
    xp = mp_namespace(dps)
    with mpmath.workdps(work):
        X, U = to_mp(x), to_mp(u)
        h = mpmath.mpf(10) ** (-dps) * s

        def phi(z: np.ndarray) -> tuple[np.ndarray, Any]:
            y = np.asarray(op.oracle(xp, z), dtype=object).reshape(np.shape(u))
            return y, np.sum(U * y)

        y0, p0 = phi(X)
        g = []
        for j in range(x.size):
            z = X.copy()
            z.flat[j] = X.flat[j] + h
            g.append((phi(z)[1] - p0) / h)
        size = np.sum(np.abs(U * y0))
        floor = 2 * size * mpmath.mpf(10) ** (1 - work) / h
        return list(y0.flat) + g, [mpmath.mpf(0)] * y0.size + [floor] * len(g)


def array_point(op: Any, x: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(f(x), J_f(x)ᵀu) correctly rounded to float64 (``resolve``); None where the oracle is
    not real or undefined at x; AccuracyError where no precision resolves it. Value entries take the
    noise rule too: a DFT bin or a cross product that cancels to an exact 0 leaves the oracle's
    rounding (1e-150 at 120 digits), which more digits push below 2^-1075."""
    from conformance import oracle_cache

    out = oracle_cache.cached(
        "accuracy-array",
        op,
        (repr(sorted(op.params.items())), np.asarray(x, dtype=np.float64), np.asarray(u, dtype=np.float64)),
        lambda: resolve(
            op.name,
            f"x = {np.array2string(x, precision=17, separator=', ', threshold=64)}",
            lambda dps: _array_estimate(op, x, u, dps),
            [True] * (u.size + x.size),
        ),
    )
    if out is None:
        return None
    return np.asarray(out[: u.size]).reshape(u.shape), np.asarray(out[u.size :]).reshape(x.shape)
