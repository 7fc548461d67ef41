"""Hessian-free optimization (family "hessian_free", beside the optimizer suite): curvature products by each
framework's autodiff against exact float64 oracles (``hessian_free_model``).

    Hessian-vector product, five ways, each vs H v (H: complex-step columns of the hand-written gradient)
        reverse-over-reverse       vjp(∇L, θ, v)
        forward-over-reverse       jvp(∇L, θ, v)
        reverse-over-forward       ∇_θ ⟨∇L(θ), v⟩ computed as grad(θ ↦ jvp(L, θ, v))
        adapter hvp                the adapter's own ``hvp``
        finite differences         Richardson-extrapolated central differences of the framework's ∇L along v
    explicit Hessian               ``hessian`` vs H
    GGN-vector product             Jᵀ(H_L(Jv)) by jvp, hvp, vjp  vs  G v (complex-step J, closed-form H_L)
    explicit GGN                   Jᵀ H_L J from ``jacobian`` and ``hessian``  vs  G
    GGN = Hessian                  linear model, squared loss: ``hessian`` and the explicit GGN both equal G
    vᵀGv >= 0                      8 random directions and a null direction of G (a shift of the output biases,
                                   which softmax ignores): vᵀGv >= 0 and equal to the exact value, within rounding
    CG on the damped GGN           CG (GGN products) on (G + λI) x = −∇L, λ = ‖G‖₂/10, vs a dense solve
    Martens HF step                one step from the same θ₀ (numpy, seeded), compared with the same algorithm
                                   run on the numpy float64 oracles

θ and v are drawn from numpy, seeded by the run seed and the case. Products and matrices are judged
normwise (on the largest magnitude of their terms, |H||v| or Σ|J|ᵀ|H_L||J|: their entries are sums over
samples and layers) under the policy's "second_order" bound, the numerical ("fd") bound for finite
differences and for the numpy reference, whose nested modes are skipped (its operators are difference
quotients: nesting them is not reverse-over-reverse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance import finite_differences as fd
from conformance.advanced import hessian_free_model as hm
from conformance.advanced.hessian_free_model import Problem
from conformance.derivatives.checks import verdict
from conformance.engine import Context, Outcome, Profile, Task
from conformance.integrals.monte_carlo import stream_seed
from conformance.integrals.quadrature import derivative_tolerance
from conformance.tolerance import Tolerance, compare, policy

FAMILY = "hessian_free"
F64 = ("float64",)
DIRECTIONS = 8
CG_ITERATIONS, CG_RTOL = 200, 1e-14
HF_CG_ITERATIONS, HF_LAMBDA = 10, 1.0


def normwise(actual: Any, exact: Any, tol: Tolerance, terms: Any, what: str) -> Any:
    """``compare`` on the scale of the largest term (normwise)."""
    top = float(np.max(np.abs(terms)))
    return compare(actual, exact, tol, np.full(np.shape(exact), top), scale_name=f"the largest {what} (normwise)")


def draw(ctx: Context, problem: Problem, case: str) -> tuple[np.ndarray, np.ndarray]:
    """(θ, v) for this run: θ from the problem's distribution, v ~ N(0, I)."""
    rng = np.random.default_rng(stream_seed(ctx.seed, case))
    return problem.point(rng), rng.standard_normal(problem.size)


def _args(ctx: Context, problem: Problem) -> tuple[Any, Any]:
    return tuple(ctx.array(a) for a in problem.data)


def _loss(ctx: Context, problem: Problem, x: Any, y: Any) -> Callable[[Any], Any]:
    return lambda t: problem.value(ctx.xp, t, x, y)


WAYS: dict[str, Callable] = {
    "reverse-over-reverse": lambda ad, f, t, v: ad.vjp(ad.grad(f), t, v)[1],
    "forward-over-reverse": lambda ad, f, t, v: ad.jvp(ad.grad(f), t, v)[1],
    "reverse-over-forward": lambda ad, f, t, v: ad.grad(lambda z: ad.jvp(f, z, v)[1])(t),
    "adapter hvp": lambda ad, f, t, v: ad.hvp(f, t, v),
}
NESTED = ("reverse-over-reverse", "forward-over-reverse", "reverse-over-forward")


