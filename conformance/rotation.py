"""Rotation inside a profile: a seed runs every first-order check once and a fixed share of the rest.

Under a profile with ``rotate`` (the ci profile, the main job's default), each task of the derivative
and edge suites has a *slot*, a residue mod ``ROTATION`` fixed by its family, case and check. The run
with seed s keeps

    every task whose slot is s mod ROTATION, whole (every dtype, every API variant);
    of the other tasks, the first-order derivative checks (gradient, jvp, vjp) at their anchor
    only — the first dtype (float64) through each framework's default API variant;
    nothing else.

So seeds s, s+1, …, s+ROTATION−1 together run every combination the profile holds, and every run
checks every op's first derivatives in float64. ``share`` states what one run covers; the run header
and the report carry it. The accuracy tables rotate alike, by (op table row, dtype): ``accuracy_slot``. ``thorough`` does not rotate, and neither do the smaller suites (integrals,
optimizers, advanced, conventions).
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable
from typing import Any

ROTATION = 8  # seeds per period: one run costs about 0.6 of a period-4 run (issue 20: the main job under 10 min cold)
ROTATED_SUITES = ("derivatives", "edges")
FIRST_ORDER = ("gradient", "jvp", "vjp")


def slot(task: Any) -> int:
    """The seed residue (mod ROTATION) whose runs include ``task`` whole (the same in every process)."""
    return zlib.crc32(f"{task.family}/{task.case}/{task.check}".encode()) % ROTATION


def accuracy_slot(row: str, dtype: str) -> int:
    """The seed residue whose ci accuracy runs (``conformance accuracy --profile ci --seed s``) measure
    op table row ``row`` in ``dtype`` (its value and derivative tables in every framework and variant)."""
    return zlib.crc32(f"accuracy/{row}/{dtype}".encode()) % ROTATION


def thin(tasks: Iterable[Any], seed: int) -> list[Any]:
    """This seed's share of ``tasks`` (see the module docstring)."""
    out = []
    for t in tasks:
        if slot(t) == seed % ROTATION:
            out.append(t)
        elif t.check in FIRST_ORDER:
            out.append(dataclasses.replace(t, dtypes=t.dtypes[:1], per_variant=False))
    return out


def records(tasks: Iterable[Any], variants: int) -> int:
    """How many records ``tasks`` make for a framework with ``variants`` API variants."""
    return sum(len(t.dtypes) * (variants if t.per_variant else 1) for t in tasks)
