"""The custom-rule study (issue 21): hand-written derivative rules, correct and mutated, through every
rule mechanism of every framework, judged by ``conformance.check`` and by the framework's own checker.

    conformance targets --only rules [--seeds 20]

The math lives here once, written against a framework's xp namespace; each framework's
``rules`` module (``conformance.adapters.rules``) only wires it into its mechanisms
(torch.autograd.Function in every style, jax.custom_vjp / custom_jvp, tf.custom_gradient).

Test functions (``FUNCTIONS``), each with its rules vjp(x, g) = J(x)ᵀ g and jvp(x, t) = J(x) t:

- ``elementwise``: y = sin(x)·eˣ, x ∈ ℝ⁵; J = diag((cos x + sin x)·eˣ).
- ``broadcast_reduction``: f(x) = Σᵢⱼ sin(xᵢⱼ)·sⱼ with column sums sⱼ = Σᵢ xᵢⱼ broadcast over the rows,
  x ∈ ℝ³ˣ⁴ (a scalar); ∂f/∂xₖⱼ = cos(xₖⱼ)·sⱼ + Σᵢ sin(xᵢⱼ) — the second term is the broadcast's
  reduction (over axis 0, the broadcast axis); J t = Σ (cos(x)·t·s + sin(x)·colsum(t)).
- ``matrix_square``: Y = A A, A ∈ ℝ³ˣ³; vjp(A, G) = G Aᵀ + Aᵀ G, jvp(A, T) = T A + A T.

Mutants (``MUTANTS``): each rewrites the rule(s) r ↦ r' without touching the forward value:

    sign                 r' = −r
    factor2              r' = 2 r
    rel1e-3/1e-6/1e-8    r' = (1 + δ) r
    one_element          ∂f/∂x₀ × (1 + 10⁻⁴): the VJP's first entry, the JVP's tangent's first entry
    forward_only         the JVP rule × (1 + 10⁻³), the VJP rule right (mechanisms with both rules)
    second_order         r' = r·(1 + Σ(x − stop(x))): exactly r, but its derivative gains r ⊗ 1
    broadcast_reduction  the broadcast's reduction sums over the wrong axis (functions with one)
    nan_part             r' = NaN where max(x) > 0.9 (the top 5 % of each entry's range), r elsewhere
    transposed           r' = rᵀ (matrix functions)

``build(framework, mechanism, function, mutant)`` is the framework's function with that rule;
``check_one`` runs ``conformance.check`` on it with default settings; ``native_one`` runs the
framework's own checker (``conformance.adapters.<fw>.gradcheck.check_rule``); ``study`` makes the
table of ``conformance targets --only rules``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

NAN_ABOVE = 0.9
DOMAIN = (-1.0, 1.0)


# ------------------------------------------------------------------ the rules' replaceable pieces
def _reduce_broadcast(xp: Any, a: Any, axis: int) -> Any:
    """Undo a broadcast along ``axis``: Σ over it, kept as a size-1 axis."""
    return xp.sum(a, axis=axis, keepdims=True)


def _reduce_wrong_axis(xp: Any, a: Any, axis: int) -> Any:
    """The mutant: Σ over the next axis instead (its size-1 result broadcasts the other way)."""
    return xp.sum(a, axis=(axis + 1) % len(a.shape), keepdims=True)


@dataclass(frozen=True)
class Ops:
    """The pieces a rule is written with that a mutant may replace."""

    reduce_broadcast: Callable[[Any, Any, int], Any] = _reduce_broadcast


CORRECT = Ops()


# ------------------------------------------------------------------ test functions
@dataclass(frozen=True)
class RuleFunction:
    """f with its hand-written rules, all xp-generic: forward(xp, x), vjp(xp, ops, x, g), jvp(xp, ops, x, t);
    ``features``: what mutants need ("broadcast", "matrix")."""

    name: str
    shape: tuple[int, ...]
    forward: Callable
    vjp: Callable
    jvp: Callable
    features: frozenset = field(default_factory=frozenset)
    doc: str = ""

    def reference(self, x: np.ndarray) -> Any:
        """f in numpy (runs on complex input too: every test function is analytic)."""
        return self.forward(np, np.asarray(x))


def _sin_exp_slope(xp: Any, x: Any) -> Any:
    return (xp.cos(x) + xp.sin(x)) * xp.exp(x)


def _colsum(xp: Any, ops: Ops, a: Any) -> Any:
    return ops.reduce_broadcast(xp, a, 0)


def _t(xp: Any, a: Any) -> Any:
    return xp.swapaxes(a, -1, -2)


FUNCTIONS: dict[str, RuleFunction] = {
    f.name: f
    for f in (
        RuleFunction(
            "elementwise",
            (5,),
            lambda xp, x: xp.sin(x) * xp.exp(x),
            lambda xp, ops, x, g: g * _sin_exp_slope(xp, x),
            lambda xp, ops, x, t: t * _sin_exp_slope(xp, x),
            doc="y = sin(x)·exp(x), x ∈ R^5",
        ),
        RuleFunction(
            "broadcast_reduction",
            (3, 4),
            lambda xp, x: xp.sum(xp.sin(x) * xp.sum(x, axis=0, keepdims=True)),
            lambda xp, ops, x, g: g * (xp.cos(x) * xp.sum(x, axis=0, keepdims=True) + _colsum(xp, ops, xp.sin(x))),
            lambda xp, ops, x, t: xp.sum(
                xp.cos(x) * t * xp.sum(x, axis=0, keepdims=True) + xp.sin(x) * _colsum(xp, ops, t)
            ),
            frozenset({"broadcast"}),
            doc="f = Σ sin(x)·colsum(x) (broadcast over rows), x ∈ R^{3×4}",
        ),
        RuleFunction(
            "matrix_square",
            (3, 3),
            lambda xp, a: xp.matmul(a, a),
            lambda xp, ops, a, g: xp.matmul(g, _t(xp, a)) + xp.matmul(_t(xp, a), g),
            lambda xp, ops, a, t: xp.matmul(t, a) + xp.matmul(a, t),
            frozenset({"matrix"}),
            doc="Y = A·A, A ∈ R^{3×3}",
        ),
    )
}


# ------------------------------------------------------------------ mutants
Rule = Callable[[Any, Any], Any]  # (x, w) -> r, w the cotangent g or the tangent t
Edit = Callable[[Any, Callable, Any, Any, Rule], Any]  # (xp, stop, x, w, rule) -> r'


def _scale(c: float) -> Edit:
    return lambda xp, stop, x, w, rule: rule(x, w) * c


def _first_entry(xp: Any, a: Any, c: float) -> Any:
    """a with its first (flat) entry multiplied by c."""
    flat = xp.reshape(a, (-1,))
    return xp.reshape(xp.concatenate([flat[:1] * c, flat[1:]]), tuple(a.shape))


def _second_order(xp: Any, stop: Callable, x: Any, w: Any, rule: Rule) -> Any:
    return rule(x, w) * (1.0 + xp.sum(x - stop(x)))


def _nan_part(xp: Any, stop: Callable, x: Any, w: Any, rule: Rule) -> Any:
    r = rule(x, w)
    zero = xp.zeros_like(r)
    return r + xp.where(xp.max(x) > NAN_ABOVE, zero + float("nan"), zero)


@dataclass(frozen=True)
class Mutant:
    """A wrong rule: ``vjp``/``jvp`` edit that rule (None: left right); ``ops`` replaces a piece of the
    rule; ``needs`` a feature of the function; ``needs_rules`` the rules the mechanism must take from
    its author (forward-only needs both, or the JVP would be derived from the right VJP)."""

    name: str
    doc: str
    vjp: Edit | None = None
    jvp: Edit | None = None
    ops: Ops = CORRECT
    needs: str | None = None
    needs_rules: tuple[str, ...] = ()


def _both(name: str, doc: str, edit: Edit, **kw: Any) -> Mutant:
    return Mutant(name, doc, edit, edit, **kw)


MUTANTS: dict[str, Mutant] = {
    m.name: m
    for m in (
        _both("sign", "r' = -r", _scale(-1.0)),
        _both("factor2", "r' = 2r", _scale(2.0)),
        _both("rel1e-3", "r' = (1 + 1e-3) r", _scale(1 + 1e-3)),
        _both("rel1e-6", "r' = (1 + 1e-6) r", _scale(1 + 1e-6)),
        _both("rel1e-8", "r' = (1 + 1e-8) r", _scale(1 + 1e-8)),
        Mutant(
            "one_element",
            "df/dx_0 x (1 + 1e-4)",
            lambda xp, stop, x, g, rule: _first_entry(xp, rule(x, g), 1 + 1e-4),
            lambda xp, stop, x, t, rule: rule(x, _first_entry(xp, t, 1 + 1e-4)),
        ),
        Mutant(
            "forward_only", "JVP rule x (1 + 1e-3), VJP rule right", None, _scale(1 + 1e-3), needs_rules=("vjp", "jvp")
        ),
        _both("second_order", "r' = r (1 + sum(x - stop(x))): right value, wrong derivative", _second_order),
        Mutant(
            "broadcast_reduction",
            "the broadcast's reduction over the wrong axis",
            ops=Ops(reduce_broadcast=_reduce_wrong_axis),
            needs="broadcast",
        ),
        _both("nan_part", f"r' = NaN where max(x) > {NAN_ABOVE}", _nan_part),
        _both("transposed", "r' = r^T", lambda xp, stop, x, w, rule: _t(xp, rule(x, w)), needs="matrix"),
    )
}
CORRECT_RULE = "correct"


# ------------------------------------------------------------------ building a rule
def mechanisms(framework: str) -> dict:
    """The framework's rule mechanisms (name -> Mechanism), {} where it has no rules module."""
    from conformance.adapters import rules

    mod = rules.module(framework)
    return dict(mod.MECHANISMS) if mod is not None else {}


