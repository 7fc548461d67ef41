"""The adapter contract: the same tests for every adapter and API variant."""

from __future__ import annotations

import numpy as np
import pytest
from conformance.adapters import base, staging

from conformance import adapters
from conformance.tolerance import compare, policy

VARIANTS = [(name, v) for name in adapters.names() for v in adapters.adapter_class(name).variants]


@pytest.fixture(params=VARIANTS, ids=[f"{n}[{v}]" for n, v in VARIANTS])
def ad(request):
    name, variant = request.param
    a = adapters.get(name, variant)
    ok = a.available()
    if not ok:
        pytest.skip(str(ok))
    return a


def assert_close(ad, actual, expected, check="exact", dtype="float64"):
    tol = policy(check, dtype, "fd" if ad.is_reference else "ad")
    c = compare(ad.to_numpy(actual), np.asarray(expected), tol)
    assert c.ok, f"{ad.label}: error ratio {c.error_ratio:.3g} (max abs {c.max_abs_error:.3g}) > 1"


def cubic(x):
    return x**3 + 2 * x + 1


def test_seed_example_is_14_at_2(ad):
    """d/dx (x³ + 2x + 1) = 3x² + 2 = 14 at x = 2, through grad, value_and_grad and derivative."""
    x = ad.from_numpy(2.0, dtype="float64")
    assert_close(ad, ad.grad(cubic)(x), 14.0)
    value, g = ad.value_and_grad(cubic)(x)
    assert_close(ad, value, 13.0)
    assert_close(ad, g, 14.0)
    assert_close(ad, ad.derivative(cubic, order=1)(x), 14.0)


def test_higher_derivatives_of_x4(ad):
    """dⁿ/dxⁿ x⁴ at x = 1.5: 4x³, 12x², 24x, 24."""
    x = ad.from_numpy(1.5, dtype="float64")
    expected = {1: 4 * 1.5**3, 2: 12 * 1.5**2, 3: 24 * 1.5, 4: 24.0}
    checks = {1: "exact", 2: "second_order", 3: "third_order", 4: "third_order"}
    for order, value in expected.items():
        assert_close(ad, ad.derivative(lambda t: t**4, order=order)(x), value, checks[order])


def vector_fn(ad):
    xp = ad.xp

    def f(x):
        return xp.stack([x[0] ** 2 * x[1], 5 * x[0] + xp.sin(x[1]), x[1] * xp.exp(x[0])])

    return f


def vector_jacobian(x):
    x0, x1 = x
    return np.array([[2 * x0 * x1, x0**2], [5.0, np.cos(x1)], [x1 * np.exp(x0), np.exp(x0)]])


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_jacobian_matches_closed_form_in_both_modes(ad, mode):
    x0 = np.array([0.7, -1.3])
    J = ad.jacobian(vector_fn(ad), mode=mode)(ad.from_numpy(x0, dtype="float64"))
    assert ad.shape(J) == (3, 2)
    assert_close(ad, J, vector_jacobian(x0))


def test_jvp_and_vjp_agree_with_jacobian(ad):
    x0, v, u = np.array([0.7, -1.3]), np.array([0.3, -2.0]), np.array([1.0, -0.5, 2.0])
    f = vector_fn(ad)
    x = ad.from_numpy(x0, dtype="float64")
    y, jv = ad.jvp(f, x, ad.from_numpy(v, dtype="float64"))
    y2, ju = ad.vjp(f, x, ad.from_numpy(u, dtype="float64"))
    J = vector_jacobian(x0)
    assert_close(ad, jv, J @ v)
    assert_close(ad, ju, J.T @ u)
    assert_close(ad, y, ad.to_numpy(f(x)))
    assert_close(ad, y2, ad.to_numpy(f(x)))


