"""conformance.check on functions with hand-written gradient rules, as a user's test file would:
torch.autograd.Function, jax.custom_vjp / custom_jvp and tf.custom_gradient. A correct rule passes;
the same rule with a relative error of 1e-8 fails (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import conformance

X = np.linspace(-1.0, 1.0, 7)


def reference(x):
    """f(x) = Σ sin(xᵢ) exp(xᵢ) in numpy; ∇f = (cos x + sin x) exp x."""
    return np.sum(np.sin(x) * np.exp(x))


def _rule(framework):
    """The hand-written rules of ``conformance targets`` (torch.autograd.Function, jax.custom_vjp,
    tf.custom_gradient), each returning (1 + δ)(cos x + sin x) eˣ as the gradient of Σ sin x eˣ."""
    pytest.importorskip(framework)
    from conformance.adapters import gradcheck

    return gradcheck.module(framework).custom_sin_exp


def torch_fn(delta):
    return _rule("torch")(delta)


def jax_vjp_fn(delta):
    return _rule("jax")(delta)


def jax_jvp_fn(delta):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    @jax.custom_jvp
    def f(x):
        return jnp.sum(jnp.sin(x) * jnp.exp(x))

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), jnp.sum((jnp.cos(x) + jnp.sin(x)) * jnp.exp(x) * t) * (1 + delta)

    return f


def tf_fn(delta):
    return _rule("tensorflow")(delta)


CUSTOM = {
    "torch.autograd.Function": ("torch", torch_fn, ("gradient", "vjp")),
    "jax.custom_vjp": ("jax", jax_vjp_fn, ("gradient", "vjp")),
    "jax.custom_jvp": ("jax", jax_jvp_fn, ("gradient", "jvp", "vjp", "adjoint")),
    "tf.custom_gradient": ("tensorflow", tf_fn, ("gradient", "vjp")),
}


@pytest.mark.parametrize("kind", list(CUSTOM))
def test_a_correct_rule_passes(kind):
    framework, make, checks = CUSTOM[kind]
    result = conformance.check({framework: make(0.0)}, X, reference=reference, analytic=True, checks=checks)
    result.assert_ok()
    assert {r.check for r in result.rows} == set(checks)
    assert all(r.outcome.data["oracle"] == "complex step" for r in result.rows if r.check != "adjoint")


@pytest.mark.parametrize("kind", list(CUSTOM))
def test_a_rule_off_by_1e_8_fails(kind):
    framework, make, checks = CUSTOM[kind]
    result = conformance.check({framework: make(1e-8)}, X, reference=reference, analytic=True, checks=checks)
    assert not result.ok
    assert result.outcome(framework, "gradient").status == "fail"
    with pytest.raises(AssertionError, match="gradient"):
        result.assert_ok()


def test_one_xp_generic_function_in_every_framework():
    """The same formula, written once against xp, in every installed framework (mpmath oracle)."""
    result = conformance.check(
        lambda xp, x: xp.sum(xp.sin(x) * xp.exp(x)), X, checks=("gradient", "jvp", "vjp", "hessian")
    )
    result.assert_ok()
    assert len({r.framework for r in result.rows}) >= 1
    assert result.outcome(result.rows[0].framework, "gradient").data["oracle"] == "mpmath"
