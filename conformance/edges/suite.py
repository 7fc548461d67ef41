"""The edges suite: where autodiff bugs cluster, reached on purpose.

    special points   every case's declared special points, against mpmath limits taken right there
                     (``special_points``), validated at collection
    nested modes     second and third derivatives through every combination of forward/reverse
                     modes and API variants (``nested``): the full grid in the ``thorough`` profile,
                     a rotation that covers every combination across the catalog in ``ci``/``dev``

    low precision    float16 and bfloat16, first and second order, at mid, tiny and huge magnitudes
                     through every API variant, vs the float64 oracle rounded to the dtype
                     (``low_precision``; off in the dev profile); float16/bfloat16 operands with
                     float32 accumulation (``mixed_precision``)
    degenerate       repeated eigen/singular values, identity, near-singular and scaled matrices
                     (``degenerate``): special points and nested modes of those cases
    complex          holomorphic functions and real losses of complex inputs, normalized by each
                     framework's gradient convention, plus the raw conventions (``complex``); their
                     zeros, infinities, branch cut and kinks (``complex_extremes``)

Special-point and nested tasks are float64; special points (every order) run once per API variant,
nested tasks once per framework.
"""

from __future__ import annotations

from typing import Any

from conformance.engine import Profile, Task


def case_tasks(case: Any, profile: Profile) -> list[Task]:
    from conformance.edges import low_precision, nested, special_points

    out: list[Task] = []
    if profile.special_points:
        out += special_points.tasks_for(case)
    out += nested.tasks_for(case, full=profile.name == "thorough")
    if profile.low_precision:
        out += low_precision.tasks_for(case, profile)
    return out


def tasks(profile: Profile) -> list[Task]:
    """Every edge task of every case of the catalog."""
    from conformance.derivatives.cases import CATALOG
    from conformance.edges import complex as complex_inputs
    from conformance.edges import degenerate

    out = [t for case in (*CATALOG, *degenerate.CASES) for t in case_tasks(case, profile)]
    out += complex_inputs.tasks()
    from conformance.edges import complex_extremes

    out += complex_extremes.tasks()  # complex zeros and infinities (issue 19, item 3)
    from conformance.edges import infinities

    out += infinities.tasks()  # ±inf, NaN, the largest finite number and masked rows (issue 19, item 3)
    if profile.low_precision:
        from conformance.edges import mixed_precision

        out += mixed_precision.tasks()  # float16/bfloat16 operands, float32 accumulation (issue 19, item 4)
    return out
