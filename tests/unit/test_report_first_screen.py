"""The report's first screen (what was found, per framework version and failure class; the findings;
the family heat map), the matrix without noise, coverage, packed detail, and bad input (issue #23)."""

from __future__ import annotations

import json
import re

import pytest

from conformance.records import Record, ResultWriter, read
from conformance.report import build, coverage, failures, matrix, overview, synthetic, unpack


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


def records(tmp_path, recs, name="r.jsonl") -> list[Record]:
    with ResultWriter(tmp_path / name) as w:
        for r in recs:
            w.write(r)
    return read([tmp_path / name]).records


# ---------------------------------------------------------------- failure classes
@pytest.mark.parametrize(
    "kw, expected",
    [
        ({"status": "fail", "data": {"failure_class": "underflow"}}, "underflow"),  # named by the check
        ({"status": "fail", "data": {"failure_class": "no such class"}}, "wrong_value"),  # unknown: derived
        ({"status": "error", "message": "RuntimeError: derivative for x is not implemented"}, "unsupported"),
        ({"status": "error", "message": "TypeError: refuses create_graph=True"}, "unsupported"),
        ({"status": "fail", "message": "differs from the limit (ratio nan, max rel error nan)"}, "non_finite"),
        ({"status": "fail", "error_ratio": float("inf"), "message": "differs"}, "non_finite"),
        ({"status": "fail", "message": "the gradient underflows to 0: underflow"}, "underflow"),
        ({"status": "fail", "error_ratio": 3.0, "message": "information: differs from the oracle"}, "wrong_value"),
        ({"status": "error", "message": "RuntimeError: shapes differ"}, "wrong_value"),
    ],
)
def test_failure_class_named_or_derived(tmp_path, kw, expected):
    (r,) = records(tmp_path, [rec(**kw)])
    assert failures.failure_class(r) == expected


def test_groups_and_first_screen_counts_findings_and_heat(tmp_path):
    finding = {"reason": "nan second derivative", "link": "", "reproducer": "python -c 'repro()'"}
    upstream = {"reason": "known", "link": "https://github.com/pytorch/pytorch/issues/1"}
    recs = records(
        tmp_path,
        [
            rec(status="fail", error_ratio=5.0, data={"failure_class": "wrong_sign"}),
            rec(case="cos", status="fail", error_ratio=float("nan")),
            rec(case="tan", status="deviation", registry=finding, error_ratio=2.0),
            rec(case="exp", status="deviation", registry=upstream, replay="conformance run ..."),
            rec(case="log", family="reductions"),
            rec(
                case="log",
                family="reductions",
                api="autograd",
                status="skip",
                message="not provided in torch 2.13.0: torch.special.log",
            ),
            rec(
                framework="jax",
                framework_version="0.10.2",
                api="transforms",
                status="error",
                message="NotImplementedError: not implemented",
            ),
            rec(framework="jax", framework_version="0.9.1", api="transforms", status="fail", error_ratio=9.0),
        ],
    )
    groups = failures.groups(recs)
    # framework order from the adapters, versions in PEP 440 order; unregistered before registered
    assert [(g.framework, g.version, g.registered, g.cls, len(g.details)) for g in groups] == [
        ("torch", "2.13.0", False, "non_finite", 1),
        ("torch", "2.13.0", False, "wrong_sign", 1),
        ("torch", "2.13.0", True, "wrong_value", 2),
        ("jax", "0.9.1", False, "wrong_value", 1),
        ("jax", "0.10.2", False, "unsupported", 1),
    ]
    assert [d.anchor for d in failures.details(groups)] == [f"d{i}" for i in range(6)]
    assert all(g.start == int(g.details[0].anchor[1:]) for g in groups)
    o = overview.overview(recs, groups)
    assert [(r.framework, r.version, r.unregistered, r.registered) for r in o.rows] == [
        ("torch", "2.13.0", 2, 2),
        ("jax", "0.9.1", 1, 0),
        ("jax", "0.10.2", 1, 0),
    ]
    keys = [k for k, _, _ in o.classes]
    unreg, reg = o.rows[0].cells[keys.index("wrong_value")]
    assert unreg is None and reg is groups[2]  # each count links to its group
    (f,) = o.findings  # the deviation without an upstream link
    assert f.detail.record.case == "tan" and f.reproducer == "python -c 'repro()'" and f.reason == finding["reason"]
    assert (f.records, f.where) == (1, ["torch 2.13.0"])
    h = o.heat  # newest version of each framework
    assert h.versions == {"torch": "2.13.0", "jax": "0.10.2"}
    assert h.families == ["elementwise", "reductions"]
    assert h.columns == ["torch[autograd]", "torch[func]", "jax[transforms]"]
    el = dict(zip(h.columns, h.cells[0]))
    assert el["torch[func]"].status == "fail" and el["torch[autograd]"] is None
    assert el["jax[transforms]"].status == "error"
    red = dict(zip(h.columns, h.cells[1]))
    assert red["torch[autograd]"].status == "na" and red["torch[func]"].status == "pass"


def test_a_finding_is_one_registry_entry_however_many_records_it_matched(tmp_path):
    entry = {"reason": "refuses nesting", "link": "", "source": "edges.toml:20"}
    recs = records(
        tmp_path,
        [
            rec(status="deviation", registry=entry, case=c, framework_version=v, replay=f"run {c}")
            for c, v in (("a", "2.13.0"), ("b", "2.13.0"), ("a", "2.12.1"))
        ],
    )
    (f,) = overview.findings(failures.groups(recs))
    assert (f.records, f.where, f.reproducer) == (3, ["torch 2.12.1", "torch 2.13.0"], "run a")


