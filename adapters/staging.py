"""The cache of staged programs behind ``Adapter.staging()``: each (adapter class, variant, operator,
function) is built and staged once (jax.jit), then compiled by the framework once per shape and
dtype; a function that cannot be staged falls back to running eagerly."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any, Callable

from conformance.errors import ConformanceError


class _Tracing(threading.local):
    depth = 0  # > 0 while a staged program runs (and may trace the Python code of its operators)


TRACING = _Tracing()

# Staged programs, least recently used first (bounded: each holds its function and compiled code).
PROGRAMS: "OrderedDict[tuple, Callable]" = OrderedDict()
PROGRAMS_LIMIT = 4096


def cached(key: tuple, build: Callable[[], Callable], stage: Callable[[Callable], Callable]) -> Callable:
    """The program cached under ``key``, or ``stage(build())`` (with its eager fallback) cached now;
    ``build()`` itself, uncached, where the key cannot be hashed (an unhashable function or argument)."""
    try:
        prog = PROGRAMS.get(key)
    except TypeError:
        return build()
    if prog is None:
        fn = build()
        prog = PROGRAMS[key] = with_eager_fallback(stage(fn), fn)
        if len(PROGRAMS) > PROGRAMS_LIMIT:
            PROGRAMS.popitem(last=False)
    else:
        PROGRAMS.move_to_end(key)
    return prog


def with_eager_fallback(staged: Callable, fn: Callable) -> Callable:
    """``staged``, or ``fn`` from the first call on which staging fails while the eager run works
    (a function with Python control flow on values cannot be traced); an error the eager run
    raises as well is the function's own and propagates."""
    state = {"eager": False}

    @functools.wraps(fn)
    def program(*args: Any) -> Any:
        if state["eager"]:
            return fn(*args)
        TRACING.depth += 1
        try:
            return staged(*args)
        except ConformanceError:
            raise
        except Exception:
            pass  # not stageable: run it eagerly below
        finally:
            TRACING.depth -= 1
        out = fn(*args)  # an error here is the function's own, and propagates
        state["eager"] = True
        return out

    return program
