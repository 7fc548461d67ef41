"""Framework-specific pieces of ``conformance targets``: a hand-written gradient rule with an injected
relative error δ, and each framework's own gradient checker, behind one small interface:

    custom_sin_exp(delta) -> f      f(x) = Σ sin(xᵢ) exp(xᵢ) on the framework's arrays, whose
                                    hand-written gradient rule returns (1 + δ)(cos x + sin x) exp x
    native_check(f, x) -> (flagged, message) | None
                                    the framework's own checker with its default settings
                                    (torch.autograd.gradcheck, jax.test_util.check_grads); None where
                                    the framework has none
    time_native_check(f, x) -> seconds | None   one run of the checker in its exhaustive mode
                                    (gradcheck(fast_mode=False)); None where not applicable

``module(adapter_name)`` imports the framework's module lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = {
    "torch": "conformance.adapters.gradcheck.torch",
    "jax": "conformance.adapters.gradcheck.jax",
    "tensorflow": "conformance.adapters.gradcheck.tensorflow",
}


def module(name: str) -> Any:
    """The gradcheck module of framework ``name`` (KeyError-free: None when there is none)."""
    path = MODULES.get(name)
    return importlib.import_module(path) if path else None
