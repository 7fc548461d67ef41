"""Fractional calculus (family "fractional"): the Grünwald–Letnikov, L1 (Caputo and Riemann–Liouville)
and product-trapezoid schemes of ``fractional_schemes``, written once against ``ctx.xp`` with the
framework's own log-gamma, run and differentiated in every framework and judged by mpmath.

    value          the scheme at t = T on f = c + t^k (N = 64) vs the same sum in mpmath at 40 digits
    gradient       ∂/∂α and ∂/∂T of that value by the framework's autodiff vs mpmath.diff of the sum
    convergence    the scheme vs the exact operator (closed form, mpmath) over N = 64…512: observed
                   orders of the value, ∂/∂α and ∂/∂T within ±0.1 of theory (GL 1, L1 2−α, trapezoid 2)
    constant       RL D^α 1 = t^−α/Γ(1−α) (L1 exact for constants), Caputo D^α 1 = 0, GL at order 1
    semigroup      I^α I^β t² = I^{α+β} t² (both product-trapezoid routes at order 2)
    Mittag-Leffler Caputo D^α E_α(λt^α) = λE_α(λt^α), L1 at order min(2−α, 1+α) (the t^α start)

Random parameters (α, T, c, k) are drawn per seed for the value and gradient checks; the convergence
studies run at fixed parameters (an order fit over a geometric grid sequence is a study of one case).
The order fits run in float64 only: in float32 the rounding of the sums (~1e-7 of their terms) reaches
the discretization error of the finer grids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import mpmath
import numpy as np

from conformance.advanced import fractional_oracles as oracle
from conformance.advanced import fractional_schemes as schemes
from conformance.advanced.orders import study, study_outcome
from conformance.engine import Outcome, Profile, Task
from conformance.tolerance import compare, policy

FAMILY = "fractional"
F64 = ("float64",)
BOTH = ("float64", "float32")
N_CHECK = 64  # grid of the value and gradient checks
GRIDS = (64, 128, 256, 512)  # the convergence studies' grids (the first is N_CHECK's: a staged
#                                           framework compiles 4 shapes per scheme, not 6)
LABEL = {
    "grunwald_letnikov": "Grünwald–Letnikov",
    "l1_caputo": "L1 Caputo",
    "l1_riemann_liouville": "L1 Riemann–Liouville",
    "trapezoid_integral": "product-trapezoid I^α",
}


def theory_order(method: str, alpha: float) -> float:
    """The scheme's order at t = T on a smooth f: GL 1, L1 2 − α, product trapezoid 2."""
    return {"grunwald_letnikov": 1.0, "trapezoid_integral": 2.0}.get(method, 2.0 - alpha)


# ----------------------------------------------------------------------------- framework pieces
def lgamma(adapter: Any) -> Callable:
    """log Γ by the framework's own public function (the op table's gammaln row, first name)."""
    from conformance.adapters import public
    from conformance.ops import by_name

    names = by_name("gammaln").names(adapter.name)
    if not names:
        from conformance.errors import NotProvidedError

        raise NotProvidedError(f"not provided by {adapter.name}: the op table names no log-gamma")
    return lambda x: public.call(adapter, names[0], x)


_PROGRAMS: dict[tuple, Callable] = {}


def program(ctx: Any, method: str) -> Callable:
    """(α, T, c, k, *grid constants) -> the scheme at t = T on c + t^k: one function object per
    (framework, API variant, method), so a staged framework compiles it once per grid shape."""
    key = (type(ctx.adapter), ctx.adapter.variant, method)
    if key not in _PROGRAMS:
        _PROGRAMS[key] = schemes.on_power(ctx.xp, lgamma(ctx.adapter), method)
    return _PROGRAMS[key]


def rounded(ctx: Any, *values: float) -> tuple[float, ...]:
    """The parameters as the dtype holds them (references are computed from exactly these)."""
    return tuple(float(np.asarray(v, dtype=ctx.dtype)) for v in values)


def evaluate(ctx: Any, method: str, alpha: float, T: float, c: float, k: float, n: int) -> tuple[float, float, float]:
    """(value, ∂/∂α, ∂/∂T) of the scheme on n steps in the framework, by its value_and_grad; kept per
    (framework, variant, dtype, arguments) for the process, so the value check and the gradient check
    of one draw share one computation (and one compiled program)."""
    a = ctx.adapter
    key = (type(a), a.variant, a.runs_staged, ctx.device, ctx.dtype, method, alpha, T, c, k, n)
    if key not in _EVALUATED:
        if len(_EVALUATED) > 4096:
            _EVALUATED.clear()
        _EVALUATED[key] = _evaluate(ctx, method, alpha, T, c, k, n)
    return _EVALUATED[key]


_EVALUATED: dict[tuple, tuple[float, float, float]] = {}


