"""TensorFlow: ``tfp.math.trapz`` from TensorFlow Probability (TensorFlow itself has no quadrature,
and neither has a cumulative trapezoid), ``tf.random.Generator`` draws, and
``tfp.distributions`` (``kl_divergence``)."""

from __future__ import annotations

import importlib
from typing import ClassVar

from ..integrals import Integrals, NotProvidedError, Rng


def _tfp():
    try:
        return importlib.import_module("tensorflow_probability")
    except ImportError as exc:
        raise NotProvidedError(
            f"tensorflow-probability cannot be imported ({exc}); install it with "
            "pip install tensorflow-probability tf-keras"
        ) from None


class TensorflowRng(Rng):
    def __init__(self, tf, seed: int, dtype: str, device: str):
        self.tf, self.dtype, self.device = tf, getattr(tf, dtype), device
        with tf.device(device):
            self.gen = tf.random.Generator.from_seed(int(seed), alg="philox")

    def normal(self, shape):
        with self.tf.device(self.device):
            return self.gen.normal(tuple(shape), dtype=self.dtype)

    def uniform(self, shape):
        with self.tf.device(self.device):
            return self.gen.uniform(tuple(shape), dtype=self.dtype)


class TensorflowIntegrals(Integrals):
    framework = "tensorflow"
    trapezoid_apis: ClassVar[dict[str, str]] = {"tfp.math.trapz": "_trapz"}
    cumulative_api = None
    rng_api = "tf.random.Generator.from_seed (philox) normal / uniform"
    distributions_api = "tfp.distributions"

    def _trapz(self, y, x, axis):
        """tfp.math.trapz needs x shaped like y, so the 1-D grid is broadcast along ``axis``."""
        tf = self.fw
        rank = len(y.shape)
        axis = axis % rank
        shape = [1] * rank
        shape[axis] = -1
        return _tfp().math.trapz(y, tf.broadcast_to(tf.reshape(x, shape), tf.shape(y)), axis=axis)

    def rng(self, seed, dtype="float64", device="cpu"):
        return TensorflowRng(self.fw, seed, dtype, self.adapter._tf_device(device))

    def normal(self, loc, scale):
        return _tfp().distributions.Normal(loc, scale)

    def exponential(self, rate):
        return _tfp().distributions.Exponential(rate)

    def kl(self, p, q):
        return _tfp().distributions.kl_divergence(p, q)


INTEGRALS = TensorflowIntegrals
