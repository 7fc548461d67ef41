"""What TensorFlow says about itself: the public modules whose callables stand for its differentiable
functions (it publishes no list; ``conformance.coverage`` applies a name heuristic) and its thread
settings. Contract: see ``adapters/torch/introspection.py``."""

from __future__ import annotations

# The catalog's name prefix -> the module to import.
REFERENCE_MODULES = {
    "tf.math": "tensorflow.math",
    "tf.linalg": "tensorflow.linalg",
    "tf.nn": "tensorflow.nn",
    "tf.signal": "tensorflow.signal",
}


def thread_counts() -> dict[str, int]:
    import tensorflow as tf

    return {
        "tf_intraop": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_interop": tf.config.threading.get_inter_op_parallelism_threads(),
    }