def _evaluate(ctx: Any, method: str, alpha: float, T: float, c: float, k: float, n: int) -> tuple[float, float, float]:
    schemes.check_order(alpha, LABEL[method])
    fn = program(ctx, method)
    consts = schemes.Grid(n).numpy()
    args = [ctx.array(np.asarray(v)) for v in (alpha, T, c, k)] + [ctx.array(consts[m]) for m in schemes.NAMES]
    value, (da, dt) = ctx.adapter.value_and_grad(fn, argnums=(0, 1))(*args)
    return float(ctx.numpy(value)), float(ctx.numpy(da)), float(ctx.numpy(dt))


def on_samples(ctx: Any, method: str, alpha: float, T: float, f: np.ndarray, every_node: bool = False) -> Any:
    """The scheme on given samples f_0..f_N at t = T (at every node with ``every_node``, product trapezoid),
    run as one staged program where the framework stages (``adapter.program``)."""
    schemes.check_order(alpha, LABEL[method])
    n = len(f) - 1
    g = schemes.Grid(n, every_node).arrays(ctx.array)
    scheme = schemes.trapezoid_integral_all if every_node else schemes.SCHEMES[method]
    xp, lg = ctx.xp, lgamma(ctx.adapter)

    def run(alpha: Any, h: Any, f: Any, *consts: Any) -> Any:
        return scheme(xp, lg, alpha, h, f, dict(zip(schemes.NAMES, consts)))

    fn = ctx.adapter.program(run, FAMILY, method, every_node)
    out = fn(
        ctx.array(np.asarray(alpha)),
        ctx.array(np.asarray(T / n)),
        ctx.array(np.asarray(f)),
        *(g[name] for name in schemes.NAMES),
    )
    return ctx.numpy(out) if every_node else float(ctx.numpy(out))


def draw(seed: int) -> tuple[float, float, float, float]:
    """(α, T, c, k) for one seed: α in [0.2, 0.8], T in [0.5, 2], c in [0.5, 2], k in [1.5, 3]."""
    rng = np.random.default_rng([22, seed])
    return (
        float(rng.uniform(0.2, 0.8)),
        float(rng.uniform(0.5, 2.0)),
        float(rng.uniform(0.5, 2.0)),
        float(rng.uniform(1.5, 3.0)),
    )


# ----------------------------------------------------------------------------- checks
def value_check(method: str) -> Callable:
    """The framework's sum vs the same sum in mpmath (40 digits) on the same samples, judged on the
    magnitude of its terms (``oracle.magnitude``) under the quadrature policy."""

    def run(ctx: Any) -> Outcome:
        alpha, T, c, k = rounded(ctx, *draw(ctx.seed))
        got, _, _ = evaluate(ctx, method, alpha, T, c, k, N_CHECK)
        exact, _, _ = oracle.scheme_with_gradient(method, alpha, T, c, k, N_CHECK)
        h = T / N_CHECK
        scale = oracle.magnitude(method, alpha, h, [c + (j * h) ** k for j in range(N_CHECK + 1)])
        tol = policy("quadrature", ctx.dtype, "ad")
        cmp = compare(got, exact, tol, scale=scale)
        return Outcome.judged(
            cmp,
            tol,
            f"{LABEL[method]} at t = T, N = {N_CHECK}: {got!r} vs mpmath {exact!r} "
            f"(terms' magnitude {scale:.3g}); error ratio {cmp.error_ratio:.3g}",
            input={"alpha": alpha, "T": T, "c": c, "k": k, "N": N_CHECK},
            data={"reference": "the same sum in mpmath at 40 digits", **cmp.stated()},
        )

    return run


def gradient_check(method: str) -> Callable:
    """(∂/∂α, ∂/∂T) by the framework's autodiff vs mpmath.diff of the mpmath sum, judged on the terms'
    magnitude times the factor the derivative brings: ∂/∂α of m^p, h^−α and log Γ(k−α) multiplies a
    term by at most 2 + log N + |log h|; ∂/∂T of h^±α and t^k by at most (1 + α + k)/T."""

    def run(ctx: Any) -> Outcome:
        from conformance.integrals.quadrature import derivative_tolerance

        alpha, T, c, k = rounded(ctx, *draw(ctx.seed))
        _, da, dt = evaluate(ctx, method, alpha, T, c, k, N_CHECK)
        _, ea, et = oracle.scheme_with_gradient(method, alpha, T, c, k, N_CHECK)
        h = T / N_CHECK
        m = oracle.magnitude(method, alpha, h, [c + (j * h) ** k for j in range(N_CHECK + 1)])
        scale = np.array([m * (2 + np.log(N_CHECK) + abs(np.log(h))), m * (1 + alpha + k) / T])
        tol = derivative_tolerance(ctx, "exact")
        cmp = compare(
            np.array([da, dt]),
            np.array([ea, et]),
            tol,
            scale=scale,
            scale_name="the terms' magnitude times the derivative's factor",
        )
        return Outcome.judged(
            cmp,
            tol,
            f"{LABEL[method]}: (∂/∂α, ∂/∂T) = ({da!r}, {dt!r}) vs mpmath.diff "
            f"({ea!r}, {et!r}); error ratio {cmp.error_ratio:.3g}",
            input={"alpha": alpha, "T": T, "c": c, "k": k, "N": N_CHECK},
            data={"reference": "mpmath.diff of the sum at 40 digits", **cmp.stated()},
        )

    return run


