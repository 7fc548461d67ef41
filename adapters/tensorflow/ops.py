"""How TensorFlow's public functions of the op table are called where the table's default call does
not fit.

Each entry: public name -> ``(f, *args, **params) -> value``. TensorFlow's binary special functions
want every argument as a tensor of one dtype (a Python number becomes an int32 or float32 tensor and
the call fails), and some activations name their parameters otherwise.
"""

from __future__ import annotations

from typing import Any, Callable


def _constant_first(f: Callable, x: Any, **params: Any) -> Any:
    """f(c, x) with the single parameter c as a constant tensor of x's dtype and shape."""
    import tensorflow as tf

    (value,) = params.values()
    return f(tf.fill(tf.shape(x), tf.constant(value, dtype=x.dtype)), x)


def _leaky_relu(f: Callable, x: Any, negative_slope: float) -> Any:
    return f(x, alpha=negative_slope)   # tf.nn.leaky_relu calls the slope alpha


BINDINGS: dict[str, Callable] = {
    "tf.math.polygamma": _constant_first,
    "tf.math.zeta": _constant_first,
    "tf.math.igamma": _constant_first,
    "tf.math.igammac": _constant_first,
    "tf.nn.leaky_relu": _leaky_relu,
}
