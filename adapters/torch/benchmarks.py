"""PyTorch pieces of the benchmarks (the interface: ``conformance.adapters.benchmarks``)."""

from __future__ import annotations

from typing import Any, Callable

from ..benchmarks import GradbenchPair

scan = None  # a Python loop is torch's idiomatic recurrence

# Workloads whose compiled mode is timed eagerly, with the reason (measured on this project's
# 2-core CPU machine, torch 2.13).
COMPILE_FALLBACK = {
    "lstm": "torch.compile traces the D-LSTM's 1023-step Python loop unrolled: compiling even the "
    "objective (l=2, c=1024) had not finished after 390 s, and torch's scan operator "
    "(torch._higher_order_ops.scan) fails under torch.func.grad ('Expected FakeTensor'); "
    "timed eagerly instead",
}


def direct_grad(f: Callable, argnums: Any) -> Callable:
    import torch

    g = torch.compile(torch.func.grad(f, argnums=argnums))

    def call(*args):
        out = g(*args)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return out

    return call


def set_threads(n: int) -> dict:
    import torch

    torch.set_num_threads(n)
    return {"torch_intraop": torch.get_num_threads()}


def reset_compiler() -> None:
    """Clear dynamo's caches: every compiled benchmark starts fresh (and stays under the recompile
    limit past which dynamo would quietly run the function eagerly)."""
    import torch

    torch._dynamo.reset()


# ------------------------------------------------------------------ gradbench mode
GRADBENCH_VARIANT = "autograd"
gradbench_scan = None  # GradBench's PyTorch LSTM objective is a Python loop over the sequence
TOOL = (
    "GradBench's PyTorch tool (python/gradbench/gradbench/tools/pytorch/{workload}.py, from "
    "ADBench): eager; the objective called on inputs made with requires_grad=True, so it records "
    "the autograd tape; the gradient = objective + output.backward() (utils.torch_jacobian), "
    "read from .grad"
)


def gradbench_pair(f: Callable, argnums: tuple, args: tuple, workload: str) -> Any:
    """Leaves that require grad (GradBench's ``to_torch_tensors(..., grad_req=True)``); the primal
    is f on them, the gradient clears ``.grad``, runs f and ``backward(retain_graph=True)``."""
    idx = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    leaves = tuple(a.detach().clone().requires_grad_(i in idx) for i, a in enumerate(args))

    def gradient(*xs):
        inputs = [xs[i] for i in idx]
        for x in inputs:
            x.grad = None
        f(*xs).backward(retain_graph=True)
        return tuple(x.grad for x in inputs)

    return GradbenchPair(f, gradient, leaves, TOOL.format(workload=workload), staged=False)