def convergence_check(method: str, alpha: float) -> Callable:
    """Scheme → exact operator on f = 1 + t² at T = 1 over N = 64…512: the value and ∂/∂T at the
    scheme's order p, ∂/∂α at order p with a |log h| factor where p depends on α (L1: ∂/∂α h^{2−α}).
    The product trapezoid's error is C(α)h² + D(α)h^{2+α}: C'(α) nearly vanishes on α in (0.3, 0.7)
    (measured: local orders 2.1–2.7 of ∂/∂α's error), so its ∂/∂α is held to order >= 2 − 0.1 only;
    it is checked to rounding against mpmath.diff of the sum by the gradient check."""
    c, k, T = 1.0, 2.0, 1.0
    schemes.check_order(alpha, LABEL[method])

    def run(ctx: Any) -> Outcome:
        value, d_alpha, d_T = oracle.exact_with_gradient(method, alpha, T, c, k)
        errs: dict[str, list[float]] = {"value": [], "d/dalpha": [], "d/dT": []}
        for n in GRIDS:
            got = evaluate(ctx, method, alpha, T, c, k, n)
            for name, g, e in zip(errs, got, (value, d_alpha, d_T)):
                errs[name].append(abs(g - e))
        p = theory_order(method, alpha)
        ok, worst, data, msg = study(
            errs,
            {"value": p, "d/dalpha": p, "d/dT": p},
            [T / n for n in GRIDS],
            {"d/dalpha": method.startswith("l1")},
            ("d/dalpha",) if method == "trapezoid_integral" else (),
        )
        return study_outcome(
            ok,
            worst,
            f"{LABEL[method]} → exact, α = {alpha}: {msg}",
            data,
            {"alpha": alpha, "T": T, "c": c, "k": k, "grids": list(GRIDS)},
        )

    return run


def constant_check(alpha: float) -> Callable:
    """D^α 1 at t = T: L1 Riemann–Liouville = t^−α/Γ(1−α) to rounding (exact for constants), L1 Caputo
    = 0 (every difference is 0: exactly), Grünwald–Letnikov → t^−α/Γ(1−α) at order 1."""
    T = 1.0
    schemes.check_order(alpha, "D^α 1")

    def run(ctx: Any) -> Outcome:
        with mpmath.workdps(40):
            exact = float(T ** -mpmath.mpf(alpha) / mpmath.gamma(1 - mpmath.mpf(alpha)))
        one = lambda n: np.ones(n + 1)  # noqa: E731
        caputo = on_samples(ctx, "l1_caputo", alpha, T, one(N_CHECK))
        rl = on_samples(ctx, "l1_riemann_liouville", alpha, T, one(N_CHECK))
        tol = policy("exact", ctx.dtype, "ad")
        scale = oracle.magnitude("l1_riemann_liouville", alpha, T / N_CHECK, np.ones(N_CHECK + 1))
        c_rl = compare(rl, exact, tol, scale=scale)
        c_caputo = compare(caputo, 0.0, tol)
        gl = [abs(on_samples(ctx, "grunwald_letnikov", alpha, T, one(n)) - exact) for n in GRIDS]
        ok, worst, data, msg = study({"GL": gl}, {"GL": 1.0}, [T / n for n in GRIDS])
        data.update({"rl": {"got": rl, "exact": exact, **c_rl.stated()}, "caputo": {"got": caputo}})
        ok = ok and c_rl.ok and c_caputo.ok
        return study_outcome(
            ok,
            max(worst, c_rl.error_ratio, c_caputo.error_ratio),
            f"D^α 1, α = {alpha}: RL {rl!r} vs {exact!r} (ratio {c_rl.error_ratio:.3g}), Caputo {caputo!r} vs 0, {msg}",
            data,
            {"alpha": alpha, "T": T},
        )

    return run


