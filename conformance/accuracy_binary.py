"""Accuracy tables of the binary elementwise rows (``op.arity == 2`` with an mpmath ``exact``: xlogy,
atan2, hypot, pow, ...): the value and each partial derivative in ULPs of the dtype, against mpmath.

The row's public function takes the rows (a, b) of a (2, m) input (``conformance.ops.table``), so one
call measures the whole grid:

    value              f(a, b)                                  check "value" (once per framework)
    derivative[arg0]   ∂f/∂a = row 0 of vjp(f, (a; b), 1)       check "derivative[arg0]" (every API
    derivative[arg1]   ∂f/∂b = row 1 of it                      variant), "derivative[arg1]"
    with ``orders=(1, 2)`` also (forward over reverse, ``edges.nested.directional`` along e_a and e_b)
    derivative2[arg0,arg0]  ∂²f/∂a²    derivative2[arg0,arg1]  ∂²f/∂a∂b    derivative2[arg1,arg1]  ∂²f/∂b²

"arg0"/"arg1" are the public function's first and second positional arguments (``data.partial`` gives
the orders (i, j) of ∂ⁱ⁺ʲf/∂aⁱ∂bʲ). Each table is measured as the unary ones are
(``accuracy.table``: histogram, max, p99, worst input [a, b] and the condition number there).

The grid (``grid``): per argument, magnitudes log-uniform in [1e-12, 1e12] and over the dtype's whole
normal range, or uniform over the row's sample ``domain`` of that argument — every pairing of the three
(a quarter both sample-domain, a quarter both mid-range, ...) —, the pairs of the extremes {0, 1,
smallest normal, largest finite, subnormals} and the row's special points ``op.points``, rounded to
the dtype (a special point the dtype flushes to 0, atan2's (1e-300, 1e-300) in float32, is not the
point it names and is left out). A binary row states no ``defined_on`` per argument; its sample domain says with which signs
an argument is drawn (atan2's b > 0 keeps the grid off its branch cut a = 0, b < 0, where f jumps; a
divisor or a base drawn > 0 stays so), and the magnitudes take those signs (0 only where the domain
spans it). Pairs the row's ``valid`` refuses (a tie of maximum) or on a kink are left out, and so are
pairs where f is not real (xlog1py at b < −1: mpmath at 20 digits, counted in ``data.grid``). ci:
about 2,000 points per op and dtype, as the unary rows.

Exact values: ``accuracy_exact.binary_point`` (each partial along one argument with the other fixed,
the mixed ones nested at raised precision), under the unary rows' precision rule.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Iterator

import numpy as np

from conformance import accuracy as acc
from conformance.accuracy_exact import AccuracyError, _to_float, partials
from conformance.accuracy_exact import binary_point as exact_point
from conformance.tolerance import EPS, HUGE, TINY

NAMES = ("arg0", "arg1")


def check_name(i: int, j: int) -> str:
    """ "value", "derivative[arg0]", "derivative2[arg0,arg1]", ... for ∂ⁱ⁺ʲf/∂aⁱ∂bʲ."""
    if i + j == 0:
        return "value"
    args = ",".join([NAMES[0]] * i + [NAMES[1]] * j)
    return f"derivative{'' if i + j == 1 else i + j}[{args}]"


# ------------------------------------------------------------------------------ grid
def _real(op: Any, a: float, b: float) -> bool:
    """Whether f(a, b) is real (and defined) there: mpmath at 20 digits."""
    import mpmath

    try:
        with mpmath.workdps(20):
            v = op.exact(mpmath.mpf(a), mpmath.mpf(b), **op.params)
        return not math.isnan(_to_float(v))
    except Exception:
        return False


def _allowed(op: Any, col: np.ndarray) -> bool:
    """The pair (a, b) is off the row's kinks and its ``valid`` accepts it."""
    if op.kinks and np.any(np.isin(col, op.kinks)):
        return False
    return op.valid is None or op.valid(col.reshape(2, 1)) is None


def special_pairs(op: Any) -> np.ndarray:
    """The row's special points (a, b), shape (2, k)."""
    pts = [tuple(float(v) for v in p[1]) for p in op.points if np.ndim(p[1]) == 1 and len(p[1]) == 2]
    return np.array(pts, dtype=np.float64).T.reshape(2, -1)


