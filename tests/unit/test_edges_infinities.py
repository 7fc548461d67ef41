"""Non-finite and extreme inputs (conformance.edges.infinities, conformance.edges.masked): the limits
at ±∞ read from mpmath sequences, the judging of ±inf/NaN answers, masked rows, and fakes that do the
wrong thing."""

from __future__ import annotations

import time
from typing import Any, Callable

import mpmath
import numpy as np
import pytest

from conformance.derivatives.case import Case
from conformance.derivatives.cases import by_name
from conformance.edges import infinities, masked, tail_limits
from conformance.engine import Context


class FakeAdapter:
    """numpy arrays; f from the case's ``impls`` and f' from ``derivative``: a framework whose answers
    the test chooses."""

    name = "fake"
    label = "fake"
    is_reference = False

    def __init__(self, derivative: Callable[[np.ndarray], np.ndarray]):
        from conformance.oracles import _np_xp

        self.xp = _np_xp()
        self.derivative = derivative

    def from_numpy(self, a: Any, dtype: str | None = None, device: str | None = None) -> np.ndarray:
        return np.asarray(a, dtype=dtype or np.float64)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def grad(self, f: Callable) -> Callable:
        return lambda x: self.derivative(x)

    def jvp(self, f: Callable, x: np.ndarray, v: np.ndarray) -> tuple:
        return f(x), self.derivative(x) * v

    def vjp(self, f: Callable, x: np.ndarray, u: np.ndarray) -> tuple:
        return f(x), self.derivative(x) * u


def _case(name: str, fn: Callable, value: Callable | None = None) -> Case:
    """A pointwise case whose framework function is ``value`` (default: the formula in numpy)."""
    impl = (lambda xp, x: value(x)) if value is not None else fn
    return Case(name, "elementwise", fn, shapes=((3,),), pointwise=True, impls={"fake": impl})


def _ctx(adapter: Any, dtype: str = "float64") -> Context:
    return Context(adapter, "cpu", dtype, 0)


# f = log(1 + eˣ): f' → 1 at +∞, → 0 at −∞; the fake framework computes it stably as logaddexp(0, x)
SOFTPLUS = _case("softplus_test", lambda xp, x: xp.log1p(xp.exp(x)), value=lambda x: np.logaddexp(0.0, x))


