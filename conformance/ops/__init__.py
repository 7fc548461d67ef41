"""The op table: one row per mathematical function, naming each framework's public functions.

    from conformance.ops import OPS, CASES, by_name
    OPS        every row (``table.Op``), family by family
    CASES      the derivative cases the rows make (``table.cases``), joined to the catalog

Adding an op is adding a row to the family module it belongs to (``special.py``,
``activations.py``, ``reductions.py``, ``linalg.py``, ``losses.py``, ``nn.py``, ``elementwise.py``,
``manipulation.py``, ``statistics.py``, ``fft.py``); a call that needs
adapting in one framework goes in that framework's ``adapters/<framework>/ops.py``.
"""

from __future__ import annotations

from . import activations, elementwise, fft, linalg, losses, manipulation, nn, reductions, special, statistics
from .table import Op, cases

OPS: list[Op] = [
    *special.OPS,
    *activations.OPS,
    *reductions.OPS,
    *linalg.OPS,
    *losses.OPS,
    *nn.OPS,
    *elementwise.OPS,
    *manipulation.OPS,
    *statistics.OPS,
    *fft.OPS,
]
CASES = [c for op in OPS for c in cases(op)]

_BY_NAME = {op.name: op for op in OPS}


def by_name(name: str) -> Op:
    return _BY_NAME[name]


__all__ = ["CASES", "OPS", "Op", "by_name", "cases"]