def grid(op: Any, dtype: str, n: int, seed: int = 0) -> tuple[np.ndarray, int]:
    """About ``n`` distinct pairs (a, b) in ``dtype`` (module docstring), shape (2, m), sorted by (a, b);
    and how many candidate pairs were left out because f is not real there."""
    rng = np.random.default_rng([seed, n, 2, len(op.name)] + [ord(c) for c in op.name + dtype])
    tiny, huge = TINY[dtype], HUGE[dtype]
    doms = op.domains()
    signs = [[v for v, ok in ((-1.0, lo < 0), (1.0, hi > 0)) if ok] for lo, hi in doms]

    def draw(kind: str, arg: int, m: int) -> np.ndarray:
        if kind == "domain":
            return rng.uniform(*doms[arg], m)
        lo, hi = (max(tiny, 1e-12), min(huge, 1e12)) if kind == "mid" else (tiny, huge)
        return acc._log_uniform(rng, lo, hi, m) * rng.choice(signs[arg], m)

    # twice the share of each pairing: a part of the candidates is left out (not real, refused)
    shares = {
        ("domain", "domain"): 1 / 4,
        ("mid", "mid"): 1 / 4,
        ("full", "full"): 1 / 8,
        ("domain", "full"): 1 / 8,
        ("full", "domain"): 1 / 8,
        ("domain", "mid"): 1 / 16,
        ("mid", "domain"): 1 / 16,
    }
    parts = []
    for (ka, kb), share in shares.items():
        m = max(1, int(2 * n * share))
        parts.append(np.stack([draw(ka, 0, m), draw(kb, 1, m)]))
    ext = []
    for (lo, hi), sg in zip(doms, signs):
        mags = np.array([1.0, tiny, huge, tiny / 2, 2 * tiny * EPS[dtype]])
        ext.append(np.concatenate([[0.0] if lo < 0 < hi else [], *(s * mags for s in sg)]))
    parts.append(np.stack(np.meshgrid(ext[0], ext[1])).reshape(2, -1))
    named = special_pairs(op)
    special = acc.round_to(named, dtype)
    special = special[:, ~np.any((special == 0) & (named != 0), axis=0)]  # flushed to 0: not the point it names
    parts.append(special)
    x = acc.round_to(np.concatenate(parts, axis=1), dtype)
    x = x[:, np.all(np.isfinite(x) & (np.abs(x) <= huge), axis=0)]
    x = np.unique(x, axis=1)
    x = x[:, [i for i in range(x.shape[1]) if _allowed(op, x[:, i])]]
    is_special = np.array([any(np.array_equal(x[:, i], s) for s in special.T) for i in range(x.shape[1])], dtype=bool)
    order = np.concatenate([np.flatnonzero(is_special), rng.permutation(np.flatnonzero(~is_special))])
    keep, not_real = [], 0
    for i in order:  # the special points first, then random candidates until n are real
        if len(keep) >= max(n, int(is_special.sum())):
            break
        if _real(op, float(x[0, i]), float(x[1, i])):
            keep.append(i)
        else:
            not_real += 1
    keep = np.sort(np.asarray(keep, dtype=int))
    return x[:, keep], not_real


# ------------------------------------------------------------------------------ exact values
@dataclass
class Exact:
    """The exact partial derivatives at the kept grid pairs: ``values[(i, j)]`` per pair."""

    x: np.ndarray  # (2, m)
    values: dict[tuple[int, int], np.ndarray]
    dropped: dict[str, int]
    seconds: float


_EXACT: dict[tuple[str, float, float, int], Any] = {}


def exact_values(op: Any, x: np.ndarray, orders: int) -> Exact:
    """The exact values at every pair (cached per op, pair and order); pairs where f is not real, or a
    measured partial derivative not finite, are dropped and counted."""
    start = time.perf_counter()
    keep, vals, dropped = [], [], {"not real": 0, "derivative not finite": 0}
    for a, b in x.T.tolist():
        key = (op.name + repr(sorted(op.params.items())), a, b, orders)
        ok, v = acc.exact_at(_EXACT, key, partial(exact_point, op, a, b, orders), dropped)
        if not ok:
            continue
        if v is None:
            dropped["not real"] += 1
            continue
        if not all(math.isfinite(d) for d in v[1:]):
            dropped["derivative not finite"] += 1
            continue
        keep.append((a, b))
        vals.append(v)
    arr = np.asarray(vals, dtype=np.float64).reshape(len(vals), -1)
    out = {p: arr[:, k] for k, p in enumerate(partials(orders))}
    return Exact(np.asarray(keep, dtype=np.float64).T.reshape(2, -1), out, dropped, time.perf_counter() - start)


_NEXT: dict[tuple, list[float] | None] = {}


def condition(op: Any, ab: list[float], p: tuple[int, int]) -> float | None:
    """κ = (|a·∂ₐg| + |b·∂_b g|) / |g| for g = ∂ⁱ⁺ʲf/∂aⁱ∂bʲ at (a, b): g's relative condition number
    (None where g = 0 or mpmath cannot resolve the next partial derivatives there). The partial
    derivatives of the next order are cached: the partials and API variants share worst inputs."""
    a, b = ab
    i, j = p
    key = (op.name, repr(sorted(op.params.items())), a, b, i + j + 1)
    if key not in _NEXT:
        try:
            _NEXT[key] = exact_point(op, a, b, i + j + 1)
        except AccuracyError:
            _NEXT[key] = None
    v = _NEXT[key]
    if v is None:
        return None
    at = dict(zip(partials(i + j + 1), v))
    g, ga, gb = at[(i, j)], at[(i + 1, j)], at[(i, j + 1)]
    if g == 0 or not (math.isfinite(ga) and math.isfinite(gb)):
        return None
    return (abs(a * ga) + abs(b * gb)) / abs(g)