def _sig(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------------ the limits
def test_sequence_readings():
    mp = mpmath.mpf
    assert tail_limits.read_sequence([mp(1) - mp(2) ** -300, mp(1) - mp(2) ** -600, mp(1)])[0] == 1.0
    assert tail_limits.read_sequence([mp(2) ** -100, mp(2) ** -200, mp(2) ** -400])[0] == 0.0
    assert tail_limits.read_sequence([mp(10), mp(20), mp(40)])[0] == np.inf  # log x
    assert tail_limits.read_sequence([mp(-5), mp(-5.7), mp(-6.4)])[0] == -np.inf  # −log log x
    assert tail_limits.read_sequence([mp(0.3), mp(-0.9), mp(0.5)])[0] is None  # sin x
    assert tail_limits.read_sequence([mp(0.5), mp(0.75), mp(0.875)])[0] is None  # too slow


@pytest.mark.parametrize(
    "name,sign,order,want",
    [
        ("tanh", 1, 0, 1.0),
        ("tanh", -1, 0, -1.0),
        ("tanh", 1, 1, 0.0),
        ("exp", -1, 0, 0.0),
        ("exp", 1, 1, np.inf),
        ("log", 1, 0, np.inf),
        ("log", 1, 1, 0.0),
        ("arctan", 1, 0, np.pi / 2),
        ("sin", 1, 0, None),
        ("sin", -1, 1, None),
    ],
)
def test_limits_of_catalog_cases(name, sign, order, want):
    lim = tail_limits.limit_at(by_name(name), sign, order)
    assert lim.value == want, lim.how
    assert lim.how


def test_points_follow_the_domain():
    assert infinities.points_of(by_name("log")) == ["+inf", "+max", "nan"]
    assert infinities.points_of(by_name("tanh")) == ["+inf", "+max", "-inf", "-max", "nan"]
    assert infinities.points_of(by_name("arcsin")) == ["nan"]


def test_max_point_only_where_the_value_saturates():
    """j0 decays like cos(x)/√x: at 1.8e308 it is 4e-155, not its limit 0 to float64's precision."""
    assert infinities.oracle(by_name("j0"), "+max", 0, "float64").value is None
    assert infinities.oracle(by_name("tanh"), "+max", 0, "float64").value == 1.0
    assert infinities.oracle(by_name("log"), "+max", 0, "float64").value == pytest.approx(709.782712893384)


def test_composed_formulas_are_left_out():
    assert infinities.covered(by_name("tanh")) and infinities.covered(by_name("cube"))
    assert not infinities.covered(by_name("sin_over_x"))  # sin(x)/x: inf/inf is our formula's
    assert not infinities.covered(by_name("x_times_sigmoid"))


def test_tasks_collect_quickly():
    start = time.perf_counter()
    tasks = infinities.tasks()
    assert time.perf_counter() - start < 5.0
    names = {(t.case, t.check) for t in tasks}
    assert ("tanh", "value@+inf") in names and ("tanh", "derivative@nan") in names
    assert ("log", "value@-inf") not in names
    assert any(t.check == "derivative@partial mask" for t in tasks)
    assert any(t.kind == "convention" and t.case.startswith("fully masked row") for t in tasks)


# ------------------------------------------------------------------------------ judging with fakes
def test_right_answers_pass():
    good = FakeAdapter(_sig)
    for point in ("+inf", "-inf", "+max", "-max", "nan"):
        for order in (0, 1):
            out = infinities.run(SOFTPLUS, point, order, _ctx(good))
            assert out.status == "pass", (point, order, out.message)


def test_nan_at_plus_inf_is_flagged():
    bad = _case("softplus_nan", SOFTPLUS.fn, value=lambda x: np.where(np.isposinf(x), np.nan, np.logaddexp(0.0, x)))
    out = infinities.run(bad, "+inf", 0, _ctx(FakeAdapter(_sig)))
    assert out.status == "fail" and out.data["failure_class"] == "non_finite"


def test_zero_where_the_limit_is_nonzero_is_flagged():
    bad = FakeAdapter(lambda x: np.where(np.isposinf(x), 0.0, _sig(x)))  # softplus'(+∞) = 1, not 0
    out = infinities.run(SOFTPLUS, "+inf", 1, _ctx(bad))
    assert out.status == "fail" and out.data["failure_class"] in ("wrong_value", "underflow")
    assert out.data["expected"] == 1.0


def test_wrong_infinity_and_finite_at_nan_are_flagged():
    neg = _case("softplus_neg", SOFTPLUS.fn, value=lambda x: -np.abs(x))  # −inf where +inf is due
    assert infinities.run(neg, "+inf", 0, _ctx(FakeAdapter(_sig))).data["failure_class"] == "wrong_sign"
    hides = FakeAdapter(lambda x: np.where(np.isnan(x), 0.0, _sig(x)))  # relu-style 0 at NaN
    out = infinities.run(SOFTPLUS, "nan", 1, _ctx(hides))
    assert out.status == "fail" and "NaN" in out.message


def test_float32_max_point():
    out = infinities.run(SOFTPLUS, "+max", 0, _ctx(FakeAdapter(_sig), "float32"))
    assert out.status == "pass" and out.input == pytest.approx(3.4028234663852886e38)


# ------------------------------------------------------------------------------ masked rows
def test_masked_closed_forms():
    x = masked.PARTIAL
    ex, u, v = masked.expected("softmax_axis", x)
    p = np.where(np.isfinite(x), np.exp(x - np.max(x, axis=1, keepdims=True)), 0.0)
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ex["value"][0], p, rtol=1e-15)
    np.testing.assert_allclose(ex["vjp"][0], p * (u - (p * u).sum(axis=1, keepdims=True)), rtol=1e-13)
    ls, u, _ = masked.expected("log_softmax_axis", x)
    assert np.isneginf(ls["value"][0][~np.isfinite(x)]).all()
    grad = ls["vjp"][0]
    np.testing.assert_allclose(grad[~np.isfinite(x)], u[~np.isfinite(x)], rtol=1e-15)  # uⱼ passes through
    full, _, _ = masked.expected("logsumexp_axis", masked.FULL)
    assert np.isneginf(full["value"][0][0]) and np.isfinite(full["value"][0][1])


def test_masked_entry_must_be_exactly_zero():
    want = np.array([[0.25, 0.0, 0.75]])
    terms = np.abs(want)
    zero = want == 0
    judged = np.ones_like(zero)
    assert masked.judge(want.copy(), want, terms, zero, judged, "float64").ok
    leak = want.copy()
    leak[0, 1] = 1e-300  # within any absolute allowance, still wrong
    c = masked.judge(leak, want, terms, zero, judged, "float64")
    assert not c.ok and c.failure_class == "wrong_value"
    nan = want.copy()
    nan[0, 0] = np.nan
    assert masked.judge(nan, want, terms, zero, judged, "float64").failure_class == "non_finite"


def test_masked_values_of_the_numpy_reference():
    from conformance import adapters

    case = next(c for c in masked.cases() if c.name == "softmax_axis")
    ctx = Context(adapters.get("numpy"), "cpu", "float64", 0)
    for mask in masked.INPUTS:
        out = masked.run(case, mask, 0, ctx)
        assert out.status == "pass", out.message


def test_sawtooth_has_no_limit_and_affine_slope_survives_nan():
    """frac(x) sampled at ±2^k would read 0 (integers): sampled at c·2^k it has no limit; and the slope of
    an affine f does not depend on x, so it is due even at NaN."""
    frac = Case("frac_test", "elementwise", lambda xp, x: x - xp.floor(x), shapes=((3,),), pointwise=True)
    assert tail_limits.limit_at(frac, 1, 0).value is None
    affine = Case("affine_test", "elementwise", lambda xp, x: 2.5 * x, shapes=((3,),), pointwise=True)
    assert infinities.at_nan(affine, 1).value == 2.5
    assert np.isnan(infinities.at_nan(SOFTPLUS, 1).value)
