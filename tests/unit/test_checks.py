"""The derivative checks: each passes on a correct framework and flags a wrong derivative.

A wrong derivative is made by ``Skewed``, a proxy around a real adapter that multiplies one
operator's answer by (1 + δ) — the checks must flag δ = 1e-8 in float64 and δ = 1e-4 in float32.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conformance import adapters, engine
from conformance.derivatives import agreement, checks, suite
from conformance.derivatives.case import Case
from conformance.derivatives.checks import Inputs
from conformance.tolerance import compare, policy

SCALAR = Case(
    "sum_sin_exp",
    "compositions",
    lambda xp, x: xp.sum(xp.sin(x) * xp.exp(x)),
    scalar=True,
    shapes=((3,),),
    domain=(-1.0, 1.0),
)
VECTOR = Case(
    "matvec_tanh", "compositions", lambda xp, x: xp.tanh(xp.matmul(xp.reshape(x, (2, 2)), x[:2])), shapes=((4,),)
)
POINTWISE = Case("tanh", "elementwise", lambda xp, x: xp.tanh(x), shapes=((3,),), pointwise=True)
X = np.array([0.3, -0.7, 1.1])
X4 = np.array([0.3, -0.7, 1.1, 0.4])


class Skewed:
    """A real adapter whose operators in ``ops`` return (1 + δ) times the right answer."""

    def __init__(self, base, delta: float, ops: tuple[str, ...]):
        self._base, self._delta, self._ops = base, delta, ops

    def __getattr__(self, name):
        return getattr(self._base, name)

    def _k(self, op):
        return (1.0 + self._delta) if op in self._ops else 1.0

    def grad(self, f, argnums=0):
        g = self._base.grad(f, argnums)
        return lambda *a: g(*a) * self._k("grad")

    def jvp(self, f, x, v):
        y, t = self._base.jvp(f, x, v)
        return y, t * self._k("jvp")

    def vjp(self, f, x, u):
        y, c = self._base.vjp(f, x, u)
        return y, c * self._k("vjp")

    def jacobian(self, f, mode="rev"):
        j = self._base.jacobian(f, mode)
        return lambda x: j(x) * self._k(f"jacobian_{mode}")

    def hessian(self, f):
        h = self._base.hessian(f)
        if "hessian_asym" in self._ops:  # add δ·(e₀e₁ᵀ − e₁e₀ᵀ)·|H|max: breaks symmetry only

            def asym(x):
                H = h(x)
                n = H.shape[0]
                E = np.zeros((n, n))
                E[0, 1], E[1, 0] = 1.0, -1.0
                return H + self._base.from_numpy(E * self._delta, dtype=self._base.dtype_name(H))

            return asym
        return lambda x: h(x) * self._k("hessian")

    def hvp(self, f, x, v):
        return self._base.hvp(f, x, v) * self._k("hvp")

    def derivative(self, f, order=1):
        d = self._base.derivative(f, order)
        return lambda x: d(x) * self._k(f"derivative{order}")


def ctx(adapter, dtype="float64"):
    return engine.Context(adapter, "cpu", dtype, 0)


def inp(x, seed=3):
    return Inputs(checks.to_float32_grid(x), seed)


# ------------------------------------------------------------------ correct derivatives pass
@pytest.mark.parametrize(
    "name,case,x",
    [
        ("gradient", SCALAR, X),
        ("jvp", SCALAR, X),
        ("vjp", SCALAR, X),
        ("adjoint", SCALAR, X),
        ("jacobian_modes", VECTOR, X4),
        ("jvp", VECTOR, X4),
        ("vjp", VECTOR, X4),
        ("adjoint", VECTOR, X4),
        ("hessian", SCALAR, X),
        ("hessian_consistency", SCALAR, X),
        ("hvp", SCALAR, X),
        ("taylor", SCALAR, X),
        ("third_derivative", POINTWISE, X),
        ("probe", VECTOR, X4),
        ("probe", SCALAR, X),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_correct_derivatives_pass(torch_ad, name, case, x, dtype):
    out = checks.CHECKS[name].run(case, ctx(torch_ad, dtype), inp(x))
    if name == "taylor" and dtype == "float32":
        assert out.status == "skip"
        return
    assert out.status == "pass", out.message
    assert out.error_ratio is not None and out.error_ratio <= 1.0
    if name not in ("taylor",):
        assert out.tolerance > 0 and out.atol is not None and "reason" in out.data


# ------------------------------------------------------------------ wrong derivatives fail
@pytest.mark.parametrize("dtype,delta", [("float64", 1e-8), ("float32", 1e-4)])
@pytest.mark.parametrize(
    "name,case,x,ops",
    [
        ("gradient", SCALAR, X, ("grad",)),
        ("jvp", VECTOR, X4, ("jvp",)),
        ("vjp", VECTOR, X4, ("vjp",)),
        ("adjoint", VECTOR, X4, ("vjp",)),  # forward mode right, reverse mode wrong
        ("jacobian_modes", VECTOR, X4, ("jacobian_fwd",)),
        ("hessian", SCALAR, X, ("hessian",)),
        ("hessian_consistency", SCALAR, X, ("hessian",)),
        ("hvp", SCALAR, X, ("hvp",)),
        ("third_derivative", POINTWISE, X, ("derivative3",)),
        ("probe", SCALAR, X, ("grad",)),
    ],
)
def test_wrong_derivative_is_flagged(torch_ad, name, case, x, ops, dtype, delta):
    if name == "third_derivative":
        delta *= 100  # third derivatives are judged at 4096 ε (policy "third_order")
    elif name in ("hessian", "hessian_consistency", "hvp"):
        delta *= 10  # second derivatives are judged at 1024 ε (policy "second_order")
    out = checks.CHECKS[name].run(case, ctx(Skewed(torch_ad, delta, ops), dtype), inp(x))
    assert out.status == "fail", out.message
    assert out.error_ratio > 1.0
    assert "differs" in out.message and f"{out.tolerance:.3g}" in out.message


def test_asymmetric_hessian_is_flagged(torch_ad):
    out = checks.hessian_consistency(SCALAR, ctx(Skewed(torch_ad, 1e-6, ("hessian_asym",))), inp(X))
    assert out.status == "fail" and out.data["ratios"]["symmetry"] > 1


def test_taylor_order_drops_with_a_wrong_gradient(torch_ad):
    ok = checks.taylor(SCALAR, ctx(torch_ad), inp(X))
    assert ok.status == "pass" and abs(ok.data["slopes"]["2"] - 2) < 0.2 and abs(ok.data["slopes"]["3"] - 3) < 0.2
    bad = checks.taylor(SCALAR, ctx(Skewed(torch_ad, 0.1, ("grad",))), inp(X))
    assert bad.status == "fail" and bad.data["slopes"]["2"] < 1.5, bad.message
    bad_h = checks.taylor(SCALAR, ctx(Skewed(torch_ad, 0.1, ("hvp",))), inp(X))
    assert bad_h.status == "fail" and bad_h.data["slopes"]["3"] < 2.5, bad_h.message


def test_taylor_passes_a_quadratic_exact_to_rounding(torch_ad):
    quad = Case("quad", "compositions", lambda xp, x: xp.sum(x * x), scalar=True)
    out = checks.taylor(quad, ctx(torch_ad), inp(X))
    assert out.status == "pass" and out.data["slopes"]["3"] is None


def test_variant_agreement(torch_ad):
    autograd = torch_ad.with_variant("autograd")
    assert checks.variant_agreement(SCALAR, ctx(torch_ad), inp(X)).status == "skip"
    assert checks.variant_agreement(SCALAR, ctx(autograd), inp(X)).status == "pass"
    bad = checks.variant_agreement(SCALAR, ctx(Skewed(autograd, 1e-8, ("grad",))), inp(X))
    assert bad.status == "fail" and bad.data["ratios"]["gradient"] > 1


def test_probe_records_values_for_agreement(torch_ad):
    out = checks.probe(VECTOR, ctx(torch_ad), inp(X4))
    assert np.shape(out.probe["derivative"]) == (2, 4) and len(out.probe["value"]) == 2


def test_a_case_returning_nan_is_an_error(torch_ad):
    bad = Case("nan", "compositions", lambda xp, x: xp.sum(xp.log(x - 10.0)), scalar=True)
    with pytest.raises(checks.CaseError, match="non-finite"):
        checks.gradient(bad, ctx(torch_ad), inp(X))


def test_a_case_changing_dtype_is_an_error(torch_ad):
    bad = Case("f32", "compositions", lambda xp, x: xp.sum(x).to(xp.float32), scalar=True)
    with pytest.raises(checks.CaseError, match="float32"):
        checks.gradient(bad, ctx(torch_ad), inp(X))


# ------------------------------------------------------------------ tolerances
def test_tolerance_widens_for_the_numerical_reference_and_richardson():
    ad = adapters.get("numpy")
    t_ad = checks.tolerance_for("exact", "float64", adapters.get("torch"))
    assert t_ad.rtol == policy("exact", "float64").rtol
    assert checks.tolerance_for("exact", "float64", ad).rtol == policy("exact", "float64", "fd").rtol
    assert checks.tolerance_for("exact", "float64", None, "richardson").rtol == policy("exact", "float64", "fd").rtol
    # float32 AD bound is wider than the numerical bound: the larger applies
    assert checks.tolerance_for("exact", "float32", ad).rtol == policy("exact", "float32").rtol
    assert checks.tolerance_for("exact", "float64", None, kind="agreement").rtol == policy("agreement", "float64").rtol


def test_compare_uses_the_given_scale():
    tol = policy("exact", "float64")
    assert compare(1.0 + 1e-13, 1.0, tol, scale=1.0).ok is False
    assert compare(1e-13, 0.0, tol, scale=100.0).ok is True
    assert compare([1.0, float("nan")], [1.0, 1.0], tol, scale=1.0).ok is False


# ------------------------------------------------------------------ hypothesis in the suite
def test_explore_reports_the_worst_example_and_the_shrunk_failure(torch_ad):
    c = ctx(torch_ad)
    out = suite.explore(SCALAR, checks.CHECKS["gradient"], c, seed=5, max_examples=4)
    assert out.status == "pass" and out.data["examples"] == 4 and out.seed == 0
    bad = suite.explore(
        SCALAR, checks.CHECKS["gradient"], ctx(Skewed(torch_ad, 1e-8, ("grad",))), seed=5, max_examples=4
    )
    assert bad.status == "fail" and bad.message.startswith("shrunk input")
    assert np.shape(bad.input) == (3,) and bad.data["hypothesis_seed"] == 5


def test_explore_turns_a_crash_into_an_error_without_shrinking(torch_ad):
    crash = Case(
        "crash",
        "compositions",
        lambda xp, x: xp.sum(x),
        scalar=True,
        impls={"torch": lambda xp, x: xp.sum(xp.no_such_function(x))},
    )
    with pytest.raises(checks.CaseError, match="raised AttributeError"):
        suite.explore(crash, checks.CHECKS["gradient"], ctx(torch_ad), seed=1, max_examples=3)


def test_a_crash_while_shrinking_keeps_the_failure_found(torch_ad):
    """The check fails on its first input and raises on every later one: shrinking ends at the crash and
    hypothesis's replay of the failure it kept still fails (it returned, and hypothesis raised Flaky —
    the sweep's numpy reference of vector_norm_3 recorded that as an error)."""
    calls = {"n": 0}

    def run(case, c, inp):
        calls["n"] += 1
        if calls["n"] == 1:
            tol = policy("exact", "float64")
            return engine.Outcome.judged(compare(1.0, 2.0, tol), tol, "first")
        raise ValueError("a crash while shrinking")

    check = dataclasses.replace(checks.CHECKS["gradient"], run=run)
    out = suite.shrink(SCALAR, check, ctx(torch_ad), seed=3, max_examples=5)
    assert out is not None and out.status == "fail" and out.message.startswith("shrunk input")


