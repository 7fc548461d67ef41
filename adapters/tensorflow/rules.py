"""tensorflow: a hand-written gradient rule as tf.custom_gradient (the contract:
``conformance.adapters.rules``). The gradient function closes over x, so a second derivative
differentiates the rule itself; forward mode (ForwardAccumulator) is derived from the rule."""

from __future__ import annotations

from typing import Any, Callable

from conformance.adapters.rules import Mechanism


def stop_gradient(x: Any) -> Any:
    import tensorflow as tf

    return tf.stop_gradient(x)


def _custom_gradient(forward: Callable, vjp: Callable, jvp: Callable) -> Callable:
    import tensorflow as tf

    @tf.custom_gradient
    def f(x):
        return forward(x), lambda g: vjp(x, g)

    return f


MECHANISMS = {
    m.name: m for m in (Mechanism("custom_gradient", _custom_gradient, ("vjp",), "tf.custom_gradient, (y, grad_fn)"),)
}
