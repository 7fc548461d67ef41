"""The integrals suite: input validation, references and oracles, the statistical rule, and that its
checks pass on correct frameworks and fail on wrong ones."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from conformance.adapters import integrals as ops_for
from conformance.adapters.numpy.integrals import NumpyIntegrals, NumpyRng

from conformance import adapters, engine
from conformance.integrals import expectations, identities, kl, monte_carlo, quadrature, stochastic, suite
from conformance.integrals.expectations import DistributionParameterError, require_positive
from conformance.integrals.quadrature import QuadratureInputError, check_grid

PROFILE = engine.get_profile("ci")


def ctx(name: str = "numpy", seed: int = 0, dtype: str = "float64") -> engine.Context:
    return engine.Context(adapters.get(name), "cpu", dtype, seed)


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# ----------------------------------------------------------------------------- bad input
def test_non_monotone_grid_is_a_clear_error():
    with pytest.raises(QuadratureInputError, match=r"not strictly monotone: x\[2\] = 0\.5 follows x\[1\] = 0\.7.*sort"):
        check_grid((4,), [0.0, 0.7, 0.5, 1.0])


def test_repeated_grid_point_is_not_monotone():
    with pytest.raises(QuadratureInputError, match="not strictly monotone"):
        check_grid((3,), [0.0, 1.0, 1.0])


def test_decreasing_grid_is_monotone_and_accepted():
    assert check_grid((2, 3), [1.0, 0.5, 0.0], axis=1) == 1


def test_mismatched_shapes_are_a_clear_error():
    with pytest.raises(
        QuadratureInputError,
        match=r"mismatched shapes: samples have 5 points along axis 1 .* grid has 4; "
        "give one grid point per sample",
    ):
        check_grid((3, 5), np.linspace(0, 1, 4), axis=1)


def test_axis_out_of_range_and_2d_grid_are_clear_errors():
    with pytest.raises(QuadratureInputError, match="axis 2 is out of range"):
        check_grid((3, 5), np.linspace(0, 1, 5), axis=2)
    with pytest.raises(QuadratureInputError, match="grid must be 1-D"):
        check_grid((3, 5), np.ones((3, 5)), axis=1)


def test_integrate_validates_before_calling_the_framework():
    with pytest.raises(QuadratureInputError, match="not strictly monotone"):
        quadrature.integrate(adapters.get("numpy"), np.ones(3), [0.0, 2.0, 1.0])
    got = quadrature.integrate(adapters.get("numpy"), np.array([[0.0, 1.0, 4.0]]), [0.0, 1.0, 2.0], axis=1)
    np.testing.assert_allclose(got, [0.5 + 2.5])


@pytest.mark.parametrize("scale", [0.0, -1.0, np.nan])
def test_non_positive_scale_is_a_clear_error(scale):
    with pytest.raises(DistributionParameterError, match=r"scale must be positive, got .*; pass scale > 0"):
        require_positive("scale", scale)


def test_bad_input_in_a_task_is_recorded_as_error_and_the_run_goes_on():
    def bad(c):
        quadrature.integrate(c.adapter, np.ones(4), [0.0, 0.3, 0.2, 1.0])

    task = engine.Task("integrals", "bad grid", "trapezoid value", bad, dtypes=("float64",))
    rec = engine.run_task(task, adapters.get("numpy"), "cpu", "float64", PROFILE, 0)
    assert rec.status == "error"
    assert rec.message.startswith("QuadratureInputError: the integration grid is not strictly monotone")


# ----------------------------------------------------------------------------- references and oracles
def test_mpmath_sum_agrees_with_scipy_on_a_batch():
    from scipy import integrate

    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0, 2, 9))
    y = rng.standard_normal((3, 9, 2))
    np.testing.assert_allclose(quadrature.mp_trapezoid(y, x, 1), integrate.trapezoid(y, x, axis=1), rtol=1e-13)
    np.testing.assert_allclose(
        quadrature.mp_cumulative(y, x, 1), integrate.cumulative_trapezoid(y, x, axis=1), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize("cumulative", [False, True])
def test_closed_form_vjp_matches_central_differences(cumulative):
    """The oracle against an independent one: the rule is affine in each input, so a central
    difference of scipy's rule is exact up to rounding."""
    from scipy import integrate

    rule = integrate.cumulative_trapezoid if cumulative else integrate.trapezoid
    rng = np.random.default_rng(2)
    x = np.sort(rng.uniform(-1, 1, 6))
    y = rng.standard_normal((2, 6))
    u = rng.standard_normal((2, 5) if cumulative else (2,))
    gy, gx = quadrature.closed_form_vjp(y, x, 1, u, cumulative)
    h = 1e-3
    fd_y = np.zeros_like(y)
    for idx in np.ndindex(*y.shape):
        e = np.zeros_like(y)
        e[idx] = h
        fd_y[idx] = np.sum(u * (rule(y + e, x, axis=1) - rule(y - e, x, axis=1))) / (2 * h)
    fd_x = np.array(
        [
            np.sum(u * (rule(y, x + h * np.eye(6)[i], axis=1) - rule(y, x - h * np.eye(6)[i], axis=1))) / (2 * h)
            for i in range(6)
        ]
    )
    np.testing.assert_allclose(gy, fd_y, atol=1e-11)
    np.testing.assert_allclose(gx, fd_x, atol=1e-11)


