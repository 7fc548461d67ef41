"""Hypothesis strategies for the derivative checks, and the settings profiles.

    from conformance import strategies as cst
    @given(cst.case_inputs(case))
    def test(draw): x, v, u = draw.x, draw.v, draw.u

What is drawn:

- a shape from the case's small menu (``case.shapes``): each framework's compiler (jax.jit,
  tf.function) retraces at most once per menu entry;
- an input inside the case's domain: float64 entries in ``case.domain`` for plain cases (so
  hypothesis shrinks them toward simple values), or, for structured inputs (SPD matrices,
  well-separated eigenvalues, points away from a kink), a seed for ``case.make_input`` (hypothesis
  shrinks the seed); every draw is checked with ``case.outside_domain``;
- a tangent v shaped like the input and a cotangent u shaped like the output, entries in [−1, 1],
  never all zero.

Profiles (``load_profile(name)``; registered at import):

- ``dev``      — 10 examples, random, fast feedback while editing;
- ``ci``       — 25 examples, derandomized (the same examples every run), no example database,
                 no deadline: reproducible in CI;
- ``thorough`` — 200 examples, random, no deadline.

Draws depend on the seed alone. Hypothesis (6.131+) mixes into its float draws, 5 % of the time,
constants it scans from the *local* modules found in ``sys.modules`` — which of our modules a
process happens to have imported by then, so a replay in a fresh process drew other inputs than the
run it replays. ``_seed_only_draws`` turns that pool off (Hypothesis's own pool of interesting floats
— FLT_MIN, float32 epsilon, DBL_MIN, the largest floats — stays); the extremes we want drawn are the
cases' declared special points, not whatever literals our source holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conformance.derivatives.case import CaseMemo


def _seed_only_draws() -> None:
    """Make Hypothesis's pool of local constants empty, so that a draw depends on its seed and not
    on which modules the process imported before it (see the module docstring). The pool lives in a
    private module; where a Hypothesis version lacks it, there is nothing to turn off."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - a Hypothesis without local constants
        return
    if not hasattr(providers, "_get_local_constants"):  # pragma: no cover
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if cache is not None:
        cache.cache.clear()


_seed_only_draws()

HYPOTHESIS_PROFILES = ("dev", "ci", "thorough")
_SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=_SLOW)
settings.register_profile(
    "ci", max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=_SLOW, print_blob=True
)
settings.register_profile("thorough", max_examples=200, deadline=None, suppress_health_check=_SLOW)


def load_profile(name: str) -> None:
    """Make ``name`` (dev, ci, thorough) the active hypothesis profile."""
    if name not in HYPOTHESIS_PROFILES:
        from conformance.errors import ConformanceError

        raise ConformanceError(f"unknown hypothesis profile {name!r}; use one of {', '.join(HYPOTHESIS_PROFILES)}")
    settings.load_profile(name)


def profile_settings(name: str) -> settings:
    """The settings object of a profile, for ``@profile_settings("ci")`` on one test."""
    return settings.get_profile(name)


def shapes(case: Any) -> st.SearchStrategy[tuple[int, ...]]:
    """A shape from the case's menu."""
    return st.sampled_from(list(case.shapes))


def seed_input(case: Any, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The input ``case.sample`` draws from ``seed`` (what a replay command re-creates)."""
    return np.asarray(case.sample(np.random.default_rng(seed), tuple(shape)), dtype=np.float64)


def inputs(case: Any, shape: tuple[int, ...] | None = None) -> st.SearchStrategy[np.ndarray]:
    """An input array for ``case`` inside its domain (of ``shape``, or a shape from the menu)."""
    if shape is None:
        return shapes(case).flatmap(lambda s: inputs(case, s))
    shape = tuple(shape)
    if case.make_input is not None:
        drawn = st.integers(0, 2**32 - 1).map(lambda seed: seed_input(case, shape, seed))
    else:
        lo, hi = case.domain
        drawn = hnp.arrays(
            np.float64,
            shape,
            elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64),
        )
    return drawn.filter(lambda x: case.outside_domain(x) is None)


# The smallest nonzero |entry| of a drawn direction (2⁻¹²): J(c·v) = c·J v, so a direction's scale
# tests no calculus, only the rounding of the product; an entry near FLT_MIN (Hypothesis's pool of
# interesting floats holds it) makes J·v land at the edge of float32's normal range, where TF's and
# XLA's CPU kernels flush subnormal intermediate terms (FTZ/DAZ) whatever the derivative. Tiny and
# subnormal values are drawn where they test the derivative: in x (the cases' domains and special
# points, the low-precision magnitudes).
DIRECTION_FLOOR = 2.0**-12


def _direction_entry(t: float) -> float:
    return t if abs(t) >= DIRECTION_FLOOR else 0.0


def directions(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """A direction of ``shape`` with entries 0 or of magnitude in [2⁻¹², 1] (``DIRECTION_FLOOR``), not
    all zero (tangents, cotangents)."""
    entries = st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False, width=64).map(_direction_entry)
    return hnp.arrays(np.float64, tuple(shape), elements=entries).filter(lambda v: bool(np.any(v != 0)))


@dataclass(frozen=True)
class Draw:
    """One drawn example: input x, tangent v (x's shape), cotangent u (the output's shape)."""

    x: np.ndarray
    v: np.ndarray
    u: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape)


def output_shape(case: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of case.fn's output for an input of ``shape`` (evaluated once in numpy)."""

    def compute() -> tuple[int, ...]:
        from conformance.oracles import numpy_fn

        with np.errstate(all="ignore"):
            return tuple(np.shape(numpy_fn(case)(seed_input(case, tuple(shape), 0))))

    return _SHAPES.get(case, tuple(shape), compute)


_SHAPES = CaseMemo()


def case_inputs(case: Any, shape: tuple[int, ...] | None = None) -> st.SearchStrategy[Draw]:
    """(x, v, u) for ``case``: x inside its domain, v a tangent, u a cotangent."""
    shape_st = st.just(tuple(shape)) if shape is not None else shapes(case)

    @st.composite
    def draw(data: Any) -> Draw:
        s = data(shape_st)
        x = data(inputs(case, s))
        v = data(directions(s))
        u = data(directions(output_shape(case, s)))
        return Draw(x, v, u)

    return draw()
