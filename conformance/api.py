"""``conformance.check``: hold a user's function — and its hand-written gradient rules — to an oracle.

    import conformance

    def f(xp, x):                         # one xp-generic function, run in every framework
        return xp.sum(xp.sin(x) * xp.exp(x))

    conformance.check(f, [0.1, 0.2, 0.3]).assert_ok()

    conformance.check({"torch": my_torch_fn, "jax": my_jax_fn},   # per-framework implementations,
                      x, reference=numpy_fn).assert_ok()          # e.g. custom_vjp / autograd.Function

Each requested check (``conformance.derivatives.checks``: gradient, jvp, vjp, hessian, adjoint,
jacobian_modes, hessian_consistency, hvp, taylor) runs in each framework against the oracle of
``conformance.oracles`` applied to the *reference*: the xp-generic function itself (run in numpy, and
in mpmath at 40 digits when it runs there: an exact oracle), or ``reference``, a numpy function
``reference(x)`` (Richardson extrapolation, or the complex step when ``analytic=True``). Tolerances
come from ``conformance.tolerance``. The result holds one Outcome per (framework variant, check) and
``assert_ok()`` raises AssertionError with a readable table, so it drops into a pytest suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from conformance import adapters
from conformance.derivatives.case import Case
from conformance.derivatives.checks import CHECKS, Inputs, to_float32_grid
from conformance.engine import Context, Outcome
from conformance.errors import ConformanceError, first_line

DEFAULT_CHECKS = ("gradient", "jvp", "vjp", "hessian")


class CheckUsageError(ConformanceError, ValueError):
    pass


@dataclass
class Row:
    framework: str
    api: str
    check: str
    outcome: Outcome

    @property
    def status(self) -> str:
        return self.outcome.status


@dataclass
class CheckResult:
    """Outcomes of ``conformance.check``, one Row per (framework, API variant, check)."""

    name: str
    dtype: str
    rows: list[Row] = field(default_factory=list)

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failures

    def outcome(self, framework: str, check: str, api: str | None = None) -> Outcome:
        for r in self.rows:
            if r.framework == framework and r.check == check and (api is None or r.api == api):
                return r.outcome
        raise KeyError(f"no outcome for {framework} {check}")

    def table(self) -> str:
        """One line per (framework[api], check): status, error ratio, max relative error, message."""
        head = f"{'framework[api]':<28} {'check':<20} {'status':<7} {'ratio':>9} {'max rel':>9}  message"
        lines = [f"conformance.check({self.name}, dtype={self.dtype})", head]
        for r in self.rows:
            o = r.outcome
            ratio = "" if o.error_ratio is None else f"{o.error_ratio:.3g}"
            rel = "" if o.max_rel_error is None else f"{o.max_rel_error:.3g}"
            lines.append(f"{r.framework + '[' + r.api + ']':<28} {r.check:<20} {o.status:<7} {ratio:>9} "
                         f"{rel:>9}  {o.message[:120]}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def assert_ok(self) -> "CheckResult":
        """Raise AssertionError with the table when any check failed or raised."""
        if not self.ok:
            bad = ", ".join(f"{r.framework}[{r.api}] {r.check}" for r in self.failures)
            raise AssertionError(f"derivative checks failed: {bad}\n{self.table()}")
        return self


def _mp_capable(fn: Callable, x: np.ndarray) -> bool:
    """Whether fn(xp, x) runs in the mpmath namespace of the oracles (then mpmath is its oracle)."""
    try:
        import mpmath

        from conformance import oracles
        from conformance.mp_namespace import to_float, to_mp

        with mpmath.workdps(40):
            y = to_float(np.asarray(fn(oracles.mp_namespace(), to_mp(x)), dtype=object))
        return bool(np.all(np.isfinite(y)))
    except Exception:
        return False


def make_case(fn: Any, x: np.ndarray, reference: Callable | None = None, name: str | None = None,
              analytic: bool = False) -> Case:
    """A Case from a user function: ``fn(xp, x)`` or {framework: f(array)}, judged by ``reference``."""
    impls: dict[str, Callable] = {}
    if isinstance(fn, Mapping):
        if not fn:
            raise CheckUsageError("fn is an empty dict; give {framework: function} for at least one framework")
        for fw, f in fn.items():
            if not callable(f):
                raise CheckUsageError(f"fn[{fw!r}] is not callable; give a function of that framework's array")
            impls[adapters.adapter_class(fw).name] = (lambda xp, z, f=f: f(z))
        if reference is None and "numpy" in impls:
            ref_fn, mp = impls["numpy"], False
        elif reference is None:
            raise CheckUsageError("per-framework functions need reference=<numpy function of x> (or a "
                                  "'numpy' entry) for the oracle to differentiate")
        else:
            ref_fn, mp = (lambda xp, z: reference(z)), False
        label = name or "user function"
    elif callable(fn):
        if reference is not None:
            ref_fn, mp = (lambda xp, z: reference(z)), False
        else:
            ref_fn, mp = fn, _mp_capable(fn, x)
        label = name or getattr(fn, "__name__", "user function")
    else:
        raise CheckUsageError(f"fn must be a function fn(xp, x) or a dict {{framework: function}}, "
                              f"not {type(fn).__name__}")
    try:
        y = np.asarray(ref_fn(adapters.get("numpy").xp, np.asarray(x)))
    except Exception as exc:
        raise CheckUsageError(f"the reference function raised {type(exc).__name__}: {exc}; it must run "
                              f"on a numpy array of shape {np.shape(x)}") from exc
    if not np.all(np.isfinite(y)):
        raise CheckUsageError("the reference function is not finite at x; choose an x in its domain")
    generic = not isinstance(fn, Mapping)
    return Case(name=label, family="user", fn=fn if generic else ref_fn,
                shapes=(tuple(np.shape(x)),), scalar=y.shape == (), mp=mp,
                analytic=bool(analytic), impls=impls,
                exact_fn=None if ref_fn is fn else ref_fn)


def check(fn: Any, x: Any, *, frameworks: Iterable[str] | None = None,
          checks: Iterable[str] = DEFAULT_CHECKS, dtype: str = "float64",
          reference: Callable | None = None, variants: str = "default", analytic: bool = False,
          name: str | None = None, device: str = "cpu", direction_seed: int = 0,
          staged: bool = True) -> CheckResult:
    """Run derivative ``checks`` of ``fn`` at ``x`` in each framework against the oracle.

    fn: ``fn(xp, x)`` written once against a numpy-like namespace, or a dict {framework: f} of
        functions of that framework's arrays (e.g. wrapping torch.autograd.Function, jax.custom_vjp,
        tf.custom_gradient).
    reference: numpy ``f(x)`` the oracle differentiates; default the xp-generic fn itself (through
        numpy and mpmath: exact oracles). ``analytic=True`` allows the complex-step oracle on it.
    frameworks: default the dict's keys, or every installed AD framework. variants: "default" or "all".
    staged: run the operators as staged programs (jax.jit) where the framework stages, as
        ``conformance run`` does; False runs them eagerly.
    Checks that do not apply (gradient/Hessian of a non-scalar function) are recorded as skip.
    """
    x = np.asarray(x, dtype=np.float64)
    if dtype not in ("float64", "float32"):
        raise CheckUsageError(f"dtype {dtype!r} is not supported here; use 'float64' or 'float32'")
    if dtype == "float32":
        x = to_float32_grid(x)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise CheckUsageError(f"unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    case = make_case(fn, x, reference, name, analytic)
    if frameworks is None:
        frameworks = list(case.impls) if case.impls else [a.name for a in adapters.installed()
                                                          if not a.is_reference]
    result = CheckResult(case.name, dtype)
    for fw in frameworks:
        base = adapters.get(fw).staging(staged)
        ok = base.available()
        if not ok:
            result.rows.append(Row(base.name, base.variant, "*", Outcome.skip(str(ok))))
            continue
        if case.impls and base.name not in case.impls:
            raise CheckUsageError(f"no implementation for {base.name}; fn has {', '.join(case.impls)}")
        chosen = base.all_variants() if variants == "all" else [base]
        for ad in chosen:
            ctx = Context(ad, device, dtype, 0)
            for name_ in checks:
                result.rows.append(Row(ad.name, ad.variant, name_, _run_one(CHECKS[name_], case, ctx, x,
                                                                             direction_seed)))
    return result


def _run_one(chk: Any, case: Case, ctx: Context, x: np.ndarray, direction_seed: int) -> Outcome:
    if chk.scalar and not case.scalar:
        return Outcome.skip(f"{chk.name} needs a scalar-valued function")
    if chk.ad_only and ctx.adapter.is_reference:
        return Outcome.skip(f"{chk.name} compares two AD programs")
    try:
        return chk.run(case, ctx, Inputs(x, direction_seed))
    except Exception as exc:
        return Outcome("error", message=first_line(exc, 300), input=x.tolist())
