"""The hypothesis strategies draw inside each case's domain, from its shape menu, with usable
directions; the profiles are registered with the settings the project relies on."""

from __future__ import annotations

import numpy as np
import pytest
from conformance.adapters.base import ConformanceError
from hypothesis import given, settings

from conformance import strategies as cst
from conformance.derivatives.cases import CATALOG, by_name

SAMPLE = [
    "sin",
    "log1p_over_x",
    "arctan2",
    "power_binary",
    "max",
    "std",
    "norm",
    "solve",
    "eigvalsh",
    "cholesky",
    "svdvals",
    "huber",
    "softmax",
    "cross_entropy",
    "rosenbrock",
    "eig_softmax",
]


def test_profiles_are_registered():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.database is None and ci.deadline is None
    assert settings.get_profile("dev").max_examples < ci.max_examples < settings.get_profile("thorough").max_examples
    assert settings.get_profile("thorough").deadline is None


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ConformanceError, match="unknown hypothesis profile 'fast'"):
        cst.load_profile("fast")


@pytest.mark.parametrize("name", SAMPLE)
def test_draws_lie_inside_the_domain_with_menu_shapes(name):
    case = by_name(name)
    seen = set()

    @settings(cst.profile_settings("ci"), max_examples=15)
    @given(cst.case_inputs(case))
    def check(draw):
        assert draw.shape in case.shapes
        assert draw.x.dtype == np.float64
        assert case.outside_domain(draw.x) is None
        assert draw.v.shape == draw.x.shape and np.any(draw.v != 0)
        assert draw.u.shape == cst.output_shape(case, draw.shape) and np.any(draw.u != 0)
        assert np.all(np.abs(draw.v) <= 1) and np.all(np.abs(draw.u) <= 1)
        seen.add(draw.shape)

    check()
    assert seen <= set(case.shapes)


def test_plain_domains_are_drawn_as_floats_in_the_interval():
    case = by_name("arcsin")
    lo, hi = case.domain

    @settings(cst.profile_settings("ci"), max_examples=30)
    @given(cst.inputs(case, (3,)))
    def check(x):
        assert x.shape == (3,) and np.all((x >= lo) & (x <= hi))

    check()


def test_ci_profile_is_deterministic():
    case = by_name("logsumexp")

    def run():
        drawn = []

        @settings(cst.profile_settings("ci"), max_examples=10)
        @given(cst.case_inputs(case))
        def collect(draw):
            drawn.append(draw.x.tobytes())

        collect()
        return drawn

    assert run() == run()


def test_seed_input_replays_make_input():
    case = by_name("solve")
    a = cst.seed_input(case, (3, 3), 1234)
    b = cst.seed_input(case, (3, 3), 1234)
    assert np.array_equal(a, b) and case.outside_domain(a) is None


def test_every_case_has_a_small_shape_menu():
    """Small menus bound retracing under jax.jit and tf.function: at most 3 shapes, few entries."""
    for c in CATALOG:
        assert 1 <= len(c.shapes) <= 3, c.name
        assert all(int(np.prod(s)) <= 16 for s in c.shapes), c.name


def test_draws_do_not_depend_on_the_modules_imported_before_them(tmp_path, monkeypatch):
    """A replay in a fresh process draws what the run drew: importing a local module full of float
    literals between two draws with the same seed leaves them identical (Hypothesis's pool of local
    constants, scanned from sys.modules, is off)."""
    from conformance.derivatives import suite

    case = by_name("std")
    first = [d.x.tolist() for d in suite.draws(case, 4, 25)]
    (tmp_path / "cc_literals.py").write_text("VALUES = [" + ", ".join(f"{1.0 + k / 7.0!r}" for k in range(200)) + "]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("cc_literals")
    suite._DRAWS.clear()
    again = [d.x.tolist() for d in suite.draws(case, 4, 25)]
    assert again == first


def test_direction_entries_are_zero_or_not_tiny():
    """Tangents and cotangents never hold an entry below 2⁻¹² in magnitude (near FLT_MIN, J·v would test
    the CPU's flush-to-zero of the product, not the derivative); tiny values stay drawn in x."""
    case = by_name("sinhc")
    from conformance.derivatives import suite

    seen = []
    for seed in range(6):
        for d in suite.draws(case, seed, 25):
            for a in (d.tangent, d.cotangent):
                nz = np.abs(a[a != 0])
                seen.append(nz.min() if nz.size else 1.0)
                assert np.all(nz >= cst.DIRECTION_FLOOR)
    assert min(seen) < 0.05  # small directions still drawn
