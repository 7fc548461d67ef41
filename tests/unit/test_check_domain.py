"""conformance.check over a domain: hypothesis draws (and the special points), a failure shrunk to a
minimal input with a stand-alone reproducer, bad domains refused, and the conformance_check fixture."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import conformance
from conformance import adapters
from conformance.api import CheckUsageError


@pytest.fixture(scope="module", autouse=True)
def need_torch():
    if not adapters.get("torch").available():
        pytest.skip("torch is not installed")


def reference(x):
    return np.sum(np.sin(x) * np.exp(x))


def wrong_above(threshold, delta=1e-6):
    """Σ sin(x) eˣ whose gradient is off by a relative δ where x > threshold only."""
    import torch

    def f(x):
        y = torch.sin(x) * torch.exp(x)
        skew = torch.where(x > threshold, delta * (y - y.detach()), torch.zeros_like(y))
        return torch.sum(y + skew)

    return f


def test_a_rule_wrong_on_part_of_the_domain_is_found_and_shrunk():
    f = wrong_above(0.5)
    assert conformance.check({"torch": f}, [0.1, 0.2, 0.3], reference=reference, checks="gradient").ok
    r = conformance.check({"torch": f}, domain=(-1, 1), samples=20, seed=3, reference=reference, checks="gradient")
    assert not r.ok
    out = r.outcome("torch", "gradient")
    x = np.asarray(out.input)
    assert x.shape == (3,) and np.sum(x > 0.5) == 1  # shrunk: one entry where the rule is wrong
    assert np.sum(x != 0) <= 2
    text = r.table()
    assert f"x=np.array({x.tolist()!r})" in text and "seed=3" in text and "checks=['gradient']" in text
    again = conformance.check({"torch": f}, x, reference=reference, checks="gradient")  # the reproducer
    assert again.outcome("torch", "gradient").status == "fail"


def test_the_same_seed_draws_the_same_inputs_and_the_special_points_come_first():
    kw = dict(domain=(-2, 2), samples=4, seed=11, frameworks=["torch"], checks="gradient")
    f = lambda xp, x: xp.sum(xp.tanh(x) ** 2)  # noqa: E731
    a, b = conformance.check(f, **kw), conformance.check(f, **kw)
    assert a.ok and a.rows[0].outcome.input == b.rows[0].outcome.input and a.examples == 4
    r = conformance.check(
        {"torch": wrong_above(1.5)},
        reference=reference,
        points=[[1.9, 0.0, 0.0]],
        domain=(-1, 1),
        samples=5,
        seed=0,
        checks="gradient",
    )
    assert r.outcome("torch", "gradient").input == [1.9, 0.0, 0.0] and r.examples == 1


def test_a_hypothesis_strategy_and_a_list_of_points():
    f = lambda xp, x: xp.sum(xp.sin(x))  # noqa: E731
    strat = hnp.arrays(np.float64, (2,), elements=st.floats(-1, 1, allow_nan=False))
    r = conformance.check(f, domain=strat, samples=3, seed=0, frameworks=["torch"], checks="gradient")
    assert r.ok and r.examples == 3
    pts = conformance.check(f, domain=[[0.1, 0.2], [0.3, 0.4]], frameworks=["torch"], checks="gradient")
    assert pts.ok and pts.examples == 2


def test_a_domain_outside_the_reference_is_an_error_not_a_pass():
    import torch

    with pytest.raises(CheckUsageError, match=r"not finite at x = .*declared domain") as err:
        conformance.check(
            {"torch": lambda x: torch.log(x).sum()},
            domain=(-2, -1),
            samples=5,
            seed=0,
            reference=lambda x: np.sum(np.log(x)),
        )
    assert "\n" not in str(err.value)
    with pytest.raises(CheckUsageError, match=r"not finite at x = .*inside the declared domain"):
        conformance.check(
            {"torch": lambda x: torch.log(x).sum()},
            domain=(-1, 1),
            samples=10,
            seed=0,
            x=[0.5, 0.5, 0.5],
            reference=lambda x: np.sum(np.log(x)),
        )


def test_nan_from_the_function_inside_the_domain_names_the_point():
    import torch

    f = lambda x: torch.where(x > 0.5, torch.nan, x).sum()  # noqa: E731
    r = conformance.check({"torch": f}, domain=(-1, 1), samples=10, seed=0, reference=np.sum, checks="gradient")
    row = r.rows[0]
    assert row.status == "error" and "non-finite value" in row.outcome.message
    assert max(row.outcome.input) > 0.5 and "at x = " in r.table()


def test_the_conformance_check_fixture(conformance_check):
    assert conformance_check.frameworks and "numpy" not in conformance_check.frameworks
    r = conformance_check(lambda xp, x: xp.sum(x**3), domain=(0, 1), samples=2, frameworks=["torch"], checks="gradient")
    r.assert_ok()
    r = conformance_check({"torch": lambda x: (x**3).sum()}, [0.5], reference=lambda x: np.sum(x**3), checks="gradient")
    assert [row.framework for row in r.rows] == ["torch"] and r.ok
