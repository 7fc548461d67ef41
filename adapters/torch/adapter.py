"""PyTorch: ``torch.func`` (functional transforms) and ``torch.autograd`` (tape, forward_ad and
``torch.autograd.functional``) as two variants of one adapter."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..base import Adapter, Namespace
from ..operators import Operators


def _reduction(dim_fn: Callable, all_fn: Callable) -> Callable:
    """numpy-style ``f(x, axis=None, keepdims=False)`` from a torch reduction over ``dim``
    (``dim_fn(x, axis, keepdims)``) and one over every element (``all_fn(x)``)."""

    def reduce(x, axis=None, keepdims=False):
        if axis is None:
            out = all_fn(x)
            return out.reshape((1,) * x.ndim) if keepdims else out
        return dim_fn(x, axis, keepdims)

    return reduce


def _xp(torch: Any) -> Namespace:
    F = torch.nn.functional

    def like(a, like=None, dtype=None):
        if like is not None:
            return torch.as_tensor(np.asarray(a), dtype=like.dtype, device=like.device)
        return torch.as_tensor(np.asarray(a) if not torch.is_tensor(a) else a, dtype=dtype)

    linalg = Namespace(
        "torch.linalg",
        torch.linalg,
        {
            "norm": lambda x, ord=None, axis=None: torch.linalg.norm(x, ord=ord, dim=axis),
        },
    )
    return Namespace(
        "torch",
        torch,
        {
            "power": torch.pow,
            "erf": torch.special.erf,
            "erfc": torch.special.erfc,
            "softplus": F.softplus,
            "imag": lambda x: torch.imag(x) if x.is_complex() else torch.zeros_like(x),
            "sum": _reduction(lambda x, a, k: torch.sum(x, dim=a, keepdim=k), torch.sum),
            "mean": _reduction(lambda x, a, k: torch.mean(x, dim=a, keepdim=k), torch.mean),
            "prod": _reduction(lambda x, a, k: torch.prod(x, dim=a, keepdim=k), torch.prod),
            "max": _reduction(lambda x, a, k: torch.amax(x, dim=a, keepdim=k), torch.max),
            "min": _reduction(lambda x, a, k: torch.amin(x, dim=a, keepdim=k), torch.min),
            "logsumexp": _reduction(
                lambda x, a, k: torch.logsumexp(x, dim=a, keepdim=k), lambda x: torch.logsumexp(x.reshape(-1), 0)
            ),
            "var": _reduction(
                lambda x, a, k: torch.var(x, dim=a, keepdim=k, correction=0), lambda x: torch.var(x, correction=0)
            ),
            "std": _reduction(
                lambda x, a, k: torch.std(x, dim=a, keepdim=k, correction=0), lambda x: torch.std(x, correction=0)
            ),
            "cumsum": lambda x, axis=None: torch.cumsum(x.reshape(-1) if axis is None else x, dim=axis or 0),
            "transpose": lambda x, axes=None: x.permute(*(axes or reversed(range(x.ndim)))),
            "stack": lambda xs, axis=0: torch.stack(list(xs), dim=axis),
            "concatenate": lambda xs, axis=0: torch.cat(list(xs), dim=axis),
            "expand_dims": lambda x, axis: torch.unsqueeze(x, axis),
            "squeeze": lambda x, axis=None: torch.squeeze(x) if axis is None else torch.squeeze(x, axis),
            "eye": lambda n, like=None, dtype=None: torch.eye(
                n, dtype=like.dtype if like is not None else dtype, device=like.device if like is not None else None
            ),
            "asarray": like,
            "take": lambda x, idx, axis=None: (
                torch.take(x, torch.as_tensor(idx))
                if axis is None
                else torch.index_select(x, axis, torch.as_tensor(idx, device=x.device))
            ),
            "softmax": lambda x, axis=-1: torch.softmax(x, dim=axis),
            "log_softmax": lambda x, axis=-1: torch.log_softmax(x, dim=axis),
            "clip": lambda x, lo=None, hi=None: torch.clip(x, lo, hi),
        },
        linalg=linalg,
    )


class TorchFunc(Operators):
    """torch.func's composable transforms (functorch)."""

    apis = "torch.func: grad, grad_and_value, jvp, vjp, jacfwd, jacrev, hessian"

    def grad(self, f: Callable, argnums: Any) -> Callable:
        return self.fw.func.grad(f, argnums=argnums)

    def value_and_grad(self, f: Callable, argnums: Any) -> Callable:
        gv = self.fw.func.grad_and_value(f, argnums=argnums)

        def value_and_grad(*args):
            g, v = gv(*args)
            return v, g

        return value_and_grad

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        return self.fw.func.jvp(f, (x,), (v,))

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        y, pullback = self.fw.func.vjp(f, x)
        return y, pullback(u)[0]

    def jacobian_fwd(self, f: Callable) -> Callable:
        return self.fw.func.jacfwd(f)

    def jacobian_rev(self, f: Callable) -> Callable:
        return self.fw.func.jacrev(f)

    def hessian(self, f: Callable) -> Callable:
        return self.fw.func.hessian(f)  # jacfwd(jacrev(f))


