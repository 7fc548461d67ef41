"""toydual: a fifth framework for the suite, small enough to read in one sitting — forward-mode
automatic differentiation by dual numbers over numpy. ``tests/unit/test_fifth_adapter.py`` registers
it through the ``conformance.adapters`` entry point and runs the suite on it.

Its package is laid out as every adapter package is: ``adapter`` (the Adapter subclass), plus the
capability modules the framework has (none here: the integrals, optimizer, benchmark and gradcheck
checks skip it, each saying which module is missing)."""

from .adapter import DualAdapter

__all__ = ["DualAdapter"]