def test_hessian_of_quadratic_form_is_symmetrized_matrix(ad):
    """∇²(xᵀAx) = A + Aᵀ for any (non-symmetric) A; H v likewise."""
    A = np.array([[2.0, 1.0, 0.0], [-3.0, 1.0, 4.0], [0.5, 0.0, -1.0]])
    xp = ad.xp
    x0, v = np.array([0.3, -0.2, 1.1]), np.array([1.0, 2.0, -1.0])

    def f(x):
        return xp.sum(x * xp.matmul(xp.asarray(A, like=x), x))

    x = ad.from_numpy(x0, dtype="float64")
    assert_close(ad, ad.hessian(f)(x), A + A.T, "second_order")
    assert_close(ad, ad.hvp(f, x, ad.from_numpy(v, dtype="float64")), (A + A.T) @ v, "second_order")


def test_grad_with_several_argnums(ad):
    """∂/∂a, ∂/∂b of sin(a)·b² = (cos(a)·b², 2 sin(a)·b)."""
    xp = ad.xp
    a, b = ad.from_numpy(0.4, dtype="float64"), ad.from_numpy(1.7, dtype="float64")
    ga, gb = ad.grad(lambda a, b: xp.sin(a) * b**2, argnums=(0, 1))(a, b)
    assert_close(ad, ga, np.cos(0.4) * 1.7**2)
    assert_close(ad, gb, 2 * np.sin(0.4) * 1.7)


def test_float32_stays_float32(ad):
    x = ad.from_numpy(np.array([0.5, 1.5]), dtype="float32")
    g = ad.grad(lambda x: ad.xp.sum(ad.xp.sin(x)))(x)
    assert ad.dtype_name(g) == "float32"
    assert ad.to_numpy(g).dtype == np.float32
    assert_close(ad, g, np.cos([0.5, 1.5]), dtype="float32")


def test_compiled_gradient_matches_eager(ad):
    f = lambda x: ad.xp.sum(ad.xp.exp(x) * x)  # noqa: E731
    x = ad.from_numpy(np.array([0.1, -0.4, 0.9]), dtype="float64")
    eager = ad.to_numpy(ad.grad(f)(x))
    compiled = ad.compile(ad.grad(f))
    ad.synchronize(compiled(x))
    np.testing.assert_allclose(ad.to_numpy(compiled(x)), eager, rtol=1e-12)


def test_xp_namespace_has_the_whole_surface(ad):
    assert base.missing_surface(ad.xp) == []


def test_identity(ad):
    assert ad.version and ad.version != "unknown"
    assert "cpu" in ad.devices()
    assert ad.variant in ad.variants
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(ad.to_numpy(ad.from_numpy(a, dtype="float64")), a)


# ------------------------------------------------------------------ layout and discovery
CAPABILITIES = ("integrals", "optimizers", "benchmarks", "gradcheck", "ops")


@pytest.mark.parametrize("name", adapters.names())
def test_each_framework_is_one_package_of_same_named_modules(name):
    """conformance.adapters.<framework>: the adapter in ``adapter``, each API variant's operators a
    class of its own, the capabilities it has as sibling modules found by name."""
    cls = adapters.adapter_class(name)
    assert cls.__module__ == f"conformance.adapters.{name}.adapter"
    assert cls.variants == tuple(cls.implementations) and set(cls.variant_doc) == set(cls.variants)
    for variant, ops in cls.implementations.items():
        assert issubclass(ops, base.Operators) and ops.apis, variant
        assert type(cls(variant).impl) is ops
    provided = {c for c in CAPABILITIES if cls.provides(c)}
    assert {"integrals", "ops"} <= provided
    assert cls.capability("ops").BINDINGS is not None
    if not cls.is_reference:  # the numerical reference has no optimizers, benchmarks or checker
        assert provided == set(CAPABILITIES)


def test_a_missing_capability_names_the_module_looked_for():
    with pytest.raises(
        adapters.CapabilityMissingError,
        match=r"numpy provides no benchmarks \(no module conformance\.adapters\.numpy\.benchmarks\)",
    ):
        adapters.adapter_class("numpy").capability("benchmarks")


