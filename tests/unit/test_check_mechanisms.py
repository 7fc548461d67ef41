"""conformance.check on every hand-written rule mechanism: a correct rule passes with the default settings
(checks that the mechanism cannot run are skipped with the framework's reason, through the variant that can
run them otherwise), a wrong one is flagged. f(x) = Σ sin(xᵢ) exp(xᵢ), ∇f = (cos x + sin x) eˣ."""

from __future__ import annotations

import numpy as np
import pytest

import conformance
from conformance import adapters

X = np.array([0.3, -0.7, 1.1])


def reference(x):
    return np.sum(np.sin(x) * np.exp(x))


def need(framework):
    if not adapters.get(framework).available():
        pytest.skip(f"{framework} is not installed")
    return adapters.get(framework).fw


# ------------------------------------------------------------------ torch.autograd.Function
def torch_rule(style, back=0.0, fwd=0.0):
    """A Function for f in ``style``: "old" (forward(ctx, x)), "new" (setup_context, no jvp), "jvp" (with jvp
    and a generated vmap rule), "once" (old style, @once_differentiable backward); the backward returns
    (1 + back)∇f, the jvp (1 + fwd)∇f·t."""
    torch = need("torch")

    def grad(x):
        return (torch.cos(x) + torch.sin(x)) * torch.exp(x)

    def value(x):
        return torch.sum(torch.sin(x) * torch.exp(x))

    if style in ("old", "once"):

        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * grad(x) * (1 + back)

        if style == "once":
            backward = torch.autograd.function.once_differentiable(backward)

        class Old(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return value(x)

        Old.backward = staticmethod(backward)
        return Old.apply

    class New(torch.autograd.Function):
        generate_vmap_rule = style == "jvp"

        @staticmethod
        def forward(x):
            return value(x)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.save_for_forward(inputs[0])  # what jvp reads (torch's extending.func notes)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * grad(x) * (1 + back)

    if style == "jvp":
        New.jvp = staticmethod(lambda ctx, t: torch.sum(grad(ctx.saved_tensors[0]) * t) * (1 + fwd))
    return New.apply


def test_old_style_function_passes_by_default_through_torch_autograd():
    r = conformance.check({"torch": torch_rule("old")}, X, reference=reference)
    r.assert_ok()
    assert r.outcome("torch", "gradient").data["refused_by"]["torch[func]"].startswith("RuntimeError: In order")
    assert {row.api for row in r.rows if row.status == "pass"} == {"autograd"}
    jvp = r.outcome("torch", "jvp")  # forward mode needs a jvp staticmethod: no variant can run it
    assert jvp.status == "skip" and "You must implement the jvp function" in jvp.message
    assert "extending.func.html" in jvp.message  # the framework's reason in full, not cut


@pytest.mark.parametrize("style", ["new", "jvp"])
def test_new_style_functions_pass_by_default(style):
    r = conformance.check(
        {"torch": torch_rule(style)}, X, reference=reference, checks=("gradient", "jvp", "vjp", "hessian", "hvp")
    )
    r.assert_ok()
    if style == "jvp":  # everything runs through torch.func
        assert all(row.status == "pass" and row.api == "func" for row in r.rows)


def test_a_once_differentiable_backward_has_a_zero_hessian_in_torch_autograd():
    """torch.autograd.functional.hessian (strict=False) returns 0 for a @once_differentiable backward instead of
    raising: the Hessian row says the Hessian torch computes is wrong; first order passes."""
    r = conformance.check({"torch": torch_rule("once")}, X, reference=reference, checks=("gradient", "hessian"))
    assert r.outcome("torch", "gradient").status == "pass"
    h = r.outcome("torch", "hessian")
    assert h.status == "fail" and h.max_rel_error == pytest.approx(1.0)


@pytest.mark.parametrize("style", ["old", "new", "jvp"])
def test_wrong_torch_rules_are_flagged(style):
    r = conformance.check({"torch": torch_rule(style, back=1e-6)}, X, reference=reference)
    assert r.outcome("torch", "gradient").status == "fail" and not r.ok
    if style == "jvp":  # a forward rule wrong while the backward is right
        fwd = conformance.check({"torch": torch_rule(style, fwd=1e-6)}, X, reference=reference)
        assert [row.check for row in fwd.failures] == ["jvp"]


def test_forward_over_forward_through_a_function_jvp_is_flagged():
    """torch.func.jvp of torch.func.jvp through an autograd.Function's jvp staticmethod returns 0 (torch 2.13;
    the plain function gives vᵀHv): the framework's answer is wrong, and the jvp_jvp row says so."""
    r = conformance.check({"torch": torch_rule("jvp")}, X, reference=reference, checks=("jvp", "jvp_jvp"))
    assert r.outcome("torch", "jvp").status == "pass"
    assert r.outcome("torch", "jvp_jvp").status == "fail"


def test_variants_all_shows_each_variant_refusal_as_a_skip():
    r = conformance.check({"torch": torch_rule("old")}, X, reference=reference, variants="all", checks="gradient")
    assert [(row.api, row.status) for row in r.rows] == [("func", "skip"), ("autograd", "pass")]
    assert "setup_context" in r.rows[0].outcome.message and r.ok


# ------------------------------------------------------------------ jax
def jax_vjp_rule(back=0.0):
    jax = need("jax")
    jnp = jax.numpy

    @jax.custom_vjp
    def f(x):
        return jnp.sum(jnp.sin(x) * jnp.exp(x))

    f.defvjp(lambda x: (f(x), x), lambda x, g: (g * (jnp.cos(x) + jnp.sin(x)) * jnp.exp(x) * (1 + back),))
    return f


def jax_jvp_rule(fwd=0.0):
    jax = need("jax")
    jnp = jax.numpy

    @jax.custom_jvp
    def f(x):
        return jnp.sum(jnp.sin(x) * jnp.exp(x))

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), jnp.sum((jnp.cos(x) + jnp.sin(x)) * jnp.exp(x) * t) * (1 + fwd)

    return f


