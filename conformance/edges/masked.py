"""Masked rows of the reductions and normalizations (issue 19, item 3): entries −inf where masked.

Rows of the op table: logsumexp, softmax, log_softmax and logcumsumexp along axis 1, each entry point,
and the rows that add an attention mask themselves (``*_masked``: x + m, m = −inf where masked). The
input x (2, 3) carries −inf itself:

    partial mask   [[0.5, −inf, 1.5], [−1, 2, −inf]]      some entries of each row masked
    full mask      [[−inf, −inf, −inf], [0.5, −inf, 1.5]]  row 0 masked entirely, row 1 in part

**Partially masked rows** are judged. The oracle is the function of the unmasked sub-row, with the
masked entries reached as a limit xⱼ → −∞ (their weight pⱼ = exp(xⱼ − lse) → 0), in closed form in
mpmath (r the row, lse = log Σ exp rᵢ, p = exp(r − lse), u a cotangent, v a tangent):

    logsumexp     y = lse          Jv = ⟨p, v⟩            Jᵀu = u p
    softmax       y = p            Jv = p ⊙ (v − ⟨p, v⟩)   Jᵀu = p ⊙ (u − ⟨p, u⟩)
    log_softmax   y = r − lse      Jv = v − ⟨p, v⟩         Jᵀu = u − p Σu
    logcumsumexp  yₖ = lse(r≤ₖ)    (Jv)ₖ = Σ_{i≤k} e^{rᵢ−yₖ} vᵢ    (Jᵀu)ᵢ = Σ_{k≥i} uₖ e^{rᵢ−yₖ}

The values are finite (log_softmax: −inf at the masked entries themselves); the gradient at a masked
entry is exactly 0 (exp(−inf) = 0 exactly in IEEE arithmetic), except log_softmax's, whose masked output
yⱼ = xⱼ − lse passes its own cotangent through: (Jᵀu)ⱼ = uⱼ. An exact 0 due to a mask must come back as
exactly 0; the other entries are judged by ``tolerance.compare`` (``exact`` policy) on the magnitude of
their terms (the same products with |u|, |v|). NaN anywhere in a partially masked row fails.

**Fully masked rows**: only what the mathematics fixes is judged — logsumexp and logcumsumexp of an
empty sum are log 0 = −inf. softmax and log_softmax have no value there (0/0), and no derivative of the
row has one either (the limit depends on the path to −∞): each framework's answer is recorded as a
convention record (family ``conventions``), side by side. Row 1 of the same input, partially masked,
is judged as above: a NaN leaking from the fully masked row into it fails.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from conformance.engine import Context, Outcome, Task
from conformance.tolerance import compare, policy

INF = np.inf
PARTIAL = np.array([[0.5, -INF, 1.5], [-1.0, 2.0, -INF]])
FULL = np.array([[-INF, -INF, -INF], [0.5, -INF, 1.5]])
MASK = np.array([[0.0, -INF, 0.0], [0.0, 0.0, -INF]])  # what the ``*_masked`` rows add (ops.reductions)
INPUTS = {"partial mask": PARTIAL, "full mask": FULL}
CASE = re.compile(r"^(logsumexp|softmax|log_softmax|logcumsumexp)(_axis|_masked_axis|_masked)?(#\d+)?$")
DTYPES = ("float64", "float32")


# ------------------------------------------------------------------------------ closed forms
def _rows(kind: str, x: np.ndarray, u: np.ndarray, v: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"value"|"vjp"|"jvp": (exact, magnitude of its terms)} of ``kind`` for every row of x, in mpmath
    at 50 digits, rounded to float64; NaN where a row has no answer (every entry −inf)."""
    import mpmath

    from conformance.mp_namespace import to_float, to_mp

    out: dict[str, list] = {k: [] for k in ("value", "vjp", "jvp", "value_t", "vjp_t", "jvp_t")}
    with mpmath.workdps(50):
        for r, ur, vr in zip(to_mp(x), to_mp(u), to_mp(v)):
            res = _row(kind, list(r), ur if kind == "logsumexp" else list(ur), list(vr))
            for k, val in res.items():
                out[k].append(val)
        return {
            k: (to_float(np.array(out[k], dtype=object)), to_float(np.array(out[k + "_t"], dtype=object)))
            for k in ("value", "vjp", "jvp")
        }