def test_trapezoid_error_theorem_holds_for_every_case_with_numpy():
    for case in quadrature.CASES:
        y, x, _ = quadrature.case_data(case, 3, "float64")
        err = np.abs(np.trapezoid(y, x, axis=case.axis) - case.exact_integrals())
        assert np.all(err <= case.error_bounds(x)), case.name
        assert np.all(err > 0.01 * case.error_bounds(x)), f"{case.name}: bound so loose it tests nothing"


def test_gauss_legendre_integrates_degree_2n_minus_1_exactly():
    t, w = identities.gauss_legendre(-1.0, 3.0, 5)
    assert abs(np.dot(w, t**9) - (3.0**10 - 1.0) / 10) < 1e-9


def test_closed_form_kl_gradients_match_differences():
    for case in kl.CASES:
        theta = np.array(case.theta)
        fd = np.array(
            [
                (case.closed_form(theta + 1e-6 * e) - case.closed_form(theta - 1e-6 * e)) / 2e-6
                for e in np.eye(theta.size)
            ]
        )
        np.testing.assert_allclose(case.gradient(theta), fd, rtol=1e-7, atol=1e-9)
    theta = kl.vae_parameters(0)
    _, grad = kl.vae_exact(theta)
    e = np.zeros_like(theta)
    e[1, 2, 1] = 1e-6
    assert abs((kl.vae_exact(theta + e)[0] - kl.vae_exact(theta - e)[0]) / 2e-6 - grad[1, 2, 1]) < 1e-8


def test_gbm_scheme_closed_form_matches_its_own_expectation():
    mean, scheme, _ = stochastic.gbm_expected(8)
    x0, a = stochastic.GBM["x0"], stochastic.GBM["a"]
    assert mean == pytest.approx(x0 * (1 + a / 8) ** 8)
    assert scheme[1] == pytest.approx(((x0 * (1 + (a + 1e-6) / 8) ** 8) - (x0 * (1 + (a - 1e-6) / 8) ** 8)) / 2e-6)


# ----------------------------------------------------------------------------- the statistical rule
def test_z_bound_is_the_stated_two_sided_quantile():
    """z* = √2 erf⁻¹(1 − α/k), computed independently in mpmath."""
    import mpmath

    for k in (1, 2, 3):
        exact = float(mpmath.sqrt(2) * mpmath.erfinv(1 - mpmath.mpf(1e-6) / k))
        assert monte_carlo.z_bound(1e-6, k) == pytest.approx(exact, rel=1e-9)


def test_z_test_rejects_a_biased_estimate_and_accepts_a_fair_one():
    fair = monte_carlo.ZTest(np.array(1.0 + 4e-3), np.array(1.0), np.array(1e-3), 100)
    biased = monte_carlo.ZTest(np.array(1.0 + 6e-3), np.array(1.0), np.array(1e-3), 100)
    assert not fair.rejects() and biased.rejects()
    assert biased.outcome().status == "fail" and "false-alarm rate 1e-06" in biased.outcome().message


def test_stream_seeds_differ_by_check_and_replay_exactly():
    assert monte_carlo.stream_seed(0, "pi") == monte_carlo.stream_seed(0, "pi")
    assert monte_carlo.stream_seed(0, "pi") != monte_carlo.stream_seed(0, "pi decay")
    assert monte_carlo.stream_seed(0, "pi") != monte_carlo.stream_seed(1, "pi")


# ----------------------------------------------------------------------------- checks pass, and can fail
def test_numpy_column_passes_quadrature_and_identities():
    for spec in quadrature.specs()[:4] + identities.specs()[:5]:
        run = spec[2]
        out = run(ctx())
        assert out.status == "pass", (spec[0], spec[1], out.message)


