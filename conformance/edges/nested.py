"""Second and third derivatives through every combination of modes and API variants a framework has.

Built only from the adapters' own operators, nested: ``outer.jvp`` over ``inner.vjp`` where outer and
inner may be different API variants of one framework (e.g. ``tf.autodiff.ForwardAccumulator`` over
``tf.GradientTape``, ``torch.func.jvp`` over ``torch.autograd.grad``). For f: Rⁿ → Rᵐ, a cotangent u
(shaped like f(x)) and a tangent v (shaped like x), every combination computes the same vector

    S₂(x) = uᵀ D²f(x)[v, ·]   (for scalar f and u = 1: the Hessian-vector product H v)

    rev∘rev   grad_x ⟨vjp(f, x, u), v⟩            reverse over reverse
    rev∘fwd   grad_x ⟨u, jvp(f, x, v)⟩            reverse over forward
    fwd∘rev   jvp(x ↦ vjp(f, x, u), x, v)         forward over reverse
    fwd∘fwd   jvp(x ↦ ⟨u, jvp(f, x, v)⟩, x, v)     forward over forward (gives ⟨S₂, v⟩)
    jac(a)∘jac(b)   jacobian(jacobian(f, b), a), contracted with u and v   (jacfwd/jacrev pairs)
    hessian, hvp    the adapter's own second-order operators (scalar cases)

and, one level up, the third derivative

    S₃(x) = uᵀ D³f(x)[v, v, ·] = grad_x ⟨S₂(x), v⟩ (rev over any S₂)  = jvp(S₂, x, v) (fwd over any S₂)

Each result is compared with an exact oracle (mpmath limits at >= 40 digits, ``limit_oracle``; or
Richardson-extrapolated differences of a complex step where the case cannot run in mpmath) and with
every other combination (they must agree within the same bound).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from conformance import finite_differences as fd
from conformance.derivatives.case import CaseMemo
from conformance.edges import limit_oracle as lo
from conformance.engine import Context, Outcome, Task
from conformance.tolerance import Tolerance, compare, policy

# ------------------------------------------------------------------------------ compositions
# Each builder takes (outer adapter, inner adapter, f, u, v) with u, v framework arrays and returns
# x ↦ S₂(x) as a framework array shaped like x.


def _dot(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum(a * b)


def _inner_fwd(inner: Any, f: Callable, u: Any, v: Any) -> Callable:
    """x ↦ ⟨u, J(x) v⟩ by the inner adapter's forward mode."""
    return lambda x: _dot(inner.xp, u, inner.jvp(f, x, v)[1])


def _inner_rev(inner: Any, f: Callable, u: Any, v: Any) -> Callable:
    """x ↦ ⟨J(x)ᵀ u, v⟩ by the inner adapter's reverse mode."""
    return lambda x: _dot(inner.xp, inner.vjp(f, x, u)[1], v)


SECOND: dict[str, Callable] = {
    "rev∘rev": lambda o, i, f, u, v: o.grad(_inner_rev(i, f, u, v)),
    "rev∘fwd": lambda o, i, f, u, v: o.grad(_inner_fwd(i, f, u, v)),
    "fwd∘rev": lambda o, i, f, u, v: lambda x: o.jvp(lambda z: i.vjp(f, z, u)[1], x, v)[1],
    "fwd∘fwd": lambda o, i, f, u, v: lambda x: o.jvp(_inner_fwd(i, f, u, v), x, v)[1],
}
# fwd∘fwd gives the contraction ⟨S₂, v⟩ = uᵀD²f[v, v] (one JVP of a JVP) rather than S₂ itself,
# which would take n JVPs of JVPs; it is compared with the oracle's S₂ contracted with v.


def directional(a: Any, f: Callable, order: int) -> Callable:
    """(x, u, v) ↦ uᵀDⁿf(x)[v, …, v, ·] for n = 2 (forward over reverse: the JVP along v of x ↦ J(x)ᵀu)
    or 3 (one more JVP along v), one program per (adapter, f, order) shared by every point."""

    def s2(x, u, v):
        return a.jvp(lambda t: a.vjp(f, t, u)[1], x, v)[1]

    def s3(x, u, v):
        return a.jvp(lambda t: s2(t, u, v), x, v)[1]

    return a.program(s2 if order == 2 else s3, "directional", order, f)