def _row(kind: str, r: list, u: list, v: list) -> dict[str, Any]:
    import mpmath

    n = len(r)
    exp = [mpmath.exp(t) for t in r]
    if kind == "logcumsumexp":
        y = [mpmath.log(mpmath.fsum(exp[: k + 1])) for k in range(n)]
        w = [[mpmath.exp(r[i] - y[k]) if i <= k else mpmath.mpf(0) for i in range(n)] for k in range(n)]
        jv = [mpmath.fsum(w[k][i] * v[i] for i in range(n)) for k in range(n)]
        jv_t = [mpmath.fsum(w[k][i] * abs(v[i]) for i in range(n)) for k in range(n)]
        ju = [mpmath.fsum(u[k] * w[k][i] for k in range(n)) for i in range(n)]
        ju_t = [mpmath.fsum(abs(u[k]) * w[k][i] for k in range(n)) for i in range(n)]
        return {"value": y, "value_t": [abs(t) for t in y], "vjp": ju, "vjp_t": ju_t, "jvp": jv, "jvp_t": jv_t}
    lse = mpmath.log(mpmath.fsum(exp))
    p = [mpmath.exp(t - lse) for t in r]
    pv, apv = mpmath.fsum(a * b for a, b in zip(p, v)), mpmath.fsum(a * abs(b) for a, b in zip(p, v))
    if kind == "logsumexp":  # u: the row's one cotangent
        value, jv, jv_t = lse, pv, apv
        ju, ju_t = [u * a for a in p], [abs(u) * a for a in p]
        return {"value": value, "value_t": abs(value), "vjp": ju, "vjp_t": ju_t, "jvp": jv, "jvp_t": jv_t}
    pu, apu = mpmath.fsum(a * b for a, b in zip(p, u)), mpmath.fsum(a * abs(b) for a, b in zip(p, u))
    if kind == "softmax":
        value, jv, jv_t = p, [a * (b - pv) for a, b in zip(p, v)], [a * (abs(b) + apv) for a, b in zip(p, v)]
        ju, ju_t = [a * (b - pu) for a, b in zip(p, u)], [a * (abs(b) + apu) for a, b in zip(p, u)]
    else:  # log_softmax
        su, asu = mpmath.fsum(u), mpmath.fsum(abs(b) for b in u)
        value, jv, jv_t = [t - lse for t in r], [b - pv for b in v], [abs(b) + apv for b in v]
        ju, ju_t = [b - a * su for a, b in zip(p, u)], [abs(b) + a * asu for a, b in zip(p, u)]
    return {"value": value, "value_t": [abs(t) for t in value], "vjp": ju, "vjp_t": ju_t, "jvp": jv, "jvp_t": jv_t}


def kind_of(name: str) -> str:
    return CASE.match(name).group(1)  # type: ignore[union-attr]


def effective(name: str, x: np.ndarray) -> np.ndarray:
    """The input the public function sees: x, or x + m for the rows that add the mask themselves."""
    return x + MASK if "masked" in name else x