def test_matrix_folds_by_family_and_marks_not_applicable(tmp_path):
    recs = records(
        tmp_path,
        [
            rec(case="a", status="fail", error_ratio=2.0),
            rec(case="a", check="jvp"),
            rec(case="b", family="linalg"),
            rec(
                case="b",
                family="linalg",
                api="autograd",
                status="skip",
                message="this is the default variant that the others are compared with",
            ),
        ],
    )
    m = matrix.matrix(recs, {})
    assert [(f.family, f.anchor, f.status, f.not_passing, [r.case for r in f.rows]) for f in m.families] == [
        ("elementwise", "fam-elementwise", "fail", 1, ["a"]),
        ("linalg", "fam-linalg", "pass", 0, ["b"]),
    ]
    cols = [c.short for c in m.columns]
    b = dict(zip(cols, m.families[1].rows[0].cells))
    assert b["torch[autograd]"].status == "na" and "default variant" in b["torch[autograd]"].tip
    assert m.families[0].cells[cols.index("torch[func]")].share_text == "50%"


def test_coverage_lists_not_provided_and_not_covered(tmp_path):
    recs = records(
        tmp_path,
        [
            rec(case="i0"),
            rec(
                case="i0",
                framework="jax",
                framework_version="0.10.2",
                api="transforms",
                status="skip",
                message="not provided in jax 0.10.2: jax.scipy.special.i0 (AttributeError)",
            ),
            rec(case="erf"),
            rec(
                case="erf",
                framework="jax",
                framework_version="0.10.2",
                api="transforms",
                status="skip",
                message="jax has no float128",
            ),
            rec(kind="accuracy", case="i0", check="value", data={"max_ulp": 3.5}),
            rec(kind="accuracy", case="i0", check="value", dtype="float32", data={"max_ulp": 2e5}),
        ],
    )
    rows = {r.framework: r for r in coverage.coverage(recs)}
    assert rows["torch"].tested == ["elementwise/erf", "elementwise/i0"] and not rows["torch"].not_provided
    assert rows["jax"].tested == [] and rows["jax"].not_covered == ["elementwise/erf"]
    assert rows["jax"].not_provided == [
        ("elementwise/i0", "not provided in jax 0.10.2: jax.scipy.special.i0 (AttributeError)")
    ]
    maps = coverage.ulp_maps(recs)
    assert [(m.dtype, m.ops, m.columns, m.values) for m in maps] == [
        ("float32", ["elementwise/i0"], ["torch 2.13.0 [func]"], [[2e5]]),
        ("float64", ["elementwise/i0"], ["torch 2.13.0 [func]"], [[3.5]]),
    ]


# ---------------------------------------------------------------- the page
@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("results")
    synthetic.write_runs(
        d,
        cases=8,
        checks=3,
        frameworks=("numpy", "torch"),
        versions=2,
        bench_functions=1,
        sizes=2,
        adversarial=True,
        seed=3,
    )
    records(
        d,
        [
            rec(
                status="deviation",
                case="tan",
                registry={"reason": "found here", "link": "", "reproducer": "print(repro())"},
            )
        ],
        "finding.jsonl",
    )
    return build([d], d.parent / "index.html", warn=None).read_text(encoding="utf-8")


def test_first_screen_comes_first_with_findings_counts_and_heat_map(page):
    first = page.index('<section id="found"')
    assert first < page.index('<section id="summary"') < page.index('<section id="matrix"')
    found = page[first : page.index("</section>", first)]
    assert 'id="findings"' in found and 'id="found-table"' in found and '<svg class="grid"' in found
    links = re.findall(r'href="#(g\d+)"', found)
    assert links and all(re.search(rf'<details class="group[^"]*" id="{g}"', page) for g in links)
    assert "print(repro())" in found and "found here" in found  # the finding, with its reproducer
    assert "not recorded upstream" in unpack(page)


def test_per_record_detail_is_packed_and_escaped(page):
    assert page.count('class="item detail') == 0  # no detail outside the packed parts
    inner = unpack(page)
    assert inner.count('class="item detail') > 0 and "<script>" not in inner and "&lt;script&gt;" in inner
    assert 'id="checks-table"' in inner and 'id="checks-table"' not in page


def test_bad_input_is_one_note_each_and_the_rest_renders(tmp_path):
    d = tmp_path / "in"
    synthetic.write_runs(d, cases=3, checks=2, frameworks=("numpy",), benchmarks=False, seed=4)
    with ResultWriter(d / "mx.jsonl") as w:  # a framework this installation does not know
        for case in ("sin", "cos"):
            w.write(rec(framework="mxnet", framework_version="1.9", api="default", case=case))
    (d / "newer.jsonl").write_text(
        json.dumps({"schema_version": 99, "kind": "run", "run_id": "x", "environment": {}}) + "\n"
    )
    lines = [json.dumps({"schema_version": 1, "kind": "future_kind", "framework": "torch"})] * 40
    (d / "mixed.jsonl").write_text(next(iter((d / "mx.jsonl").read_text().splitlines(True))) + "\n".join(lines))
    notes: list[str] = []
    html = build([d], tmp_path / "index.html", warn=notes.append).read_text(encoding="utf-8")
    assert len([n for n in notes if "mxnet" in n]) == 1 and "no adapter" in next(n for n in notes if "mxnet" in n)
    for name, says in (("newer.jsonl", "newer than this reader"), ("mixed.jsonl", "and 39 more lines like it")):
        (note,) = [n for n in notes if name in n]
        assert says in note, note
    assert all("\n" not in n for n in notes)
    assert "mxnet[default]" in html and "numpy[richardson]" in html  # nothing already read is lost
    assert f"{len(notes)} input notes" in html
