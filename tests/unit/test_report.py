"""The HTML report: merging, bad input, escaping, and the numbers it shows (matrix cells,
agreement, conventions, version diff), over synthetic records written with ResultWriter."""

from __future__ import annotations

import json
import re

import pytest

from conformance import cli
from conformance.records import Record, ResultWriter, read
from conformance.report import (
    NoResults,
    agreement,
    benchmarks,
    build,
    charts,
    conventions,
    formatting,
    matrix,
    synthetic,
    unpack,
    versions,
)

SCRIPT = "<script>alert(1)</script>"
SECTION_IDS = [
    "found",
    "summary",
    "matrix",
    "coverage",
    "details",
    "agreement",
    "conventions",
    "integrals",
    "optimizers",
    "advanced",
    "studies",
    "benchmarks",
    "versions",
    "environment",
]


def rec(**kw) -> Record:
    base = {
        "kind": "check",
        "framework": "torch",
        "framework_version": "2.13.0",
        "api": "func",
        "device": "cpu",
        "dtype": "float64",
        "family": "elementwise",
        "case": "sin",
        "check": "grad",
        "status": "pass",
    }
    base.update(kw)
    return Record(**base)


def write(path, records, header=None):
    with ResultWriter(path, header=header) as w:
        for r in records:
            w.write(r)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small merged run (2 frameworks x 2 versions, adversarial strings) plus bad files."""
    d = tmp_path_factory.mktemp("results")
    synthetic.write_runs(
        d,
        cases=3,
        checks=2,
        frameworks=("numpy", "torch"),
        versions=2,
        bench_functions=1,
        sizes=2,
        adversarial=True,
        seed=1,
    )
    (d / "corrupt.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    trunc = write(d / "truncated.jsonl", [rec(case="truncated_case")])
    with trunc.open("a") as fh:
        fh.write('{"schema_version": 1, "kind": "check", "framework": "tor')
    (d / "foreign.jsonl").write_text(json.dumps({"name": "not ours", "items": [1, 2]}) + "\n")
    (d / "old.jsonl").write_text(
        json.dumps({"schema_version": 0, "kind": "run", "run_id": "x", "environment": {}}) + "\n"
    )
    warnings: list[str] = []
    out = build([d], d.parent / "site" / "index.html", warn=warnings.append)
    return {"dir": d, "out": out, "html": out.read_text(encoding="utf-8"), "warnings": warnings}


# ---------------------------------------------------------------- merging and bad input
def test_every_section_is_rendered(site):
    for sid in SECTION_IDS:
        assert re.search(f'<section id="{sid}"[ >]', site["html"]), sid


def test_bad_files_become_one_line_warnings_naming_them(site):
    w = site["warnings"]
    for name in ("corrupt.jsonl", "foreign.jsonl", "old.jsonl"):
        hits = [x for x in w if name in x]
        assert len(hits) == 1 and "\n" not in hits[0], (name, w)
    assert any("truncated.jsonl:3" in x for x in w), w
    assert any("needs schema_version 1" in x for x in w if "old.jsonl" in x)
    # the rest still renders, including the good line of the truncated file
    assert "truncated_case" in site["html"]
    assert "input notes" in site["html"]


def test_no_results_files_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "index.html"
    with pytest.raises(NoResults, match="no results files"):
        build([tmp_path], out, warn=None)
    assert not out.exists()


def test_cli_empty_dir_exits_2_with_a_message(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert cli.main(["report", str(tmp_path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no results files" in err and "conformance run" in err
    assert not out.exists()


def test_cli_only_old_schema_refuses_naming_the_version(tmp_path, capsys):
    (tmp_path / "old.jsonl").write_text(json.dumps({"schema_version": 0, "kind": "check"}) + "\n")
    out = tmp_path / "r.html"
    assert cli.main(["report", str(tmp_path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "old.jsonl" in err and "needs schema_version 1" in err
    assert not out.exists()


def test_cli_writes_the_page_and_prints_warnings(tmp_path, capsys):
    good = write(tmp_path / "a.jsonl", [rec(), rec(framework="jax", framework_version="0.10.2", api="transforms")])
    (tmp_path / "bad.jsonl").write_text("not json\n")
    out = tmp_path / "out" / "index.html"
    assert cli.main(["report", str(good), str(tmp_path / "bad.jsonl"), "-o", str(out)]) == 0
    cap = capsys.readouterr()
    assert "bad.jsonl" in cap.err and "warning" in cap.err
    assert str(out) in cap.out and out.exists()


def test_read_gives_records_with_every_field(tmp_path):
    """A valid line may omit optional fields or hold odd types: read() gives a Record whose text
    fields are strings, data a dict, registry a dict or None; unknown keys are dropped."""
    lines = [
        {
            "schema_version": 1,
            "kind": "check",
            "framework": "torch",
            "framework_version": 2.1,
            "api": "func",
            "device": "cpu",
            "dtype": "float64",
            "case": 7,
            "check": "grad",
            "status": "fail",
            "data": "x",
            "registry": "a reason",
            "from_the_future": 1,
        },
        {"schema_version": 1, "kind": "study", "framework": "jax", "case": "c", "check": "k"},
    ]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    a, b = read([tmp_path]).records
    assert isinstance(a, Record) and (a.case, a.framework_version, a.family, a.message) == ("7", "2.1", "", "")
    assert a.data == {} and a.registry == {"reason": "a reason"} and not hasattr(a, "from_the_future")
    assert (b.status, b.api, b.data, b.registry, b.error_ratio) == ("pass", "", {}, None, None)


# ---------------------------------------------------------------- escaping
def test_adversarial_strings_are_escaped_everywhere(site):
    html = site["html"]
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # ours only
    inner = unpack(html)  # the packed parts are escaped the same way
    assert "<script" not in inner and "<img" not in inner and "&lt;script&gt;alert(1)" in inner
    assert "<img" not in html  # the injected tag never became markup
    assert "&amp;" in html and ("&#34;quoted&#34;" in html or "&quot;quoted&quot;" in html)
    # our one script is allowed by hash in the CSP, nothing else is
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)


def test_svg_text_is_escaped_and_dollars_stay_literal():
    svg = charts.line_chart(
        {
            "title": SCRIPT + " & $x^2$",
            "x_label": 'a"b',
            "y_label": "y",
            "series": [{"label": SCRIPT, "x": [1, 2, 3], "y": [1, 4, 9]}],
        }
    )
    assert svg is not None
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    assert "$x^2$" in svg  # shown literally, not as mathtext


def test_chart_ids_are_unique_across_charts():
    spec = {"title": "t", "series": [{"label": "s", "x": [1, 2], "y": [1, 2]}]}
    ids = [re.findall(r'id="([^"]+)"', str(charts.line_chart(spec))) for _ in range(2)]
    assert ids[0] and not set(ids[0]) & set(ids[1])


def test_only_http_links_become_hrefs():
    assert formatting.safe_link("https://github.com/pytorch/pytorch/issues/1") is not None
    for bad in ("javascript:alert(1)", "data:text/html,x", 'https://x" onclick="y', "", None):
        assert formatting.safe_link(bad) is None


# ---------------------------------------------------------------- the numbers
def test_matrix_cell_is_worst_status_with_largest_ratio(tmp_path):
    p = write(
        tmp_path / "m.jsonl",
        [
            rec(check="grad", error_ratio=0.1),
            rec(check="jvp", status="fail", error_ratio=3.0),
            rec(check="grad", dtype="float32", error_ratio=0.5),
            rec(check="vjp", status="skip"),
            rec(case="cos", error_ratio=0.2),
        ],
    )
    m = matrix.matrix(read([p]).records, {})
    assert [r.case for r in m.rows] == ["cos", "sin"]
    sin = m.rows[1].cells[0]
    assert sin.status == "fail" and sin.ratio == 3.0
    assert sin.counts["pass"] == 2 and sin.counts["fail"] == 1 and sin.counts["skip"] == 1
    assert sin.share_text == "66%" and sin.judged == 3  # 2 of the 3 judged checks passed
    per_check = {c: cells[0] for c, cells, _ in m.rows[1].checks}
    assert {c: st for c, _, st in m.rows[1].checks} == {"grad": "pass", "jvp": "fail", "vjp": "na"}
    assert per_check["grad"].status == "pass" and per_check["grad"].ratio == 0.5
    assert per_check["vjp"].status == "na" and per_check["vjp"].share_text == ""  # every check skipped: n/a


def test_advanced_topics_get_their_block_in_the_advanced_section(tmp_path):
    """Each advanced topic (a family of its own) is listed under its title inside #advanced, with its
    checks' table and study tables; it does not also appear under Studies."""
    table = {"columns": ["d", "time ratio"], "rows": [[10, 1.5], [100, 2.5]]}
    p = write(
        tmp_path / "a.jsonl",
        [
            rec(family="pinn", case="laplacian_exp_d10", check="hessian_trace", error_ratio=0.2),
            rec(
                family="fractional",
                case="caputo_power",
                check="order",
                status="fail",
                error_ratio=4.0,
                message="observed order 1.2 <b>",
            ),
            rec(family="pinn", case="laplacian_bench", check="methods", kind="study", data={"table": table}),
        ],
    )
    html = build([p], tmp_path / "index.html").read_text(encoding="utf-8")
    advanced = html.split('<section id="advanced">')[1].split("</section>")[0]
    assert "PINN differential operators" in advanced and "Fractional calculus" in advanced
    assert 'id="advanced-pinn"' in advanced and "time ratio" in advanced
    assert "No diffusion records in these runs." in advanced
    studies_section = html.split('<section id="studies">')[1].split("</section>")[0]
    assert "laplacian_bench" not in studies_section
    assert "fractional check and study (1 records; 1 not passing)" in advanced


