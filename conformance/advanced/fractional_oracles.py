"""mpmath oracles for the fractional schemes: the same sums written directly (an independent
formulation, exact for the given samples at raised precision), the closed forms of the exact
operators, and the Mittag-Leffler function.

    D^α t^k  = Γ(k+1)/Γ(k+1−α) t^{k−α}      (Caputo = Riemann–Liouville = Grünwald–Letnikov, k > 0)
    D^α 1    = t^−α/Γ(1−α) (RL, GL),   0 (Caputo)
    I^α t^k  = Γ(k+1)/Γ(k+1+α) t^{k+α},  I^α I^β = I^{α+β}
    E_α(z)   = Σ_{m>=0} z^m / Γ(αm + 1),   Caputo D^α E_α(λ t^α) = λ E_α(λ t^α)

The test function is f(t) = c + t^k (c, k > 0 given); ``exact(method, α, T, c, k)`` is the exact operator
at t = T, and its derivatives in α and T are ``mpmath.diff`` of it at raised precision.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np

DPS = 40


def _mp(x):
    return mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x


# ----------------------------------------------------------------------------- the schemes, directly
def gl_sum(alpha, h, f):
    """h^−α Σ_k (−1)^k C(α, k) f_{N−k}."""
    n = len(f) - 1
    return h ** (-alpha) * mpmath.fsum((-1) ** k * mpmath.binomial(alpha, k) * f[n - k] for k in range(n + 1))


def l1_caputo_sum(alpha, h, f):
    """h^−α/Γ(2−α) Σ_{k<N} ((k+1)^{1−α} − k^{1−α}) (f_{N−k} − f_{N−k−1})."""
    n = len(f) - 1
    p = 1 - alpha
    terms = (((k + 1) ** p - (k**p if k else 0)) * (f[n - k] - f[n - k - 1]) for k in range(n))
    return h ** (-alpha) / mpmath.gamma(2 - alpha) * mpmath.fsum(terms)


def l1_rl_sum(alpha, h, f):
    """The L1 Caputo sum + f_0 (N h)^−α / Γ(1−α)."""
    n = len(f) - 1
    return l1_caputo_sum(alpha, h, f) + f[0] * (n * h) ** (-alpha) / mpmath.gamma(1 - alpha)


def trapezoid_row(alpha, h, n):
    """The weights h^α/Γ(α+2) a_{n,j}, j = 0..n, of the product-trapezoid I^α at node n >= 1."""
    q = alpha + 1
    scale = h**alpha / mpmath.gamma(alpha + 2)
    w = [((n - 1) ** q - (n - alpha - 1) * mpmath.mpf(n) ** alpha) * scale]
    for j in range(1, n):
        w.append(((n - j + 1) ** q - 2 * mpmath.mpf(n - j) ** q + mpmath.mpf(n - j - 1) ** q) * scale)
    w.append(scale)
    return w


def trapezoid_sum(alpha, h, f):
    """Product-trapezoid I^α f(t_N)."""
    return mpmath.fsum(w * v for w, v in zip(trapezoid_row(alpha, h, len(f) - 1), f))


def trapezoid_all(alpha, h, f):
    """Product-trapezoid I^α f(t_n) for n = 0..N."""
    return [mpmath.mpf(0)] + [
        mpmath.fsum(w * v for w, v in zip(trapezoid_row(alpha, h, n), f[: n + 1])) for n in range(1, len(f))
    ]


SUMS = {
    "grunwald_letnikov": gl_sum,
    "l1_caputo": l1_caputo_sum,
    "l1_riemann_liouville": l1_rl_sum,
    "trapezoid_integral": trapezoid_sum,
}


def samples(c, k, T, n):
    """[c + t_j^k for t_j = j T / n], in mpmath."""
    h = _mp(T) / n
    return [c + (j * h) ** k if j else _mp(c) for j in range(n + 1)]


def scheme_value(method: str, alpha, T, c, k, n: int):
    """The scheme ``method`` at t = T on f = c + t^k with n steps, in mpmath at the working precision."""
    return SUMS[method](alpha, _mp(T) / n, samples(c, k, T, n))


# ----------------------------------------------------------------------------- exact operators
def exact(method: str, alpha, T, c, k):
    """The exact operator the scheme ``method`` approximates, applied to c + t^k at t = T."""
    T = _mp(T)
    if method == "trapezoid_integral":
        power = mpmath.gamma(k + 1) / mpmath.gamma(k + 1 + alpha) * T ** (k + alpha)
        return c * T**alpha / mpmath.gamma(1 + alpha) + power
    power = mpmath.gamma(k + 1) / mpmath.gamma(k + 1 - alpha) * T ** (k - alpha)
    if method == "l1_caputo":
        return power
    return power + c * T ** (-alpha) / mpmath.gamma(1 - alpha)


@functools.lru_cache(maxsize=4096)
def exact_with_gradient(method: str, alpha: float, T: float, c: float, k: float) -> tuple[float, float, float]:
    """(value, ∂/∂α, ∂/∂T) of ``exact`` at float arguments: mpmath.diff at DPS digits."""
    with mpmath.workdps(DPS):
        f = lambda a, t: exact(method, a, t, _mp(c), _mp(k))  # noqa: E731
        a, t = _mp(alpha), _mp(T)
        return float(f(a, t)), float(mpmath.diff(f, (a, t), (1, 0))), float(mpmath.diff(f, (a, t), (0, 1)))


@functools.lru_cache(maxsize=4096)
def scheme_with_gradient(method: str, alpha: float, T: float, c: float, k: float, n: int) -> tuple[float, float, float]:
    """(value, ∂/∂α, ∂/∂T) of the scheme on n steps, by mpmath.diff of the direct sum at DPS digits."""
    with mpmath.workdps(DPS):
        f = lambda a, t: scheme_value(method, a, t, _mp(c), _mp(k), n)  # noqa: E731
        a, t = _mp(alpha), _mp(T)
        return float(f(a, t)), float(mpmath.diff(f, (a, t), (1, 0))), float(mpmath.diff(f, (a, t), (0, 1)))


# ----------------------------------------------------------------------------- Mittag-Leffler
def mittag_leffler(alpha, z):
    """E_α(z) = Σ z^m / Γ(αm + 1), summed at raised precision until the terms fall below 10^−(dps+5)
    (for the |z| <= 10 used here the alternating terms cancel at most ~e^{|z|^{1/α}}: the precision is
    raised by that many digits)."""
    alpha, z = _mp(alpha), _mp(z)
    extra = int(float(abs(z)) ** (1 / float(alpha)) / 2.3) + 10
    with mpmath.extradps(extra):
        total, m = mpmath.mpf(0), 0
        tol = mpmath.mpf(10) ** (-(mpmath.mp.dps + 5))
        while True:
            term = z**m / mpmath.gamma(alpha * m + 1)
            total += term
            if m > 5 and abs(term) < tol * max(abs(total), 1):
                break
            m += 1
        return +total


# ----------------------------------------------------------------------------- rounding scales
def magnitude(method: str, alpha: float, h: float, f) -> float:
    """The magnitude of the scheme's terms before they cancel, each weighted by its condition (a
    weight exp(Σ ± log Γ) or exp(p log m) is computed to ε·(1 + |exponent|) relative): the scale on
    which a float evaluation of the sum is judged (float64 numpy; only its size matters)."""
    from scipy.special import gammaln

    f = np.abs(np.asarray(f, dtype=float))
    n = len(f) - 1
    if method == "grunwald_letnikov":
        k = np.arange(n, 0, -1, dtype=float)
        lg = np.abs(gammaln(k - alpha)) + abs(gammaln(1 - alpha)) + np.abs(gammaln(k + 1))
        w = alpha * np.exp(gammaln(k - alpha) - gammaln(1 - alpha) - gammaln(k + 1))
        return float(h**-alpha * (f[-1] + np.sum(w * f[:-1] * (1 + lg))))
    if method in ("l1_caputo", "l1_riemann_liouville"):
        k = np.arange(n - 1, -1, -1, dtype=float)
        p = 1 - alpha
        b = ((k + 1) ** p + k**p) * (1 + p * np.log(k + 1))
        out = h**-alpha / np.exp(gammaln(2 - alpha)) * np.sum(b * (f[1:] + f[:-1]))
        if method == "l1_riemann_liouville":
            out += f[0] * (n * h) ** -alpha / np.exp(gammaln(1 - alpha)) * (1 + abs(alpha * np.log(n * h)))
        return float(out)
    if method == "trapezoid_integral":
        m = n - np.arange(n + 1, dtype=float)
        q = alpha + 1
        pw = lambda x: np.where(x >= 1, np.maximum(x, 1) ** q, 0.0)  # noqa: E731
        a = (pw(m + 1) + 2 * pw(m) + pw(m - 1)) * (1 + q * np.log(m + 2))
        a[0] = (pw(n - 1) + (n + 1) * n**alpha) * (1 + q * np.log(n + 1))
        return float(h**alpha / np.exp(gammaln(alpha + 2)) * np.sum(a * f))
    raise ValueError(f"unknown method {method!r}")


def ml_samples(alpha: float, lam: float, t) -> "np.ndarray":
    """E_α(λ t^α) at float64 points t (|λ t^α| <= 1), by the series Σ z^m/Γ(αm+1) in float64 (terms of
    size <= e^{|z|}: the sum is accurate to a few ε; ``mittag_leffler`` checks it in the unit tests)."""
    from scipy.special import gamma

    z = lam * np.asarray(t, dtype=float) ** alpha
    if np.max(np.abs(z)) > 1:
        raise ValueError("ml_samples sums the float64 series for |λ t^α| <= 1 only")
    m = np.arange(0, 200, dtype=float)
    terms = z[:, None] ** m[None, :] / gamma(alpha * m + 1)[None, :]
    return np.sum(np.where(np.isfinite(terms), terms, 0.0), axis=1)
