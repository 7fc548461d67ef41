"""Agreement between frameworks, as a query over probe records.

Each ``probe`` record (``checks.probe``) holds, for one case at its canonical input, the framework's
f(x) and derivative (the gradient, or the reverse-mode Jacobian). Records from any number of runs —
other processes, versions, machines — can be pooled; for every pair of columns (framework, version,
API variant) this module computes

    d(A, B) = max over shared cases c, entries i of  |A_c,i − B_c,i| / max(|A_c,i|, |B_c,i|, tiny)

(0 for identical answers, ~ε for rounding differences, O(1) for different answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

TINY = 1e-300


@dataclass
class Agreement:
    """``matrix[i][j]`` is d(labels[i], labels[j]); ``worst[(i, j)]`` the case that attains it;
    ``shared[(i, j)]`` how many cases both columns probed."""

    labels: list[str]
    matrix: list[list[float | None]]
    worst: dict[tuple[int, int], str] = field(default_factory=dict)
    shared: dict[tuple[int, int], int] = field(default_factory=dict)
    dtype: str = "float64"

    def table(self) -> str:
        w = max([len(s) for s in self.labels] + [8])
        lines = [" " * w + "".join(f"{i:>10}" for i in range(len(self.labels)))]
        for i, row in enumerate(self.matrix):
            cells = "".join(f"{'—' if v is None else f'{v:.2e}':>10}" for v in row)
            lines.append(f"{self.labels[i]:<{w}}{cells}   ({i})")
        return "\n".join(lines)


def _get(rec: Any, key: str) -> Any:
    return rec.get(key) if isinstance(rec, dict) else getattr(rec, key, None)


def _array(value: Any) -> np.ndarray:
    """Probe values as an array; complex values written as {"re", "im"} and 'nan'/'inf' strings are
    decoded."""

    def dec(v: Any) -> Any:
        if isinstance(v, list):
            return [dec(e) for e in v]
        if isinstance(v, dict) and "re" in v:
            return complex(float(dec(v["re"])), float(dec(v["im"])))
        if isinstance(v, str):
            return float(v)
        return v

    return np.asarray(dec(value))


def max_relative_difference(a: Any, b: Any) -> float:
    """max_i |a_i − b_i| / max(|a_i|, |b_i|, tiny); inf for a shape mismatch; NaN only vs NaN is 0."""
    a, b = _array(a), _array(b)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) | both_nan
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)
    d = np.where(same, 0.0, np.where(np.isnan(d), np.inf, d))
    return float(np.max(d))


def label(rec: Any, with_version: bool = False) -> str:
    fw = _get(rec, "framework")
    ver = f"=={_get(rec, 'framework_version')}" if with_version else ""
    return f"{fw}{ver}[{_get(rec, 'api')}]"


def pairwise(records: Iterable[Any], dtype: str = "float64", quantity: str = "derivative") -> Agreement:
    """The matrix of max relative differences of the probe ``quantity`` ("derivative" or "value")
    between every pair of (framework, version, API variant) columns found in ``records``."""
    probes = [
        r
        for r in records
        if _get(r, "check") == "probe"
        and _get(r, "probe")
        and _get(r, "dtype") == dtype
        and _get(r, "kind") in (None, "check")
    ]
    versions: dict[str, set] = {}
    for r in probes:
        versions.setdefault(_get(r, "framework"), set()).add(_get(r, "framework_version"))
    cols: dict[str, dict[str, Any]] = {}
    for r in probes:
        lab = label(r, len(versions[_get(r, "framework")]) > 1)
        cols.setdefault(lab, {})[f"{_get(r, 'family')}/{_get(r, 'case')}"] = _get(r, "probe").get(quantity)
    labels = sorted(cols)
    n = len(labels)
    matrix: list[list[float | None]] = [[None] * n for _ in range(n)]
    out = Agreement(labels, matrix, dtype=dtype)
    for i in range(n):
        for j in range(n):
            shared = sorted(set(cols[labels[i]]) & set(cols[labels[j]]))
            out.shared[(i, j)] = len(shared)
            if not shared:
                continue
            best, where = -1.0, ""
            for c in shared:
                d = max_relative_difference(cols[labels[i]][c], cols[labels[j]][c])
                if d > best:
                    best, where = d, c
            matrix[i][j] = best
            out.worst[(i, j)] = where
    return out
