"""``conformance.check``: hold a user's function — and its hand-written gradient rules — to an oracle.

    import conformance

    def f(xp, x):                         # one xp-generic function, run in every framework
        return xp.sum(xp.sin(x) * xp.exp(x))

    conformance.check(f, [0.1, 0.2, 0.3]).assert_ok()                    # one point
    conformance.check(f, domain=(-2, 2), samples=20, seed=1).assert_ok()  # hypothesis draws, shrinks

    conformance.check({"torch": MyFunction.apply, "jax": my_custom_vjp},  # hand-written rules
                      domain=(-1, 1), reference=numpy_fn).assert_ok()

Each check (``conformance.derivatives.checks``: gradient, jvp, vjp, hessian, hvp, adjoint, jacobian_modes,
hessian_consistency, taylor, third_derivative, variant_agreement; and ``usercheck.more_checks``: jvp_jvp)
runs in each framework, through the API variant that can run the rule's mechanism
(``usercheck.mechanisms``), at each input (``usercheck.domain``), against the oracle chosen for the function
(``usercheck.oracle_choice``: mpmath, complex step or Richardson, with the relative error each row
resolves). Tolerances come from ``conformance.tolerance``. ``assert_ok()`` raises AssertionError with the
table, so the call drops into a pytest suite (``conformance_check`` fixture of the pytest plugin).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from conformance import adapters
from conformance.derivatives.checks import Check, Inputs
from conformance.engine import Outcome
from conformance.usercheck import domain as dom
from conformance.usercheck import mechanisms, more_checks
from conformance.usercheck.inputs import CheckUsageError, as_array, check_dtype, on_grid
from conformance.usercheck.oracle_choice import OracleChoice, make_case, reference_values, resolution
from conformance.usercheck.table import CheckResult, Row

__all__ = ["check", "CheckResult", "Row", "CheckUsageError", "make_case", "DEFAULT", "DEFAULT_CHECKS"]

# first order both ways, and the second derivative uᵀD²f[v,·] by reverse over reverse, which every rule mechanism
# runs (u·H·v for a scalar f: O(n) evaluations of a numpy reference against the dense Hessian's O(n²), which
# checks="hessian" asks for and a failing scalar row adds as a diagnostic)
DEFAULT_CHECKS = ("gradient", "jvp", "vjp", "rev_over_rev")
DEFAULT = DEFAULT_CHECKS


def parse_checks(checks: str | Iterable[str]) -> tuple[str, ...]:
    """One name, "a,b", or a list of names; every one must be in the menu."""
    names = tuple(c.strip() for c in checks.split(",") if c.strip()) if isinstance(checks, str) else tuple(checks)
    if not names:
        raise CheckUsageError("checks is empty; name at least one check")
    unknown = [c for c in names if not isinstance(c, str) or c not in more_checks.MENU]
    if unknown:
        raise CheckUsageError(
            f"unknown check(s) {', '.join(map(str, unknown))}; choose from {', '.join(more_checks.MENU)}"
        )
    return names


def _frameworks(frameworks: Any, fn: Any) -> list[str]:
    """The frameworks asked for; by default the dict's keys, or every installed AD framework."""
    if frameworks is None:
        if isinstance(fn, Mapping):
            return [adapters.adapter_class(n).name for n in fn]
        return [a.name for a in adapters.installed() if not a.is_reference]
    names = [frameworks] if isinstance(frameworks, str) else list(frameworks)
    return [adapters.adapter_class(n).name for n in names]


def _applies(chk: Check, case: Any, adapter: Any, dtype: str) -> str | None:
    """Why ``chk`` does not run for this function, adapter and dtype (None: it runs)."""
    if chk.scalar and not case.scalar:
        return f"{chk.name} needs a scalar-valued function (this one returns an array)"
    if chk.elementwise and not case.pointwise:
        return (
            f"{chk.name} needs an elementwise function (f is not elementwise at the first input; "
            f"pointwise=True declares it)"
        )
    if chk.ad_only and adapter.is_reference:
        return f"{chk.name} compares two AD programs"
    if dtype not in adapter.dtypes:
        return f"{adapter.name} does not differentiate {dtype}"
    why = more_checks.not_in_low_precision(chk.name, dtype)
    if why:
        return why
    if chk.dtypes is not None and dtype not in chk.dtypes and dtype not in ("float16", "bfloat16"):
        return f"{chk.name} runs in {', '.join(chk.dtypes)} only"
    return None


