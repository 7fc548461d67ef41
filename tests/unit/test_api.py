"""conformance.check: the Python API over the derivative checks (issue 21's list of bugs, one test each)."""

from __future__ import annotations

import numpy as np
import pytest

import conformance
from conformance import adapters
from conformance.api import CheckUsageError, make_case

X = np.array([0.2, -0.4, 0.9])


def sin_exp(xp, x):
    return xp.sum(xp.sin(x) * xp.exp(x))


def reference(x):
    return np.sum(np.sin(x) * np.exp(x))


@pytest.fixture(scope="module", autouse=True)
def need_torch():
    if not adapters.get("torch").available():
        pytest.skip("torch is not installed")


def skewed(delta):
    """Σ sin(x) eˣ in torch whose derivative is (1 + δ) times the true one (a detached term)."""
    import torch

    def f(x):
        y = torch.sum(torch.sin(x) * torch.exp(x))
        return y + delta * (y - y.detach())

    return f


def test_xp_generic_function_passes_with_the_mpmath_oracle():
    r = conformance.check(
        sin_exp,
        X,
        frameworks=["torch"],
        checks=("gradient", "jvp", "vjp", "hessian", "adjoint", "hvp", "taylor", "jvp_jvp"),
    )
    r.assert_ok()
    assert r.outcome("torch", "gradient").data["oracle"] == "mpmath"
    assert r.outcome("torch", "hessian").tolerance > r.outcome("torch", "gradient").tolerance
    assert "torch[func]" in r.table() and str(r) == r.table()


def test_wrong_per_framework_function_fails_with_a_table():
    r = conformance.check({"torch": skewed(1e-8)}, X, reference=reference, analytic=True, checks=("gradient", "vjp"))
    assert not r.ok and {f.check for f in r.failures} == {"gradient", "vjp"}
    with pytest.raises(AssertionError, match=r"torch\[func\] gradient"):
        r.assert_ok()
    assert r.outcome("torch", "gradient").data["oracle"] == "complex step"
    assert "reproduce: conformance.check(fn, x=np.array([0.2, -0.4, 0.9])" in r.table()


def test_a_1e_8_error_is_flagged_by_default_where_the_reference_takes_complex_input():
    """Old code: without analytic=True the Richardson oracle (1e-8 + 1e-8 absolute) let it pass."""
    r = conformance.check({"torch": skewed(1e-8)}, X, reference=reference, checks="gradient")
    out = r.outcome("torch", "gradient")
    assert out.status == "fail" and out.data["oracle"] == "complex step" and out.data["resolution"] < 1e-12


def test_richardson_states_that_it_cannot_resolve_1e_8():
    r = conformance.check({"torch": skewed(1e-8)}, X, reference=reference, checks="gradient", oracle="richardson")
    out = r.outcome("torch", "gradient")
    assert out.status == "pass" and out.data["oracle"] == "richardson"
    assert out.data["resolution"] > 1e-8 and out.tolerance >= 1e-9
    assert (
        conformance.check({"torch": skewed(1e-6)}, X, reference=reference, checks="gradient", oracle="richardson")
        .outcome("torch", "gradient")
        .status
        == "fail"
    )


def test_analytic_true_on_a_non_analytic_reference_does_not_blame_the_rule():
    import torch

    pairs = [
        (lambda x: torch.abs(x).sum(), lambda x: np.sum(np.abs(x))),  # real on complex input
        (lambda x: (x * x).sum(), lambda x: np.sum(np.conj(x) * x)),
    ]  # |z|²: complex, not analytic
    for f, ref in pairs:
        r = conformance.check({"torch": f}, X, reference=ref, analytic=True, checks="gradient")
        out = r.outcome("torch", "gradient")
        assert out.status == "pass" and out.data["oracle"] == "richardson", r.table()
        assert "Richardson" in out.data["oracle_note"] and "oracle note" in r.table()


def test_a_float32_reference_is_refused():
    with pytest.raises(CheckUsageError, match="float32, a lower precision"):
        conformance.check({"torch": lambda x: (x**2).sum()}, X, reference=lambda x: np.float32(np.sum(x**2)))


def test_checks_as_one_name_or_a_comma_list():
    r = conformance.check(sin_exp, X, frameworks="torch", checks="gradient")
    assert [row.check for row in r.rows] == ["gradient"] and r.ok
    assert [row.check for row in conformance.check(sin_exp, X, frameworks="torch", checks="jvp,vjp").rows] == [
        "jvp",
        "vjp",
    ]


def test_variants_by_name_and_bad_names():
    r = conformance.check(sin_exp, X, frameworks=["torch"], variants="autograd", checks="gradient")
    assert [row.api for row in r.rows] == ["autograd"] and r.ok
    assert {
        row.api
        for row in conformance.check(
            sin_exp, X, frameworks=["torch"], variants=["func", "autograd"], checks="gradient"
        ).rows
    } == {"func", "autograd"}
    if adapters.get("jax").available():  # a name another framework lacks: a skip row for that one
        both = conformance.check(sin_exp, X, frameworks=["torch", "jax"], variants="autograd", checks="gradient")
        assert [(row.framework, row.status) for row in both.rows] == [("jax", "skip"), ("torch", "pass")]
    with pytest.raises(CheckUsageError, match=r"unknown API variant\(s\) bogus; .*torch: func, autograd"):
        conformance.check(sin_exp, X, frameworks=["torch"], variants="bogus")


