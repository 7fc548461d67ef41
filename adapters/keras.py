"""keras.optimizers (Keras 3) behind the optimizer interface, on each installed Keras backend.

Keras runs on several frameworks, so it lives here, shared: each framework's ``optimizers`` module
lists ``keras[<its name>]`` among its libraries (tensorflow, jax and torch's do).

Keras picks its backend (KERAS_BACKEND) once, at import. ``keras[<backend>]`` runs in this process
when that is the backend this process has (or will have) imported; otherwise its jobs run together
in one child process (``python -m conformance.adapters.keras``, jobs as JSON on stdin,
trajectories as JSON on stdout). The optimizer is built with floatx float64, so its learning-rate
variable is float64 too (with the default float32, η = 1e-3 would carry a 5e-8 relative error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import numpy as np

from .base import Availability
from .optimizers import Library, run_job

# Keras 3's backends in the order of its documentation (tensorflow, its default, first): the order in
# which ``optimizers.names()`` lists the keras[<backend>] libraries, after the frameworks' own.
BACKENDS = ("tensorflow", "jax", "torch")


def current_backend() -> str:
    """The Keras backend of this process: keras's own answer once imported, else what it will read."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


class Keras(Library):
    module = "keras"
    distribution = "keras"
    OPTIMIZERS = {
        "sgd": ("keras.optimizers:SGD", {}),
        "momentum": ("keras.optimizers:SGD", {}),
        "nesterov": ("keras.optimizers:SGD", {"nesterov": True}),
        "adam": ("keras.optimizers:Adam", {}),
        "adamw": ("keras.optimizers:AdamW", {}),
        "rmsprop": ("keras.optimizers:RMSprop", {}),
        "rmsprop_centered": ("keras.optimizers:RMSprop", {"centered": True}),
        "rmsprop_momentum": ("keras.optimizers:RMSprop", {}),
        "adagrad": ("keras.optimizers:Adagrad", {}),
    }
    HYPERPARAMS = {
        "lr": "learning_rate",
        "momentum": "momentum",
        "beta1": "beta_1",
        "beta2": "beta_2",
        "eps": "epsilon",
        "weight_decay": "weight_decay",
        "rho": "rho",
        "initial_accumulator": "initial_accumulator_value",
    }

    def __init__(self, name: str):
        super().__init__(name)
        self.backend = name[name.index("[") + 1 : -1] if "[" in name else current_backend()
        self.framework = self.backend

    @classmethod
    def listing_key(cls, name: str) -> tuple:
        backend = name[name.index("[") + 1 : -1]
        return (1, BACKENDS.index(backend) if backend in BACKENDS else len(BACKENDS), backend)

    @property
    def in_process(self) -> bool:
        return self.backend == current_backend()

    def available(self):
        ok = super().available() if self.in_process else _backend_importable(self.backend)
        return ok

    def _signature(self, optimizer: str):
        if not self.in_process:  # read in the child: importing keras here would fix our backend
            raise RuntimeError("signature of another backend's optimizer")
        return super()._signature(optimizer)

    def kwargs(self, optimizer: str, hyper: dict) -> dict:
        if self.in_process:
            return super().kwargs(optimizer, hyper)
        fixed = self._entry(optimizer)[1]
        return {**fixed, **{self.HYPERPARAMS.get(k, k): v for k, v in hyper.items()}}

    def defaults(self, optimizer: str) -> dict:
        if self.in_process:
            return super().defaults(optimizer)
        return json.loads(self._child(["--defaults", optimizer], ""))

    def _stepper(self, constructor: Any, kwargs: dict) -> Any:
        return _Stepper(constructor, kwargs)

    def run(self, jobs: list[dict]) -> list[dict]:
        if self.in_process:
            return [run_job(self, job) for job in jobs]
        return json.loads(self._child([], json.dumps(jobs)))

    def _child(self, args: list[str], stdin: str) -> str:
        env = dict(os.environ, KERAS_BACKEND=self.backend, JAX_ENABLE_X64="1")  # float64 on jax
        proc = subprocess.run(
            [sys.executable, "-m", __name__, *args], input=stdin, text=True, capture_output=True, env=env, timeout=900
        )
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"keras[{self.backend}] child process failed: {tail[0]}")
        return proc.stdout.strip().splitlines()[-1]


def _backend_importable(backend: str):
    from importlib.util import find_spec

    module = backend  # each backend's import name is its name
    if find_spec("keras") is None or find_spec(module) is None:
        return Availability(False, f"keras or its {backend} backend is not installed", f"pip install keras {module}")
    return Availability(True)


class _Stepper:
    def __init__(self, constructor: Any, kwargs: dict):
        import keras

        self.keras = keras
        old = keras.config.floatx()
        keras.config.set_floatx("float64")
        try:
            self.opt = constructor(**kwargs)
        finally:
            keras.config.set_floatx(old)
        self.var = None

    def set_learning_rate(self, lr: float) -> None:
        self.opt.learning_rate = float(lr)

    def __call__(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        keras = self.keras
        if self.var is None:
            self.var = keras.Variable(np.asarray(theta, dtype=np.float64), dtype="float64")
            self.opt.build([self.var])
        else:
            self.var.assign(np.asarray(theta, dtype=np.float64))
        self.opt.apply([keras.ops.convert_to_tensor(np.asarray(grad, dtype=np.float64))], [self.var])
        return np.asarray(keras.ops.convert_to_numpy(self.var), dtype=np.float64)


def _main(argv: list[str]) -> int:
    """Child process: run the jobs read from stdin (or print an optimizer's defaults)."""
    lib = Keras(f"keras[{current_backend()}]")
    if argv[:1] == ["--defaults"]:
        print(json.dumps(lib.defaults(argv[1])))
        return 0
    print(json.dumps([run_job(lib, job) for job in json.loads(sys.stdin.read())]))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
