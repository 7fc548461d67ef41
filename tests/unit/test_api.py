"""conformance.check: the Python API over the derivative checks."""

from __future__ import annotations

import numpy as np
import pytest

import conformance
from conformance import adapters
from conformance.api import CheckUsageError, make_case

X = np.array([0.2, -0.4, 0.9])


def sin_exp(xp, x):
    return xp.sum(xp.sin(x) * xp.exp(x))


@pytest.fixture(scope="module", autouse=True)
def need_torch():
    if not adapters.get("torch").available():
        pytest.skip("torch is not installed")


def test_xp_generic_function_passes_with_the_mpmath_oracle():
    r = conformance.check(sin_exp, X, frameworks=["torch"],
                          checks=("gradient", "jvp", "vjp", "hessian", "adjoint", "hvp", "taylor"))
    r.assert_ok()
    assert r.outcome("torch", "gradient").data["oracle"] == "mpmath"
    assert r.outcome("torch", "hessian").tolerance > r.outcome("torch", "gradient").tolerance
    assert "torch[func]" in r.table() and str(r) == r.table()


def test_wrong_per_framework_function_fails_with_a_table():
    import torch

    def wrong(x):  # sin·exp with a derivative rule that is off by 1e-8 (via a detached term)
        y = torch.sum(torch.sin(x) * torch.exp(x))
        return y + 1e-8 * (y - y.detach())

    r = conformance.check({"torch": wrong}, X, reference=lambda x: np.sum(np.sin(x) * np.exp(x)),
                          analytic=True, checks=("gradient", "vjp"))
    assert not r.ok and {f.check for f in r.failures} == {"gradient", "vjp"}
    with pytest.raises(AssertionError, match=r"torch\[func\] gradient"):
        r.assert_ok()
    assert r.outcome("torch", "gradient").data["oracle"] == "complex step"


def test_without_analytic_the_reference_is_judged_by_richardson_with_its_wider_bound():
    r = conformance.check({"torch": lambda x: (x ** 3).sum()}, X, reference=lambda x: np.sum(x ** 3),
                          checks=("gradient",))
    r.assert_ok()
    out = r.outcome("torch", "gradient")
    assert out.data["oracle"] in ("richardson", "closed form") and out.tolerance >= 1e-9


def test_non_scalar_functions_skip_gradient_and_hessian():
    r = conformance.check(lambda xp, x: xp.tanh(x), X, frameworks=["torch"])
    assert r.outcome("torch", "gradient").status == "skip"
    assert r.outcome("torch", "jvp").status == "pass" and r.ok


def test_float32_and_all_variants():
    r = conformance.check(sin_exp, X, frameworks=["torch"], dtype="float32", variants="all",
                          checks=("gradient",))
    assert {row.api for row in r.rows} == {"func", "autograd"} and r.ok
    assert r.outcome("torch", "gradient").tolerance == pytest.approx(64 * 2.0**-23)


def test_a_function_that_raises_is_an_error_row():
    def boom(x):
        raise RuntimeError("no")

    r = conformance.check({"torch": boom}, X, reference=lambda x: np.sum(x), checks=("gradient",))
    assert r.rows[0].status == "error" and "RuntimeError" in r.rows[0].outcome.message and not r.ok


@pytest.mark.parametrize("kwargs,match", [
    (dict(fn={"torch": lambda x: x}), "reference"),
    (dict(fn={}), "empty"),
    (dict(fn=sin_exp, checks=("gradient", "nope")), "unknown check"),
    (dict(fn=sin_exp, dtype="float16"), "float16"),
    (dict(fn=42), "fn must be"),
    (dict(fn={"torch": lambda x: x}, reference=lambda x: np.log(x - 5)), "not finite"),
])
def test_bad_usage_is_a_one_line_error(kwargs, match):
    fn = kwargs.pop("fn")
    with pytest.raises(CheckUsageError, match=match):
        conformance.check(fn, X, **kwargs)


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(adapters.UnknownFrameworkError, match="known frameworks"):
        conformance.check({"mxnet": lambda x: x}, X, reference=np.sum)


def test_make_case_uses_the_reference_as_the_oracle_formula():
    ref = lambda x: np.sum(x ** 2)  # noqa: E731
    case = make_case({"torch": lambda x: (x ** 2).sum()}, X, ref)
    assert case.scalar and not case.mp and case.oracle_fn(None, X) == pytest.approx(ref(X))
    generic = make_case(sin_exp, X)
    assert generic.mp and generic.exact_fn is None
