"""The oracles hit known derivatives: mpmath to 1e-25 at 40 digits, the complex step to rounding,
Richardson to ~1e-10, limits at removable singularities, Hessians, and the method precedence."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from conformance import oracles as O
from conformance.derivatives.case import Case
from conformance.derivatives.cases import by_name


def test_mpmath_derivative_of_sin_is_cos_to_1e_25_at_40_digits():
    xs = [0.7, -2.5, 1e-300, 3.0]
    val, err = O.mp_derivative(by_name("sin"), xs, 1, dps=40)
    with mpmath.workdps(60):
        for x, d, e in zip(xs, val, err):
            assert abs(d - mpmath.cos(mpmath.mpf(x))) < mpmath.mpf(10) ** -25
            assert e < mpmath.mpf(10) ** -25


@pytest.mark.parametrize(
    "order, exact", [(1, lambda x: mpmath.exp(x)), (2, lambda x: mpmath.exp(x)), (4, lambda x: mpmath.exp(x))]
)
def test_mpmath_higher_orders_of_exp(order, exact):
    val, _ = O.mp_derivative(by_name("exp"), [0.3, -1.0], order, dps=40)
    with mpmath.workdps(60):
        for x, d in zip([0.3, -1.0], val):
            assert abs(d / exact(mpmath.mpf(x)) - 1) < mpmath.mpf(10) ** -25


def test_complex_step_is_exact_to_rounding():
    case = by_name("sin")
    x = np.array([0.3, -1.2, 2.9])
    ref = O.reference_jacobian(case, x, prefer="complex step")
    assert ref.method == "complex step"
    np.testing.assert_allclose(np.diag(ref.value), np.cos(x), rtol=1e-15, atol=0)


def test_richardson_reaches_1e_10():
    case = by_name("tanh")
    x = np.array([0.3, -1.2, 2.0])
    ref = O.reference_jacobian(case, x, prefer="richardson")
    assert ref.method == "richardson"
    np.testing.assert_allclose(np.diag(ref.value), 1 - np.tanh(x) ** 2, rtol=1e-10, atol=1e-12)
    assert ref.error_estimate < 1e-10


@pytest.mark.parametrize(
    "name, exact",
    [
        ("x_over_sin", [0.0, 1.0 / 3.0, 0.0, 7.0 / 15.0]),  # 1 + x²/6 + 7x⁴/360 + ...
        ("exprel", [1.0 / 2.0, 1.0 / 3.0, 1.0 / 4.0, 1.0 / 5.0]),  # f⁽ⁿ⁾(0) = 1/(n+1)
        ("sin_over_x", [0.0, -1.0 / 3.0, 0.0, 1.0 / 5.0]),
        ("log1p_over_x", [-1.0 / 2.0, 2.0 / 3.0, -6.0 / 4.0, 24.0 / 5.0]),
    ],
)
def test_limits_at_removable_singularities(name, exact):
    case = by_name(name)
    for order, want in enumerate(exact, start=1):
        ref = O.reference_derivative(case, [0.0, 1e-300], order)
        assert ref.method == "mpmath"
        np.testing.assert_allclose(ref.value, [want, want], rtol=1e-14, atol=1e-30)


def test_series_rewrite_matches_the_exact_function_to_rounding():
    """fn (series below the cutoff, formula above) against exact_fn evaluated in mpmath."""
    xp, mp = O._np_xp(), O.mp_namespace(40)
    for name in (
        "x_over_sin",
        "exprel",
        "log1p_over_x",
        "sin_over_x",
        "sinhc",
        "one_minus_cos_over_x2",
        "x_over_expm1",
    ):
        case = by_name(name)
        x = np.concatenate([np.linspace(-0.39, 0.39, 13), [1e-300, 0.6, -0.55]])
        x = x[x != 0]
        with mp.precision():
            exact = O.to_float(case.exact_fn(mp, O.to_mp(x)))
        np.testing.assert_allclose(case.fn(xp, x), exact, rtol=1e-15, atol=0, err_msg=name)


def test_tiny_inputs_keep_the_step_resolved():
    """h scales with |x| for tiny x; the working precision must still resolve O(1) values."""
    ref = O.reference_jacobian(by_name("exprel"), np.full(3, 1e-300))
    np.testing.assert_allclose(np.diag(ref.value), 0.5, rtol=1e-15)
    ref = O.reference_derivative(by_name("log"), [1e-300, 1e300], 1)
    np.testing.assert_allclose(ref.value, [1e300, 1e-300], rtol=1e-15)
    ref = O.reference_derivative(by_name("sin"), [1e5], 1, prefer="mpmath")
    np.testing.assert_allclose(ref.value, np.cos(1e5), rtol=1e-14)


def test_mpmath_hessian_matches_closed_forms():
    rb = by_name("rosenbrock")
    x = np.array([0.3, -0.8, 1.1])
    ref = O.reference_hessian(rb, x, prefer="mpmath")
    assert ref.method == "mpmath"
    np.testing.assert_allclose(ref.value, rb.hess(x), rtol=1e-14, atol=1e-12)
    det = by_name("det")
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # singular
    ref = O.reference_hessian(det, a, prefer="mpmath")
    np.testing.assert_allclose(ref.value, det.hess(a), atol=1e-13)
    np.testing.assert_allclose(O.reference_jacobian(det, a, prefer="mpmath").value, det.grad(a), atol=1e-13)


def test_precedence_closed_form_then_mpmath_then_complex_step_then_richardson():
    assert O.reference_jacobian(by_name("sin"), np.ones(3)).method == "closed form"
    assert O.reference_jacobian(by_name("attention"), np.ones((3, 4)) * 0.1).method == "mpmath"
    plain = Case("plain", "elementwise", lambda xp, x: xp.sin(x) * x, mp=False)
    assert O.reference_jacobian(plain, np.ones(3)).method == "complex step"
    rough = Case("rough", "elementwise", lambda xp, x: xp.abs(x) * x, mp=False, analytic=False)
    ref = O.reference_jacobian(rough, np.array([1.0, -2.0, 0.5]))
    assert ref.method == "richardson"
    np.testing.assert_allclose(np.diag(ref.value), [2.0, 4.0, 1.0], rtol=1e-9)


def test_closed_form_that_is_not_finite_falls_back():
    case = Case("inv_sq", "elementwise", lambda xp, x: xp.sin(x), derivative=lambda x: np.cos(x) / 0.0, pointwise=True)
    with np.errstate(all="ignore"):
        assert O.reference_jacobian(case, np.ones(3)).method == "mpmath"


def test_jvp_vjp_adjoint_identity_on_oracles():
    case = by_name("softmax")
    rng = np.random.default_rng(0)
    x, v, u = rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    for method in ("closed form", "mpmath", "complex step", "richardson"):
        jv = O.reference_jvp(case, x, v, prefer=method).value
        ju = O.reference_vjp(case, x, u, prefer=method).value
        assert math.isclose(float(np.sum(u * jv)), float(np.sum(ju * v)), rel_tol=1e-9, abs_tol=1e-12), method


def test_mp_directional_matches_closed_form():
    case = by_name("solve")
    rng = np.random.default_rng(2)
    x = case.sample(rng, (3, 3))
    v = rng.normal(size=(3, 3))
    a = O.reference_jvp(case, x, v, prefer="mpmath")
    b = O.reference_jvp(case, x, v, prefer="closed form")
    assert (a.method, b.method) == ("mpmath", "closed form")
    np.testing.assert_allclose(a.value, b.value, rtol=1e-13, atol=1e-14)


def test_bad_requests_raise_clear_errors():
    with pytest.raises(O.OracleError, match="not pointwise"):
        O.reference_derivative(by_name("sum"), np.ones(3), 2)
    with pytest.raises(O.OracleError, match="not scalar"):
        O.reference_hessian(by_name("softmax"), np.ones((2, 4)))
    with pytest.raises(O.OracleError, match="unknown oracle method"):
        O.reference_jacobian(by_name("sin"), np.ones(3), prefer="magic")
    with pytest.raises(O.OracleError, match="tangent shape"):
        O.reference_jvp(by_name("sin"), np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="unknown oracle method"):
        O.Reference(np.zeros(1), "guess", 0.0)
    with pytest.raises(ValueError, match=">= 30"):
        O.mp_namespace(20)


def test_mp_namespace_linear_algebra_agrees_with_numpy():
    xp = O.mp_namespace(40)
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    s = a @ a.T
    with xp.precision():
        A, S = xp.asarray(a), xp.asarray(s)
        f = O.to_float
        np.testing.assert_allclose(f(xp.linalg.inv(A)), np.linalg.inv(a), rtol=1e-13)
        np.testing.assert_allclose(f(xp.linalg.det(A)), np.linalg.det(a), rtol=1e-13)
        np.testing.assert_allclose(f(xp.linalg.slogdet(A)[1]), np.linalg.slogdet(a)[1], rtol=1e-13)
        np.testing.assert_allclose(f(xp.linalg.eigvalsh(S)), np.linalg.eigvalsh(s), rtol=1e-13)
        np.testing.assert_allclose(f(xp.linalg.svdvals(A)), np.linalg.svd(a, compute_uv=False), rtol=1e-13)
        np.testing.assert_allclose(f(xp.linalg.cholesky(S)), np.linalg.cholesky(s), rtol=1e-13)
        np.testing.assert_allclose(
            f(xp.linalg.solve(A, xp.asarray(np.ones(3)))), np.linalg.solve(a, np.ones(3)), rtol=1e-13
        )
        np.testing.assert_allclose(np.abs(f(xp.linalg.qr(A)[1])), np.abs(np.linalg.qr(a)[1]), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(f(xp.logsumexp(A, axis=1)), np.log(np.exp(a).sum(1)), rtol=1e-14)
        np.testing.assert_allclose(f(xp.var(A, axis=0)), np.var(a, axis=0), rtol=1e-13)


def test_mp_namespace_covers_the_xp_surface():
    from conformance.adapters.base import missing_surface

    assert missing_surface(O.mp_namespace()) == []


def test_complex_step_and_mpmath_agree_at_a_removable_singularity():
    case = by_name("x_over_sin")
    x = np.array([0.0, 0.25, -0.6])
    a = O.reference_jacobian(case, x, prefer="mpmath")
    b = O.reference_jacobian(case, x, prefer="complex step")
    np.testing.assert_allclose(a.value, b.value, rtol=1e-14, atol=1e-16)


# ------------------------------------------------------------------ noise around an exact 0, entry by entry
def _mp_case(name, fn, **kw):
    return Case(name, "reductions", fn, analytic=False, **kw)


def test_exact_zero_partials_are_zero_entry_by_entry_with_the_basis_stated():
    """var of a constant row: ∂var/∂xⱼ = 2(xⱼ − mean)/n is exactly 0 there, beside nonzero entries of the
    other row; the stencil's residue (1e-41) must come back as 0, and the Reference says so."""
    case = by_name("var_axis")
    x = np.array([[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]])
    ref = O.reference_jacobian(case, x, prefer="mpmath")
    want = np.zeros((2, 2, 3))
    want[1, 1] = 2 * (x[1] - x[1].mean()) / 3
    np.testing.assert_allclose(ref.value, want, rtol=1e-15, atol=0)  # atol 0: a residue fails
    assert "taken as exact 0" in ref.note and "own error estimate" in ref.note
    ok = O.reference_jacobian(case, np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 2.5]]), prefer="mpmath")
    assert ok.note == "" and np.count_nonzero(ok.value) == 6