def test_monte_carlo_checks_pass_with_numpy_draws():
    for spec in monte_carlo.specs()[:3] + expectations.specs()[:2]:
        out = spec[2](ctx(seed=5))
        assert out.status == "pass", (spec[0], spec[1], out.message)
        assert out.data["false_alarm_rate"] == monte_carlo.FALSE_ALARM


class _LeftRiemann(NumpyIntegrals):
    """A wrong quadrature: the left Riemann sum Σ hᵢ yᵢ."""

    def _trapezoid(self, y, x, axis):
        y = np.moveaxis(y, axis, -1)
        return np.sum(np.diff(x) * y[..., :-1], axis=-1)


class _BiasedRng(NumpyRng):
    """A wrong generator: uniform draws shifted by 0.01."""

    def uniform(self, shape):
        return np.minimum(super().uniform(shape) + 0.01, 0.999999)


def test_a_wrong_rule_fails_value_bound_and_gradient_checks(monkeypatch):
    monkeypatch.setattr(ops_for, "get", lambda adapter: _LeftRiemann(adapter))
    case = quadrature.CASES[0]
    for run in (
        quadrature.value_check(case, False),
        quadrature.bound_check(case),
        quadrature.gradient_check(case, False, "samples"),
    ):
        assert run(ctx()).status == "fail"


def test_a_biased_generator_fails_the_pi_check(monkeypatch):
    class Biased(NumpyIntegrals):
        def rng(self, seed, dtype="float64", device="cpu"):
            return _BiasedRng(seed, dtype)

    monkeypatch.setattr(ops_for, "get", lambda adapter: Biased(adapter))
    out = monte_carlo.specs()[0][2](ctx())
    assert out.status == "fail" and out.error_ratio > 1


# ----------------------------------------------------------------------------- suite and "not provided"
def test_suite_tasks_are_unique_and_named():
    tasks = list(suite.tasks(PROFILE))
    keys = [(t.case, t.check) for t in tasks]
    assert len(keys) == len(set(keys))
    for t in tasks:  # the replay command's --cases/--checks split on commas and select by name
        assert "," not in t.case + t.check, (t.case, t.check)
        assert engine._matches(t.case, t.case) and engine._matches(t.check, t.check)
    assert {t.family for t in tasks} == {"integrals"}
    assert any(t.kind == "study" for t in tasks)
    stat = suite.statistical_tasks(PROFILE)
    assert len(stat) >= 12 and all(t.dtypes == ("float64",) for t in stat)


@pytest.mark.parametrize(
    "framework, provided", [("numpy", False), ("torch", True), ("tensorflow", False), ("jax", False)]
)
def test_cumulative_trapezoid_not_provided_is_named(framework, provided):
    why = quadrature.cumulative_applies(adapters.get(framework), "float64")
    assert (why is None) == provided
    if not provided:
        assert why == f"not provided by {framework}"


def test_numpy_has_no_distributions_library():
    assert kl.library_applies(adapters.get("numpy"), "float64") == "not provided by numpy"


@pytest.mark.skipif(not (has("jax") and has("numpyro")), reason="needs jax and numpyro")
def test_numpyro_missing_kl_rule_is_recorded_as_not_provided():
    case = next(c for c in kl.CASES if "exponentials" in c.name)
    out = kl.not_provided_is_skip(kl.library_value_check(case))(ctx("jax"))
    assert out.status == "skip" and out.message.startswith("not provided by jax")


@pytest.mark.skipif(not has("torch"), reason="needs torch")
def test_torch_cumulative_trapezoid_passes_value_and_grid_gradient():
    case = quadrature.CASES[1]
    for run in (quadrature.value_check(case, True), quadrature.gradient_check(case, True, "grid")):
        out = run(ctx("torch"))
        assert out.status == "pass", out.message


def test_false_alarm_tally_counts_rejections_at_each_bound():
    from conformance.integrals.false_alarms import Tally, table

    t = Tally("numpy", "c", "k", max_abs_z=[0.1, 2.0, 2.7, 6.0], abs_z=[np.array([z]) for z in (0.1, 2.0, 2.7, 6.0)])
    assert (t.rejections(0.05), t.rejections(0.01), t.rejections(1e-6)) == (3, 2, 1)
    cols, rows = table([t])
    assert rows[0][cols.index("rej@0.05")] == 3 and rows[0][cols.index("runs")] == 4


def test_false_alarm_script_runs_and_states_what_it_measured(capsys):
    from conformance.integrals import false_alarms

    assert false_alarms.main(["--reps", "2", "--frameworks", "numpy", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Monte Carlo π / estimate within z-bound" in out and "pooled over" in out
    assert "not measurable with these runs" in out
