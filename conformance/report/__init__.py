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
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from markupsafe import Markup

from conformance.advanced import TOPICS
from conformance.errors import ConformanceError
from conformance.records import STATUSES, RecordSet, iter_result_files, read

__all__ = ["NoResults", "build", "render", "unpack"]

HERE = Path(__file__).parent
DEFAULT_INPUT = Path("reports/results")
DEFAULT_OUTPUT = Path("reports/index.html")
SECTIONS = (
    ("found", "Found"),
    ("summary", "Summary"),
    ("matrix", "Matrix"),
    ("coverage", "Coverage"),
    ("details", "Failures"),
    ("agreement", "Agreement"),
    ("conventions", "Conventions"),
    ("integrals", "Integrals"),
    ("optimizers", "Optimizers"),
    ("advanced", "Advanced calculus"),
    ("studies", "Studies"),
    ("benchmarks", "Benchmarks"),
    ("versions", "Version diff"),
    ("environment", "Environment"),
)


class NoResults(ConformanceError):
    """No readable result records in the given paths."""


def _warn_stderr(msg: str) -> None:
    print(f"conformance report: warning: {msg}", file=sys.stderr)


def build(
    paths: Iterable[str | Path] | str | Path | None,
    out: str | Path = DEFAULT_OUTPUT,
    *,
    warn: Callable[[str], None] | None = _warn_stderr,
) -> Path:
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
        raise NoResults(
            f"no results files (*.jsonl) in {where}{extra}; run `conformance run` first, "
            f"or pass the files or directories to merge"
        )
    rs = read(files)
    for m in missing:
        rs.warnings.append(f"{m}: does not exist; skipped")
    rs.warnings.extend(_unknown_frameworks(rs))
    from conformance.scheduler import missing_shards  # a sharded run's shards whose files are absent

    rs.warnings.extend(missing_shards(rs.runs))
    if warn is not None:
        for w in rs.warnings:
            warn(w)
    if not rs.records:
        raise NoResults(
            f"none of the {len(files)} results file(s) holds a readable record "
            f"({len(rs.warnings)} warning(s) above); no report written"
        )
    html = render(rs, sessions=_sessions(paths, rs))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out


def _unknown_frameworks(rs: RecordSet) -> list[str]:
    """A note per framework whose records the installed code has no adapter for: they are shown as
    recorded, after the known frameworks."""
    from conformance import adapters

    known = set(adapters.names())
    counts: dict[str, int] = {}
    for r in rs.records:
        if r.framework not in known:
            counts[r.framework] = counts.get(r.framework, 0) + 1
    return [
        f"{fw!r}: {n} record{'s' if n != 1 else ''} of a framework this installation has no adapter for; "
        f"shown as recorded, after the known frameworks"
        for fw, n in sorted(counts.items())
    ]


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
            if (
                prev is None
                or (prev["status"] == "not run" and r["status"] != "not run")
                or (prev["missing"] and not r["missing"])
            ):
                rows[r["session"]] = r
    present = {(r.framework, r.framework_version.split("+")[0]) for r in rs.records}
    for r in rows.values():
        r["has_records"] = (str(r["framework"]), str(r["version"])) in present
    return list(rows.values())


def _jinja():
    import jinja2

    from conformance.report import formatting

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ratio"] = formatting.fmt_ratio
    env.filters["num"] = formatting.fmt_num
    env.filters["seconds"] = formatting.fmt_seconds
    env.filters["json"] = formatting.compact_json
    env.filters["link"] = formatting.safe_link
    env.filters["packed"] = packed
    return env


