"""GradBench's published figures, kept as reference data next to our measurements.

Source: GradBench (https://github.com/gradbench/gradbench), nightly run of March 2026, CPU, float64:
the median over the eval's instances of (gradient time / objective time) per tool. These are
GradBench's numbers, not measured here; the benchmark prints ours beside them.
"""

from __future__ import annotations

SOURCE = "GradBench March 2026 nightly, CPU float64"

# workload -> framework -> median derivative/primal ratio
RATIOS: dict[str, dict[str, float]] = {
    "gmm": {"torch": 3.47, "jax": 3.23, "tensorflow": 1.95},
    "lstm": {"torch": 2.73, "tensorflow": 5.01},
}


def reference(workload: str, framework: str) -> dict | None:
    """{"source", "ratio"} for a workload and framework GradBench reports, else None."""
    ratio = RATIOS.get(workload, {}).get(framework)
    return None if ratio is None else {"source": SOURCE, "ratio": ratio}
