"""``conformance report``: merge results files into one self-contained HTML page."""

from __future__ import annotations

import argparse
import sys

from conformance.errors import ConformanceError
from conformance.report import DEFAULT_INPUT, DEFAULT_OUTPUT, build

HELP = "merge results files (default reports/results/) into one self-contained HTML report"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        metavar="FILE_OR_DIR",
        help=f"results files (*.jsonl) or directories holding them (default {DEFAULT_INPUT}/)",
    )
    p.add_argument(
        "-o",
        "--output",
        default=str(DEFAULT_OUTPUT),
        metavar="HTML",
        help=f"where to write the page (default {DEFAULT_OUTPUT})",
    )
    p.add_argument(
        "--timing", action="store_true", help="also print the page's size and its render time in headless Chromium"
    )


def main(args: argparse.Namespace) -> int:
    out = build(args.paths or [DEFAULT_INPUT], args.output)
    size = out.stat().st_size
    print(f"report: {out} ({size / 1e6:.2f} MB)")
    if args.timing:
        from conformance.report import browser

        why = browser.missing()
        if why:
            raise ConformanceError(f"--timing needs headless Chromium: {why}")
        t = browser.render_time(out)
        fcp = t["first_contentful_paint_ms"]
        print(f"size: {size} bytes ({size / 2**20:.2f} MiB)")
        print(
            f"headless Chromium, file://, median of {t['repeats']} loads: DOMContentLoaded "
            f"{t['dom_content_loaded_ms']:.0f} ms, load {t['load_ms']:.0f} ms"
            + (f", first contentful paint {fcp:.0f} ms" if fcp is not None else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(argparse.Namespace(paths=sys.argv[1:], output=str(DEFAULT_OUTPUT), timing=False)))
