"""JAX: the composable transforms (``grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev``, ``hessian``) and
``linearize`` + ``linear_transpose`` as two variants of one adapter. float64 is enabled (x64)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..base import Adapter, Namespace
from ..operators import Operators


def _xp(jax: Any) -> Namespace:
    jnp = jax.numpy
    sp = jax.scipy.special

    def asarray(a, like=None, dtype=None):
        if like is None:
            return jnp.asarray(a, dtype=dtype)
        out = jnp.asarray(a, dtype=like.dtype)
        if isinstance(like, jax.core.Tracer):
            return out  # inside a transform: an uncommitted constant follows its operands' device
        return jax.device_put(out, list(like.devices())[0])

    def eye(n, like=None, dtype=None):
        return asarray(np.eye(n), like=like, dtype=dtype)

    return Namespace(
        "jax.numpy",
        jnp,
        {
            "erf": sp.erf,
            "erfc": sp.erfc,
            "sigmoid": jax.nn.sigmoid,
            "softplus": jax.nn.softplus,
            "relu": jax.nn.relu,
            "logsumexp": sp.logsumexp,
            "softmax": jax.nn.softmax,
            "log_softmax": jax.nn.log_softmax,
            "asarray": asarray,
            "eye": eye,
        },
        linalg=Namespace("jax.numpy.linalg", jnp.linalg),
    )


class Transforms(Operators):
    """JAX's composable transforms."""

    apis = "jax.grad, value_and_grad, jvp, vjp, jacfwd, jacrev, hessian"

    def grad(self, f: Callable, argnums: Any) -> Callable:
        return self.fw.grad(f, argnums=argnums)

    def value_and_grad(self, f: Callable, argnums: Any) -> Callable:
        return self.fw.value_and_grad(f, argnums=argnums)

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        return self.fw.jvp(f, (x,), (v,))

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        y, pullback = self.fw.vjp(f, x)
        return y, pullback(u)[0]

    def jacobian_fwd(self, f: Callable) -> Callable:
        return self.fw.jacfwd(f)

    def jacobian_rev(self, f: Callable) -> Callable:
        return self.fw.jacrev(f)

    def hessian(self, f: Callable) -> Callable:
        return self.fw.hessian(f)  # jacfwd(jacrev(f))


class Linearize(Operators):
    """Forward mode by jax.linearize, reverse mode by jax.linear_transpose of the linearized map."""

    apis = "jax.linearize for forward mode, jax.linear_transpose of it for reverse mode"

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        y, f_jvp = self.fw.linearize(f, x)
        return y, f_jvp(v)

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        """Jᵀu as the transpose of the linearized map v ↦ J v."""
        y, f_jvp = self.fw.linearize(f, x)
        (ct,) = self.fw.linear_transpose(f_jvp, x)(u)
        return y, ct

    def grad(self, f: Callable, argnums: Any) -> Callable:
        idx = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        jnp = self.fw.numpy

        def gradient(*args):
            def g(*sel):
                full = list(args)
                for i, s in zip(idx, sel):
                    full[i] = s
                return f(*full)

            sel = tuple(args[i] for i in idx)
            y, f_jvp = self.fw.linearize(g, *sel)
            cts = self.fw.linear_transpose(f_jvp, *sel)(jnp.ones_like(y))
            return cts[0] if isinstance(argnums, int) else tuple(cts)

        return gradient

    def jacobian_fwd(self, f: Callable) -> Callable:
        jax = self.fw

        def jac(x):
            y, f_jvp = jax.linearize(f, x)
            basis = jax.numpy.eye(x.size, dtype=x.dtype).reshape((x.size,) + x.shape)
            cols = jax.vmap(f_jvp)(basis)  # (n,) + y.shape
            return jax.numpy.moveaxis(cols, 0, -1).reshape(y.shape + x.shape)

        return jac

    def jacobian_rev(self, f: Callable) -> Callable:
        jax = self.fw

        def jac(x):
            y, f_jvp = jax.linearize(f, x)
            f_vjp = jax.linear_transpose(f_jvp, x)
            basis = jax.numpy.eye(y.size, dtype=y.dtype).reshape((y.size,) + y.shape)
            rows = jax.vmap(lambda u: f_vjp(u)[0])(basis)
            return rows.reshape(y.shape + x.shape)

        return jac


