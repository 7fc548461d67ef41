"""torch.optim behind the optimizer interface: one float64 parameter tensor, ``.grad`` set from the
numpy gradient, ``optimizer.step()``; the learning rate lives in ``param_groups[i]["lr"]``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..keras import Keras
from ..optimizers import Library


class TorchOptim(Library):
    module = "torch"
    distribution = "torch"
    framework = "torch"
    OPTIMIZERS = {
        "sgd": ("torch.optim:SGD", {}),
        "momentum": ("torch.optim:SGD", {}),
        "nesterov": ("torch.optim:SGD", {"nesterov": True}),
        "adam": ("torch.optim:Adam", {}),
        "adamw": ("torch.optim:AdamW", {}),
        "rmsprop": ("torch.optim:RMSprop", {}),
        "rmsprop_centered": ("torch.optim:RMSprop", {"centered": True}),
        "rmsprop_momentum": ("torch.optim:RMSprop", {}),
        "adagrad": ("torch.optim:Adagrad", {}),
    }
    HYPERPARAMS = {
        "lr": "lr",
        "momentum": "momentum",
        "dampening": "dampening",
        "beta1": "betas",
        "beta2": "betas",
        "eps": "eps",
        "weight_decay": "weight_decay",
        "rho": "alpha",
        "initial_accumulator": "initial_accumulator_value",
    }

    def kwargs(self, optimizer: str, hyper: dict) -> dict:
        """As the base, but β₁ and β₂ travel together as ``betas=(β₁, β₂)``."""
        betas = {k: hyper[k] for k in ("beta1", "beta2") if k in hyper}
        out = super().kwargs(optimizer, {k: v for k, v in hyper.items() if k not in betas})
        if betas:
            super().kwargs(optimizer, betas)  # refuses betas where the optimizer has none
            default = self._signature(optimizer).parameters["betas"].default
            out["betas"] = (betas.get("beta1", default[0]), betas.get("beta2", default[1]))
        return out

    def defaults(self, optimizer: str) -> dict:
        out = super().defaults(optimizer)
        params = self._signature(optimizer).parameters
        if "betas" in params:
            out["beta1"], out["beta2"] = params["betas"].default
        return out

    def _stepper(self, constructor: Any, kwargs: dict) -> Any:
        return _Stepper(constructor, kwargs)


class _Stepper:
    def __init__(self, constructor: Any, kwargs: dict):
        import torch

        self.torch = torch
        self.constructor, self.kwargs, self.lr = constructor, kwargs, None
        constructor([torch.zeros(1, dtype=torch.float64)], **kwargs)  # validates them now
        self.opt = None

    def set_learning_rate(self, lr: float) -> None:
        self.lr = float(lr)
        for group in self.opt.param_groups if self.opt else ():
            group["lr"] = self.lr

    def __call__(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        torch = self.torch
        if self.opt is None:  # built on the first step, once the parameter's shape is known
            self.param = torch.tensor(theta, dtype=torch.float64)
            self.opt = self.constructor([self.param], **self.kwargs)
            if self.lr is not None:
                self.set_learning_rate(self.lr)
        else:
            with torch.no_grad():
                self.param.copy_(torch.from_numpy(np.asarray(theta, dtype=np.float64)))
        self.param.grad = torch.tensor(grad, dtype=torch.float64)
        self.opt.step()
        return self.param.detach().numpy().copy()


OPTIMIZER_LIBRARIES = {"torch": TorchOptim, "keras[torch]": Keras}