def test_suite_tasks_cover_every_check_and_same_inputs_across_frameworks():
    prof = engine.get_profile("ci", 0)
    ts = suite.case_tasks(SCALAR, prof)
    names = {t.check for t in ts}
    assert {
        "gradient",
        "jvp",
        "adjoint",
        "hessian",
        "hessian_consistency",
        "hvp",
        "taylor",
        "variant_agreement",
        "probe",
    } <= names
    assert "vjp" not in names  # for a scalar case Jᵀu = u∇f: the gradient check covers it
    assert "vjp" in {t.check for t in suite.case_tasks(VECTOR, prof)}
    assert "third_derivative" in {t.check for t in suite.case_tasks(POINTWISE, prof)}
    assert next(t for t in ts if t.check == "taylor").dtypes == ("float64",)
    assert next(t for t in ts if t.check == "gradient").per_variant
    assert not next(t for t in ts if t.check == "adjoint").per_variant


# ------------------------------------------------------------------ agreement across runs
def _probe_rec(fw, api, deriv, version="1"):
    return {
        "kind": "check",
        "check": "probe",
        "framework": fw,
        "framework_version": version,
        "api": api,
        "dtype": "float64",
        "family": "f",
        "case": "c",
        "probe": {"derivative": deriv, "value": 0},
    }


