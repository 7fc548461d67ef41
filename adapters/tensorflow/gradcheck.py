"""tensorflow: a tf.custom_gradient with a skewed gradient rule (TensorFlow has no default gradient
checker with a pass/fail verdict: tf.test.compute_gradient returns the two Jacobians only)."""

from __future__ import annotations

from typing import Any, Callable


def custom_sin_exp(delta: float) -> Callable:
    import tensorflow as tf

    @tf.custom_gradient
    def f(x):
        def grad(g):
            return g * (tf.cos(x) + tf.sin(x)) * tf.exp(x) * (1 + delta)

        return tf.reduce_sum(tf.sin(x) * tf.exp(x)), grad

    return f


def native_check(f: Callable, x: Any) -> None:
    return None


def time_native_check(f: Callable, x: Any) -> None:
    return None