def test_agreement_heat_maps_come_from_the_probe_records(tmp_path):
    def probe(fw, api, version, d, dtype="float64", case="sin"):
        return rec(
            framework=fw,
            api=api,
            framework_version=version,
            check="probe",
            case=case,
            dtype=dtype,
            probe={"x": [0.5], "value": 1.0, "derivative": d},
        )

    p = write(
        tmp_path / "a.jsonl",
        [
            probe("numpy", "richardson", "2.3", [1.0, 2.0]),
            probe("torch", "func", "2.13.0", [1.0, 2.0 * (1 + 1e-12)]),
            probe("jax", "transforms", "0.10", [1.1, 2.0]),
            probe("jax", "transforms", "0.10", [1.0], "float32"),
            rec(check="grad", probe=None),
        ],
    )
    views = agreement.agreement(read([p]).records)
    assert [(v.dtype, v.quantity) for v in views] == [("float64", "derivative"), ("float64", "value")]
    d = views[0]
    i = {lab.split("[")[0]: k for k, lab in enumerate(d.labels)}
    assert d.values[i["numpy"]][i["torch"]] == pytest.approx(1e-12, rel=1e-3)
    assert d.values[i["numpy"]][i["jax"]] == pytest.approx(0.1 / 1.1)
    assert d.worst[0][0] == pytest.approx(0.1 / 1.1) and d.worst[0][3] == "elementwise/sin"
    assert views[1].worst == []  # every f(x) agrees exactly


