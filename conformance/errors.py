"""The project's exceptions, and how an exception is shown on one line.

Every error the suite raises for bad input is a ``ConformanceError`` whose message names the problem
and the fix on one line. This module imports nothing of the project, so any module may use it.
"""

from __future__ import annotations


class ConformanceError(Exception):
    """An error with a one-line message that names the problem and the fix."""


class UnknownFrameworkError(ConformanceError, LookupError):
    pass


class FrameworkUnavailableError(ConformanceError, ImportError):
    pass


class UnknownVariantError(ConformanceError, ValueError):
    pass


class UnknownDeviceError(ConformanceError, ValueError):
    pass


class NotDifferentiableError(ConformanceError, TypeError):
    pass


class NonScalarOutputError(ConformanceError, ValueError):
    pass


class UnsupportedDtypeError(ConformanceError, TypeError):
    pass


class CapabilityMissingError(ConformanceError, LookupError):
    """An adapter has no module for a capability (integrals, optimizers, benchmarks, gradcheck)."""


def first_line(exc: BaseException, limit: int = 500, with_type: bool = True) -> str:
    """``Type: first non-empty line of the message`` (at most ``limit`` characters): how a caught
    exception is shown in a record, a table row or a one-line error."""
    lines = [s for s in str(exc).strip().splitlines() if s.strip()]
    text = lines[0].strip() if lines else ""
    if with_type:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:limit]


class NotProvidedError(ConformanceError, NotImplementedError):
    """The framework has no such public function (an op of the table, an integral, a distribution),
    or not in the installed version: its checks are skipped with this message, never failed."""