def _not_nested(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference has no nested modes: its operators are difference quotients "
            "(its column holds the adapter hvp, the explicit Hessian and differences of its gradient)"
        )
    return None


def _analytic(adapter: Any, dtype: str) -> str | None:
    if getattr(adapter, "is_reference", False):
        return (
            "the numerical reference's GGN products are difference quotients of difference quotients "
            "(~0.1 s each): its GGN product, explicit GGN and vᵀGv are checked; CG and the HF step compare "
            "with the analytic float64 computation itself"
        )
    return None


def hvp_check(problem: Problem, way: str, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, v = draw(ctx, problem, case)
        ad = ctx.adapter
        H = problem.hessian(theta)
        if way == "finite differences of the gradient":
            grad = ad.program(lambda t, x, y: ad.grad(_loss(ctx, problem, x, y))(t), "hf.grad", problem.name)
            data = _args(ctx, problem)
            g = lambda z: ctx.numpy(grad(ctx.array(z), *data))  # noqa: E731
            got = fd.jvp(g, theta, v)[0]
            tol = policy("second_order" if getattr(ad, "is_reference", False) else "exact", "float64", "fd")
        else:
            prog = ad.program(
                lambda t, u, x, y: WAYS[way](ad, _loss(ctx, problem, x, y), t, u), "hf.hvp", way, problem.name
            )
            got = ctx.numpy(prog(ctx.array(theta), ctx.array(v), *_args(ctx, problem)))
            tol = derivative_tolerance(ctx, "second_order")
        c = normwise(got, H @ v, tol, np.abs(H) @ np.abs(v), "term of |H||v|")
        return verdict(
            f"H v by {way}",
            c,
            tol,
            None,
            "the exact H v (complex-step Hessian of the hand-written gradient)"
            if problem.model
            else "the closed-form Hessian times v",
            theta=theta.tolist(),
        )

    return run


def hessian_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        ad = ctx.adapter
        prog = ad.program(lambda t, x, y: ad.hessian(_loss(ctx, problem, x, y))(t), "hf.hessian", problem.name)
        got = ctx.numpy(prog(ctx.array(theta), *_args(ctx, problem)))
        H = problem.hessian(theta)
        tol = derivative_tolerance(ctx, "second_order")
        c = normwise(got, H, tol, H, "entry of H")
        return verdict("the explicit Hessian", c, tol, None, "the exact Hessian", theta=theta.tolist())

    return run


def _gvp_program(ctx: Context, problem: Problem) -> Callable:
    """(θ, v, x, y) ↦ Gv, one staged program."""
    ad, xp = ctx.adapter, ctx.xp
    return ad.program(lambda t, v, x, y: hm.ggn_vector_product(ad, xp, problem, t, v, x, y), "hf.gvp", problem.name)


def _explicit_ggn(ctx: Context, problem: Problem, theta: np.ndarray) -> np.ndarray:
    """Jᵀ H_L J from the adapter's ``jacobian`` of z and ``hessian`` of L in z (multiplied in numpy)."""
    ad, xp = ctx.adapter, ctx.xp
    x, y = _args(ctx, problem)
    t = ctx.array(theta)
    J = ctx.numpy(ad.jacobian(lambda q: problem.model.outputs(xp, q, x))(t))
    z = problem.model.outputs(xp, t, x)
    HL = ctx.numpy(ad.hessian(lambda q: problem.loss(xp, q, y))(z))
    n, o, p = J.shape
    Jm = J.reshape(n * o, p)
    return Jm.T @ HL.reshape(n * o, n * o) @ Jm


def ggn_product_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, v = draw(ctx, problem, case)
        got = ctx.numpy(_gvp_program(ctx, problem)(ctx.array(theta), ctx.array(v), *_args(ctx, problem)))
        G, terms = problem.ggn(theta)
        tol = derivative_tolerance(ctx, "second_order")
        c = normwise(got, G @ v, tol, terms @ np.abs(v), "term of Σ|J|ᵀ|H_L||J||v|")
        return verdict(
            "Jᵀ(H_L(J v)) by jvp, hvp and vjp",
            c,
            tol,
            None,
            "G v (complex-step J, closed-form H_L)",
            theta=theta.tolist(),
        )

    return run


def ggn_matrix_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        got = _explicit_ggn(ctx, problem, theta)
        G, terms = problem.ggn(theta)
        tol = derivative_tolerance(ctx, "second_order")
        c = normwise(got, G, tol, terms, "term of Σ|J|ᵀ|H_L||J|")
        return verdict(
            "the explicit GGN Jᵀ H_L J", c, tol, None, "G (complex-step J, closed-form H_L)", theta=theta.tolist()
        )

    return run


def ggn_equals_hessian_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    """For a linear model with squared loss H = G exactly: both the framework's Hessian and its explicit
    GGN are compared with G; the worse of the two decides."""

    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        ad = ctx.adapter
        H = ctx.numpy(ad.hessian(_loss(ctx, problem, *_args(ctx, problem)))(ctx.array(theta)))
        Gfw = _explicit_ggn(ctx, problem, theta)
        G, terms = problem.ggn(theta)
        tol = derivative_tolerance(ctx, "second_order")
        ch, cg = (normwise(a, G, tol, terms, "term of Σ|J|ᵀ|H_L||J|") for a in (H, Gfw))
        worst = max((ch, cg), key=lambda c: c.error_ratio)
        return verdict(
            "the Hessian and the explicit GGN of a linear model with squared loss",
            worst,
            tol,
            None,
            "G = Σ Jᵀ H_L J (exact)",
            hessian_error_ratio=ch.error_ratio,
            ggn_error_ratio=cg.error_ratio,
            hessian_minus_ggn=float(np.max(np.abs(H - Gfw))),
        )

    return run


def psd_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        rng = np.random.default_rng(stream_seed(ctx.seed, case + " directions"))
        null = np.zeros(problem.size)
        null[-problem.model.sizes[2] :] = 1.0  # shift every output bias alike: softmax ignores it
        vs = np.vstack([rng.standard_normal((DIRECTIONS, problem.size)), null])
        gvp = _gvp_program(ctx, problem)
        data = _args(ctx, problem)
        t = ctx.array(theta)
        got = np.array([float(v @ ctx.numpy(gvp(t, ctx.array(v), *data))) for v in vs])
        J, HL = problem.jacobian(theta), problem.loss_hessian(theta)
        jv = np.einsum("nip,kp->kni", J, vs)
        ajv = np.einsum("nip,kp->kni", np.abs(J), np.abs(vs))
        exact = np.einsum("kni,nij,knj->k", jv, HL, jv)
        terms = np.einsum("kni,nij,knj->k", ajv, np.abs(HL), ajv)
        tol = derivative_tolerance(ctx, "second_order")
        c = compare(got, exact, tol, terms, scale_name="(|J||v|)ᵀ|H_L|(|J||v|)")
        negative = got < -(tol.rtol * terms)
        ok = c.ok and not negative.any()
        out = verdict(
            "vᵀGv by GGN products",
            c,
            tol,
            None,
            "the exact (Jv)ᵀH_L(Jv) >= 0",
            theta=theta.tolist(),
            quadratic_forms=got.tolist(),
            below_minus_rounding=negative.tolist(),
        )
        if c.ok and not ok:
            out.status, out.message = "fail", f"vᵀGv < 0 beyond rounding in {int(negative.sum())} directions"
        return out

    return run


def cg_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        ad, xp = ctx.adapter, ctx.xp
        data = _args(ctx, problem)
        t = ctx.array(theta)
        G, _ = problem.ggn(theta)
        lam = float(np.linalg.norm(G, 2)) / 10
        gvp = _gvp_program(ctx, problem)
        grad = ad.grad(_loss(ctx, problem, *data))
        to_float = lambda a: float(ctx.numpy(a))  # noqa: E731
        x, iterates, norms = hm.conjugate_gradient(
            xp, lambda v: gvp(t, v, *data) + lam * v, -1.0 * grad(t), CG_ITERATIONS, to_float, CG_RTOL
        )
        B = G + lam * np.eye(problem.size)
        exact = np.linalg.solve(B, -problem.gradient(theta))
        kappa = float(np.linalg.cond(B))
        base = derivative_tolerance(ctx, "second_order")
        tol = Tolerance(
            base.rtol * kappa,
            base.atol * kappa,
            f"{base.reason}; times κ(G + λI) = {kappa:.3g}: "
            "a relative perturbation δ of the products moves the solution by up to κδ",
            base.dtype,
            base.absolute_everywhere,
        )
        c = normwise(ctx.numpy(x), exact, tol, exact, "entry of the solution")
        return verdict(
            f"CG on (G + λI) x = −∇L, {len(iterates)} iterations (‖r‖/‖b‖ = {norms[-1] / norms[0]:.2g})",
            c,
            tol,
            None,
            "a dense solve of the exact system",
            lam=lam,
            kappa=kappa,
            iterations=len(iterates),
            residual_norms=norms,
        )

    return run


def hf_step_check(problem: Problem, case: str) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        theta, _ = draw(ctx, problem, case)
        ad, xp = ctx.adapter, ctx.xp
        data = _args(ctx, problem)
        gvp = _gvp_program(ctx, problem)
        loss = _loss(ctx, problem, *data)
        got, facts = hm.hf_step(
            xp,
            loss,
            ad.grad(loss),
            lambda v: gvp(ctx.array(theta), v, *data),
            ctx.array(theta),
            HF_LAMBDA,
            HF_CG_ITERATIONS,
            lambda a: float(ctx.numpy(a)),
        )
        G, _ = problem.ggn(theta)
        np_loss = lambda t: problem.value(hm.numpy_xp(), t, *problem.data)  # noqa: E731
        want, ref = hm.hf_step(
            np, np_loss, problem.gradient, lambda v: G @ v, theta, HF_LAMBDA, HF_CG_ITERATIONS, float
        )
        tol = policy("trajectory", "float64", "optimizer")
        c = compare(ctx.numpy(got), want, tol)
        same = {k: facts[k] == ref[k] for k in ("iterate", "shrinks", "lambda")}
        out = verdict(
            f"one HF step (CG {HF_CG_ITERATIONS} iterations, λ = {HF_LAMBDA:g})",
            c,
            tol,
            None,
            "the same step on the numpy float64 oracles",
            theta0=theta.tolist(),
            theta1=ctx.numpy(got).tolist(),
            theta1_reference=want.tolist(),
            step=facts,
            reference=ref,
            same_decisions=same,
        )
        if not all(same.values()):
            out.status = "fail"
            out.message = f"the step's decisions differ from the float64 reference: {same}; " + out.message
        return out

    return run


def tasks(profile: Profile) -> Iterator[Task]:
    for problem in (hm.ROSENBROCK, hm.MLP_SQUARED):
        case = problem.name
        for way in (*WAYS, "finite differences of the gradient"):
            yield Task(
                FAMILY,
                case,
                f"Hessian-vector product: {way}",
                hvp_check(problem, way, case),
                dtypes=F64,
                applies=_not_nested if way in NESTED else None,
                cost=2.0,
            )
        yield Task(FAMILY, case, "explicit Hessian", hessian_check(problem, case), dtypes=F64, cost=2.0)
    soft = hm.MLP_SOFTMAX.name
    yield Task(FAMILY, soft, "GGN-vector product JᵀH_LJv", ggn_product_check(hm.MLP_SOFTMAX, soft), dtypes=F64)
    yield Task(FAMILY, soft, "explicit GGN JᵀH_LJ", ggn_matrix_check(hm.MLP_SOFTMAX, soft), dtypes=F64, cost=2.0)
    yield Task(FAMILY, soft, "vᵀGv >= 0", psd_check(hm.MLP_SOFTMAX, soft), dtypes=F64, per_variant=False)
    yield Task(
        FAMILY,
        soft,
        "CG on the damped GGN = dense solve",
        cg_check(hm.MLP_SOFTMAX, soft),
        dtypes=F64,
        per_variant=False,
        applies=_analytic,
        cost=4.0,
    )
    yield Task(
        FAMILY,
        soft,
        "Martens HF step = numpy float64",
        hf_step_check(hm.MLP_SOFTMAX, soft),
        dtypes=F64,
        per_variant=False,
        applies=_analytic,
        cost=3.0,
    )
    lin = hm.LINEAR.name
    yield Task(FAMILY, lin, "GGN = Hessian", ggn_equals_hessian_check(hm.LINEAR, lin), dtypes=F64)