def test_jax_custom_vjp_and_custom_jvp():
    r = conformance.check({"jax": jax_vjp_rule()}, X, reference=reference)
    r.assert_ok()
    jvp = r.outcome("jax", "jvp")
    assert jvp.status == "skip" and "can't apply forward-mode autodiff (jvp) to a custom_vjp function" in jvp.message
    assert r.outcome("jax", "rev_over_rev").status == "pass"  # through the variant that can run it
    conformance.check({"jax": jax_jvp_rule()}, X, reference=reference).assert_ok()
    assert (
        conformance.check({"jax": jax_vjp_rule(1e-6)}, X, reference=reference).outcome("jax", "gradient").status
        == "fail"
    )
    bad = conformance.check({"jax": jax_jvp_rule(1e-6)}, X, reference=reference)
    assert {row.check for row in bad.failures} >= {"gradient", "jvp", "vjp"}


# ------------------------------------------------------------------ tensorflow
def tf_rule(back=0.0):
    tf = need("tensorflow")

    @tf.custom_gradient
    def f(x):
        def grad(g):
            return g * (tf.cos(x) + tf.sin(x)) * tf.exp(x) * (1 + back)

        return tf.reduce_sum(tf.sin(x) * tf.exp(x)), grad

    return f


def test_tf_custom_gradient():
    conformance.check({"tensorflow": tf_rule()}, X, reference=reference).assert_ok()
    bad = conformance.check({"tensorflow": tf_rule(1e-6)}, X, reference=reference)
    assert bad.outcome("tensorflow", "gradient").status == "fail"


def test_refusals_are_named_by_the_adapters_only():
    torch = need("torch")
    ad = adapters.get("torch")
    assert ad.refusal(RuntimeError("it must override the setup_context staticmethod")) is not None
    assert ad.refusal(RuntimeError("the result is wrong")) is None
    assert adapters.get("numpy").refusal(RuntimeError("must override the setup_context staticmethod")) is None
    try:
        torch.func.grad(torch_rule("old"))(torch.tensor(X))
    except RuntimeError as exc:
        assert "setup_context" in ad.refusal(exc)


def test_tensorflow_numpy_refusing_bfloat16_is_a_skip_and_a_user_bug_an_error():
    need("tensorflow")
    r = conformance.check(
        lambda xp, x: xp.sum(xp.sin(x)), X, frameworks=["tensorflow"], dtype="bfloat16", checks="gradient"
    )
    assert r.rows[0].status == "skip" and "tf.experimental.numpy refuses this dtype" in r.rows[0].outcome.message
    bug = conformance.check({"tensorflow": lambda x: x.astype("float64")}, X, reference=np.sum, checks="gradient")
    assert bug.rows[0].status == "error"


def test_array_valued_rules_pass_the_second_order_default_through_every_mechanism():
    """rev_over_rev (the default second-order check of an array-valued f) runs through custom_vjp and
    tf.custom_gradient rules, which forward mode refuses or ForwardAccumulator would not need."""
    jax, tf = need("jax"), need("tensorflow")
    jnp = jax.numpy

    @jax.custom_vjp
    def jf(x):
        return jnp.sin(x) * jnp.exp(x)

    jf.defvjp(lambda x: (jf(x), x), lambda x, g: (g * (jnp.cos(x) + jnp.sin(x)) * jnp.exp(x),))

    @tf.custom_gradient
    def tfn(x):
        return tf.sin(x) * tf.exp(x), lambda g: g * (tf.cos(x) + tf.sin(x)) * tf.exp(x)

    ref = lambda x: np.sin(x) * np.exp(x)  # noqa: E731
    r = conformance.check({"jax": jf, "tensorflow": tfn}, X, reference=ref)
    r.assert_ok()
    assert (
        r.outcome("jax", "rev_over_rev").status == "pass" and r.outcome("tensorflow", "rev_over_rev").status == "pass"
    )
