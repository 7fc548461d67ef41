"""Framework-specific pieces of the custom-rule study (``conformance targets --only rules``,
``conformance.derivatives.rule_study``): each framework's mechanisms for a hand-written derivative
rule, behind one small interface. Each framework's ``rules`` module
(``conformance.adapters.<framework>.rules``) exports

    MECHANISMS: dict[str, Mechanism]    name -> how to wrap a function and its hand-written rule(s)
    stop_gradient(x) -> x               the same values with a zero derivative (torch detach,
                                        jax.lax.stop_gradient, tf.stop_gradient)

A ``Mechanism``'s ``build(forward, vjp, jvp)`` returns a function of the framework's arrays that
computes ``forward(x)`` and differentiates only through the rules the mechanism takes from its
author (``rules``): ``vjp(x, g) = J(x)ᵀ g`` and/or ``jvp(x, t) = J(x) t``, written against the
framework's xp namespace by the study (the math and the mutants live once, in the core); the
framework derives whatever else it needs (forward mode from the VJP, reverse mode by transposing
the JVP, second order by differentiating the rule itself). ``native_modes`` are the modes the
framework's own checker can run on it (``jax.test_util.check_grads(modes=...)``).

The factories hold no math: a mechanism only wires the three callables into the framework's API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import adapter_class

RULE_KINDS = ("vjp", "jvp")


@dataclass(frozen=True)
class Mechanism:
    """One way to hand-write a derivative rule in a framework.

    build(forward, vjp, jvp) -> f; rules: which of ("vjp", "jvp") the author writes (the others are
    derived by the framework); native_modes: ("fwd", "rev") modes its own checker can run; doc: the
    API, as a user would name it."""

    name: str
    build: Callable[[Callable, Callable, Callable], Callable]
    rules: tuple[str, ...]
    doc: str
    native_modes: tuple[str, ...] = ("fwd", "rev")

    def __post_init__(self) -> None:
        bad = [r for r in self.rules if r not in RULE_KINDS]
        if bad or not self.rules:
            raise ValueError(f"mechanism {self.name}: rules must be a non-empty subset of {RULE_KINDS}")


def module(name: str) -> Any:
    """The rules module of framework ``name``, or None where it has none."""
    cls = adapter_class(name)
    return cls.capability("rules") if cls.provides("rules") else None
