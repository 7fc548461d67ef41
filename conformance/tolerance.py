"""The tolerance policy: one table, per check and dtype, each bound with its reason; and the
comparison that judges a result against the exact value at every point.

A comparison of an actual array a with an exact (oracle) b, on the scale s = |b| (or, for a product
such as J·v, s = |J|·|v|, the magnitude of its terms: the exact value's own scale for a sum), passes
when, element by element,

    |a − b| <= rtol · max(s, tiny)      where s > 0   (rtol = N ε: N ULPs of the dtype at s)
    |a − b| <= atol                     where s = 0   (the exact value is 0: the one absolute allowance)

with ``tiny`` the dtype's smallest normal number (below it a ULP is the fixed subnormal spacing ε·tiny).
There is no absolute floor under a nonzero exact value: a tiny result that is 100 % wrong fails.
Two more answers are accepted, each stated in the record: a 0 where the exact value lies below the
dtype's normal range (flush-to-zero), and ±inf where the exact value lies beyond the dtype's largest
finite number (the correct rounding). NaN or ±inf never pass where the exact value is finite.
Numerical methods (finite differences, the numpy reference) have an absolute error on the function's
scale; their bounds (``computation="fd"``) keep ``atol`` everywhere, and say so.

Inputs are exactly representable in the dtype under test (the cases draw on the float32 grid, low
precision rounds x to the dtype), so input rounding adds nothing to the condition of the op; where a
grid is not exact (``accuracy``), the op's condition number κ = |x f'(x) / f(x)| widens the bound by
κ·ε/2 and the record says so.

A failure is classified (``Comparison.failure_class``) for the report: ``non_finite`` (NaN/±inf where a
finite value was due), ``underflow`` (0, a subnormal or a 1-ULP-of-one residue where a normal number was
due: lost to underflow or cancellation), ``wrong_sign``, ``wrong_value``; ``convention`` and
``unsupported`` come from the conventions probes and from framework refusals (``error_class``).
Bounds are never scaled by array size: the cases keep their sizes small and the errors measured are
per element. ``rtol`` is stated in units of the dtype's machine epsilon ε where that is the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

EPS = {
    "float16": 2.0**-10,
    "bfloat16": 2.0**-7,
    "float32": 2.0**-23,
    "float64": 2.0**-52,
    "complex64": 2.0**-23,
    "complex128": 2.0**-52,
}
# The smallest normal number: below it a result has fewer significant bits (subnormal) or is 0.
TINY = {
    "float16": 2.0**-14,
    "bfloat16": 2.0**-126,
    "float32": 2.0**-126,
    "float64": 2.0**-1022,
    "complex64": 2.0**-126,
    "complex128": 2.0**-1022,
}
# The largest finite number: beyond it the correctly rounded result is ±inf.
HUGE = {
    "float16": 65504.0,
    "bfloat16": 3.3895313892515355e38,
    "float32": 3.4028234663852886e38,
    "float64": 1.7976931348623157e308,
    "complex64": 3.4028234663852886e38,
    "complex128": 1.7976931348623157e308,
}
FAILURE_CLASSES = ("wrong_value", "underflow", "non_finite", "wrong_sign", "convention", "unsupported")


@dataclass(frozen=True)
class Tolerance:
    """``rtol`` (relative, N ε of ``dtype``), ``atol`` (absolute: only where the exact value is 0,
    or everywhere when ``absolute_everywhere``, for numerical methods), and the reason."""

    rtol: float
    atol: float
    reason: str
    dtype: str | None = None
    absolute_everywhere: bool = False


def _t(rtol_eps: float, atol_eps: float, reason: str, dtype: str) -> Tolerance:
    eps = EPS[dtype]
    return Tolerance(rtol_eps * eps, atol_eps * eps, reason, dtype)


# (check, kind of computation) -> (rtol in ε, atol in ε, reason). "ad" is a framework's automatic
# differentiation; "fd" is a numerical estimate (the numpy reference or a finite-difference oracle).
POLICY: dict[tuple[str, str], tuple[float, float, str]] = {
    ("exact", "ad"): (
        64,
        64,
        "AD and an exact oracle (closed form or mpmath rounded to the dtype) differ only by the "
        "rounding of O(10) operations in the derivative program: tens of ε",
    ),
    ("agreement", "ad"): (
        256,
        256,
        "two AD programs (API variants, modes or frameworks) round differently, and each may use "
        "different reduction orders or fused kernels: a few hundred ε covers the cases' conditioning",
    ),
    ("workload_agreement", "ad"): (
        2**52 * 1e-8,
        2**52 * 1e-8,
        "issue 7's criterion for the GMM and D-LSTM gradients: rho = |x − y| / max(1, |x| + |y|) "
        "<= 1e-8 between frameworks and the float64 numpy reference (ADBench/GradBench validate at "
        "this order); the sums over 1000 points or 1023 time steps round far below it (float64 only)",
    ),
    ("second_order", "ad"): (
        1024,
        1024,
        "second derivatives chain two derivative programs and square conditioning: ~10³ ε",
    ),
    ("third_order", "ad"): (4096, 4096, "third derivatives nest three programs; errors grow with each level: ~4·10³ ε"),
    ("quadrature", "ad"): (
        256,
        256,
        "a quadrature rule (trapezoid, Gauss–Legendre) is a weighted sum of <= 64 terms of O(1) "
        "evaluated against an exact (mpmath) sum: recursive summation adds up to ~n/2 ε on top of the "
        "integrand's own tens of ε; sums are compared on the scale of Σ|wᵢ gᵢ|, never of the array size",
    ),
    ("quadrature", "fd"): (
        2**52 * 1e-8,
        2**52 * 1e-8,
        "the same quadrature of a numerically differentiated integrand inherits the ~1e-10 relative "
        "error of Richardson differences: 1e-8 (float64 only), as for ('exact', 'fd')",
    ),
    ("exact", "fd"): (
        2**52 * 1e-8,
        2**52 * 1e-8,
        "Richardson-extrapolated central differences reach ~1e-10 relative on smooth cases; "
        "1e-8 leaves margin for the cases' conditioning (float64 only)",
    ),
    ("second_order", "fd"): (
        2**52 * 1e-6,
        2**52 * 1e-6,
        "second differences lose about twice the digits of first differences: 1e-6",
    ),
    ("third_order", "fd"): (2**52 * 1e-4, 2**52 * 1e-4, "high-order stencils amplify rounding by h^-n: 1e-4"),
    ("taylor_order", "fd"): (
        0.5 * 2**52,
        0,
        "margin on the fitted convergence order of a Taylor remainder (slope of log r vs log h over "
        "two decades of h): the next Taylor term bends the fit by < 0.3 on the cases' scales, while a "
        "wrong derivative of order k drops the slope by a whole unit, to k",
    ),
    ("trajectory", "optimizer"): (
        4096,
        4096,
        "an optimizer trajectory chains 100 steps of O(10) roundings each on a contracting "
        "objective; 4096 ε ≈ 9.1e-13 in float64 meets the 1e-12 relative target of issue 9",
    ),
    ("low_precision_first", "ad"): (
        16,
        16,
        "float16/bfloat16 first derivatives vs a float64 oracle rounded to the dtype: every operation "
        "of the derivative program rounds to ε/2 of the dtype (and the oracle's rounding adds ε/2); "
        "a dozen roundings, judged against the magnitude of the product's terms: 16 ε",
    ),
    ("low_precision_second", "ad"): (
        64,
        64,
        "float16/bfloat16 second derivatives: two chained derivative programs in the dtype, whose "
        "intermediate products round at each of twice as many operations: 64 ε",
    ),
}


# Bounds whose atol applies everywhere, not only at an exact 0: results that are not values of an op at a
# point — optimizer iterates converging to 0 (their error is on the scale of the start), quadrature sums
# and workload gradients compared on the scale of their terms by the issue that set them.
ABSOLUTE = {("trajectory", "optimizer"), ("quadrature", "ad"), ("quadrature", "fd"), ("workload_agreement", "ad")}


def policy(check: str, dtype: str, computation: str = "ad") -> Tolerance:
    """The bound for ``check`` ("exact", "agreement", "second_order", "third_order") in ``dtype``.

    Numerical ("fd") bounds are absolute (they do not scale with the dtype) and computed in float64.
    """
    rtol_e, atol_e, reason = POLICY[(check, computation)]
    if computation == "fd":
        return Tolerance(rtol_e * EPS["float64"], atol_e * EPS["float64"], reason, dtype, True)
    tol = _t(rtol_e, atol_e, reason, dtype)
    return replace(tol, absolute_everywhere=True) if (check, computation) in ABSOLUTE else tol


@dataclass(frozen=True)
class Comparison:
    max_abs_error: float
    max_rel_error: float
    error_ratio: float  # max |a − b| / allowance: <= 1 passes
    ok: bool
    max_ulp: float = 0.0  # max |a − b| in ULPs of the dtype at the scale s
    failure_class: str | None = None
    basis: str = ""  # what the accepted error was judged against, and any allowance used
    worst: dict = field(default_factory=dict)  # the worst element: index, got, exact

    def stated(self) -> dict:
        """What a record states about this comparison: the basis of the accepted error, the failure
        class (None on a pass), the error in ULPs of the dtype and the worst element."""
        return {"basis": self.basis, "failure_class": self.failure_class, "max_ulp": self.max_ulp, "worst": self.worst}


def ulp(s, dtype: str | None) -> np.ndarray:
    """The dtype's unit in the last place at magnitude s: ε·2^⌊log₂ max(s, tiny)⌋ (the subnormal
    spacing ε·tiny below the normal range); float64's when the dtype is not known."""
    d = dtype if dtype in EPS else "float64"
    m = np.maximum(np.abs(np.asarray(s, dtype=np.float64)), TINY[d])
    with np.errstate(over="ignore", invalid="ignore"):
        m = np.where(np.isfinite(m), m, HUGE[d])
        return EPS[d] * np.exp2(np.floor(np.log2(m)))


