"""The HTML comparison report: any number of results files merged into one self-contained page.

``build(paths, out) -> Path`` reads results files and directories (``conformance.records.read``:
a corrupt, truncated, foreign or too-old file becomes a one-line warning, printed to stderr, and
the rest renders), turns the records into each section's data (one module per section:
``summary``, ``matrix``, ``failures``, ``agreement``, ``conventions``, ``benchmarks``, ``studies``,
``versions``, ``environment``; ``formatting`` holds what they share), draws the charts as inline SVG
(``charts``) and renders ``templates/report.html.j2`` with jinja2 auto-escaping. The
page needs no network: styles, script and charts are inline, and a Content-Security-Policy lets
only the page's own script (by its sha256) run.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from conformance.errors import ConformanceError
from conformance.records import STATUSES, RecordSet, iter_result_files, read

__all__ = ["NoResults", "build", "render"]

HERE = Path(__file__).parent
DEFAULT_INPUT = Path("reports/results")
DEFAULT_OUTPUT = Path("reports/index.html")
SECTIONS = (("summary", "Summary"), ("matrix", "Conformance matrix"), ("details", "Failures and deviations"),
            ("agreement", "Agreement"), ("conventions", "Conventions"), ("integrals", "Integrals"),
            ("optimizers", "Optimizers"), ("studies", "Studies"), ("benchmarks", "Benchmarks"),
            ("versions", "Version diff"), ("environment", "Environment"))


class NoResults(ConformanceError):
    """No readable result records in the given paths."""


def _warn_stderr(msg: str) -> None:
    print(f"conformance report: warning: {msg}", file=sys.stderr)


def build(paths: Iterable[str | Path] | str | Path | None, out: str | Path = DEFAULT_OUTPUT, *,
          warn: Callable[[str], None] | None = _warn_stderr) -> Path:
    """Merge the results files under ``paths`` (files or directories; default reports/results/)
    into one HTML page at ``out``; return its path. Raises NoResults (nothing written) when no
    file holds a readable record."""
    if paths is None:
        paths = [DEFAULT_INPUT]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    files = [f for f in iter_result_files(p for p in paths if p.exists())]
    if not files:
        where = ", ".join(str(p) for p in paths)
        extra = f" ({', '.join(missing)} does not exist)" if missing else ""
        raise NoResults(f"no results files (*.jsonl) in {where}{extra}; run `conformance run` first, "
                        f"or pass the files or directories to merge")
    rs = read(files)
    for m in missing:
        rs.warnings.append(f"{m}: does not exist; skipped")
    if warn is not None:
        for w in rs.warnings:
            warn(w)
    if not rs.records:
        raise NoResults(f"none of the {len(files)} results file(s) holds a readable record "
                        f"({len(rs.warnings)} warning(s) above); no report written")
    html = render(rs, sessions=_sessions(paths, rs))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out


def _sessions(paths: list[Path], rs: RecordSet) -> list[dict]:
    """The version matrix's sessions (``conformance.matrix.session_summary``) when an input
    directory holds session status files (written by the nox sessions and CI jobs), merged over
    the directories: each session's status, and ``has_records`` — whether the merged records hold
    that framework version (a local version label such as ``+cpu`` ignored). Empty when none."""
    from conformance import matrix

    rows: dict[str, dict] = {}
    for p in paths:
        if not (p.is_dir() and matrix.read_statuses(p)):
            continue
        for r in matrix.session_summary(p):
            prev = rows.get(r["session"])
            if prev is None or (prev["status"] == "not run" and r["status"] != "not run") or \
                    (prev["missing"] and not r["missing"]):
                rows[r["session"]] = r
    present = {(r.framework, r.framework_version.split("+")[0]) for r in rs.records}
    for r in rows.values():
        r["has_records"] = (str(r["framework"]), str(r["version"])) in present
    return list(rows.values())


def _jinja():
    import jinja2

    from conformance.report import formatting

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["ratio"] = formatting.fmt_ratio
    env.filters["num"] = formatting.fmt_num
    env.filters["seconds"] = formatting.fmt_seconds
    env.filters["json"] = formatting.compact_json
    env.filters["link"] = formatting.safe_link
    return env


def render(rs: RecordSet, sessions: list[dict] | None = None) -> str:
    """The report page for a set of records (and the version matrix's session rows), as HTML."""
    from markupsafe import Markup

    from conformance.report import (
        agreement,
        benchmarks,
        charts,
        conventions,
        environment,
        failures,
        matrix,
        studies,
        summary,
        versions,
    )

    recs = rs.records
    detail = failures.details(recs)
    anchors = {id(d.record): d.anchor for d in detail}
    agree = agreement.agreement(recs)
    bench = benchmarks.benchmarks(recs)
    study = studies.studies(recs)
    heatmaps = [charts.heatmap(f"{a.quantity} at the probe input, {a.dtype}: max relative difference",
                               a.labels, a.values) for a in agree]
    bench_charts = [(charts.grid_chart(f"{g.family}/{g.case}: median time vs n", g.series, "median time (s)"),
                     charts.grid_chart(f"{g.family}/{g.case}: derivative / primal time", g.ratios,
                                       "time ratio", bounds=g.bounds, log_y=False))
                    for g in bench]
    study_charts = {fam: [charts.line_chart(s.chart) if s.chart else None for s in items]
                    for fam, items in study.items()}
    css = (HERE / "templates" / "report.css").read_text(encoding="utf-8")
    js = (HERE / "templates" / "report.js").read_text(encoding="utf-8")
    if "</script" in js.lower():
        raise ValueError("report.js must not contain '</script'")
    js_hash = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode()
    fams = studies.family_checks(recs, ("integrals", "optimizers"))
    other_studies = {k: v for k, v in study.items() if k not in ("integrals", "optimizers")}
    return _jinja().get_template("report.html.j2").render(
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        sections=SECTIONS, statuses=STATUSES, summary=summary.summarize(rs), warnings=rs.warnings,
        matrix=matrix.matrix(recs, anchors), details=detail,
        agreement=list(zip(agree, heatmaps)), conventions=conventions.conventions(recs),
        bench=list(zip(bench, bench_charts)), studies=study, study_charts=study_charts,
        other_studies=other_studies, family_checks=fams,
        superseded=benchmarks.superseded_benchmarks(recs), diffs=versions.version_diffs(recs),
        environment=environment.environment(rs), sessions=sessions or [],
        ratio_factor=versions.RATIO_FACTOR, ratio_floor=versions.RATIO_FLOOR, time_factor=versions.TIME_FACTOR,
        css=Markup(css), js=Markup(js), js_hash=js_hash,
    )
