"""float16 and bfloat16 at every magnitude (issue 19, item 4): the judge, the magnitudes and API variants in
every run profile, the case formula's own range, and the mixed-precision row."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.derivatives.case import Case
from conformance.edges import low_precision as lp
from conformance.edges import mixed_precision as mp
from conformance.engine import Context, get_profile, run_task
from conformance.tolerance import EPS, TINY

F16 = "float16"
ULP1 = EPS[F16]  # float16's unit in the last place at 1.0


@pytest.fixture(scope="module")
def torch_ok():
    pytest.importorskip("torch")


def _ctx(name: str, dtype: str, variant: str | None = None) -> Context:
    from conformance.adapters import get

    return Context(get(name, variant), "cpu", dtype, 0)


@pytest.mark.parametrize("order, units", [(1, 16), (2, 64)])
def test_two_ulp_beyond_the_bound_fails_and_two_within_passes(order, units):
    """At exact 1.0 the bound is ``units`` float16 ULPs (16 ε first order, 64 ε second): an answer 2 ULP
    beyond it fails as a wrong value, one 2 ULP inside it passes."""
    exact = np.array([1.0, -0.5])
    for off, ok in ((units + 2, False), (units - 2, True)):
        got = exact + np.array([off * ULP1, 0.0])
        assert lp.round_to(got, F16)[0] == got[0]  # a float16 answer
        c, tol = lp.judge(got, exact, np.abs(exact), F16, order)
        assert c.ok is ok, (off, c)
        assert tol.rtol == units * ULP1
        if not ok:
            assert c.failure_class == "wrong_value" and c.error_ratio == pytest.approx((units + 2) / units)


def test_a_zero_where_a_normal_float16_number_is_due_fails_as_underflow():
    """At the tiny magnitude 8·tiny and 3·tiny are normal float16 numbers: 0 in their place is 100 % wrong."""
    exact = np.array([8 * TINY[F16], -3 * TINY[F16]])
    c, _ = lp.judge(np.array([0.0, exact[1]]), exact, np.abs(exact), F16, 1)
    assert not c.ok and c.failure_class == "underflow"
    c, _ = lp.judge(exact, exact, np.abs(exact), F16, 1)
    assert c.ok


def test_nan_fails_where_a_finite_value_is_due():
    exact = np.array([0.25, 1.0])
    c, _ = lp.judge(np.array([np.nan, 1.0]), exact, np.abs(exact), F16, 2)
    assert not c.ok and c.failure_class == "non_finite"


def _torch_backward(grad_of: str):
    """A torch impl of x ↦ x²/2 whose backward returns ``grad_of`` ("zero", "nan") instead of g·x."""
    import torch

    class Half(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return 0.5 * x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, g):
            return torch.zeros_like(g) if grad_of == "zero" else torch.full_like(g, float("nan"))

    return lambda xp, x: Half.apply(x)


@pytest.mark.parametrize("grad_of, failure_class", [("zero", "underflow"), ("nan", "non_finite")])
def test_a_framework_answer_of_zero_or_nan_at_the_tiny_magnitude_fails(torch_ok, grad_of, failure_class):
    """Jᵀu = x·u of x²/2 at the tiny magnitude (max |x| = 8·tiny, normal): a backward that returns 0 or NaN
    fails, end to end through ``run``."""
    case = Case(
        "half_square",
        "elementwise",
        lambda xp, x: 0.5 * x * x,
        pointwise=True,
        impls={"torch": _torch_backward(grad_of)},
    )
    out = lp.run(case, 1, _ctx("torch", F16), "tiny")
    assert out.status == "fail", out.message
    assert out.data["failure_class"] == failure_class


def test_every_profile_runs_every_magnitude_through_every_variant():
    from conformance.derivatives.cases import by_name

    case = by_name("sin")
    for name in ("ci", "dev", "thorough"):
        tasks = lp.tasks_for(case, get_profile(name, 0))
        checks = {t.check for t in tasks}
        assert {"low_precision_first tiny", "low_precision_second huge", "low_precision_first"} <= checks
        assert all(t.per_variant for t in tasks)
    assert [t.check for t in lp.tasks_for(case)] == ["low_precision_first", "low_precision_second"]


def test_a_formula_that_overflows_the_dtype_is_a_skip_and_a_public_function_is_judged(torch_ok):
    """(Σx⁴)^(1/4) at the huge magnitude: x⁴ of x ≈ 1000 overflows float16, so the case's own formula
    cannot be computed there — a skip that says so; the same mathematics through a framework's public
    function (an impl) is the framework's to compute and is judged."""
    fourth = Case("fourth", "reductions", lambda xp, x: xp.power(xp.sum(x**4), 0.25), scalar=True, analytic=False)
    x = lp.scale_to(np.array([0.5, -1.0, 0.75]), F16, "huge")
    got, overflow = lp.formula_in_dtype(fourth, x, F16)
    assert overflow is not None and overflow > lp.MAX[F16] and not np.isfinite(got)
    out = lp.run(fourth, 1, _ctx("torch", F16), "huge")
    assert out.status == "skip" and "overflows float16" in out.message, out.message
    public = Case(
        "fourth_public",
        "reductions",
        fourth.fn,
        scalar=True,
        analytic=False,
        impls={"torch": lambda xp, x: __import__("torch").linalg.vector_norm(x, 4)},
    )
    assert "formula" not in lp.run(public, 1, _ctx("torch", F16), "huge").message


def test_a_formula_that_cancels_at_the_tiny_magnitude_is_a_skip():
    """(1 − cos x)/x² at x ~ 5e-4 in float16: 1 − cos x rounds to 0 (exact 1/2): the formula's own cancellation."""
    case = Case("one_minus_cos", "elementwise", lambda xp, x: (1.0 - xp.cos(x)) / (x * x), pointwise=True)
    x = lp.scale_to(np.array([0.5, -1.0]), F16, "tiny")
    y = (1 - np.cos(x)) / (x * x)
    assert "cancels" in lp._formula_out_of_range(case, x, y, F16)


@pytest.mark.parametrize("dtype", mp.DTYPES)
def test_mixed_precision_gradients_in_torch_autocast_match_float64(torch_ok, dtype):
    for variant in ("func", "autograd"):
        for case in mp.CASES:
            out = mp.run(case, _ctx("torch", dtype, variant))
            assert out.status == "pass", out.message
            assert out.data["gradient_dtypes"] == ["float32"] * 3  # autocast's float32 parameters


def test_a_mixed_precision_program_that_loses_a_gradient_fails(torch_ok, monkeypatch):
    """A linear layer that drops its bias: ∂L/∂b = 0 where Σᵢ Uᵢ is due."""
    from conformance.adapters import get

    mixed = get("torch").capability("mixed")
    right = mixed.program

    def no_bias(adapter, dtype, loss):
        return right(adapter, dtype, lambda linear, xp, x, w, b: loss(lambda x, w, b: linear(x, w), xp, x, w, b))

    monkeypatch.setattr(mixed, "program", no_bias)
    out = mp.run("linear_vjp", _ctx("torch", F16))
    assert out.status == "fail" and out.error_ratio > 1, out.message


def test_a_framework_without_mixed_precision_is_a_skip_that_names_it():
    from conformance.adapters import get

    tf = get("tensorflow")
    if not tf.available():
        pytest.skip("tensorflow is not installed")
    task = next(t for t in mp.tasks() if t.case == "linear_vjp")
    rec = run_task(task, tf, "cpu", F16, get_profile("ci", 0), 0)
    assert rec.status == "skip" and f"not provided in tensorflow {tf.version}" in rec.message, rec.message
