"""TensorFlow: ``tf.GradientTape`` (gradient, ``tape.jacobian``, nested tapes; forward products by
the double-backward trick) and ``tf.autodiff.ForwardAccumulator`` (forward mode, forward-over-back
Hessians) as two variants of one adapter."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from conformance.errors import first_line

from ..base import Adapter, Namespace
from ..operators import Operators


def _xp(tf: Any) -> Namespace:
    tnp = tf.experimental.numpy

    def asarray(a, like=None, dtype=None):
        if like is None:
            return tf.constant(np.asarray(a), dtype=dtype)
        with tf.device(like.device or "/CPU:0"):
            return tf.cast(tf.constant(np.asarray(a)), like.dtype)

    def solve(a, b):
        vector = len(b.shape) == len(a.shape) - 1
        x = tf.linalg.solve(a, b[..., None] if vector else b)
        return x[..., 0] if vector else x

    def reduction(fn):
        return lambda x, axis=None, keepdims=False: fn(x, axis=axis, keepdims=keepdims)

    linalg = Namespace(
        "tf.linalg",
        tf.linalg,
        {
            "solve": solve,
            "svdvals": lambda x: tf.linalg.svd(x, compute_uv=True, full_matrices=False)[0],
            "norm": lambda x, ord=None, axis=None: tf.norm(x, ord="euclidean" if ord is None else ord, axis=axis),
        },
    )
    return Namespace(
        "tf.experimental.numpy",
        tnp,
        {
            "erf": tf.math.erf,
            "erfc": tf.math.erfc,
            "sigmoid": tf.math.sigmoid,
            "softplus": tf.math.softplus,
            "relu": tf.nn.relu,
            "logsumexp": reduction(tf.reduce_logsumexp),
            "softmax": lambda x, axis=-1: tf.nn.softmax(x, axis=axis),
            "log_softmax": lambda x, axis=-1: tf.nn.log_softmax(x, axis=axis),
            "asarray": asarray,
            "eye": lambda n, like=None, dtype=None: asarray(np.eye(n), like=like, dtype=dtype),
            "clip": lambda x, lo=None, hi=None: tnp.clip(x, lo, hi),
        },
        linalg=linalg,
    )


# Options of ``tf.function`` for compiled mode, shared with the benchmarks' hand-written timing loop.
# XLA (jit_compile) measured on this project's CPU machine (2 cores, float64, TF 2.21): GMM d=10 k=25
# n=1000 objective 12.6 -> 1.8 ms and gradient 29.9 -> 7.5 ms; D-LSTM l=2 c=1024 (tf.scan) objective
# 557 -> 7.9 ms and gradient 1823 -> 139 ms; gradients equal to the float64 reference (rho <= 7e-14).
FUNCTION_OPTIONS: dict[str, Any] = {"reduce_retracing": True, "jit_compile": True}


class _Reverse(Operators):
    """Reverse mode through tf.GradientTape, shared by both variants: gradients, VJPs and the
    reverse-mode Jacobian."""

    # Up to this many output entries an eager tape.jacobian takes its loop path (see _tape_jacobian).
    EAGER_LOOP_MAX = 64

    def _zeros(self):
        return self.fw.UnconnectedGradients.ZERO

    def grad(self, f: Callable, argnums: Any) -> Callable:
        tf = self.fw
        idx = [argnums] if isinstance(argnums, int) else list(argnums)

        def gradient(*args):
            with tf.GradientTape() as tape:
                for i in idx:
                    tape.watch(args[i])
                y = f(*args)
            grads = tape.gradient(y, [args[i] for i in idx], unconnected_gradients=self._zeros())
            return grads[0] if isinstance(argnums, int) else tuple(grads)

        return gradient

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        tf = self.fw
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return y, tape.gradient(y, x, output_gradients=u, unconnected_gradients=self._zeros())

    def _tape_jacobian(self, tape: Any, y: Any, x: Any) -> Any:
        """``tape.jacobian(y, x)``. Eagerly, its default pfor path traces a new graph function on
        every call (0.20 s for a 6×6 Hessian measured here, TF 2.21) while its loop path
        (``experimental_use_pfor=False``: one gradient per output entry) took 0.05 s; so eager calls
        with at most EAGER_LOOP_MAX output entries take the loop, larger ones and calls inside a
        ``tf.function`` the default vectorized pfor path. The tape must be persistent for the loop."""
        tf = self.fw
        small = y.shape.num_elements() is not None and y.shape.num_elements() <= self.EAGER_LOOP_MAX
        return tape.jacobian(
            y, x, unconnected_gradients=self._zeros(), experimental_use_pfor=not (tf.executing_eagerly() and small)
        )

    def jacobian_rev(self, f: Callable) -> Callable:
        tf = self.fw

        def jac(x):
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(x)
                y = f(x)
            return self._tape_jacobian(tape, y, x)

        return jac


class Tape(_Reverse):
    """Everything through tf.GradientTape: forward products by the double-backward trick, Hessians by
    nested tapes."""

    apis = "tf.GradientTape: gradient, jacobian, nested tapes (reverse-over-reverse)"

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        """J v by the double-backward trick: g(u) = Jᵀu is linear in u, so ∂⟨g(u), v⟩/∂u = J v."""
        tf = self.fw
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = f(x)
            u = tf.zeros_like(y)
            outer.watch(u)
            g = inner.gradient(y, x, output_gradients=u, unconnected_gradients=self._zeros())
        return y, outer.gradient(g, u, output_gradients=v, unconnected_gradients=self._zeros())

    def hessian(self, f: Callable) -> Callable:
        """Nested tapes: the outer tape's Jacobian of the inner tape's gradient."""
        tf = self.fw

        def hess(x):
            with tf.GradientTape(persistent=True) as outer:
                outer.watch(x)
                with tf.GradientTape() as inner:
                    inner.watch(x)
                    y = f(x)
                g = inner.gradient(y, x, unconnected_gradients=self._zeros())
            return self._tape_jacobian(outer, g, x)

        return hess

    def hvp(self, f: Callable, x: Any, v: Any) -> Any:
        """Reverse-over-reverse: ∇⟨∇f(x), v⟩ = H v (H is symmetric)."""
        return self.vjp(self.grad(f, 0), x, v)[1]


class ForwardAccumulator(_Reverse):
    """Forward mode through tf.autodiff.ForwardAccumulator (JVPs, forward-mode Jacobians and the
    forward-over-back Hessian and HVP of the generic compositions); reverse mode as ``Tape``."""

    apis = "tf.autodiff.ForwardAccumulator for JVPs and forward-mode Jacobians; forward-over-back Hessians"

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        tf = self.fw
        with tf.autodiff.ForwardAccumulator(primals=x, tangents=v) as acc:
            y = f(x)
        return y, acc.jvp(y, unconnected_gradients=self._zeros())


class TensorflowAdapter(Adapter):
    name = "tensorflow"
    order = 2
    color = "#ed8c1c"
    module = "tensorflow"
    distribution = "tensorflow"
    companions = ("tensorflow-cpu", "keras", "tf-keras", "tensorflow-probability")
    install = "pip install tensorflow-cpu"
    implementations = {"tape": Tape, "forward_accumulator": ForwardAccumulator}
    optimizer_library = "keras[tensorflow]"
    compile_optimizer_steps = True  # eager TF pays ~10x dispatch cost on the study's model
    dtypes = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
    relative_cost = 5.4  # task seconds vs torch's in a full `conformance run` (2-core CPU, ci profile)
    # Complex gradient convention (conformance.edges.complex normalizes by it): TensorFlow returns ∂L/∂x + i ∂L/∂y for a real loss of z = x + iy, as PyTorch does
    complex_grad_convention = "direct"
    # TensorFlow's refusals (see Adapter.refusal): an op with no registered gradient
    REFUSALS = (r"No gradient defined for operation", r"gradient registry has no entry for")
    # ... and of an input dtype an op has no kernel for (bfloat16 Lgamma, float16 Ndtri or Svd, RFFT of
    # float16, tf.complex of bfloat16 parts)
    DTYPE_REFUSALS = (
        r"Value for attr 'T' of \w+ is not in the list of allowed values",
        r"Could not find device for node: .*T=DT_(HALF|BFLOAT16)",
        r"RFFT requires tf\.float32 or tf\.float64 inputs",
        r"The `real` and `imag` components have incorrect types: (bfloat16|float16)",
    )

    def refusal(self, exc: BaseException) -> str | None:
        """Adapter.refusal, and tf.experimental.numpy refusing a dtype it does not treat as floating
        (bfloat16: tnp.sin casts it with ``x.astype``, an AttributeError raised inside numpy_ops)."""
        found = super().refusal(exc)
        seen = 0
        while found is None and exc is not None and seen < 8:
            tb, frames = exc.__traceback__, []
            while tb is not None:
                frames.append(tb.tb_frame.f_code.co_filename)
                tb = tb.tb_next
            if isinstance(exc, AttributeError) and any("numpy_ops" in f for f in frames[-3:]):
                found = "tf.experimental.numpy refuses this dtype: " + " ".join(str(exc).split())
            exc, seen = exc.__cause__ or exc.__context__, seen + 1
        return found

    @classmethod
    def _prepare_import(cls) -> None:
        import os

        if not os.environ.get("CONFORMANCE_VERBOSE"):  # `conformance run --verbose` keeps TF's own level
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF's C++ start-up chatter quiet

    @classmethod
    def _load(cls) -> Any:
        cls._prepare_import()
        import tensorflow as tf

        tf.config.experimental.enable_tensor_float_32_execution(False)
        return tf

    @property
    def version(self) -> str:
        return str(self.fw.__version__)

    _XP: Namespace | None = None

    @property
    def xp(self) -> Namespace:
        if TensorflowAdapter._XP is None:
            TensorflowAdapter._XP = _xp(self.fw)
        return TensorflowAdapter._XP

    def devices(self) -> list[str]:
        gpus = self.fw.config.list_physical_devices("GPU")
        return ["cpu"] + [f"cuda:{i}" for i in range(len(gpus))]

    @staticmethod
    def _tf_device(dev: str) -> str:
        return "/CPU:0" if dev == "cpu" else "/GPU:" + dev.split(":")[1]

    def dtype_name(self, x: Any) -> str:
        return x.dtype.name

    def from_numpy(self, array: Any, dtype: str | None = None, device: str | None = None) -> Any:
        tf = self.fw
        dev = self._check_device(device)
        self._check_dtype(dtype)
        a = np.array(array)
        with tf.device(self._tf_device(dev)):
            x = tf.constant(a)
            return x if dtype is None else tf.cast(x, getattr(tf, dtype))

    def to_numpy(self, x: Any) -> np.ndarray:
        tf = self.fw
        x = tf.convert_to_tensor(x)
        if x.dtype == tf.bfloat16:
            x = tf.cast(x, tf.float32)  # numpy has no bfloat16; float32 holds every value exactly
        return x.numpy()

    def _like(self, a: np.ndarray, x: Any) -> Any:
        return self.xp.asarray(a, like=x)

    def compile(self, f: Callable) -> Callable:
        """tf.function with FUNCTION_OPTIONS (XLA, measured faster: see there). Where XLA cannot
        compile f (an op without an XLA kernel), the first call falls back to a plain graph
        tf.function and keeps the reason in the returned function's ``compile_fallback``."""
        tf = self.fw
        xla = tf.function(f, **FUNCTION_OPTIONS)
        if not FUNCTION_OPTIONS.get("jit_compile"):
            return xla
        graph = tf.function(f, **{k: v for k, v in FUNCTION_OPTIONS.items() if k != "jit_compile"})
        chosen: list[Callable] = []

        def compiled(*args: Any, **kwargs: Any) -> Any:
            if chosen:
                return chosen[0](*args, **kwargs)
            try:
                out = xla(*args, **kwargs)
                chosen.append(xla)
                return out
            except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, tf.errors.InternalError) as exc:
                compiled.compile_fallback = "XLA could not compile it, run as a graph tf.function: " + first_line(
                    exc, 200, with_type=False
                )
                chosen.append(graph)
                return graph(*args, **kwargs)

        compiled.compile_fallback = None
        return compiled

    def synchronize(self, *results: Any) -> None:
        """Eager CPU ops and tf.function calls return when done (synchronous execution, TF's
        default); GPU kernels are queued, so wait for every device's queue to drain."""
        tf = self.fw
        if not tf.executing_eagerly() or not tf.config.list_logical_devices("GPU"):
            return
        tf.test.experimental.sync_devices()
