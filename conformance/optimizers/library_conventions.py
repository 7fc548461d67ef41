"""What each library documents for each optimizer, as flags of the reference rules.

An optimizer name here is canonical (``adam``, ``rmsprop_momentum``, ...); ``OPTIMIZERS`` gives its
reference rule, the flags that make it that optimizer and the hyperparameters the checks use (the
same values are passed to every library). ``DOCUMENTED[family][optimizer]`` holds the flags a
library family's documentation states (ε placement, where η enters the velocity, coupled or
decoupled weight decay), each with the page that states it. ``mapping`` gives the hyperparameters
that make a library reproduce the canonical (torch.optim) trajectory, with the reason for each
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.errors import ConformanceError

CANONICAL_LIBRARY = "torch"


@dataclass(frozen=True)
class Optimizer:
    rule: str  # key of rules.RULES
    flags: dict  # flags that define the optimizer (nesterov, centered, decoupled)
    hyper: dict  # hyperparameters used by the checks, besides lr
    adaptive: bool  # True: per-coordinate step sizes (chooses the objective's lr)
    lr_probe: bool = False  # has a velocity, so a mid-run lr change exposes where η enters it
    eps_probe: bool = False  # has an ε, so tiny gradients expose its placement


OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer("gradient_descent", {}, {}, False),
    "momentum": Optimizer("momentum", {}, {"momentum": 0.9}, False, lr_probe=True),
    "nesterov": Optimizer("momentum", {"nesterov": True}, {"momentum": 0.9}, False, lr_probe=True),
    "adam": Optimizer("adam", {}, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, True, eps_probe=True),
    "adamw": Optimizer(
        "adam",
        {"decoupled": True},
        {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        True,
        eps_probe=True,
    ),
    "rmsprop": Optimizer("rmsprop", {}, {"rho": 0.9, "eps": 1e-8}, True, eps_probe=True),
    "rmsprop_centered": Optimizer("rmsprop", {"centered": True}, {"rho": 0.9, "eps": 1e-8}, True, eps_probe=True),
    "rmsprop_momentum": Optimizer(
        "rmsprop", {}, {"rho": 0.9, "eps": 1e-8, "momentum": 0.9}, True, lr_probe=True, eps_probe=True
    ),
    "adagrad": Optimizer("adagrad", {}, {"eps": 1e-10, "initial_accumulator": 0.1}, True, eps_probe=True),
}


@dataclass(frozen=True)
class Documented:
    flags: dict
    link: str
    note: str = ""
    extra: dict = field(default_factory=dict)  # library-only hyperparameters that switch a flag


_T = "https://docs.pytorch.org/docs/stable/generated/torch.optim."
_O = "https://optax.readthedocs.io/en/latest/api/optimizers.html#optax."
_K = "https://keras.io/api/optimizers/"

DOCUMENTED: dict[str, dict[str, Documented]] = {
    "torch": {
        "sgd": Documented({"decoupled": False}, _T + "SGD.html"),
        "momentum": Documented(
            {"lr_in_velocity": False}, _T + "SGD.html", "b ← μb + (1−τ)g, θ ← θ − ηb (first step b = g)"
        ),
        "nesterov": Documented({"lr_in_velocity": False}, _T + "SGD.html", "θ ← θ − η(g + μb)"),
        "adam": Documented(
            {"eps_hat": False, "decoupled": False}, _T + "Adam.html", "ε outside √v̂; weight_decay is L2 (coupled)"
        ),
        "adamw": Documented({"eps_hat": False}, _T + "AdamW.html", "θ ← θ(1 − ηλ) first"),
        "rmsprop": Documented({"eps_in_sqrt": False, "decoupled": False}, _T + "RMSprop.html", "g/(√v + ε)"),
        "rmsprop_centered": Documented({"eps_in_sqrt": False}, _T + "RMSprop.html"),
        "rmsprop_momentum": Documented(
            {"eps_in_sqrt": False, "lr_in_velocity": False}, _T + "RMSprop.html", "b ← μb + g/(√v + ε), θ ← θ − ηb"
        ),
        "adagrad": Documented({"eps_in_sqrt": False}, _T + "Adagrad.html", "g/(√S + ε), S₀ = 0"),
    },
    "optax": {
        "sgd": Documented({}, _O + "sgd"),
        "momentum": Documented({"lr_in_velocity": False}, _O + "sgd", "trace then scale by −η"),
        "nesterov": Documented({"lr_in_velocity": False}, _O + "sgd"),
        "adam": Documented({"eps_hat": False}, _O + "adam", "m̂/(√(v̂ + ε_root) + ε)"),
        "adamw": Documented({"eps_hat": False}, _O + "adamw", "update + λθ, then scale by −η"),
        "rmsprop": Documented(
            {"eps_in_sqrt": True}, _O + "rmsprop", "eps_in_sqrt=True default", {"eps_in_sqrt": False}
        ),
        "rmsprop_centered": Documented({"eps_in_sqrt": True}, _O + "rmsprop", "", {"eps_in_sqrt": False}),
        "rmsprop_momentum": Documented(
            {"eps_in_sqrt": True, "lr_in_velocity": True},
            _O + "rmsprop",
            "scale_by_learning_rate comes before trace(momentum)",
            {"eps_in_sqrt": False},
        ),
        "adagrad": Documented({"eps_in_sqrt": True}, _O + "adagrad", "g/√(S + ε), S₀ = 0.1"),
    },
    "keras": {
        "sgd": Documented({"decoupled": True}, _K + "sgd/", "weight_decay: θ ← θ − ηλθ"),
        "momentum": Documented({"lr_in_velocity": True}, _K + "sgd/", "v ← μv − ηg, θ ← θ + v"),
        "nesterov": Documented({"lr_in_velocity": True}, _K + "sgd/", "θ ← θ + μv − ηg"),
        "adam": Documented(
            {"eps_hat": True, "decoupled": True}, _K + "adam/", "epsilon is the paper's ε̂ (formula before Section 2.1)"
        ),
        "adamw": Documented({"eps_hat": True}, _K + "adamw/", "Adam's ε̂ with decoupled decay"),
        "rmsprop": Documented({"eps_in_sqrt": True, "decoupled": True}, _K + "rmsprop/", "g/√(v + ε)"),
        "rmsprop_centered": Documented({"eps_in_sqrt": True}, _K + "rmsprop/"),
        "rmsprop_momentum": Documented(
            {"eps_in_sqrt": True, "lr_in_velocity": True}, _K + "rmsprop/", "m ← μm + ηg/√(v + ε), θ ← θ − m"
        ),
        "adagrad": Documented({"eps_in_sqrt": True, "decoupled": True}, _K + "adagrad/", "g/√(S + ε), S₀ = 0.1"),
    },
}


class UnknownOptimizerError(ConformanceError, KeyError):
    pass


def family(library: str) -> str:
    """'keras[jax]' -> 'keras': every Keras backend documents the same rules."""
    return library.split("[", 1)[0]


def documented(library: str, optimizer: str) -> Documented:
    try:
        return DOCUMENTED[family(library)][optimizer]
    except KeyError:
        raise UnknownOptimizerError(
            f"no documented rule for {library}:{optimizer}; known optimizers: "
            f"{', '.join(DOCUMENTED.get(family(library), {}))}"
        ) from None


def reference_flags(library: str, optimizer: str, **override: object) -> dict:
    """The rule's flags for ``library``'s ``optimizer``: defining flags, then documented ones."""
    return {**OPTIMIZERS[optimizer].flags, **documented(library, optimizer).flags, **override}


def mapping(library: str, optimizer: str, hyper: dict) -> tuple[dict, dict, list[str]]:
    """Hyperparameters under which ``library`` reproduces torch.optim's trajectory.

    Returns (library hyperparameters, canonical hyperparameters, the reasons for each change). Where
    the library can switch the convention (optax ``eps_in_sqrt``), it is switched; where ε placement
    cannot be mapped (√v + ε vs √(v + ε) or ε̂: no constant ε turns one into the other), both run
    with ε = 0; where η enters the velocity differently, constant η makes them equal.
    """
    mine = reference_flags(library, optimizer)
    canon = reference_flags(CANONICAL_LIBRARY, optimizer)
    lib_h, can_h, notes = dict(hyper), dict(hyper), []
    for flag in ("eps_in_sqrt", "eps_hat"):
        if mine.get(flag, False) != canon.get(flag, False):
            extra = documented(library, optimizer).extra
            if flag in extra:
                lib_h.update(extra)
                notes.append(f"{flag}={extra[flag]} makes {library} place ε as torch does")
            else:
                lib_h["eps"] = can_h["eps"] = 0.0
                notes.append(f"ε placement differs ({flag}) and cannot be mapped: ε = 0 in both")
    if mine.get("lr_in_velocity", False) != canon.get("lr_in_velocity", False):
        notes.append("η enters the velocity differently: identical only while η is constant")
    if "weight_decay" in hyper and mine.get("decoupled") != canon.get("decoupled"):
        notes.append("weight decay coupling differs: λ = 0 in both")
        lib_h["weight_decay"] = can_h["weight_decay"] = 0.0
    return lib_h, can_h, notes
