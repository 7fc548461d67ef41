"""Accuracy tables (issue 19, item 5): ULP errors against mpmath over a fixed grid, per op, framework,
variant and dtype, written one flushed record per table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conformance import accuracy, accuracy_exact, adapters
from conformance.ops import by_name
from conformance.tolerance import HUGE, TINY


def test_grid_is_fixed_in_the_dtype_and_covers_tiny_mid_and_huge():
    op = by_name("expit")
    for dtype in ("float64", "float32", "float16", "bfloat16"):
        x = accuracy.grid(op, dtype, 400)
        assert np.array_equal(x, accuracy.grid(op, dtype, 400))  # fixed
        assert np.array_equal(x, accuracy.round_to(x, dtype))  # representable
        a = np.abs(x[x != 0])
        assert a.min() < TINY[dtype] * 1.01 and a.max() >= HUGE[dtype] / 2 and np.any((a > 0.5) & (a < 4))
        assert 40.0 in x or dtype != "float64"  # the row's special points
    assert np.all(accuracy.grid(by_name("gammaln"), "float64", 200) > 0)  # inside defined_on


def test_exact_values_resolve_tiny_huge_and_exact_zeros():
    op = by_name("expit")
    assert accuracy.exact_point(op, 40.0, 2)[1:] == pytest.approx([4.248354255291589e-18, -4.248354255291589e-18])
    v = accuracy.exact_point(op, 1e-300, 2)
    assert v[:2] == [0.5, 0.25] and v[2] == pytest.approx(-1.25e-301)
    assert accuracy.exact_point(op, 1e300, 1) == [1.0, 0.0]  # underflows: 0 is its rounding
    assert accuracy.exact_point(by_name("sinc"), 0.0, 1) == [1.0, 0.0]  # noise around an exact 0


def test_unresolvable_point_names_the_op_and_point(monkeypatch):
    monkeypatch.setattr(accuracy_exact, "PRECISIONS", ((15, 16),))
    op = by_name("expit")
    with pytest.raises(accuracy.AccuracyError, match="'expit'.*x = 0.7"):
        accuracy.exact_point(type(op)(**{**op.__dict__, "exact": lambda t: t + 1e-9 * np.random.rand()}), 0.7, 1)


def test_ulp_errors_and_histogram_bins():
    exact = np.array([1.0, 1.0, 1.0, 1.0, 4e-18, 2.0, 1.0])
    got = np.array([1.0, 1 + 2**-52, 1 + 3 * 2**-52, np.nan, 0.0, -2.0, 1 + 2.0**-30])
    d, nf, ws = accuracy.ulp_errors(got, exact, "float64")
    assert d[:3].tolist() == [0.0, 1.0, 3.0] and nf.tolist()[3] and ws.tolist()[5]
    assert d[4] > 2**40  # 0 where a normal 4e-18 was due
    h = accuracy.histogram(d, nf, ws)
    assert list(h) == list(accuracy.BINS)
    assert h == {"0": 1, "1": 1, "2": 0, "3-4": 1, "5-16": 0, "17-1024": 0, "more": 2, "non_finite": 1, "wrong_sign": 1}
    t = accuracy.table(np.arange(7.0), got, exact, "float64")
    assert t["worst_input"] in (3.0, 5.0) and t["points"] == 7 and math.isinf(t["max_ulp"])


def test_tables_in_torch_are_written_one_record_at_a_time(torch_ad, tmp_path, monkeypatch):
    settings = accuracy.Settings(points=64, dtypes=("float64", "float16"), orders=(1,))
    rows = [by_name("expit"), by_name("softplus")]
    real = accuracy.tables
    calls = []

    def interrupted(op, adapter, s):
        calls.append(op.name)
        if op.name == "softplus":
            raise KeyboardInterrupt
        yield from real(op, adapter, s)

    monkeypatch.setattr(accuracy, "tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        accuracy.run(["torch"], rows, settings, tmp_path, log=lambda s: None)
    recs = [json.loads(line) for f in tmp_path.glob("accuracy-*.jsonl") for line in f.read_text().splitlines()]
    tables = [r for r in recs if r["kind"] == "accuracy"]
    assert calls == ["expit", "softplus"] and tables  # expit's tables kept
    d64 = next(r for r in tables if r["dtype"] == "float64" and r["check"] == "derivative")
    assert set(d64["data"]) >= {"hist", "p99_ulp", "max_ulp", "worst_input", "order", "what"}
    assert d64["data"]["what"] == "derivative" and d64["data"]["order"] == 1
    assert d64["data"]["max_ulp"] > 1e10 and d64["data"]["worst_input"] >= 36  # sigmoid' underflows at 40
    assert {r["api"] for r in tables if r["check"] == "derivative"} >= {"func", "autograd"}
    assert any(r["check"] == "value" and r["api"] == "-" for r in tables)


def test_flush_to_zero_below_the_normal_range_is_accepted_and_counted():
    d, nf, ws = accuracy.ulp_errors(np.array([0.0, 0.0]), np.array([1e-310, 1e-300]), "float64")
    assert d[0] == 0 and d[1] > 1e10
    assert (
        accuracy.table(np.array([1.0, 2.0]), np.array([0.0, 0.0]), np.array([1e-310, 1e-300]), "float64")["flushed"]
        == 1
    )


# ---------------------------------------------------------------- exact values below the stencil's resolution
def test_tiny_derivatives_beside_a_large_value_are_resolved_not_taken_for_zero():
    """f' far below |f| leaves f(t ± h) identical at the first precisions: the old rule took that (or its
    noise) for an exact 0 at the last precision; the resolution floor raises the digits instead."""
    from conformance import accuracy_binary

    assert accuracy.exact_point(by_name("expit"), 300.0, 1)[1] == pytest.approx(5.148200222412013e-131, rel=1e-15)
    assert accuracy.exact_point(by_name("math_erf"), 20.0, 1)[1] == pytest.approx(2.1610374743867984e-174, rel=1e-15)
    a, b = 1.6213573430465, -8.00925812529642e94  # ∂hypot/∂a = a / hypot(a, b)
    assert accuracy_binary.exact_point(by_name("math_hypot"), a, b, 1)[1] == pytest.approx(a / abs(b), rel=1e-15)
    assert accuracy.exact_point(by_name("expit"), 1e300, 1) == [1.0, 0.0]  # below 2^-1075: an exact 0


# ---------------------------------------------------------------- binary rows
def test_binary_grid_takes_each_arguments_signs_from_its_domain_and_keeps_special_points():
    from conformance import accuracy_binary

    op = by_name("math_arctan2")  # b drawn > 0: off the branch cut a = 0, b < 0
    x, not_real = accuracy_binary.grid(op, "float32", 300)
    assert x.shape[0] == 2 and 250 <= x.shape[1] <= 320 and np.any(x[0] < 0)
    assert np.all(x[1] >= 0) and np.sum(x[1] == 0) == 1  # b = 0 only at the special point x=0 (1, 0)
    assert np.array_equal(x, accuracy.round_to(x, "float32"))
    a = np.abs(x[x != 0])
    assert a.min() < TINY["float32"] * 1.01 and a.max() >= HUGE["float32"] / 2
    assert any(np.array_equal(x[:, i], [0.0, 1.0]) for i in range(x.shape[1]))  # the special point y=0
    y, _ = accuracy_binary.grid(by_name("math_maximum"), "float64", 200)
    assert np.all(y[0] != y[1])  # no ties: maximum's kink


def _tables(op, adapter, settings):
    return [r for r in accuracy.tables(op, adapter, settings)]


def test_binary_row_tables_have_a_histogram_per_partial_derivative(torch_ad):
    s = accuracy.Settings(points=48, dtypes=("float64",), orders=(1,))
    recs = _tables(by_name("math_multiply"), torch_ad, s)
    assert {(r.api, r.check) for r in recs} == {
        ("-", "value"),
        ("func", "derivative[arg0]"),
        ("func", "derivative[arg1]"),
        ("autograd", "derivative[arg0]"),
        ("autograd", "derivative[arg1]"),
    }
    for r in recs:
        d = r.data
        assert list(d["hist"]) == list(accuracy.BINS) and sum(d["hist"].values()) == d["points"] > 30
        assert len(d["worst_input"]) == 2 and r.input == d["worst_input"] and d["basis"].startswith("entrywise")
        assert d["max_ulp"] == 0 and r.status == "pass"  # a·b is correctly rounded; ∂(ab)/∂a = b exactly
    assert next(r for r in recs if r.check == "derivative[arg1]").data["partial"] == [0, 1]


def test_a_derivative_off_by_1e_3_lands_in_the_bins_its_size_says(torch_ad, monkeypatch):
    """∂(ab)/∂a = b, returned as b·(1 + 1e-3): d = 1e-3·|b| / ulp(b) = 1e-3·m·2^p for m ∈ [1, 2) the
    significand — ≈ 4.5e12·m in float64 (bin "more"; "non_finite" where b·1.001 overflows), 1.024·m in
    float16 (bins "2" and "3-4"), less for subnormals; ∂/∂b, untouched, stays at 0 ULP."""
    from conformance import accuracy_binary
    from conformance.tolerance import ulp

    real = accuracy_binary._compute

    def off(adapter, f, xa, order, m, dtype, device):
        out = real(adapter, f, xa, order, m, dtype, device)
        if order == 1:
            out[(1, 0)] = out[(1, 0)] * (1 + 1e-3)
        return out

    monkeypatch.setattr(accuracy_binary, "_compute", off)
    op = by_name("math_multiply")
    s = accuracy.Settings(points=48, dtypes=("float64", "float16"), orders=(1,))
    recs = {(r.dtype, r.check): r.data for r in _tables(op, torch_ad, s) if r.api in ("-", "func")}
    for dtype in ("float64", "float16"):
        assert recs[(dtype, "derivative[arg1]")]["hist"]["0"] == recs[(dtype, "derivative[arg1]")]["points"]
        b = np.abs(accuracy_binary.exact_values(op, accuracy_binary.grid(op, dtype, 48)[0], 1).x[1])
        with np.errstate(over="ignore", invalid="ignore"):
            got = b * (1 + 1e-3)
            d = np.abs(got - b) / ulp(b, dtype)
        fin = np.isfinite(got)
        edges = [("1", 0, 1), ("2", 1, 2), ("3-4", 2, 4), ("5-16", 4, 16), ("17-1024", 16, 1024)]
        want = {"0": np.sum(d == 0), **{k: np.sum((d > lo) & (d <= hi)) for k, lo, hi in edges}}
        want.update(more=np.sum(fin & (d > 1024)), non_finite=np.sum(~fin), wrong_sign=0)
        assert recs[(dtype, "derivative[arg0]")]["hist"] == want
    assert want["2"] > 0 and want["3-4"] > 0  # float16: 1.024·m
    assert recs[("float64", "derivative[arg0]")]["hist"]["more"] > 30


# ---------------------------------------------------------------- whole-array rows
def test_array_row_tables_state_the_cotangent_and_the_basis(torch_ad):
    s = accuracy.Settings(array_points=4, dtypes=("float64",), orders=(1,))
    recs = _tables(by_name("sum_axis"), torch_ad, s)
    vjp = next(r for r in recs if r.check == "vjp" and r.api == "func")
    val = next(r for r in recs if r.check == "value")
    for r in (vjp, val):
        d = r.data
        assert list(d["hist"]) == list(accuracy.BINS) and d["inputs"] >= 4 and r.status == "pass"
        assert np.shape(d["worst_input"]) == (2, 3) and d["basis"].startswith("entrywise")
    u = np.array(vjp.data["cotangent"])  # ±(1 + k/8): exact in every dtype
    assert u.shape == (2,) and np.all(np.isin(np.abs(u) * 8, np.arange(8, 16)))
    assert vjp.data["points"] == 6 * vjp.data["inputs"] and vjp.data["max_ulp"] == 0  # Jᵀu copies u
    det = _tables(by_name("linalg_det"), torch_ad, s)
    assert all(r.data["basis"].startswith("normwise: ULPs of ‖exact‖∞") for r in det if r.status != "skip")


def test_array_vjp_off_by_1e_3_lands_in_more(torch_ad, monkeypatch):
    from conformance import accuracy_arrays

    real = accuracy_arrays._one
    monkeypatch.setattr(
        accuracy_arrays, "_one", lambda a, f, x, u, order, *rest: real(a, f, x, u, order, *rest) * (1 + 1e-3 * order)
    )
    s = accuracy.Settings(array_points=4, dtypes=("float64",), orders=(1,))
    recs = _tables(by_name("sum_axis"), torch_ad, s)
    vjp = next(r for r in recs if r.check == "vjp").data
    assert vjp["hist"]["more"] == vjp["points"] and vjp["max_ulp"] > 1e12
    assert next(r for r in recs if r.check == "value").data["max_ulp"] <= 1


def test_normwise_basis_forgives_a_cancelled_entrys_rounding_not_a_large_flip():
    exact = np.array([1.0, 1e-17, -0.5])
    got = np.array([1.0, -1e-17, 0.5])  # the cancelled entry flips within the norm's rounding; -0.5 flips
    d, nf, ws = accuracy.ulp_errors(got, exact, "float64", scale=np.full(3, 1.0))
    assert d[1] < 1 and not ws[1] and ws[2] and d[2] == 2**52
    d, nf, ws = accuracy.ulp_errors(got, exact, "float64")
    assert ws[1] and d[1] > 1e10  # entrywise: a 200 % error


def test_rows_cover_the_whole_op_table_and_ops_patterns_select_them(tmp_path):
    import argparse

    from conformance.commands import accuracy as command
    from conformance.ops import OPS

    everything = accuracy.rows()
    assert len(everything) == len([op for op in OPS if op.exact is not None or op.oracle is not None]) >= 300
    assert {op.name for op in accuracy.rows(["math_hypot", "linalg_det"])} == {"math_hypot", "linalg_det"}
    parser = argparse.ArgumentParser()
    command.configure(parser)
    args = parser.parse_args(
        ["--ops", "math_multiply,sum_axis", "-f", "torch", "--dtype", "float32", "--profile", "dev"]
        + ["--points", "6", "--out", str(tmp_path), "--no-cache"]
    )
    assert command.main(args) == 0
    recs = [json.loads(line) for f in tmp_path.glob("accuracy-*.jsonl") for line in f.read_text().splitlines()]
    checks = {(r["case"], r["check"]) for r in recs if r["kind"] == "accuracy"}
    assert {("math_multiply", "derivative[arg0]"), ("sum_axis", "vjp"), ("sum_axis", "value")} <= checks


def test_an_exact_tie_is_rounded_to_even_not_left_unresolved():
    """Jᵀu of a bilinear map with the cotangent's ±(1 + k/8) is a dyadic number, often exactly a float64
    midpoint: estimates 1e-40 apart straddle it at every precision (cross's VJP entry -3.12669451524621045)."""
    import mpmath

    from conformance import accuracy_arrays

    with mpmath.workprec(300):
        mid = mpmath.mpf(1) + mpmath.mpf(2) ** -53  # between 1 and 1 + 2^-52

        def estimate(dps):
            with mpmath.workprec(300):
                return [mid + (-1) ** dps * mpmath.mpf(10) ** -dps], [mpmath.mpf(0)]

    assert accuracy_exact.resolve("tie", "x", estimate, [False]) == [1.0]
    x = np.array(
        [
            [-1.2583860362564931, -1.1851424861231346, 1.9598907307850921],
            [-1.6615983506471048, 1.4356023478704758, -0.9767307763994038],
        ]
    )
    op = by_name("cross")
    value, vjp = accuracy_arrays.exact_point(op, x, accuracy_arrays.cotangent(op, (3,)))
    assert vjp[0, 1] == pytest.approx(-3.1266945152462, rel=1e-13) and value.shape == (3,)


def test_exact_values_are_kept_in_the_oracle_store_across_runs(tmp_path, monkeypatch):
    """With the store on (``conformance accuracy`` switches it on as ``conformance run`` does), a second
    run reads every exact value (unary, binary and array rows) instead of computing it."""
    from conformance import accuracy_arrays, accuracy_binary, oracle_cache

    try:
        oracle_cache.configure(tmp_path)
        unary, binary, array = by_name("expit"), by_name("logaddexp"), by_name("logsumexp_axis")
        x = np.array([[0.5, -1.0, 2.0], [0.25, 1.0, -3.0]])
        u = np.array([1.0, -1.5])
        first = (
            accuracy.exact_point(unary, 3.0, 1),
            accuracy_binary.exact_point(binary, 3.0, 4.0, 1),
            accuracy_arrays.exact_point(array, x, u),
        )

        def refuse(*a, **k):
            raise AssertionError("computed again")

        monkeypatch.setattr(accuracy_exact, "resolve", refuse)
        again = (
            accuracy.exact_point(unary, 3.0, 1),
            accuracy_binary.exact_point(binary, 3.0, 4.0, 1),
            accuracy_arrays.exact_point(array, x, u),
        )
        assert first[:2] == again[:2]
        np.testing.assert_array_equal(first[2][0], again[2][0])
        np.testing.assert_array_equal(first[2][1], again[2][1])
    finally:
        oracle_cache.reset()


def _stencil_only(op):
    """The row without its analytic derivative: f' from the step difference of f."""
    import dataclasses

    return dataclasses.replace(op, derivative=None)


@pytest.mark.parametrize("name", [op.name for op in accuracy.rows() if op.derivative is not None])
def test_a_rows_analytic_derivative_equals_the_step_difference_of_its_value(name):
    """Op.derivative is typed by hand: at points across the row's domain (and its moderate special
    points) f' and f'' from it equal, correctly rounded, those from the step difference of ``exact``."""
    op = by_name(name)
    lo, hi = op.domains()[0]
    pts = list(np.linspace(lo, hi, 5)) + [
        float(p[1]) for p in op.points if np.ndim(p[1]) == 0 and 1e-3 <= abs(float(p[1])) <= 1e3
    ]
    plain = _stencil_only(op)
    for t in pts:
        assert accuracy.exact_point(op, t, 2) == accuracy.exact_point(plain, t, 2), (name, t)


def test_an_analytic_derivative_resolves_log_singular_rows_near_zero_quickly():
    """At x = 1e-300 the step difference of Q(2.5, x) needs ~1,000 more bits (30 s a point); the row's
    f' = −x^1.5 e^−x / Γ(2.5) is evaluated: 0 is its correct rounding (|f'| ~ 1e-450), f = 1. (Measured:
    the step difference 28 s for Q and 4.6 s for K0 at this point, the evaluation 0.01 s each.)"""
    assert accuracy.exact_point(by_name("gammaincc"), 1e-300, 1) == [1.0, -0.0]
    k0 = accuracy.exact_point(by_name("k0"), 1e-300, 1)
    assert (
        math.isclose(k0[1], -1 / 1e-300, rel_tol=1e-15) and abs(k0[0] - 690.89146) < 1e-5
    )  # K0'(x) = −K1(x) ≈ −1/x, K0 ≈ −log(x/2) − γ


def test_the_ci_rotation_measures_every_row_and_dtype_once_over_its_period(torch_ad):
    """``conformance accuracy --profile ci --seed s`` measures the (row, dtype) tables of share
    s mod ROTATION: ROTATION consecutive seeds (from any start) measure each exactly once."""
    from conformance import rotation

    tables = [(op, d) for op in accuracy.rows() for d in accuracy.DTYPES]
    for start in (0, 13):
        shares = [accuracy.Settings(share=s) for s in range(start, start + rotation.ROTATION)]
        hits = [sum(st.in_share(op, d) for st in shares) for op, d in tables]
        assert set(hits) == {1}
    sizes = [sum(accuracy.Settings(share=s).in_share(op, d) for op, d in tables) for s in range(rotation.ROTATION)]
    assert min(sizes) > len(tables) / (2 * rotation.ROTATION) and max(sizes) < 2 * len(tables) / rotation.ROTATION
    op = by_name("expit")
    mine = next(s for s in range(rotation.ROTATION) if rotation.accuracy_slot("expit", "float32") == s)
    settings = accuracy.Settings(points=64, share=mine + rotation.ROTATION)
    dtypes = {d for _, d, _ in accuracy.entry_points(op, torch_ad, settings, 64)}
    assert "float32" in dtypes and dtypes == {d for d in accuracy.DTYPES if settings.in_share(op, d)}


def test_a_table_with_no_finite_result_and_a_row_that_crashes_are_records_not_the_end_of_the_run(
    torch_ad, tmp_path, monkeypatch
):
    """matrix_exp's bfloat16 VJP came back all non-finite (no 99th percentile): the table is a fail
    record saying so; a row whose tables raise is one error record, and the run goes on."""
    rec = accuracy.base_record(by_name("expit"), by_name("expit"), torch_ad, accuracy.Settings(), "bfloat16", 8)
    hist = dict.fromkeys(accuracy.BINS, 0) | {"non_finite": 3}
    data = {"hist": hist, "points": 3, "max_ulp": math.inf, "p99_ulp": None, "worst_input": 1.0}
    accuracy.finish(rec, data, 0.0, "x = 1.0", "3 points")
    assert rec.status == "fail" and "p99 n/a (no finite result)" in rec.message and "3 non-finite" in rec.message
    real = accuracy.tables

    def tables(op, adapter, settings):
        if op.name == "expit":
            raise RuntimeError("boom")
        yield from real(op, adapter, settings)

    monkeypatch.setattr(accuracy, "tables", tables)
    path = accuracy.run(
        ["torch"],
        [by_name("expit"), by_name("ndtr")],
        accuracy.Settings(points=16, dtypes=("float64",)),
        tmp_path,
        log=lambda s: None,
    )
    recs = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert recs[0]["status"] == "error" and "tables of expit stopped: RuntimeError: boom" in recs[0]["message"]
    assert {r["case"] for r in recs[1:]} == {"ndtr"} and all(r["status"] in ("pass", "fail") for r in recs[1:])


def _framework(name):
    a = adapters.get(name)
    ok = a.available()
    if not ok:
        pytest.skip(str(ok))
    return a


def test_a_dtype_the_framework_has_no_kernel_for_is_a_skip_and_the_cotangent_takes_the_outputs_dtype():
    """TensorFlow has no bfloat16 Lgamma kernel ("Could not find device for node ... DT_BFLOAT16"): a
    skip quoting it, not an error. JAX's fft2 of float16 returns float32; the VJP's cotangent is given
    in the output's dtype (a float16 cotangent was refused: an error of ours, not JAX's)."""
    tf = _framework("tensorflow")
    s = accuracy.Settings(points=16, array_points=2, dtypes=("bfloat16",), orders=(1,))
    recs = _tables(by_name("gammaln"), tf, s)
    assert recs and all(r.status == "skip" for r in recs)
    assert any("DT_BFLOAT16" in r.message or "bfloat16" in r.message for r in recs)
    jax = _framework("jax")
    recs = _tables(by_name("fft2"), jax, accuracy.Settings(array_points=2, dtypes=("float16",), orders=(1,)))
    vjps = [r for r in recs if r.check == "vjp"]
    assert vjps and all(r.status in ("pass", "fail") for r in vjps), [r.message for r in vjps]


def test_a_point_no_precision_resolves_is_left_out_and_quoted_and_the_rest_of_the_grid_runs(torch_ad, monkeypatch):
    """Issue 19's bad input: an exact value mpmath cannot resolve is a collection error for that point
    (op and point named in the record), not the end of the table or the run."""
    op = by_name("expit")
    real = accuracy.exact_point

    def stubborn(o, t, n):
        if t == 1.0:
            raise accuracy.AccuracyError(f"op {o.name!r}: the exact value at x = {t!r} is not resolved")
        return real(o, t, n)

    monkeypatch.setattr(accuracy, "exact_point", stubborn)
    monkeypatch.setattr(accuracy, "_EXACT", {})
    recs = _tables(op, torch_ad, accuracy.Settings(points=32, dtypes=("float64",), orders=(1,)))
    assert recs and all(r.status == "pass" for r in recs)
    for r in recs:
        assert (
            r.data["dropped"][accuracy.UNRESOLVED] == 1
            and r.data["points"] == len(accuracy.grid(op, "float64", 32)) - 1
        )
        assert "1 point(s) left out, not resolved: op 'expit': the exact value at x = 1.0" in r.message


def test_the_ci_profile_measures_second_derivatives_but_of_the_special_functions():
    ci = accuracy.Settings.profile("ci")
    assert ci.orders_of(by_name("softplus")) == (1, 2) and ci.orders_of(by_name("math_hypot")) == (1, 2)
    assert ci.orders_of(by_name("k1e")) == (1,)  # mpmath's Bessel K: f'' ~0.2 s a point
    assert accuracy.Settings.profile("ci", orders=(1, 2)).orders_of(by_name("k1e")) == (1, 2)  # --order 2
    assert accuracy.Settings.profile("dev").orders_of(by_name("expit")) == (1,)
    assert accuracy.Settings.profile("thorough").orders_of(by_name("k1e")) == (1, 2)


def test_torchs_float16_pinv_refusal_is_a_skip_of_its_adapter_not_of_the_shared_rule(torch_ad):
    """torch.linalg.pinv has no float16 kernel ("... of float, double, cfloat or cdouble types"): the
    torch adapter's DTYPE_REFUSALS make the table a skip; the shared tolerance.REFUSAL has no torch words."""
    from conformance.tolerance import REFUSAL

    assert not REFUSAL.search("expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
    recs = _tables(by_name("linalg_pinv"), torch_ad, accuracy.Settings(array_points=2, dtypes=("float16",)))
    assert recs and all(r.status == "skip" for r in recs) and any("cdouble" in r.message for r in recs)
