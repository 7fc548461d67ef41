"""The convergence study: does Adam reach a target loss in fewer steps than SGD, and by what factor?

Setup (the same in every framework; only the gradient and the optimizer step are the framework's):

    data      scikit-learn's bundled digits (load_digits: 1797 images of 8×8 pixels, 10 classes; it
              ships inside the package, nothing downloads), pixels / 16, all 1797 used for training
    model     MLP 64 → 32 (tanh) → 10, softmax cross-entropy J(θ) = −mean Σ_k y_k log softmax(z)_k;
              Glorot-uniform weights and zero biases drawn from the seed; θ is one float64 vector
    training  mini-batches of 64 drawn by a seeded permutation per epoch (the same batches for every
              optimizer and framework at a seed); gradients by the framework's AD through the
              adapter (adapter.value_and_grad); the step by the framework's optimizer library
              (torch.optim, optax, keras on tensorflow)
    measured  the full-data loss every ``eval_every`` steps; steps to target = the first evaluated
              step with J ≤ target; a run stops there (the chart's median curve holds a finished
              seed at its last loss)
    lr rule   for each optimizer, each learning rate of its grid runs on the tuning seed (0, not
              one of the measured seeds); the chosen one reaches the target in the fewest steps
              (if none reaches it: the lowest final loss). The measured seeds 1…S then run with it.
    reported  per optimizer: median and IQR (25th–75th percentile) of steps to target over the
              seeds, how many seeds reached it, and the factor median(SGD) / median(optimizer);
              a seed that never reaches it counts as max_steps (so a factor is then a lower bound).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from conformance import adapters
from conformance.adapters import optimizers as optlibs
from conformance.errors import ConformanceError


def frameworks() -> list[str]:
    """The frameworks the study runs in: those whose adapter names an optimizer library to train
    with (``optimizer_library``: torch.optim, optax, keras on tensorflow), in display order."""
    return [n for n in adapters.order() if adapters.adapter_class(n).optimizer_library]


def library(framework: str) -> str:
    """The optimizer library the study trains with in ``framework``."""
    return adapters.adapter_class(framework).optimizer_library


OPTIMIZERS = {  # optimizer -> (hyperparameters besides lr, lr grid: steps of ×√10)
    "sgd": ({}, (0.03, 0.1, 0.3, 1.0, 3.0)),
    "momentum": ({"momentum": 0.9}, (0.01, 0.03, 0.1, 0.3, 1.0)),
    "rmsprop": ({"rho": 0.9, "eps": 1e-8}, (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)),
    "adam": ({"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)),
}
HIDDEN = 32
BATCH = 64


@dataclass(frozen=True)
class Setup:
    name: str
    seeds: int  # measured seeds 1..seeds (seed 0 tunes the learning rate)
    max_steps: int
    eval_every: int
    target: float  # full-data cross-entropy to reach
    grid_stride: int = 1  # use every k-th learning rate of each grid


SETUPS = {
    "quick": Setup("quick", seeds=3, max_steps=400, eval_every=5, target=0.3),
    "full": Setup("full", seeds=5, max_steps=2000, eval_every=10, target=0.1),
}


class StudyError(ConformanceError, ValueError):
    pass


def digits() -> tuple[np.ndarray, np.ndarray]:
    """(X, one-hot Y) of scikit-learn's bundled digits, X in [0, 1]."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise StudyError(
            "the convergence study needs scikit-learn's bundled digits; install it with: pip install scikit-learn"
        ) from None
    d = load_digits()
    return d.data.astype(np.float64) / 16.0, np.eye(10)[d.target]


def sizes(n_in: int = 64, n_out: int = 10) -> list[tuple[int, ...]]:
    return [(n_in, HIDDEN), (HIDDEN,), (HIDDEN, n_out), (n_out,)]


def init(seed: int) -> np.ndarray:
    """Glorot-uniform W₁, W₂ (U(±√(6/(fan_in + fan_out)))), zero biases, flattened."""
    rng = np.random.default_rng(seed)
    parts = []
    for shape in sizes():
        if len(shape) == 2:
            lim = np.sqrt(6.0 / sum(shape))
            parts.append(rng.uniform(-lim, lim, shape).ravel())
        else:
            parts.append(np.zeros(shape))
    return np.concatenate(parts)


def loss(xp: Any, theta: Any, x: Any, y: Any) -> Any:
    """J(θ) = −mean_i Σ_k y_ik log softmax(tanh(x W₁ + b₁) W₂ + b₂)_ik."""
    parts, at = [], 0
    for shape in sizes():
        n = int(np.prod(shape))
        parts.append(xp.reshape(theta[at : at + n], shape))
        at += n
    w1, b1, w2, b2 = parts
    logits = xp.matmul(xp.tanh(xp.matmul(x, w1) + b1), w2) + b2
    return -xp.mean(xp.sum(y * xp.log_softmax(logits, axis=-1), axis=-1))


