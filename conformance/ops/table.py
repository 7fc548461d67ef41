"""One row per mathematical function: its exact oracle, its domain and special points, and each
framework's public functions that compute it, named as users call them.

    Op("i0", "special", exact=lambda x: mpmath.besseli(0, x),
       public={"torch": ("torch.special.i0", "torch.i0"), "jax": ("jax.scipy.special.i0", "jax.numpy.i0"),
               "tensorflow": ("tf.math.bessel_i0",), "numpy": ("scipy.special.i0",)},
       domain=(-3, 3), points=[("0", 0.0), ("large", 700.0)])

A row becomes derivative cases (``cases()``): the first public name of every framework is the row's
own case, ``i0``; a framework's second name is case ``i0#2`` (and so on), so that every entry point
is checked, and one that is the very same function object as an earlier name is skipped as such.
A framework the row does not name is skipped as "not provided"; a name missing in the installed
version is skipped as "not provided in <framework> <version>" (``conformance.adapters.public``).

The function under test is always the framework's own. The oracle is ``exact``: mpmath at raised
precision, differentiated by the oracles' high-precision stencils (never a rewrite in the frameworks).
``params`` are fixed keyword parameters of the call (``polygamma``'s order, ``leaky_relu``'s slope):
the exact function receives them too, and a framework whose call spells them differently adapts them
in its ``adapters/<framework>/ops.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import mpmath
import numpy as np

from conformance.derivatives.case import Case, SpecialPoint
from conformance.errors import NotProvidedError


@dataclass(frozen=True)
class Op:
    name: str  # the scipy.special / array-API name where one exists
    family: str  # report family: special, activations, elementwise, ...
    exact: Callable[..., Any] | None  # elementwise rows: the exact value from mpf arguments
    #                                             (and params); None for a whole-array row (``oracle``)
    public: dict[str, tuple[str, ...]]  # framework -> its public names, first = primary
    domain: tuple[tuple[float, float], ...] | tuple[float, float] = (-2.0, 2.0)  # per argument
    defined_on: tuple[float, float] = (-np.inf, np.inf)  # open interval where it is smooth (unary)
    points: Sequence[tuple] = ()  # (name, value or per-argument values[, orders[, note[,
    #                                             condition]]]): condition as SpecialPoint.condition
    params: dict[str, Any] = field(default_factory=dict)
    arity: int = 1
    smooth_order: int = 3  # derivatives checked up to this order
    dtypes: tuple[str, ...] = ("float64", "float32")
    valid: Callable[[np.ndarray], str | None] | None = None
    kinks: tuple[float, ...] = ()  # points where a derivative jumps (relu at 0): random
    #                                             inputs never sit on them; what is returned there is a
    #                                             convention, for the conventions suite
    call: Callable[..., Any] | None = None  # (f, *args, **params) -> value where the public
    #                                             functions take their arguments otherwise than f(*args, **params)
    # ---- whole-array rows (reductions, linear algebra, losses, ...): the function of the whole input
    oracle: Callable[[Any, Any], Any] | None = None  # (xp, x) -> the exact value, written against xp
    #                                             and evaluated by the oracles in mpmath (never under test)
    args: Callable[[Any, Any], tuple] | None = None  # (xp, x) -> the public function's positional
    #                                             arguments (constants made with xp.asarray(c, like=x))
    shapes: tuple[tuple[int, ...], ...] = ()  # input shapes (default: elementwise menus)
    make_input: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray] | None = None
    scalar: bool = False  # the function returns a scalar (a loss)
    out: Callable[[Any, Any], Any] | None = None  # (xp, value) -> what is checked, written against xp:
    #                                             the part of a tuple output, or a gauge-invariant loss
    #                                             of it (the oracle computes the same quantity)
    curvature: Callable[[np.ndarray], np.ndarray] | None = None  # x -> a bound on ‖D²yᵢ(x)‖ per output
    #                                             entry, where a backward-stable factorization's derivative
    #                                             is conditioned by more than its terms (Case.curvature)
    special: Sequence[tuple] = ()  # whole-array special points (name, array[, orders[, note[,
    #                                             condition: the derivative's condition number there]]])
    derivative: Callable[..., Any] | None = None  # unary rows: f' from mpf arguments (and params), where
    #                                             a step difference of ``exact`` is slow (log singularities
    #                                             at 0, Bessel functions): the accuracy tables' exact
    #                                             derivative (conformance.accuracy_exact.unary_point);
    #                                             tests/unit/test_accuracy.py checks it against the step
    doc: str = ""

    def domains(self) -> tuple[tuple[float, float], ...]:
        d = self.domain
        return tuple(d) if isinstance(d[0], tuple) else (tuple(d),) * self.arity  # type: ignore[arg-type]

    def names(self, framework: str) -> tuple[str, ...]:
        return tuple(self.public.get(framework, ()))

    def entry_points(self) -> int:
        """How many public names the framework with the most has (the row's number of cases)."""
        return max((len(v) for v in self.public.values()), default=0)


SHAPES = ((3,), (2, 3))  # unary: as the elementwise catalog
BINARY_SHAPES = ((2, 3),)  # binary: the rows of a (2, n) input are the two arguments


def _case_name(op: Op, k: int) -> str:
    return op.name if k == 0 else f"{op.name}#{k + 1}"


def _args(op: Op, x: Any, xp: Any = None) -> tuple[Any, ...]:
    """The public function's positional arguments: ``op.args(xp, x)``, else x itself (unary) or the
    rows of x (binary)."""
    if op.args is not None:
        return tuple(op.args(xp, x))
    return (x,) if op.arity == 1 else tuple(x[i] for i in range(op.arity))


def _exact_fn(op: Op) -> Callable[[Any, Any], Any]:
    """The op's exact function over object arrays of mpf (the oracles' mpmath namespace)."""
    uf = np.frompyfunc(lambda *a: op.exact(*a, **op.params), op.arity, 1)
    return lambda xp, x: np.asarray(uf(*_args(op, np.asarray(x, dtype=object))), dtype=object)


def _float_fn(op: Op) -> Callable[[Any, Any], Any]:
    """The exact function rounded to float64: the case's ``fn``, which the catalog evaluates for
    output shapes and to validate special points; never a framework's answer (``only_impls``)."""
    exact = _exact_fn(op)

    def fn(xp: Any, x: Any) -> np.ndarray:
        with mpmath.workdps(30):
            y = exact(None, np.vectorize(mpmath.mpf, otypes=[object])(np.asarray(x, dtype=np.float64)))
        return np.asarray(np.vectorize(float, otypes=[np.float64])(y)).reshape(np.shape(y))

    return fn


def _impl(op: Op, framework: str, name: str, earlier: tuple[str, ...]) -> Callable[[Any, Any], Any]:
    """(xp, x) -> the framework's public function ``name`` applied to the op's arguments."""
    from conformance import adapters
    from conformance.adapters import public

    state: dict[str, Any] = {}

    def prepare() -> Any:
        """The adapter, once the name resolves to a function distinct from the earlier names'
        (else NotProvidedError: not in this version, or an alias that is no entry point of its own)."""
        if "adapter" not in state:
            adapter = adapters.get(framework)
            f = public.resolve(adapter, name)
            for other in earlier:
                try:
                    same = public.resolve(adapter, other) is f
                except NotProvidedError:
                    same = False
                if same:
                    raise NotProvidedError(f"{name} is the same function as {other} in {framework}")
            state["adapter"] = adapter
        return state["adapter"]

    def impl(xp: Any, x: Any) -> Any:
        y = public.call(prepare(), name, *_args(op, x, xp), default=op.call, **op.params)
        return y if op.out is None else op.out(xp, y)

    impl.prepare = prepare  # type: ignore[attr-defined]
    return impl


def _special_points(op: Op, shape: tuple[int, ...]) -> tuple[SpecialPoint, ...]:
    out = []
    for p in op.special:  # whole arrays: (name, array[, orders[, note[, condition]]])
        pname, value, *rest = p
        orders = tuple(rest[0]) if rest else (1, 2)
        note = rest[1] if len(rest) > 1 else ""
        condition = float(rest[2]) if len(rest) > 2 else 1.0
        out.append(
            SpecialPoint(
                pname,
                np.asarray(value, dtype=np.float64),
                "mpmath",
                tuple(o for o in orders if o <= op.smooth_order),
                note,
                condition,
            )
        )
    for p in op.points:
        pname, value, *rest = p
        orders = tuple(rest[0]) if rest else (1, 2)
        note = rest[1] if len(rest) > 1 else ""
        condition = float(rest[2]) if len(rest) > 2 else 1.0
        if op.arity == 1:
            x = np.full(shape, float(value))
        else:
            x = np.stack([np.full(shape[1:], float(v)) for v in value])
        out.append(SpecialPoint(pname, x, "mpmath", tuple(o for o in orders if o <= op.smooth_order), note, condition))
    return tuple(out)


def _validity(op: Op) -> Callable[[np.ndarray], str | None] | None:
    """``op.valid``, and no entry exactly on a kink of ``op.kinks``."""
    if not op.kinks:
        return op.valid

    def valid(x: np.ndarray) -> str | None:
        on = np.isin(np.asarray(x, dtype=np.float64), op.kinks)
        if np.any(on):
            return f"an entry lies on a kink of {op.name} ({x[on].flat[0]!r}): its derivative is a convention there"
        return op.valid(x) if op.valid is not None else None

    return valid


def _make_input(op: Op) -> Callable[[np.random.Generator, tuple[int, ...]], np.ndarray] | None:
    if op.arity == 1:
        return None
    doms = op.domains()
    return lambda rng, shape: np.stack([rng.uniform(lo, hi, size=shape[1:]) for lo, hi in doms])


def _numpy_oracle(op: Op) -> Callable[[Any, Any], Any]:
    """A whole-array row's oracle formula evaluated by numpy in float64 (shapes and validation)."""
    return lambda xp, x: op.oracle(xp, np.asarray(x, dtype=np.float64))


def cases(op: Op) -> list[Case]:
    """The derivative cases of one row: one per entry-point rank (``name``, ``name#2``, ...)."""
    if op.oracle is not None:
        return _array_cases(op)
    shapes = SHAPES if op.arity == 1 else BINARY_SHAPES
    out = []
    for k in range(op.entry_points()):
        impls = {}
        for fw, names in op.public.items():
            if len(names) > k:
                impls[fw] = _impl(op, fw, names[k], names[:k])
        called = ", ".join(f"{fw}: {op.public[fw][k]}" for fw in impls)
        out.append(
            Case(
                name=_case_name(op, k),
                family=op.family,
                fn=_float_fn(op),
                shapes=shapes,
                domain=op.domains()[0],
                make_input=_make_input(op),
                pointwise=op.arity == 1,
                defined_on=op.defined_on if op.arity == 1 else (-np.inf, np.inf),
                valid=_validity(op),
                analytic=False,
                smooth_order=op.smooth_order,
                dtypes=op.dtypes,
                impls=impls,
                only_impls=True,
                exact_fn=_exact_fn(op),
                special_points=_special_points(op, shapes[0]),
                doc=f"{op.doc or op.name} — calls {called}",
            )
        )
    return out


def _impls(op: Op, k: int) -> dict[str, Callable[[Any, Any], Any]]:
    return {fw: _impl(op, fw, names[k], names[:k]) for fw, names in op.public.items() if len(names) > k}


def _array_cases(op: Op) -> list[Case]:
    """Cases of a whole-array row: x is the whole input; the oracle is ``op.oracle`` in mpmath."""
    out = []
    for k in range(op.entry_points()):
        impls = _impls(op, k)
        called = ", ".join(f"{fw}: {op.public[fw][k]}" for fw in impls)
        out.append(
            Case(
                name=_case_name(op, k),
                family=op.family,
                fn=_numpy_oracle(op),
                shapes=op.shapes or SHAPES,
                domain=op.domains()[0],
                make_input=op.make_input,
                scalar=op.scalar,
                pointwise=False,
                valid=op.valid,
                curvature=op.curvature,
                analytic=False,
                smooth_order=op.smooth_order,
                dtypes=op.dtypes,
                impls=impls,
                only_impls=True,
                exact_fn=op.oracle,
                special_points=_special_points(op, ()),
                doc=f"{op.doc or op.name} — calls {called}",
            )
        )
    return out
