"""What a case is: a function written once against a numpy-like namespace ``xp``.

    f = case.fn(xp, x)     x: one array (several arguments are packed into it and split inside),
                           y: an array, or a scalar when ``case.scalar`` is True

The same ``fn`` runs in numpy, torch, jax.numpy, tf.experimental.numpy (through each adapter's
``xp``) and, where ``mp`` is True, in the mpmath namespace of the oracles at >= 30 digits.

``fn`` may read static sizes (``x.shape[-1]``) to pick constants of matching size, so compile one
function per shape of the menu: a single ``tf.function(reduce_retracing=True)`` relaxes the sizes
to None after its second shape.

Optional fields used by the oracles: ``jac``/``hess`` (closed forms), ``pointwise`` (yᵢ depends on
xᵢ alone, so derivatives of every order are elementwise), ``exact_fn`` (the plain formula mpmath
differentiates where ``fn`` is a series-plus-formula rewrite near a removable singularity),
``defined_on`` and ``valid`` (the domain every special point and drawn input must lie in). Used by the
judging: ``curvature`` (the derivative's normwise condition) and ``hess_terms`` (the magnitude of the
terms each Hessian entry is formed from, where they cancel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from conformance.errors import NotProvidedError

FAMILIES = (
    "elementwise",
    "reductions",
    "linalg",
    "nn",
    "compositions",
    "complex",
    "degenerate",
    "special",
    "activations",
    "losses",
    "math",
    "manipulation",
    "statistics",
)


@dataclass(frozen=True)
class SpecialPoint:
    """A named input where the formula is delicate but the derivative is well defined
    (0, ±1, a domain end, saturation, subnormals, a removable singularity such as x/sin(x) at 0).

    ``x`` is the full input array; ``limit`` says how the oracle reaches the exact derivative there
    ("mpmath", "series", "closed form"); ``orders`` are the derivative orders checked at it."""

    name: str
    x: Any
    limit: str = "mpmath"
    orders: tuple[int, ...] = (1, 2)
    note: str = ""  # why the point is delicate
    condition: float = 1.0  # relative condition number of the derivative at the point (≥ 1): a
    #                          backward-stable implementation may be off by ~condition·ε there

    def array(self) -> np.ndarray:
        return np.asarray(self.x, dtype=np.float64)


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    fn: Callable[[Any, Any], Any]
    shapes: tuple[tuple[int, ...], ...] = ((3,),)  # menu of input shapes (bounds recompilation)
    domain: tuple[float, float] = (-2.0, 2.0)  # random inputs are drawn inside this interval
    make_input: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray] | None = None
    scalar: bool = False  # fn returns a scalar (gradient/Hessian apply)
    grad: Callable[[np.ndarray], np.ndarray] | None = None  # closed-form gradient (scalar cases)
    derivative: Callable[[np.ndarray], np.ndarray] | None = None  # closed-form f' (elementwise)
    mp: bool = True  # fn also runs in the mpmath namespace
    analytic: bool = True  # complex step is valid (holomorphic formula)
    smooth_order: int = 3  # derivatives up to this order exist here
    dtypes: tuple[str, ...] = ("float64", "float32")
    impls: dict[str, Callable[[Any, Any], Any]] = field(default_factory=dict)  # per framework
    special_points: tuple[SpecialPoint, ...] = ()
    doc: str = ""
    # ---- optional, added by the catalog (all default to "not given")
    jac: Callable[[np.ndarray], np.ndarray] | None = None  # closed-form Jacobian, out.shape + x.shape
    hess: Callable[[np.ndarray], np.ndarray] | None = None  # closed-form Hessian (scalar cases)
    pointwise: bool = False  # y has x's shape and yᵢ depends on xᵢ alone (f' is elementwise)
    exact_fn: Callable[[Any, Any], Any] | None = None  # the plain formula the oracles use where fn is
    #                               a numerically safe rewrite (series near a removable singularity)
    defined_on: tuple[float, float] = (-np.inf, np.inf)  # open interval where fn is smooth, per entry
    valid: Callable[[np.ndarray], str | None] | None = None  # None if x is inside the domain, else why
    curvature: Callable[[np.ndarray], np.ndarray] | None = None  # x -> a bound on ‖D²yᵢ(x)‖ per output
    #                               entry: the derivative's normwise condition (``judging.normwise_condition``)
    hess_terms: Callable[[np.ndarray], np.ndarray] | None = None  # x -> Σₜ|Tₜ| per Hessian entry (shape
    #                               x.shape + x.shape) where ∇²f = Σₜ Tₜ is a sum of closed-form terms that
    #                               can cancel far below their size (``judging.hessian_scale``)
    only_impls: bool = False  # a framework without an entry in ``impls`` does not provide the
    #                               function (an op-table row): its checks skip, they never run ``fn``
    _bound: dict = field(default_factory=dict, repr=False, compare=False)  # function()'s objects

    def function(self, framework: str, xp: Any) -> Callable[[Any], Any]:
        """fn bound to a namespace (a per-framework implementation when the case has one): one
        function object per (framework, namespace), so that staged programs built on it are reused."""
        key = (framework, id(xp))
        hit = self._bound.get(key)
        if hit is None or hit[0] is not xp:
            if self.only_impls and framework not in self.impls:
                raise NotProvidedError(
                    f"not provided in {framework}: the op table names no {framework} function for {self.name}"
                )
            impl = self.impls.get(framework, self.fn)
            getattr(impl, "prepare", lambda: None)()  # an impl that resolves a public name checks it here
            hit = self._bound[key] = (xp, lambda x: impl(xp, x))
        return hit[1]

    @property
    def oracle_fn(self) -> Callable[[Any, Any], Any]:
        """The formula the oracles differentiate: ``exact_fn`` where given, else ``fn``."""
        return self.exact_fn or self.fn

    def outside_domain(self, x: np.ndarray) -> str | None:
        """None when every entry of x lies in ``defined_on`` (open) and ``valid(x)`` accepts it;
        otherwise the reason."""
        x = np.asarray(x, dtype=np.float64)
        if tuple(x.shape) not in self.shapes:
            return f"shape {x.shape} is not in the case's shape menu {self.shapes}"
        lo, hi = self.defined_on
        bad = ~((x > lo) & (x < hi))
        if np.any(bad):
            return f"entry {x[bad].flat[0]!r} is outside the open interval ({lo}, {hi}) where it is smooth"
        if self.valid is not None:
            return self.valid(x)
        return None

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """A random input of ``shape`` inside the case's domain."""
        if self.make_input is not None:
            return np.asarray(self.make_input(rng, shape), dtype=np.float64)
        lo, hi = self.domain
        return rng.uniform(lo, hi, size=shape)


class CaseMemo:
    """Values computed per (case, key) and reused: an entry serves only the very case object it was
    computed for (a case redefined under the same name is computed afresh), and the memo empties
    itself once it holds ``limit`` entries. The oracle values, draws, output shapes and nested-program
    results shared by a case's checks and frameworks live in these."""

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self._store: dict[tuple, tuple[Any, Any]] = {}

    def get(self, case: Any, key: Any, compute: Callable[[], Any]) -> Any:
        k = (id(case), case.name, key)
        hit = self._store.get(k)
        if hit is not None and hit[0] is case:
            return hit[1]
        value = compute()
        if len(self._store) >= self.limit:
            self._store.clear()
        self._store[k] = (case, value)
        return value

    def clear(self) -> None:
        self._store.clear()
