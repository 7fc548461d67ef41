"""The Case built from a user's function, and the oracle that judges it at each input.

Oracles, best first (``conformance.oracles``):

- **mpmath** — an xp-generic ``fn(xp, x)`` without ``reference`` that runs in the mpmath namespace: its
  derivatives at 40 digits, exact to float64 rounding;
- **complex step** — a numpy ``reference`` that runs on complex input: J v = Im f(x + ihv)/h, exact to
  rounding where f is analytic. Used at an input only where it agrees there with Richardson along a
  random direction (|cs − R| <= 1e-8 + 1e-8·|R| + 4·R's own error estimate): abs, max, where and branches
  are not analytic, and there the complex step is silently wrong, so such an input falls back to
  Richardson and the row says so (``analytic=True`` cannot make a non-analytic reference blame the rule);
- **richardson** — central differences of the reference extrapolated to h → 0, ~1e-10 relative on
  smooth functions; its bound is 1e-8 relative plus 1e-8 absolute (``tolerance.POLICY[("exact", "fd")]``).

Second derivatives of a numpy reference come from Richardson (1e-6), of an mpmath-capable function from
mpmath. ``resolution`` states, per row, the smallest relative error of the rule that the row flags: a
derivative off by a factor (1 + δ) fails when δ exceeds it.

A reference must compute in float64: its derivatives by differences are only as good as its values, so a
float32 result is refused (it would fail a correct float64 rule by ~1e-4 and pass wrong ones).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

import numpy as np

from conformance import adapters
from conformance.derivatives.case import Case
from conformance.usercheck.inputs import CheckUsageError

ORACLES = ("auto", "mpmath", "complex step", "richardson")


def mp_capable(fn: Callable, x: np.ndarray) -> bool:
    """Whether fn(xp, x) runs in the mpmath namespace of the oracles and agrees with numpy there to
    1e-10 (then mpmath is its oracle)."""
    try:
        import mpmath

        from conformance import oracles
        from conformance.mp_namespace import to_float, to_mp

        with mpmath.workdps(40):
            y = to_float(np.asarray(fn(oracles.mp_namespace(), to_mp(x)), dtype=object))
        with np.errstate(all="ignore"):
            yn = np.asarray(fn(adapters.get("numpy").xp, np.asarray(x)), dtype=np.float64)
        return bool(np.all(np.isfinite(y)) and np.allclose(y, yn, rtol=1e-10, atol=1e-300))
    except Exception:
        return False


def _array_in(f: Callable) -> Callable:
    """f(xp, z) called with z as an array: numpy turns 0-d results into scalars (x + h·v of a 0-d x in a
    finite difference), which ``xp.asarray(c, like=z)`` and shape-reading functions refuse."""

    def g(xp: Any, z: Any) -> Any:
        return f(xp, np.asarray(z) if isinstance(z, (np.generic, float, int)) else z)

    return g


def reference_values(fn: Callable, x: np.ndarray) -> np.ndarray:
    """The reference at x in numpy, or a CheckUsageError saying what went wrong."""
    try:
        with np.errstate(all="ignore"):
            return np.asarray(fn(adapters.get("numpy").xp, np.asarray(x)))
    except Exception as exc:
        raise CheckUsageError(
            f"the reference function raised {type(exc).__name__}: {exc}; it must run "
            f"on a numpy float64 array of shape {np.shape(x)}"
        ) from exc


def make_case(
    fn: Any,
    x: np.ndarray,
    reference: Callable | None = None,
    name: str | None = None,
    analytic: bool = False,
    pointwise: bool = False,
) -> Case:
    """A Case from a user function: ``fn(xp, x)`` or {framework: f(array)}, judged through ``reference``
    (a numpy function of x) or, without one, through fn itself (mpmath where it runs there)."""
    x = np.asarray(x, dtype=np.float64)
    impls: dict[str, Callable] = {}
    if isinstance(fn, Mapping):
        if not fn:
            raise CheckUsageError("fn is an empty dict; give {framework: function} for at least one framework")
        for fw, f in fn.items():
            if not callable(f):
                raise CheckUsageError(f"fn[{fw!r}] is not callable; give a function of that framework's array")
            impls[adapters.adapter_class(fw).name] = lambda xp, z, f=f: f(z)
        if reference is None and "numpy" not in impls:
            raise CheckUsageError(
                "per-framework functions need reference=<numpy function of x> (or a "
                "'numpy' entry) for the oracle to differentiate"
            )
        ref_fn = impls["numpy"] if reference is None else (lambda xp, z: reference(z))
        mp, label = False, name or "user function"
    elif callable(fn):
        label = name or getattr(fn, "__name__", "user function")
        if reference is None:
            ref_fn, mp = fn, mp_capable(fn, x)
        else:  # fn runs in every framework, the reference is what the oracles differentiate
            impls = {n: fn for n in adapters.names() if not adapters.adapter_class(n).is_reference}
            ref_fn, mp = (lambda xp, z: reference(z)), False
    else:
        raise CheckUsageError(
            f"fn must be a function fn(xp, x) or a dict {{framework: function}}, not {type(fn).__name__}"
        )
    y = reference_values(ref_fn, x)
    if not np.issubdtype(y.dtype, np.number):
        raise CheckUsageError(f"the reference returned {y.dtype} values; it must return float64 numbers")
    if np.iscomplexobj(y):
        raise CheckUsageError(
            "the reference returned complex values at a real x; the checks differentiate real functions of real inputs"
        )
    if y.dtype.itemsize < 8:
        raise CheckUsageError(
            f"the reference returned {y.dtype}, a lower precision than the float64 its "
            f"oracles need (its differences would be off by ~1e-4 and fail correct rules): "
            f"compute it in float64"
        )
    if not np.all(np.isfinite(y)):
        raise CheckUsageError(f"the reference function is not finite at x = {x.tolist()}; choose an x in its domain")
    if pointwise:
        _check_pointwise(ref_fn, x, y)
    else:  # detected: its derivatives' condition allowance (conformance.derivatives.judging) then applies
        pointwise = looks_pointwise(ref_fn, x, y)
    case = Case(
        name=label,
        family="user",
        fn=_array_in(ref_fn),
        shapes=(tuple(x.shape),),
        scalar=y.shape == (),
        mp=mp,
        analytic=bool(analytic) and not mp,
        impls=impls,
        pointwise=bool(pointwise),
        smooth_order=3,
    )
    return case


def looks_pointwise(ref_fn: Callable, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether y has x's shape and moving each xⱼ alone (by 1e-3 relative) moves yⱼ alone, bit for bit
    (n + 1 evaluations of the reference): then f is elementwise, and a backward-stable f' may be off by
    ε·|x f''(x)| near a zero of f' (``judging.pointwise_condition``), an allowance a correct rule needs."""
    if y.shape != x.shape or x.size == 0:
        return False
    base = y.reshape(-1)
    for j in range(x.size):
        z = x.copy().reshape(-1)
        z[j] += 1e-3 * max(1.0, abs(z[j]))
        with np.errstate(all="ignore"):
            moved = np.asarray(reference_values(ref_fn, z.reshape(x.shape))).reshape(-1)
        others = np.arange(x.size) != j
        if moved.shape != base.shape or np.any(moved[others] != base[others]) or moved[j] == base[j]:
            return False
    return True