def test_conventions_side_by_side_mark_the_odd_one(tmp_path):
    def conv(fw, api, value, dtype="float64"):
        return rec(
            kind="convention",
            family="conventions",
            framework=fw,
            api=api,
            case="relu at 0",
            check="grad",
            dtype=dtype,
            data={"value": value, "expected": [0, 1], "note": "n"},
        )

    p = write(
        tmp_path / "c.jsonl",
        [
            conv("torch", "func", 0.0),
            conv("jax", "transforms", 0.0),
            conv("tensorflow", "tape", 1.0),
            conv("tensorflow", "tape", 0.5, "float32"),
        ],
    )
    c = conventions.conventions(read([p]).records)
    (row,) = c.rows
    assert row.differs
    cols = [col.framework for col in c.columns]
    assert row.odd == [fw == "tensorflow" for fw in cols]
    assert row.cells[cols.index("tensorflow")] == "float32: 0.5; float64: 1.0"


def test_version_diff(tmp_path):
    old = {"framework_version": "0.9.1", "framework": "jax", "api": "transforms"}
    new = {"framework_version": "0.10.2", "framework": "jax", "api": "transforms"}

    def bench(v, t, n=100):
        return rec(
            kind="benchmark",
            family="benchmarks",
            case="sum_sin",
            check="grad",
            data={"n": n, "mode": "eager", "median_s": t},
            **v,
        )

    p = write(
        tmp_path / "v.jsonl",
        [
            rec(case="a", error_ratio=0.1, **old),
            rec(case="a", status="fail", error_ratio=4.0, **new),
            rec(case="b", error_ratio=1e-4, **old),
            rec(case="b", error_ratio=0.5, **new),
            rec(case="c", error_ratio=0.02, **old),
            rec(case="c", error_ratio=0.1, **new),  # < 10x: quiet
            rec(case="d", error_ratio=1e-9, **old),
            rec(case="d", error_ratio=1e-5, **new),  # below floor
            bench(old, 1e-3),
            bench(new, 4e-3),
            bench(old, 1e-4, 10),
            bench(new, 1e-4, 10),  # geomean 2x
            bench(old, 1e-4, 1000),  # no partner
            rec(kind="convention", family="conventions", case="abs at 0", check="grad", data={"value": 0}, **old),
            rec(kind="convention", family="conventions", case="abs at 0", check="grad", data={"value": 1}, **new),
            rec(case="only_new", **new),
        ],
    )
    (d,) = versions.version_diffs(read([p]).records)
    assert (d.framework, d.old, d.new) == ("jax", "0.9.1", "0.10.2")  # PEP 440 order, not text
    got = {(c.what, c.case, c.direction) for c in d.changes}
    assert got == {
        ("status", "a", "worse"),
        ("error", "b", "worse"),
        ("time", "sum_sin", "worse"),
        ("convention", "abs at 0", "changed"),
    }
    assert d.added == 1 and d.removed == 0
    assert d.compared == 6  # a, b, c, d, the benchmark series, the convention
    t = next(c for c in d.changes if c.what == "time")
    assert t.factor == pytest.approx(2.0)
    assert t.before == "1 ms at n=100" and t.after == "4 ms at n=100" and "n=10…100" in t.where


