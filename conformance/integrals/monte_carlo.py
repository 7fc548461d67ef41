"""Monte Carlo integration with each framework's own random generator, judged by a stated rule.

The acceptance rule of every Monte Carlo check: an estimate θ̂ of k components with standard
errors sᵢ (known in closed form where the variance is, else the sample standard deviation / √N)
passes when every |zᵢ| = |θ̂ᵢ − θᵢ| / sᵢ <= z*, with

    z* = Φ⁻¹(1 − α / (2k)),   α = FALSE_ALARM = 1e-6 per check

(two-sided, Bonferroni over the k components), so that a correct framework fails a check with
probability <= α (exactly α in the normal limit of the CLT). Draws come from fixed seeds derived
from the run seed and the check's name, so a record replays exactly.

Checks here: the estimate of π from the fraction of uniform points in the quarter disc, E[f(X)] for
standard distributions, and a study of the error's N^(−1/2) decay (fitted slope, with a chart).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from conformance.adapters import integrals as ops_for

FALSE_ALARM = 1e-6
N_SAMPLES = 2**16


def stream_seed(run_seed: int, name: str) -> int:
    """A seed for one check's draws, fixed by the run seed and the check's name."""
    return int(np.random.SeedSequence([int(run_seed) & 0xFFFFFFFF, zlib.crc32(name.encode())]).generate_state(1)[0])


def z_bound(alpha: float = FALSE_ALARM, k: int = 1) -> float:
    """z* = Φ⁻¹(1 − α/(2k)): the two-sided bound for k components at family-wise rate α."""
    return float(stats.norm.isf(alpha / (2 * k)))


@dataclass
class ZTest:
    """Estimate vs expectation with standard errors: the statistic of one Monte Carlo check."""

    estimate: np.ndarray
    expected: np.ndarray
    std_error: np.ndarray
    n: int
    what: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def z(self) -> np.ndarray:
        return (np.atleast_1d(self.estimate) - np.atleast_1d(self.expected)) / np.atleast_1d(self.std_error)

    def rejects(self, alpha: float = FALSE_ALARM) -> bool:
        z = self.z
        return bool(not np.all(np.isfinite(z)) or np.max(np.abs(z)) > z_bound(alpha, z.size))

    def outcome(self, alpha: float = FALSE_ALARM) -> Any:
        from conformance.engine import Outcome

        z = self.z
        zs = z_bound(alpha, z.size)
        est, exp = np.atleast_1d(self.estimate), np.atleast_1d(self.expected)
        err = np.abs(est - exp)
        ok = not self.rejects(alpha)
        worst = float(np.max(np.abs(z))) if np.all(np.isfinite(z)) else float("nan")
        msg = (
            f"{self.what}: max |z| = {worst:.3g} {'<=' if ok else '>'} z* = {zs:.3g} "
            f"(false-alarm rate {alpha:g} per check, N = {self.n})"
        )
        data = {
            "estimate": est,
            "expected": exp,
            "std_error": np.atleast_1d(self.std_error),
            "z": z,
            "z_bound": zs,
            "false_alarm_rate": alpha,
            "n": self.n,
            "rule": "|z_i| <= Φ⁻¹(1 − α/(2k)) for each of k components",
            **self.extra,
        }
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = float(np.max(err / np.abs(exp))) if np.all(exp != 0) else float("inf")
        return Outcome(
            "pass" if ok else "fail",
            float(np.max(err)),
            rel,
            0.0,
            float(np.max(zs * np.atleast_1d(self.std_error))),
            worst / zs,
            msg,
            data=data,
        )


def statistical(run: Callable[[Any], ZTest]) -> Callable[[Any], Any]:
    """A task function from a function ctx -> ZTest, judged at FALSE_ALARM. It is marked with
    ``.false_alarm_rate`` so that false_alarms can find it; its outcome's data holds the z values."""

    def task(ctx):
        return run(ctx).outcome()

    task.false_alarm_rate = FALSE_ALARM  # type: ignore[attr-defined]
    return task


