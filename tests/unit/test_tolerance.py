"""The comparison of issue 19: relative to the exact value at every point, in ULPs of the dtype; an
absolute allowance only where the exact value is 0; flush-to-zero only below the normal range; every
failure classified, every pass with its basis."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.tolerance import FAILURE_CLASSES, TINY, classify, compare, error_class, policy, ulp

SECOND = policy("second_order", "float64")


@pytest.mark.parametrize(
    "exact", [-7.491100726284859e-18, -3.965249479904553e-18, 1.9484394448591037e-34, -1.9484394448591037e-34]
)
def test_saturating_second_derivatives_returned_as_zero_fail_as_underflow(exact):
    # sigmoid'' and softplus'' at 40, tanh'' at ±40: normal float64 numbers, so 0 is 100 % wrong
    c = compare(0.0, exact, SECOND)
    assert not c.ok and c.failure_class == "underflow" and c.error_ratio > 1e12


def test_a_one_ulp_residue_of_one_is_underflow_and_wrong_sign_is_named():
    assert compare(2.0**-52, 4e-18, SECOND).failure_class == "underflow"
    assert compare(-1.0, 1.0, SECOND).failure_class == "wrong_sign"
    assert compare(1.5, 1.0, SECOND).failure_class == "wrong_value"
    assert compare(float("nan"), 1.0, SECOND).failure_class == "non_finite"
    assert compare(float("inf"), 1.0, SECOND).failure_class == "non_finite"
    assert {classify(0.0, 1.0, "float32"), classify(np.nan, 1.0, None)} <= set(FAILURE_CLASSES)


def test_the_absolute_allowance_is_only_for_an_exact_zero_and_is_stated():
    c = compare(1e-300, 0.0, SECOND)
    assert c.ok and "where the exact value is 0" in c.basis
    assert not compare(1e-300, 1e-290, SECOND).ok  # no floor under a tiny nonzero exact value
    assert "where the exact value is 0" not in compare(1.0, 1.0, SECOND).basis


def test_flush_to_zero_only_below_the_normal_range():
    c = compare(0.0, 1e-310, SECOND)
    assert c.ok and "flush-to-zero" in c.basis
    f32 = policy("exact", "float32")
    assert compare(0.0, 1e-40, f32).ok  # subnormal in float32
    c32 = compare(0.0, 1e-30, f32)  # normal in float32: 0 is wrong
    assert not c32.ok and c32.failure_class == "underflow"
    assert compare(0.0, TINY["float16"] / 4, policy("low_precision_first", "float16")).ok


def test_overflow_to_inf_is_the_rounding_of_a_value_beyond_the_range():
    f16 = policy("low_precision_first", "float16")
    c = compare(np.inf, 1e5, f16)
    assert c.ok and "±inf accepted" in c.basis
    assert not compare(-np.inf, 1e5, f16).ok
    assert not compare(np.inf, 1e3, f16).ok


def test_products_keep_the_scale_of_their_terms():
    tol = policy("exact", "float64")
    assert compare(1e-13, 0.0, tol, scale=100.0).ok
    assert compare(1.0 + 1e-13, 1.0, tol, scale=1.0).ok is False
    assert "the magnitude of the product's terms" in compare(1.0, 1.0, tol, scale=2.0).basis


def test_numerical_methods_keep_their_absolute_bound_and_say_so():
    fd = policy("exact", "float64", "fd")
    c = compare(1e-12, 1e-14, fd)
    assert c.ok and "everywhere" in c.basis
    assert policy("trajectory", "float64", "optimizer").absolute_everywhere


def test_ulps_and_worst_element():
    tol = policy("exact", "float64")
    c = compare([1.0, 2.0 + 4 * 2.0**-51], [1.0, 2.0], tol)
    assert c.max_ulp == pytest.approx(4.0) and c.worst["index"] == [1]
    assert ulp(1.0, "float16") == 2.0**-10 and ulp(0.0, "float64") == 2.0**-1074
    assert c.stated()["failure_class"] is None


def test_refusals_are_unsupported():
    assert error_class("NotImplementedError: the derivative for 'igamma' is not implemented.") == "unsupported"
    assert error_class("LookupError: No gradient defined for operation 'X'") == "unsupported"
    assert error_class("CaseError: f returned a non-finite value on a valid input") == "non_finite"
    assert error_class("ValueError: shapes differ") is None


def test_a_product_just_above_the_smallest_normal_returned_as_zero_is_lost_to_underflow():
    # the seed sweep's float32 J·v and Jᵀu with a tangent or cotangent of ±tiny: f'(x)·tiny is a normal
    # number (silu'(3.34)·(−tiny), mish'(2.59)·tiny), formed by TF/XLA from flushed subnormal partial products
    f32, tiny = policy("exact", "float32"), TINY["float32"]
    for exact in (-1.2650301452019882e-38, 1.218504496548772e-38, tiny):
        c = compare(np.array([0.0 * np.sign(exact), 0.5]), np.array([exact, 0.5]), f32, scale=[abs(exact), 0.5])
        assert not c.ok and c.failure_class == "underflow" and "flush-to-zero" not in c.basis
    # below the normal range (0.48·tiny: ∂‖x‖₃ · tiny at x = 1e-8) the flushed 0 and the gradual-underflow
    # subnormal both pass, on the stated flush-to-zero basis; a result of the other sign does not
    sub = 5.6511874079074336e-39
    for got in (0.0, 5.651194281987659e-39, tiny):
        c = compare(np.array([got]), np.array([sub]), f32, scale=[sub])
        assert c.ok and "flush-to-zero" in c.basis and "< 1.18e-38; 1 of 1" in c.basis
    assert compare(np.array([-1e-40]), np.array([sub]), f32, scale=[sub]).failure_class == "wrong_sign"
    # an O(1) derivative lost with Σ|x|³ (‖x‖₃ at x = −tiny): 0 is underflow, NaN non_finite
    assert compare(np.array([-0.0]), np.array([-0.48074985]), f32).failure_class == "underflow"
    assert compare(np.array([np.nan]), np.array([-0.48074985]), f32).failure_class == "non_finite"
