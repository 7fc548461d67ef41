"""float16 and bfloat16: first and second derivatives against a float64 oracle rounded to the dtype.

For a case f, an input x and a cotangent u drawn and *rounded to the dtype* (so that the oracle is
exact for the very input the framework sees), each framework that differentiates the dtype
(``adapter.dtypes``) computes in it

    first order    Jᵀu        (vjp; the gradient for scalar cases)
    second order   uᵀD²f[v,·] (jvp of the vjp; H v for scalar cases)

and the answer is compared with the float64 oracle (``conformance.oracles``: closed form or mpmath)
rounded to the dtype, under bounds in units of the dtype's ε (``tolerance.POLICY`` entries
"low_precision_first"/"low_precision_second"). No finite difference runs in the low dtype — the
oracle is computed in float64 and higher — so no step has to be representable in it.

Points where f, the oracle or the product's terms leave the dtype's finite range, and operations a
framework has no low-precision kernel for (it says so when called), are skipped with the reason.

Magnitudes (issue 19): besides the case's own sample ("mid", check ``low_precision_first``), the input
is scaled so that its largest entry is 8× the dtype's smallest normal number ("tiny": the smaller
entries fall to the subnormals) or 1/64 of its largest finite number ("huge"), checks
``low_precision_first tiny`` etc.; a scaled input outside the case's domain is a skip with the reason.
Where a framework runs the case's own formula (not an op-table row's public function), the formula is
first evaluated at the scaled input with each of its operations correctly rounded to the dtype
(``formula_in_dtype``): where an intermediate overflows the dtype (x⁴ of x = 1000 in float16) or that
ideal program misses f(x) beyond the first-order bound (1 − cos x of a tiny x cancels to 0), the formula
itself — ours, not the framework's — is outside the dtype's range there, and the task is a skip that
says so. A public function's own overflow or underflow (a norm forming Σx² unscaled) stays judged.
Every run profile (ci, dev, thorough) runs every magnitude through every API variant (the ci profile's
rotation, ``conformance.rotation``, runs a seed-determined 1/ROTATION of these tasks per seed); a call
without a profile runs the case's own sample with each framework's default variant.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import numpy as np

from conformance.edges.nested import directional
from conformance.engine import Context, Outcome, Task
from conformance.errors import first_line
from conformance.tolerance import Comparison, Tolerance, compare, policy

DTYPES = ("float16", "bfloat16")
FAMILIES = ("elementwise", "reductions", "nn", "compositions")
MAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38}
TINY = {"float16": 2.0**-14, "bfloat16": 2.0**-126}  # smallest normal: below it precision is lost
# A framework's own words for "no kernel for this dtype" (the call raises before computing).
UNSUPPORTED = re.compile(
    r"Low precision dtypes not supported|not implemented for '(Half|BFloat16)'|No registered '.*' OpKernel|"
    r"Could not find device for node|[Uu]nsupported (dtype|data ?type)|"
    r"not supported for (half|bfloat16|float16)|"
    r"does not support (half|bfloat16|float16)|"
    # TensorFlow's FFTs (no complex32): "RFFT requires tf.float32 or tf.float64
    # inputs", tf.complex's "... must be consistent, and one of [tf.float32, tf.float64]"
    r"requires tf\.float32 or tf\.float64|one of \[tf\.float32, tf\.float64\]|"
    r"must be float32 or float64",
    re.S,
)  # JAX's: "RFFT input must be float32 or float64"


def round_to(a: Any, dtype: str) -> np.ndarray:
    """a (float64) rounded to float16 or bfloat16 (round to nearest even), held in float64."""
    a = np.asarray(a, dtype=np.float64)
    if dtype == "float16":
        with np.errstate(over="ignore"):
            return a.astype(np.float16).astype(np.float64)
    if dtype == "bfloat16":
        b = a.astype(np.float32).view(np.uint32).astype(np.uint64)
        rounded = (b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000
        nan = np.isnan(a)
        out = rounded.astype(np.uint32).view(np.float32).astype(np.float64)
        return np.where(nan, np.nan, out)
    return a


MAGNITUDES = ("mid", "tiny", "huge")


def scale_to(x: np.ndarray, dtype: str, magnitude: str) -> np.ndarray:
    """x scaled so that max |x| is 8·tiny ("tiny") or max/64 ("huge") of the dtype, rounded to it."""
    top = float(np.max(np.abs(x))) if x.size else 0.0
    if magnitude == "mid" or top == 0:
        return x
    target = 8 * TINY[dtype] if magnitude == "tiny" else MAX[dtype] / 64
    return round_to(x * (target / top), dtype)


def _plain(a: Any) -> Any:
    """a with every array in it (nested in lists, tuples, dicts) viewed as a plain ndarray."""
    if isinstance(a, np.ndarray):
        return a.view(np.ndarray)
    if isinstance(a, (list, tuple)):
        return type(a)(_plain(b) for b in a)
    if isinstance(a, dict):
        return {k: _plain(v) for k, v in a.items()}
    return a


class _Rounding:
    """The numpy namespace with each operation's result rounded to ``dtype`` (held in float64): every
    public function of the namespace is one operation, correctly rounded, and so is every ufunc applied
    to its results (the operators of a formula: x * x, 1.0 - c, s ** 0.25, reductions as x.sum()).
    ``overflow`` collects |r| of each finite result r beyond the dtype's largest finite number."""

    def __init__(self, xp: Any, dtype: str, overflow: list | None = None):
        self._xp, self._dtype = xp, dtype
        self.overflow = [] if overflow is None else overflow
        namespace = self

        class OnGrid(np.ndarray):
            def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
                return namespace.round(getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs)))

        self._grid = OnGrid

    def round(self, r: Any) -> Any:
        if isinstance(r, tuple):
            return tuple(self.round(v) for v in r)
        a = np.asarray(r)
        if a.dtype.kind != "f":
            return r
        out = round_to(a, self._dtype)
        beyond = np.isfinite(a) & ~np.isfinite(out)
        if np.any(beyond):
            self.overflow.append(float(np.max(np.abs(a[beyond]))))
        return np.asarray(out).view(self._grid)

    def __getattr__(self, name: str) -> Any:
        obj = getattr(self._xp, name)
        if callable(obj) and not isinstance(obj, type):
            return lambda *a, **k: self.round(obj(*_plain(a), **_plain(k)))
        if isinstance(obj, ModuleType) or hasattr(obj, "_overrides"):  # a sub-namespace (linalg, fft)
            return _Rounding(obj, self._dtype, self.overflow)
        return obj  # a constant or a type