def semigroup_check(alpha: float, beta: float) -> Callable:
    """I^α(I^β t²) = I^{α+β} t² = Γ(3)/Γ(3+α+β) t^{2+α+β} at t = 1: the product-trapezoid I^α applied to
    the product-trapezoid I^β at every node, and the trapezoid I^{α+β}, each at order 2 (α, β, α + β in (0, 1))."""
    T = 1.0
    for order in (alpha, beta, alpha + beta):
        schemes.check_order(order, LABEL["trapezoid_integral"])

    def run(ctx: Any) -> Outcome:
        with mpmath.workdps(40):
            exact = float(oracle.exact("trapezoid_integral", mpmath.mpf(alpha) + beta, T, 0, 2))
        errs: dict[str, list[float]] = {"I^α I^β": [], "I^(α+β)": []}
        for n in GRIDS:
            f = (np.arange(n + 1) * (T / n)) ** 2
            inner = on_samples(ctx, "trapezoid_integral", beta, T, f, every_node=True)
            errs["I^α I^β"].append(abs(on_samples(ctx, "trapezoid_integral", alpha, T, inner) - exact))
            errs["I^(α+β)"].append(abs(on_samples(ctx, "trapezoid_integral", alpha + beta, T, f) - exact))
        ok, worst, data, msg = study(errs, dict.fromkeys(errs, 2.0), [T / n for n in GRIDS])
        return study_outcome(
            ok, worst, f"α = {alpha}, β = {beta}: {msg}", data, {"alpha": alpha, "beta": beta, "f": "t^2", "T": T}
        )

    return run


def mittag_leffler_check(alpha: float, lam: float) -> Callable:
    """L1 Caputo D^α on samples of E_α(λt^α) → λE_α(λT^α) (mpmath series at 40 digits) at T = 1, at the
    order min(2 − α, 1 + α): the solution's t^α start limits L1 to 1 + α (measured: 1.28 at α = 0.3)."""
    T = 1.0
    schemes.check_order(alpha, LABEL["l1_caputo"])

    def run(ctx: Any) -> Outcome:
        with mpmath.workdps(40):
            exact = float(lam * oracle.mittag_leffler(alpha, lam * T**alpha))
        errs = [
            abs(
                on_samples(ctx, "l1_caputo", alpha, T, oracle.ml_samples(alpha, lam, np.arange(n + 1) * (T / n)))
                - exact
            )
            for n in GRIDS
        ]
        p = min(2 - alpha, 1 + alpha)
        ok, worst, data, msg = study({"L1": errs}, {"L1": p}, [T / n for n in GRIDS])
        return study_outcome(ok, worst, f"α = {alpha}, λ = {lam}: {msg}", data, {"alpha": alpha, "lambda": lam, "T": T})

    return run


def default_variant_of_reference(adapter: Any, dtype: str) -> str | None:
    """Skip reason for the numerical reference's other variants (complex step evaluates the scheme at a
    complex α, where the op table's log-gamma, real gammaln, is not defined)."""
    if getattr(adapter, "is_reference", False) and adapter.variant != adapter.variants[0]:
        return (
            f"{adapter.label}: the scheme's log Γ (the op table's gammaln) takes real arguments only; "
            f"the reference's derivatives come from its {adapter.variants[0]} variant"
        )
    return None


def tasks(profile: Profile) -> Iterator[Task]:
    """Every fractional task: value and gradient checks in float64 and float32 (random parameters per
    seed); convergence studies in float64 (fixed parameters). Value-only tasks run once per framework,
    gradient tasks per API variant."""
    for method in schemes.SCHEMES:
        name = LABEL[method]
        yield Task(
            FAMILY,
            f"{name} on c + t^k",
            "value vs mpmath sum",
            value_check(method),
            dtypes=BOTH,
            per_variant=False,
            cost=2.0,
        )
        yield Task(
            FAMILY,
            f"{name} on c + t^k",
            "gradient wrt alpha and T vs mpmath.diff",
            gradient_check(method),
            dtypes=BOTH,
            applies=default_variant_of_reference,
            cost=3.0,
        )
        for alpha in (0.3, 0.7):
            yield Task(
                FAMILY,
                f"{name} on 1 + t^2, alpha = {alpha}",
                "convergence order of value and gradient",
                convergence_check(method, alpha),
                dtypes=F64,
                per_variant=False,
                cost=10.0,
            )
    for alpha in (0.3, 0.7):
        yield Task(
            FAMILY,
            f"D^alpha 1, alpha = {alpha}",
            "RL exact, Caputo zero, GL order 1",
            constant_check(alpha),
            dtypes=F64,
            per_variant=False,
            cost=3.0,
        )
    yield Task(
        FAMILY,
        "I^alpha I^beta t^2, alpha = 0.3, beta = 0.5",
        "semigroup at order 2",
        semigroup_check(0.3, 0.5),
        dtypes=F64,
        per_variant=False,
        cost=10.0,
    )
    yield Task(
        FAMILY,
        "Caputo D^alpha E_alpha(-t^alpha), alpha = 0.3",
        "Mittag-Leffler eigenfunction",
        mittag_leffler_check(0.3, -1.0),
        dtypes=F64,
        per_variant=False,
        cost=3.0,
    )