def test_a_tiny_entry_beside_large_ones_is_kept():
    """One error estimate for the whole array (or row) would zero 2e-45 beside 2 and 4; each entry's own
    estimate keeps it (the Jacobian of x ↦ x², a non-pointwise case, at [1e-45, 1, 2])."""
    case = _mp_case("squares", lambda xp, x: x * x, pointwise=False)
    x = np.array([1e-45, 1.0, 2.0])
    ref = O.reference_jacobian(case, x, prefer="mpmath")
    np.testing.assert_allclose(np.diag(ref.value), 2 * x, rtol=1e-15, atol=0)
    assert ref.note == ""
    scalar = _mp_case("sum_sq", lambda xp, x: xp.sum(x * x), scalar=True)
    np.testing.assert_allclose(O.reference_jacobian(scalar, x, prefer="mpmath").value, 2 * x, rtol=1e-15, atol=0)


def test_noise_to_zero_uses_each_entrys_own_estimate():
    v, note = O.noise_to_zero(np.array([1e-41, 2e-45, 3.0]), np.array([1e-41, 1e-60, 1e-40]))
    assert v.tolist() == [0.0, 2e-45, 3.0] and note.startswith("1 of 3")
    assert O.noise_to_zero(np.array([1.0, 2.0]), 1e-40)[1] == ""


