"""Charts as inline SVG, drawn with matplotlib's SVG backend (no network, no fonts fetched).

Text is written as SVG ``<text>`` in the browser's system sans-serif (``svg.fonttype = none``), which
keeps the page small; matplotlib's SVG writer escapes ``&``, ``<``, ``>`` and quotes in every string
it writes, and every record string passes through ``plain()`` (a ``$`` becomes a literal dollar,
never mathtext). Element ids are prefixed per chart so that many SVGs can live in one HTML
document; coordinates are rounded to 0.1 pt and unreferenced ids dropped to keep pages small.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from conformance import adapters

_counter = itertools.count()

RC = {
    "svg.fonttype": "none",  # text stays text: system fonts, small files
    "svg.hashsalt": "conformance",  # stable clip-path ids
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "sans-serif"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e6ea",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#8a9099",
    "legend.frameon": False,
    "legend.fontsize": 8,
}

# Frameworks whose adapter names no colour (``adapters.color``) take these, in order of appearance.
EXTRA_COLORS = ["#2a9d8f", "#8d6e63", "#3d5a80", "#b5838d", "#588157", "#9c6644", "#577590"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def _figure(width: float, height: float, layout: str | None = "constrained") -> Any:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasSVG(fig)
    return fig


def plain(text: Any) -> str:
    """A record string as matplotlib text that is drawn literally (no mathtext)."""
    return str(text).replace("$", r"\$")


_NUM = re.compile(r"-?\d+\.\d+")


def _round_attr(m: re.Match) -> str:
    return m.group(1) + _NUM.sub(lambda n: f"{float(n.group(0)):.1f}".rstrip("0").rstrip("."), m.group(2)) + '"'


_MARKER_GROUP = re.compile(r'(<g clip-path="[^"]*")>((?:<use [^>]*/>)+)</g>')
_USE_STYLE = re.compile(r' style="([^"]*)"/>')


def _hoist_marker_styles(svg: str) -> str:
    """Markers come as a group of ``<use>`` elements that all repeat one style: put it on the group."""

    def one(m: re.Match) -> str:
        styles = set(_USE_STYLE.findall(m.group(2)))
        if len(styles) != 1:
            return m.group(0)
        return f'{m.group(1)} style="{styles.pop()}">{_USE_STYLE.sub("/>", m.group(2))}</g>'

    return _MARKER_GROUP.sub(one, svg)


def _to_svg(fig: Any, title: str = "") -> Markup:
    """Serialize a figure to an inline ``<svg>`` (no XML prolog or metadata, ids made unique and
    only kept where referenced, coordinates rounded, scalable)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>|<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r'(\s(?:d|x|y|x1|x2|y1|y2|transform|points)=")([^"]*)"', _round_attr, svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = re.sub(r"\s*\n\s*", " ", svg)
    svg = _hoist_marker_styles(svg)
    svg = svg.replace("xlink:href=", "href=")
    used = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    svg = re.sub(r'\sid="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    prefix = f"c{next(_counter)}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    # Scale with the page: drop the fixed pt size, keep the viewBox.
    svg = re.sub(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    from markupsafe import escape

    label = escape(title)
    svg = svg.replace("<svg", f'<svg class="chart" role="img" aria-label="{label}"', 1)
    return Markup(svg)


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(RC)


class Styler:
    """Colour by framework (the text before '['; its adapter's colour, else the next of
    EXTRA_COLORS), a lighter shade for each further API variant,
    dashed for compiled mode; a marker (by variant) at each measured point."""

    def __init__(self, markers: bool = True, markersize: float = 3.5) -> None:
        self._extra: dict[str, str] = {}
        self._apis: dict[str, list[str]] = {}
        self.markers = markers
        self.markersize = markersize

    def __call__(self, label: str) -> dict:
        from matplotlib.colors import to_rgb

        fw = label.split("[", 1)[0].strip()
        color = adapters.color(fw) or self._extra.setdefault(fw, EXTRA_COLORS[len(self._extra) % len(EXTRA_COLORS)])
        api = label.split(" ", 1)[0]
        seen = self._apis.setdefault(fw, [])
        if api not in seen:
            seen.append(api)
        k = seen.index(api)
        mix = min(0.55, 0.4 * k)
        rgb = tuple(c + (1 - c) * mix for c in to_rgb(color))
        style = {"color": rgb, "linewidth": 1.4, "linestyle": (0, (4, 2)) if "compiled" in label else "-"}
        if self.markers:
            style.update(marker=MARKERS[k % len(MARKERS)], markersize=self.markersize)
        return style


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_formatter(minor: bool) -> Any:
    """Log-axis labels as plain text with Unicode superscripts (10⁻⁵, 2×10⁻⁶): one SVG text
    element per label instead of a mathtext glyph run."""
    from matplotlib.ticker import LogFormatter

    class PowerFormatter(LogFormatter):
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            e = math.floor(math.log10(x) + 1e-9)
            m = x / 10.0**e
            sup = str(e).translate(_SUPERSCRIPT)
            return f"10{sup}" if abs(m - 1) < 1e-6 else f"{m:.3g}×10{sup}"

    return PowerFormatter(labelOnlyBase=not minor)


def _log_axes(ax: Any, log_x: bool, log_y: bool) -> None:
    """Log scales; minor ticks are labelled only when an axis spans less than about a decade."""
    for on, axis, scale in ((log_x, ax.xaxis, ax.set_xscale), (log_y, ax.yaxis, ax.set_yscale)):
        if on:
            scale("log")
            axis.set_major_formatter(_power_formatter(minor=False))
            axis.set_minor_formatter(_power_formatter(minor=True))


def _numbers(values: Iterable[Any]) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(float("nan"))
        elif isinstance(v, (int, float)) or isinstance(v, str) and v in ("nan", "inf", "-inf"):
            out.append(float(v))
        else:
            out.append(float("nan"))
    return out


def line_chart(spec: dict) -> Markup | None:
    """A study chart from a record's ``data.chart`` ({title, x_label, y_label, log_x, log_y,
    series: [{label, x, y}]}); None when it holds no drawable series."""
    series = [s for s in spec.get("series") or [] if isinstance(s, dict)]
    pts = []
    for s in series:
        if not isinstance(s.get("x"), list) or not isinstance(s.get("y"), list):
            continue
        x, y = _numbers(s["x"]), _numbers(s["y"])
        n = min(len(x), len(y))
        pairs = [
            (a, b)
            for a, b in zip(x[:n], y[:n])
            if math.isfinite(a)
            and math.isfinite(b)
            and (not spec.get("log_x") or a > 0)
            and (not spec.get("log_y") or b > 0)
        ]
        if pairs:
            pts.append((str(s.get("label", "")), pairs))
    if not pts:
        return None
    title = str(spec.get("title", ""))
    with _rc():
        fig = _figure(6.4, 3.6)
        ax = fig.add_subplot()
        style = Styler()
        for label, pairs in pts:
            st = style(label) if "[" in label else {"marker": "o", "markersize": 3, "linewidth": 1.3}
            ax.plot([p[0] for p in pairs], [p[1] for p in pairs], label=plain(label), **st)
        _log_axes(ax, bool(spec.get("log_x")), bool(spec.get("log_y")))
        ax.set_title(plain(title))
        ax.set_xlabel(plain(spec.get("x_label", "")))
        ax.set_ylabel(plain(spec.get("y_label", "")))
        if len(pts) > 1 or pts[0][0]:
            ax.legend(loc="best", ncols=1 if len(pts) < 8 else 2)
        return _to_svg(fig, title)


def grid_chart(
    title: str,
    panels: dict[str, dict[str, list[tuple[float, float]]]],
    y_label: str,
    x_label: str = "n",
    bounds: dict[str, float] | None = None,
    log_y: bool = True,
) -> Markup | None:
    """Small multiples, one panel per operator (log n; log y unless ``log_y`` is false), one line
    per series; a dashed grey line at ``bounds[operator]`` when given (the cheap-gradient bound on
    derivative/primal time)."""
    from matplotlib.ticker import NullLocator

    panels = {k: v for k, v in panels.items() if any(v.values())}
    if not panels:
        return None
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    style = Styler(markers=True, markersize=2.5)
    n_series = len({lab for v in panels.values() for lab in v}) + (1 if bounds else 0)
    legend_h = 0.2 + 0.17 * math.ceil(n_series / min(4, max(n_series, 1)))
    # A fixed layout (computed here, in inches) instead of matplotlib's constrained layout, which
    # costs seconds per grid of log axes.
    width, panel_h, gap = 3.3 * ncols + 0.6, 2.3, 0.9
    height = panel_h * nrows + gap * (nrows - 1) + 0.75 + legend_h + 0.5
    with _rc():
        fig = _figure(width, height, layout=None)
        fig.subplots_adjust(
            left=0.75 / width,
            right=1 - 0.15 / width,
            top=1 - 0.75 / height,
            bottom=(legend_h + 0.5) / height,
            wspace=0.3,
            hspace=gap / panel_h,
        )
        axes = fig.subplots(nrows, ncols, squeeze=False)
        handles: dict[str, Any] = {}
        for ax, (op, series) in zip(axes.flat, panels.items()):
            for label, pts in series.items():
                (h,) = ax.plot([p[0] for p in pts], [p[1] for p in pts], **style(label))
                handles.setdefault(label, h)
            if bounds and op in bounds:
                b = bounds[op]
                hb = ax.axhline(b, color="#6b7280", linestyle=(0, (4, 3)), linewidth=1.0)
                handles.setdefault(f"bound ({b:g}×)", hb)
            _log_axes(ax, True, log_y)
            ax.xaxis.set_minor_locator(NullLocator())  # n in decades; minor ticks only add bytes
            if not log_y:
                ax.set_ylim(bottom=0)
            ax.set_title(plain(op))
            ax.set_xlabel(plain(x_label))
            ax.set_ylabel(plain(y_label))
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
        fig.suptitle(plain(title), fontsize=11, y=1 - 0.2 / height)
        fig.legend(
            list(handles.values()),
            [plain(k) for k in handles],
            loc="lower center",
            bbox_to_anchor=(0.5, 0.1 / height),
            ncols=min(4, len(handles)),
        )
        return _to_svg(fig, title)


def heatmap(title: str, labels: list[str], values: list[list[float | None]]) -> Markup:
    """A symmetric matrix of relative differences on a log colour scale (1e-16 … 1); ``inf``
    (one side non-finite or shapes differ) in the top colour, no shared probe in grey."""
    import numpy as np
    from matplotlib.colors import LogNorm

    n = len(labels)
    lo, hi = 1e-16, 1.0
    arr = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            v = values[i][j]
            if v is not None and not math.isnan(v):
                arr[i, j] = min(max(v, lo), hi)
    size = max(3.0, 0.42 * n + 1.2)
    with _rc():
        fig = _figure(size + 3.4, size)
        ax = fig.add_subplot()
        ax.grid(False)
        cmap = _cmap()
        im = ax.imshow(np.ma.masked_invalid(arr), cmap=cmap, norm=LogNorm(lo, hi))
        ax.set_xticks(range(n), [str(i + 1) for i in range(n)])
        ax.set_yticks(range(n), [f"{plain(x)}  ({i + 1})" for i, x in enumerate(labels)])
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.set_title(plain(title))
        if n <= 16:
            for i in range(n):
                for j in range(n):
                    v = values[i][j]
                    if i == j:
                        continue
                    text = (
                        "–"
                        if v is None
                        else ("nan" if math.isnan(v) else "inf" if math.isinf(v) else "0" if v == 0 else f"{v:.0e}")
                    )
                    dark = v is not None and not math.isnan(v) and (v >= 1e-6)
                    ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "#1f2933")
        cb = fig.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label("max relative difference")
        return _to_svg(fig, title)


def _cmap() -> Any:
    import matplotlib

    return matplotlib.colormaps["YlOrRd"].with_extremes(bad="#eef0f3")


# ---------------------------------------------------------------- grids drawn by hand
STATUS_FILL = {
    "pass": ("#cdebd8", "#1e6641"),
    "deviation": ("#ffe08a", "#6b4a00"),
    "fail": ("#f6a5a5", "#8c1d1d"),
    "error": ("#d9bdf5", "#4c1d80"),
    "skip": ("#e6e9ee", "#5f6b7a"),
    "na": ("#f4f5f7", "#9aa3ae"),
}
ULP_BANDS = (
    (1.0, "#cdebd8", "≤ 1"),
    (4.0, "#e6f4c7", "≤ 4"),
    (16.0, "#ffe08a", "≤ 16"),
    (1024.0, "#f8c27a", "≤ 1024"),
    (math.inf, "#f6a5a5", "> 1024"),
)


class GridCell:
    """One cell of a hand-drawn grid: its fill, its text (and the text's colour), a tooltip and a link."""

    __slots__ = ("fill", "ink", "text", "tip", "href")

    def __init__(self, fill: str, text: str = "", tip: str = "", href: str = "", ink: str = "#1f2933"):
        self.fill, self.ink, self.text, self.tip, self.href = fill, ink, text, tip, href


def status_cell(status: str, text: str, tip: str = "", href: str = "") -> GridCell:
    fill, ink = STATUS_FILL.get(status, STATUS_FILL["skip"])
    return GridCell(fill, text, tip, href, ink)


def ulp_cell(ulp: float | None, tip: str) -> GridCell | None:
    if ulp is None:
        return None
    fill = next(f for bound, f, _ in ULP_BANDS if ulp <= bound)
    return GridCell(fill, "", f"{tip}: {ulp:.3g} ULP")


def grid_svg(
    title: str,
    rows: list[str],
    cols: list[str],
    cells: list[list[GridCell | None]],
    *,
    cell_w: int = 66,
    cell_h: int = 22,
    legend: list[tuple[str, str]] | None = None,
    row_href: list[str] | None = None,
) -> Markup:
    """A table of coloured cells as inline SVG: row labels left, column labels slanted on top, each
    cell a rectangle with its text, a tooltip and (optionally) a link; a legend of (fill, label)
    below. Every string is escaped; nothing is drawn by matplotlib, so the SVG stays small."""
    from markupsafe import escape

    char = 6.6  # px per character at font-size 12
    left = int(12 + char * max((len(r) for r in rows), default=4))
    top = int(16 + 0.62 * char * max((len(c) for c in cols), default=4))
    width = left + cell_w * len(cols) + 14 + int(0.6 * char * max((len(c) for c in cols[-1:]), default=0))
    width = max(width, 8 + sum(28 + int(char * len(text)) for _, text in legend or ()))
    height = top + cell_h * len(rows) + (30 if legend else 8)
    out = [
        f'<svg class="grid" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:{width}px" font-size="12" '
        'font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for j, c in enumerate(cols):
        x = left + cell_w * j + cell_w / 2
        out.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-38)">{escape(c)}</text>')
    for i, r in enumerate(rows):
        y = top + cell_h * i
        label = f'<text x="{left - 8}" y="{y + cell_h / 2 + 4:.0f}" text-anchor="end">{escape(r)}</text>'
        out.append(f'<a href="#{escape(row_href[i])}">{label}</a>' if row_href else label)
        for j, c in enumerate(cells[i]):
            if c is None:
                continue
            x = left + cell_w * j
            body = (
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3" '
                f'fill="{c.fill}"><title>{escape(c.tip)}</title></rect>'
            )
            if c.text:
                body += (
                    f'<text x="{x + cell_w / 2:.0f}" y="{y + cell_h / 2 + 4:.0f}" text-anchor="middle" '
                    f'fill="{c.ink}">{escape(c.text)}</text>'
                )
            out.append(f'<a href="#{escape(c.href)}">{body}</a>' if c.href else body)
    if legend:
        x, y = 8, top + cell_h * len(rows) + 12
        for fill, text in legend:
            out.append(
                f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{fill}"/>'
                f'<text x="{x + 16}" y="{y + 10}">{escape(text)}</text>'
            )
            x += 28 + int(char * len(text))
    out.append("</svg>")
    return Markup("".join(out))
