"""``conformance cache info|clear``: the caches ``conformance run`` keeps across runs: the compilation
caches (``conformance.cache``: one folder per framework version, project version, Python and machine)
and the store of oracle values (``conformance.oracle_cache``: one folder per source version)."""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance import cache

HELP = "show or clear the caches kept across runs (compiled programs, oracle values)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("info", "clear"), help="info: folders and sizes; clear: remove them")
    p.add_argument(
        "--cache-dir", metavar="DIR", help=f"the cache root (default ${cache.ENV} or the per-user cache folder)"
    )


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def main(args: argparse.Namespace) -> int:
    root = Path(args.cache_dir) if args.cache_dir else cache.default_root()
    if args.action == "clear":
        n, size = cache.clear(root)
        print(f"removed {n} cache folder{'s' if n != 1 else ''} ({_size(size)}) from {root}")
        return 0
    rows = cache.info(root)
    print(f"cache root: {root}{'' if root.is_dir() else ' (not created yet)'}")
    if rows:
        width = max(len(r["key"]) for r in rows)
        print(f"{'folder':<{width}}  {'entries':>8}  {'size':>9}")
        for r in rows:
            print(f"{r['key']:<{width}}  {r['files']:>8}  {_size(r['bytes']):>9}")
        print(f"{'total':<{width}}  {sum(r['files'] for r in rows):>8}  {_size(sum(r['bytes'] for r in rows)):>9}")
    return 0
