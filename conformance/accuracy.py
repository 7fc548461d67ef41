"""Accuracy tables: the error of each op's value and derivatives in ULPs of the dtype, against mpmath.

Every row of the op table (``conformance.ops``: one mathematical function, its exact mpmath formula or
oracle and each framework's public functions) is measured (``rows``): the unary elementwise rows here,
the binary ones (each partial derivative) in ``conformance.accuracy_binary``, the whole-array rows
(value and a fixed-cotangent VJP, per output entry, in ULPs of each entry or of the output's norm) in
``conformance.accuracy_arrays``; all share the measuring, the records and the precision rule below.

For every unary elementwise row and every entry point, framework, API variant and dtype, the
framework computes over a fixed grid G

    value        f(x)                        (the public function; once per framework and dtype)
    derivative   f'(x) = vjp(f, x, 1)        (order 1, every API variant)
                 f''(x) = 1ᵀD²f[1, ·]        (order 2, with ``orders=(1, 2)``)

and each result y is measured against the exact value e (mpmath, ``exact_values``) as its distance
from e correctly rounded to the dtype, r = rnd(e), in units of the dtype's ULP at r:

    d = |y − r| / ulp(r)          0 = correctly rounded; the histogram bins are
                                  0, 1, 2, 3–4, 5–16, 17–2^10, more, non-finite, wrong sign

(non-finite: NaN or ±inf where r is finite; wrong sign: y and r nonzero with opposite signs; a 0 where e
lies below the dtype's normal range is flush-to-zero, accepted as 0 ULP and counted in ``flushed``). Each
table is one kind "accuracy" record with ``data``: ``hist`` (the counts, by ``BINS``), ``max_ulp``,
``p99_ulp``, ``worst_input`` (and the result and exact value there), ``condition`` (κ = |x f⁽ⁿ⁺¹⁾/f⁽ⁿ⁾|,
the op's condition number at the worst input: inputs are exact in the dtype, so κ does not excuse
the error, it says how sensitive the value is there), ``order`` (0 value, 1, 2) and ``what``
("value" or "derivative"). Status "fail" where a non-finite value or a wrong sign was returned (a
finite, correctly signed answer was due), else "pass": the table is a measurement, not a bound.

The grid (``grid``): magnitudes log-uniform from the dtype's smallest normal number to its largest
finite one within the row's ``defined_on`` interval (both signs), uniform points in the row's sample
``domain``, log-uniform approaches to the finite ends of ``defined_on``, the subnormals 2·tiny·ε
and tiny/2, and the row's special points — rounded to the dtype, so the input each framework sees is
exactly the one the exact value belongs to. Points where f or the derivative is not real, or (for
the derivatives) not finite, are left out and counted. ci: about 2,000 points per op and dtype.

Exact values (``conformance.accuracy_exact``): mpmath's step differences, or the row's own f'
(``Op.derivative``), at two precisions, raised until they agree once rounded to float64. A point no
precision up to ``MAX_DIGITS`` resolves is a collection error (AccuracyError naming the op and the
point, ``exact_at``): left out, counted and quoted in its table's record; the rest of the grid, and
of the run, goes on.

Profiles (``POINTS``, ``ORDERS``): dev 256 points, order 1; ci 2,000 points, orders 1 and 2 but order
1 only for the special functions (``CI_FIRST_ONLY``: mpmath's f'' of Bessel K costs ~0.2 s a point),
and a rotating eighth of the (row, dtype) tables per seed (``Settings.share``, ``rotation.accuracy_slot``:
8 consecutive seeds measure all 1,252); thorough 65,536 points, orders 1 and 2, every table.

ci cost, measured (share 0 on this 2-core machine with two seed-sweep processes beside it, three
frameworks, 1,718 tables of which 396 second derivatives): cold (empty exact-value store and
compilation caches) 315 s wall, mpmath 144 s of it, framework task time 6 s torch, 21 s TensorFlow,
85 s JAX; warm (the same command again: the ``exact`` store, which CI restores, and the compilation
caches) 67 s, 0.21 of cold, with records identical but for ``data.oracle_seconds``. Before
``Op.derivative`` and the rotation, all tables in one ci run took about 1.7 hours of mpmath (the
incomplete gamma function at 1e-300 alone: 28 s a point by the step difference, 0.01 s evaluated).

Every table is written (and flushed) as soon as it is measured: an interrupted run keeps them all.
"""

