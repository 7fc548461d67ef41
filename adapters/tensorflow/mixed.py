"""TensorFlow's mixed precision: not provided by TensorFlow itself.

``tf.linalg.matmul``'s ``output_type`` is documented for (u)int8 operands with an int32 output only (its
float16/bfloat16 → float32 form has no CPU kernel: "Could not find device for node BatchMatMulV3"), and
mixed-precision training is Keras's policy (``keras.mixed_precision``), a library of its own. So
``program`` says so, and the mixed-precision checks are skips for TensorFlow.
"""

from __future__ import annotations

from typing import Any, Callable

from conformance.errors import NotProvidedError

ENTRY = None
PARAMETERS = None


def program(adapter: Any, dtype: str, loss: Callable) -> Callable:
    raise NotProvidedError(
        f"mixed-precision differentiation (a {dtype} matmul accumulated in float32) is not provided in "
        f"tensorflow {adapter.version}: tf.linalg.matmul's output_type is documented for (u)int8 → int32 "
        "only, and the mixed-precision policy is Keras's"
    )
