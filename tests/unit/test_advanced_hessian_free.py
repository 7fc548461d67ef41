"""The hessian_free family (conformance/advanced/hessian_free*.py): its oracles are right, its checks pass on
a real adapter, and a skewed hvp, jvp, vjp or Hessian is flagged."""

from __future__ import annotations

import numpy as np
import pytest
from test_checks import Skewed

from conformance import adapters, engine
from conformance import finite_differences as fd
from conformance.advanced import hessian_free
from conformance.advanced import hessian_free_model as hm

NP = adapters.get("numpy").xp


def ctx(adapter, seed=0):
    return engine.Context(adapter, "cpu", "float64", seed)


@pytest.mark.parametrize("problem", [hm.ROSENBROCK, hm.MLP_SQUARED, hm.MLP_SOFTMAX, hm.LINEAR], ids=lambda p: p.name)
def test_oracles(problem):
    """Hand-written gradient = Richardson differences of the loss; the complex-step Hessian is symmetric
    and equals Richardson differences of that gradient."""
    theta = problem.point(np.random.default_rng(3))
    loss = lambda t: problem.value(NP, t, *problem.data)  # noqa: E731
    np.testing.assert_allclose(problem.gradient(theta), fd.jacobian(loss, theta)[0], rtol=1e-8, atol=1e-10)
    H = problem.hessian(theta)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-14 * np.max(np.abs(H)))
    np.testing.assert_allclose(H, fd.jacobian(problem.gradient, theta)[0], rtol=1e-7, atol=1e-9 * np.max(np.abs(H)))


def test_ggn_of_a_linear_model_is_its_hessian_and_the_softmax_ggn_is_psd():
    theta = hm.LINEAR.point(np.random.default_rng(4))
    np.testing.assert_allclose(hm.LINEAR.ggn(theta)[0], hm.LINEAR.hessian(theta), rtol=1e-13, atol=1e-15)
    G, _ = hm.MLP_SOFTMAX.ggn(hm.MLP_SOFTMAX.point(np.random.default_rng(4)))
    assert np.min(np.linalg.eigvalsh(G)) > -1e-14 * np.max(np.abs(G))


def test_cg_solves_a_dense_system_and_hf_step_decreases_the_loss():
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    B, b = q @ np.diag(np.linspace(1, 10, 6)) @ q.T, rng.standard_normal(6)
    x, iterates, _ = hm.conjugate_gradient(np, lambda v: B @ v, b, 50, float, 1e-14)
    np.testing.assert_allclose(x, np.linalg.solve(B, b), rtol=1e-12)
    p = hm.MLP_SOFTMAX
    theta = p.point(rng)
    G, _ = p.ggn(theta)
    new, facts = hm.hf_step(np, lambda t: p.value(NP, t, *p.data), p.gradient, lambda v: G @ v, theta, 1.0, 10, float)
    assert facts["loss_after"] < facts["loss_before"] and new.shape == theta.shape


def _tasks():
    return list(hessian_free.tasks(engine.get_profile("ci")))


def _task(case, check):
    return next(t for t in _tasks() if t.case == case and t.check == check)


ALL = [(t.case, t.check) for t in _tasks()]


@pytest.mark.parametrize("case,check", ALL, ids=[f"{c} | {k}" for c, k in ALL])
def test_checks_pass(torch_ad, case, check):
    out = _task(case, check).run(ctx(torch_ad))
    assert out.status == "pass", out.message
    assert out.error_ratio <= 1 and "reason" in out.data


MLP, SOFT, LIN = hm.MLP_SQUARED.name, hm.MLP_SOFTMAX.name, hm.LINEAR.name


@pytest.mark.parametrize(
    "case,check,op",
    [
        (MLP, "Hessian-vector product: adapter hvp", "hvp"),
        (MLP, "Hessian-vector product: reverse-over-reverse", "vjp"),
        (MLP, "Hessian-vector product: forward-over-reverse", "jvp"),
        (MLP, "Hessian-vector product: reverse-over-forward", "jvp"),
        (MLP, "Hessian-vector product: finite differences of the gradient", "grad"),
        (MLP, "explicit Hessian", "hessian"),
        (SOFT, "GGN-vector product JᵀH_LJv", "jvp"),
        (SOFT, "GGN-vector product JᵀH_LJv", "hvp"),
        (SOFT, "GGN-vector product JᵀH_LJv", "vjp"),
        (SOFT, "explicit GGN JᵀH_LJ", "jacobian_rev"),
        (SOFT, "vᵀGv >= 0", "jvp"),
        (SOFT, "CG on the damped GGN = dense solve", "hvp"),
        (SOFT, "Martens HF step = numpy float64", "jvp"),
        (LIN, "GGN = Hessian", "hessian"),
    ],
)
def test_a_skewed_operator_is_flagged(torch_ad, case, check, op):
    delta = 1e-6 if check.startswith("Hessian-vector product: finite") else 1e-8
    out = _task(case, check).run(ctx(Skewed(torch_ad, delta, (op,))))
    assert out.status == "fail" and out.error_ratio > 1, out.message


def test_the_numerical_reference_skips_nested_modes_only():
    ref = adapters.get("numpy")
    nested = [t for t in _tasks() if t.applies and t.applies(ref, "float64")]
    assert {t.check.split(": ")[-1] for t in nested} >= set(hessian_free.NESTED)
    assert _task(MLP, "Hessian-vector product: adapter hvp").applies is None