from __future__ import annotations

import fnmatch
import math
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from conformance.accuracy_exact import AccuracyError
from conformance.accuracy_exact import unary_point as exact_point
from conformance.errors import first_line
from conformance.tolerance import EPS, HUGE, TINY, ulp

DTYPES = ("float64", "float32", "float16", "bfloat16")
POINTS = {"dev": 256, "ci": 2000, "thorough": 65536}  # per elementwise row and dtype
ARRAY_POINTS = {"dev": 8, "ci": 16, "thorough": 1024}  # input arrays per whole-array row and dtype
# the ci profile's selection for the second derivative: every elementwise row but the special functions,
# whose exact f'' costs ~0.2 s a point in mpmath (Bessel K at raised precision: 7 minutes and more for one
# float16 table of k1e, against 0.05 s a point for f')
CI_FIRST_ONLY = ("special",)
ORDERS = {"dev": ((1,), ()), "ci": ((1, 2), CI_FIRST_ONLY), "thorough": ((1, 2), ())}  # (orders, first_only)
BINS = ("0", "1", "2", "3-4", "5-16", "17-1024", "more", "non_finite", "wrong_sign")
_EDGES = (0.0, 1.0, 2.0, 4.0, 16.0, 1024.0)


# ------------------------------------------------------------------------------ grid
def round_to(a: Any, dtype: str) -> np.ndarray:
    """a (float64) rounded to ``dtype`` (to nearest even), held in float64."""
    from conformance.edges.low_precision import round_to as low

    a = np.asarray(a, dtype=np.float64)
    if dtype in ("float16", "bfloat16"):
        with np.errstate(over="ignore", invalid="ignore"):
            return low(a, dtype)
    if dtype == "float32":
        with np.errstate(over="ignore"):
            return a.astype(np.float32).astype(np.float64)
    return a


