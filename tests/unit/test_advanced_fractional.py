"""The fractional topic of the advanced suite: the schemes against their mpmath sums, the oracles'
sanity (Mittag-Leffler identities), order fits, bad input, and that a wrong gradient or a wrong
scheme is flagged (torch and the numpy reference only: the other frameworks run under tests/conformance)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from conformance import adapters, engine
from conformance.advanced import fractional, orders
from conformance.advanced import fractional_oracles as oracle
from conformance.advanced import fractional_schemes as schemes
from conformance.errors import ConformanceError

PROFILE = engine.get_profile("ci")


def ctx_of(adapter, dtype="float64", seed=0):
    return engine.Context(adapter, "cpu", dtype, seed)


def task(case_part, check):
    found = [t for t in fractional.tasks(PROFILE) if case_part in t.case and t.check == check]
    assert len(found) == 1, [t.case for t in found]
    return found[0]


# ----------------------------------------------------------------------------- oracles
@pytest.mark.parametrize("x", [0.1, 0.7, 1.5, 3.0])
def test_mittag_leffler_identities(x):
    """E_{1/2}(−x) = e^{x²} erfc(x) and E_2(x) = cosh √x, to 30 digits."""
    with mpmath.workdps(30):
        x = mpmath.mpf(x)
        assert abs(oracle.mittag_leffler(0.5, -x) - mpmath.exp(x * x) * mpmath.erfc(x)) < mpmath.mpf(10) ** -25
        assert abs(oracle.mittag_leffler(2, x) - mpmath.cosh(mpmath.sqrt(x))) < mpmath.mpf(10) ** -25
        assert abs(oracle.mittag_leffler(1, x) - mpmath.exp(x)) < mpmath.mpf(10) ** -25


def test_mittag_leffler_float_samples_match_mpmath():
    t = np.linspace(0, 1, 9)
    got = oracle.ml_samples(0.3, -1.0, t)
    with mpmath.workdps(30):
        exact = np.array([float(oracle.mittag_leffler(0.3, -(v**0.3))) for v in t])
    np.testing.assert_allclose(got, exact, rtol=1e-14, atol=0)


def test_exact_operators_closed_forms():
    """D^α t = t^{1−α}/Γ(2−α); RL D^α 1 = t^−α/Γ(1−α) (c = 1 adds it, Caputo drops it); I^α 1 = t^α/Γ(1+α)."""
    with mpmath.workdps(30):
        a, T = mpmath.mpf("0.4"), mpmath.mpf(2)
        assert mpmath.almosteq(oracle.exact("l1_caputo", a, T, 5, 1), T ** (1 - a) / mpmath.gamma(2 - a))
        diff = oracle.exact("grunwald_letnikov", a, T, 1, 1) - oracle.exact("l1_caputo", a, T, 1, 1)
        assert mpmath.almosteq(diff, T**-a / mpmath.gamma(1 - a))
        i1 = oracle.exact("trapezoid_integral", a, T, 1, 2) - oracle.exact("trapezoid_integral", a, T, 0, 2)
        assert mpmath.almosteq(i1, T**a / mpmath.gamma(1 + a))


def test_schemes_in_numpy_match_their_mpmath_sums():
    """The xp schemes (numpy, scipy's gammaln) equal the direct mpmath sums to ~1e-13 relative."""
    from scipy.special import gammaln

    alpha, T, c, k, n = 0.37, 1.3, 0.8, 2.5, 40
    g = schemes.Grid(n).numpy()
    h = T / n
    f = c + (np.arange(n + 1) * h) ** k
    for method, scheme in schemes.SCHEMES.items():
        with mpmath.workdps(40):
            exact = float(oracle.scheme_value(method, mpmath.mpf(alpha), T, c, k, n))
        assert scheme(np, gammaln, alpha, h, f, g) == pytest.approx(exact, rel=1e-12), method
    every = schemes.trapezoid_integral_all(np, gammaln, alpha, h, f, schemes.Grid(n, True).numpy())
    with mpmath.workdps(40):
        mp_f = [mpmath.mpf(v) for v in f]
        exact_all = [float(v) for v in oracle.trapezoid_all(mpmath.mpf(alpha), mpmath.mpf(h), mp_f)]
    np.testing.assert_allclose(every, exact_all, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- order fits
def test_fitted_order_recovers_powers_and_rejects_zero_errors():
    h = 1.0 / np.array([50, 100, 200, 400, 800])
    assert orders.fitted_order(h, 3 * h**1.7) == pytest.approx(1.7)
    assert orders.fitted_order(h, 3 * h**1.3 * np.abs(np.log(h)), log_factor=True) == pytest.approx(1.3)
    assert np.isnan(orders.fitted_order(h, np.zeros(5)))
    assert orders.order_verdict(float("nan"), 2.0)[0] is False
    ok, data = orders.study({"e": list(h**2.3)}, {"e": 2.0}, list(h), at_least=("e",))[0::2]
    assert ok and data["e"]["observed_order"] == pytest.approx(2.3)
    assert not orders.study({"e": list(h**2.3)}, {"e": 2.0}, list(h))[0]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("alpha", [0.0, -0.5, 1.0, 1.5, float("nan")])
def test_order_outside_the_range_is_a_one_line_error(alpha):
    with pytest.raises(schemes.FractionalOrderError) as err:
        fractional.convergence_check("l1_caputo", alpha)
    assert isinstance(err.value, ConformanceError)
    assert "L1 Caputo needs a fractional order 0 < α < 1" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(schemes.FractionalOrderError):
        fractional.semigroup_check(0.5, alpha)


def test_grid_without_steps_is_a_one_line_error():
    for n in (0, 1):
        with pytest.raises(schemes.GridError, match="at least 2 steps"):
            schemes.Grid(n).numpy()


# ----------------------------------------------------------------------------- tasks on real adapters
def test_every_task_is_in_the_fractional_family():
    ts = list(fractional.tasks(PROFILE))
    assert {t.family for t in ts} == {"fractional"}
    assert len({(t.case, t.check) for t in ts}) == len(ts)


@pytest.mark.parametrize("check", ["value vs mpmath sum", "gradient wrt alpha and T vs mpmath.diff"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_value_and_gradient_pass_in_torch(torch_ad, check, dtype):
    for method in schemes.SCHEMES:
        rec = engine.run_task(task(fractional.LABEL[method], check), torch_ad, "cpu", dtype, PROFILE, 3)
        assert rec.status == "pass", rec.message


def test_reference_column_runs_the_gradient_checks():
    ref = adapters.get("numpy")
    gradient = task("L1 Caputo", "gradient wrt alpha and T vs mpmath.diff")
    rec = engine.run_task(gradient, ref, "cpu", "float64", PROFILE, 1)
    assert rec.status == "pass", rec.message
    rec = engine.run_task(gradient, ref.with_variant("complex_step"), "cpu", "float64", PROFILE, 1)
    assert rec.status == "skip" and "gammaln" in rec.message


def test_studies_pass_in_torch(torch_ad):
    for case, check in [
        ("L1 Caputo on 1 + t^2, alpha = 0.7", "convergence order of value and gradient"),
        ("D^alpha 1, alpha = 0.3", "RL exact, Caputo zero, GL order 1"),
        ("Caputo D^alpha", "Mittag-Leffler eigenfunction"),
    ]:
        rec = engine.run_task(task(case, check), torch_ad, "cpu", "float64", PROFILE, 0)
        assert rec.status == "pass", rec.message


# ----------------------------------------------------------------------------- wrong answers are flagged
def wrong_gradient_adapter(base, sign_alpha=-1.0):
    """A subclass of the real adapter whose value_and_grad flips the sign of ∂/∂α."""

    class WrongGradient(type(base)):
        def value_and_grad(self, f, argnums=0):
            vg = super().value_and_grad(f, argnums)

            def op(*args):
                value, (da, dt) = vg(*args)
                return value, (da * sign_alpha, dt)

            return op

    return WrongGradient(base.variant)


def test_a_wrong_gradient_is_flagged(torch_ad):
    bad = wrong_gradient_adapter(torch_ad)
    rec = engine.run_task(
        task("Grünwald–Letnikov on c + t^k", "gradient wrt alpha and T vs mpmath.diff"),
        bad,
        "cpu",
        "float64",
        PROFILE,
        0,
    )
    assert rec.status == "fail" and rec.error_ratio > 1e6, rec.message
    rec = engine.run_task(
        task("L1 Caputo on 1 + t^2, alpha = 0.3", "convergence order of value and gradient"),
        bad,
        "cpu",
        "float64",
        PROFILE,
        0,
    )
    assert rec.status == "fail" and "d/dalpha order" in rec.message, rec.message


def test_a_first_order_scheme_claimed_second_order_is_flagged(torch_ad, monkeypatch):
    """A first-order Caputo scheme (Grünwald–Letnikov on f − f(0)) in place of L1 (claimed 2 − α) fails the
    order fit at order 1; an L1 whose Γ(2−α) is Γ(1−α) (a wrong constant) fails against its mpmath sum."""

    def first_order(xp, lgamma, alpha, h, f, g):
        return schemes.grunwald_letnikov(xp, lgamma, alpha, h, f - f[0], g)

    monkeypatch.setattr(fractional, "_PROGRAMS", {})
    monkeypatch.setattr(fractional, "_EVALUATED", {})
    monkeypatch.setitem(schemes.SCHEMES, "l1_caputo", first_order)
    rec = engine.run_task(
        task("L1 Caputo on 1 + t^2, alpha = 0.3", "convergence order of value and gradient"),
        torch_ad,
        "cpu",
        "float64",
        PROFILE,
        0,
    )
    assert rec.status == "fail", rec.message
    assert rec.data["value"]["observed_order"] == pytest.approx(1.0, abs=0.05), rec.message

    def wrong_constant(xp, lgamma, alpha, h, f, g):
        return schemes.l1_caputo(xp, lambda z: lgamma(z - 1.0), alpha, h, f, g)

    monkeypatch.setattr(fractional, "_PROGRAMS", {})
    monkeypatch.setattr(fractional, "_EVALUATED", {})
    monkeypatch.setitem(schemes.SCHEMES, "l1_caputo", wrong_constant)
    rec = engine.run_task(task("L1 Caputo on c + t^k", "value vs mpmath sum"), torch_ad, "cpu", "float64", PROFILE, 0)
    assert rec.status == "fail", rec.message