class TorchAutograd(Operators):
    """torch.autograd: the tape (autograd.grad), forward_ad and autograd.functional."""

    apis = "torch.autograd.grad, torch.autograd.forward_ad, torch.autograd.functional.{jacobian, hessian, hvp}"

    def _track(self, x: Any) -> tuple[Any, bool]:
        """x as a tensor that records operations; nested=True when x is already being tracked by
        an outer derivative, so this one must build a differentiable graph (create_graph)."""
        if x.requires_grad:
            return x, True
        fwAD = self.fw.autograd.forward_ad
        primal, tangent = fwAD.unpack_dual(x)
        if tangent is not None:
            # x carries an outer forward-mode tangent (forward over reverse): detach() would drop it
            # and make the outer JVP silently zero, so re-attach it to the new leaf.
            return fwAD.make_dual(primal.detach().requires_grad_(True), tangent), True
        return x.detach().requires_grad_(True), False

    def _outer(self, a: Any) -> bool:
        """Whether an outer derivative tracks ``a`` (reverse mode: requires_grad; forward: a tangent)."""
        fw = self.fw
        return fw.is_tensor(a) and (a.requires_grad or fw.autograd.forward_ad.unpack_dual(a).tangent is not None)

    def grad(self, f: Callable, argnums: Any) -> Callable:
        torch = self.fw
        idx = [argnums] if isinstance(argnums, int) else list(argnums)

        def gradient(*args):
            with torch.enable_grad():
                tracked = [self._track(a) if i in idx else (a, False) for i, a in enumerate(args)]
                xs = [t for t, _ in tracked]
                # nested when an outer derivative tracks any argument, not only the differentiated
                # ones: ∂/∂t of ∂u/∂x needs the graph of ∂u/∂x although x itself is a fresh leaf
                nested = any(n for _, n in tracked) or any(self._outer(a) for i, a in enumerate(args) if i not in idx)
                y = f(*xs)
                if not y.requires_grad:  # y does not depend on the inputs (e.g. a vanishing
                    # higher derivative): its gradient is zero, which autograd.grad refuses to say
                    grads = tuple(torch.zeros_like(xs[i]) for i in idx)
                else:
                    grads = torch.autograd.grad(
                        y, [xs[i] for i in idx], create_graph=nested, allow_unused=True, materialize_grads=True
                    )
            return grads[0] if isinstance(argnums, int) else tuple(grads)

        return gradient

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        fwAD = self.fw.autograd.forward_ad
        with fwAD.dual_level():
            out = f(fwAD.make_dual(x, v))
            primal, tangent = fwAD.unpack_dual(out)
        return primal, tangent if tangent is not None else self.fw.zeros_like(primal)

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        torch = self.fw
        with torch.enable_grad():
            xt, nested = self._track(x)
            y = f(xt)
            if not y.requires_grad:  # f does not depend on x: the cotangent pulled back is zero
                ct = torch.zeros_like(xt)
            else:
                (ct,) = torch.autograd.grad(y, xt, u, create_graph=nested, allow_unused=True, materialize_grads=True)
        return (y if nested else y.detach()), ct

    def jacobian_rev(self, f: Callable) -> Callable:
        jac = self.fw.autograd.functional.jacobian
        return lambda x: jac(f, x, create_graph=x.requires_grad, vectorize=True)

    def jacobian_fwd(self, f: Callable) -> Callable:
        jac = self.fw.autograd.functional.jacobian
        return lambda x: jac(f, x, create_graph=x.requires_grad, vectorize=True, strategy="forward-mode")

    def hessian(self, f: Callable) -> Callable:
        hess = self.fw.autograd.functional.hessian
        return lambda x: hess(f, x, create_graph=x.requires_grad)

    def hvp(self, f: Callable, x: Any, v: Any) -> Any:
        return self.fw.autograd.functional.hvp(f, x, v, create_graph=x.requires_grad)[1]