def test_benchmarks_group_series_and_keep_compile_time_apart(tmp_path):
    recs = []
    for mode in ("eager", "compiled"):
        for n in (10, 100):
            for op, ratio in (("primal", None), ("grad", 3.0)):
                recs.append(
                    rec(
                        kind="benchmark",
                        family="benchmarks",
                        case="sum_sin",
                        check=op,
                        data={
                            "n": n,
                            "mode": mode,
                            "median_s": 1e-5 * n,
                            "iqr_s": 1e-7,
                            "compile_s": 0.5 if mode == "compiled" else None,
                            "ratio": ratio,
                            "bound": 5.0 if ratio else None,
                            "over_bound": False,
                            "exponent": 1.0,
                            "reference": {"source": "GradBench", "ratio": 2.5} if ratio else None,
                        },
                    )
                )
    recs.append(
        rec(
            kind="benchmark",
            family="benchmarks",
            case="sum_sin",
            check="hessian",
            status="skip",
            message="needs 40 GB",
            data={"n": 10**6, "mode": "eager"},
        )
    )
    (g,) = benchmarks.benchmarks(read([write(tmp_path / "b.jsonl", recs)]).records)
    assert list(g.series) == ["primal", "grad"]
    assert g.series["grad"]["torch[func] eager"] == [(10.0, 1e-4), (100.0, 1e-3)]
    assert g.ratios["grad"]["torch[func] compiled"] == [(10.0, 3.0), (100.0, 3.0)]
    assert g.bounds == {"grad": 5.0}
    assert g.compile_sizes == [10, 100]
    assert [(r["operator"], r["mode"], r["times"]) for r in g.compile_rows] == [
        ("primal", "compiled", {10: 0.5, 100: 0.5}),
        ("grad", "compiled", {10: 0.5, 100: 0.5}),
    ]
    grad_rows = [r for r in g.rows if r["operator"] == "grad"]
    assert {r["reference"] for r in grad_rows} == {"2.5"}
    assert any(r.get("message") == "needs 40 GB" for r in g.rows)