def test_zero_d_input_through_a_numpy_reference():
    f = lambda xp, x: xp.sin(x) * xp.asarray(2.0, like=x)  # noqa: E731
    r = conformance.check(f, 0.5, frameworks=["torch"], reference=lambda x: 2 * np.sin(x))
    r.assert_ok()
    assert r.outcome("torch", "jvp").status == "pass"


def test_a_tensor_that_requires_grad_is_an_input():
    import torch

    r = conformance.check(sin_exp, torch.tensor(X, requires_grad=True), frameworks=["torch"], checks="gradient")
    assert r.ok and r.rows[0].outcome.input == X.tolist()


def test_complex_input_is_refused_with_the_conventions():
    with pytest.raises(CheckUsageError, match=r"complex x is not supported.*torch: ∂L/∂x \+ i∂L/∂y"):
        conformance.check(sin_exp, X + 1j, frameworks=["torch"])


def test_third_derivative_of_a_declared_pointwise_function_and_a_wrong_second_derivative():
    import torch

    ok = conformance.check(
        lambda xp, x: xp.sin(x) * xp.exp(x),
        X,
        frameworks=["torch"],
        checks=["third_derivative", "jvp_jvp"],
        pointwise=True,
    )
    ok.assert_ok()
    detected = conformance.check(lambda xp, x: xp.sin(x), X, frameworks=["torch"], checks="third_derivative")
    assert detected.rows[0].status == "pass"  # elementwise, found by moving each entry alone
    mixed = conformance.check(lambda xp, x: xp.cumsum(x), X, frameworks=["torch"], checks="third_derivative")
    assert mixed.rows[0].status == "skip" and "pointwise=True" in mixed.rows[0].outcome.message

    def second_order_wrong(x):  # value and first derivative right, second derivative off by 1e-3
        y = torch.sin(x)
        d = x - x.detach()
        return y + 5e-4 * d * d

    r = conformance.check(
        {"torch": second_order_wrong},
        X,
        reference=np.sin,
        pointwise=True,
        checks=["jvp", "third_derivative", "jvp_jvp"],
    )
    assert r.outcome("torch", "jvp").status == "pass"
    assert r.outcome("torch", "third_derivative").status == "fail" and r.outcome("torch", "jvp_jvp").status == "fail"
    with pytest.raises(CheckUsageError, match="pointwise=True, but"):
        conformance.check(sin_exp, X, frameworks=["torch"], pointwise=True)


def test_float16_and_bfloat16_pass_and_flag():
    import torch

    for dtype in ("float16", "bfloat16"):
        conformance.check(sin_exp, X, frameworks=["torch"], dtype=dtype).assert_ok()
    r = conformance.check(
        {"torch": lambda x: (lambda y: y + 0.1 * (y - y.detach()))(torch.sum(torch.sin(x)))},
        X,
        reference=lambda x: np.sum(np.sin(x)),
        dtype="float16",
        checks="gradient",
    )
    assert r.outcome("torch", "gradient").status == "fail"
    assert (
        conformance.check(sin_exp, X, frameworks=["torch"], dtype="float16", checks="taylor").rows[0].status == "skip"
    )


def test_full_messages_and_meaningful_columns_in_the_table():
    def boom(x):
        raise RuntimeError("first part of a long framework message " * 4 + "THE ACTIONABLE END")

    r = conformance.check({"torch": boom}, X, reference=reference, checks="gradient")
    assert r.rows[0].status == "error" and "THE ACTIONABLE END" in r.table().replace("\n    ", " ")
    h = conformance.check(sin_exp, X, frameworks=["torch"], checks="hessian")
    row = h.table().splitlines()[2]
    assert "pass" in row and "mpmath" in row and " 1 " not in row and "max rel" not in h.table()
    assert h.rows[0].outcome.data["resolution"] is not None


def test_matches_only_within_tolerance():
    r = conformance.check({"torch": skewed(1e-3)}, X, reference=reference, checks=("gradient", "jvp", "hessian"))
    for row in r.rows:
        assert ("matches" in row.outcome.message) == (row.status == "pass"), row.outcome.message


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(fn={"torch": lambda x: x}), "reference"),
        (dict(fn={}), "empty"),
        (dict(fn=sin_exp, checks=("gradient", "nope")), "unknown check"),
        (dict(fn=sin_exp, dtype="complex128"), "complex128"),
        (dict(fn=42), "fn must be"),
        (dict(fn={"torch": lambda x: x}, reference=lambda x: np.log(x - 5)), "not finite"),
        (dict(fn=sin_exp, variants=3), "variants=3"),
    ],
)
def test_bad_usage_is_a_one_line_error(kwargs, match):
    fn = kwargs.pop("fn")
    with pytest.raises(CheckUsageError, match=match) as err:
        conformance.check(fn, X, **kwargs)
    assert "\n" not in str(err.value)


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(adapters.UnknownFrameworkError, match="known frameworks"):
        conformance.check({"mxnet": lambda x: x}, X, reference=np.sum)