def not_applicable(mechanism: Any, function: str, mutant: str) -> str | None:
    """Why ``mutant`` does not apply to ``function`` written with ``mechanism`` (None: it applies)."""
    if mutant == CORRECT_RULE:
        return None
    m = MUTANTS[mutant]
    if m.needs and m.needs not in FUNCTIONS[function].features:
        return f"{function} has no {m.needs} step"
    missing = [r for r in m.needs_rules if r not in mechanism.rules]
    if missing:
        return f"{mechanism.name} takes no {'/'.join(missing)} rule (the framework derives it)"
    return None


def rule_pieces(xp: Any, stop: Callable, function: str, mutant: str = CORRECT_RULE) -> tuple[Callable, ...]:
    """(forward(x), vjp(x, g), jvp(x, t)) of ``function`` in namespace ``xp``, wrong as ``mutant`` says;
    ``stop`` is the framework's stop-gradient (framework-free: numpy and ``np.copy`` run it too)."""
    fn = FUNCTIONS[function]
    if mutant != CORRECT_RULE and mutant not in MUTANTS:
        raise KeyError(f"unknown mutant {mutant!r}; choose from {CORRECT_RULE}, {', '.join(MUTANTS)}")
    mut = MUTANTS.get(mutant, Mutant(CORRECT_RULE, "right"))

    def edited(kind: str, rule: Callable) -> Rule:
        edit = getattr(mut, kind)
        base: Rule = lambda x, w: rule(xp, mut.ops, x, w)  # noqa: E731
        return base if edit is None else (lambda x, w: edit(xp, stop, x, w, base))

    return (lambda x: fn.forward(xp, x)), edited("vjp", fn.vjp), edited("jvp", fn.jvp)


