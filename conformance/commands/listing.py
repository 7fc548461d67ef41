"""``conformance list``: every adapter found, with version, API variants and devices, and for
those missing, why and how to install them."""

from __future__ import annotations

import argparse

from conformance import adapters

HELP = "list the framework adapters found, their versions, API variants and devices"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def describe() -> list[dict]:
    rows = []
    for name in adapters.names():
        a = adapters.get(name)
        ok = a.available()
        row = {"name": name, "available": bool(ok), "variants": list(a.variants)}
        if ok:
            row.update(version=a.version, devices=a.devices(), dtypes=list(a.dtypes))
        else:
            row.update(reason=ok.reason, install=ok.install)
        rows.append(row)
    return rows


def main(args: argparse.Namespace) -> int:
    rows = describe()
    if args.json:
        import json

        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'framework':<12} {'version':<14} {'API variants':<34} devices")
    for r in rows:
        if r["available"]:
            print(f"{r['name']:<12} {r['version']:<14} {', '.join(r['variants']):<34} "
                  f"{', '.join(r['devices'])}")
    for r in rows:
        if not r["available"]:
            print(f"{r['name']:<12} {'missing':<14} {r['reason']}\n{'':<12} install: {r['install']}")
    return 0
