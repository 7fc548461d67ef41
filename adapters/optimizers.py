"""Library optimizers behind one tiny interface, provided by each framework's adapter package.

    lib = optimizers.get("torch")                  # or "optax", "keras[tensorflow]", "keras[jax]", ...
    step = lib.make("adam", lr=1e-3, beta1=0.9)    # canonical names; lib.HYPERPARAMS maps them
    theta = step(theta, grad)                      # numpy float64 in, numpy float64 out
    step.set_learning_rate(5e-4)                   # between steps, as a scheduler would

Canonical hyperparameters: lr, momentum, dampening, beta1, beta2, eps, eps_root, weight_decay, rho,
initial_accumulator, eps_in_sqrt; each library module maps them onto its own names and refuses
those its constructor lacks (``UnsupportedHyperparameterError``). Frameworks are imported lazily.

A framework provides its libraries in its adapter's ``optimizers`` module
(``conformance.adapters.<framework>.optimizers``): ``OPTIMIZER_LIBRARIES``, name -> Library subclass
(torch.optim and Keras on torch in torch's, optax and Keras on jax in jax's, Keras on tensorflow in
tensorflow's; Keras itself is ``conformance.adapters.keras``, shared by the three).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
from functools import lru_cache
from typing import Any

import numpy as np

from conformance.errors import first_line

from . import adapter_class, order
from .base import Availability, ConformanceError


class UnknownLibraryError(ConformanceError, KeyError):
    pass


class UnsupportedOptimizerError(ConformanceError, KeyError):
    pass


class UnsupportedHyperparameterError(ConformanceError, TypeError):
    pass


@lru_cache(maxsize=None)
def _libraries(frameworks: tuple[str, ...]) -> dict[str, type[Library]]:
    """name -> Library class from the ``optimizers`` module of each of ``frameworks``' adapters,
    ordered by ``Library.listing_key``."""
    found: dict[str, type[Library]] = {}
    for framework in frameworks:
        cls = adapter_class(framework)
        if cls.provides("optimizers"):
            found.update(cls.capability("optimizers").OPTIMIZER_LIBRARIES)
    return dict(sorted(found.items(), key=lambda item: item[1].listing_key(item[0])))


def names() -> list[str]:
    """Every optimizer library the adapters provide (whether installed or not)."""
    return list(_libraries(tuple(order())))


def get(name: str) -> Library:
    libraries = _libraries(tuple(order()))
    if name not in libraries:
        raise UnknownLibraryError(f"unknown optimizer library {name!r}; choose one of {', '.join(libraries)}")
    return libraries[name](name)


def _attr(path: str) -> Any:
    module, _, attr = path.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class Library:
    """One library's optimizers. Subclasses fill the tables and ``_stepper``.

    ``OPTIMIZERS``: canonical optimizer -> ("module:attr" of the constructor, fixed keyword arguments).
    ``HYPERPARAMS``: canonical hyperparameter -> the library's keyword.
    ``framework``: the engine adapter (torch, jax, tensorflow) whose process runs it.
    """

    module: str = ""
    distribution: str = ""
    framework: str = ""
    OPTIMIZERS: dict[str, tuple[str, dict]] = {}
    HYPERPARAMS: dict[str, str] = {}

    in_process = True  # False where jobs must run in a child process (another Keras backend)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<optimizer library {self.name}>"

    @classmethod
    def listing_key(cls, name: str) -> tuple:
        """Where library ``name`` comes in ``names()``: a framework's own library in framework order."""
        return (0, adapter_class(cls.framework).order)

    def available(self) -> Availability:
        try:
            importlib.import_module(self.module)
        except Exception as exc:
            return Availability(
                False, f"{self.module} cannot be imported: {first_line(exc)}", f"pip install {self.distribution}"
            )
        return Availability(True)

    @property
    def version(self) -> str:
        return importlib.metadata.version(self.distribution)

    def constructor_name(self, optimizer: str) -> str:
        return self._entry(optimizer)[0].replace(":", ".")

    def _entry(self, optimizer: str) -> tuple[str, dict]:
        if optimizer not in self.OPTIMIZERS:
            raise UnsupportedOptimizerError(
                f"{self.name} has no optimizer {optimizer!r}; it has {', '.join(self.OPTIMIZERS)}"
            )
        return self.OPTIMIZERS[optimizer]

    def _signature(self, optimizer: str) -> inspect.Signature:
        return inspect.signature(_attr(self._entry(optimizer)[0]))

    def kwargs(self, optimizer: str, hyper: dict) -> dict:
        """The library's keyword arguments for canonical ``hyper`` (fixed ones included)."""
        path, fixed = self._entry(optimizer)
        params = self._signature(optimizer).parameters
        out = dict(fixed)
        for key, value in hyper.items():
            name = self.HYPERPARAMS.get(key)
            if name is None or name not in params:
                raise UnsupportedHyperparameterError(
                    f"{path.replace(':', '.')} takes no {key!r} hyperparameter (its arguments: {', '.join(params)})"
                )
            out[name] = value
        return out

    def defaults(self, optimizer: str) -> dict:
        """The library's defaults in canonical names, read from the constructor's signature."""
        params = self._signature(optimizer).parameters
        back = {v: k for k, v in self.HYPERPARAMS.items()}
        return {
            back[n]: p.default
            for n, p in params.items()
            if n in back
            and p.default is not inspect.Parameter.empty
            and isinstance(p.default, (int, float))
            and not isinstance(p.default, bool)
        }

    def make(self, optimizer: str, **hyper: Any) -> Any:
        """A stepper: ``step(theta, grad) -> theta`` (numpy float64) with ``set_learning_rate``."""
        path, _ = self._entry(optimizer)
        return self._stepper(_attr(path), self.kwargs(optimizer, hyper))

    def _stepper(self, constructor: Any, kwargs: dict) -> Any:
        raise NotImplementedError

    def run(self, jobs: list[dict]) -> list[dict]:
        """Run trajectory jobs (see ``run_job``) in this process."""
        return [run_job(self, job) for job in jobs]


def run_job(library: Library, job: dict) -> dict:
    """One job: {"optimizer", "hyper", "objective", "steps", "lr_at": {step: lr}, "numpy_scalars"} ->
    {"trajectory": (steps + 1, n) list} or {"error": the library's one-line message}."""
    from conformance.optimizers import objectives

    lr_at = {int(k): float(v) for k, v in (job.get("lr_at") or {}).items()}
    hyper = dict(job["hyper"])
    if job.get("numpy_scalars"):  # hyperparameters as numpy float64 scalars instead of Python floats
        hyper = {k: np.float64(v) if isinstance(v, float) else v for k, v in hyper.items()}
    try:
        stepper = library.make(job["optimizer"], **hyper)
        traj = objectives.trajectory(stepper, objectives.get(job["objective"]), int(job["steps"]), lr_at)
    except Exception as exc:  # a library refusing hyperparameters is a result
        return {"error": first_line(exc, 400)}
    return {"trajectory": np.asarray(traj).tolist()}


__all__ = [
    "Library",
    "UnknownLibraryError",
    "UnsupportedHyperparameterError",
    "UnsupportedOptimizerError",
    "get",
    "names",
    "run_job",
]
