"""Integral calculus held to the same standard as derivatives (issue 6).

    quadrature    each framework's trapezoid rules vs mpmath sums, scipy.integrate and mpmath.quad,
                  with their gradients wrt samples and grid vs closed forms
    identities    fundamental theorem of calculus and gradient theorem with AD integrands
    monte_carlo   π and E[f(X)] with each framework's generator; the stated z-rule; N^(−1/2) study
    expectations  pathwise and score-function gradients of expectations
    kl            KL divergences: closed forms vs distributions libraries vs Monte Carlo; VAE term
    stochastic    Itô sums and the pathwise gradient of geometric Brownian motion
    suite         the engine tasks (family "integrals")
    false_alarms  ``python -m conformance.integrals.false_alarms``: measured false-alarm rates

Python API: ``integrate(adapter, y, x, axis)`` integrates numpy samples with a framework's own rule
after validating the grid (QuadratureInputError names the problem and the fix).
"""

from conformance.integrals.expectations import DistributionParameterError, require_positive
from conformance.integrals.monte_carlo import FALSE_ALARM, z_bound
from conformance.integrals.quadrature import QuadratureInputError, check_grid, integrate

__all__ = [
    "FALSE_ALARM",
    "DistributionParameterError",
    "QuadratureInputError",
    "check_grid",
    "integrate",
    "require_positive",
    "z_bound",
]