def _check_pointwise(ref_fn: Callable, x: np.ndarray, y: np.ndarray) -> None:
    """pointwise=True promises y has x's shape and yᵢ depends on xᵢ alone: moving x₀ must move y₀ only."""
    if y.shape != x.shape:
        raise CheckUsageError(
            f"pointwise=True, but f returns shape {y.shape} for an input of shape {x.shape}; "
            f"an elementwise function keeps its input's shape"
        )
    if x.size < 2:
        return
    z = x.copy().reshape(-1)
    z[0] += 1e-3 * max(1.0, abs(z[0]))
    moved = reference_values(ref_fn, z.reshape(x.shape)).reshape(-1)
    if np.any(moved[1:] != y.reshape(-1)[1:]):
        raise CheckUsageError(
            "pointwise=True, but changing x[0] changes other entries of f(x); declare "
            "pointwise only for elementwise functions"
        )


class OracleChoice:
    """Per input, the Case whose oracle judges it: the complex-step case where the reference runs on complex
    input and agrees with Richardson there, else the Richardson case (``oracle`` forces one)."""

    def __init__(self, case: Case, oracle: str = "auto", analytic: bool = False):
        if oracle not in ORACLES:
            raise CheckUsageError(f"oracle {oracle!r} is unknown; choose one of {', '.join(ORACLES)}")
        if oracle == "mpmath" and not case.mp:
            raise CheckUsageError("oracle='mpmath' needs an xp-generic fn (no reference) that runs in mpmath")
        self.mode = oracle
        self.requested_analytic = analytic or oracle == "complex step"
        # the two cases share their bound functions (``_bound``), hence their staged programs
        self.richardson = dataclasses.replace(case, analytic=False)
        self.complex_step = dataclasses.replace(case, analytic=True)
        self.mp = case.mp
        self._memo: dict[bytes, tuple[Case, str | None]] = {}

    @property
    def base(self) -> Case:
        return self.richardson

    def at(self, x: np.ndarray) -> tuple[Case, str | None]:
        """(the case to judge x with, a note when the complex step was set aside at x)."""
        if self.mp:
            return self.richardson, None
        if self.mode == "richardson":
            return self.richardson, None
        key = x.tobytes() + str(x.shape).encode()
        if key not in self._memo:
            self._memo[key] = self._choose(x)
        return self._memo[key]

    def _choose(self, x: np.ndarray) -> tuple[Case, str | None]:
        from conformance import finite_differences as fd
        from conformance.oracles import numpy_fn

        f = numpy_fn(self.richardson)
        v = np.random.default_rng(len(x.reshape(-1))).standard_normal(x.shape)
        try:
            with np.errstate(all="ignore"):
                z = np.asarray(f(x + 1e-30j * v))
            runs = np.iscomplexobj(z) and bool(np.all(np.isfinite(z)))
        except Exception as exc:
            runs, z = False, f"{type(exc).__name__}: {exc}"
        if not runs:
            why = "the reference does not run on complex input" + (
                f" ({z})" if isinstance(z, str) else " (it returned real or non-finite values)"
            )
            return self.richardson, (f"Richardson: {why}" if self.requested_analytic else None)
        with np.errstate(all="ignore"):
            cs = fd.jvp_complex_step(f, x, v)
            rich, err = fd.jvp(f, x, v)
        gap = np.abs(np.asarray(cs) - np.asarray(rich))
        allow = 1e-8 + 1e-8 * np.abs(np.asarray(rich)) + 4 * err
        worst = float(np.max(gap / allow)) if np.size(gap) else 0.0
        if worst <= 1.0:
            return self.complex_step, None
        return self.richardson, (
            f"Richardson: the complex step of the reference disagrees with Richardson at "
            f"this x ({worst:.3g}× the bound), so the reference is not analytic here "
            f"(abs, max, where or a branch); the rule is judged by Richardson"
            + (", not by the complex step analytic=True asked for" if self.requested_analytic else "")
        )


# ------------------------------------------------------------------ resolution
ORACLE_KIND = {"gradient": "jacobian", "jvp": "jacobian", "vjp": "jacobian", "hessian": "hessian", "hvp": "hessian"}


def resolution(check: str, case: Case, x: np.ndarray, outcome: Any) -> float | None:
    """The smallest relative error δ of a rule — its derivative off by a factor (1 + δ) — that this row
    flags at x: the bound's rtol, plus atol/max|exact| where the oracle's bound is absolute (Richardson),
    and at least the oracle's own error estimate relative to max|exact|. None where the row has no bound."""
    rtol = outcome.tolerance
    if rtol is None or "basis" not in outcome.data:
        return None
    kind = ORACLE_KIND.get(check)
    if kind is None:
        return float(rtol)
    from conformance.derivatives.checks import oracle

    try:
        ref = oracle(kind, case, x)
    except Exception:
        return float(rtol)
    top = float(np.max(np.abs(ref.value), initial=0.0))
    if top == 0:
        return None
    r = float(rtol) + ((outcome.atol or 0.0) / top if ref.method == "richardson" else 0.0)
    return max(r, float(ref.error_estimate) / top)