def formula_in_dtype(case: Any, x: np.ndarray, dtype: str) -> tuple[np.ndarray, float | None]:
    """(f(x) by the case's formula with each operation correctly rounded to ``dtype``, the largest
    finite |intermediate| that overflows the dtype or None): what an ideal program of the formula in the
    dtype computes. Where it misses f(x) beyond the bound, or an intermediate overflows, the formula
    itself is outside the dtype's range at x (x⁴ of a huge x, 1 − cos x of a tiny one) and no
    framework's derivative of it can be judged there."""
    xp = _Rounding(__import__("conformance.adapters", fromlist=["get"]).get("numpy").xp, dtype)
    with np.errstate(all="ignore"):
        y = case.fn(xp, xp.round(np.asarray(x, dtype=np.float64)))
    return np.asarray(_plain(y), dtype=np.float64), (max(xp.overflow) if xp.overflow else None)


def _formula_out_of_range(case: Any, x: np.ndarray, y: np.ndarray, dtype: str) -> str | None:
    """The reason the case's own formula cannot be computed in ``dtype`` at x (``formula_in_dtype``), or None."""
    got, overflow = formula_in_dtype(case, x, dtype)
    if overflow is not None:
        return f"an intermediate of the case's formula overflows {dtype} there (|{overflow:.3g}| > {MAX[dtype]:.4g})"
    c = compare(got, y, policy("low_precision_first", dtype))
    if not c.ok:
        w = c.worst
        return (
            f"the case's formula with each operation rounded to {dtype} gives {w.get('got')!r} where "
            f"{w.get('exact')!r} is exact ({c.failure_class}, {c.error_ratio:.3g}× the bound): an intermediate "
            f"leaves the dtype's range or cancels there"
        )
    return None


