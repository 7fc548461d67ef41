"""The adapter contract: one small class per framework with the same method set.

An adapter wraps one framework's differentiation APIs behind these operators, all of them on
functions that take and return the framework's own arrays:

    grad(f, argnums=0)(x)            = ∇f(x)                     (f: Rⁿ → R)
    value_and_grad(f, argnums=0)(x)  = (f(x), ∇f(x))
    jvp(f, x, v)                     = (f(x), J_f(x) v)          forward mode
    vjp(f, x, u)                     = (f(x), J_f(x)ᵀ u)         reverse mode
    jacobian(f, mode)(x)             = J_f(x), shape out.shape + x.shape
    hessian(f)(x)                    = ∇²f(x), shape x.shape + x.shape
    hvp(f, x, v)                     = ∇²f(x) v
    derivative(f, order=n)(x)        = dⁿf/dxⁿ(x) for scalar f of a scalar x

Where a framework has several idiomatic APIs (torch.func vs torch.autograd, GradientTape vs
ForwardAccumulator) each is a named *variant*; ``adapter.with_variant(name)`` selects one. Each variant's
operators are a class of its own (``conformance.adapters.operators.Operators``), named in the adapter's
``implementations``; ``adapter.impl`` is the selected one, which the public operators here call.

An adapter lives in a package of its own (``conformance.adapters.<framework>``); its capabilities
beyond autodiff are that package's sibling modules (``integrals``, ``optimizers``, ``benchmarks``,
``gradcheck``, ``ops``), found by name through ``adapter.capability(name)``.

Nothing here imports a framework: each subclass imports its own, lazily, in ``_load``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Sequence

import numpy as np

from conformance.errors import (  # noqa: F401  (re-exported: the adapter contract's errors)
    CapabilityMissingError,
    ConformanceError,
    FrameworkUnavailableError,
    NonScalarOutputError,
    NotDifferentiableError,
    UnknownDeviceError,
    UnknownFrameworkError,
    UnknownVariantError,
    UnsupportedDtypeError,
    first_line,
)

from . import staging
from .operators import Operators

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES
OPERATORS = ("grad", "value_and_grad", "jvp", "vjp", "jacobian", "hessian", "hvp", "derivative")

# The numpy-like surface every adapter's ``xp`` provides, with numpy's semantics (``var`` is the
# population variance, ``max`` returns values only, ``axis=`` names the axis, ...). Cases use only these.
XP_SURFACE = (
    # elementwise
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "exp",
    "expm1",
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "square",
    "abs",
    "sign",
    "power",
    "arctan2",
    "hypot",
    "maximum",
    "minimum",
    "clip",
    "where",
    "erf",
    "erfc",
    "sigmoid",
    "softplus",
    "relu",
    "real",
    "imag",
    "conj",
    "isfinite",
    # reductions
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "logsumexp",
    "var",
    "std",
    "cumsum",
    # structure and constants
    "reshape",
    "transpose",
    "swapaxes",
    "stack",
    "concatenate",
    "expand_dims",
    "squeeze",
    "eye",
    "zeros_like",
    "ones_like",
    "asarray",
    "matmul",
    "einsum",
    "outer",
    "trace",
    "diagonal",
    "tril",
    "triu",
    "take",
    "softmax",
    "log_softmax",
    # linear algebra (xp.linalg.<name>)
    "linalg.inv",
    "linalg.solve",
    "linalg.det",
    "linalg.slogdet",
    "linalg.cholesky",
    "linalg.eigh",
    "linalg.eigvalsh",
    "linalg.svdvals",
    "linalg.norm",
    "linalg.qr",
)


@dataclass(frozen=True)
class Availability:
    """Whether an adapter can run here; falsy with the reason and the install command when not."""

    ok: bool
    reason: str = ""
    install: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return "available" if self.ok else f"{self.reason} (install: {self.install})"


class Namespace:
    """A numpy-like namespace: ``overrides`` first, then attributes of ``base`` (a module)."""

    def __init__(
        self, name: str, base: Any, overrides: dict[str, Any] | None = None, linalg: "Namespace | None" = None
    ):
        self.__name__ = name
        self._base = base
        self._overrides = dict(overrides or {})
        if linalg is not None:
            self._overrides["linalg"] = linalg

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in self._overrides:
            return self._overrides[attr]
        try:
            return getattr(self._base, attr)
        except AttributeError:
            raise AttributeError(f"{self.__name__} has no function {attr!r}") from None

    def __repr__(self) -> str:
        return f"<xp namespace {self.__name__}>"


def missing_surface(xp: Any) -> list[str]:
    """Names of XP_SURFACE that ``xp`` lacks (the contract tests require none)."""
    missing = []
    for name in XP_SURFACE:
        obj = xp
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            missing.append(name)
    return missing


def canonical_device(device: str | None) -> str:
    """'cpu', 'cuda' -> 'cuda:0', 'gpu:1' -> 'cuda:1'; None -> 'cpu'."""
    if device is None:
        return "cpu"
    d = str(device).lower().lstrip("/")
    d = d.replace("gpu", "cuda")
    if d.startswith("cuda") and ":" not in d:
        d += ":0"
    return d


class Adapter:
    """Base class of every framework adapter. Subclasses set the class attributes (the metadata
    below, and ``implementations``: each API variant's Operators class) and implement ``_load`` and
    the array methods."""

    name: str = ""
    module: str = ""  # the import name whose version is reported
    distribution: str = ""  # the PyPI distribution that provides it
    companions: tuple[str, ...] = ()  # distributions whose versions every run header records beside it
    install: str = ""  # the command that installs it
    # API variant -> its operators (the first is the default); ``variants`` and ``variant_doc`` (the
    # framework APIs each goes through) are read from it when the subclass is defined
    implementations: dict[str, type[Operators]] = {"default": Operators}
    variants: tuple[str, ...] = ("default",)
    variant_doc: dict[str, str] = {}
    dtypes: tuple[str, ...] = DTYPES  # dtypes this framework differentiates
    is_reference: bool = False  # True for the numerical (non-AD) reference
    staged: bool = False  # operators run as staged programs (see ``staging``)
    relative_cost: float = 1.0  # time of a conformance run relative to the others (measured;
    #                                   the parallel run starts the costliest frameworks first)
    # ---- metadata the rest of the suite reads from here (no other module lists frameworks)
    order: int = 100  # column order in tables and reports (reference first)
    color: str = ""  # the framework's colour in charts ("" = a generated one)
    optimizer_library: str | None = None  # the optimizer library the convergence study trains with
    compile_optimizer_steps: bool = False  # the study's gradient runs through ``compile`` (measured)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "implementations" in cls.__dict__:
            cls.variants = tuple(cls.implementations)
            cls.variant_doc = {v: ops.apis for v, ops in cls.implementations.items()}

    def __init__(self, variant: str | None = None):
        variant = variant or self.variants[0]
        if variant not in self.variants:
            raise UnknownVariantError(
                f"{self.name} has no API variant {variant!r}; choose one of {', '.join(self.variants)}"
            )
        self.variant = variant
        self.impl: Operators = self.implementations[variant](self)  # this variant's operators
        self._mod: Any = None

    # ----------------------------------------------------------------- identity
    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}[{self.variant}]>"

    @property
    def label(self) -> str:
        """``framework[variant]``, the column name used in records and reports."""
        return f"{self.name}[{self.variant}]"

    def with_variant(self, variant: str) -> "Adapter":
        out = type(self)(variant)
        out.staged = self.staged
        return out

    def all_variants(self) -> list["Adapter"]:
        return [self.with_variant(v) for v in self.variants]

    @classmethod
    def _prepare_import(cls) -> None:
        """Set up the environment before the framework's first import (e.g. quiet its logging)."""

    @classmethod
    def configure_cache(cls, path: Any) -> bool:
        """Point the framework's on-disk compilation cache at the folder ``path`` (None: switch it
        off), before it compiles anything (``conformance.cache`` picks the folder, one per framework
        version). Returns whether the framework keeps such a cache: False here, for those that don't."""
        return False

    def available(self) -> Availability:
        self._prepare_import()
        try:
            importlib.import_module(self.module)
        except Exception as exc:  # ImportError, or a broken install raising anything else
            return Availability(False, f"{self.name} cannot be imported: {first_line(exc)}", self.install)
        return Availability(True)

    @classmethod
    def capability(cls, name: str) -> ModuleType:
        """The adapter's module ``name`` (integrals, optimizers, benchmarks, gradcheck, ops): the
        sibling ``<package>.<name>`` of the module that defines the adapter class, imported on first
        use (it imports its framework only inside its functions). CapabilityMissingError, with the
        module looked for, where the framework does not provide it."""
        package = cls.__module__.rpartition(".")[0]
        module = f"{package}.{name}"
        try:
            found = package and importlib.util.find_spec(module) is not None
        except ImportError:  # the package itself is gone
            found = False
        if not found:
            raise CapabilityMissingError(f"{cls.name} provides no {name} (no module {module})")
        return importlib.import_module(module)

    @classmethod
    def provides(cls, name: str) -> bool:
        """Whether the adapter has the capability module ``name`` (see ``capability``)."""
        try:
            cls.capability(name)
        except CapabilityMissingError:
            return False
        return True

    @property
    def version(self) -> str:
        """The installed version of the framework's distribution (read once per process: every
        record carries it, and a metadata lookup scans the installed distributions, ~1 ms)."""
        return _version(type(self))

    @property
    def fw(self) -> Any:
        """The framework module, imported and configured for correctness work on first use."""
        if self._mod is None:
            ok = self.available()
            if not ok:
                raise FrameworkUnavailableError(f"{self.name} is not available: {ok}")
            self._mod = _loaded(type(self))
        return self._mod

    @classmethod
    def _load(cls) -> Any:
        """Import and configure the framework (float64 on, TF32 off); return its module."""
        raise NotImplementedError

    def devices(self) -> list[str]:
        return ["cpu"]

    def _check_device(self, device: str | None) -> str:
        dev = canonical_device(device)
        found = self.devices()
        if dev not in found:
            raise UnknownDeviceError(f"{self.name} has no device {device!r}; devices found: {', '.join(found)}")
        return dev

    # ----------------------------------------------------------------- arrays
    @property
    def xp(self) -> Namespace:
        raise NotImplementedError

    def from_numpy(self, array: Any, dtype: str | None = None, device: str | None = None) -> Any:
        raise NotImplementedError

    def to_numpy(self, x: Any) -> np.ndarray:
        raise NotImplementedError

    def dtype_name(self, x: Any) -> str:
        """numpy-style name of x's dtype: 'float64', 'bfloat16', 'int32', ..."""
        return str(x.dtype).rsplit(".", 1)[-1].replace("'>", "")

    def shape(self, x: Any) -> tuple[int, ...]:
        return tuple(int(d) for d in x.shape)

    def _check_dtype(self, dtype: str | None) -> None:
        if dtype is not None and dtype not in DTYPES:
            raise UnsupportedDtypeError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
        if dtype is not None and dtype not in self.dtypes:
            raise UnsupportedDtypeError(
                f"{self.name} does not differentiate {dtype}; it supports {', '.join(self.dtypes)}"
            )

    # ----------------------------------------------------------------- execution
    def compile(self, f: Callable) -> Callable:
        """The framework's compiler (jax.jit, tf.function, torch.compile); identity where none."""
        return f

    def synchronize(self, *results: Any) -> None:
        """Block until queued device work (and the computation of ``results``) is done, so that a
        clock stopped afterwards is honest."""

    # ----------------------------------------------------------------- staging
    def _stage(self, fn: Callable) -> Callable | None:
        """The framework's staging transform for correctness work (jax.jit), or None where the
        framework's operators run eagerly as they are (torch, TensorFlow, numpy)."""
        return None

    def staging(self, on: bool = True) -> "Adapter":
        """A copy whose operators (``grad(f)``, ``jvp(f, x, v)``, ...) run as staged programs where
        the framework stages (``_stage``): built once per (operator, function) and compiled once per
        shape and dtype, as users of that framework run them. The engine's checks use it; the
        benchmarks time eager and compiled modes explicitly instead. A function that cannot be
        staged (Python control flow on values) runs eagerly, the same answer by another route."""
        out = type(self)(self.variant)
        out.staged = bool(on)
        return out

    def program(self, fn: Callable, *key: Any) -> Callable:
        """``fn``, a function of arrays composed from this adapter's operators, as one staged program
        cached by ``key`` (pass what ``fn`` closes over, e.g. the function it differentiates):
        built and compiled once per shape and dtype where the adapter is staged; ``fn`` elsewhere."""
        return self._program("program", key, lambda: fn)

    @property
    def runs_staged(self) -> bool:
        """True when this adapter's operators run as staged programs (staged, and the framework stages)."""
        return self.staged and type(self)._stage is not Adapter._stage

    def _program(self, op: str, f: Callable, build: Callable[[], Callable], *extra: Any) -> Callable:
        """``build()`` — the operator ``op`` of f as a function of arrays — staged and cached per
        (adapter class, variant, op, f, extra) when the adapter runs staged; else ``build()`` itself."""
        if not self.runs_staged or staging.TRACING.depth:
            return build()  # unstaged, or called while a staged program is traced: part of that program
        return staging.cached((type(self), self.variant, op, f, extra), build, self._stage)

    # ----------------------------------------------------------------- validation
    def _require_differentiable(self, *xs: Any) -> None:
        for x in xs:
            name = self.dtype_name(x)
            if name not in DTYPES:
                raise NotDifferentiableError(
                    f"cannot differentiate with respect to a {name} input: only floating and complex "
                    f"dtypes are differentiable; convert it with from_numpy(a, dtype='float64')"
                )

    def _scalar(self, f: Callable, op: str) -> Callable:
        """Wrap f so a non-scalar output raises NonScalarOutputError naming its shape."""

        @functools.wraps(f)
        def wrapped(*args: Any) -> Any:
            out = f(*args)
            shape = self.shape(out)
            if shape != ():
                raise NonScalarOutputError(
                    f"{op} needs a function with a scalar output, but it returned shape {shape}; "
                    f"reduce it to a scalar or use jacobian/vjp"
                )
            return out

        return wrapped

    # ----------------------------------------------------------------- public operators
    def grad(self, f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
        """∇f: the gradient of scalar f with respect to the argument(s) ``argnums``."""
        return self._gradient_operator("grad", self.impl.grad, f, argnums)

    def value_and_grad(self, f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
        """x ↦ (f(x), ∇f(x))."""
        return self._gradient_operator("value_and_grad", self.impl.value_and_grad, f, argnums)

    def _gradient_operator(self, op: str, impl: Callable, f: Callable, argnums: int | Sequence[int]) -> Callable:
        """``op`` ("grad" or "value_and_grad", implemented by ``impl``) of scalar f w.r.t. ``argnums``,
        checking its inputs."""
        argnums = argnums if isinstance(argnums, int) else tuple(argnums)

        def build() -> Callable:
            g = impl(self._scalar(f, op), argnums)

            def operator(*args: Any) -> Any:
                self._require_differentiable(*_pick(args, argnums))
                return g(*args)

            return operator

        return self._program(op, f, build, argnums)

    def jvp(self, f: Callable, x: Any, v: Any) -> tuple[Any, Any]:
        """(f(x), J_f(x) v): the directional derivative along v (forward mode)."""
        self._require_differentiable(x, v)
        jvp = self.impl.jvp
        return self._program("jvp", f, lambda: lambda x, v: jvp(f, x, v))(x, v)

    def vjp(self, f: Callable, x: Any, u: Any) -> tuple[Any, Any]:
        """(f(x), J_f(x)ᵀ u): the cotangent pulled back through f (reverse mode)."""
        self._require_differentiable(x, u)
        vjp = self.impl.vjp
        return self._program("vjp", f, lambda: lambda x, u: vjp(f, x, u))(x, u)

    def jacobian(self, f: Callable, mode: str = "rev") -> Callable:
        """x ↦ J_f(x) with shape f(x).shape + x.shape, by forward ("fwd") or reverse ("rev") mode."""
        if mode not in ("fwd", "rev"):
            raise ValueError(f"jacobian mode must be 'fwd' or 'rev', not {mode!r}")
        build = self.impl.jacobian_fwd if mode == "fwd" else self.impl.jacobian_rev
        return self._program("jacobian", f, lambda: self._checked(build(f)), mode)

    def hessian(self, f: Callable) -> Callable:
        """x ↦ ∇²f(x) with shape x.shape + x.shape."""
        return self._program("hessian", f, lambda: self._checked(self.impl.hessian(self._scalar(f, "hessian"))))

    def hvp(self, f: Callable, x: Any, v: Any) -> Any:
        """∇²f(x) v without forming the Hessian."""
        self._require_differentiable(x, v)
        hvp, fs = self.impl.hvp, self._scalar(f, "hvp")
        return self._program("hvp", f, lambda: lambda x, v: hvp(fs, x, v))(x, v)

    def derivative(self, f: Callable, order: int = 1) -> Callable:
        """x ↦ dⁿf/dxⁿ(x) for a scalar function of a scalar, n = order in 1..4."""
        if not 1 <= int(order) <= 4:
            raise ValueError(f"derivative order must be 1..4, not {order}")
        return self._program(
            "derivative",
            f,
            lambda: self._checked(self.impl.derivative(self._scalar(f, "derivative"), int(order))),
            int(order),
        )

    def _checked(self, op: Callable) -> Callable:
        """op(x) after checking that x is differentiable."""

        def operator(x: Any) -> Any:
            self._require_differentiable(x)
            return op(x)

        return operator

    def _like(self, a: np.ndarray, x: Any) -> Any:
        """A numpy array as an array of x's dtype on x's device."""
        raise NotImplementedError

    # ----------------------------------------------------------------- refusals
    REFUSALS: tuple[str, ...] = ()  # regexes of the framework's own words for "cannot run under this API"
    DTYPE_REFUSALS: tuple[str, ...] = ()  # ... and for "no kernel for this dtype" (``dtype_refusal``)

    def refusal(self, exc: BaseException) -> str | None:
        """The framework's full message when ``exc`` (or an exception it was raised from) says that
        the function's differentiation mechanism cannot run through this API variant (a hand-written
        rule without the forward rule, vmap rule or setup_context the transform needs; an op without
        a derivative in this mode), as opposed to a wrong result or a crash of the function; else None.
        Each adapter lists its framework's refusals in ``REFUSALS``."""
        return _matching(exc, self.REFUSALS)

    def dtype_refusal(self, exc: BaseException) -> str | None:
        """The framework's full message when ``exc`` (or an exception it was raised from) says that the
        function has no kernel for the input's dtype (no float16 RFFT, no bfloat16 Lgamma), as opposed
        to a wrong result or a crash; else None. Each adapter lists its framework's in
        ``DTYPE_REFUSALS``; a differentiation refusal (``refusal``) counts too."""
        return _matching(exc, self.DTYPE_REFUSALS) or self.refusal(exc)


def _matching(exc: BaseException | None, patterns: tuple[str, ...]) -> str | None:
    """ "<type>: <message>" of the first of ``exc`` and the exceptions it was raised from (8 at most)
    whose message matches one of ``patterns``; None if none does."""
    seen = 0
    while exc is not None and seen < 8:
        text = str(exc).strip()
        if any(re.search(p, text) for p in patterns):
            return f"{type(exc).__name__}: {text}"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


@functools.lru_cache(maxsize=None)
def _loaded(cls: type) -> Any:
    return cls._load()


@functools.lru_cache(maxsize=None)
def _version(cls: type) -> str:
    try:
        return importlib.metadata.version(cls.distribution)
    except importlib.metadata.PackageNotFoundError:
        mod = importlib.import_module(cls.module)
        return str(getattr(mod, "__version__", "unknown"))


def _pick(args: Sequence[Any], argnums: int | Sequence[int]) -> list[Any]:
    idx = [argnums] if isinstance(argnums, int) else list(argnums)
    return [args[i] for i in idx]
