"""The custom-rule study (conformance.derivatives.rule_study), quick version: the study's math in numpy,
then a few seeds of correct rules (no false alarms) and a subset of mutants per mechanism, every mutant
kind at least once, each flagged by ``conformance.check`` with default settings. The full study, 20 seeds
and every mechanism × function × mutant, is ``conformance targets --only rules``."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.derivatives import rule_study as rs
from conformance.finite_differences import jvp_complex_step


# ------------------------------------------------------------------ the math, framework-free
def _numpy(function: str, mutant: str = rs.CORRECT_RULE):
    return rs.rule_pieces(np, np.copy, function, mutant)


def _jacobian(function: str, x: np.ndarray) -> np.ndarray:
    """J (out.size × x.size) of the reference by the complex step, column by column (exact to rounding)."""
    f = rs.FUNCTIONS[function].reference
    cols = [np.ravel(jvp_complex_step(f, x, e.reshape(x.shape))) for e in np.eye(x.size)]
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("function", list(rs.FUNCTIONS))
def test_correct_rules_are_the_jacobian(function):
    x = rs.draw(function, 3)
    forward, vjp, jvp = _numpy(function)
    J = _jacobian(function, x)
    rng = np.random.default_rng(0)
    y = np.asarray(forward(x))
    g, t = rng.standard_normal(y.shape), rng.standard_normal(x.shape)
    np.testing.assert_allclose(np.ravel(vjp(x, g)), np.ravel(g) @ J, rtol=1e-13, atol=0)
    np.testing.assert_allclose(np.ravel(jvp(x, t)), J @ np.ravel(t), rtol=1e-13, atol=0)


def _applies(function: str, mutant: str) -> bool:
    m = rs.MUTANTS[mutant]
    return not m.needs or m.needs in rs.FUNCTIONS[function].features


@pytest.mark.parametrize("function", list(rs.FUNCTIONS))
def test_mutants_change_the_rule_as_documented(function):
    x = rs.draw(function, 1) * 0.5  # every entry below NAN_ABOVE: the rules are finite
    _, vjp, jvp = _numpy(function)
    g = np.random.default_rng(1).standard_normal(np.shape(_numpy(function)[0](x)))
    t = np.random.default_rng(2).standard_normal(x.shape)
    right = {"vjp": vjp(x, g), "jvp": jvp(x, t)}
    for name, m in rs.MUTANTS.items():
        if not _applies(function, name):
            continue
        _, mvjp, mjvp = _numpy(function, name)
        got = {"vjp": mvjp(x, g), "jvp": mjvp(x, t)}
        for kind in ("vjp", "jvp"):
            edited = getattr(m, kind) is not None or m.ops is not rs.CORRECT
            if name in ("second_order", "nan_part") or not edited:  # the same values here (second order: its
                # derivative differs; nan_part: NaN only above NAN_ABOVE, tested below)
                np.testing.assert_array_equal(got[kind], right[kind], err_msg=f"{name} {kind}")
            elif not (kind == "jvp" and name == "transposed" and np.ndim(right[kind]) < 2):
                assert not np.allclose(got[kind], right[kind], rtol=1e-9, atol=0), f"{name} {kind}"
    _, vjp_sign, _ = _numpy(function, "sign")
    np.testing.assert_array_equal(vjp_sign(x, g), -right["vjp"])
    _, vjp_one, _ = _numpy(function, "one_element")
    differs = np.ravel(vjp_one(x, g) != right["vjp"])
    assert differs[0] and not differs[1:].any()
    _, vjp_nan, _ = _numpy(function, "nan_part")
    z = x.copy()
    z.flat[-1] = 0.95
    assert np.all(np.isfinite(vjp_nan(x, g))) and np.all(np.isnan(vjp_nan(z, g)))


def test_applicability():
    torch_like = rs.mechanisms("torch")
    assert rs.not_applicable(torch_like["function_old"], "elementwise", "forward_only")
    assert rs.not_applicable(torch_like["function_new_jvp"], "elementwise", "forward_only") is None
    assert rs.not_applicable(torch_like["function_new_jvp"], "elementwise", "transposed")
    assert rs.not_applicable(torch_like["function_new_jvp"], "broadcast_reduction", "broadcast_reduction") is None
    with pytest.raises(KeyError, match="unknown mutant"):
        rs.rule_pieces(np, np.copy, "elementwise", "sgn")


# ------------------------------------------------------------------ the quick study
# (framework, mechanism, function, mutants): every mechanism checked correct; every mutant kind at least once
QUICK = [
    ("torch", "function_old", "broadcast_reduction", ["broadcast_reduction", "second_order"]),
    ("torch", "function_new", "matrix_square", ["transposed", "second_order"]),
    ("torch", "function_new_jvp", "elementwise", ["forward_only", "rel1e-8"]),
    ("torch", "function_jvp_vmap_rule", "broadcast_reduction", ["nan_part", "one_element"]),
    ("torch", "function_vmap_staticmethod", "elementwise", ["sign"]),
    ("jax", "custom_vjp", "matrix_square", ["rel1e-6", "second_order"]),
    ("jax", "custom_jvp", "matrix_square", ["factor2", "rel1e-3"]),
    ("tensorflow", "custom_gradient", "broadcast_reduction", ["second_order", "rel1e-8"]),
]
QUICK_SEEDS = (0, 1)


def test_quick_covers_every_mechanism_and_mutant():
    assert {m for *_, ms in QUICK for m in ms} == set(rs.MUTANTS)
    assert {(fw, m) for fw, m, *_ in QUICK} == {
        (fw, m) for fw in ("torch", "jax", "tensorflow") for m in rs.mechanisms(fw)
    }


def _framework(name: str) -> None:
    from conformance import adapters

    ok = adapters.get(name).available()
    if not ok:
        pytest.skip(f"{name}: {ok}")


@pytest.mark.parametrize("framework,mechanism,function,mutants", QUICK, ids=[f"{q[0]}-{q[1]}" for q in QUICK])
def test_quick_study(framework, mechanism, function, mutants):
    _framework(framework)
    mech = rs.mechanisms(framework)[mechanism]
    correct = rs.run_cell(framework, mech, function, rs.CORRECT_RULE, list(QUICK_SEEDS), native=False)
    assert correct.false_alarms == 0, correct.first_alarm
    for mutant in mutants:
        cell = rs.run_cell(framework, mech, function, mutant, [0], native=False)
        assert cell.flagged, f"{framework}/{mechanism} {function} {mutant} not flagged: {cell.why}"


def test_native_checker_side_by_side():
    """gradcheck + gradgradcheck pass the correct rule and flag a sign error, but miss 1e-6 (their
    tolerances), beside conformance.check, which flags it."""
    _framework("torch")
    mech = rs.mechanisms("torch")["function_jvp_vmap_rule"]
    assert rs.run_cell("torch", mech, "elementwise", rs.CORRECT_RULE, [0]).native_false_alarms == 0
    sign = rs.run_cell("torch", mech, "elementwise", "sign", [0])
    assert sign.flagged and sign.native
    small = rs.run_cell("torch", mech, "elementwise", "rel1e-6", [0])
    assert small.flagged and small.native is False, small.native_why


def test_summary_counts_misses_and_false_alarms():
    cells = [
        rs.Cell("torch", "m", "elementwise", rs.CORRECT_RULE, flagged=True, false_alarms=2, seeds=3),
        rs.Cell("torch", "m", "elementwise", "sign", flagged=False),
        rs.Cell("torch", "m", "elementwise", "factor2", flagged=True),
    ]
    res = rs.summarize(cells, 3, 0.0)
    assert not res["ok"] and res["false_alarms"] == 2 and res["missed"] == ["torch/m elementwise sign"]
    assert [r[3] for r in res["rows"][:3]] == ["2 false alarms", "missed", "FLAGGED"]
    tally = {r[2]: r[3] for r in res["rows"][3:]}
    assert tally == {rs.CORRECT_RULE: "2/3 seeds alarmed", "sign": "0/1 flagged", "factor2": "1/1 flagged"}


# ------------------------------------------------------------------ the checker's defects the study found
def _check_at(function: str, mutant: str, x) -> bool:
    import conformance

    f = rs.build("torch", "function_jvp_vmap_rule", function, mutant)
    return conformance.check(
        {"torch": f}, np.asarray(x), reference=rs.FUNCTIONS[function].reference, frameworks=["torch"]
    ).ok


def test_correct_rule_near_a_zero_of_the_derivative_passes():
    """At x = -0.789, (cos x + sin x) e^x cancels: the rule's 2.6e-14 relative error is its conditioning
    (the study's seed 12 found it; fixed by the condition allowance for elementwise functions)."""
    _framework("torch")
    assert _check_at("elementwise", rs.CORRECT_RULE, [-0.7890625])


def test_second_order_mutant_of_an_array_valued_rule_is_flagged():
    """Right in value, wrong in its derivative, array-valued: the default checks' second derivative of
    an array-valued f (the study's 16 misses before it) flags it."""
    _framework("torch")
    assert not _check_at("elementwise", "second_order", [0.1, -0.2, 0.3, 0.4, -0.5])


# x[0, 0] is 1e-3 from the zero of ∂f/∂x₀₀ = cos(x₀₀)·s₀ + Σᵢ sin(xᵢ₀): the entry cancels to 2.7e-14 relative
NEAR_A_ZERO_OF_A_GRADIENT_ENTRY = [
    [-0.7253165799115443, -0.4604265724722594, -0.9180529521276106, -0.9669447289429418],
    [0.6265404784005448, 0.8255111545554434, 0.21327155153435973, 0.4589931219679968],
    [0.08724998293084574, 0.8701448475755365, 0.6317071082430643, -0.9945229996597038],
]


def test_correct_rule_near_a_zero_of_a_gradient_entry_passes():
    """A gradient entry that cancels to ~1e-3 carries ~0.1 ε of rounding, beyond 64 ε of itself: the
    derivative's own condition allowance ε·(|H|·|x|) (``usercheck.condition``) covers it (issue 21)."""
    _framework("torch")
    assert _check_at("broadcast_reduction", rs.CORRECT_RULE, NEAR_A_ZERO_OF_A_GRADIENT_ENTRY)


def test_the_defect_tests_can_fail():
    """The checks above run the checker for real: a first-order mutant at the same points fails, the correct
    rule away from the zeros passes."""
    _framework("torch")
    assert not _check_at("elementwise", "rel1e-6", [-0.7890625])
    assert not _check_at("broadcast_reduction", "rel1e-6", NEAR_A_ZERO_OF_A_GRADIENT_ENTRY)
    assert _check_at("elementwise", rs.CORRECT_RULE, [0.1, -0.2, 0.3, 0.4, -0.5])