def batches(seed: int, n: int, steps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(10_000 + seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        perm = rng.permutation(n)
        out += [perm[i : i + BATCH] for i in range(0, n - BATCH + 1, BATCH)]
    return out[:steps]


@cache
def gradient(framework: str) -> tuple[Any, Callable]:
    """(adapter, (θ, x, y) ↦ (J, ∇_θ J)) for one framework, compiled once where the adapter's
    ``compile_optimizer_steps`` says so (jax.jit, tf.function: eager jax and tf pay ~10x dispatch cost
    on this model; torch.compile takes longer to compile than the study runs)."""
    ad = adapters.get(framework)
    vg = ad.value_and_grad(lambda th, bx, by: loss(ad.xp, th, bx, by), argnums=0)
    return ad, (ad.compile(vg) if ad.compile_optimizer_steps else vg)


def train(framework: str, optimizer: str, lr: float, seed: int, setup: Setup, stop_after: int | None = None) -> dict:
    """One run: the framework's gradients and its library's optimizer, until the loss reaches the
    target, is no longer finite, or ``stop_after`` steps (default max_steps) have run. Returns the
    evaluated steps, their full-data losses and the steps to target (None if not reached)."""
    ad, vg = gradient(framework)
    lib = optlibs.get(library(framework))
    ref = adapters.get("numpy").xp
    x, y = digits()
    step = lib.make(optimizer, lr=lr, **OPTIMIZERS[optimizer][0])
    theta = init(seed)
    steps, losses, reached = [0], [float(loss(ref, theta, x, y))], None
    for k, idx in enumerate(batches(seed, len(x), min(stop_after or setup.max_steps, setup.max_steps)), start=1):
        _, g = vg(
            ad.from_numpy(theta, dtype="float64"),
            ad.from_numpy(x[idx], dtype="float64"),
            ad.from_numpy(y[idx], dtype="float64"),
        )
        theta = step(theta, ad.to_numpy(g))
        if k % setup.eval_every == 0:
            j = float(loss(ref, theta, x, y))
            steps.append(k)
            losses.append(j if np.isfinite(j) else float("inf"))
            if j <= setup.target:
                reached = k
                break
            if not np.isfinite(j):
                break
    return {"steps": steps, "losses": losses, "reached": reached}


def choose_lr(framework: str, optimizer: str, setup: Setup) -> tuple[float, list[list]]:
    """The documented rule: fewest steps to target on tuning seed 0, else lowest final loss.
    Largest η first; a run is cut once it has taken as many steps as the best so far (it cannot
    win), so its recorded final loss is then at that step."""
    tried: list[list] = []
    for lr in sorted(OPTIMIZERS[optimizer][1][:: setup.grid_stride], reverse=True):
        best = min((t[1] for t in tried if t[1] is not None), default=None)
        r = train(framework, optimizer, lr, 0, setup, stop_after=best)
        tried.append([lr, r["reached"], r["losses"][-1]])
    reached = [t for t in tried if t[1] is not None]
    best = min(reached, key=lambda t: t[1]) if reached else min(tried, key=lambda t: t[2])
    return best[0], tried


def _q(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def run(framework: str, setup: Setup, log: Callable[[str], None] = lambda s: None) -> dict:
    """The whole study in one framework: the figures, a table and a chart (INTERFACES.md)."""
    t0 = time.perf_counter()
    rows, series, per = [], [], {}
    for optimizer in OPTIMIZERS:
        lr, tried = choose_lr(framework, optimizer, setup)
        runs = [train(framework, optimizer, lr, s, setup) for s in range(1, setup.seeds + 1)]
        counted = [r["reached"] if r["reached"] is not None else setup.max_steps for r in runs]
        per[optimizer] = {
            "lr": lr,
            "tried": tried,
            "steps_to_target": [r["reached"] for r in runs],
            "median": _q(counted, 50),
            "q25": _q(counted, 25),
            "q75": _q(counted, 75),
            "reached": sum(r["reached"] is not None for r in runs),
        }
        longest = max(runs, key=lambda r: len(r["steps"]))
        curve = np.median(
            np.array([r["losses"] + [r["losses"][-1]] * (len(longest["steps"]) - len(r["losses"])) for r in runs]),
            axis=0,
        )
        series.append({"label": f"{optimizer} (η={lr:g})", "x": longest["steps"], "y": curve.tolist()})
        log(f"  {framework} {optimizer}: lr {lr:g}, steps to target {per[optimizer]['steps_to_target']}")
    sgd = per["sgd"]["median"]
    for optimizer, p in per.items():
        bound = "≥ " if per["sgd"]["reached"] < setup.seeds else ""
        factor = sgd / p["median"]
        p["factor_vs_sgd"] = factor
        grid = OPTIMIZERS[optimizer][1][:: setup.grid_stride]
        edge = " (grid edge)" if p["lr"] in (min(grid), max(grid)) else ""
        rows.append(
            [
                optimizer,
                f"{p['lr']:g}{edge}",
                " ".join(f"{t[0]:g}" for t in p["tried"]),
                p["median"],
                f"{p['q25']:g}–{p['q75']:g}",
                f"{p['reached']}/{setup.seeds}",
                f"{bound}{factor:.2f}",
            ]
        )
    elapsed = time.perf_counter() - t0
    return {
        "framework": framework,
        "library": library(framework),
        "adam_vs_sgd": per["adam"]["factor_vs_sgd"],
        "sgd_reached_all": per["sgd"]["reached"] == setup.seeds,
        "per_optimizer": per,
        "elapsed_s": elapsed,
        "setup": {
            "profile": setup.name,
            "seeds": list(range(1, setup.seeds + 1)),
            "tuning_seed": 0,
            "max_steps": setup.max_steps,
            "eval_every": setup.eval_every,
            "target": setup.target,
            "batch": BATCH,
            "model": f"MLP 64-{HIDDEN}(tanh)-10, softmax cross-entropy, float64",
            "data": "sklearn.datasets.load_digits (1797 samples), pixels/16",
            "lr_rule": "fewest steps to target on tuning seed 0, else lowest final loss",
            "grids": {o: list(v[1][:: setup.grid_stride]) for o, v in OPTIMIZERS.items()},
            "hyperparameters": {o: v[0] for o, v in OPTIMIZERS.items()},
        },
        "table": {
            "columns": [
                "optimizer",
                "chosen lr",
                "grid",
                "median steps to target",
                "IQR",
                "seeds reaching target",
                "median(SGD) / median",
            ],
            "rows": rows,
        },
        "chart": {
            "title": f"digits MLP, {framework} + {library(framework)}: median full-data loss over {setup.seeds} seeds",
            "x_label": "step",
            "y_label": "cross-entropy",
            "log_x": False,
            "log_y": True,
            "series": series,
        },
    }


def table_text(framework: str, res: dict) -> str:
    """The study's table of one framework (``run``'s result) as aligned text under a title line."""
    cols, rows = res["table"]["columns"], res["table"]["rows"]
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(cols)]
    lines = [
        f"\n{framework} + {res['library']} ({res['elapsed_s']:.0f} s)",
        "  ".join(str(c).ljust(w) for c, w in zip(cols, widths)),
    ]
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def write_records(frameworks: list[str], setup: Setup, out_dir: str, log: Callable[[str], None] = print) -> Path:
    """The study in each of ``frameworks`` (a skip record, with the reason, where one is not
    installed), written as kind "study" records to ``<out_dir>/optimizers-study-<run id>.jsonl``;
    progress, each framework's table and its Adam-vs-SGD figure go to ``log``. Returns the file."""
    from conformance.records import Record, ResultWriter, new_run_id, results_path

    run_id = new_run_id()
    path = results_path(out_dir, "optimizers-study", run_id)
    with ResultWriter(path, run_id=run_id, header={"command": "conformance optimizers", "profile": setup.name}) as out:
        for fw in frameworks:
            ad = adapters.get(fw)
            ok = ad.available()
            rec = Record(
                kind="study",
                framework=fw,
                framework_version=ad.version if ok else "",
                api=ad.variant,
                device="cpu",
                dtype="float64",
                family="optimizers",
                case="convergence: digits MLP",
                check="steps to target loss",
                status="skip",
                replay=f"conformance optimizers --profile {setup.name} --frameworks {fw}",
            )
            if not ok:
                rec.message = str(ok)
                out.write(rec)
                log(f"{fw}: skipped ({ok})")
                continue
            start = time.perf_counter()
            res = run(fw, setup, log=log)
            rec.duration_s = time.perf_counter() - start
            rec.status = "pass"
            rec.data = res
            factor = res["adam_vs_sgd"]
            rec.data["process_cpu_s"] = time.process_time()
            rec.message = (
                f"Adam reaches loss {setup.target} in {1 / factor:.2f}× the steps of SGD "
                f"(median(SGD)/median(Adam) = {factor:.2f})"
            )
            out.write(rec)
            log(table_text(fw, res))
            log(rec.message)
    return path
