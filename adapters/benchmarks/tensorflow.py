"""TensorFlow pieces of the benchmarks (see ``conformance.adapters.benchmarks``)."""

from __future__ import annotations

from typing import Any, Callable


def direct_grad(f: Callable, argnums: Any) -> Callable:
    import tensorflow as tf
    from conformance.adapters.tensorflow_backend import FUNCTION_OPTIONS

    idx = [argnums] if isinstance(argnums, int) else list(argnums)

    @tf.function(**FUNCTION_OPTIONS)
    def g(*args):
        with tf.GradientTape() as tape:
            for i in idx:
                tape.watch(args[i])
            y = f(*args)
        return tape.gradient(y, [args[i] for i in idx])

    def call(*args):
        out = g(*args)
        if tf.config.list_logical_devices("GPU"):
            tf.test.experimental.sync_devices()
        return out

    return call


def scan(step: Callable, carry: Any, xs: tuple) -> Any:
    import tensorflow as tf

    final = tf.scan(step, xs, initializer=carry)
    return tuple(a[-1] for a in final)


def set_threads(n: int) -> dict:
    """TF fixes its pools when its runtime starts; set them if still possible, report what holds."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
    except RuntimeError:
        pass
    return {"tf_intraop": tf.config.threading.get_intra_op_parallelism_threads() or "all cores (default 0)"}
