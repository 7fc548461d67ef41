"""``conformance list``: every adapter found, with version, API variants and devices; for those
missing, why and how to install them; for those broken (an adapter package that fails to import,
an entry point naming a missing object), the one-line cause.

``conformance list --ops``: per framework and version, the public functions the op table exercises,
the rows not provided there, and how much of the framework's own list of differentiable functions
that covers (``conformance.coverage``)."""

from __future__ import annotations

import argparse

from conformance import adapters

HELP = "list the framework adapters found, their versions, API variants and devices"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--ops",
        action="store_true",
        help="the op table's public functions per framework: exercised, not provided, and "
        "coverage of the framework's own differentiable functions",
    )
    p.add_argument(
        "--framework",
        "-f",
        action="append",
        default=None,
        metavar="NAME",
        help="with --ops: only these frameworks (repeat)",
    )
    p.add_argument(
        "--no-reference",
        action="store_true",
        help="with --ops: skip the frameworks' own lists (torch's OpInfo import takes ~20 s)",
    )


def describe() -> list[dict]:
    rows = []
    broken = adapters.broken()
    for name in adapters.names():
        if name in broken:
            rows.append(
                {
                    "name": name,
                    "available": False,
                    "broken": True,
                    "reason": broken[name],
                    "entry_point": adapters.registry()[name],
                }
            )
            continue
        a = adapters.get(name)
        ok = a.available()
        row = {"name": name, "available": bool(ok), "variants": list(a.variants)}
        if ok:
            row.update(version=a.version, devices=a.devices(), dtypes=list(a.dtypes))
        else:
            row.update(reason=ok.reason, install=ok.install)
        rows.append(row)
    return rows


def _print_ops(rows: list[dict], verbose_lacking: int = 40) -> None:
    for r in rows:
        print(
            f"{r['framework']} {r['version']}: {r['distinct']} distinct public functions exercised "
            f"({len(r['exercised'])} names) by {r['rows'] - len(r['not_provided'])} of {r['rows']} rows"
        )
        print(f"  exercised: {', '.join(r['exercised'])}")
        if r["missing"]:
            print(f"  names missing in {r['version']}: {', '.join(r['missing'])}")
        print(f"  not provided ({len(r['not_provided'])} rows): {', '.join(r['not_provided'])}")
        ref = r.get("reference")
        if ref is None:
            continue
        if "why" in ref:
            print(f"  reference {ref['source']}: {ref['why']}")
            continue
        lacking = ref["lacking"]
        more = f" ... (+{len(lacking) - verbose_lacking})" if len(lacking) > verbose_lacking else ""
        print(f"  covers {len(ref['covered'])} of {ref['total']} differentiable functions in {ref['source']}")
        print(f"  lacking: {', '.join(lacking[:verbose_lacking])}{more}")


def main(args: argparse.Namespace) -> int:
    if getattr(args, "ops", False):
        from conformance import coverage

        rows = coverage.report(args.framework, with_reference=not args.no_reference)
        if args.json:
            import json

            print(json.dumps(rows, indent=2))
        else:
            _print_ops(rows)
        return 0
    rows = describe()
    if args.json:
        import json

        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'framework':<12} {'version':<14} {'API variants':<34} devices")
    for r in rows:
        if r["available"]:
            print(f"{r['name']:<12} {r['version']:<14} {', '.join(r['variants']):<34} {', '.join(r['devices'])}")
    for r in rows:
        if not r["available"] and not r.get("broken"):
            print(f"{r['name']:<12} {'missing':<14} {r['reason']}\n{'':<12} install: {r['install']}")
    for r in rows:
        if r.get("broken"):
            print(f"{r['name']:<12} {'broken':<14} {r['reason']}\n{'':<12} entry point: {r['entry_point']}")
    return 0
