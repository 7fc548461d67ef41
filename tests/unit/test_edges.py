"""The edges suite: limit oracle, special-point validation, nested-mode programs, complex
conventions, low-precision rounding and the degenerate cases."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.derivatives.case import Case, SpecialPoint
from conformance.edges import complex as complex_inputs
from conformance.edges import degenerate, limit_oracle, low_precision, nested, special_points
from conformance.engine import Context
from conformance.mp_namespace import MpNamespace

MP = MpNamespace(40)


def x_over_sin(z):
    return MP.sum(z / MP.sin(z))


def test_limit_reaches_removable_singularity():
    """d/dx x/sin x = 0 and d²/dx² = 1/3 at 0, where the formula is 0/0."""
    x = np.zeros(1)
    assert limit_oracle.is_singular(x_over_sin, x)
    d1 = limit_oracle.derivative(x_over_sin, x, [np.ones(1)])
    d2 = limit_oracle.derivative(x_over_sin, x, [np.ones(1), np.ones(1)])
    assert abs(float(d1.value)) < 1e-30 and d1.error < 1e-30
    assert float(d2.value) == pytest.approx(1 / 3, rel=1e-15)
    assert "removable singularity" in d2.how


def test_limit_at_tiny_and_large_magnitudes():
    """exp' = 1 at 1e-300 (the step must be resolved against f ≈ 1) and d/dx Σx = Σv at ±1e300."""
    tiny = np.array([1e-300, 5e-324])
    lim = limit_oracle.derivative(lambda z: MP.sum(MP.exp(z)), tiny, [np.array([1.0, 2.0])])
    assert float(lim.value) == pytest.approx(3.0, rel=1e-15)
    big = np.array([1e300, 1.0, -1e300])
    v = np.array([0.5, -1.25, 2.0])
    lim = limit_oracle.derivative(lambda z: MP.sum(z), big, [v])
    assert float(lim.value) == pytest.approx(v.sum(), rel=1e-15)


def test_kink_and_domain_are_found():
    assert limit_oracle.kink(lambda z: MP.sum(MP.abs(z)), np.zeros(2), np.ones(2), 1.0) is not None
    assert limit_oracle.kink(lambda z: MP.sum(MP.sin(z)), np.zeros(2), np.ones(2), 1.0) is None
    with pytest.raises(limit_oracle.OracleError, match="outside the function's domain"):
        limit_oracle.check_domain(lambda z: MP.sum(MP.log(z)), np.array([-1.0]), [np.ones(1)], "p")


def _log_case(points):
    return Case(
        "log_test",
        "elementwise",
        lambda xp, x: xp.log(x),
        domain=(0.5, 2.0),
        defined_on=(0.0, np.inf),
        special_points=points,
    )


def test_special_point_outside_domain_is_an_error_of_its_tasks():
    case = _log_case((SpecialPoint("minus one", [-1.0, 1.0, 2.0]),))
    tasks = special_points.tasks_for(case)  # collection computes nothing: the limits are lazy
    assert [t.check for t in tasks] == ["limit1@minus one", "limit2@minus one"]
    for task in tasks:
        with pytest.raises(special_points.SpecialPointError, match="outside the case's domain"):
            task.run(None)


def test_kink_point_is_an_error_task():
    case = Case(
        "abs_test", "elementwise", lambda xp, x: xp.abs(x), special_points=(SpecialPoint("zero", [0.0, 1.0, -1.0]),)
    )
    task = special_points.tasks_for(case)[0]
    with pytest.raises(special_points.SpecialPointError, match="conventions"):
        task.run(None)


def _ctx(name, dtype="float64", variant=None):
    from conformance.adapters import get

    return Context(get(name, variant), "cpu", dtype, 0)


@pytest.fixture(scope="module")
def torch_ok():
    pytest.importorskip("torch")


def test_special_point_checks_pass_at_a_removable_singularity(torch_ok):
    from conformance.derivatives.cases import by_name

    case = by_name("x_over_sin")
    tasks = {t.check: t for t in special_points.tasks_for(case)}
    out = tasks["limit2@0"].run(_ctx("torch"))
    assert out.status == "pass", out.message
    assert out.point == "0" and "removable singularity" in out.data["limit"]


SCALAR = Case(
    "toy_scalar", "compositions", lambda xp, x: xp.sum(xp.sin(x) * xp.exp(x)) + xp.sum(x * x * x), scalar=True
)
VECTOR = Case("toy_vector", "compositions", lambda xp, x: xp.tanh(x) * xp.sum(x * x))
REV_REV = (2, "rev∘rev", ("default", "default"))


def test_programs_cover_every_mode_family():
    full = {(o, f) for o, f, _ in nested.programs(SCALAR, full=True)}
    assert {f for o, f in full if o == 2} >= {
        "rev∘rev",
        "rev∘fwd",
        "fwd∘rev",
        "fwd∘fwd",
        "hessian",
        "hvp",
        "jacfwd∘jacrev",
        "jacrev∘jacfwd",
        "jacfwd∘jacfwd",
        "jacrev∘jacrev",
    }
    assert len({f for o, f in full if o == 3}) == 8
    from conformance.derivatives.cases import CATALOG

    ci = {f for case in CATALOG for o, f, _ in nested.programs(case, full=False)}
    assert ci >= set(nested.SECOND) | set(nested.JACOBIAN_PAIRS) | set(nested.THIRD_FAMILIES)