def test_make_case_uses_the_reference_as_the_oracle_formula():
    ref = lambda x: np.sum(x**2)  # noqa: E731
    case = make_case({"torch": lambda x: (x**2).sum()}, X, ref)
    assert case.scalar and not case.mp and case.oracle_fn(None, X) == pytest.approx(ref(X))
    generic = make_case(sin_exp, X)
    assert generic.mp and generic.exact_fn is None
    with_ref = make_case(sin_exp, X, lambda x: 2 * np.sum(x))  # the oracles differentiate the reference
    assert with_ref.oracle_fn(None, X) == pytest.approx(2 * np.sum(X)) and "torch" in with_ref.impls


def test_the_default_checks_hold_the_second_derivative_of_an_array_valued_function():
    """Old defaults: hessian is scalar-only, so a rule right in value and first derivative but wrong in its
    second passed for an array-valued f."""
    import torch

    def wrong(x):  # y = sin(x) eˣ; the added c·d² is 0 in value and first derivative, 2c in the second
        d = x - x.detach()
        return torch.sin(x) * torch.exp(x) + 1e-3 * d * d

    ref = lambda x: np.sin(x) * np.exp(x)  # noqa: E731
    bad = conformance.check({"torch": wrong}, X, reference=ref)
    assert [r.check for r in bad.failures] == ["rev_over_rev"]
    conformance.check({"torch": lambda x: torch.sin(x) * torch.exp(x)}, X, reference=ref).assert_ok()


def test_near_a_zero_of_f_prime_an_elementwise_rule_gets_its_condition_allowance():
    """(cos x + sin x) eˣ cancels at x = −π/4: a correct elementwise f failed at 64 ε unless declared pointwise."""
    import torch

    r = conformance.check(
        {"torch": lambda x: torch.sin(x) * torch.exp(x)},
        [-0.7890625],
        reference=lambda x: np.sin(x) * np.exp(x),
        checks=("jvp", "vjp"),
    )
    r.assert_ok()


# x[0, 0] and x[1, 0] sit near zeros of ∂f/∂xᵢ₀ = cos(xᵢ₀)·Σₖxₖ₀ + Σₖ sin(xₖ₀): those entries cancel to ~1e-3
NEAR_A_ZERO = np.array(
    [
        [-0.7253165799115443, -0.4604265724722594, -0.9180529521276106, -0.9669447289429418],
        [0.6265404784005448, 0.8255111545554434, 0.21327155153435973, 0.4589931219679968],
        [0.08724998293084574, 0.8701448475755365, 0.6317071082430643, -0.9945229996597038],
    ]
)


def sin_colsum(xp, x):
    return xp.sum(xp.sin(x) * xp.sum(x, axis=0, keepdims=True))


def test_a_gradient_entry_near_zero_gets_the_derivatives_condition_allowance():
    """Not elementwise: torch's own AD of Σ sin(x)·colsum(x) is 2.7e-14 relative off (0.1 ε absolute) on an
    entry that cancels to 1e-3, beyond 64 ε of |entry| but within ε·(|H|·|x|) (``usercheck.condition``);
    a rule 1e-8 off there still fails, by far."""
    import torch

    r = conformance.check(sin_colsum, NEAR_A_ZERO, checks=("gradient", "vjp", "jvp"), frameworks=["torch"])
    r.assert_ok()
    assert "own condition" in r.outcome("torch", "gradient").data["basis"]

    def off(x):
        y = torch.sum(torch.sin(x) * torch.sum(x, 0, keepdim=True))
        return y + 1e-8 * (y - y.detach())

    bad = conformance.check(
        {"torch": off},
        NEAR_A_ZERO,
        reference=lambda x: sin_colsum(np, x),
        checks=("gradient", "vjp"),
        oracle="complex step",
    )
    assert {row.check for row in bad.failures} == {"gradient", "vjp"}
    assert all(row.outcome.error_ratio > 100 for row in bad.failures)


def test_a_scalar_functions_default_second_order_check_is_hvp_with_a_dense_hessian_diagnostic():
    """The default second-order check of a scalar f is u·H·v by reverse over reverse (O(n) reference
    evaluations); the dense Hessian runs only on request or, as a diagnostic, when that row fails."""
    ok = conformance.check({"torch": skewed(0.0)}, X, reference=reference)
    ok.assert_ok()
    assert [r.check for r in ok.rows] == ["gradient", "jvp", "vjp", "rev_over_rev"]
    import torch

    def second_only(x):  # right value and gradient, Hessian off by 2·1e-3 on the diagonal
        d = x - x.detach()
        return torch.sum(torch.sin(x) * torch.exp(x)) + 1e-3 * torch.sum(d * d)

    bad = conformance.check({"torch": second_only}, X, reference=reference)
    assert [r.check for r in bad.failures] == ["rev_over_rev"]
    row = bad.outcome("torch", "rev_over_rev")
    assert "dense Hessian (diagnostic)" in row.message and row.data["hessian_diagnostic"]["status"] == "fail"
