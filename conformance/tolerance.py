"""The tolerance policy: one table, per check and dtype, each bound with its reason.

A comparison of an actual array a with an expected b passes when, element by element,

    |a − b| <= atol + rtol · |b|

Bounds are never scaled by array size: the cases keep their sizes small and the errors measured are
per element. ``rtol`` is stated in units of the dtype's machine epsilon ε where that is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = {
    "float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52,
    "complex64": 2.0**-23, "complex128": 2.0**-52,
}


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str


def _t(rtol_eps: float, atol_eps: float, reason: str, dtype: str) -> Tolerance:
    eps = EPS[dtype]
    return Tolerance(rtol_eps * eps, atol_eps * eps, reason)


# (check, kind of computation) -> (rtol in ε, atol in ε, reason). "ad" is a framework's automatic
# differentiation; "fd" is a numerical estimate (the numpy reference or a finite-difference oracle).
POLICY: dict[tuple[str, str], tuple[float, float, str]] = {
    ("exact", "ad"): (64, 64,
        "AD and an exact oracle (closed form or mpmath rounded to the dtype) differ only by the "
        "rounding of O(10) operations in the derivative program: tens of ε"),
    ("agreement", "ad"): (256, 256,
        "two AD programs (API variants, modes or frameworks) round differently, and each may use "
        "different reduction orders or fused kernels: a few hundred ε covers the cases' conditioning"),
    ("workload_agreement", "ad"): (2**52 * 1e-8, 2**52 * 1e-8,
        "issue 7's criterion for the GMM and D-LSTM gradients: rho = |x − y| / max(1, |x| + |y|) "
        "<= 1e-8 between frameworks and the float64 numpy reference (ADBench/GradBench validate at "
        "this order); the sums over 1000 points or 1023 time steps round far below it (float64 only)"),
    ("second_order", "ad"): (1024, 1024,
        "second derivatives chain two derivative programs and square conditioning: ~10³ ε"),
    ("third_order", "ad"): (4096, 4096,
        "third derivatives nest three programs; errors grow with each level: ~4·10³ ε"),
    ("quadrature", "ad"): (256, 256,
        "a quadrature rule (trapezoid, Gauss–Legendre) is a weighted sum of <= 64 terms of O(1) "
        "evaluated against an exact (mpmath) sum: recursive summation adds up to ~n/2 ε on top of the "
        "integrand's own tens of ε; sums are compared on the scale of Σ|wᵢ gᵢ|, never of the array size"),
    ("quadrature", "fd"): (2**52 * 1e-8, 2**52 * 1e-8,
        "the same quadrature of a numerically differentiated integrand inherits the ~1e-10 relative "
        "error of Richardson differences: 1e-8 (float64 only), as for ('exact', 'fd')"),
    ("exact", "fd"): (2**52 * 1e-8, 2**52 * 1e-8,
        "Richardson-extrapolated central differences reach ~1e-10 relative on smooth cases; "
        "1e-8 leaves margin for the cases' conditioning (float64 only)"),
    ("second_order", "fd"): (2**52 * 1e-6, 2**52 * 1e-6,
        "second differences lose about twice the digits of first differences: 1e-6"),
    ("third_order", "fd"): (2**52 * 1e-4, 2**52 * 1e-4,
        "high-order stencils amplify rounding by h^-n: 1e-4"),
    ("taylor_order", "fd"): (0.5 * 2**52, 0,
        "margin on the fitted convergence order of a Taylor remainder (slope of log r vs log h over "
        "two decades of h): the next Taylor term bends the fit by < 0.3 on the cases' scales, while a "
        "wrong derivative of order k drops the slope by a whole unit, to k"),
    ("trajectory", "optimizer"): (4096, 4096,
        "an optimizer trajectory chains 100 steps of O(10) roundings each on a contracting "
        "objective; 4096 ε ≈ 9.1e-13 in float64 meets the 1e-12 relative target of issue 9"),
    ("low_precision_first", "ad"): (16, 16,
        "float16/bfloat16 first derivatives vs a float64 oracle rounded to the dtype: every operation "
        "of the derivative program rounds to ε/2 of the dtype (and the oracle's rounding adds ε/2); "
        "a dozen roundings, judged against the magnitude of the product's terms: 16 ε"),
    ("low_precision_second", "ad"): (64, 64,
        "float16/bfloat16 second derivatives: two chained derivative programs in the dtype, whose "
        "intermediate products round at each of twice as many operations: 64 ε"),
}


def policy(check: str, dtype: str, computation: str = "ad") -> Tolerance:
    """The bound for ``check`` ("exact", "agreement", "second_order", "third_order") in ``dtype``.

    Numerical ("fd") bounds are absolute (they do not scale with the dtype) and computed in float64.
    """
    rtol_e, atol_e, reason = POLICY[(check, computation)]
    if computation == "fd":
        return Tolerance(rtol_e * EPS["float64"], atol_e * EPS["float64"], reason)
    return _t(rtol_e, atol_e, reason, dtype)


@dataclass(frozen=True)
class Comparison:
    max_abs_error: float
    max_rel_error: float
    error_ratio: float      # max |a − b| / (atol + rtol |b|): <= 1 passes
    ok: bool


def compare(actual, expected, tol: Tolerance, scale=None) -> Comparison:
    """Elementwise comparison under ``tol``: |a − b| <= atol + rtol·s with s = |b|, or s = |scale|
    (broadcast) where a check judges a product by the size of its terms rather than of its result.
    NaN or a shape mismatch never passes; equal infinities agree."""
    a = np.asarray(actual, dtype=np.complex128 if np.iscomplexobj(actual) or np.iscomplexobj(expected)
                   else np.float64)
    b = np.asarray(expected, dtype=a.dtype)
    if a.shape != b.shape:
        return Comparison(float("inf"), float("inf"), float("inf"), False)
    if a.size == 0:
        return Comparison(0.0, 0.0, 0.0, True)
    same_inf = np.isinf(a) & np.isinf(b) & (a == b)
    diff = np.where(same_inf, 0.0, np.abs(a - b))
    mag = np.abs(np.where(same_inf, 0.0, b))
    s = mag if scale is None else np.broadcast_to(np.abs(np.asarray(scale, dtype=np.float64)), diff.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(mag > 0, diff / np.where(mag > 0, mag, 1.0), np.where(diff > 0, np.inf, 0.0))
        ratio = diff / (tol.atol + tol.rtol * s)
    if np.isnan(diff).any() or np.isnan(ratio).any():
        return Comparison(float("nan"), float("nan"), float("nan"), False)
    max_ratio = float(np.max(ratio))
    return Comparison(float(np.max(diff)), float(np.max(rel)), max_ratio, max_ratio <= 1.0)