@pytest.mark.parametrize(
    "family,roles",
    [
        ("fwd∘rev", ("alternate", "alternate")),  # torch.autograd.forward_ad over torch.autograd.grad
        ("rev∘fwd", ("default", "alternate")),
        ("fwd∘fwd", ("default", "default")),
    ],
)
def test_nested_programs_match_the_oracle_in_torch(torch_ok, family, roles):
    out = nested.run_nested(VECTOR, _ctx("torch"), (2, family, roles), REV_REV)
    assert out.status == "pass", out.message
    assert out.data["compared_with"] == "nested2 rev∘rev [default over default]"


def test_nested_third_order_in_torch(torch_ok):
    prog = (3, "fwd∘rev∘rev", ("default",) * 3)
    out = nested.run_nested(SCALAR, _ctx("torch"), prog, prog)
    assert out.status == "pass", out.message
    assert "compared_with" not in out.data  # the first program of its order: the others' reference


def test_each_nested_program_runs_once_per_case(torch_ok, monkeypatch):
    """Every program of a case is computed once: comparing with the first program of its order
    reuses that program's value instead of running it again."""
    calls = []
    real = nested.program

    def counting(family, roles, adapter):
        calls.append((family, roles))
        return real(family, roles, adapter)

    monkeypatch.setattr(nested, "program", counting)
    monkeypatch.setattr(nested, "_RESULTS", nested.CaseMemo())  # none from the tests above
    # torch.func over torch.autograd is not supported by torch: the all-default programs here
    tasks = [t for t in nested.tasks_for(VECTOR, full=True) if "alternate" not in t.check]
    ctx = _ctx("torch")
    outs = [t.run(ctx) for t in tasks]
    assert all(o.status == "pass" for o in outs), [o.message for o in outs if o.status != "pass"]
    assert len(calls) == len(tasks) == len(set(calls))
    assert sum("compared_with" in o.data for o in outs) == len(tasks) - 2  # all but the first of each order