def test_pairwise_agreement_matrix():
    recs = [
        _probe_rec("a", "x", [1.0, 2.0]),
        _probe_rec("b", "y", [1.0, 2.0 * (1 + 1e-12)]),
        _probe_rec("c", "z", [1.0, "nan"]),
    ]
    m = agreement.pairwise(recs)
    assert m.labels == ["a[x]", "b[y]", "c[z]"]
    assert m.matrix[0][0] == 0.0
    assert m.matrix[0][1] == pytest.approx(1e-12, rel=1e-3)
    assert m.matrix[0][2] == float("inf") and m.worst[(0, 2)] == "f/c"
    assert "a[x]" in m.table()
    two = agreement.pairwise([_probe_rec("a", "x", [1.0], "1"), _probe_rec("a", "x", [1.5], "2")])
    assert two.labels == ["a==1[x]", "a==2[x]"] and two.matrix[0][1] == pytest.approx(1 / 3)


def test_a_case_returning_the_wrong_shape_is_an_error(torch_ad):
    bad = Case("shape", "compositions", lambda xp, x: xp.sin(x), impls={"torch": lambda xp, x: xp.sin(x)[:2]})
    with pytest.raises(checks.CaseError, match=r"shape \(2,\)"):
        checks.jvp(bad, ctx(torch_ad), inp(X))


