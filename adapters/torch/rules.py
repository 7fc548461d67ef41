"""torch: hand-written derivative rules as torch.autograd.Function, every style users write
(the contract: ``conformance.adapters.rules``).

- ``function_old``: ``forward(ctx, x)`` saving x, ``backward`` (no ``setup_context``; most Functions in
  the wild; torch.func transforms refuse it, torch.autograd runs it).
- ``function_new``: ``forward(x)`` + ``setup_context`` + ``backward`` (torch.func grad/vjp run it; no
  forward mode, no vmap).
- ``function_new_jvp``: the same with a ``jvp`` staticmethod (forward mode from the author's JVP).
- ``function_jvp_vmap_rule``: with ``jvp`` and ``generate_vmap_rule = True`` (every torch.func
  transform, jacfwd∘jacrev Hessians included).
- ``function_vmap_staticmethod``: with ``jvp`` and a hand-written ``vmap`` staticmethod that maps
  the Function over the batch dimension.
"""

from __future__ import annotations

from typing import Any, Callable

from conformance.adapters.rules import Mechanism


def stop_gradient(x: Any) -> Any:
    return x.detach()


def _saved(ctx: Any) -> Any:
    (x,) = ctx.saved_tensors
    return x


def _old(forward: Callable, vjp: Callable, jvp: Callable) -> Callable:
    import torch

    class OldStyle(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx, g):
            return vjp(_saved(ctx), g)

    return OldStyle.apply


def _new(
    forward: Callable, vjp: Callable, jvp: Callable, *, with_jvp: bool = False, vmap: str | None = None
) -> Callable:
    """A new-style Function; ``vmap``: None, "generate" (generate_vmap_rule) or "staticmethod"."""
    import torch

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        if with_jvp:
            ctx.save_for_forward(inputs[0])

    body: dict[str, Any] = {
        "forward": staticmethod(lambda x: forward(x)),
        "setup_context": staticmethod(setup_context),
        "backward": staticmethod(lambda ctx, g: vjp(_saved(ctx), g)),
    }
    if with_jvp:
        body["jvp"] = staticmethod(lambda ctx, t: jvp(_saved(ctx), t))
    if vmap == "generate":
        body["generate_vmap_rule"] = True
    elif vmap == "staticmethod":

        def batched(info, in_dims, x):
            if in_dims[0] is None:
                return cls.apply(x), None
            return torch.stack([cls.apply(xi) for xi in x.movedim(in_dims[0], 0)]), 0

        body["vmap"] = staticmethod(batched)
    cls = type("NewStyle", (torch.autograd.Function,), body)
    return cls.apply


MECHANISMS = {
    m.name: m
    for m in (
        Mechanism("function_old", _old, ("vjp",), "torch.autograd.Function, forward(ctx, x) + backward"),
        Mechanism("function_new", _new, ("vjp",), "torch.autograd.Function, forward(x) + setup_context + backward"),
        Mechanism(
            "function_new_jvp",
            lambda f, b, j: _new(f, b, j, with_jvp=True),
            ("vjp", "jvp"),
            "torch.autograd.Function, setup_context + backward + jvp",
        ),
        Mechanism(
            "function_jvp_vmap_rule",
            lambda f, b, j: _new(f, b, j, with_jvp=True, vmap="generate"),
            ("vjp", "jvp"),
            "torch.autograd.Function, setup_context + backward + jvp + generate_vmap_rule",
        ),
        Mechanism(
            "function_vmap_staticmethod",
            lambda f, b, j: _new(f, b, j, with_jvp=True, vmap="staticmethod"),
            ("vjp", "jvp"),
            "torch.autograd.Function, setup_context + backward + jvp + vmap staticmethod",
        ),
    )
}