def test_nested_detects_a_wrong_second_derivative(torch_ok):
    """A function whose hand-written backward is wrong in its own derivative is flagged."""
    import torch

    class BadSquare(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2.0 * x.detach()  # right first derivative; its own derivative is 0, not 2

    case = Case(
        "bad_square",
        "compositions",
        lambda xp, x: xp.sum(x * x),
        scalar=True,
        impls={"torch": lambda xp, x: BadSquare.apply(x).sum()},
    )
    out = nested.run_nested(
        case, _ctx("torch", variant="autograd"), (2, "rev∘rev", ("alternate", "alternate")), REV_REV
    )
    assert out.status == "fail"


class _Conj:
    name = "fake"
    complex_grad_convention = "conjugate"


def test_complex_normalization():
    g = np.array([1 + 2j, 3 - 1j])
    assert np.array_equal(complex_inputs.normalize_grad(_Conj(), g), np.conj(g))


@pytest.mark.parametrize("name", ["torch", "jax"])
def test_complex_gradients_agree_after_normalization(name):
    pytest.importorskip(name)
    loss = next(c for c in complex_inputs.CASES if c.case.name == "abs_sin_squared")
    assert complex_inputs.run_loss(loss, _ctx(name, "complex128")).status == "pass"
    holo = complex_inputs.CASES[0]
    for op in ("jvp", "vjp"):
        out = complex_inputs.run_holomorphic(holo, op, _ctx(name, "complex128"))
        assert out.status == "pass", out.message
    conv = complex_inputs.run_convention(loss, _ctx(name, "complex128"))
    raw = np.array([complex(*p) for p in conv.data["value"]])
    direct = np.array([complex(*p) for p in conv.data["expected"]["∂L/∂x + i∂L/∂y (PyTorch, TensorFlow)"]])
    expect = np.conj(direct) if name == "jax" else direct
    assert np.allclose(raw, expect)


def test_bfloat16_and_float16_rounding():
    assert low_precision.round_to(1 + 2.0**-8, "bfloat16") == 1.0  # tie to even
    assert low_precision.round_to(1 + 3 * 2.0**-8, "bfloat16") == 1 + 2.0**-6
    assert low_precision.round_to(1 + 2.0**-7, "bfloat16") == 1 + 2.0**-7
    assert low_precision.round_to(1 + 2.0**-11, "float16") == 1.0


def test_low_precision_check_in_torch(torch_ok):
    from conformance.derivatives.cases import by_name

    (first, second) = low_precision.tasks_for(by_name("sin"))
    for task in (first, second):
        for dtype in ("float16", "bfloat16"):
            out = task.run(_ctx("torch", dtype))
            assert out.status == "pass", out.message


def test_degenerate_points_are_valid():
    case = next(c for c in degenerate.CASES if c.name == "deg_sq_svdvals")
    for point in case.special_points:
        po = special_points.point_oracle(case, point)
        assert 1 in po.values


def test_low_precision_magnitudes_reach_tiny_and_huge():
    from conformance.edges import low_precision as lp
    from conformance.engine import get_profile

    x = np.array([0.5, -1.0, 0.25])
    tiny = lp.scale_to(x, "float16", "tiny")
    assert np.max(np.abs(tiny)) == 8 * lp.TINY["float16"] and np.min(np.abs(tiny)) < 4 * lp.TINY["float16"]
    assert np.max(np.abs(lp.scale_to(x, "bfloat16", "huge"))) == pytest.approx(lp.MAX["bfloat16"] / 64, rel=1e-2)
    assert lp.magnitudes(get_profile("thorough")) == lp.MAGNITUDES
    assert lp.magnitudes(get_profile("ci", 0)) == lp.MAGNITUDES


def test_saturated_second_derivative_is_judged_relative_to_the_exact_value(torch_ok):
    """Issue 19: sigmoid''(40) = −4.2e-18 is a normal float64 number; torch's 0 is 100 % wrong and fails as
    underflow (it passed under the former absolute floor), with the basis stated."""
    from conformance.derivatives.cases import by_name

    case = by_name("sigmoid")
    point = next(p for p in case.special_points if p.name == "40")
    po = special_points.point_oracle(case, point)
    out = special_points.run_point(case, point, po, 2, _ctx("torch"))
    assert out.status == "fail" and out.data["failure_class"] == "underflow"
    assert "relative" in out.data["basis"] and out.error_ratio > 1e10
    ok = special_points.run_point(
        case,
        next(p for p in case.special_points if p.name == "0"),
        special_points.point_oracle(case, next(p for p in case.special_points if p.name == "0")),
        1,
        _ctx("torch"),
    )
    assert ok.status == "pass" and ok.data["failure_class"] is None and ok.data["basis"]


def test_nested_oracle_takes_an_exact_zero_second_derivative_as_zero():
    """x ↦ mean of each row is linear: uᵀD²f[v,·] is exactly 0 and the stencil leaves ~1e-86 there. Each
    entry within 1000x its own two-precision estimate is 0 (stated in ``how``), so a framework's exact 0
    passes instead of reading as a 100 % error; a nonzero third derivative beside it stays."""
    linear = Case("row_means", "reductions", lambda xp, x: xp.mean(x, axis=1), analytic=False)
    d = nested.Draw(
        np.array(
            [
                [-1.0365122556686401, -1.6870896816253662, -0.18333281576633453],  # the ci draw
                [0.815718948841095, 1.8539677858352661, 0.49724218249320984],
            ]
        ),
        np.array([3.6481871604919434, 1.110622525215149]),
        np.array(
            [
                [-0.42985647916793823, -0.2418535053730011, 0.3293885588645935],
                [0.4910357892513275, 1.1118777990341187, 0.7013577818870544],
            ]
        ),
    )
    ref = nested._compute_reference(linear, 2, d)
    assert np.all(ref.value == 0.0) and "taken as exact 0" in ref.how
    cubes = Case("row_cubes", "reductions", lambda xp, x: xp.sum(x * x * x, axis=1), analytic=False)
    ref = nested._compute_reference(cubes, 3, d)  # uᵢ·6·vⱼ² per entry: nonzero everywhere
    np.testing.assert_allclose(ref.value, 6 * d.u[:, None] * d.v**2, rtol=1e-15)
    assert "taken as exact 0" not in ref.how


def test_a_framework_refusing_a_half_precision_kernel_is_recognized():
    """TensorFlow's FFTs have no float16 kernel (no complex32) and say so in their own words; those words
    make the low-precision task a skip, while other errors stay errors."""
    words = low_precision.UNSUPPORTED
    assert words.search("RFFT requires tf.float32 or tf.float64 inputs, got: tf.Tensor(...)")
    assert words.search(
        "The `real` and `imag` components have incorrect types: float16 float16. They must be "
        "consistent, and one of [tf.float32, tf.float64]"
    )
    assert words.search("Unsupported dtype Half")
    assert not words.search("Input is not invertible. [Op:MatrixInverse]")


def test_a_framework_that_promotes_half_precision_is_a_skip(torch_ok):
    """An op that computes float16 input in float32 (JAX's FFTs do) has no half-precision result to judge:
    the low-precision task says so and skips, instead of erroring on the cotangent's dtype; an op that
    stays in float16 is judged."""
    promoting = Case(
        "promotes",
        "elementwise",
        lambda xp, x: xp.sin(x),
        pointwise=True,
        impls={"torch": lambda xp, x: xp.sin(x.float())},
    )
    first = low_precision.tasks_for(promoting)[0]
    out = first.run(_ctx("torch", "float16"))
    assert out.status == "skip" and "in float32" in out.message, out.message
    from conformance.derivatives.cases import by_name

    assert low_precision.tasks_for(by_name("sin"))[0].run(_ctx("torch", "float16")).status == "pass"
