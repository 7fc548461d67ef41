"""TensorFlow's optimizer library: Keras 3's optimizers on the tensorflow backend (TensorFlow's own
``tf.keras.optimizers`` are Keras's), shared with the other Keras backends in ``conformance.adapters.keras``."""

from __future__ import annotations

from ..keras import Keras

OPTIMIZER_LIBRARIES = {"keras[tensorflow]": Keras}
