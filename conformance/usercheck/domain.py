"""Where ``conformance.check`` looks: one x, a list of points, or a domain hypothesis draws from.

    domain=(lo, hi)             entries drawn from the open interval (lo, hi), shape ``shape`` (default x's
                                shape, else (3,)); ``samples`` draws (default 10) with ``seed``
    domain=<hypothesis strategy> arrays (or numbers) drawn from it
    domain=[x1, x2, ...]        exactly these points (no draws)
    points=[...]                special points checked first, beside the draws (hypothesis ``example``s)
    x                           checked first, as a special point (alone when no domain is given)

Every drawn input is rounded to the dtype's grid and checked against the reference: a non-finite reference
value inside the declared domain stops the check with a one-line error naming the point (a domain outside
the reference's domain is never a pass). On a failure hypothesis shrinks the input — re-running only the
failing (framework, variant, check) rows, within SHRINK_BUDGET calls and SHRINK_SECONDS — and the result keeps
the shrunk input (the smallest failing one hypothesis reached).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from conformance import strategies  # noqa: F401  (registers hypothesis profiles before any @settings runs)
from conformance.usercheck.inputs import CheckUsageError, as_array

DEFAULT_SAMPLES = 10
DEFAULT_SHAPE = (3,)
SHRINK_BUDGET = 80  # extra calls (of the failing rows only) hypothesis may spend shrinking,
SHRINK_SECONDS = 5.0  # and at most this long


@dataclass
class Sampling:
    """The explicit points (checked first, never shrunk) and the strategy of the draws (None: points only)."""

    points: list[np.ndarray]
    strategy: Any
    samples: int
    seed: int
    description: str
    interval: tuple[float, float] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.points[0].shape) if self.points else DEFAULT_SHAPE


def _is_strategy(obj: Any) -> bool:
    try:
        from hypothesis.strategies import SearchStrategy
    except ImportError:  # pragma: no cover - hypothesis is a dependency
        return False
    return isinstance(obj, SearchStrategy)


def sampling(
    x: Any, domain: Any, points: Any, samples: int | None, seed: int | None, shape: tuple[int, ...] | None
) -> Sampling:
    """The Sampling the arguments of ``conformance.check`` describe (module docstring)."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    pts = [] if x is None else [as_array(x)]
    pts += [as_array(p, "a point") for p in (points or [])]
    seed = random.SystemRandom().randrange(2**32) if seed is None else int(seed)
    if domain is None:
        if not pts:
            raise CheckUsageError("give x, or a domain=(lo, hi) / hypothesis strategy / list of points")
        return Sampling(pts, None, 0, seed, f"x = {_show(pts[0])}" if len(pts) == 1 else f"{len(pts)} points")
    if _is_strategy(domain):
        n = DEFAULT_SAMPLES if samples is None else int(samples)
        return Sampling(
            pts, domain.map(lambda a: as_array(a, "a drawn input")), n, seed, f"{n} samples of {domain!r} (seed {seed})"
        )
    if isinstance(domain, tuple) and len(domain) == 2 and all(np.isscalar(d) for d in domain):
        lo, hi = (float(d) for d in domain)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise CheckUsageError(f"domain=(lo, hi) needs finite lo < hi, not {domain!r}")
        shp = tuple(shape) if shape is not None else (tuple(pts[0].shape) if pts else DEFAULT_SHAPE)
        elements = st.floats(
            lo,
            hi,
            exclude_min=True,
            exclude_max=True,
            allow_nan=False,
            allow_infinity=False,
            allow_subnormal=False,
            width=64,
        ).map(_no_tiny)
        n = DEFAULT_SAMPLES if samples is None else int(samples)
        return Sampling(
            pts,
            hnp.arrays(np.float64, shp, elements=elements, fill=st.nothing()),
            n,
            seed,
            f"{n} samples of shape {shp} from ({lo:g}, {hi:g}) (seed {seed})",
            (lo, hi),
        )
    if isinstance(domain, (list, tuple)):
        got = pts + [as_array(p, "a point of the domain") for p in domain]
        if not got:
            raise CheckUsageError("domain is an empty list of points")
        return Sampling(got, None, 0, seed, f"{len(got)} points")
    raise CheckUsageError(
        f"domain must be (lo, hi), a hypothesis strategy or a list of points, not {type(domain).__name__}"
    )