def _log_uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def grid(op: Any, dtype: str, n: int, seed: int = 0) -> np.ndarray:
    """About ``n`` distinct inputs of a unary row in ``dtype`` (module docstring), sorted: a quarter
    uniform over the row's sample domain, 3/8 log-uniform magnitudes in [1e-12, 1e12], 1/4 log-uniform
    over the whole normal range (both signs), log-uniform approaches to finite ends of ``defined_on``,
    the extremes (smallest normal, a subnormal, the largest finite) and the row's special points."""
    rng = np.random.default_rng([seed, n, len(op.name)] + [ord(c) for c in op.name + dtype])
    lo, hi = (float(v) for v in op.defined_on)
    tiny, huge = TINY[dtype], HUGE[dtype]
    d_lo, d_hi = op.domains()[0]
    parts = [rng.uniform(d_lo, d_hi, n // 4)]
    for a, b, m in ((max(tiny, 1e-12), min(huge, 1e12), 3 * n // 8), (tiny, huge, n // 4)):
        parts.append(_log_uniform(rng, a, b, m) * rng.choice([-1.0, 1.0], m))
    parts.append(np.array([tiny, -tiny, huge, -huge]))
    for end, side in ((lo, 1.0), (hi, -1.0)):
        if np.isfinite(end):
            gap = _log_uniform(rng, max(tiny, abs(end) * EPS[dtype] if end else tiny), 1.0, n // 8)
            parts.append(end + side * gap)
    parts.append(np.array([2 * tiny * EPS[dtype], tiny / 2, -tiny / 2, 0.0, 1.0, -1.0]))
    parts.append(np.array([float(p[1]) for p in op.points if np.ndim(p[1]) == 0], dtype=np.float64))
    x = round_to(np.concatenate(parts), dtype)
    x = x[np.isfinite(x) & (x > lo) & (x < hi) & (np.abs(x) <= huge)]
    x = np.unique(x)
    if op.valid is not None or op.kinks:
        keep = [
            i
            for i, v in enumerate(x)
            if not np.isin(v, op.kinks) and (op.valid is None or op.valid(np.array([v])) is None)
        ]
        x = x[keep]
    if x.size > n:  # keep the special points and a uniform subset of the rest
        special = np.isin(x, round_to([float(p[1]) for p in op.points if np.ndim(p[1]) == 0], dtype))
        idx = np.sort(
            np.concatenate(
                [np.flatnonzero(special), rng.choice(np.flatnonzero(~special), n - int(special.sum()), replace=False)]
            )
        )
        x = x[idx]
    return x


# ------------------------------------------------------------------------------ exact values
@dataclass
class Exact:
    """f, f', f'' (as many as asked) at the grid points, float64 (correctly rounded), plus the
    points left out and why."""

    x: np.ndarray
    values: np.ndarray  # shape (orders + 1, len(x)): f, f', ...
    dropped: dict[str, int]
    seconds: float


_EXACT: dict[tuple[str, float, int], Any] = {}


UNRESOLVED = "not resolved"  # dropped: points no precision up to MAX_DIGITS resolves (collection errors)


def exact_at(memo: dict, key: tuple, compute: Callable[[], Any], dropped: dict) -> tuple[bool, Any]:
    """(True, ``compute()``), kept in ``memo`` under ``key``; (False, None) where the point is a
    collection error — no precision resolves it (AccuracyError, naming the op and the point): counted
    in ``dropped[UNRESOLVED]``, the first message kept in ``dropped["first unresolved"]``; the rest of
    the grid runs."""
    if key not in memo:
        try:
            memo[key] = compute()
        except AccuracyError as exc:
            memo[key] = exc
    value = memo[key]
    if isinstance(value, AccuracyError):
        dropped[UNRESOLVED] = dropped.get(UNRESOLVED, 0) + 1
        dropped.setdefault("first unresolved", str(value))
        return False, None
    return True, value


def exact_values(op: Any, x: np.ndarray, orders: int) -> Exact:
    """The exact values at every point (cached per op, point and order); points where f is not real,
    or a derivative not finite, are dropped and counted."""
    start = time.perf_counter()
    keep, rows, dropped = [], [], {"not real": 0, "derivative not finite": 0}
    for t in x.tolist():
        key = (op.name + repr(sorted(op.params.items())), t, orders)
        ok, v = exact_at(_EXACT, key, partial(exact_point, op, t, orders), dropped)
        if not ok:
            continue
        if v is None:
            dropped["not real"] += 1
            continue
        if not all(math.isfinite(d) for d in v[1 : orders + 1]):
            dropped["derivative not finite"] += 1
            continue
        keep.append(t)
        rows.append(v)
    vals = np.asarray(rows, dtype=np.float64).T.reshape(orders + 1, len(rows))
    return Exact(np.asarray(keep, dtype=np.float64), vals, dropped, time.perf_counter() - start)


# ------------------------------------------------------------------------------ measuring
ENTRYWISE = "entrywise: ULPs of each exact entry correctly rounded to the dtype"
SIGN_ULPS = 16.0  # normwise basis: a sign flip counts as wrong only where |exact| exceeds this many ULPs of the norm


def normwise_basis(family: str) -> str | None:
    """The basis a family's tables are measured on: None (``ENTRYWISE``) or, for a family whose
    array results are accurate only in norm (``judging.NORMWISE``), the sentence stating it."""
    from conformance.derivatives.judging import NORMWISE

    why = NORMWISE.get(family)
    return None if why is None else f"normwise: ULPs of ‖exact‖∞ at the input, rounded to the dtype ({why})"


def flushed(got: np.ndarray, exact: np.ndarray, dtype: str) -> np.ndarray:
    """Where a 0 stands for an exact value below the dtype's normal range (flush-to-zero, accepted as
    in ``tolerance.compare`` and counted in ``data["flushed"]``)."""
    got, exact = np.asarray(got, dtype=np.float64), np.asarray(exact, dtype=np.float64)
    return (got == 0) & (exact != 0) & (np.abs(exact) < TINY[dtype])


def ulp_errors(
    got: np.ndarray, exact: np.ndarray, dtype: str, scale: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d, non_finite, wrong_sign): d = |got − rnd(exact)| / ulp(rnd(exact)) in the dtype; 0 where the
    result is flushed to zero below the normal range (``flushed``).

    ``scale`` (the normwise basis, per entry: ‖exact‖∞ of the entry's output): d = |got − rnd(exact)| /
    ulp(rnd(scale)), and a sign flip counts as wrong only where |rnd(exact)| > SIGN_ULPS·ulp(rnd(scale)):
    an entry that cancels to within a few ULPs of the norm carries the large entries' rounding, sign
    included (its d still enters the histogram)."""
    got = np.asarray(got, dtype=np.float64)
    r = round_to(exact, dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        unit = ulp(r, dtype) if scale is None else ulp(round_to(scale, dtype), dtype)
        same = (got == r) | (np.isnan(got) & np.isnan(r)) | flushed(got, exact, dtype)
        d = np.where(same, 0.0, np.abs(got - r) / unit)
        non_finite = ~np.isfinite(got) & ~same
        wrong_sign = ~non_finite & (np.sign(got) * np.sign(r) < 0)
        if scale is not None:
            wrong_sign &= np.abs(r) > SIGN_ULPS * unit
    d = np.where(non_finite, np.inf, d)
    return d, non_finite, wrong_sign


def histogram(d: np.ndarray, non_finite: np.ndarray, wrong_sign: np.ndarray) -> dict[str, int]:
    """Counts per bin of ``BINS``: finite, correctly signed errors by size, then the other two."""
    ok = ~non_finite & ~wrong_sign
    e = d[ok]
    counts = [int(np.sum(e == 0))]
    for lo, hi in zip(_EDGES[:-1], _EDGES[1:]):
        counts.append(int(np.sum((e > lo) & (e <= hi))))
    counts.append(int(np.sum(e > _EDGES[-1])))
    counts += [int(non_finite.sum()), int(wrong_sign.sum())]
    return dict(zip(BINS, counts))


_KAPPA: dict[tuple, float | None] = {}


def condition(op: Any, t: float, order: int) -> float | None:
    """κ = |t·f⁽ⁿ⁺¹⁾(t) / f⁽ⁿ⁾(t)|, the relative condition number of f⁽ⁿ⁾ at t (None where f⁽ⁿ⁾(t) = 0
    or mpmath cannot resolve f⁽ⁿ⁺¹⁾ there); cached, as the API variants share their worst input."""
    key = (op.name, repr(sorted(op.params.items())), t, order)
    if key not in _KAPPA:
        _KAPPA[key] = _condition(op, t, order)
    return _KAPPA[key]


def _condition(op: Any, t: float, order: int) -> float | None:
    try:
        v = exact_point(op, t, order + 1)
    except AccuracyError:
        return None
    if v is None or v[order] == 0 or not math.isfinite(v[order + 1]):
        return None
    return abs(t * v[order + 1] / v[order])


def table(
    x: np.ndarray,
    got: np.ndarray,
    exact: np.ndarray,
    dtype: str,
    kappa: Callable[[Any], float | None] = lambda t: None,
    *,
    scale: np.ndarray | None = None,
    where: Callable[[int], dict] | None = None,
) -> dict:
    """One table's ``data``: histogram, max and 99th percentile with the worst input, and the
    condition number κ there (``kappa`` of the worst input). ``where(k)``: the fields naming entry
    k's input (default ``{"worst_input": x[k]}``); ``scale``: the normwise basis (``ulp_errors``)."""
    d, nf, ws = ulp_errors(got, exact, dtype, scale)
    hist = histogram(d, nf, ws)
    if d.size == 0:
        return {"hist": hist, "points": 0, "max_ulp": None, "p99_ulp": None, "worst_input": None}
    k = int(np.argmax(np.where(nf | ws, np.inf, d)))
    finite = d[np.isfinite(d)]
    at = where(k) if where is not None else {"worst_input": float(x[k])}
    return {
        "hist": hist,
        "points": int(d.size),
        "max_ulp": float(d[k]),
        "flushed": int(flushed(got, exact, dtype).sum()),
        "p99_ulp": float(np.percentile(finite, 99)) if finite.size else None,
        "median_ulp": float(np.median(finite)) if finite.size else None,
        **at,
        "worst_got": float(got[k]),
        "worst_exact": float(exact[k]),
        "condition": kappa(at["worst_input"]),
    }


# ------------------------------------------------------------------------------ frameworks
def _compute(adapter: Any, f: Callable, xa: Any, order: int) -> np.ndarray:
    """f (order 0), f' (1) or f'' (2) at every entry of ``xa``, elementwise."""
    if order == 0:
        return np.asarray(adapter.to_numpy(f(xa)), dtype=np.float64)
    ones = adapter.xp.ones_like(xa)
    if order == 1:
        return np.asarray(adapter.to_numpy(adapter.vjp(f, xa, ones)[1]), dtype=np.float64)
    from conformance.edges.nested import directional

    return np.asarray(adapter.to_numpy(directional(adapter, f, 2)(xa, ones, ones)), dtype=np.float64)


def _on_grid(case: Any, adapter: Any, x: np.ndarray, dtype: str, device: str, order: int) -> np.ndarray:
    """``_compute`` of the case's function in one framework variant over the grid x."""
    f = case.function(adapter.name, adapter.xp)
    return _compute(adapter, f, adapter.from_numpy(x, dtype=dtype, device=device), order)


def _select(keep: Callable[[Any], bool], patterns: Iterable[str]) -> list[Any]:
    from conformance.ops import OPS

    pats = [p for p in patterns if p]
    return [op for op in OPS if keep(op) and (not pats or any(fnmatch.fnmatchcase(op.name, p) for p in pats))]


def is_unary(op: Any) -> bool:
    return op.exact is not None and op.arity == 1 and op.oracle is None


def is_binary(op: Any) -> bool:
    return op.exact is not None and op.arity == 2 and op.oracle is None


def is_array(op: Any) -> bool:
    return op.oracle is not None


def elementwise_rows(patterns: Iterable[str] = ()) -> list[Any]:
    """The op table's unary elementwise rows (an mpmath ``exact``), filtered by glob ``patterns``."""
    return _select(is_unary, patterns)


def rows(patterns: Iterable[str] = ()) -> list[Any]:
    """Every row the tables measure, in the op table's order, filtered by glob ``patterns``: unary and
    binary elementwise rows (an mpmath ``exact``) and whole-array rows (an mpmath ``oracle``)."""
    return _select(lambda op: is_unary(op) or is_binary(op) or is_array(op), patterns)


@dataclass
class Settings:
    points: int = POINTS["ci"]  # per elementwise (unary, binary) row and dtype
    dtypes: tuple[str, ...] = DTYPES
    orders: tuple[int, ...] = (1,)
    seed: int = 0  # the grid's (0: the fixed grid, the same in every run and version)
    device: str = "cpu"
    array_points: int = ARRAY_POINTS["ci"]  # input arrays per whole-array row and dtype
    share: int | None = None  # rotation seed: only the (row, dtype) tables of its share (``in_share``)
    first_only: tuple[str, ...] = ()  # families measured to order 1 only, whatever ``orders`` says

    def orders_of(self, op: Any) -> tuple[int, ...]:
        """The derivative orders measured for ``op``: ``orders``, less those above 1 for the families
        of ``first_only`` (the ci profile's selection: ``CI_FIRST_ONLY``)."""
        return (1,) if op.family in self.first_only and 1 in self.orders else self.orders

    @classmethod
    def profile(
        cls, name: str, points: int | None = None, orders: tuple[int, ...] | None = None, **kw: Any
    ) -> "Settings":
        """The profile's grid sizes (``POINTS``, ``ARRAY_POINTS``; ``points`` overrides both) and orders
        (``ORDERS``; ``orders`` overrides them, for every family)."""
        if orders is None:
            orders, first_only = ORDERS[name]
        else:
            first_only = ()
        return cls(
            points=points or POINTS[name],
            array_points=points or ARRAY_POINTS[name],
            orders=orders,
            first_only=first_only,
            **kw,
        )

    def in_share(self, op: Any, dtype: str) -> bool:
        """Whether this run measures ``op`` in ``dtype``: always, unless ``share`` is a rotation seed s;
        then the (row, dtype) pairs whose slot is s mod ROTATION (``rotation.accuracy_slot``), so that
        ROTATION consecutive seeds measure every table once."""
        from conformance import rotation

        return self.share is None or rotation.accuracy_slot(op.name, dtype) == self.share % rotation.ROTATION


def base_record(op: Any, case: Any, adapter: Any, settings: Settings, dtype: str, points: int) -> Any:
    """The skip record a table starts from (its replay selects this row, framework and dtype)."""
    from conformance.records import Record

    return Record(
        kind="accuracy",
        framework=adapter.name,
        framework_version=adapter.version,
        api="-",
        device=settings.device,
        dtype=dtype,
        family=op.family,
        case=case.name,
        check="value",
        status="skip",
        replay=f"conformance accuracy --ops '{op.name}' --framework {adapter.name} --dtype {dtype} --points {points}",
    )


def entry_points(op: Any, adapter: Any, settings: Settings, points: int) -> Iterator[tuple[Any, str, Any]]:
    """(case, dtype, base record) for every entry point of ``op`` the framework provides and every dtype
    of ``settings`` it computes; a dtype it does not compute comes as (None, dtype, its skip record)."""
    from conformance.ops.table import cases

    for case in cases(op):
        if adapter.name not in case.impls:
            continue
        for dtype in settings.dtypes:
            if not settings.in_share(op, dtype):
                continue
            base = base_record(op, case, adapter, settings, dtype, points)
            if dtype not in adapter.dtypes:
                base.message = f"{adapter.name} does not compute {dtype}"
                yield None, dtype, base
                continue
            yield case, dtype, base


def measured(rec: Any, adapter: Any, compute: Callable[[], Any], fields: dict) -> Any:
    """``compute()``'s result; where it raises, ``rec`` becomes the skip (not provided; refused by
    ``adapter``'s framework: no kernel for the dtype, no derivative in this mode) or error record
    saying why (``fields`` go to its data) and None is returned."""
    try:
        with np.errstate(all="ignore"):
            return compute()
    except Exception as exc:
        from conformance.errors import NotProvidedError
        from conformance.tolerance import error_class

        cls = error_class(f"{type(exc).__name__}: {exc}")
        if cls is None and adapter.dtype_refusal(exc):
            cls = "unsupported"
        absent = isinstance(exc, NotProvidedError) or isinstance(exc.__cause__, NotProvidedError)
        rec.status = "skip" if absent or cls == "unsupported" else "error"
        rec.message = first_line(exc, 300)
        rec.data = {"failure_class": cls, **fields}
        return None


def finish(rec: Any, data: dict, start: float, at: str, over: str) -> Any:
    """``rec`` with ``data``, its duration, status (fail where a non-finite or wrong-sign result was
    returned where a finite, correctly signed one was due) and message; ``at`` names the worst input,
    ``over`` what was measured ("1764 points")."""
    rec.data = data
    rec.duration_s = time.perf_counter() - start
    bad = data["hist"]["non_finite"] + data["hist"]["wrong_sign"]
    rec.status = "fail" if bad else "pass"
    rec.max_abs_error = None
    rec.input = data.get("worst_input")
    p99 = "n/a (no finite result)" if data["p99_ulp"] is None else f"{data['p99_ulp']:.3g} ULP"
    rec.message = (
        f"{rec.check} of {rec.case} in {rec.dtype}: max {data['max_ulp']:.3g} ULP at {at}, p99 {p99} over {over}"
        if data["points"]
        else "no point in range"
    )
    if bad:
        rec.message += (
            f"; {data['hist']['non_finite']} non-finite and {data['hist']['wrong_sign']} wrong-sign "
            f"results where finite correctly signed values were due"
        )
    dropped = data.get("dropped") or {}
    if dropped.get(UNRESOLVED):
        rec.message += f"; {dropped[UNRESOLVED]} point(s) left out, not resolved: {dropped['first unresolved']}"
    return rec


def tables(op: Any, adapter: Any, settings: Settings) -> Iterator[Any]:
    """The accuracy records of one row (every entry point) in one framework: per dtype, the value
    table (default variant) and the derivative tables of every API variant and order. Binary rows:
    ``conformance.accuracy_binary``; whole-array rows: ``conformance.accuracy_arrays``."""
    if is_binary(op):
        from conformance import accuracy_binary

        yield from accuracy_binary.tables(op, adapter, settings)
        return
    if is_array(op):
        from conformance import accuracy_arrays

        yield from accuracy_arrays.tables(op, adapter, settings)
        return
    from conformance.records import Record

    orders = settings.orders_of(op)
    n_orders = max(orders)
    for case, dtype, base in entry_points(op, adapter, settings, settings.points):
        if case is None:
            yield base
            continue
        x = grid(op, dtype, settings.points, settings.seed)
        ex = exact_values(op, x, n_orders)
        for variant_adapter, order in [(adapter, 0)] + [(v, o) for v in adapter.all_variants() for o in orders]:
            rec = Record(**{**base.__dict__, "data": {}})
            rec.api = "-" if order == 0 else variant_adapter.variant
            rec.check = "value" if order == 0 else f"derivative{'' if order == 1 else order}"
            what = "value" if order == 0 else "derivative"
            start = time.perf_counter()

            compute = partial(_on_grid, case, variant_adapter, ex.x, dtype, settings.device, order)
            got = measured(rec, variant_adapter, compute, {"order": order, "what": what})
            if got is None:
                yield rec
                continue
            data = table(ex.x, got.reshape(-1), ex.values[order], dtype, lambda t, order=order: condition(op, t, order))
            data.update(
                order=order,
                what=what,
                basis=ENTRYWISE,
                dropped=ex.dropped,
                oracle_seconds=ex.seconds,
                grid=f"{len(ex.x)} points: log-uniform magnitudes over {dtype}'s normal range "
                f"within {op.defined_on}, uniform over {op.domains()[0]}, the ends and "
                f"the row's special points, rounded to {dtype}",
            )
            yield finish(rec, data, start, f"x = {data.get('worst_input')!r}", f"{data['points']} points")


def run(
    frameworks: list[str], rows: list[Any], settings: Settings, out_dir: str | Path, log: Callable[[str], None] = print
) -> Path:
    """Every table of ``rows`` in each framework, written to ``<out_dir>/accuracy-<run id>.jsonl``
    one flushed record at a time (an interrupted run keeps every table written). Returns the file."""
    from conformance import adapters
    from conformance.records import Record, ResultWriter, new_run_id, results_path

    run_id = new_run_id()
    path = results_path(out_dir, "accuracy", run_id)
    with ResultWriter(
        path,
        run_id=run_id,
        header={
            "command": "conformance accuracy",
            "points": settings.points,
            "array_points": settings.array_points,
        },
    ) as out:
        for fw in frameworks:
            ad = adapters.get(fw)
            ok = ad.available()
            if not ok:
                out.write(
                    Record(
                        kind="accuracy",
                        framework=fw,
                        framework_version="",
                        api="-",
                        device="cpu",
                        dtype="-",
                        family="-",
                        case="-",
                        check="value",
                        status="skip",
                        message=str(ok),
                    )
                )
                log(f"{fw}: skipped ({ok})")
                continue
            for op in rows:
                try:
                    for rec in tables(op, ad, settings):
                        out.write(rec)
                        if rec.status != "skip":
                            log(
                                f"{fw:10} {rec.case:22} {rec.dtype:8} {rec.api:10} {rec.check:11} "
                                f"{rec.status:5} {rec.message[:90]}"
                            )
                except Exception as exc:  # a defect of ours in one row's tables: that row, not the run
                    rec = Record(
                        kind="accuracy",
                        framework=fw,
                        framework_version=ad.version,
                        api="-",
                        device=settings.device,
                        dtype="-",
                        family=op.family,
                        case=op.name,
                        check="value",
                        status="error",
                        message=f"the accuracy tables of {op.name} stopped: {first_line(exc)}",
                    )
                    out.write(rec)
                    log(f"{fw:10} {op.name:22} error {rec.message[:120]}")
    return path
