"""jax: a jax.custom_vjp with a skewed backward rule, and jax.test_util.check_grads."""

from __future__ import annotations

from typing import Any, Callable

from conformance.errors import first_line


def custom_sin_exp(delta: float) -> Callable:
    import jax

    jnp = jax.numpy

    @jax.custom_vjp
    def f(x):
        return jnp.sum(jnp.sin(x) * jnp.exp(x))

    def fwd(x):
        return f(x), x

    def bwd(x, g):
        return (g * (jnp.cos(x) + jnp.sin(x)) * jnp.exp(x) * (1 + delta),)

    f.defvjp(fwd, bwd)
    return f


def native_check(f: Callable, x: Any) -> tuple[bool, str]:
    """jax.test_util.check_grads(f, (x,), order=1, modes=["rev"]) with its default tolerances."""
    import jax
    import jax.test_util

    try:
        jax.test_util.check_grads(f, (jax.numpy.asarray(x),), order=1, modes=["rev"])
    except AssertionError as exc:
        return True, first_line(exc, 120, with_type=False)
    return False, "passed"


def time_native_check(f: Callable, x: Any) -> None:
    return None


def check_rule(f: Callable, x: Any, modes: tuple[str, ...] = ("fwd", "rev")) -> tuple[bool, str]:
    """jax.test_util.check_grads(f, (x,), order=2, modes=modes) with its default tolerances and step
    (eps 1e-4; random directions): (flagged, the first line of its AssertionError or "passed").
    ``modes``: the ones the mechanism runs (a custom_vjp has no forward mode)."""
    import jax
    import jax.test_util

    try:
        jax.test_util.check_grads(f, (jax.numpy.asarray(x),), order=2, modes=list(modes))
    except Exception as exc:  # AssertionError: a mismatch; anything else: the rule could not run
        return True, first_line(exc, 300, with_type=not isinstance(exc, AssertionError))
    return False, "passed"
