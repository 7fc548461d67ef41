"""The cost of verifying one hand-written torch rule: ``conformance.check(..., frameworks=["torch"])`` with
its default checks against ``torch.autograd.gradcheck`` + ``gradgradcheck`` (defaults) on the same small
input, side by side in one run (issue 21's target: within 2x).

    pytest tests/benchmarks/test_check_cost.py --benchmark-only -s

Each case times both verifiers in interleaved rounds (so the machine's load falls on both alike) and
prints the ratio of the medians; pytest-benchmark's table holds conformance.check's own rounds, with
gradcheck's median and the ratio in ``extra_info``. The rules are the study's
(``conformance.derivatives.rule_study``): an array-valued function (y = sin(x)·eˣ, n = 5) and a scalar
one (Σ sin(x)·colsum(x), n = 12), each as a new-style Function with jvp and generate_vmap_rule
(torch.func runs every check) and as an old-style Function (torch.autograd runs it); the printed line
names the default checks that ran. The second-order row dominates: for a scalar f it was the dense
Hessian, whose Richardson oracle evaluates the reference O(n²) times (1874 evaluations at n = 12, ratio
2.3x); the default is now u·H·v by reverse over reverse against Richardson differences of a complex-step
JVP (O(n): ~170 evaluations at n = 12), as gradgradcheck needs O(n) backward calls.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from conformance.derivatives import rule_study

ROUNDS = 15
TARGET = 2.0


def _verifiers(mechanism: str, function: str):
    import torch

    import conformance

    fn = rule_study.FUNCTIONS[function]
    f = rule_study.build("torch", mechanism, function)
    x = rule_study.draw(function, 0)

    def ours():
        return conformance.check({"torch": f}, x, reference=fn.reference, frameworks=["torch"])

    def theirs():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return torch.autograd.gradcheck(f, (t,)) and torch.autograd.gradgradcheck(f, (t,))

    return ours, theirs


def _interleaved(a, b, rounds: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(rounds):
        for fn, out in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


@pytest.mark.parametrize("function", ["elementwise", "broadcast_reduction"])
@pytest.mark.parametrize("mechanism", ["function_jvp_vmap_rule", "function_old"])
def test_check_cost_vs_gradcheck(benchmark, mechanism, function):
    pytest.importorskip("torch")
    ours, theirs = _verifiers(mechanism, function)
    result = ours()
    assert result.ok, result.table()  # a correct rule passes both verifiers
    assert theirs()
    ran = sorted({r.check for r in result.rows if r.status == "pass"})
    t_ours, t_theirs = _interleaved(ours, theirs, ROUNDS)
    ratio = t_ours / t_theirs
    benchmark.group = f"check-cost-{mechanism}-{function}"
    benchmark.extra_info.update(
        {
            "check_median_s": t_ours,
            "gradcheck_gradgradcheck_median_s": t_theirs,
            "ratio": ratio,
            "checks": ran,
            "n": int(np.size(rule_study.draw(function, 0))),
        }
    )
    print(
        f"\n[check cost] torch {mechanism} {function} (n = {benchmark.extra_info['n']}, checks {', '.join(ran)}): "
        f"conformance.check {t_ours * 1e3:.1f} ms, gradcheck + gradgradcheck {t_theirs * 1e3:.1f} ms, "
        f"ratio {ratio:.2f} ({'within' if ratio <= TARGET else 'OVER'} the {TARGET:g}x target)"
    )
    benchmark.pedantic(ours, rounds=ROUNDS, iterations=1)