# ------------------------------------------------------------------ conformance targets
def test_targets_sensitivity_table_for_torch(torch_ad):
    from conformance.derivatives import targets

    res = targets.sensitivity(["torch"])
    by = {(r[1], r[2]): r for r in res["rows"]}
    assert by[("float64", 1e-8)][3] is True and by[("float32", 1e-4)][3] is True  # flagged
    assert by[("float64", 0.0)][3] is False and by[("float32", 0.0)][3] is False  # no false alarm
    assert by[("float64", 1e-3)][5] is False  # gradcheck's defaults miss δ = 1e-3
    assert res["ok"]
    text = targets.table(res["title"], res["columns"], res["rows"])
    assert "FLAGGED" in text and "missed" in text


def test_one_shape_keeps_a_case_at_one_shape_with_programs_shared_by_its_checks():
    """ci draws every check of a case at one shape of its menu (one compiled program per operator,
    dtype and shape in a staged framework, shared by the checks); for seed 0 it is the probe's shape
    (the first), so the probe compiles nothing of its own; the next seed takes another shape;
    thorough draws from all."""
    from conformance.derivatives.cases import CATALOG, by_name

    ci, thorough = engine.get_profile("ci"), engine.get_profile("thorough")
    for case in CATALOG:
        if len(case.shapes) < 2:
            assert suite.check_shape(case, 0, ci) is None
            continue
        at = suite.check_shape(case, 0, ci)
        assert at in case.shapes and at == tuple(suite.probe_input(case).shape), case.name
        assert suite.check_shape(case, 1, ci) != at and suite.check_shape(case, 0, thorough) is None
    case = by_name("sin")
    ctx = engine.Context(adapters.get("numpy"), "cpu", "float64", 0)
    shapes = {
        t.check: t.run(ctx).data.get("shape")
        for t in suite.case_tasks(case, ci)
        if t.check in ("jvp", "vjp", "adjoint")
    }
    assert len({tuple(v) for v in shapes.values()}) == 1
