"""Non-finite and extreme inputs as special points of every scalar elementwise case (issue 19, item 3).

For each pointwise case with an mpmath formula (an op-table row's ``exact``, an xp-catalog elementwise
case run in the mpmath namespace) and each dtype of the case in {float64, float32}:

    value@±inf       f(±inf)  vs L  = lim f(x),  x → ±∞      (point inside the case's ``defined_on``)
    derivative@±inf  f'(±inf) vs L' = lim f'(x), x → ±∞      through grad (of Σ f), jvp and vjp (tangent
                                                             and cotangent 1), every API variant
    value@±max       f(±M), f'(±M) vs their exact values, M the dtype's largest finite number: a huge
    derivative@±max  argument where the value saturates — judged only where f (and for f' also f') has
                     reached its limit there to the dtype's precision, or grows without bound (``saturated``)
    value@nan        f(NaN) must be NaN
    derivative@nan   f'(NaN) must be NaN: the chain rule propagates it; a finite derivative at a NaN
                     input silently hides the NaN in a backward pass (an affine f — −x, deg2rad — has a
                     slope that does not depend on x: that slope is due)

**The limits** are read in mpmath from the tails of f and f' (``conformance.edges.tail_limits``: finite, 0,
±inf or no answer — the task is then a ``skip`` record that says why; computed when a task first runs).

**Judging** (``judge``): where L is finite, ``tolerance.compare`` under the ``exact`` policy (relative
in ULPs of the dtype; its absolute allowance only where L = 0, stated in the record) — NaN or ±inf
there fails (class non_finite); where L = ±inf the result must be the same infinity (NaN: non_finite,
the other infinity or a finite value of the other sign: wrong_sign, a finite value: wrong_value);
at NaN every entry must be NaN (a finite entry: wrong_value).

A function whose documentation gives non-finite inputs values of their own (nan_to_num: NaN → 0, ±inf →
± the largest finite number) is judged against those (``DOCUMENTED``), its derivatives there not at all.

The numerical reference (numpy) runs the value checks only: its derivatives are finite differences,
which cannot step from ±inf or NaN. Binary op-table rows (arity 2) are not covered: their limits
depend on the direction of approach in the plane. Masked rows (every or some entry −inf) of the
reductions and normalizations are in ``conformance.edges.masked``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from conformance.derivatives.case import CaseMemo
from conformance.edges.tail_limits import (
    Limit,
    exact_at,
    limit_at,
    name_of,
    real_part,
    saturated,
    scalar_function,
    value_at,
)
from conformance.engine import Context, Outcome, Task
from conformance.tolerance import HUGE, compare, policy

DTYPES = ("float64", "float32")


# Functions whose documentation gives non-finite inputs values of their own (not limits of a formula):
# point -> (value, source). Matched on the case's name (its row's name, which is the function's).
DOCUMENTED: dict[str, dict[str, tuple[float, str]]] = {
    "nan_to_num": {
        "nan": (0.0, "numpy.nan_to_num / torch.nan_to_num / jax.numpy.nan_to_num: NaN is replaced by 0"),
        "+inf": (HUGE["float64"], "nan_to_num: +inf is replaced by the dtype's largest finite number"),
        "-inf": (-HUGE["float64"], "nan_to_num: −inf is replaced by the dtype's most negative finite number"),
    },
}


def documented(case: Any, point: str, order: int, dtype: str) -> Limit | None:
    """The documented answer at ``point`` of a function in DOCUMENTED (None for others): its value; no
    derivative (the documentation fixes none)."""
    for name, table in DOCUMENTED.items():
        if name in case.name:
            if point not in table:
                return None
            value, source = table[point]
            if order:
                return Limit(None, f"the documentation fixes the value only ({source})")
            return Limit(np.copysign(HUGE[dtype], value) if abs(value) == HUGE["float64"] else value, source)
    return None


def at_nan(case: Any, order: int) -> Limit:
    """What is due at a NaN input: NaN (propagation; for f' through the chain rule) — except the
    derivative of an affine function (−x, deg2rad, real), whose slope does not depend on x: that slope.
    The formula is never evaluated at NaN itself (mpmath's series loop forever on it: polylog)."""
    if order:
        slope = _LIMITS.get(case, ("slope",), lambda: constant_slope(case))
        if slope is not None:
            return Limit(
                slope,
                f"f is affine (f' = {slope!r} at three points of its domain): its derivative "
                f"does not depend on x, so NaN does not enter it",
            )
    return Limit(float("nan"), "NaN in, NaN out (propagation" + (" through the chain rule)" if order else ")"))


def constant_slope(case: Any) -> float | None:
    """f' where it is the same at three points spread over the case's domain (f affine), else None."""
    lo, hi = case.domain
    xs = [lo + (hi - lo) * t for t in (0.1234, 0.5678, 0.9012)]
    try:
        d = [real_part(value_at(scalar_function(case), x, 1)) for x in xs]
    except Exception:
        return None
    if any(v is None for v in d) or not all(abs(v - d[0]) <= 2.0**-100 * max(abs(d[0]), 1) for v in d):
        return None
    return float(d[0])


_LIMITS = CaseMemo(limit=4096)


def oracle(case: Any, point: str, order: int, dtype: str) -> Limit:
    """The expected f^(order) at ``point`` ("+inf", "-inf", "+max", "-max"), kept for the process.
    ±max is judged only where the value saturates (its limit at ±∞ exists)."""
    sign = -1 if point[0] == "-" else 1
    if point.endswith("inf"):
        return _LIMITS.get(case, ("limit", sign, order), lambda: limit_at(case, sign, order))
    x = sign * HUGE[dtype]
    for k in range(order + 1):  # the value, and for f' also f', must have saturated at x
        lim = oracle(case, f"{point[0]}inf", k, dtype)
        at = _LIMITS.get(case, ("max", x, k), lambda k=k: exact_at(case, x, k))
        why = saturated(at, lim, dtype)
        if why:
            return Limit(None, f"{name_of(k)} does not saturate at {x!r}: {why}")
    return at


# ------------------------------------------------------------------------------ judging
@dataclass(frozen=True)
class Judgement:
    ok: bool
    failure_class: str | None
    basis: str
    error_ratio: float
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    worst: Any = None


def judge(got: Any, want: float, dtype: str) -> Judgement:
    """``got`` (every entry) against the expected ``want``: NaN (propagation), ±inf (same infinity) or
    finite (``compare`` under the ``exact`` policy of ``dtype``)."""
    a = np.asarray(got, dtype=np.float64).reshape(-1)
    if np.isnan(want):
        bad = ~np.isnan(a)
        return Judgement(
            not bad.any(),
            "wrong_value" if bad.any() else None,
            "NaN propagates: every entry must be NaN",
            float(bad.any()) * np.inf,
            worst=float(a[np.argmax(bad)]),
        )
    if np.isinf(want):
        bad = a != want
        if not bad.any():
            return Judgement(True, None, f"the limit is {want}: the same infinity is due", 0.0)
        w = float(a[np.argmax(bad)])
        cls = "non_finite" if np.isnan(w) else "wrong_sign" if w * want < 0 else "wrong_value"
        return Judgement(False, cls, f"the limit is {want}: the same infinity is due", np.inf, np.inf, np.inf, w)
    tol = policy("exact", dtype)
    c = compare(a, np.full(a.shape, want), tol)
    return Judgement(
        c.ok,
        c.failure_class,
        f"{c.basis} ({tol.reason})",
        c.error_ratio,
        c.max_abs_error,
        c.max_rel_error,
        c.worst.get("got"),
    )


def _outcome(rows: dict[str, Any], want: float, limit: Limit, point: str, dtype: str, x: float) -> Outcome:
    """One record for the results ``rows`` (name -> array) judged against ``want``: the worst decides."""
    judged = {k: judge(v, want, dtype) for k, v in rows.items()}
    name, j = max(
        judged.items(), key=lambda kv: (not kv[1].ok, kv[1].error_ratio if np.isfinite(kv[1].error_ratio) else np.inf)
    )
    said = "matches" if j.ok else f"is {j.worst!r}, not"
    msg = f"at x = {x!r}: {name} {said} the expected {want!r} ({limit.how})"
    data = {
        "expected": want,
        "oracle": limit.how,
        "basis": j.basis,
        "failure_class": j.failure_class,
        "results": {
            k: {
                "got": np.asarray(v, dtype=np.float64).reshape(-1).tolist(),
                "ok": judged[k].ok,
                "failure_class": judged[k].failure_class,
            }
            for k, v in rows.items()
        },
    }
    tol = policy("exact", dtype)
    return Outcome.judged(
        j,
        tol,
        msg,
        input=x,
        point=point,
        data=data,
    )


# ------------------------------------------------------------------------------ the checks
POINTS = ("+inf", "-inf", "+max", "-max", "nan")


def point_value(point: str, dtype: str) -> float:
    if point == "nan":
        return float("nan")
    sign = -1.0 if point[0] == "-" else 1.0
    return sign * (np.inf if point.endswith("inf") else HUGE[dtype])


def derivatives(ctx: Context, f: Callable[[Any], Any], x: Any) -> dict[str, Any]:
    """f'(x) elementwise three ways: ∇(Σ f), J·1 (jvp) and Jᵀ·1 (vjp), as numpy arrays."""
    a, xp = ctx.adapter, ctx.adapter.xp
    ones = ctx.array(np.ones(np.shape(ctx.numpy(x))))
    return {
        "grad": ctx.numpy(a.grad(lambda z: xp.sum(f(z)))(x)),
        "jvp": ctx.numpy(a.jvp(f, x, ones)[1]),
        "vjp": ctx.numpy(a.vjp(f, x, ones)[1]),
    }


def run(case: Any, point: str, order: int, ctx: Context) -> Outcome:
    """The framework's f (order 0) or f' (order 1) at the point against the oracle."""
    x0 = point_value(point, ctx.dtype)
    doc = documented(case, point, order, ctx.dtype)
    if doc is not None:
        if doc.value is None:
            return Outcome.skip(f"no answer at {point}: {doc.how}")
        want, limit = doc.value, doc
    elif point == "nan":
        limit = at_nan(case, order)
        if limit.value is None:
            return Outcome.skip(f"no answer at NaN: {limit.how}")
        want = limit.value
    else:
        limit = oracle(case, point, order, ctx.dtype)
        if limit.value is None:
            return Outcome.skip(f"no answer at {point}: {limit.how}")
        want = limit.value
    f = case.function(ctx.adapter.name, ctx.xp)
    x = ctx.array(np.full(case.shapes[0], x0))
    rows = {"value": ctx.numpy(f(x))} if order == 0 else derivatives(ctx, f, x)
    return _outcome(rows, want, limit, point, ctx.dtype, x0)


class _Traced:
    """Stands for an array in ``operations``: every operator on it is counted."""

    def __init__(self, log: list[str]):
        self._calls = log

    def _op(self, name: str) -> Callable[..., "_Traced"]:
        def op(*args: Any, **kw: Any) -> "_Traced":
            self._calls.append(name)
            return _Traced(self._calls)

        return op

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._op(f"array.{name}")


for _dunder in (
    "add",
    "radd",
    "sub",
    "rsub",
    "mul",
    "rmul",
    "truediv",
    "rtruediv",
    "pow",
    "rpow",
    "neg",
    "abs",
    "gt",
    "lt",
    "ge",
    "le",
    "getitem",
):
    setattr(_Traced, f"__{_dunder}__", lambda self, *a, _n=_dunder: self._op(_n)(*a))


class _TracingNamespace:
    """An ``xp`` whose every function is counted and returns a ``_Traced``."""

    def __init__(self, log: list[str]):
        self._calls = log

    def __getattr__(self, name: str) -> Any:
        return _Traced(self._calls)._op(f"xp.{name}")


def operations(case: Any) -> list[str] | None:
    """The operations the case's formula applies to x (``case.fn`` run on a tracing namespace), or
    None where it cannot be traced."""
    log: list[str] = []
    try:
        case.fn(_TracingNamespace(log), _Traced(log))
    except Exception:
        return None
    return log


def covered(case: Any) -> bool:
    """A scalar elementwise case with an mpmath formula whose function is the framework's own: an
    op-table row (its public functions), or an xp-catalog case whose formula is one operation (xp.sin,
    xp.sigmoid, x**3). A composed xp formula (sin(x)/x, x·sigmoid(x)) is left out: at ±inf or NaN its
    value is IEEE arithmetic on our formula (inf/inf, 0·inf), not any framework's function — the op
    table names the frameworks' own functions for those (sinc, silu, …)."""
    if not (getattr(case, "pointwise", False) and getattr(case, "mp", False)) or case.smooth_order < 1:
        return False
    if case.only_impls:
        return True
    ops = operations(case)
    return ops is not None and len(ops) == 1


def points_of(case: Any) -> list[str]:
    """The points inside the case's domain: +inf/+max where it extends to +∞ (−inf/−max likewise);
    NaN always."""
    out = []
    for sign in ("+", "-"):
        probe = np.full(case.shapes[0], float(f"{sign}1e300"))
        if case.outside_domain(probe) is None:
            out += [f"{sign}inf", f"{sign}max"]
    return out + ["nan"]


def _reference_value_only(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference differentiates by finite differences, which cannot step from "
            "±inf or NaN: its values are checked, not its derivatives"
        )
    return None


def tasks_for(case: Any) -> list[Task]:
    """``value@<point>`` (once per framework) and ``derivative@<point>`` (every API variant)."""
    if not covered(case):
        return []
    dtypes = tuple(d for d in case.dtypes if d in DTYPES)
    out = []
    for point in points_of(case):
        out.append(
            Task(
                case.family,
                case.name,
                f"value@{point}",
                lambda ctx, point=point: run(case, point, 0, ctx),
                dtypes=dtypes,
                per_variant=False,
            )
        )
        out.append(
            Task(
                case.family,
                case.name,
                f"derivative@{point}",
                lambda ctx, point=point: run(case, point, 1, ctx),
                dtypes=dtypes,
                applies=_reference_value_only,
            )
        )
    return out


def tasks() -> list[Task]:
    """The non-finite-input tasks of every covered case of the catalog, and the masked rows'."""
    from conformance.derivatives.cases import CATALOG
    from conformance.edges import masked

    return [t for case in CATALOG for t in tasks_for(case)] + masked.tasks()