def check(
    fn: Any,
    x: Any = None,
    *,
    domain: Any = None,
    samples: int | None = None,
    seed: int | None = None,
    checks: str | Iterable[str] = DEFAULT,
    variants: str | Iterable[str] = "default",
    reference: Callable | None = None,
    analytic: bool = False,
    dtype: str = "float64",
    pointwise: bool = False,
    frameworks: str | Iterable[str] | None = None,
    points: Iterable[Any] | None = None,
    shape: tuple[int, ...] | None = None,
    oracle: str = "auto",
    name: str | None = None,
    device: str = "cpu",
    direction_seed: int = 0,
    staged: bool = True,
) -> CheckResult:
    """Run derivative ``checks`` of ``fn`` in each framework against the oracle, at x or over a domain.

    fn: ``fn(xp, x)`` written once against a numpy-like namespace, or {framework: f} of functions of that
        framework's arrays (torch.autograd.Function.apply, jax.custom_vjp/custom_jvp, tf.custom_gradient).
    x, domain, points, samples, seed, shape: where to look (``usercheck.domain``); x may be a framework
        tensor (one that requires grad too). Complex inputs are refused (``usercheck.inputs``).
    checks: one name, "a,b" or a list (default gradient, jvp, vjp, rev_over_rev: u·H·v for a scalar f; the
        scalar-only ones, gradient, hessian and hvp, skip for an array-valued f; third_derivative needs an
        elementwise f: detected by moving each entry alone, or declared with ``pointwise=True``).
    variants: "default" (each check through the API variant that can run the rule), "all", a variant
        name or a list of them (``usercheck.mechanisms``).
    reference: numpy ``f(x)`` in float64 that the oracles differentiate; default fn itself (mpmath where
        it runs there). oracle: "auto" (default), "mpmath", "complex step" or "richardson";
        ``analytic=True`` asks for the complex step (it is still checked against Richardson at each x).
    dtype: float64, float32, float16 or bfloat16 (inputs rounded to the dtype; bounds from the policy).
    staged: run the operators as staged programs (jax.jit) where the framework stages, as ``conformance
        run`` does; False runs them eagerly.
    """
    dtype = check_dtype(dtype)
    names = parse_checks(checks)
    wanted = mechanisms.parse_variants(variants)
    where = dom.sampling(x, domain, points, samples, seed, shape)
    first = on_grid(where.points[0] if where.points else _first_draw(where), dtype)
    try:
        case = make_case(fn, first, reference, name, analytic, pointwise)
    except CheckUsageError as exc:
        if where.strategy is None or "not finite" not in str(exc):
            raise
        raise CheckUsageError(
            f"{exc} — it is a sample of the declared domain ({where.description}): declare "
            f"a domain inside the reference's domain"
        ) from None
    choice = OracleChoice(case, oracle, analytic)
    bases, result = [], CheckResult(case.name, dtype, where=where.description, seed=where.seed)
    for fw in _frameworks(frameworks, fn):
        if case.impls and fw not in case.impls:
            raise CheckUsageError(f"no implementation for {fw}; fn has {', '.join(case.impls)}")
        base = adapters.get(fw).staging(staged)
        ok = base.available()
        if not ok:
            result.rows.append(Row(base.name, base.variant, "*", Outcome.skip(str(ok))))
            continue
        bases.append(base)
    mechanisms.check_names(wanted, bases)
    slots = []
    for b in bases:
        mine = mechanisms.slots(b, wanted)
        if not mine:
            result.rows.append(
                Row(
                    b.name,
                    "*",
                    "*",
                    Outcome.skip(
                        f"{b.name} has none of the API variants {', '.join(wanted)} (it has {', '.join(b.variants)})"
                    ),
                )
            )
        slots += mine
    menu = more_checks.menu(dtype)

    out_shape = np.shape(reference_values(choice.base.fn, first))

    def prepare(p: np.ndarray) -> np.ndarray:
        """p on the dtype's grid, checked against the reference (finite, the same output shape)."""
        xg = on_grid(as_array(p), dtype)
        y = reference_values(choice.base.fn, xg)
        if y.shape != out_shape:
            raise CheckUsageError(
                f"the reference returns shape {y.shape} at x = {xg.tolist()!r} but {out_shape} "
                f"at {first.tolist()!r}; give inputs of one shape"
            )
        if not np.all(np.isfinite(y)):
            raise CheckUsageError(
                f"the reference is not finite at x = {xg.tolist()!r}, inside the declared domain "
                f"({where.description}): declare a domain inside the reference's domain"
            )
        return xg

    def run(xs: np.ndarray, focus: set | None) -> dict:
        case_x, note = choice.at(xs)
        inp = Inputs(xs, direction_seed)
        rows = {}
        for slot in slots:
            for cname in names:
                key = (slot.framework, slot.name, cname)
                if focus is None or key in focus:
                    rows[key] = _row(menu[cname], slot, case_x, note, xs, inp, device, dtype)
        return rows

    ex = dom.explore(run, prepare, where)
    result.examples = ex.examples
    order = [(s.framework, s.name, c) for s in slots for c in names]
    result.rows += [ex.rows[k] for k in order if k in ex.rows]
    if ex.failing_x is not None and result.failures:
        result.reproducer = _reproducer(case.name, ex.failing_x, result, wanted, dtype, reference, where)
    return result


