"""Compare two sets of result records: the same tasks, the same verdicts?

    python .ci/compare_records.py BEFORE_DIR AFTER_DIR [--rename old=new ...]

A task is (framework, api, device, dtype, family, case, check, point); the verdict is its status.
Prints the tasks only one side has, and every task whose status changed (with both messages), then
one line of counts. Exit 1 when a shared task's status changed. Used to show that a refactor left
the records of a ci run unchanged (issue 17).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def load(folder: str, rename: dict[str, str]) -> dict[tuple, dict]:
    out = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if "case" not in r or r.get("kind") == "header" or r.get("framework") == "all":
                continue
            case = rename.get(r["case"], r["case"])
            key = (
                r["framework"],
                r.get("api"),
                r.get("device"),
                r.get("dtype"),
                r.get("family"),
                case,
                r.get("check"),
                r.get("point"),
            )
            out[key] = r
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--rename", action="append", default=[], help="old=new: a case renamed in between")
    a = p.parse_args(argv)
    rename = dict(s.split("=", 1) for s in a.rename)
    before, after = load(a.before, rename), load(a.after, {})
    shared = before.keys() & after.keys()
    changed = [k for k in sorted(shared, key=str) if before[k]["status"] != after[k]["status"]]
    for k in sorted(before.keys() - after.keys(), key=str):
        print("only before:", k)
    only_after = Counter(k[5] for k in after.keys() - before.keys())
    for case, n in sorted(only_after.items()):
        print(f"only after: case {case} ({n} records)")
    for k in changed:
        print("changed:", k, before[k]["status"], "->", after[k]["status"])
        print("   before:", (before[k].get("message") or "")[:200])
        print("   after: ", (after[k].get("message") or "")[:200])
    print(
        f"{len(shared)} shared tasks, {len(changed)} changed status; {len(before) - len(shared)} only "
        f"before, {len(after) - len(shared)} only after"
    )
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