def _draw(case: Any, dtype: str, seed: int, magnitude: str = "mid") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from conformance.derivatives.checks import out_shape, stable_seed

    rng = np.random.default_rng(stable_seed(seed, case.name, "low precision"))
    x = scale_to(round_to(case.sample(rng, case.shapes[0]), dtype), dtype, magnitude)
    u = round_to(rng.uniform(0.5, 1.5, out_shape(case, x)) * rng.choice([-1.0, 1.0], out_shape(case, x)), dtype)
    v = round_to(rng.uniform(0.5, 1.5, x.shape) * rng.choice([-1.0, 1.0], x.shape), dtype)
    return x, u, v


def _in_range(dtype: str, *arrays: np.ndarray) -> str | None:
    for a in arrays:
        a = np.abs(np.asarray(a, dtype=np.float64))
        if not np.all(np.isfinite(a)) or np.any(a > MAX[dtype] / 4):
            return f"the values at this input leave {dtype}'s finite range (max {MAX[dtype]:.4g})"
    return None


def run(case: Any, order: int, ctx: Context, magnitude: str = "mid") -> Outcome:
    from conformance import oracles

    a, dtype = ctx.adapter, ctx.dtype
    x, u, v = _draw(case, dtype, ctx.seed, magnitude)
    why = case.outside_domain(x) if magnitude != "mid" else None
    if why:
        return Outcome.skip(f"the {magnitude} input is outside the case's domain: {why}")
    np_xp = __import__("conformance.adapters", fromlist=["get"]).get("numpy").xp
    with np.errstate(all="ignore"):
        y = np.asarray(case.fn(np_xp, x), dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            J = np.asarray(oracles.reference_jacobian(case, x).value, dtype=np.float64).reshape(u.size, x.size)
    except oracles.OracleError as exc:
        if magnitude == "mid":
            raise
        return Outcome.skip(f"no oracle at the {magnitude} input: {first_line(exc, 200, with_type=False)}")
    if order == 1:
        exact = (u.reshape(-1) @ J).reshape(x.shape)
        terms = (np.abs(u.reshape(-1)) @ np.abs(J)).reshape(x.shape)
        if not getattr(case, "pointwise", False):
            # an entry of J of a reduction/network is itself a chain-rule sum whose terms are not at hand:
            # their magnitude is taken normwise (the largest |entry|), as for the second order below
            terms = np.maximum(terms, float(np.max(np.abs(exact), initial=0.0)))
    else:
        from conformance.edges import nested

        ref = nested.reference(case, 2, nested.Draw(x, u, v))
        # uᵀD²f[v,·] is a contraction whose terms are not at hand: their magnitude is taken normwise,
        # the largest |entry| (elementwise, a small entry from cancelling terms would be held to ε of itself)
        exact = ref.value
        terms = np.full(np.shape(exact), float(np.max(np.abs(exact), initial=0.0)))
        if case.scalar:  # the terms themselves: |u|·|H|·|v| from the Hessian oracle
            with np.errstate(all="ignore"):
                H = np.asarray(oracles.reference_hessian(case, x).value, dtype=np.float64).reshape(x.size, x.size)
            terms = np.maximum(terms, (float(np.abs(u).sum()) * (np.abs(H) @ np.abs(v).reshape(-1))).reshape(x.shape))
    why = _in_range(dtype, y, exact, terms)
    if why:
        return Outcome.skip(why)
    if magnitude != "mid" and a.name not in case.impls:  # the framework runs the case's own formula
        why = _formula_out_of_range(case, x, y, dtype)
        if why:
            return Outcome.skip(f"the {magnitude} input is outside what the formula can compute in {dtype}: {why}")
    f = case.function(a.name, a.xp)
    xa, ua, va = ctx.array(x), ctx.array(u), ctx.array(v)
    try:
        out = a.dtype_name(f(xa))
        if out != dtype:  # the framework promotes: there is no low-precision computation to judge
            return Outcome.skip(
                f"{a.label} computes {case.name} of {dtype} input in {out} (its output is "
                f"{out}): no {dtype} kernel here"
            )
        if order == 1:
            got = ctx.numpy(a.vjp(f, xa, ua)[1])
        else:
            got = ctx.numpy(directional(a, f, 2)(xa, ua, va))
    except Exception as exc:
        msg = str(exc)
        if UNSUPPORTED.search(msg):
            return Outcome.skip(f"{a.label} has no {dtype} kernel here: {first_line(exc, 200, with_type=False)}")
        raise
    want = round_to(exact, dtype)
    c, tol = judge(got, exact, terms, dtype, order)
    msg = (
        f"{'Jᵀu' if order == 1 else 'uᵀD²f[v,·]'} in {dtype} "
        f"{'matches' if c.ok else 'differs from'} the float64 oracle rounded to {dtype}: "
        f"max rel error {c.max_rel_error:.3g} ({c.max_rel_error / tol.rtol * policy_units(tol, dtype):.3g} ε), "
        f"ratio {c.error_ratio:.3g}"
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input=x.tolist(),
        data={
            "u": u.tolist(),
            "v": v.tolist(),
            "expected": want.tolist(),
            "got": np.asarray(got, np.float64).tolist(),
            "reason": tol.reason,
            **c.stated(),
        },
    )


def judge(got: Any, exact: np.ndarray, terms: np.ndarray, dtype: str, order: int) -> tuple[Comparison, Tolerance]:
    """A framework's answer vs the float64 oracle: |got − exact| <= N ε · max(s, tiny) with s = max(terms,
    |exact|), the magnitude of the product's terms (N = 16 first order, 64 second; ``tolerance.compare``:
    no absolute floor under a nonzero exact value, NaN never passes)."""
    tol = policy("low_precision_first" if order == 1 else "low_precision_second", dtype)
    return compare(np.asarray(got, np.float64), exact, tol, np.maximum(terms, np.abs(exact))), tol


def policy_units(tol: Any, dtype: str) -> float:
    """rtol expressed in ε of the dtype."""
    from conformance.tolerance import EPS

    return tol.rtol / EPS[dtype]


def _applies(adapter: Any, dtype: str) -> str | None:
    if dtype not in adapter.dtypes:
        return f"{adapter.name} does not differentiate {dtype}"
    return None


def magnitudes(profile: Any) -> tuple[str, ...]:
    """Every magnitude under any run profile (ci, dev, thorough: the rotation of the ci profile keeps the
    cost to 1/ROTATION per run); the case's own sample alone without a profile (a direct call)."""
    return ("mid",) if profile is None else MAGNITUDES


def tasks_for(case: Any, profile: Any = None) -> list[Task]:
    if case.family not in FAMILIES:
        return []
    every_variant = profile is not None  # each API variant is its own derivative program
    out = []
    for magnitude in magnitudes(profile):
        for order in (1, 2):
            if order > case.smooth_order:
                continue
            name = f"low_precision_{'first' if order == 1 else 'second'}"
            out.append(
                Task(
                    case.family,
                    case.name,
                    name if magnitude == "mid" else f"{name} {magnitude}",
                    lambda ctx, order=order, m=magnitude: run(case, order, ctx, m),
                    dtypes=DTYPES,
                    per_variant=every_variant,
                    applies=_applies,
                )
            )
    return out
