"""JAX's own PINN operators: the Laplacian in Taylor mode (``jax.experimental.jet``), as STDE computes it.

Along a direction v, the second-order jet of t ↦ f(x + t v) has coefficients (f′, f″) with
f″ = vᵀ∇²f(x)v (jet's series are derivatives, not divided by k!); so

    Δf(x) = Σᵢ f″ along eᵢ,   the d jets batched by jax.vmap.

Found by ``adapter.capability("pinn")``: ``LAPLACIANS`` maps a method name to (doc, fn(adapter, f, x)).
"""

from __future__ import annotations

from typing import Any, Callable


def taylor_laplacian(adapter: Any, f: Callable, x: Any) -> Any:
    """Σᵢ (second Taylor coefficient of f along eᵢ), vmapped over the basis, as one staged program."""
    jax = adapter.fw
    jnp = jax.numpy

    def lap(z: Any) -> Any:
        from jax.experimental import jet

        def second(v: Any) -> Any:
            _, (_, d2) = jet.jet(f, (z,), ((v, jnp.zeros_like(v)),))
            return d2

        basis = jnp.eye(z.size, dtype=z.dtype).reshape((z.size,) + z.shape)
        return jnp.sum(jax.vmap(second)(basis))

    return adapter.program(lap, f, "Δ:taylor_jet")(x)


LAPLACIANS = {
    "taylor_jet": ("Σᵢ second-order Taylor coefficient along eᵢ by jax.experimental.jet, vmapped", taylor_laplacian),
}
