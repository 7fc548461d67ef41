"""What torch says about itself: its own list of differentiable operations (the OpInfo database,
for the catalog's coverage figures) and its thread settings (for the run header).

Contract (``adapter.capability("introspection")``; see ``conformance.coverage``):
    reference(exercised) -> (source, {name: function or None}, covered names)
    thread_counts() -> {label: int}      asked only when the framework is already imported
"""

from __future__ import annotations

from typing import Any

SOURCE = "torch OpInfo op_db (supports_autograd)"


def reference(exercised: list[str]) -> tuple[str, dict[str, Any], set[str]]:
    """OpInfo names of the ops that support autograd (public ones only); a catalog name
    ``torch.linalg.det`` covers OpInfo ``linalg.det``. Needs the ``expecttest`` package."""
    from torch.testing._internal.common_methods_invocations import op_db

    names = {o.name: None for o in op_db if o.supports_autograd and not o.name.startswith("_")}
    return SOURCE, names, {n.removeprefix("torch.") for n in exercised}


def thread_counts() -> dict[str, int]:
    import torch

    return {"torch_intraop": torch.get_num_threads(), "torch_interop": torch.get_num_interop_threads()}