class JaxAdapter(Adapter):
    name = "jax"
    order = 3
    color = "#6a4c93"
    module = "jax"
    distribution = "jax"
    companions = ("jaxlib", "optax", "numpyro")
    install = "pip install 'jax[cpu]'"
    implementations = {"transforms": Transforms, "linearize": Linearize}
    optimizer_library = "optax"
    compile_optimizer_steps = True  # eager JAX pays ~10x dispatch cost on the study's model
    dtypes = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
    relative_cost = 14.0  # task seconds vs torch's in a full `conformance run` (2-core CPU, ci profile)
    # Complex gradient convention (conformance.edges.complex normalizes by it): JAX returns ∂L/∂x − i ∂L/∂y, the conjugate of PyTorch's; vjp gives Jᵀu (no conjugation)
    # https://jax.readthedocs.io/en/latest/notebooks/autodiff_cookbook.html#complex-numbers-and-differentiation
    complex_grad_convention = "conjugate"
    # JAX's refusals (see Adapter.refusal): forward mode through a custom_vjp rule (directly, or nested over
    # jax.linearize's custom_lin), reverse mode through a while_loop/fori_loop with dynamic bounds
    REFUSALS = (
        r"can't apply forward-mode autodiff \(jvp\) to a custom_vjp function",
        r"Differentiation rule for 'custom_lin' not implemented",
        r"Reverse-mode differentiation does not work for lax\.while_loop",
    )
    DTYPE_REFUSALS = (r"RFFT input must be float32 or float64",)  # an input dtype with no kernel

    @classmethod
    def configure_cache(cls, path: Any) -> bool:
        """JAX's persistent compilation cache in ``path``, every program kept (no minimum compile time
        or entry size), or off. Environment variables for processes that import jax later (spawned
        workers inherit them), jax.config where it is already imported."""
        import os
        import sys

        settings = {"jax_enable_compilation_cache": path is not None}
        if path is not None:
            settings.update(
                jax_compilation_cache_dir=str(path),
                jax_persistent_cache_min_compile_time_secs=0,
                jax_persistent_cache_min_entry_size_bytes=-1,
            )
        for name, value in settings.items():
            os.environ[name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
            if "jax" in sys.modules:
                sys.modules["jax"].config.update(name, value)
        return True

    @classmethod
    def _load(cls) -> Any:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_default_matmul_precision", "highest")
        import jax.numpy  # noqa: F401
        import jax.scipy.special  # noqa: F401

        return jax

    _XP: Namespace | None = None

    @property
    def xp(self) -> Namespace:
        if JaxAdapter._XP is None:
            JaxAdapter._XP = _xp(self.fw)
        return JaxAdapter._XP

    def _gpus(self) -> list[Any]:
        try:
            return list(self.fw.devices("gpu"))
        except RuntimeError:  # no GPU backend in this jaxlib
            return []

    def devices(self) -> list[str]:
        return ["cpu"] + [f"cuda:{i}" for i in range(len(self._gpus()))]

    def _device(self, dev: str) -> Any:
        if dev == "cpu":
            return self.fw.devices("cpu")[0]
        return self._gpus()[int(dev.split(":")[1])]

    def from_numpy(self, array: Any, dtype: str | None = None, device: str | None = None) -> Any:
        jax = self.fw
        dev = self._check_device(device)
        self._check_dtype(dtype)
        x = jax.numpy.asarray(np.array(array), dtype=dtype)
        return jax.device_put(x, self._device(dev))

    def to_numpy(self, x: Any) -> np.ndarray:
        a = np.asarray(x)
        return a.astype(np.float32) if a.dtype.name == "bfloat16" else a

    def _like(self, a: np.ndarray, x: Any) -> Any:
        return self.xp.asarray(a, like=x)

    def compile(self, f: Callable) -> Callable:
        return self.fw.jit(f)

    def synchronize(self, *results: Any) -> None:
        self.fw.block_until_ready(results)

    def _stage(self, fn: Callable) -> Callable:
        """jax.jit: run eagerly, JAX compiles each primitive for every new shape and dtype on the
        way (a Hessian on a new shape: 2.2 s eager, 0.2 s as one jitted program; measured on this
        project's 2-core CPU machine, jax 0.10.2)."""
        return self.fw.jit(fn)