class TorchAdapter(Adapter):
    name = "torch"
    order = 1
    color = "#d1495b"
    module = "torch"
    distribution = "torch"
    install = "pip install torch==2.13.0  (the CPU wheel; an unpinned torch pulls a CUDA build)"
    implementations = {"func": TorchFunc, "autograd": TorchAutograd}
    optimizer_library = "torch"
    compile_optimizer_steps = False  # torch.compile takes longer to compile than the study runs
    dtypes = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
    # Complex gradient convention (conformance.edges.complex normalizes by it): PyTorch returns ∂L/∂x + i ∂L/∂y (= 2 ∂L/∂z̄) for a real loss of z = x + iy; vjp gives conj(J)ᵀu
    # https://pytorch.org/docs/stable/notes/autograd.html#complex-autograd-doc
    complex_grad_convention = "direct"
    # torch's refusals to run a function through an API (see Adapter.refusal): functorch transforms of an
    # old-style autograd.Function (no setup_context) or of one without a vmap rule, forward mode through a
    # Function without jvp or an op without a forward derivative, a second derivative of a once-differentiable
    # backward, data-dependent Python under vmap
    REFUSALS = (
        r"must override the setup_context staticmethod",
        r"must implement the jvp function for custom autograd\.Function",
        r"does not have vmap support",
        r"override the vmap staticmethod",
        r"marked with @once_differentiable",
        r"Trying to use forward AD with .* that does not support it",
        r"[Nn]ested forward mode AD is not supported",
        r"vmap: .*(not supported|data-dependent)",
        r"is not supported with vmap",
    )
    # ... and of an input dtype an op has no kernel for (linalg.pinv of float16)
    DTYPE_REFUSALS = (r"dimensions of float, double, cfloat or cdouble types",)

    @classmethod
    def configure_cache(cls, path: Any) -> bool:
        """torch.compile's on-disk caches (inductor's FX graph cache and its kernels) in ``path``, or
        off; read by torch when it compiles, so environment variables suffice."""
        import os

        if path is None:
            os.environ["TORCHINDUCTOR_FORCE_DISABLE_CACHES"] = "1"
            return True
        os.environ.pop("TORCHINDUCTOR_FORCE_DISABLE_CACHES", None)
        os.environ.update(TORCHINDUCTOR_CACHE_DIR=str(path), TORCHINDUCTOR_FX_GRAPH_CACHE="1")
        return True

    @classmethod
    def _load(cls) -> Any:
        import torch

        # Full-precision float32 matmul and convolution for correctness work (no TF32).
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
        return torch

    _XP: Namespace | None = None

    @property
    def xp(self) -> Namespace:
        if TorchAdapter._XP is None:
            TorchAdapter._XP = _xp(self.fw)
        return TorchAdapter._XP

    def devices(self) -> list[str]:
        torch = self.fw
        return ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]

    def from_numpy(self, array: Any, dtype: str | None = None, device: str | None = None) -> Any:
        torch = self.fw
        dev = self._check_device(device)
        self._check_dtype(dtype)
        a = np.array(array)
        if dtype is None:
            return torch.as_tensor(a, device=dev)
        return torch.as_tensor(a, device=dev).to(getattr(torch, dtype))

    def to_numpy(self, x: Any) -> np.ndarray:
        x = x.detach().cpu()
        if x.dtype in (self.fw.bfloat16,):
            x = x.float()  # numpy has no bfloat16; float32 holds every bfloat16 value exactly
        return x.resolve_conj().numpy()

    def _like(self, a: np.ndarray, x: Any) -> Any:
        return self.fw.as_tensor(a, dtype=x.dtype, device=x.device)

    def compile(self, f: Callable) -> Callable:
        return self.fw.compile(f)

    def synchronize(self, *results: Any) -> None:
        """Wait for the queued kernels of every CUDA device (CPU ops are synchronous)."""
        cuda = self.fw.cuda
        if cuda.is_available():
            for i in range(cuda.device_count()):
                cuda.synchronize(i)