def test_studies_draw_every_chart_and_table(site):
    html = site["html"]
    # one convergence study per (framework, version, api) in the fixture: 2 x 2 x 2
    assert html.count('<figure class="study">') == 8
    assert (html + unpack(html)).count('<svg class="chart"') >= 8 + 2  # studies (packed), benchmarks, heat maps
    assert "final loss" in html


def test_summary_states_what_ran_where(site):
    html = site["html"]
    for s in ("torch 2.12.1, 2.13.0", "numpy: complex_step, richardson", "float32, float64", "cpu_count="):
        assert s in html, s
    assert "synthetic" in html


def test_summary_states_each_runs_rotation_share(tmp_path):
    note = "seed 2 runs 700 of 1000 derivative tasks (70%); seeds 2..5 together run all of them"
    p = write(
        tmp_path / "r.jsonl", [rec()], header={"profile": "ci", "seed": 2, "rotation": {"share": 0.7, "note": note}}
    )
    q = write(tmp_path / "t.jsonl", [rec(framework="jax")], header={"profile": "thorough", "seed": 0})
    html = build([p, q], tmp_path / "index.html").read_text(encoding="utf-8")
    summary_section = html.split('<section id="summary">')[1].split("</section>")[0]
    assert f"profile ci, seed 2: {note}" in summary_section
    assert "profile thorough, seed 0: every selected task" in summary_section


def test_version_matrix_sessions_are_listed_with_the_missing_ones(tmp_path):
    from conformance import matrix

    specs = matrix.expected_sessions()
    ran, failed = specs[0], specs[1]
    out_file = write(tmp_path / "ran.jsonl", [rec(framework=ran.framework, framework_version=ran.version)])
    matrix.write_status(tmp_path, ran, "passed", results=[out_file.name])
    matrix.write_status(tmp_path, failed, "install-failed", message="ERROR: No matching distribution <x>")
    other = tmp_path / "other"  # a second directory, as from another CI job
    matrix.write_status(other, ran, "running")
    html = build([tmp_path, other], tmp_path / "index.html", warn=None).read_text(encoding="utf-8")
    assert "Sessions of the version matrix" in html
    assert f"{len(specs) - 1} of {len(specs)} sessions left no records here" in html
    assert html.count(f"<td>{ran.session}</td>") == 1 and ">passed<" in html
    assert "install-failed" in html and "No matching distribution &lt;x&gt;" in html


def test_malformed_study_payloads_are_skipped_not_fatal(tmp_path):
    bad = [
        rec(kind="study", family="optimizers", case="c", check=f"k{i}", data=d)
        for i, d in enumerate(
            [
                {"chart": {"series": [{"label": "s", "x": 3, "y": "no"}]}, "table": {"columns": "x", "rows": 5}},
                {"chart": "not a dict", "table": {"columns": ["a"], "rows": [1, [2]]}},
                {"chart": {"series": [{"label": "s", "x": [1, "nan", 3], "y": [1, 2, "inf"]}], "log_y": True}},
            ]
        )
    ]
    html = build([write(tmp_path / "s.jsonl", bad)], tmp_path / "i.html", warn=None).read_text(encoding="utf-8")
    assert html.count('<figure class="study">') == 3  # every record with a chart or table is shown
    assert unpack(html).count('<svg class="chart"') == 1  # only the third has finite points to plot
    assert html.count("chart has no finite points to draw") == 1
    assert html.count('<table class="data sortable">') >= 1  # the second's table, rows made lists


def test_repeat_benchmark_runs_keep_the_latest_measurement(tmp_path):
    def b(t):
        return rec(
            kind="benchmark",
            family="benchmarks",
            case="sum_sin",
            check="primal",
            data={"n": 10, "mode": "eager", "median_s": t},
        )

    write(tmp_path / "1.jsonl", [b(1.0)])
    with ResultWriter(tmp_path / "2.jsonl", run_id="29991231T000000-ffffff") as w:
        w.write(b(2.0))
    recs = read([tmp_path]).records
    (g,) = benchmarks.benchmarks(recs)
    assert g.series["primal"] == {"torch[func] eager": [(10.0, 2.0)]}
    assert benchmarks.superseded_benchmarks(recs) == 1
