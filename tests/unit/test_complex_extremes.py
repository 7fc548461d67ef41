"""Complex zeros and infinities (conformance.edges.complex_extremes): the subgradient disc of |z| at 0 judges
NaN, |G| > 1 and |G| <= 1 answers as it should, the oracles at huge and tiny |z| are finite, and a fake
framework that underflows fails."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from conformance.edges import complex_extremes as ce
from conformance.engine import Context


class FakeAdapter:
    """A framework whose gradient of a real loss of complex z is the test's ``answer(z)`` (raw, in its
    declared convention). Named "torch" so that public names resolve to strings; nothing is imported."""

    name = "torch"
    is_reference = False
    complex_grad_convention = "direct"
    xp = None

    def __init__(self, answer: Callable[[np.ndarray], np.ndarray]):
        self.answer = answer

    def from_numpy(self, a: Any, dtype: str | None = None, device: str | None = None) -> np.ndarray:
        return np.asarray(a, dtype=dtype)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def grad(self, f: Callable) -> Callable:
        return lambda z: self.answer(np.asarray(z))


class ConjugateFake(FakeAdapter):
    complex_grad_convention = "conjugate"


def _extreme(case: str, point: str) -> ce.Extreme:
    (ex,) = [e for e in ce.EXTREMES if e.case == case and e.point == point and e.loss]
    return ex


ABS_AT_0 = _extreme("complex_abs", "0")


def _grad_at_0(answer: list[complex], adapter: type = FakeAdapter, dtype: str = "complex128"):
    fixed = np.array(answer, dtype=np.complex128)
    return ce.run_gradient(ABS_AT_0, Context(adapter(lambda z: fixed), "cpu", dtype, 0))


def test_abs_at_zero_nan_fails():
    out = _grad_at_0([complex(np.nan, np.nan), 0, 0, 0])
    assert out.status == "fail"
    assert out.data["failure_class"] == "non_finite"
    assert np.isnan(out.data["results"]["gradient"]["raw"][0]).all()  # the raw answer is on record


@pytest.mark.parametrize("g", [complex(np.inf, 0), complex(0, -np.inf)])
def test_abs_at_zero_infinite_fails(g):
    assert _grad_at_0([0, g, 0, 0]).status == "fail"


@pytest.mark.parametrize("g", [1.5 + 0j, 0.8 + 0.8j, -1j * (1 + 1e-10), 2.0 - 2.0j])
def test_abs_at_zero_outside_the_unit_disc_fails(g):
    out = _grad_at_0([0, 0, g, 0])
    assert out.status == "fail"
    assert out.data["failure_class"] == "wrong_value"
    assert out.error_ratio > 1


@pytest.mark.parametrize("adapter", [FakeAdapter, ConjugateFake])
@pytest.mark.parametrize("dtype", ce.DTYPES)
def test_abs_at_zero_every_admissible_subgradient_passes(adapter, dtype):
    unit = (1 + 1j) / np.sqrt(2)  # |G| = 1 up to rounding: on the boundary of the disc
    out = _grad_at_0([0, 0.6 + 0.8j, -0.3j, unit], adapter, dtype)
    assert out.status == "pass", out.message
    assert out.data["results"]["gradient"]["raw"][1] == [0.6, 0.8]  # the raw answer is on record


@pytest.mark.parametrize("dtype", ce.DTYPES)
def test_huge_abs_oracle_is_finite_and_the_unit_direction(dtype):
    ex = _extreme("complex_abs", "huge")
    z = ce._z(ex, dtype)
    assert np.all(np.isfinite(z)) and np.all(np.abs(z) > ce.HUGE[dtype] / 8)
    g = ex.gradient(z)
    assert np.all(np.isfinite(g))
    scaled = z / ce.HUGE[dtype]  # the direction without overflow
    np.testing.assert_allclose(g, scaled / np.abs(scaled), rtol=1e-15)
    np.testing.assert_allclose(np.abs(g), 1.0, rtol=1e-15)


@pytest.mark.parametrize("dtype", ce.DTYPES)
def test_tiny_oracles_are_normal_and_an_underflowed_answer_fails(dtype):
    ex = _extreme("complex_abs", "tiny")
    z = ce._z(ex, dtype)
    parts = np.concatenate([z.real, z.imag])
    assert np.all(np.abs(parts) >= ce.TINY[dtype])  # no subnormal input part (flushed by XLA and TF)
    g = ex.gradient(z)
    np.testing.assert_allclose(np.abs(g), 1.0, rtol=1e-15)
    out = ce.run_gradient(ex, Context(FakeAdapter(lambda w: np.zeros_like(w)), "cpu", dtype, 0))
    assert out.status == "fail" and out.data["failure_class"] == "underflow"
    right = ce.run_gradient(ex, Context(FakeAdapter(lambda w: g), "cpu", dtype, 0))
    assert right.status == "pass", right.message


def test_limits_at_infinity():
    ex = _extreme("complex_abs", "inf")
    g = ex.gradient(ce._z(ex, "complex128"))
    np.testing.assert_array_equal(g, [1, -1, 1j, -1j, 1, -1j])
    exp = next(e for e in ce.EXTREMES if e.fn == "exp")
    np.testing.assert_array_equal(exp.derivative(ce._z(exp, "complex128")), 0)


def test_tasks_are_unique_and_modest():
    tasks = ce.tasks()
    keys = [(t.family, t.case, t.check) for t in tasks]
    assert len(keys) == len(set(keys))
    assert 20 <= len(tasks) <= 40
