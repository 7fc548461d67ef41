"""The diffusion family (conformance/advanced/diffusion*.py): its closed forms agree with each other, its
checks pass on a real adapter, and a skewed operator is flagged."""

from __future__ import annotations

import numpy as np
import pytest
from test_checks import Skewed

from conformance import adapters, engine
from conformance import finite_differences as fd
from conformance.advanced import diffusion, diffusion_stats
from conformance.advanced import diffusion_model as dm

T = 0.3
CASE = f"VP-SDE Gaussian mixture t={T}"


def ctx(adapter, dtype="float64", seed=0):
    return engine.Context(adapter, "cpu", dtype, seed)


def test_marginal_is_the_mixture_pushed_through_the_sde():
    a, s2 = dm.alpha_sigma2(T)
    assert np.isclose(a * a + s2, 1.0) and np.isclose(np.log(a), -0.5 * (0.1 * T + 0.5 * 19.9 * T * T))
    mg = dm.marginal(dm.GMM, T)
    for mu, cov, m, P in zip(dm.GMM.means, dm.GMM.covs, mg.m, mg.P):
        np.testing.assert_allclose(m, a * mu, rtol=1e-15)
        np.testing.assert_allclose(np.linalg.inv(P), a * a * cov + s2 * np.eye(2), rtol=1e-13)


def test_closed_forms_agree():
    """The mpmath score equals numpy's Richardson gradient of log p_t, and Tweedie applied to it gives the
    posterior mean computed from the per-component posteriors (two independent derivations)."""
    mg = dm.marginal(dm.GMM, T)
    x = dm.GMM.sample(np.random.default_rng(1), 4, T)
    score, _ = dm.score_exact(mg, x)
    xp = adapters.get("numpy").xp
    numeric = fd.jacobian(lambda z: np.sum(dm.log_density(xp, z, mg.m, mg.P, mg.c)), x)[0]
    np.testing.assert_allclose(score, numeric, rtol=1e-8, atol=1e-9)
    a, s2 = dm.alpha_sigma2(T)
    mean, cov = dm.posterior_exact(dm.GMM, mg, x)
    np.testing.assert_allclose(mean, (x + s2 * score) / a, rtol=1e-12, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)


def _task(check, case=CASE):
    return next(t for t in diffusion.tasks(engine.get_profile("ci")) if t.case == case and t.check == check)


DETERMINISTIC = ("score by autodiff = closed form", "Tweedie posterior mean", "Tweedie posterior covariance")
FLOW = "probability-flow ODE log-likelihood (Gaussian data)"


@pytest.mark.parametrize("check", DETERMINISTIC)
def test_deterministic_checks_pass(torch_ad, check):
    out = _task(check).run(ctx(torch_ad))
    assert out.status == "pass", out.message
    assert 0 <= out.error_ratio <= 1 and out.tolerance > 0 and "reason" in out.data


@pytest.mark.parametrize(
    "check,op",
    [
        ("score by autodiff = closed form", "grad"),
        ("Tweedie posterior mean", "grad"),
        ("Tweedie posterior covariance", "hessian"),
    ],
)
def test_a_skewed_operator_is_flagged(torch_ad, check, op):
    out = _task(check).run(ctx(Skewed(torch_ad, 1e-8, (op,))))
    assert out.status == "fail" and out.error_ratio > 1, out.message


def test_statistical_checks_state_their_rate():
    """(Their passing runs are in tests/conformance/test_advanced_diffusion_hf.py, per framework.)"""
    stats = [t for t in diffusion.tasks(engine.get_profile("ci")) if getattr(t.run, "false_alarm_rate", None)]
    assert {t.check for t in stats} == {"J_DSM − J_ESM is model-free", "Hutchinson estimate within z-bound"}
    assert all(t.run.false_alarm_rate == 1e-6 for t in stats)


@pytest.mark.parametrize(
    "case,check,op,delta",
    [
        (
            f"denoising vs explicit score matching t={diffusion_stats.SM_TIME}",
            "J_DSM − J_ESM is model-free",
            "grad",
            0.2,
        ),
        (FLOW, "exact divergence within RK4 error", "jvp", 1e-4),
        (FLOW, "Hutchinson estimate within z-bound", "jvp", 0.5),
    ],
)
def test_statistical_and_ode_checks_flag_a_skewed_operator(torch_ad, case, check, op, delta):
    out = _task(check, case).run(ctx(Skewed(torch_ad, delta, (op,))))
    assert out.status == "fail", out.message


def test_numerical_reference_runs_the_closed_form_checks_and_skips_the_batches():
    ref = adapters.get("numpy")
    assert _task("score by autodiff = closed form").run(ctx(ref)).status == "pass"
    assert "numerical reference" in _task("exact divergence within RK4 error", FLOW).applies(ref, "float64")