# jacobian(jacobian(f, inner_mode), outer_mode): shape out + x + x, contracted with u and v in numpy.
JACOBIAN_PAIRS = {f"jac{a}∘jac{b}": (a, b) for a in ("fwd", "rev") for b in ("fwd", "rev")}


def _dot_v(o: Any, s: Any, v: Any) -> Any:
    """⟨s, v⟩, or s itself when it is already contracted with v (a scalar, from fwd∘fwd)."""
    return s if o.shape(s) == () else _dot(o.xp, s, v)


THIRD_OUTER = {
    "rev": lambda o, s2, v: o.grad(lambda z: _dot_v(o, s2(z), v)),
    "fwd": lambda o, s2, v: lambda x: o.jvp(s2, x, v)[1],
}


# Which API variant runs each level: "default" is a framework's first variant (torch.func, jax
# transforms, tf.GradientTape), "alternate" its second (torch.autograd, jax.linearize,
# tf ForwardAccumulator). Order 2 takes every (outer, inner) pair; order 3 all-equal and alternating.
ROLES2 = tuple(itertools.product(("default", "alternate"), repeat=2))
ROLES3 = (
    ("default",) * 3,
    ("alternate",) * 3,
    ("default", "alternate", "default"),
    ("alternate", "default", "alternate"),
)


def role_adapter(adapter: Any, role: str) -> Any | None:
    """The adapter of ``role`` in adapter's framework (None when it has no alternate variant)."""
    variants = type(adapter).variants
    idx = 0 if role == "default" else 1
    return adapter.with_variant(variants[idx]) if idx < len(variants) else None


def program(family: str, roles: tuple[str, ...], adapter: Any) -> Callable:
    """program(f, x, u, v) → S₂ or S₃ as numpy for one mode family and variant roles."""
    ads = [role_adapter(adapter, r) for r in roles]
    if family in SECOND:
        return _second(ads[0], ads[1], SECOND[family])
    if family in JACOBIAN_PAIRS:
        mo, mi = JACOBIAN_PAIRS[family]
        return _jacobian_pair(ads[0], ads[1], mo, mi)
    if family == "hessian":
        return _hessian_op(ads[0])
    if family == "hvp":
        return _hvp_op(ads[0])
    outer, _, mode = family.partition("∘")
    return _third(ads[0], ads[1], ads[2], THIRD_OUTER[outer], SECOND[mode])


def _second(o: Any, i: Any, build: Callable) -> Callable:
    def run(f, x, u, v):
        return o.to_numpy(build(o, i, f, u, v)(x))

    return run


