"""torch: a torch.autograd.Function with a skewed backward, and torch.autograd.gradcheck
(+ gradgradcheck for a rule's second order)."""

from __future__ import annotations

import time
from typing import Any, Callable

from conformance.errors import first_line


def custom_sin_exp(delta: float) -> Callable:
    import torch

    class SinExp(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return torch.sum(torch.sin(x) * torch.exp(x))

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (torch.cos(x) + torch.sin(x)) * torch.exp(x) * (1 + delta)

    return SinExp.apply


def _tensor(x: Any) -> Any:
    import torch

    return torch.as_tensor(x).detach().clone().requires_grad_(True)


def native_check(f: Callable, x: Any) -> tuple[bool, str]:
    """torch.autograd.gradcheck with its defaults (eps 1e-6, atol 1e-5, rtol 1e-3)."""
    import torch

    try:
        ok = torch.autograd.gradcheck(f, (_tensor(x),), raise_exception=True)
    except Exception as exc:  # GradcheckError: the check flagged it
        return True, first_line(exc, 120, with_type=False)
    return (not ok), "passed"


def time_native_check(f: Callable, x: Any) -> float:
    """Seconds for one torch.autograd.gradcheck(fast_mode=False) (the full numerical Jacobian)."""
    import torch

    t = _tensor(x)
    start = time.perf_counter()
    torch.autograd.gradcheck(f, (t,), fast_mode=False, raise_exception=False)
    return time.perf_counter() - start


def check_rule(f: Callable, x: Any, modes: tuple[str, ...] = ("fwd", "rev")) -> tuple[bool, str]:
    """torch.autograd.gradcheck then torch.autograd.gradgradcheck, both with their defaults (eps 1e-6,
    atol 1e-5, rtol 1e-3; fast_mode False; check_forward_ad False, so a JVP rule is not looked at):
    (flagged, the first line of the checker's complaint or "passed"). ``modes`` is not used: the
    defaults are what a user runs."""
    import torch

    t = _tensor(x)
    for checker in (torch.autograd.gradcheck, torch.autograd.gradgradcheck):
        torch.manual_seed(0)  # gradgradcheck's random grad_outputs
        try:
            ok = checker(f, (t,), raise_exception=True)
        except Exception as exc:  # GradcheckError or the Function's own refusal: flagged
            return True, f"{checker.__name__}: {first_line(exc, 300, with_type=False)}"
        if not ok:
            return True, f"{checker.__name__} returned False"
    return False, "passed"
