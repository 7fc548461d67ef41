"""Measured cost of each work unit, so that shards and worker queues are balanced by what a unit took.

A unit is (framework, family, case): every check, variant and dtype of one case in one framework,
the piece ``conformance run`` hands to a worker and ``--shard K/N`` assigns to a machine. Its cost in a
plan is

    measured   n · s̄(unit)                 s̄: mean seconds per record of the unit in the measured run,
                                           n: the unit's records in this plan (rotation changes n)
    otherwise  c · Σ task.cost · relative_cost      (the estimate: a new case, another framework)

with c = Σ measured / Σ estimate over the plan's measured units, so both are in seconds and a case
the table has not seen yet is costed like its estimate says, relative to the measured ones. The
table (``unit_costs.json`` beside this module, shipped with the package so that every shard job of
one CI run computes the same split) is written from a run's records:

    python -m conformance.unit_costs reports/results/<run records>.jsonl ...   # or a folder of them

A missing or unreadable table means estimates only (the split stays deterministic either way).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

FILE = Path(__file__).with_name("unit_costs.json")
SCHEMA = 1


def unit_key(framework: str, family: str, case: str) -> str:
    return f"{framework}/{family}/{case}"


@lru_cache(maxsize=4)
def load(path: Path = FILE) -> dict[str, float]:
    """unit key -> measured mean seconds per record; {} when the table is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        table = data["seconds_per_record"] if data.get("schema") == SCHEMA else {}
        return {str(k): float(v) for k, v in table.items() if float(v) >= 0}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def costed(units: Iterable[tuple[tuple[str, str, str], int, float]], table: dict[str, float]) -> list[float]:
    """For (unit, records in this plan, estimated cost) triples: each unit's cost in seconds, measured
    where the table has it, else the estimate calibrated on the measured units (see the module doc)."""
    units = list(units)
    measured = [(table.get(unit_key(*u)), n, est) for u, n, est in units]
    known_s = sum(s * n for s, n, _ in measured if s is not None)
    known_est = sum(est for s, _, est in measured if s is not None)
    scale = known_s / known_est if known_s > 0 and known_est > 0 else 1.0
    return [s * n if s is not None else est * scale for s, n, est in measured]


def from_records(records: Iterable[Any]) -> dict[str, float]:
    """unit key -> mean seconds per record of the unit (a skip, which has no duration, counts 0 s: the
    plan's record count of a unit includes its skips)."""
    total: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for r in records:
        get = r.get if isinstance(r, dict) else lambda k, r=r: getattr(r, k, None)
        if get("family") is None or get("framework") is None:
            continue
        t = total[unit_key(get("framework"), get("family"), get("case"))]
        t[0] += float(get("duration_s") or 0.0)
        t[1] += 1
    return {k: round(s / n, 5) for k, (s, n) in sorted(total.items()) if n}


def write(paths: list[str], out: Path = FILE) -> dict[str, Any]:
    from conformance.records import read

    found = read([Path(p) for p in paths])
    table = from_records(found.records)
    frameworks = sorted({k.split("/", 1)[0] for k in table})
    data = {
        "schema": SCHEMA,
        "note": f"mean seconds per record of each (framework/family/case), from {len(found.records)} records "
        f"of {', '.join(frameworks)}; written by `python -m conformance.unit_costs <records>`",
        "seconds_per_record": table,
    }
    Path(out).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    load.cache_clear()
    return data


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m conformance.unit_costs <records .jsonl or folder> ...")
    d = write(sys.argv[1:])
    print(f"wrote {FILE}: {len(d['seconds_per_record'])} units ({d['note']})")
