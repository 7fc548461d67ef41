"""The advanced-calculus suite (``--suite advanced``): the seed's closing topics, each held to the same
mathematics in every framework through the adapters' public operators.

    pinn          PINN differential operators: Laplacians every way a framework offers, divergence,
                  biharmonic, mixed partials, PDE residuals at exact solutions, Hutchinson estimators
    variations    calculus of variations: discretized functionals, Euler–Lagrange convergence,
                  extremals, Beltrami invariant, second variation
    fractional    Grünwald–Letnikov, Riemann–Liouville and Caputo (L1) derivatives against mpmath
    diffusion     diffusion-model calculus: scores, Tweedie, score-matching losses, probability flow
    hessian_free  Hessian-vector products four ways, Gauss–Newton products, CG, one Martens HF step

Each topic module has ``tasks(profile) -> Iterator[Task]`` with ``family`` = the topic's name;
``suite.tasks`` chains them (registered in ``conformance.engine.SUITES`` as ``advanced``).
"""

# Each topic: its family name -> its title in the report (the suite runs them in this order).
TOPICS = {
    "pinn": "PINN differential operators",
    "variations": "Calculus of variations",
    "fractional": "Fractional calculus",
    "diffusion": "Diffusion-model calculus",
    "hessian_free": "Hessian-free optimization",
}
