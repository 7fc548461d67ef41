"""The variations topic of the advanced suite: the Euler–Lagrange oracles, the discretization's order,
bad input, and that a wrong gradient, a wrong HVP or a first-order discretization is flagged (torch and
the numpy reference only: the other frameworks run under tests/conformance)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from conformance import adapters, engine
from conformance.advanced import variations
from conformance.advanced import variations_functionals as vf
from conformance.errors import ConformanceError

PROFILE = engine.get_profile("ci")


def task(case, check):
    found = [t for t in variations.tasks(PROFILE) if t.case == case and t.check == check]
    assert len(found) == 1
    return found[0]


# ----------------------------------------------------------------------------- oracles
@pytest.mark.parametrize("name", vf.PROBLEMS)
@pytest.mark.parametrize("seed", [0, 7])
def test_extremals_solve_euler_lagrange_and_keep_beltrami_constant(name, seed):
    prob = vf.problem(name, seed)
    xs = [prob.a + c * (prob.b - prob.a) for c in vf.CHECKPOINTS]
    assert max(abs(vf.euler_lagrange(prob.lagrangian, prob.extremal, x)) for x in xs) < 1e-20
    H = [vf.beltrami(prob.lagrangian, prob.extremal, x) for x in xs]
    assert max(H) - min(H) < 1e-14 * abs(H[0])
    assert vf.second_variation(prob.lagrangian, prob.extremal, prob.a, prob.b) > 0
    assert max(abs(vf.euler_lagrange(prob.lagrangian, prob.test_curve, x)) for x in xs) > 1e-3


def test_euler_lagrange_of_arc_length_is_minus_the_curvature():
    """E = −y''/(1 + y'²)^{3/2} for L = √(1 + y'²), on the perturbed line."""
    prob = vf.problem("arc length", 3)
    for x in (0.2, 0.5, 0.9):
        with mpmath.workdps(30):
            _, y1, y2 = prob.test_curve.mp(mpmath.mpf(x))
            exact = float(-y2 / (1 + y1**2) ** 1.5)
        assert vf.euler_lagrange(prob.lagrangian, prob.test_curve, x) == pytest.approx(exact, rel=1e-12)


def test_beltrami_constants_are_the_known_ones():
    """Cycloid: H = 1/√(2r) (y(1 + y'²) = 2r); catenary: H = a."""
    for seed in range(3):
        b = vf.problem("brachistochrone", seed)
        r = float(b.extremal.mp(mpmath.mpf(b.a))[0]) / (1 - np.cos(1.2))
        assert vf.beltrami(b.lagrangian, b.extremal, b.b) == pytest.approx(1 / np.sqrt(2 * r), rel=1e-12)
        c = vf.problem("catenary", seed)
        y, _, y2 = (float(v) for v in c.extremal.mp(mpmath.mpf(0.3)))
        assert vf.beltrami(c.lagrangian, c.extremal, -0.2) == pytest.approx(np.sqrt(y / y2), rel=1e-12)  # a = √(y/y'')


def test_cycloid_samples_match_mpmath():
    prob = vf.problem("brachistochrone", 4)
    x = np.linspace(prob.a, prob.b, 11)
    with mpmath.workdps(30):
        exact = np.array([float(prob.extremal.mp(mpmath.mpf(v))[0]) for v in x])
    np.testing.assert_allclose(prob.extremal.np(x), exact, rtol=4e-16 * 8)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "a, b, n, match",
    [
        (0.0, 1.0, 0, "at least 2 steps"),
        (0.0, 1.0, 1, "at least 2 steps"),
        (1.0, 1.0, 10, "is empty"),
        (2.0, 1.0, 10, "is empty"),
    ],
)
def test_empty_grid_is_a_one_line_error(a, b, n, match):
    with pytest.raises(vf.GridError, match=match) as err:
        vf.check_grid(a, b, n)
    assert isinstance(err.value, ConformanceError) and "\n" not in str(err.value)


def test_functional_on_an_empty_grid_is_an_error_record(torch_ad, monkeypatch):
    """A task whose grid is empty records that one-line error, and the other tasks still run."""
    monkeypatch.setattr(variations, "GRIDS", (0, 100))
    rec = engine.run_task(task("catenary", "Euler-Lagrange convergence"), torch_ad, "cpu", "float64", PROFILE, 0)
    assert rec.status == "error" and "GridError" in rec.message and "at least 2 steps" in rec.message


# ----------------------------------------------------------------------------- tasks on real adapters
def test_every_task_is_in_the_variations_family():
    ts = list(variations.tasks(PROFILE))
    assert {t.family for t in ts} == {"variations"} and len({(t.case, t.check) for t in ts}) == len(ts)


@pytest.mark.parametrize(
    "check",
    [
        "Euler-Lagrange convergence",
        "gradient vanishes at the extremal",
        "Beltrami invariant",
        "second variation positive",
    ],
)
def test_catenary_and_brachistochrone_pass_in_torch(torch_ad, check):
    for name in ("catenary", "brachistochrone"):
        rec = engine.run_task(task(name, check), torch_ad, "cpu", "float64", PROFILE, 5)
        assert rec.status == "pass", rec.message


def test_the_line_is_exact_on_the_dyadic_grid(torch_ad):
    for check in ("gradient vanishes at the extremal", "Beltrami invariant"):
        rec = engine.run_task(task("arc length", check), torch_ad, "cpu", "float64", PROFILE, 2)
        assert rec.status == "pass", rec.message
    rec = engine.run_task(
        task("arc length", "gradient vanishes at the extremal"), torch_ad, "cpu", "float64", PROFILE, 2
    )
    assert rec.max_abs_error == 0.0


def test_reference_column():
    ref = adapters.get("numpy")
    cs = ref.with_variant("complex_step")
    rec = engine.run_task(task("catenary", "Euler-Lagrange convergence"), cs, "cpu", "float64", PROFILE, 0)
    assert rec.status == "pass", rec.message
    rec = engine.run_task(task("catenary", "Euler-Lagrange convergence"), ref, "cpu", "float64", PROFILE, 0)
    assert rec.status == "skip" and "Richardson" in rec.message
    rec = engine.run_task(task("catenary", "Beltrami invariant"), ref, "cpu", "float64", PROFILE, 0)
    assert rec.status == "pass", rec.message


# ----------------------------------------------------------------------------- wrong answers are flagged
def wrong_adapter(base, grad_sign=1.0, hvp_sign=1.0):
    """A subclass of the real adapter whose gradient and/or HVP carry a sign error."""

    class Wrong(type(base)):
        def grad(self, f, argnums=0):
            g = super().grad(f, argnums)
            return lambda *a: g(*a) * grad_sign

        def hvp(self, f, x, v):
            return super().hvp(f, x, v) * hvp_sign

    return Wrong(base.variant)


def test_a_sign_error_in_the_gradient_is_flagged(torch_ad):
    bad = wrong_adapter(torch_ad, grad_sign=-1.0)
    rec = engine.run_task(task("catenary", "Euler-Lagrange convergence"), bad, "cpu", "float64", PROFILE, 0)
    assert rec.status == "fail" and rec.data["EL"]["observed_order"] < 0.5, rec.message
    rec = engine.run_task(task("Dirichlet energy", "Euler-Lagrange convergence"), bad, "cpu", "float64", PROFILE, 0)
    assert rec.status == "fail", rec.message


def test_a_sign_error_in_the_hvp_is_flagged(torch_ad):
    bad = wrong_adapter(torch_ad, hvp_sign=-1.0)
    for case in ("catenary", "Dirichlet energy"):
        rec = engine.run_task(task(case, "second variation positive"), bad, "cpu", "float64", PROFILE, 0)
        assert rec.status == "fail" and min(rec.data["rayleigh_quotients"]) < 0, rec.message


def test_a_first_order_discretization_claimed_second_order_is_flagged(torch_ad, monkeypatch):
    """The left-point rule J_h = h Σ L(x_i, y_i, Δy_i/h) is first order: its ∇J_h/h → E at order 1."""

    def left_point(xp, lagrangian, y_inner, x_mid, ends, h):
        y = xp.concatenate([ends[:1], y_inner, ends[1:]])
        return h * xp.sum(lagrangian(xp, x_mid - h / 2, y[:-1], (y[1:] - y[:-1]) / h))

    monkeypatch.setattr(vf, "discrete_functional", left_point)
    monkeypatch.setattr(variations, "_PROGRAMS", {})
    rec = engine.run_task(task("catenary", "Euler-Lagrange convergence"), torch_ad, "cpu", "float64", PROFILE, 0)
    assert rec.status == "fail" and rec.data["EL"]["observed_order"] == pytest.approx(1.0, abs=0.15), rec.message