def _contract(J2: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Σ_o Σ_b u_o J2[o, b, a] v_b for J2 of shape out + x(b) + x(a)."""
    t = np.tensordot(u, J2, axes=u.ndim) if u.ndim else u * J2
    return np.tensordot(v, t, axes=(list(range(v.ndim)), list(range(v.ndim))))


def _jacobian_pair(o: Any, i: Any, mo: str, mi: str) -> Callable:
    def run(f, x, u, v):
        J2 = o.to_numpy(o.jacobian(i.jacobian(f, mi), mo)(x))
        return _contract(J2, o.to_numpy(u), o.to_numpy(v))

    return run


def _hessian_op(a: Any) -> Callable:
    def run(f, x, u, v):
        return _contract(a.to_numpy(a.hessian(f)(x)), a.to_numpy(u), a.to_numpy(v))

    return run


def _hvp_op(a: Any) -> Callable:
    def run(f, x, u, v):
        return a.to_numpy(a.hvp(f, x, v)) * a.to_numpy(u)

    return run


def _third(o: Any, m: Any, i: Any, top: Callable, build: Callable) -> Callable:
    def run(f, x, u, v):
        return o.to_numpy(top(o, lambda z: build(m, i, f, u, v)(z), v)(x))

    return run


# ------------------------------------------------------------------------------ inputs and oracle
@dataclass(frozen=True)
class Draw:
    """The point and directions of one nested check (float64, on the float32 grid)."""

    x: np.ndarray
    u: np.ndarray
    v: np.ndarray


def _grid(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def draw(case: Any, seed: int) -> Draw:
    """x from the case's domain (first shape of its menu), u and v standard normal, all from
    ``seed``; rounded to the float32 grid so every dtype sees the same point."""
    from conformance.adapters import get
    from conformance.derivatives.checks import stable_seed

    rng = np.random.default_rng(stable_seed(seed, case.name, "nested"))
    x = _grid(case.sample(rng, case.shapes[0]))
    y = np.asarray(case.fn(get("numpy").xp, x))
    return Draw(x, _grid(rng.standard_normal(y.shape)), _grid(rng.standard_normal(x.shape)))


@dataclass(frozen=True)
class Reference:
    value: np.ndarray
    method: str  # "mpmath" or "richardson"
    how: str


def _fd_second(f: Callable, analytic: bool, x: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """S₂ = ∇_x ⟨u, J v⟩: ⟨u, J v⟩ by complex step (analytic f) or Richardson, its gradient by
    Richardson."""

    def phi(z):
        jv = fd.jvp_complex_step(f, z, v) if analytic else fd.jvp(f, z, v)[0]
        return np.sum(u * jv)

    return fd.jacobian(phi, x)[0]


def _compute_reference(case: Any, order: int, d: Draw) -> Reference:
    if case.mp:
        from conformance.oracles import noise_to_zero

        F = lo.scalar_mp_function(case, d.u)
        lim = (lo.second if order == 2 else lo.third)(F, d.x, d.v)
        value, note = noise_to_zero(lim.value, lim.errors)  # an exact-0 entry's stencil residue is 0
        return Reference(value, "mpmath", lim.how + (f"; {note}" if note else ""))
    from conformance.adapters import get

    fn = case.oracle_fn
    xp = get("numpy").xp
    f = lambda z: np.asarray(fn(xp, z))  # noqa: E731
    if order == 2:
        return Reference(
            _fd_second(f, case.analytic, d.x, d.u, d.v),
            "richardson",
            "Richardson-extrapolated differences of a complex-step JVP",
        )
    val = fd.jacobian(lambda z: np.sum(_fd_second(f, case.analytic, z, d.u, d.v) * d.v), d.x)[0]
    return Reference(val, "richardson", "Richardson differences of Richardson differences of a complex-step JVP")


_REFERENCES = CaseMemo()


def reference(case: Any, order: int, d: Draw) -> Reference:
    """The exact S₂ (order 2) or S₃ (order 3) at the draw, cached per (case, order, draw), so that
    every framework shares one."""
    return _REFERENCES.get(
        case,
        (order, d.x.tobytes(), d.u.tobytes(), d.v.tobytes(), d.x.shape),
        lambda: _compute_reference(case, order, d),
    )


def tolerance(order: int, dtype: str, method: str) -> Tolerance:
    level = "second_order" if order == 2 else "third_order"
    tol = policy(level, dtype, "ad")
    if method == "richardson":
        f = policy(level, "float64", "fd")
        return Tolerance(max(tol.rtol, f.rtol), max(tol.atol, f.atol), f"{tol.reason} | {f.reason}", dtype, True)
    return tol


# ------------------------------------------------------------------------------ the check
Program = tuple[int, str, tuple[str, ...]]  # (order, mode family, variant roles)


def run_nested(case: Any, ctx: Context, prog: Program, base: Program) -> Outcome:
    """One program (mode family × variant roles) vs the oracle and vs ``base``, the first program of
    its order that the profile runs on this case (every other program of the order must agree with
    it; its own value is computed once and shared, so the comparison costs no extra program)."""
    order, family, roles = prog
    a = ctx.adapter
    d = draw(case, ctx.seed)
    f = case.function(a.name, a.xp)
    x, u, v = ctx.array(d.x), ctx.array(d.u), ctx.array(d.v)
    ref = reference(case, order, d)
    tol = tolerance(order, ctx.dtype, ref.method)
    ads = [role_adapter(a, r) for r in roles]
    chain = " over ".join(f"{ad.label}" for ad in ads)
    got = _result(case, a, prog, d, f, x, u, v)
    want = _level(ref.value, got, d.v)
    # uᵀD²f[v,·] is a contraction whose terms are not at hand: judged on their magnitude taken normwise,
    # the largest |entry| of the exact result (elementwise, a cancelled entry would be held to ε of itself)
    top = float(np.max(np.abs(want), initial=0.0))
    c = compare(
        got,
        want,
        tol,
        np.full(np.shape(want), top),
        scale_name="the largest |entry| of the exact contraction (normwise)",
    )
    data = {
        "program": f"{family} [{chain}]",
        "oracle": ref.how,
        "u": d.u.tolist(),
        "v": d.v.tolist(),
        "reason": tol.reason,
        "variants": {ad.variant: a.variant_doc.get(ad.variant, "") for ad in ads},
        **c.stated(),
    }
    if prog == base:
        agree, against = None, "it is the program of this order that the case's others are compared with"
    else:
        agree, against = _agreement(case, a, base, d, f, x, u, v, got, ref, tol)
        if agree is not None:
            data["agreement_ratio"] = agree.error_ratio
            data["compared_with"] = check_name(*base)
    what = "uᵀD²f[v,·]" if order == 2 else "uᵀD³f[v,v,·]"
    ok = c.ok and (agree is None or agree.ok)
    if c.ok and not ok:
        data["failure_class"] = agree.failure_class
    if ok:
        msg = f"{family} [{chain}] = {what} matches the {ref.method} oracle (ratio {c.error_ratio:.3g}); {against}"
    elif not c.ok:
        msg = (
            f"{family} [{chain}] differs from the {ref.method} oracle for {what}: max abs error "
            f"{c.max_abs_error:.3g}, max rel error {c.max_rel_error:.3g}, ratio {c.error_ratio:.3g} > 1"
        )
    else:
        msg = f"{family} [{chain}] disagrees with {check_name(*base)} for {what}: ratio {agree.error_ratio:.3g} > 1"
    ratio = max(_ratio(c.error_ratio), _ratio(agree.error_ratio) if agree is not None else 0.0)
    return Outcome(
        "pass" if ok else "fail",
        max_abs_error=c.max_abs_error,
        max_rel_error=c.max_rel_error,
        tolerance=tol.rtol,
        atol=tol.atol,
        error_ratio=ratio,
        message=msg,
        input=d.x.tolist(),
        data=data,
        seed=ctx.seed,
    )


def _agreement(
    case: Any,
    a: Any,
    base: Program,
    d: Draw,
    f: Callable,
    x: Any,
    u: Any,
    v: Any,
    got: np.ndarray,
    ref: Reference,
    tol: Tolerance,
) -> tuple[Any, str]:
    """(comparison of ``got`` with the base program's value, or None, and the phrase for the
    message). A base program that raises or misses the oracle itself (a registered deviation) is
    no yardstick: the program is then judged by the oracle alone, and the message says why."""
    name = check_name(*base)
    try:
        other = _result(case, a, base, d, f, x, u, v)
    except Exception as exc:
        return None, f"not compared with {name}, which raised {type(exc).__name__}"
    base_want = _level(ref.value, other, d.v)
    if not compare(
        other, base_want, tol, np.full(np.shape(base_want), float(np.max(np.abs(base_want), initial=0.0)))
    ).ok:
        return None, f"not compared with {name}, which misses the oracle itself"
    from conformance.derivatives.checks import agree as normwise

    agree = normwise(_level(got, other, d.v), _level(other, got, d.v), tol)
    return agree, f"agrees with {name} (ratio {agree.error_ratio:.3g})"


def _level(value: np.ndarray, like: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``value`` contracted with v where ``like`` is a program's contraction ⟨S, v⟩ (a scalar, from
    fwd∘fwd) and value is not, so the two compare at the same level; else value itself."""
    return np.sum(value * v) if np.ndim(like) == 0 and np.ndim(value) > 0 else value


_RESULTS = CaseMemo()


def _result(case: Any, a: Any, prog: Program, d: Draw, f: Callable, x: Any, u: Any, v: Any) -> np.ndarray:
    """The value of nested program ``prog`` of the case at the draw, computed once per (framework,
    case, program, draw): the record of the program and the comparisons with it share it."""
    order, family, roles = prog
    return _RESULTS.get(
        case,
        (a.name, prog, d.x.tobytes(), d.u.tobytes(), d.v.tobytes()),
        lambda: np.asarray(program(family, roles, a)(f, x, u, v), dtype=np.float64),
    )


def _ratio(r: float) -> float:
    return float("inf") if r != r else r


def _applies(roles: tuple[str, ...]) -> Callable:
    def applies(adapter: Any, dtype: str) -> str | None:
        if getattr(adapter, "is_reference", False):
            return (
                "nested modes compose AD operators; the numerical reference has no modes to nest "
                "(its derivatives are finite differences)"
            )
        if "alternate" in roles and len(type(adapter).variants) < 2:
            return f"{adapter.name} has a single API variant"
        return None

    return applies


SECOND_FAMILIES = tuple(SECOND) + tuple(JACOBIAN_PAIRS)
THIRD_FAMILIES = tuple(f"{o}∘{m}" for o in THIRD_OUTER for m in SECOND)


# The rotating (ci, dev) selection: SECOND_PER_CASE of the four second-order mode families on every
# case with default variants (rotating, so each family runs on half the catalog); mixed variants on
# every MIXED_EVERY-th case; one jacobian pair on every JACOBIAN_EVERY-th case; and
# THIRD_PER_CASE third-order families per case. Costs that forced it (TensorFlow 2.21, this 2-core
# machine): tf.GradientTape.jacobian traces a pfor tf.function per call (1-6 s), and nested
# ForwardAccumulators retrace their forward functions at every level (fwd∘fwd∘fwd through three
# accumulators: over 2 minutes for one elementwise case). The ``thorough`` profile runs everything.
SECOND_PER_CASE = 2
THIRD_PER_CASE = 1
MIXED_EVERY = 4
JACOBIAN_EVERY = 6
ROLES3_ROTATING = (("default",) * 3, ("default", "alternate", "default"))


def programs(case: Any, full: bool = True) -> list[tuple[int, str, tuple[str, ...]]]:
    """(order, family, roles) of the nested programs of the case: with ``full``, every mode family
    with every variant assignment; otherwise the rotating selection above, which covers every
    mode family on every case and every variant pairing across the catalog."""
    from conformance.derivatives.checks import stable_seed

    out: list[tuple[int, str, tuple[str, ...]]] = []
    if case.smooth_order < 2:
        return out
    k = stable_seed(case.name)
    default2 = ("default", "default")
    if full:
        out += [(2, fam, roles) for fam in SECOND_FAMILIES for roles in ROLES2]
    else:
        fams = tuple(SECOND)
        out += [(2, fams[(k + i) % len(fams)], default2) for i in range(SECOND_PER_CASE)]
        if k % MIXED_EVERY == 0:
            fam = tuple(SECOND)[(k // MIXED_EVERY) % len(SECOND)]
            out.append((2, fam, ROLES2[1 + (k // 7) % (len(ROLES2) - 1)]))
        if k % JACOBIAN_EVERY == 0:
            pairs = tuple(JACOBIAN_PAIRS)
            out.append((2, pairs[(k // JACOBIAN_EVERY) % len(pairs)], ROLES2[(k // 5) % len(ROLES2)]))
    if case.scalar:
        roles = ("default", "alternate") if full else (("default", "alternate")[k % 2],)
        out += [(2, fam, (role,)) for fam in ("hessian", "hvp") for role in roles]
    if case.smooth_order >= 3:
        if full:
            out += [(3, fam, roles) for fam in THIRD_FAMILIES for roles in ROLES3]
        else:
            for i in range(THIRD_PER_CASE):
                mixed = k % MIXED_EVERY == 1
                j = (k // MIXED_EVERY if mixed else k + i * 3) % len(THIRD_FAMILIES)
                out.append((3, THIRD_FAMILIES[j], ROLES3_ROTATING[1 if mixed else 0]))
    return out


def check_name(order: int, family: str, roles: tuple[str, ...]) -> str:
    return f"nested{order} {family} [{' over '.join(roles)}]"


def tasks_for(case: Any, full: bool = True) -> list[Task]:
    """One float64 task per nested program of the case (run once per framework); each is compared
    with the first program of its order."""
    progs = programs(case, full)
    first = {}
    for prog in progs:
        first.setdefault(prog[0], prog)
    out: list[Task] = []
    for prog in progs:

        def run(ctx: Context, prog=prog) -> Outcome:
            return run_nested(case, ctx, prog, first[prog[0]])

        out.append(
            Task(
                case.family,
                case.name,
                check_name(*prog),
                run,
                dtypes=("float64",),
                per_variant=False,
                applies=_applies(prog[2]),
                cost=NESTED_COST[prog[0]],
            )
        )
    return out


# Time of a nested record relative to a first-order check (JAX compiles one program per record:
# ≈ 0.3 s at order 2 and 0.7 s at order 3 vs ≈ 0.1 s; measured on this project's 2-core machine).
NESTED_COST = {2: 3.0, 3: 7.0}