def _first_draw(where: dom.Sampling) -> np.ndarray:
    """One input of the domain (to learn f's output shape and whether it runs in mpmath): the first draw."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    found: list[np.ndarray] = []

    def keep(a: Any) -> None:
        if not found:
            found.append(np.asarray(a))

    test = settings(
        max_examples=1, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
    )(given(where.strategy)(keep))
    hseed(where.seed)(test)()
    return found[0]


def _row(
    chk: Check, slot: mechanisms.Slot, case: Any, note: str | None, x: np.ndarray, inp: Inputs, device: str, dtype: str
) -> Row:
    why = _applies(chk, case, slot.candidates[0], dtype)
    if why:
        return Row(slot.framework, slot.candidates[0].variant, chk.name, Outcome.skip(why))
    ad, out = mechanisms.run_slot(chk, case, slot, device, dtype, inp)
    if note and out.data.get("oracle") == "richardson":
        out.data["oracle_note"] = note
    if out.status in ("pass", "fail"):
        out.data["resolution"] = resolution(chk.name, case, x, out)
    if out.status == "pass":  # a passing row's max relative error over exact-0 entries (noise) says nothing
        out.message = re.sub(r"max rel error [^,]+, ", "", out.message)
    return Row(slot.framework, ad.variant, chk.name, out)


def _reproducer(
    label: str, x: np.ndarray, result: CheckResult, wanted: Any, dtype: str, reference: Any, where: dom.Sampling
) -> str:
    """A stand-alone call that re-runs the failing rows at the failing (shrunk) input, and the whole run."""
    bad = result.failures
    checks = list(dict.fromkeys(r.check for r in bad))
    fws = list(dict.fromkeys(r.framework for r in bad))
    apis = list(dict.fromkeys(r.api for r in bad))
    variants = wanted if wanted == "all" else (apis[0] if len(apis) == 1 else apis)
    ref = ", reference=<your reference>" if reference is not None else ""
    label = label if label.isidentifier() else "fn"
    one = (
        f"conformance.check({label}, x=np.array({x.tolist()!r}), checks={checks!r}, frameworks={fws!r}, "
        f"variants={variants!r}, dtype={dtype!r}{ref}).assert_ok()"
    )
    if where.strategy is None:
        return one
    return f"{one}  — the whole run again: the same call with seed={where.seed} ({where.description})"