def build(framework: str, mechanism: str, function: str, mutant: str = CORRECT_RULE) -> Callable:
    """The framework's function ``function`` with its rule(s) written through ``mechanism``, wrong as
    ``mutant`` says (``"correct"``: right)."""
    from conformance import adapters
    from conformance.adapters import rules

    mod = rules.module(framework)
    return mod.MECHANISMS[mechanism].build(
        *rule_pieces(adapters.get(framework).xp, mod.stop_gradient, function, mutant)
    )


def draw(function: str, seed: int) -> np.ndarray:
    """A point of the study's domain, uniform in DOMAIN per entry (the seed's own draw)."""
    lo, hi = DOMAIN
    return np.random.default_rng([21, seed]).uniform(lo, hi, FUNCTIONS[function].shape)


# ------------------------------------------------------------------ running the checkers
def check_one(framework: str, f: Callable, function: str, seed: int) -> tuple[str, str, Any]:
    """``conformance.check`` with default settings on the rule ``f`` over the study's domain (the seed's
    point first, then the default number of hypothesis draws with that seed): (verdict, first complaint,
    result). verdict: "fail" (a check measured a wrong derivative), "error" (no check failed but one
    raised: not a detection, and a false alarm on a correct rule), "pass"."""
    import conformance

    fn = FUNCTIONS[function]
    res = conformance.check(
        {framework: f}, draw(function, seed), domain=DOMAIN, seed=seed, reference=fn.reference, frameworks=[framework]
    )
    fails = [r for r in res.rows if r.status == "fail"]
    bad = fails or res.failures
    why = "" if not bad else f"{bad[0].framework}[{bad[0].api}] {bad[0].check}: {bad[0].outcome.message}"
    return ("fail" if fails else "error" if bad else "pass"), why, res


