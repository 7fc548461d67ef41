"""The op table's native-op catalog: every row's oracle evaluates (mpmath and numpy agree) at its
special points, every public name resolves in the installed frameworks or is knowingly absent,
every binding serves a named function, the cases count, and ``conformance list --ops`` reports."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conformance.adapters import public

from conformance import adapters, coverage, ops
from conformance.errors import NotProvidedError
from conformance.mp_namespace import MpNamespace, to_float, to_mp
from conformance.oracles import _np_xp

WHOLE_ARRAY = [op for op in ops.OPS if op.oracle is not None]
FAMILIES = {"reductions", "linalg", "losses", "nn"}

# Public names a row lists that the installed versions lack, each with why it stays listed: the
# function exists in other versions (or is documented), so the row reports "not provided in <version>".
KNOWN_ABSENT: dict[str, str] = {
    "jax.scipy.special.log_expit": "scipy.special's name; absent from jax 0.10.2's jax.scipy.special",
    **{
        f"tf.math.{m}{f}": "TF's raw ops Erfcx/Ndtr/LogNdtr are not exported under tf.math in 2.21"
        for m in ("", "special.")
        for f in ("erfcx", "ndtr", "log_ndtr")
    },
}


def test_whole_array_rows_by_family_and_count():
    fams = {op.family for op in WHOLE_ARRAY}
    assert FAMILIES <= fams
    for fam in FAMILIES:
        assert sum(op.family == fam for op in WHOLE_ARRAY) >= 10, fam
    assert len(ops.CASES) == sum(op.entry_points() for op in ops.OPS)
    assert len({c.name for c in ops.CASES}) == len(ops.CASES)
    assert len(WHOLE_ARRAY) >= 85
    for op in WHOLE_ARRAY:
        for shape in op.shapes:
            assert int(np.prod(shape)) <= 18, f"{op.name}: keep inputs small (JAX compile time), {shape}"


@pytest.mark.parametrize("op", WHOLE_ARRAY, ids=lambda op: op.name)
def test_oracle_evaluates_at_special_points_and_a_draw(op):
    """mpmath at 40 digits and numpy in float64 agree on the oracle at a draw and every special point."""
    (case,) = [c for c in ops.CASES if c.name == op.name]
    xp_np, mp = _np_xp(), MpNamespace(40)
    points = [("draw", case.sample(np.random.default_rng(7), case.shapes[0]))]
    points += [(p.name, p.array()) for p in case.special_points]
    for name, x in points:
        assert case.outside_domain(x) is None, (op.name, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = np.asarray(case.fn(xp_np, x), dtype=np.float64)
        with mp.precision():
            exact = to_float(np.asarray(op.oracle(mp, to_mp(x)), dtype=object))
        assert exact.shape == ref.shape and np.all(np.isfinite(exact)), (op.name, name)
        np.testing.assert_allclose(exact, ref, rtol=1e-9, atol=1e-12, err_msg=f"{op.name} at {name}")
        if op.scalar:
            assert exact.shape == (), op.name


def _available(name):
    a = adapters.get(name)
    return a if a.available() else None


@pytest.mark.parametrize("framework", ["torch", "jax", "tensorflow", "numpy"])
def test_every_public_name_resolves_or_is_knowingly_absent(framework):
    a = _available(framework)
    if a is None:
        pytest.skip(f"{framework} is not installed")
    absent = []
    for op in ops.OPS:
        for name in op.names(framework):
            try:
                f = public.resolve(a, name)
            except NotProvidedError:
                absent.append(name)
                continue
            assert callable(f), name
    assert set(absent) <= set(KNOWN_ABSENT), f"{framework}: names that do not resolve: {sorted(absent)}"


@pytest.mark.parametrize("framework", ["torch", "jax", "tensorflow", "numpy"])
def test_every_binding_serves_a_named_function(framework):
    cls = type(adapters.get(framework))
    named = {n for op in ops.OPS for n in op.names(framework)}
    stale = set(public.bindings(cls)) - named
    assert not stale, f"{framework} bindings no row names: {sorted(stale)}"


def test_list_ops_reports_exercised_not_provided_and_reference(capsys):
    from conformance.commands import listing

    rows = coverage.report(["numpy"], with_reference=False)
    (r,) = rows
    assert r["framework"] == "numpy" and r["distinct"] >= 60
    assert "numpy.linalg.det" in r["exercised"] and "top_k" in r["not_provided"]
    fams = coverage.by_family()
    assert fams["linalg"]["torch"] >= 20

    class Args:
        ops, json, framework, no_reference = True, False, ["numpy"], True

    assert listing.main(Args()) == 0
    out = capsys.readouterr().out
    assert "distinct public functions exercised" in out and "not provided" in out


def test_module_reference_lists_differentiable_public_functions():
    if _available("jax") is None:
        pytest.skip("jax is not installed")
    ref = coverage.reference("jax", ["jax.numpy.sum", "jax.nn.softmax"])
    assert "jax.numpy.sum" in ref["covered"] and "jax.nn.softmax" in ref["covered"]
    assert "jax.numpy.isfinite" not in ref["lacking"] and "jax.numpy.argmax" not in ref["lacking"]
    assert "jax.numpy.tanh" in ref["lacking"] or "jax.numpy.tanh" in ref["covered"]
    assert coverage.reference("numpy", []) is None  # numpy has no list of its own