# Drawn entries below this magnitude are drawn as 0: beside O(1) entries, a 1e-74 entry made the mpmath
# oracle's Jacobian (40 digits, ``oracles._mp_jacobian``) lose all but ~7 digits of its column (its working
# precision covers the step, not the derivative's own smallness), a false alarm at 1e-9; special points
# given by the user are checked as given.
TINY_DRAW = 1e-30


def _no_tiny(v: float) -> float:
    return 0.0 if abs(v) < TINY_DRAW else v


def _show(x: np.ndarray) -> str:
    return repr(x.tolist())


class _Failed(AssertionError):
    """Raised in the hypothesis body when a row fails, so that hypothesis shrinks the input."""


def _fail() -> None:
    raise _Failed("a row failed")  # one raise site: hypothesis sees one distinct failure, and shrinks it


class _Stop(BaseException):
    """Carries a usage error out of hypothesis (a BaseException: hypothesis does not shrink it)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


@dataclass
class Exploration:
    """Per row key, the outcome kept (the worst example, or the shrunk failure), and how far it went."""

    rows: dict = field(default_factory=dict)
    examples: int = 0
    failing_x: np.ndarray | None = None
    shrunk: bool = False


def _rank(row: Any) -> tuple[int, float]:
    order = {"error": 3, "fail": 2, "pass": 1, "skip": 0}
    r = row.outcome.error_ratio
    return order.get(row.status, 0), (float("inf") if r is None or r != r else float(r))


def explore(
    run: Callable[[np.ndarray, set | None], dict], prepare: Callable[[np.ndarray], np.ndarray], s: Sampling
) -> Exploration:
    """Run ``run(x, focus) -> {key: Row}`` on the points, then on hypothesis's draws; keep the worst row per
    key, and for failing keys the row at the shrunk input. ``prepare`` rounds x and checks it against the
    reference (raising CheckUsageError where it is outside)."""
    ex = Exploration()

    def merge(rows: dict) -> None:
        for k, row in rows.items():
            if k not in ex.rows or _rank(row) > _rank(ex.rows[k]):
                ex.rows[k] = row

    def failing(rows: dict) -> set:
        return {k for k, r in rows.items() if r.status in ("fail", "error")}

    for p in s.points:
        x = prepare(p)
        rows = run(x, None)
        ex.examples += 1
        merge(rows)
        if failing(rows):
            ex.failing_x = x
            return ex
    if s.strategy is None or s.samples <= 0:
        return ex
    return _hypothesis(run, prepare, s, ex, merge, failing)


def _hypothesis(
    run: Callable, prepare: Callable, s: Sampling, ex: Exploration, merge: Callable, failing: Callable
) -> Exploration:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    state: dict[str, Any] = {"focus": None, "seen": {}, "last": None, "spent": 0, "since": 0.0}

    def body(drawn: np.ndarray) -> None:
        try:
            x = prepare(drawn)
        except CheckUsageError as exc:
            raise _Stop(exc) from None
        key = x.tobytes() + str(x.shape).encode()
        if key in state["seen"]:
            state["last"] = (x, state["seen"][key])
            _fail()
        if state["focus"] is not None:
            if state["spent"] >= SHRINK_BUDGET or time.perf_counter() - state["since"] > SHRINK_SECONDS:
                return  # budget spent: unseen candidates count as passing, the best failure stands
            state["spent"] += 1
        rows = run(x, state["focus"])
        if state["focus"] is None:
            ex.examples += 1
            merge(rows)
        bad = failing(rows)
        if bad:
            if state["focus"] is None:
                state["focus"], state["since"] = bad, time.perf_counter()
            state["seen"][key] = rows
            state["last"] = (x, rows)
            _fail()

    test = settings(
        max_examples=s.samples,
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )(given(s.strategy)(body))
    try:
        hseed(s.seed)(test)()
    except _Stop as stop:
        raise stop.error from None
    except _Failed:
        pass
    except Exception as exc:  # hypothesis's own complaints (e.g. flaky): keep the failure found, if any
        if state["last"] is None:
            if type(exc).__name__ == "Unsatisfiable":
                raise CheckUsageError(f"hypothesis could not draw inputs from the domain: {exc}") from None
            raise
    if state["last"] is not None:
        x, rows = state["last"]
        ex.failing_x = x
        ex.shrunk = True
        for k, row in rows.items():
            ex.rows[k] = row
    return ex
