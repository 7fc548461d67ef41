"""``conformance accuracy``: the accuracy tables (``conformance.accuracy``): each op table row's value
and derivatives in ULPs of the dtype against mpmath over a fixed grid, per framework, API variant and
dtype, written as kind "accuracy" records and printed one line per table — the unary and binary
elementwise rows (every partial derivative, ``conformance.accuracy_binary``) and the whole-array rows
(value and a fixed-cotangent VJP, ``conformance.accuracy_arrays``)."""

from __future__ import annotations

import argparse
import time

from conformance.errors import ConformanceError

HELP = "measure each op's value and derivative error in ULPs against mpmath over a fixed grid"


def configure(p: argparse.ArgumentParser) -> None:
    from conformance.accuracy import ARRAY_POINTS, DTYPES, POINTS

    p.add_argument(
        "--profile",
        choices=tuple(POINTS),
        default="ci",
        help="grid size per op and dtype (elementwise points / whole-array inputs): "
        + ", ".join(f"{k} {v}/{ARRAY_POINTS[k]}" for k, v in POINTS.items()),
    )
    p.add_argument("--points", type=int, default=None, help="grid size of every selected row (overrides the profile's)")
    p.add_argument(
        "--ops",
        default="",
        help="comma-separated glob patterns of op table rows (default: every row with an mpmath exact value or oracle)",
    )
    p.add_argument(
        "--framework",
        "-f",
        action="append",
        default=[],
        help="framework(s) (repeat or comma-separate); default: every installed one",
    )
    p.add_argument("--dtype", action="append", default=[], help=f"dtypes (default: {', '.join(DTYPES)})")
    p.add_argument(
        "--order",
        type=int,
        choices=(1, 2),
        default=None,
        help="highest derivative order measured (default: dev 1; ci 2 but for the special functions, 1; "
        "thorough 2; whole-array rows: the VJP, order 1, only)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="rotation seed of the ci profile: the (row, dtype) tables of share SEED mod 8, so that 8 "
        "consecutive seeds measure every table (default 0); --ops, --no-rotate and the other profiles "
        "measure every selected table",
    )
    p.add_argument("--no-rotate", action="store_true", help="measure every selected table in one run")
    p.add_argument("--grid-seed", type=int, default=0, help="grid seed (default 0: the fixed grid)")
    p.add_argument("--out", default="reports/results", help="directory for the results file")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the exact values' store and the compilation caches here (default: as conformance run's)",
    )
    p.add_argument("--no-cache", action="store_true", help="compute every exact value and compile everything afresh")


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def main(args: argparse.Namespace) -> int:
    from conformance import accuracy, adapters

    rows = accuracy.rows(_split([args.ops]))
    if not rows:
        raise ConformanceError(f"no op table row with an mpmath exact value or oracle matches {args.ops!r}")
    frameworks = _split(args.framework) or [n for n in adapters.names() if n != "numpy"]
    dtypes = tuple(_split(args.dtype)) or accuracy.DTYPES
    bad = [d for d in dtypes if d not in accuracy.DTYPES]
    if bad:
        raise ConformanceError(f"no accuracy tables for {bad[0]!r}; choose from {', '.join(accuracy.DTYPES)}")
    from conformance import rotation

    rotate = args.profile == "ci" and not args.ops and not args.no_rotate
    settings = accuracy.Settings.profile(
        args.profile,
        args.points,
        dtypes=dtypes,
        orders=None if args.order is None else tuple(range(1, args.order + 1)),
        seed=args.grid_seed,
        share=args.seed if rotate else None,
    )
    from conformance import scheduler

    # exact values kept across runs of the same source (conformance.oracle_cache), compiled programs too
    caches = scheduler.configure_caches(args)
    t0 = time.perf_counter()
    if rotate:
        tables = [(op, d) for op in rows for d in dtypes]
        mine = sum(settings.in_share(op, d) for op, d in tables)
        print(
            f"rotation: seed {args.seed} measures share {args.seed % rotation.ROTATION} of {rotation.ROTATION}, "
            f"{mine} of the {len(tables)} (row, dtype) tables; seeds {args.seed}..{args.seed + rotation.ROTATION - 1} "
            f"measure all (--no-rotate: all in one run)"
        )
    arrays = sum(1 for op in rows if accuracy.is_array(op))
    print(
        f"accuracy tables: {len(rows)} ops ({len(rows) - arrays} elementwise, {settings.points} points per op and "
        f"dtype; {arrays} whole-array, {settings.array_points} input arrays per op and dtype), "
        f"derivative orders {', '.join(map(str, settings.orders))}"
        f"{' (1 only for the ' + ', '.join(settings.first_only) + ' family)' if settings.first_only else ''}, "
        f"dtypes {', '.join(dtypes)}, frameworks {', '.join(frameworks)}; exact values "
        f"{caches['oracles']['exact']['state']}"
    )
    path = accuracy.run(frameworks, rows, settings, args.out)
    print(f"wall time {time.perf_counter() - t0:.0f} s; records: {path}")
    return 0