def render(rs: RecordSet, sessions: list[dict] | None = None) -> str:
    """The report page for a set of records (and the version matrix's session rows), as HTML."""
    from conformance.report import (
        agreement,
        benchmarks,
        charts,
        conventions,
        coverage,
        environment,
        failures,
        matrix,
        overview,
        studies,
        summary,
        versions,
    )

    recs = rs.records
    groups = failures.groups(recs)
    anchors = {id(d.record): d.anchor for d in failures.details(groups)}
    found = overview.overview(recs, groups)
    agree = agreement.agreement(recs)
    bench = benchmarks.benchmarks(recs)
    study = studies.studies(recs)
    heatmaps = [
        charts.heatmap(f"{a.quantity} at the probe input, {a.dtype}: max relative difference", a.labels, a.values)
        for a in agree
    ]
    bench_charts = [
        (
            charts.grid_chart(f"{g.family}/{g.case}: median time vs n", g.series, "median time (s)"),
            charts.grid_chart(
                f"{g.family}/{g.case}: derivative / primal time", g.ratios, "time ratio", bounds=g.bounds, log_y=False
            ),
        )
        for g in bench
    ]
    study_charts = {
        fam: [charts.line_chart(s.chart) if s.chart else None for s in items] for fam, items in study.items()
    }
    ulp = [(m, _ulp_svg(m), _ulp_top(m)) for m in coverage.ulp_maps(recs)]
    css = (HERE / "templates" / "report.css").read_text(encoding="utf-8")
    js = (HERE / "templates" / "report.js").read_text(encoding="utf-8")
    if "</script" in js.lower():
        raise ValueError("report.js must not contain '</script'")
    js_hash = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode()
    own_sections = ("integrals", "optimizers", *TOPICS)
    fams = studies.family_checks(recs, own_sections)
    other_studies = {k: v for k, v in study.items() if k not in own_sections}
    return (
        _jinja()
        .get_template("report.html.j2")
        .render(
            generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            sections=SECTIONS,
            statuses=STATUSES,
            summary=summary.summarize(rs),
            warnings=rs.warnings,
            overview=found,
            heat_svg=_heat_svg(found.heat),
            matrix=matrix.matrix(recs, anchors),
            groups=groups,
            detail_count=len(anchors),
            coverage=coverage.coverage(recs),
            ulp=ulp,
            agreement=list(zip(agree, heatmaps)),
            conventions=conventions.conventions(recs),
            bench=list(zip(bench, bench_charts)),
            studies=study,
            study_charts=study_charts,
            other_studies=other_studies,
            family_checks=fams,
            advanced_topics=list(TOPICS.items()),
            superseded=benchmarks.superseded_benchmarks(recs),
            diffs=versions.version_diffs(recs),
            environment=environment.environment(rs),
            sessions=sessions or [],
            ratio_factor=versions.RATIO_FACTOR,
            ratio_floor=versions.RATIO_FLOOR,
            time_factor=versions.TIME_FACTOR,
            css=Markup(css),
            js=Markup(js),
            js_hash=js_hash,
        )
    )


def packed(html: str, auto: bool = False) -> Markup:
    """Part of the page (our own rendered, escaped HTML) compressed with zlib into a placeholder
    that the page's script unfolds when it is opened (``auto``: when it scrolls near the window);
    without the script the placeholder says so."""
    data = base64.b64encode(zlib.compress(str(html).encode("utf-8"), 9)).decode("ascii")
    return Markup(
        f'<div class="packed{" auto" if auto else ""}" data-z="{data}"><p class="empty nojs">'
        f"This part unfolds with JavaScript on.</p></div>"
    )


def unpack(html: str) -> str:
    """The packed parts of a page, unpacked and joined (what the script would unfold)."""
    import re

    return "".join(zlib.decompress(base64.b64decode(z)).decode("utf-8") for z in re.findall(r'data-z="([^"]+)"', html))


def _heat_svg(heat) -> Markup:
    """The first screen's family × framework[api] heat map: a cell's colour is its worst status, its
    text the largest error ratio ("—" where nothing applies); a cell opens its family in the matrix."""
    from conformance.report import charts
    from conformance.report.formatting import family_anchor, fmt_compact

    def one(fam: str, col: str, c) -> charts.GridCell | None:
        if c is None:
            return None
        text = "—" if c.status == "na" else fmt_compact(c.ratio) or c.status
        return charts.status_cell(c.status, text, f"{fam} · {col}: {c.tip}", family_anchor(fam))

    cells = [[one(fam, col, c) for c, col in zip(row, heat.columns)] for fam, row in zip(heat.families, heat.cells)]
    legend = [(charts.STATUS_FILL[s][0], s) for s in ("pass", "deviation", "fail", "error")]
    return charts.grid_svg(
        "worst status and largest error / tolerance per family and framework[api]",
        heat.families,
        heat.columns,
        cells,
        cell_w=54,
        legend=legend + [(charts.STATUS_FILL["na"][0], "— not applicable")],
        row_href=[family_anchor(f) for f in heat.families],
    )


def _ulp_svg(m) -> Markup:
    from conformance.report import charts

    cells = [
        [charts.ulp_cell(v, f"{op} · {col}") for v, col in zip(row, m.columns)] for op, row in zip(m.ops, m.values)
    ]
    marked = set(getattr(m, "normwise", ()))  # measured in ULPs of ‖exact‖∞ (accuracy_arrays)
    return charts.grid_svg(
        f"largest error in ULPs, {m.dtype}",
        [f"{op} ‖·‖∞" if op in marked else op for op in m.ops],
        m.columns,
        cells,
        cell_w=40,
        cell_h=14,
        legend=[(fill, label + " ULP") for _, fill, label in charts.ULP_BANDS],
    )


def _ulp_top(m, n: int = 5) -> list[tuple[float, str, str]]:
    """The n largest ULP errors of a map: (ULP, op, column)."""
    vals = [(v, op, col) for op, row in zip(m.ops, m.values) for v, col in zip(row, m.columns) if v is not None]
    return sorted(vals, key=lambda t: -t[0])[:n]
