"""``conformance list``: every adapter found, with version, API variants and devices; for those
missing, why and how to install them; for those broken (an adapter package that fails to import,
an entry point naming a missing object), the one-line cause."""

from __future__ import annotations

import argparse

from conformance import adapters

HELP = "list the framework adapters found, their versions, API variants and devices"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def describe() -> list[dict]:
    rows = []
    broken = adapters.broken()
    for name in adapters.names():
        if name in broken:
            rows.append({"name": name, "available": False, "broken": True, "reason": broken[name],
                         "entry_point": adapters.registry()[name]})
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
        if not r["available"] and not r.get("broken"):
            print(f"{r['name']:<12} {'missing':<14} {r['reason']}\n{'':<12} install: {r['install']}")
    for r in rows:
        if r.get("broken"):
            print(f"{r['name']:<12} {'broken':<14} {r['reason']}\n{'':<12} entry point: {r['entry_point']}")
    return 0
