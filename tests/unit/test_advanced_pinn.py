"""The PINN topic of the advanced suite: its exact oracles against independent computations, its checks
passing on a real framework and flagging a wrong Laplacian, a wrong PDE term and a wrong estimator, and
bad input refused with one line."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conformance import adapters, engine
from conformance import finite_differences as fd
from conformance.advanced import estimators, pinn
from conformance.advanced import pinn_hutchinson as hutchinson
from conformance.advanced import pinn_operators as ops
from conformance.advanced import pinn_residuals as residuals
from conformance.advanced.pinn_fields import OracleTooLargeError, make

XP = adapters.get("numpy").xp
KINDS = ("exp-sum", "two-body", "r4", "mlp-tanh", "mlp-softplus", "mlp-sin")


@pytest.fixture(scope="module")
def torch_ctx():
    ad = adapters.get("torch")
    if not ad.available():
        pytest.skip("torch not installed")
    return engine.Context(ad, "cpu", "float64", 0)


def numpy_laplacian(field, x):
    """Σᵢ ∂²f/∂xᵢ² by Richardson-extrapolated second differences along each axis."""
    f = field.function(XP)
    return sum(fd.derivative(lambda t, e=e: f(x + t * e), 0.0, 2)[0] for e in np.eye(x.size))


@pytest.mark.parametrize("kind", KINDS)
def test_laplacian_oracles_match_second_differences(kind):
    field = make(kind, 5)
    x = field.point(3)
    exact, scale = field.laplacian(x)
    assert scale >= abs(exact) > 0
    assert numpy_laplacian(field, x) == pytest.approx(exact, rel=1e-7, abs=1e-7 * scale)


@pytest.mark.parametrize("kind", ("exp-sum", "two-body", "mlp-tanh", "mlp-sin"))
def test_hessian_oracles_match_differences_and_trace(kind):
    field = make(kind, 4)
    x = field.point(5)
    h = field.hessian(x)
    np.testing.assert_allclose(h, fd.hessian(field.function(XP), x)[0], rtol=1e-6, atol=1e-8)
    assert np.trace(h) == pytest.approx(field.laplacian(x)[0], rel=1e-12)


@pytest.mark.parametrize("kind", ("radial", "tanh-layer"))
def test_divergence_oracles(kind):
    field = make(kind, 4)
    x = field.point(1)
    jac = fd.jacobian(field.function(XP), x)[0]
    assert np.trace(jac) == pytest.approx(field.divergence(x)[0], rel=1e-8)


@pytest.mark.parametrize("kind", ("exp-sum", "r4"))
def test_biharmonic_oracles(kind):
    field = make(kind, 3)
    x = field.point(2)

    def second_along(e):  # ∂²/∂t² of the exact Δf along e: Δ²f = Σ of these
        return fd.derivative(lambda t: field.laplacian(x + t * e)[0], 0.0, 2)[0]

    assert sum(second_along(e) for e in np.eye(3)) == pytest.approx(field.biharmonic(x)[0], rel=1e-6)


@pytest.mark.parametrize("sol", residuals.SOLUTIONS, ids=lambda s: s.pde)
def test_mixed_partials_match_differences(sol):
    x, s = sol.grid(3, 0)

    def mixed(a0, b0):  # ∂/∂s of (∂u/∂x at a0) at b0, by nested differences
        return fd.derivative(lambda b: fd.derivative(lambda a: sol.u(XP, a, b), a0, 1)[0], b0, 1)[0]

    for k in range(3):
        got = mixed(x[k], s[k])
        assert got == pytest.approx(sol.mixed(x, s)[k], rel=1e-6, abs=1e-8)
        assert abs(got) <= sol.mixed_amplitude(x, s)[k]


@pytest.mark.parametrize("probe", estimators.PROBES)
def test_fourth_moment_and_variance_oracles(probe):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    h = (a + a.T) / 2
    draws = rng.normal(size=(200_000, 5)) if probe == "gaussian" else rng.choice([-1.0, 1.0], (200_000, 5))
    z = np.einsum("ki,ij,kj->k", draws, h, draws) - np.trace(h)
    assert np.var(z) == pytest.approx(estimators.exact_variance(h, probe), rel=0.03)
    assert np.mean(z**4) == pytest.approx(hutchinson.fourth_central_moment(h, probe), rel=0.08)


def test_rademacher_enumeration_gives_the_exact_variance():
    h = make("two-body", 8).hessian(make("two-body", 8).point(0))
    d = 8
    signs = 1 - 2 * ((np.arange(2**d)[:, None] >> np.arange(d)[None, :]) & 1)
    z = np.einsum("ki,ij,kj->k", signs, h, signs)
    assert np.var(z) == pytest.approx(estimators.exact_variance(h, "rademacher"), rel=1e-12)


# ----------------------------------------------------------------------------- checks on a framework
def _laplacian(kind, d, method):
    return pinn.operator_check(kind, d, method, "laplacian")


def test_every_laplacian_method_passes_in_torch(torch_ctx):
    for method in ops.LAPLACIANS:
        out = _laplacian("mlp-tanh", 10, method)(torch_ctx)
        assert out.status == "pass", (method.name, out.message)


def test_a_wrong_laplacian_is_flagged(torch_ctx):
    # tr H off by one part in 10¹⁰ (a Hessian that drops a tiny term): far below any visible error
    wrong = ops.Method("wrong", "tr H (1 + 1e-10)", lambda ad, f, x: ops.LAPLACIANS[0].run(ad, f, x) * (1 + 1e-10))
    for kind in ("exp-sum", "mlp-sin"):
        out = _laplacian(kind, 10, wrong)(torch_ctx)
        assert out.status == "fail" and out.error_ratio > 1, out.message
    # a Laplacian that misses the off-diagonal coupling of the two-body field (Σ of the diagonal of
    # the exp-sum's Hessian only) is far off
    half = ops.Method("half", "Δf/2", lambda ad, f, x: ops.LAPLACIANS[0].run(ad, f, x) / 2)
    assert _laplacian("two-body", 10, half)(torch_ctx).status == "fail"


def test_a_wrong_pde_term_is_flagged(torch_ctx):
    heat = residuals.SOLUTIONS[0]
    assert pinn.residual_check(heat)(torch_ctx).status == "pass"
    wrong = dataclasses.replace(heat, residual=lambda u, d: d("t") - residuals.KAPPA * (1 + 1e-9) * d("xx"))
    out = pinn.residual_check(wrong)(torch_ctx)
    assert out.status == "fail", out.message


def test_hutchinson_passes_and_a_wrong_estimator_is_flagged(torch_ctx):
    right = pinn.statistical(hutchinson.hutchinson_statistic("two-body", 6, "rademacher", n=256))
    out = right(torch_ctx)
    assert out.status == "pass", out.message
    assert out.data["false_alarm_rate"] == 1e-6

    def uncentred(ctx, f, x, vs):  # probes U(0, 1): E[vvᵀ] = I/12 + 11ᵀ/4 ≠ I
        return hutchinson.quadratic_forms(ctx, f, x, (vs + 1) / 2)

    def gaussian_for_rademacher(ctx, f, x, vs):  # the mean is right, the variance is Gaussian's
        g = np.random.default_rng(ctx.seed).normal(size=ctx.numpy(vs).shape)
        return hutchinson.quadratic_forms(ctx, f, x, ctx.array(g))

    for forms, bad in ((uncentred, 0), (gaussian_for_rademacher, 1)):
        out = pinn.statistical(hutchinson.hutchinson_statistic("two-body", 6, "rademacher", n=256, forms=forms))(
            torch_ctx
        )
        assert out.status == "fail", out.message
        assert abs(out.data["z"][bad]) > out.data["z_bound"]


def test_bad_input_is_refused_on_one_line(torch_ctx):
    with pytest.raises(residuals.EmptyGridError, match="empty grid"):
        residuals.SOLUTIONS[0].grid(0, 0)
    with pytest.raises(OracleTooLargeError, match="too large"):
        make("two-body", 100_000)
    with pytest.raises(OracleTooLargeError, match="too large"):
        hutchinson.fourth_central_moment(np.eye(20), "rademacher")
    bad = [t for t in pinn.tasks(engine.get_profile("ci")) if t.check.startswith("bad input")]
    assert len(bad) == 3
    for t in bad:
        out = t.run(torch_ctx)
        assert out.status == "pass" and out.message.startswith("refused: ") and "\n" not in out.message
    accepted = pinn.refusal_check(lambda ctx: None, "nothing")(torch_ctx)
    assert accepted.status == "fail"


def test_tasks_are_unique_and_skip_with_reasons():
    tasks = list(pinn.tasks(engine.get_profile("ci")))
    keys = [(t.case, t.check) for t in tasks]
    assert len(keys) == len(set(keys))
    assert all(t.family == "pinn" and t.dtypes == ("float64",) for t in tasks)
    numpy = adapters.get("numpy")
    nested = next(t for t in tasks if t.check == "Laplacian by rev_over_rev vs exact")
    assert "nest difference quotients" in nested.applies(numpy, "float64")
    jet = [t for t in tasks if "taylor_jet" in t.check]
    if adapters.adapter_class("jax").provides("pinn"):
        assert jet and "offers no taylor_jet" in jet[0].applies(adapters.get("torch"), "float64")
        assert jet[0].applies(adapters.get("jax"), "float64") is None