def classify(a: complex | float, b: complex | float, dtype: str | None) -> str:
    """The failure class of one wrong element a where b was exact (module docstring)."""
    d = dtype if dtype in EPS else "float64"
    if not np.isfinite(a):
        return "non_finite"
    if not np.isfinite(b):
        return "wrong_value"
    aa, ab = abs(a), abs(b)
    if ab >= TINY[d] and (aa < TINY[d] or (aa <= 4 * EPS[d] and abs(a - b) >= 0.5 * ab)):
        return "underflow"
    if np.isrealobj(a) and np.isrealobj(b) and a * b < 0:
        return "wrong_sign"
    return "wrong_value"


def compare(actual, expected, tol: Tolerance, scale=None, scale_name: str | None = None) -> Comparison:
    """Judge ``actual`` against the exact ``expected`` under ``tol`` (module docstring): relative to
    s = |expected|, or to s = |scale| (broadcast) where a check judges a product by the magnitude of
    its terms; ``atol`` only where s = 0 (or everywhere for a numerical method's bound). A shape
    mismatch, NaN or ±inf where a finite value was due never passes; equal infinities agree."""
    cplx = np.iscomplexobj(actual) or np.iscomplexobj(expected)
    a = np.asarray(actual, dtype=np.complex128 if cplx else np.float64)
    b = np.asarray(expected, dtype=a.dtype)
    d = tol.dtype if tol.dtype in EPS else None
    tiny, huge = (TINY[d], HUGE[d]) if d else (0.0, np.inf)
    if a.shape != b.shape:
        return Comparison(
            float("inf"),
            float("inf"),
            float("inf"),
            False,
            float("inf"),
            "wrong_value",
            f"shape {a.shape} where {b.shape} was due",
        )
    if a.size == 0:
        return Comparison(0.0, 0.0, 0.0, True, 0.0, None, "empty")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        same_inf = np.isinf(a) & np.isinf(b) & (a == b)
        mag = np.abs(np.where(same_inf, 0.0, b))
        diff = np.where(same_inf, 0.0, np.abs(a - b))
        diff = np.where(np.isnan(diff) & ~np.isnan(b), np.inf, diff)
        s = mag if scale is None else np.broadcast_to(np.abs(np.asarray(scale, dtype=np.float64)), diff.shape)
        s = np.where(np.isnan(s), np.inf, s)
        if tol.absolute_everywhere:
            allow = tol.atol + tol.rtol * s
        else:
            allow = np.where(s > 0, tol.rtol * np.maximum(s, tiny), tol.atol)
        zero = (s == 0) & ~same_inf
        # an exact value below the normal range is only determined to the smallest normal number under
        # flush-to-zero arithmetic: 0, a subnormal or ±tiny of the exact value's sign is accepted there
        ftz = (np.abs(a) <= tiny) & (np.real(a) * np.real(b) >= 0) & (mag > 0) & (mag < tiny) & np.isfinite(b)
        over = np.isinf(a) & np.isfinite(b) & (mag > huge) & (np.sign(np.real(a)) == np.sign(np.real(b)))
        ratio = np.where(ftz | over | same_inf | (diff == 0), 0.0, diff / allow)
        ratio = np.where(np.isnan(ratio), np.inf, ratio)
        rel = np.where(mag > 0, diff / np.where(mag > 0, mag, 1.0), np.where(diff > 0, np.inf, 0.0))
        ulps = np.where(ftz | over | same_inf | (diff == 0), 0.0, diff / ulp(s, d))
    bad_nan = bool(np.isnan(b).any() or np.isnan(a[np.isnan(b)]).any())
    k = int(np.argmax(ratio))
    max_ratio = float(ratio.reshape(-1)[k])
    ok = max_ratio <= 1.0 and not bad_nan
    worst_a, worst_b = a.reshape(-1)[k], b.reshape(-1)[k]
    cls = None if ok else ("non_finite" if bad_nan else classify(worst_a, worst_b, d))
    unit = f"ULP of {d}" if d else "ε of float64"
    n_ulp = tol.rtol / EPS[d] if d else tol.rtol / EPS["float64"]
    if tol.absolute_everywhere:
        parts = [
            f"absolute and relative: |a − b| <= {tol.atol:.3g} + {tol.rtol:.3g}·s everywhere (a "
            f"numerical method's error, or a bound set on the scale of the whole result: see its reason)"
        ]
    else:
        on = scale_name or ("|exact|" if scale is None else "the magnitude of the product's terms")
        parts = [f"relative: |a − b| <= {n_ulp:g} {unit} of {on}"]
        if zero.any():
            parts.append(f"absolute {tol.atol:.3g} where the exact value is 0 ({int(zero.sum())} of {a.size})")
    if ftz.any():
        parts.append(
            f"flush-to-zero (a result of at most the smallest normal, same sign) accepted where the "
            f"exact value is below {d}'s normal range "
            f"(< {tiny:.3g}; {int(ftz.sum())} of {a.size})"
        )
    if over.any():
        parts.append(
            f"±inf accepted where the exact value exceeds {d}'s largest finite number ({int(over.sum())} of {a.size})"
        )
    worst = {
        "index": [int(i) for i in np.unravel_index(k, a.shape)] if a.ndim else [],
        "got": _plain(worst_a),
        "exact": _plain(worst_b),
    }
    return Comparison(
        float(np.max(diff)),
        float(np.max(rel)),
        float("nan") if bad_nan else max_ratio,
        ok,
        float(np.max(ulps)),
        cls,
        "; ".join(parts),
        worst,
    )


def _plain(z) -> float | list[float]:
    return [float(z.real), float(z.imag)] if isinstance(z, complex) or np.iscomplexobj(z) else float(z)


# A framework's own words for "this operation is not available" (the call raises before computing).
REFUSAL = re.compile(
    r"NotImplementedError|not implemented|[Nn]o gradient (defined|registered)|"
    r"LookupError: gradient registry has no entry|not supported|[Uu]nsupported|"
    r"No registered '.*' OpKernel|does not support",
    re.S,
)


def error_class(message: str) -> str | None:
    """The failure class of an ``error`` record from its message: ``unsupported`` where the framework
    refuses the operation, ``non_finite`` where the function returned NaN/±inf on a valid input,
    else None (a crash is not one of the classes)."""
    if REFUSAL.search(message or ""):
        return "unsupported"
    if "non-finite" in (message or ""):
        return "non_finite"
    return None