def directions(name: str, x: np.ndarray, out_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """A cotangent u (like f(x)) and a tangent v (like x), fixed per case, on the float32 grid."""
    from conformance.derivatives.checks import stable_seed

    rng = np.random.default_rng(stable_seed(name, "masked rows"))
    grid = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
    return grid(rng.uniform(-1.5, 1.5, out_shape)), grid(rng.uniform(-1.5, 1.5, x.shape))


def expected(name: str, x: np.ndarray) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    kind = kind_of(name)
    shape = (x.shape[0],) if kind == "logsumexp" else x.shape
    u, v = directions(name, x, shape)
    return _rows(kind, effective(name, x), u, v), u, v


# ------------------------------------------------------------------------------ judging
def judge(got: Any, want: np.ndarray, terms: np.ndarray, exact_zero: np.ndarray, judged: np.ndarray, dtype: str) -> Any:
    """``compare`` on the entries ``judged`` (on the magnitude of their terms), after requiring an
    exact 0 where a mask makes the exact value 0 exactly."""
    a = np.asarray(got, dtype=np.float64)
    if a.shape != want.shape:
        return compare(a, want, policy("exact", dtype))
    tol = policy("exact", dtype)
    nonzero = exact_zero & judged & (a != 0)
    c = compare(
        a[judged],
        want[judged],
        tol,
        terms[judged],
        scale_name="the magnitude of the terms (the closed form with |u|, |v|)",
    )
    rule = "; a masked entry's exact 0 (exp(−inf) = 0) must come back exactly 0"
    if nonzero.any():
        w = float(a[nonzero][0])
        return replace(
            c,
            ok=False,
            failure_class="non_finite" if not np.isfinite(w) else "wrong_value",
            error_ratio=np.inf,
            basis=c.basis + rule,
            worst={"index": [int(i) for i in np.argwhere(nonzero)[0]], "got": w, "exact": 0.0},
        )
    return replace(c, basis=c.basis + rule) if (exact_zero & judged).any() else c


def _judged_rows(kind: str, which: str, mask_name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Entries judged: everything for a partial mask; for the full mask, row 1 — and row 0 too for the
    value of logsumexp/logcumsumexp (−inf: the log of an empty sum)."""
    judged = np.ones(shape, dtype=bool)
    if mask_name == "full mask":
        keep_row0 = which == "value" and kind in ("logsumexp", "logcumsumexp")
        if not keep_row0:
            judged[0] = False
    return judged


def results(case: Any, ctx: Context, x: np.ndarray, u: np.ndarray, v: np.ndarray, order: int) -> dict[str, Any]:
    a, xp = ctx.adapter, ctx.xp
    f = case.function(a.name, xp)
    X = ctx.array(x)
    if order == 0:
        return {"value": ctx.numpy(f(X))}
    U, V = ctx.array(u), ctx.array(v)
    return {
        "grad": ctx.numpy(a.grad(lambda z: xp.sum(f(z) * U))(X)),
        "vjp": ctx.numpy(a.vjp(f, X, U)[1]),
        "jvp": ctx.numpy(a.jvp(f, X, V)[1]),
    }


def run(case: Any, mask_name: str, order: int, ctx: Context) -> Outcome:
    x = INPUTS[mask_name]
    kind = kind_of(case.name)
    exact, u, v = expected(case.name, x)
    got = results(case, ctx, x, u, v, order)
    rows, worst = {}, None
    for name, g in got.items():
        which = "vjp" if name == "grad" else name
        want, terms = exact[which]
        judged = _judged_rows(kind, which, mask_name, want.shape)
        zero = (want == 0) & np.isfinite(want)
        c = judge(g, want, terms, zero, judged, ctx.dtype)
        rows[name] = {
            "got": np.asarray(g, dtype=np.float64).tolist(),
            "exact": want.tolist(),
            "judged": judged.tolist(),
            "ok": c.ok,
            "failure_class": c.failure_class,
            "error_ratio": c.error_ratio,
        }
        if worst is None or (not c.ok, np.nan_to_num(c.error_ratio, nan=np.inf)) > (
            not worst[1].ok,
            np.nan_to_num(worst[1].error_ratio, nan=np.inf),
        ):
            worst = (name, c)
    name, c = worst
    tol = policy("exact", ctx.dtype)
    note = (
        ""
        if mask_name == "partial mask"
        else "; row 0 (every entry −inf) is judged only where the mathematics fixes it (log Σ over nothing "
        "= −inf), else recorded under conventions"
    )
    msg = (
        f"{mask_name}: {name} {'matches' if c.ok else 'differs from'} the closed form of the unmasked "
        f"sub-row (ratio {c.error_ratio:.3g}){note}"
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input=x.tolist(),
        point=mask_name,
        data={"results": rows, "reason": tol.reason, "cotangent": u.tolist(), "tangent": v.tolist(), **c.stated()},
    )


# ------------------------------------------------------------------------------ conventions
def record(case: Any, what: str, ctx: Context) -> Outcome:
    """What the framework returns for the fully masked row 0 (the value, or ∇ Σ u ⊙ f): recorded,
    not judged — no answer is fixed there."""
    x = FULL
    _, u, v = expected(case.name, x)
    try:
        got = results(case, ctx, x, u, v, 0 if what == "value" else 1)["value" if what == "value" else "grad"]
        value: Any = np.asarray(got, dtype=np.float64)[0].tolist()
    except Exception as exc:  # an error is the framework's answer here
        from conformance.errors import first_line

        value = {"error": first_line(exc, 300)}
    return Outcome(
        "pass",
        message=f"{case.name} of a fully masked row: {ctx.adapter.label} returns {value}",
        input=x.tolist(),
        data={
            "value": value,
            "expected": None,
            "matches": None,
            "dtype": ctx.dtype,
            "note": (
                f"{case.doc}: every entry of the row is −inf, so the "
                f"{'value' if what == 'value' else 'gradient'} is 0/0 — its limit depends on "
                f"the path to −∞ (along xⱼ = −t for all j: the uniform weights 1/n)"
            ),
            "basis": "no answer is fixed by the mathematics: the value or error is recorded",
        },
    )


# ------------------------------------------------------------------------------ tasks
def cases() -> list[Any]:
    from conformance.derivatives.cases import CATALOG

    return [c for c in CATALOG if CASE.match(c.name) and c.only_impls and (2, 3) in c.shapes]


def _no_reference(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference differentiates by finite differences, which cannot step from −inf: "
            "its values are checked, not its derivatives"
        )
    return None


def _runner(fn: Callable, *args: Any) -> Callable[[Context], Outcome]:
    return lambda ctx: fn(*args, ctx)


def tasks() -> list[Task]:
    out: list[Task] = []
    for case in cases():
        dtypes = tuple(d for d in case.dtypes if d in DTYPES)
        for mask_name in INPUTS:
            out.append(
                Task(
                    case.family,
                    case.name,
                    f"value@{mask_name}",
                    _runner(run, case, mask_name, 0),
                    dtypes=dtypes,
                    per_variant=False,
                )
            )
            out.append(
                Task(
                    case.family,
                    case.name,
                    f"derivative@{mask_name}",
                    _runner(run, case, mask_name, 1),
                    dtypes=dtypes,
                    applies=_no_reference,
                )
            )
        label = f"fully masked row: {case.name}"
        if kind_of(case.name) in ("softmax", "log_softmax"):
            out.append(
                Task(
                    "conventions",
                    label,
                    "value",
                    _runner(record, case, "value"),
                    dtypes=("float64",),
                    kind="convention",
                    per_variant=False,
                )
            )
        out.append(
            Task(
                "conventions",
                label,
                "grad",
                _runner(record, case, "grad"),
                dtypes=("float64",),
                kind="convention",
                per_variant=True,
                applies=_no_reference,
            )
        )
    return out