def test_no_registered_adapter_says_how_to_install(monkeypatch):
    monkeypatch.setattr(adapters.importlib.metadata, "entry_points", lambda group: [])
    adapters.refresh()
    try:
        with pytest.raises(adapters.ConformanceError, match=r"pip install -e \."):
            adapters.names()
    finally:
        monkeypatch.undo()
        adapters.refresh()


def test_display_order_and_colours_come_from_the_adapters():
    assert adapters.order()[:4] == ["numpy", "torch", "tensorflow", "jax"] == adapters.names()[:4]
    assert all(adapters.color(n).startswith("#") for n in adapters.order()[:4])


# ------------------------------------------------------------------ bad input
def test_unknown_framework_lists_the_known_ones():
    with pytest.raises(adapters.UnknownFrameworkError, match="unknown framework 'mxnet'.*numpy.*torch"):
        adapters.get("mxnet")


def test_unknown_variant_lists_the_variants():
    with pytest.raises(adapters.UnknownVariantError, match="choose one of"):
        adapters.get("numpy", variant="nope")


def test_grad_of_non_scalar_names_the_shape(ad):
    x = ad.from_numpy(np.array([1.0, 2.0, 3.0]), dtype="float64")
    with pytest.raises(Exception, match=r"scalar output.*\(3,\)"):
        ad.grad(lambda x: x * 2)(x)


def test_integer_input_is_not_differentiable(ad):
    x = ad.from_numpy(np.array([1, 2, 3]))
    with pytest.raises(adapters.NotDifferentiableError, match="only floating and complex dtypes"):
        ad.grad(lambda x: ad.xp.sum(x))(x)


def test_unknown_device_lists_devices(ad):
    with pytest.raises(adapters.UnknownDeviceError, match="devices found: cpu"):
        ad.from_numpy(np.zeros(2), device="cuda:7")


def test_missing_framework_is_unavailable_with_install_command(monkeypatch):
    cls = adapters.adapter_class("jax")
    monkeypatch.setattr(cls, "module", "jax_not_installed_here")
    ok = cls().available()
    assert not ok and "cannot be imported" in ok.reason and "pip install" in ok.install


def test_staged_operators_agree_with_eager_and_are_built_once(ad):
    """``staging()`` (jax.jit where the framework stages; the same operators elsewhere): the same
    answers as eager calls, and one program per (operator, function), reused on the next call."""
    st = ad.staging()
    assert st.staged and st.with_variant(st.variant).staged

    def f(x):
        return st.xp.sum(st.xp.sin(x) * x)

    x = ad.from_numpy(np.array([0.3, -1.2, 2.0]))
    v = ad.from_numpy(np.array([1.0, 0.5, -2.0]))
    assert_close(ad, st.grad(f)(x), ad.to_numpy(ad.grad(f)(x)))
    assert_close(ad, st.jvp(f, x, v)[1], ad.to_numpy(ad.jvp(f, x, v)[1]))
    assert_close(ad, st.hessian(f)(x), ad.to_numpy(ad.hessian(f)(x)), "second_order")
    built = len(staging.PROGRAMS)
    st.grad(f)(x), st.jvp(f, x, v), st.hessian(f)(x)
    assert len(staging.PROGRAMS) == built


def test_a_function_that_cannot_be_staged_runs_eagerly(ad):
    """Python control flow on values cannot be traced by jax.jit: the staged operator falls back to
    the eager one (same answer), while a function's own error still propagates."""
    st = ad.staging()
    if not st.runs_staged:
        pytest.skip(f"{ad.name} runs its operators eagerly")

    def f(x):
        return st.xp.sum(x**3) if bool(x[0] > 0) else st.xp.sum(x)

    x = ad.from_numpy(np.array([2.0, 1.0]))
    assert_close(ad, st.grad(f)(x), [12.0, 3.0])

    def broken(x):
        raise RuntimeError("the user's function failed")

    with pytest.raises(RuntimeError, match="user's function"):
        st.grad(broken)(x)
