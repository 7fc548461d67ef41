"""The case catalog: every function the derivative checks differentiate, written once against xp.

    from conformance.derivatives.cases import CATALOG, by_name, families
    case = by_name("logsumexp")

The catalog validates itself at import: names are unique, families known, and every special point
has a shape from the case's menu, lies inside the case's domain of definition, and gives a finite
value in numpy. A violation raises ``CatalogError`` naming the case and the point.
"""

from __future__ import annotations

import warnings

import numpy as np

from conformance import ops
from conformance.derivatives.case import FAMILIES, Case
from conformance.errors import ConformanceError

from . import compositions, elementwise, linalg, nn, reductions


class CatalogError(ConformanceError, ValueError):
    """A case is malformed (a special point outside its domain, a duplicate name, ...)."""


# The xp-written cases, then the op table's rows (each framework's own public functions).
CATALOG: list[Case] = [*elementwise.CASES, *reductions.CASES, *linalg.CASES, *nn.CASES, *compositions.CASES, *ops.CASES]

_BY_NAME = {c.name: c for c in CATALOG}


def by_name(name: str) -> Case:
    """The case called ``name`` (accepts ``family/name``)."""
    key = name.split("/", 1)[1] if "/" in name else name
    try:
        return _BY_NAME[key]
    except KeyError:
        raise CatalogError(f"no case named {name!r}; `conformance list` shows the catalog") from None


def families() -> dict[str, list[Case]]:
    """family -> its cases, in catalog order."""
    out: dict[str, list[Case]] = {}
    for c in CATALOG:
        out.setdefault(c.family, []).append(c)
    return out


def _numpy_xp():
    from conformance.oracles import _np_xp

    return _np_xp()


def validate_case(case: Case) -> None:
    """Raise CatalogError naming the case (and point) when the case is malformed."""
    if case.family not in FAMILIES:
        raise CatalogError(f"case {case.name!r}: unknown family {case.family!r}; use one of {FAMILIES}")
    if not case.shapes:
        raise CatalogError(f"case {case.name!r}: empty shape menu")
    lo, hi = case.domain
    dlo, dhi = case.defined_on
    if case.make_input is None and not (dlo <= lo < hi <= dhi):
        raise CatalogError(
            f"case {case.name!r}: sampling domain {case.domain} is not inside the "
            f"interval {case.defined_on} where it is defined"
        )
    xp = _numpy_xp()
    for p in case.special_points:
        x = p.array()
        why = case.outside_domain(x)
        if why is not None:
            raise CatalogError(f"case {case.name!r}: special point {p.name!r} is outside its domain: {why}")
        if not set(p.orders) <= {1, 2, 3, 4}:
            raise CatalogError(f"case {case.name!r}: special point {p.name!r} has orders {p.orders}; use 1..4")
        if p.limit not in ("closed form", "mpmath", "series", "limit"):
            raise CatalogError(f"case {case.name!r}: special point {p.name!r} has unknown limit {p.limit!r}")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = np.asarray(case.fn(xp, x))
        if not np.all(np.isfinite(y)):
            raise CatalogError(
                f"case {case.name!r}: special point {p.name!r} gives a non-finite value "
                f"in numpy; move it inside the range where the function is finite"
            )
        if case.scalar and y.shape != ():
            raise CatalogError(f"case {case.name!r} is marked scalar but returns shape {y.shape}")


def validate(catalog: list[Case] = CATALOG) -> None:
    """Validate every case and the uniqueness of names."""
    seen: set[str] = set()
    for case in catalog:
        if case.name in seen:
            raise CatalogError(f"duplicate case name {case.name!r}")
        seen.add(case.name)
        validate_case(case)


validate()