def mean_and_se(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column sample mean and its standard error s/√N over axis 0."""
    a = np.asarray(samples, dtype=np.float64)
    return np.mean(a, axis=0), np.std(a, axis=0, ddof=1) / np.sqrt(a.shape[0])


# ----------------------------------------------------------------------------- π
def pi_statistic(ctx: Any, n: int = N_SAMPLES) -> ZTest:
    """π̂ = 4·#{U₁² + U₂² <= 1}/N with the framework's uniform draws; the count is Binomial(N, π/4),
    so π̂ has standard error 4·√(p(1 − p)/N), p = π/4."""
    rng = ops_for.get(ctx.adapter).rng(stream_seed(ctx.seed, "pi"), ctx.dtype, ctx.device)
    u = rng.uniform((2, n))
    inside = np.count_nonzero(ctx.numpy(u[0] ** 2 + u[1] ** 2 <= 1.0))
    p = np.pi / 4
    return ZTest(
        np.array(4.0 * float(inside) / n), np.array(np.pi), np.array(4 * np.sqrt(p * (1 - p) / n)), n, "π̂ vs π"
    )


# ----------------------------------------------------------------------------- E[f(X)]
@dataclass(frozen=True)
class Expectation:
    """E[f(X)] for X = transform(draw) with closed-form mean and variance of f(X)."""

    name: str
    draw: str  # "normal" or "uniform"
    f: Callable[[Any, Any], Any]  # (xp, draws) -> f(X) per sample
    mean: float
    var: float


def _mu_sigma_x2(mu: float, s: float) -> tuple[float, float]:
    return mu**2 + s**2, 2 * s**4 + 4 * mu**2 * s**2


EXPECTATIONS = (
    Expectation(
        "E[X²] for X ~ Normal(μ=0.5 σ=1.5)", "normal", lambda xp, z: (0.5 + 1.5 * z) ** 2, *_mu_sigma_x2(0.5, 1.5)
    ),
    Expectation(
        "E[exp X] for X ~ Normal(μ=0 σ=0.5) (lognormal mean)",
        "normal",
        lambda xp, z: xp.exp(0.5 * z),
        float(np.exp(0.125)),
        float((np.exp(0.25) - 1) * np.exp(0.25)),
    ),
    Expectation(
        "E[cos X] for X ~ Normal(μ=0 σ=1)",
        "normal",
        lambda xp, z: xp.cos(z),
        float(np.exp(-0.5)),
        float((1 + np.exp(-2)) / 2 - np.exp(-1)),
    ),
    Expectation(
        "E[sin πU] for U ~ Uniform(0 to 1)", "uniform", lambda xp, u: xp.sin(np.pi * u), 2 / np.pi, 0.5 - 4 / np.pi**2
    ),
    Expectation(
        "E[X] for X ~ Exponential(rate 2) by inverse CDF", "uniform", lambda xp, u: -xp.log1p(-u) / 2.0, 0.5, 0.25
    ),
)


def expectation_statistic(case: Expectation) -> Callable[[Any], ZTest]:
    def run(ctx, n: int = N_SAMPLES) -> ZTest:
        rng = ops_for.get(ctx.adapter).rng(stream_seed(ctx.seed, case.name), ctx.dtype, ctx.device)
        draws = rng.normal((n,)) if case.draw == "normal" else rng.uniform((n,))
        values = ctx.numpy(case.f(ctx.xp, draws))
        return ZTest(
            np.array(np.mean(values)),
            np.array(case.mean),
            np.array(np.sqrt(case.var / n)),
            n,
            "sample mean vs closed form (closed-form variance)",
        )

    return run


# ----------------------------------------------------------------------------- N^(-1/2) study
DECAY_N = tuple(2**k for k in range(6, 17, 2))
DECAY_REPS = 32


def decay_study(ctx: Any) -> Any:
    """RMSE of π̂ over DECAY_REPS independent estimates at each N in DECAY_N, and the fitted slope of
    log RMSE vs log N. Theory: RMSE = 4√(p(1 − p)/N), slope −1/2. The slope's standard error is
    predicted from the RMSE's sampling error (relative sd ≈ 1/√(2R)) over the regression design;
    the study passes when |slope + 1/2| <= z*(1e-6) standard errors."""
    from conformance.engine import Outcome

    rng = ops_for.get(ctx.adapter).rng(stream_seed(ctx.seed, "pi decay"), ctx.dtype, ctx.device)
    p = np.pi / 4
    # one draw for every N: disjoint segments of one (2, R, ΣN) block, so the estimates at different
    # N are independent and the framework's generator is called once
    u = rng.uniform((2, DECAY_REPS, sum(DECAY_N)))
    inside = ctx.numpy(u[0] ** 2 + u[1] ** 2 <= 1.0)
    rmse, theory, start = [], [], 0
    for n in DECAY_N:
        frac = np.mean(inside[:, start : start + n], axis=1)
        start += n
        rmse.append(float(np.sqrt(np.mean((4 * frac - np.pi) ** 2))))
        theory.append(float(4 * np.sqrt(p * (1 - p) / n)))
    logn, loge = np.log(DECAY_N), np.log(rmse)
    slope, intercept = np.polyfit(logn, loge, 1)
    se = (1 / np.sqrt(2 * DECAY_REPS)) / np.sqrt(np.sum((logn - logn.mean()) ** 2))
    z = (slope + 0.5) / se
    zs = z_bound()
    ok = abs(z) <= zs
    chart = {
        "title": f"Monte Carlo π: error vs N ({ctx.adapter.name})",
        "x_label": "N (points)",
        "y_label": "RMSE of π̂",
        "log_x": True,
        "log_y": True,
        "series": [
            {"label": f"measured ({DECAY_REPS} repetitions)", "x": list(DECAY_N), "y": rmse},
            {"label": "theory 4√(p(1−p)/N)", "x": list(DECAY_N), "y": theory},
        ],
    }
    table = {
        "columns": ["N", "RMSE", "theory", "ratio"],
        "rows": [[n, r, t, r / t] for n, r, t in zip(DECAY_N, rmse, theory)],
    }
    msg = f"fitted slope {slope:.3f} (theory −0.5; se {se:.3f}, |z| = {abs(z):.2f} {'<=' if ok else '>'} {zs:.2f})"
    return Outcome(
        "pass" if ok else "fail",
        abs(slope + 0.5),
        None,
        0.0,
        zs * se,
        abs(z) / zs,
        msg,
        data={
            "slope": slope,
            "intercept": intercept,
            "slope_se": se,
            "z": [z],
            "z_bound": zs,
            "false_alarm_rate": FALSE_ALARM,
            "chart": chart,
            "table": table,
        },
    )


decay_study.false_alarm_rate = FALSE_ALARM  # type: ignore[attr-defined]


def specs() -> list[tuple[str, str, Callable, str]]:
    """(case, check, run, kind) for every Monte Carlo task."""
    out = [("Monte Carlo π", "estimate within z-bound", statistical(pi_statistic), "check")]
    out += [
        (e.name, "Monte Carlo mean within z-bound", statistical(expectation_statistic(e)), "check")
        for e in EXPECTATIONS
    ]
    out.append(("Monte Carlo π", "error decays as N^-1/2", decay_study, "study"))
    return out
