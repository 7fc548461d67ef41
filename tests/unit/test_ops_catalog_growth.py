"""The op table's growth rows (conformance/ops/elementwise.py, manipulation.py, statistics.py, fft.py):
their oracles agree with an independent implementation (the NumPy/SciPy column, evaluated by the
reference adapter) at a draw and at every special point, the index-map oracles of rearrangements are
right and a wrong one is caught, the mpmath oracle's derivative tells a right row from a wrong one,
the coverage targets of issue 18 hold, and every registry entry is well formed."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from conformance.adapters import public

from conformance import adapters, coverage, ops, oracles, registry
from conformance.mp_namespace import MpNamespace, to_float, to_mp
from conformance.ops import elementwise, fft, manipulation, statistics
from conformance.ops.table import Op, cases
from conformance.oracles import _np_xp

GROWTH = [*elementwise.OPS, *manipulation.OPS, *statistics.OPS, *fft.OPS]
NUMPY_ROWS = [op for op in GROWTH if "numpy" in op.public]
TOML = registry.DEFAULT_DIR / "ops_growth.toml"


def _case(op: Op):
    return cases(op)[0]


def _points(case):
    """A draw inside the case's domain (redrawn as the strategies filter) and every special point."""
    rng = np.random.default_rng(11)
    draw = next(x for x in (case.sample(rng, case.shapes[0]) for _ in range(100)) if case.outside_domain(x) is None)
    return [("draw", draw)] + [(p.name, p.array()) for p in case.special_points]


def _numpy_column(op: Op, x: np.ndarray) -> np.ndarray:
    """The row's first NumPy/SciPy function applied as the row applies it (bindings included)."""
    case = _case(op)
    f = case.function("numpy", _np_xp())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(f(x), dtype=np.float64)


def _disagreement(op: Op, oracle_value, x) -> float:
    """max |numpy − oracle| / max(|oracle|, 1e-3·scale): how far the oracle is from the NumPy column,
    relative, and absolute on 1e-3 of the output's scale where the exact value is (nearly) 0 (a root of
    polyval: numpy's Horner sum carries ε of its O(1) terms there)."""
    got = _numpy_column(op, x)
    want = np.asarray(oracle_value, dtype=np.float64)
    assert got.shape == want.shape, (op.name, got.shape, want.shape)
    scale = np.maximum(np.abs(want), 1e-3 * max(1.0, float(np.max(np.abs(want)))))
    return float(np.max(np.abs(got - want) / scale))


def test_growth_rows_by_family_names_unique_and_small():
    fams = {fam: sum(op.family == fam for op in GROWTH) for fam in ("math", "manipulation", "statistics")}
    assert fams["math"] >= 50 and fams["manipulation"] >= 40 and fams["statistics"] >= 30, fams
    assert len(fft.OPS) >= 15
    names = [c.name for c in ops.CASES]
    assert len(names) == len(set(names))
    assert all(op.name.startswith("math_") for op in elementwise.OPS)  # never the xp catalog's sin, exp, ...
    for op in GROWTH:
        assert op.public and all(op.public.values()), op.name
        for shape in op.shapes:
            assert int(np.prod(shape)) <= 18, f"{op.name}: keep inputs small (JAX compile time), {shape}"


@pytest.mark.parametrize("op", [op for op in NUMPY_ROWS if op.oracle is None], ids=lambda op: op.name)
def test_elementwise_exact_agrees_with_numpy_at_a_draw_and_every_special_point(op):
    """mpmath's exact function (rounded) against numpy's own function: 1e-12 relative (numpy is
    accurate to a few ULP away from cancellation; 1e-15 absolute at an exact zero such as a root)."""
    case = _case(op)
    for name, x in _points(case):
        assert case.outside_domain(x) is None, (op.name, name)
        assert _disagreement(op, case.fn(None, x), x) < 1e-12, (op.name, name)


@pytest.mark.parametrize("op", [op for op in NUMPY_ROWS if op.oracle is not None], ids=lambda op: op.name)
def test_whole_array_oracle_agrees_with_numpy_at_a_draw_and_every_special_point(op):
    case = _case(op)
    for name, x in _points(case):
        want = np.asarray(case.fn(_np_xp(), x), dtype=np.float64)
        assert _disagreement(op, want, x) < 1e-10, (op.name, name)


