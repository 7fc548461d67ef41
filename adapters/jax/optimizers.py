"""optax behind the optimizer interface. The optimizer is wrapped in ``optax.inject_hyperparams`` so
the learning rate is state that can change between steps; jax runs with x64 (the jax adapter's
configuration), so parameters, moments and hyperparameters are float64."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..keras import Keras
from ..optimizers import Library


class Optax(Library):
    module = "optax"
    distribution = "optax"
    framework = "jax"
    OPTIMIZERS = {
        "sgd": ("optax:sgd", {}),
        "momentum": ("optax:sgd", {}),
        "nesterov": ("optax:sgd", {"nesterov": True}),
        "adam": ("optax:adam", {}),
        "adamw": ("optax:adamw", {}),
        "rmsprop": ("optax:rmsprop", {}),
        "rmsprop_centered": ("optax:rmsprop", {"centered": True}),
        "rmsprop_momentum": ("optax:rmsprop", {}),
        "adagrad": ("optax:adagrad", {}),
    }
    HYPERPARAMS = {
        "lr": "learning_rate",
        "momentum": "momentum",
        "beta1": "b1",
        "beta2": "b2",
        "eps": "eps",
        "eps_root": "eps_root",
        "weight_decay": "weight_decay",
        "rho": "decay",
        "initial_accumulator": "initial_accumulator_value",
        "eps_in_sqrt": "eps_in_sqrt",
    }

    def kwargs(self, optimizer: str, hyper: dict) -> dict:
        """As the base; RMSprop's initial accumulator is called ``initial_scale``."""
        if optimizer.startswith("rmsprop") and "initial_accumulator" in hyper:
            hyper = dict(hyper)
            scale = hyper.pop("initial_accumulator")
            return {**super().kwargs(optimizer, hyper), "initial_scale": scale}
        return super().kwargs(optimizer, hyper)

    def _stepper(self, constructor: Any, kwargs: dict) -> Any:
        return _Stepper(constructor, kwargs)


class _Stepper:
    def __init__(self, constructor: Any, kwargs: dict):
        from conformance import adapters

        self.jnp = adapters.get("jax").fw.numpy  # jax with x64 enabled
        import optax

        self.optax = optax
        static = tuple(k for k, v in kwargs.items() if isinstance(v, bool) or v is None)
        self.opt = optax.inject_hyperparams(constructor, static_args=static)(**kwargs)
        self.state = None

    def set_learning_rate(self, lr: float) -> None:
        self.state.hyperparams["learning_rate"] = self.jnp.asarray(lr, dtype=self.jnp.float64)

    def __call__(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        jnp = self.jnp
        params = jnp.asarray(theta, dtype=jnp.float64)
        if self.state is None:
            self.state = self.opt.init(params)
        updates, self.state = self.opt.update(jnp.asarray(grad, dtype=jnp.float64), self.state, params)
        return np.asarray(self.optax.apply_updates(params, updates), dtype=np.float64)


OPTIMIZER_LIBRARIES = {"optax": Optax, "keras[jax]": Keras}