def test_hessian_exact_zero_diagonal_is_zero():
    """det is affine in each entry: its Hessian's diagonal is exactly 0 (the stencil leaves 1e-81)."""
    a = np.array([[2.0, 1.0, 0.5], [0.3, 3.0, 1.0], [1.0, -1.0, 2.5]])
    ref = O.reference_hessian(by_name("det"), a, prefer="mpmath")
    H = ref.value.reshape(9, 9)
    assert np.all(np.diag(H) == 0.0)
    np.testing.assert_allclose(H, by_name("det").hess(a).reshape(9, 9), rtol=1e-13, atol=1e-13)


def test_one_step_for_every_direction_resolves_huge_beside_tiny():
    """A direction's stencil moves every entry by one step h = 10^-dps·(the smallest entry's scale): the
    working precision must resolve that h against the largest |x| (1e200 + 1e-240), else ∂/∂x₀ reads 0."""
    case = by_name("sum_axis")
    x = np.array([[1e200, -1e200, 1.0], [1e-200, 2e-200, 3.0]])
    ref = O.reference_jacobian(case, x, prefer="mpmath")
    want = np.zeros((2, 2, 3))
    want[0, 0], want[1, 1] = 1.0, 1.0
    np.testing.assert_array_equal(ref.value, want)


def test_a_tiny_partial_of_an_order_one_function_is_resolved():
    """∂‖x‖₃/∂x₂ = x₂|x₂|/‖x‖² = 5.1e-77 at x₂ = 1.2e-38 beside entries of order 1: one step moves F by 1e-154
    of itself, beyond the base working precision. Two steps at one precision share its rounding (their
    difference says nothing); the check step at more digits exposes it and the precision is raised."""
    case = by_name("vector_norm_3")
    x = np.array(
        [
            [1.3252633810043335, -0.3920987546443939, -1.1],
            [1.6254215240478516, -0.5673096776008606, -1.1754943508222875e-38],
        ]
    )
    J = O.reference_jacobian(case, x, prefer="mpmath").value
    with mpmath.workdps(60):
        r = [mpmath.mpf(float(t)) for t in x[1]]
        n = mpmath.fsum(abs(t) ** 3 for t in r) ** (mpmath.mpf(1) / 3)
        exact = [float(t * abs(t) / n**2) for t in r]
    np.testing.assert_allclose(J[1, 1], exact, rtol=4e-16, atol=0)