def native_one(framework: str, mechanism: Any, f: Callable, function: str, seed: int) -> tuple[bool, str] | None:
    """The framework's own checker on the rule at the seed's point (None where it has none)."""
    from conformance.adapters import gradcheck

    mod = gradcheck.module(framework)
    if mod is None or not hasattr(mod, "check_rule"):
        return None
    return mod.check_rule(f, draw(function, seed), mechanism.native_modes)


@dataclass
class Cell:
    """One (framework, mechanism, function, mutant): what each checker said."""

    framework: str
    mechanism: str
    function: str
    mutant: str
    flagged: bool | None = None  # conformance.check measured a wrong derivative; None: n/a
    errored: bool = False  # no check failed, one raised (not a detection)
    why: str = ""
    native: bool | None = None  # the framework's checker; None: none / not applicable
    native_why: str = ""
    false_alarms: int | None = None  # correct rule: seeds conformance.check failed it
    native_false_alarms: int | None = None
    seeds: int = 0
    first_alarm: str = ""


def run_cell(framework: str, mech: Any, function: str, mutant: str, seeds: list[int], native: bool = True) -> Cell:
    """One cell: the correct rule over ``seeds`` (false alarms), a mutant at the first seed."""
    cell = Cell(framework, mech.name, function, mutant)
    reason = not_applicable(mech, function, mutant)
    if reason:
        cell.why = f"n/a: {reason}"
        return cell
    f = build(framework, mech.name, function, mutant)
    if mutant == CORRECT_RULE:
        cell.false_alarms, cell.native_false_alarms, cell.seeds = 0, 0, len(seeds)
        for s in seeds:
            verdict, why, _ = check_one(framework, f, function, s)
            if verdict != "pass":
                cell.false_alarms += 1
                cell.first_alarm = cell.first_alarm or f"seed {s}: {why}"
            nat = native_one(framework, mech, f, function, s) if native else None
            if nat is None:
                cell.native_false_alarms = None
            elif nat[0]:
                cell.native_false_alarms = (cell.native_false_alarms or 0) + 1
                cell.native_why = cell.native_why or f"seed {s}: {nat[1]}"
        cell.flagged = cell.false_alarms > 0
        return cell
    verdict, cell.why, _ = check_one(framework, f, function, seeds[0])
    cell.flagged, cell.errored = verdict == "fail", verdict == "error"
    nat = native_one(framework, mech, f, function, seeds[0]) if native else None
    if nat is not None:
        cell.native, cell.native_why = nat
    return cell


def study(
    frameworks: list[str],
    seeds: int = 20,
    functions: list[str] | None = None,
    mutants: list[str] | None = None,
    native: bool = True,
    progress: Callable | None = None,
) -> dict:
    """The full study: every mechanism × function × (correct rule over ``seeds`` seeds, each mutant).

    ok when every correct rule passes at every seed and every applicable mutant is flagged."""
    start = time.perf_counter()
    cells: list[Cell] = []
    seed_list = list(range(seeds))
    for fw in frameworks:
        for mech in mechanisms(fw).values():
            for function in functions or list(FUNCTIONS):
                for mutant in [CORRECT_RULE] + (mutants if mutants is not None else list(MUTANTS)):
                    cells.append(run_cell(fw, mech, function, mutant, seed_list, native))
                    if progress:
                        progress(cells[-1])
    return summarize(cells, seeds, time.perf_counter() - start)


