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

They live in each framework's adapter package as its ``gradcheck`` module
(``conformance.adapters.<framework>.gradcheck``); ``module(name)`` imports it lazily.
"""

from __future__ import annotations

from typing import Any

from . import adapter_class


def module(name: str) -> Any:
    """The gradcheck module of framework ``name`` (KeyError-free: None when there is none)."""
    cls = adapter_class(name)
    return cls.capability("gradcheck") if cls.provides("gradcheck") else None
