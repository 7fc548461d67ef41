"""tensorflow: a tf.custom_gradient with a skewed gradient rule. TensorFlow has no default gradient
checker with a pass/fail verdict: tf.test.compute_gradient returns the two Jacobians only, which
``check_rule`` compares as that function's docstring does (tf.test.TestCase.assertAllClose)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance.errors import first_line

# tf.test.TestCase.assertAllClose's defaults, the comparison compute_gradient's docstring shows
RTOL, ATOL = 1e-6, 1e-6


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


def check_rule(f: Callable, x: Any, modes: tuple[str, ...] = ("fwd", "rev")) -> tuple[bool, str]:
    """tf.test.compute_gradient (central differences, step 1/1024) of f, then of its VJP x ↦ J(x)ᵀu
    with a fixed random u (the second order, as gradgradcheck does), each theoretical Jacobian
    against the numerical one with |a − b| ≤ atol + rtol·|b| (RTOL, ATOL): (flagged, why)."""
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float64)
    u = np.random.default_rng(0).standard_normal(np.shape(f(tf.constant(x))))

    def vjp(z: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(z)
            y = f(z)
        return tape.gradient(y, z, output_gradients=tf.constant(u))

    for what, g in (("compute_gradient(f)", f), ("compute_gradient(VJP of f)", vjp)):
        try:
            theoretical, numerical = tf.test.compute_gradient(g, [x])
        except Exception as exc:  # the rule could not run
            return True, f"{what}: {first_line(exc, 300)}"
        a, b = np.asarray(theoretical[0]), np.asarray(numerical[0])
        bad = ~(np.abs(a - b) <= ATOL + RTOL * np.abs(b))
        if np.any(bad):
            i = np.unravel_index(int(np.argmax(bad)), a.shape)
            return True, (
                f"{what}: theoretical {a[i]:.6g} vs numerical {b[i]:.6g} at Jacobian entry {i} "
                f"(rtol {RTOL:g}, atol {ATOL:g})"
            )
    return False, "passed"