def _verdict(flagged: bool | None, correct: bool, alarms: int | None, errored: bool = False) -> str:
    if correct:
        return "—" if alarms is None else f"{alarms} false alarm{'s' if alarms != 1 else ''}"
    return "—" if flagged is None else ("FLAGGED" if flagged else "error only" if errored else "missed")


NOTE = 240  # characters of a row's note (the first complaint) in the table


def _tally(cells: list[Cell]) -> list[list[Any]]:
    """One row per rule kind over every mechanism and function: flagged / applicable for each checker (the
    correct rule: the seeds with a false alarm / the seeds run)."""
    out = []
    for kind in [CORRECT_RULE] + list(MUTANTS):
        run = [c for c in cells if c.mutant == kind and not c.why.startswith("n/a")]
        if not run:
            continue
        if kind == CORRECT_RULE:
            total = sum(c.seeds for c in run)
            ours = f"{sum(c.false_alarms or 0 for c in run)}/{total} seeds alarmed"
            nat = [c for c in run if c.native_false_alarms is not None]
            theirs = f"{sum(c.native_false_alarms for c in nat)}/{sum(c.seeds for c in nat)} seeds alarmed"
        else:
            ours = f"{sum(bool(c.flagged) for c in run)}/{len(run)} flagged"
            nat = [c for c in run if c.native is not None]
            theirs = f"{sum(bool(c.native) for c in nat)}/{len(nat)} flagged"
        out.append(["ALL", "all", kind, ours, theirs, "tally over every mechanism and function"])
    return out


def summarize(cells: list[Cell], seeds: int, seconds: float) -> dict:
    """The table (rows = framework/mechanism × function × mutant; columns conformance.check, own checker),
    the false-alarm count and the misses."""
    rows, misses = [], []
    alarms = sum(c.false_alarms or 0 for c in cells if c.mutant == CORRECT_RULE)
    native_alarms = sum(c.native_false_alarms or 0 for c in cells if c.mutant == CORRECT_RULE)
    for c in cells:
        correct = c.mutant == CORRECT_RULE
        if c.why.startswith("n/a"):
            rows.append([f"{c.framework}/{c.mechanism}", c.function, c.mutant, "n/a", "n/a", c.why[5:]])
            continue
        ours = _verdict(c.flagged, correct, c.false_alarms, c.errored)
        theirs = _verdict(c.native, correct, c.native_false_alarms)
        note = c.first_alarm if correct else ("" if c.flagged else f"MISSED by conformance.check {c.why}".strip())
        rows.append([f"{c.framework}/{c.mechanism}", c.function, c.mutant, ours, theirs, note[:NOTE]])
        if not correct and not c.flagged:
            misses.append(f"{c.framework}/{c.mechanism} {c.function} {c.mutant}")
    rows += _tally(cells)
    ok = alarms == 0 and not misses
    title = (
        f"Hand-written rules: every mechanism × function × mutant; the correct rule over {seeds} seeds "
        f"(false alarms), each mutant at seed 0; conformance.check with default settings over the domain "
        f"{DOMAIN} (the seed's point, then the default hypothesis draws with that seed) vs the "
        f"framework's own checker at the seed's point (torch.autograd.gradcheck + gradgradcheck, defaults; "
        f"jax.test_util.check_grads(order=2) over the modes the mechanism runs, default tolerances; "
        f"tf.test.compute_gradient of f and of its VJP, compared as its docstring does, assertAllClose: "
        f"rtol 1e-6, atol 1e-6). conformance.check false alarms: {alarms}; own checkers' false alarms: "
        f"{native_alarms}; mutants missed by conformance.check: {len(misses)}"
    )
    return {
        "check": "rules",
        "ok": ok,
        "title": title,
        "columns": ["framework/mechanism", "function", "rule", "conformance.check", "own checker", "note"],
        "rows": rows,
        "false_alarms": alarms,
        "native_false_alarms": native_alarms,
        "missed": misses,
        "seconds": seconds,
    }
