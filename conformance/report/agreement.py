"""Cross-framework agreement: heat maps of the largest relative difference between columns on the
canonical probes (``conformance.derivatives.agreement.pairwise``), per dtype and quantity."""

from __future__ import annotations

import math
from dataclasses import dataclass

from conformance.records import Record


@dataclass
class AgreementView:
    """One heat map: ``conformance.derivatives.agreement.pairwise`` for a dtype and quantity, with
    its largest off-diagonal differences listed (difference, column a, column b, case)."""

    dtype: str
    quantity: str
    labels: list[str]
    values: list[list[float | None]]
    worst: list[tuple[float, str, str, str]]


def agreement(records: list[Record]) -> list[AgreementView]:
    """Cross-framework agreement on the canonical probes (the ``probe`` check's records), per dtype,
    for the derivative and for f(x); only where at least two columns probed."""
    from conformance.derivatives.agreement import pairwise

    dtypes = sorted({r.dtype for r in records if r.kind == "check" and r.check == "probe" and r.probe})
    out = []
    for dtype in dtypes:
        for quantity in ("derivative", "value"):
            a = pairwise(records, dtype=dtype, quantity=quantity)
            if len(a.labels) < 2:
                continue
            n = len(a.labels)
            worst = [
                (a.matrix[i][j], a.labels[i], a.labels[j], a.worst.get((i, j), ""))
                for i in range(n)
                for j in range(i + 1, n)
                if a.matrix[i][j] is not None and a.matrix[i][j] != 0
            ]
            worst.sort(key=lambda t: -t[0] if not math.isnan(t[0]) else -math.inf)
            out.append(AgreementView(dtype, quantity, list(a.labels), a.matrix, worst[:15]))
    return out