# ------------------------------------------------------------------------------ frameworks
def _compute(adapter: Any, f: Any, xa: Any, order: int, m: int, dtype: str, device: str) -> dict:
    """The partial derivatives of one order at every pair, by (i, j): the value (0), the rows of
    vjp(f, x, 1) (1), or of the forward-over-reverse D²f[e_a or e_b, ·] contracted with 1 (2)."""
    if order == 0:
        return {(0, 0): np.asarray(adapter.to_numpy(f(xa)), dtype=np.float64).reshape(m)}
    ones = adapter.from_numpy(np.ones(m), dtype=dtype, device=device)
    if order == 1:
        g = np.asarray(adapter.to_numpy(adapter.vjp(f, xa, ones)[1]), dtype=np.float64).reshape(2, m)
        return {(1, 0): g[0], (0, 1): g[1]}
    from conformance.edges.nested import directional

    s2 = directional(adapter, f, 2)
    out = {}
    for row, wanted in ((0, ((2, 0), (1, 1))), (1, (None, (0, 2)))):  # H e_a = (f_aa, f_ab), H e_b = (f_ab, f_bb)
        e = np.zeros((2, m))
        e[row] = 1.0
        v = adapter.from_numpy(e, dtype=dtype, device=device)
        h = np.asarray(adapter.to_numpy(s2(xa, ones, v)), dtype=np.float64).reshape(2, m)
        for k, q in enumerate(wanted):
            if q is not None:
                out[q] = h[k]
    return out


def _on_grid(case: Any, adapter: Any, x: np.ndarray, order: int, dtype: str, device: str) -> dict:
    """``_compute`` of the case's function in one framework variant over the pairs x (2, m)."""
    f = case.function(adapter.name, adapter.xp)
    return _compute(adapter, f, adapter.from_numpy(x, dtype=dtype, device=device), order, x.shape[1], dtype, device)


def _pair(x: np.ndarray, k: int) -> dict:
    return {"worst_input": [float(x[0, k]), float(x[1, k])]}


def tables(op: Any, adapter: Any, settings: acc.Settings) -> Iterator[Any]:
    """The accuracy records of one binary row (every entry point) in one framework: per dtype the
    value table (default variant) and one table per partial derivative, API variant and order."""
    from conformance.records import Record

    orders = settings.orders_of(op)
    n_orders = max(orders)
    for case, dtype, base in acc.entry_points(op, adapter, settings, settings.points):
        if case is None:
            yield base
            continue
        x, not_real = grid(op, dtype, settings.points, settings.seed)
        ex = exact_values(op, x, n_orders)
        m = ex.x.shape[1]
        for variant, order in [(adapter, 0)] + [(v, o) for v in adapter.all_variants() for o in orders]:
            start = time.perf_counter()
            what = "value" if order == 0 else "derivative"
            head = Record(**{**base.__dict__, "data": {}})
            head.api = "-" if order == 0 else variant.variant
            head.check = "value" if order == 0 else f"derivative{'' if order == 1 else order}"

            compute = partial(_on_grid, case, variant, ex.x, order, dtype, settings.device)
            got = acc.measured(head, variant, compute, {"order": order, "what": what})
            if got is None:  # one record says why for the whole order (every partial fails alike)
                yield head
                continue
            for k, p in enumerate([q for q in partials(order) if sum(q) == order]):
                start = start if k == 0 else time.perf_counter()  # the call's time goes to the first
                rec = Record(**{**head.__dict__, "data": {}})
                rec.check = check_name(*p)
                data = acc.table(
                    ex.x[0],
                    got[p],
                    ex.values[p],
                    dtype,
                    lambda ab, p=p: condition(op, ab, p),
                    where=partial(_pair, ex.x),
                )
                data.update(
                    order=order,
                    what=what,
                    partial=list(p),
                    basis=acc.ENTRYWISE,
                    dropped=ex.dropped,
                    oracle_seconds=ex.seconds,
                    grid=f"{m} pairs (a, b): per argument log-uniform magnitudes over [1e-12, 1e12] and "
                    f"over {dtype}'s normal range with the signs of its sample domain, or uniform over that "
                    f"domain {op.domains()}, every pairing, the extremes' pairs and the row's special points, "
                    f"rounded to {dtype}; pairs refused by the row's validity or on a kink left out, "
                    f"and {not_real} candidates where f is not real",
                )
                a_b = data.get("worst_input")
                yield acc.finish(rec, data, start, f"(a, b) = {tuple(a_b) if a_b else None!r}", f"{m} points")
