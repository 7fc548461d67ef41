"""TensorFlow pieces of the benchmarks (the interface: ``conformance.adapters.benchmarks``)."""

from __future__ import annotations

from typing import Any, Callable

from ..benchmarks import GradbenchPair
from .adapter import FUNCTION_OPTIONS


def _function_options(xla: bool) -> dict:
    """compiled mode's tf.function options (XLA), or the same as a plain graph function."""
    return dict(FUNCTION_OPTIONS) if xla else {k: v for k, v in FUNCTION_OPTIONS.items() if k != "jit_compile"}


def _tape_gradient(f: Callable, argnums: Any, xla: bool) -> Callable:
    """A tf.function computing the gradient of f by a GradientTape inside the function."""
    import tensorflow as tf

    idx = [argnums] if isinstance(argnums, int) else list(argnums)

    @tf.function(**_function_options(xla))
    def g(*args):
        with tf.GradientTape() as tape:
            for i in idx:
                tape.watch(args[i])
            y = f(*args)
        return tape.gradient(y, [args[i] for i in idx])

    return g


def direct_grad(f: Callable, argnums: Any) -> Callable:
    import tensorflow as tf

    g = _tape_gradient(f, argnums, xla=True)

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


# ------------------------------------------------------------------ gradbench mode
GRADBENCH_VARIANT = "tape"
TOOL = (
    "GradBench's TensorFlow tool (python/gradbench/gradbench/tools/tensorflow/{workload}.py, from "
    "ADBench's TensorflowGraph): graph mode, no XLA (TF1 Session there, tf.function without "
    "jit_compile here){loop}; objective and GradientTape gradient each one prebuilt graph call"
)


def gradbench_scan(step: Callable, carry: Any, xs: tuple) -> Any:
    """The recurrence as GradBench's ``lstm_objective`` runs it: a ``tf.while_loop`` over t, each
    step reading x[t] (no per-step outputs stacked, unlike tf.scan)."""
    import tensorflow as tf

    steps = tf.shape(xs[0])[0]

    def body(t, c):
        return t + 1, tuple(step(c, tuple(x[t] for x in xs)))

    return tf.while_loop(lambda t, c: t < steps, body, (tf.constant(0), tuple(carry)))[1]


def gradbench_pair(f: Callable, argnums: tuple, args: tuple, workload: str) -> Any:
    import tensorflow as tf

    loop = ", the recurrence a tf.while_loop" if workload == "lstm" else ""
    return GradbenchPair(
        tf.function(f, **_function_options(xla=False)),
        _tape_gradient(f, argnums, xla=False),
        args,
        TOOL.format(workload=workload, loop=loop),
        staged=True,
    )