def test_rearranged_oracle_is_its_index_map_in_numpy_and_mpmath_and_a_wrong_map_is_caught():
    x = np.arange(6.0).reshape(2, 3) + 0.5
    flip = manipulation.rearranged((2, 3), lambda p: p[:, ::-1])
    np.testing.assert_array_equal(flip(_np_xp(), x), x[:, ::-1])
    mp = MpNamespace(40)
    with mp.precision():
        np.testing.assert_array_equal(to_float(flip(mp, to_mp(x))), x[:, ::-1])
    pad = manipulation.rearranged((2, 3), lambda p, c: np.concatenate([p, c], axis=1), -x)
    np.testing.assert_array_equal(pad(_np_xp(), x), np.concatenate([x, -x], axis=1))
    (op,) = [o for o in manipulation.OPS if o.name == "roll"]
    assert _disagreement(op, op.oracle(_np_xp(), x), x) == 0.0
    wrong = manipulation.rearranged((2, 3), lambda p: p[:, [1, 2, 0]])  # rolled the other way
    assert _disagreement(op, wrong(_np_xp(), x), x) > 0.1


def test_a_wrong_exact_function_is_caught_by_the_numpy_column():
    (sin,) = [o for o in elementwise.OPS if o.name == "math_sin"]
    wrong = Op("math_sin", "math", mpmath.cos, sin.public, points=sin.points)
    x = _points(_case(sin))[0][1]
    assert _disagreement(sin, _case(sin).fn(None, x), x) < 1e-14
    assert _disagreement(wrong, _case(wrong).fn(None, x), x) > 0.01


def test_mpmath_derivative_of_a_row_matches_the_calculus_and_flags_a_wrong_row():
    """The oracle the derivative checks use: J v of arctan2's row is (x v_y − y v_x)/(x² + y²); a row
    whose exact function is wrong (y/x without the arctan) gives another J v."""
    (atan2,) = [o for o in elementwise.OPS if o.name == "math_arctan2"]
    x = np.array([[0.5, -1.0, 1.5], [1.0, 0.75, 2.0]])
    v = np.array([[1.0, 0.5, -2.0], [0.25, -1.0, 1.0]])
    ref = oracles.reference_jvp(_case(atan2), x, v, prefer="mpmath")
    y, z = x
    np.testing.assert_allclose(ref.value, (z * v[0] - y * v[1]) / (y * y + z * z), rtol=1e-13)
    wrong = Op("math_arctan2", "math", lambda a, b: a / b, atan2.public, arity=2, domain=atan2.domain)
    bad = oracles.reference_jvp(_case(wrong), x, v, prefer="mpmath")
    assert np.max(np.abs(bad.value - ref.value)) > 0.1


def test_growth_names_resolve_in_numpy_and_scipy():
    a = adapters.get("numpy")
    for op in NUMPY_ROWS:
        for name in op.names("numpy"):
            assert callable(public.resolve(a, name)), name


def test_coverage_targets_of_issue_18():
    """torch ≥ 300, jax ≥ 250, TensorFlow ≥ 200 distinct public functions exercised."""
    targets = {"torch": 300, "jax": 250, "tensorflow": 200}
    rows = [r for r in coverage.catalog(list(targets)) if r["framework"] in targets]
    if not rows:
        pytest.skip("no framework installed")
    for r in rows:
        assert r["distinct"] >= targets[r["framework"]], (r["framework"], r["distinct"])
        assert not r["missing"] or all(n in _KNOWN_MISSING for n in r["missing"]), r["missing"]


_KNOWN_MISSING = {
    "jax.scipy.special.log_expit",
    *(f"tf.math.{m}{f}" for m in ("", "special.") for f in ("erfcx", "ndtr", "log_ndtr")),
}


def test_registry_entries_are_well_formed_and_findings_carry_a_reproducer():
    entries = registry.parse_file(TOML)
    assert len(entries) >= 8
    for e in entries:
        assert e.reason.strip() and e.case.strip() and e.framework.strip(), e
        if e.finding and not e.reason.startswith(("Forward mode loses", "Tiny input")):
            assert e.reproducer.strip(), e.case
    first = [e for e in entries if e.reproducer]
    assert {e.framework for e in first} >= {"torch", "jax"}
