"""The optimizer suite: library optimizers held to the rules their documentation states.

Cases are ``<library>:<optimizer>:<objective>``; checks:

    matches documented rule             100 float64 steps from the same θ₀ with the same (Python float)
                                        hyperparameters, step by step against rules.py with the
                                        library's documented flags (library_conventions.DOCUMENTED)
    agrees across libraries once mapped the library under library_conventions.mapping against torch.optim's
                                        rule; data holds the divergence at each library's defaults
                                        and with identical hyperparameters
    probe: tiny gradients               |g| ~ 1e-9 < ε: which ε placement the library follows
    probe: first steps                  3 Adam steps: bias-corrected or not
    probe: lr change mid-run            η halves at step 50: is η inside or outside the velocity
    probe: weight decay                 λ = 0.1: coupled (g + λθ) or decoupled (θ − ηλθ)
    bad input: <what>                   a negative η, β₁ ∉ [0, 1): refused (with the library's
                                        message) or accepted — recorded, the run goes on

Each task runs in the process of the engine adapter the library needs (torch.optim: torch; optax:
jax; keras[b]: b); two study tasks (run with the numpy adapter) gather the convention table and
the cross-library divergence table. The objectives' learning rates keep every trajectory
contracting: a 1e-13 perturbation of θ₀ grows at most ~5× over 100 steps (``data.amplification``),
so a mismatch measures the rule, not chaos. (With RMSprop at η = 1e-2 on Rosenbrock it grows 1e11×.)
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from conformance.adapters import optimizers as optlibs
from conformance.engine import Context, Outcome, Profile, Task
from conformance.optimizers import library_conventions, objectives, rules
from conformance.optimizers.library_conventions import OPTIMIZERS
from conformance.tolerance import compare, policy

FAMILY = "optimizers"
STEPS = 100
MATCH = "matches documented rule"
AGREE = "agrees across libraries once mapped"
BAD_INPUT = {"bad input: negative lr": {"lr": -1e-3}, "bad input: beta1 outside [0, 1)": {"beta1": 1.5}}


# ------------------------------------------------------------------ jobs and their results
def _lr(objective: str, optimizer: str) -> float:
    return objectives.get(objective).lr["adaptive" if OPTIMIZERS[optimizer].adaptive else "plain"]


def hyper(optimizer: str, objective: str, **extra: Any) -> dict:
    """The hyperparameters every library gets for ``optimizer`` on ``objective``."""
    return {"lr": _lr(objective, optimizer), **OPTIMIZERS[optimizer].hyper, **extra}


def job(
    optimizer: str,
    objective: str,
    hyper: dict,
    steps: int = STEPS,
    lr_at: dict | None = None,
    numpy_scalars: bool = False,
) -> dict:
    return {
        "optimizer": optimizer,
        "objective": objective,
        "hyper": hyper,
        "steps": steps,
        "lr_at": {str(k): v for k, v in (lr_at or {}).items()},
        "numpy_scalars": numpy_scalars,
    }


def reference(library: str, j: dict, flags: dict | None = None, hyper_override: dict | None = None) -> np.ndarray:
    """The trajectory of rules.py under ``library``'s documented flags (or ``flags``)."""
    spec = OPTIMIZERS[j["optimizer"]]
    fl = library_conventions.reference_flags(library, j["optimizer"], **(flags or {}))
    hp = {**j["hyper"], **(hyper_override or {})}
    lr_at = {int(k): v for k, v in j["lr_at"].items()}
    return objectives.trajectory(
        rules.Reference(spec.rule, **hp, **fl), objectives.get(j["objective"]), j["steps"], lr_at
    )


def amplification(library: str, j: dict) -> float:
    """How much the reference trajectory amplifies a 1e-13 relative perturbation of θ₀."""
    base = objectives.get(j["objective"])
    pert = dataclasses.replace(base, x0=base.x0 * (1 + 1e-13))
    spec = OPTIMIZERS[j["optimizer"]]
    fl = library_conventions.reference_flags(library, j["optimizer"])
    lr_at = {int(k): v for k, v in j["lr_at"].items()}
    a = objectives.trajectory(rules.Reference(spec.rule, **j["hyper"], **fl), base, j["steps"], lr_at)
    b = objectives.trajectory(rules.Reference(spec.rule, **j["hyper"], **fl), pert, j["steps"], lr_at)
    return float(np.max(np.abs(a - b)) / (1e-13 * np.max(np.abs(base.x0))))


_CACHE: dict[tuple[str, str], dict] = {}


def _key(j: dict) -> str:
    return json.dumps(j, sort_keys=True)


def result(library: str, j: dict) -> dict:
    """A library's trajectory for job ``j`` (or its error). A library that runs in a child process
    runs every job of the suite at once, so the child starts once."""
    k = (library, _key(j))
    if k not in _CACHE:
        lib = optlibs.get(library)
        batch = (
            [j]
            if lib.in_process
            else [j] + [x for x in all_jobs(library) if (library, _key(x)) not in _CACHE and _key(x) != k[1]]
        )
        for jj, res in zip(batch, lib.run(batch)):
            _CACHE[(library, _key(jj))] = res
    return _CACHE[k]


def trajectory(library: str, j: dict) -> np.ndarray:
    res = result(library, j)
    if "error" in res:
        raise RuntimeError(f"{library} refused {j['optimizer']} with {j['hyper']}: {res['error']}")
    return np.asarray(res["trajectory"], dtype=np.float64)


def supports(library: str, optimizer: str) -> bool:
    return optimizer in optlibs.get(library).OPTIMIZERS


# ------------------------------------------------------------------ probes
@dataclasses.dataclass(frozen=True)
class Probe:
    """A run whose outcome differs between conventions: candidates label -> (flags, hyper override)."""

    check: str
    objective: str
    applies: Callable[[str], bool]  # optimizer -> bool
    candidates: Callable[[str], dict[str, tuple[dict, dict]]]
    steps: int = STEPS
    extra: Callable[[str], dict] = lambda o: {}  # optimizer -> hyperparameters added to the run
    lr_factor_at_50: float | None = None


def _eps_candidates(optimizer: str) -> dict[str, tuple[dict, dict]]:
    if OPTIMIZERS[optimizer].rule == "adam":
        eps = OPTIMIZERS[optimizer].hyper["eps"]
        return {
            "ε outside √v̂ (Algorithm 1)": ({"eps_hat": False}, {}),
            "ε̂: ε outside √v, bias terms folded into η": ({"eps_hat": True}, {}),
            "ε inside √v̂": ({"eps_hat": False}, {"eps": 0.0, "eps_root": eps}),
        }
    return {"ε outside √": ({"eps_in_sqrt": False}, {}), "ε inside √": ({"eps_in_sqrt": True}, {})}


PROBES = (
    # Adagrad's S₀ = 0.1 would hide ε entirely: the probe starts it at 0
    Probe(
        "probe: tiny gradients",
        "tiny",
        lambda o: OPTIMIZERS[o].eps_probe,
        _eps_candidates,
        extra=lambda o: {"initial_accumulator": 0.0} if o == "adagrad" else {},
    ),
    Probe(
        "probe: first steps",
        "quadratic",
        lambda o: OPTIMIZERS[o].rule == "adam",
        lambda o: {
            "bias-corrected m̂, v̂": ({"bias_correction": True}, {}),
            "no bias correction": ({"bias_correction": False}, {}),
        },
        steps=3,
    ),
    Probe(
        "probe: lr change mid-run",
        "quadratic",
        lambda o: OPTIMIZERS[o].lr_probe,
        lambda o: {
            "η outside the velocity (b ← μb + g, θ ← θ − ηb)": ({"lr_in_velocity": False}, {}),
            "η inside the velocity (v ← μv + ηg, θ ← θ − v)": ({"lr_in_velocity": True}, {}),
        },
        lr_factor_at_50=0.5,
    ),
    # (for plain SGD coupled and decoupled decay are the same update θ − η(g + λθ): not probed)
    Probe(
        "probe: weight decay",
        "quadratic",
        lambda o: o in ("adam", "adamw", "rmsprop", "adagrad"),
        lambda o: {
            "coupled (g ← g + λθ)": ({"decoupled": False}, {}),
            "decoupled (θ ← θ − ηλθ)": ({"decoupled": True}, {}),
        },
        extra=lambda o: {"weight_decay": 0.1},
    ),
)


def probe_job(p: Probe, optimizer: str) -> dict:
    hp = hyper(optimizer, p.objective, **p.extra(optimizer))
    lr_at = {50: hp["lr"] * p.lr_factor_at_50} if p.lr_factor_at_50 else None
    return job(optimizer, p.objective, hp, steps=p.steps, lr_at=lr_at, numpy_scalars=True)


def documented_label(p: Probe, library: str, optimizer: str) -> str | None:
    rule = rules.RULES[OPTIMIZERS[optimizer].rule]
    doc = {
        n: q.default for n, q in inspect.signature(rule).parameters.items() if q.default is not inspect.Parameter.empty
    }
    doc.update(library_conventions.reference_flags(library, optimizer))
    for label, (flags, override) in p.candidates(optimizer).items():
        if not override and all(doc.get(k, False) == v for k, v in flags.items()):
            return label
    return None


def run_probe(p: Probe, library: str, optimizer: str) -> Outcome:
    """Compare the library's run with each candidate convention; pass when the nearest is the
    documented one and fits the trajectory tolerance."""
    tol = policy("trajectory", "float64", "optimizer")
    j = probe_job(p, optimizer)
    res = result(library, j)
    if "error" in res:
        return Outcome("skip", message=f"{library} cannot run this probe: {res['error']}")
    got = np.asarray(res["trajectory"])
    errs = {}
    for label, (flags, override) in p.candidates(optimizer).items():
        errs[label] = compare(got, reference(library, j, flags, override), tol)
    best = min(errs, key=lambda k: errs[k].error_ratio)
    doc = documented_label(p, library, optimizer)
    c = errs[best]
    fitting = [k for k, v in errs.items() if v.ok]
    ok = best == doc and c.ok and len(fitting) == 1
    data = {
        "documented": doc,
        "identified": best,
        "candidates": {k: {"max_rel_error": v.max_rel_error, "error_ratio": v.error_ratio} for k, v in errs.items()},
        "link": library_conventions.documented(library, optimizer).link,
        "job": j,
    }
    msg = (
        f"{library} {optimizer} behaves as '{best}' (error ratio {c.error_ratio:.2g})"
        + ("" if best == doc else f"; its documentation says '{doc}'")
        + ("" if len(fitting) <= 1 else f"; the probe cannot tell {fitting} apart")
    )
    return Outcome(
        "pass" if ok else "fail",
        c.max_abs_error,
        c.max_rel_error,
        tol.rtol,
        tol.atol,
        c.error_ratio,
        msg,
        input={"objective": p.objective, "hyper": j["hyper"]},
        data=data,
    )


# ------------------------------------------------------------------ the checks
def conformance_job(optimizer: str, objective: str, numpy_scalars: bool = False) -> dict:
    return job(optimizer, objective, hyper(optimizer, objective), numpy_scalars=numpy_scalars)


def check_rule(library: str, optimizer: str, objective: str) -> Outcome:
    tol = policy("trajectory", "float64", "optimizer")
    j = conformance_job(optimizer, objective)
    ref = reference(library, j)
    got = trajectory(library, j)
    c = compare(got, ref, tol)
    step_err = np.max(np.abs(got - ref) / (tol.atol + tol.rtol * np.abs(ref)), axis=1) * tol.rtol
    data = {
        "per_step_error": step_err.tolist(),
        "amplification": amplification(library, j),
        "reference_flags": library_conventions.reference_flags(library, optimizer),
        "link": library_conventions.documented(library, optimizer).link,
        "constructor": optlibs.get(library).constructor_name(optimizer),
        "library_version": optlibs.get(library).version,
    }
    msg = (
        f"{STEPS} steps within {c.error_ratio:.2g} of the bound"
        if c.ok
        else f"trajectory leaves the documented rule: max relative error {c.max_rel_error:.3g}"
    )
    if not c.ok:  # does it conform once the hyperparameters are float64 scalars?
        j64 = conformance_job(optimizer, objective, numpy_scalars=True)
        c64 = compare(trajectory(library, j64), ref, tol)
        data["numpy_float64_hyperparameters"] = {"max_rel_error": c64.max_rel_error, "ok": c64.ok}
        if c64.ok:
            msg += (
                "; with numpy.float64 hyperparameters it conforms (max relative error "
                f"{c64.max_rel_error:.2g}): Python floats are rounded to float32 on the way in"
            )
    first_bad = next((i for i, e in enumerate(step_err) if e > tol.rtol), None)
    data["first_step_over_bound"] = first_bad
    return Outcome.judged(
        c,
        tol,
        msg,
        input={"objective": objective, "x0": objectives.get(objective).x0, "hyper": j["hyper"], "steps": STEPS},
        data=data,
    )


def defaults_job(library: str, optimizer: str, objective: str) -> dict:
    """Only what must be given: η (the objective's) and μ where the optimizer is momentum."""
    hp = {"lr": _lr(objective, optimizer)}
    if "momentum" in OPTIMIZERS[optimizer].hyper:
        hp["momentum"] = OPTIMIZERS[optimizer].hyper["momentum"]
    return job(optimizer, objective, hp)


def _divergence(a: np.ndarray, b: np.ndarray) -> float:
    """max over steps and coordinates of |a − b| / max(|b|, 1e-300): the relative divergence."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def check_mapped(library: str, optimizer: str, objective: str) -> Outcome:
    tol = policy("trajectory", "float64", "optimizer")
    canon = library_conventions.CANONICAL_LIBRARY
    hp = hyper(optimizer, objective)
    lib_h, can_h, notes = library_conventions.mapping(library, optimizer, hp)
    mapped = job(optimizer, objective, lib_h, numpy_scalars=True)
    want = reference(canon, job(optimizer, objective, can_h))
    c = compare(trajectory(library, mapped), want, tol)
    data: dict = {
        "mapping": optlibs.get(library).kwargs(optimizer, lib_h),
        "notes": notes,
        "mapped_hyper": lib_h,
        "canonical_hyper": can_h,
        "scalars": "hyperparameters passed as numpy.float64 (Keras on TF rounds Python floats)",
    }
    same = result(library, conformance_job(optimizer, objective, numpy_scalars=True))
    if "trajectory" in same:
        data["divergence_same_hyperparameters"] = _divergence(
            np.asarray(same["trajectory"]), reference(canon, job(optimizer, objective, hp))
        )
    mine, theirs = result(library, defaults_job(library, optimizer, objective)), None
    try:
        theirs = result(canon, defaults_job(canon, optimizer, objective))
    except Exception as exc:  # torch not installed: no defaults to compare with
        data["divergence_at_defaults_error"] = str(exc)[:200]
    if theirs and "trajectory" in mine and "trajectory" in theirs:
        data["divergence_at_defaults"] = _divergence(np.asarray(mine["trajectory"]), np.asarray(theirs["trajectory"]))
    msg = f"mapped onto torch.optim: max relative error {c.max_rel_error:.2g}; " + "; ".join(
        notes or ["no change needed"]
    )
    return Outcome.judged(
        c,
        tol,
        msg,
        input={"objective": objective, "hyper": lib_h},
        data=data,
    )


def check_bad_input(library: str, optimizer: str, bad: dict) -> Outcome:
    hp = {**hyper(optimizer, "quadratic"), **bad}
    res = result(library, job(optimizer, "quadratic", hp, steps=3))
    refused = "error" in res
    msg = (
        f"{library} refuses {bad}: {res['error']}" if refused else f"{library} accepts {bad} without complaint and runs"
    )
    data = {"refused": refused, "library_message": res.get("error")}
    if not refused:
        traj = np.asarray(res["trajectory"])
        data["finite"] = bool(np.all(np.isfinite(traj)))
        data["loss_change"] = float(
            objectives.get("quadratic").value(traj[-1]) - objectives.get("quadratic").value(traj[0])
        )
    return Outcome("pass", message=msg, input={"hyper": hp}, data=data)


# ------------------------------------------------------------------ studies over every library
def installed_libraries() -> list[str]:
    return [n for n in optlibs.names() if optlibs.get(n).available()]


def convention_table() -> Outcome:
    rows = []
    for library in installed_libraries():
        for p in PROBES:
            for optimizer in OPTIMIZERS:
                if not (supports(library, optimizer) and p.applies(optimizer)):
                    continue
                out = run_probe(p, library, optimizer)
                if out.status == "skip":
                    rows.append([library, optimizer, p.check.removeprefix("probe: "), "—", "—", out.message])
                    continue
                rows.append(
                    [
                        library,
                        optimizer,
                        p.check.removeprefix("probe: "),
                        out.data["identified"],
                        out.data["documented"],
                        f"{out.error_ratio:.2g}",
                    ]
                )
    bad = [r for r in rows if r[3] != "—" and r[3] != r[4]]
    return Outcome(
        "fail" if bad else "pass",
        message=f"{len(rows)} probes, {len(bad)} where behaviour and documentation disagree",
        data={
            "table": {
                "columns": ["library", "optimizer", "probe", "behaves as", "documented", "error ratio / note"],
                "rows": rows,
            }
        },
    )


def divergence_table() -> Outcome:
    rows, bad = [], 0
    for library in installed_libraries():
        if library == library_conventions.CANONICAL_LIBRARY:
            continue
        for optimizer in OPTIMIZERS:
            if not supports(library, optimizer):
                continue
            for objective in objectives.STANDARD:
                out = check_mapped(library, optimizer, objective)
                bad += out.status != "pass"
                d = out.data
                rows.append(
                    [
                        library,
                        optimizer,
                        objective,
                        _fmt(d.get("divergence_at_defaults")),
                        _fmt(d.get("divergence_same_hyperparameters")),
                        _fmt(out.max_rel_error),
                        "; ".join(d["notes"]) or "same rule",
                    ]
                )
    return Outcome(
        "fail" if bad else "pass",
        message=f"{len(rows)} comparisons with torch.optim, {bad} not agreeing once mapped",
        data={
            "table": {
                "columns": [
                    "library",
                    "optimizer",
                    "objective",
                    "vs torch at defaults",
                    "same hyperparameters",
                    "once mapped",
                    "mapping",
                ],
                "rows": rows,
            }
        },
    )


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2g}"


# ------------------------------------------------------------------ tasks
def all_jobs(library: str) -> list[dict]:
    """Every job the suite can ask of ``library`` (batched when it runs in a child process)."""
    out = []
    for optimizer in OPTIMIZERS:
        if not supports(library, optimizer):
            continue
        for objective in objectives.STANDARD:
            hp = hyper(optimizer, objective)
            out += [
                conformance_job(optimizer, objective),
                conformance_job(optimizer, objective, True),
                job(optimizer, objective, library_conventions.mapping(library, optimizer, hp)[0], numpy_scalars=True),
                defaults_job(library, optimizer, objective),
            ]
        out += [probe_job(p, optimizer) for p in PROBES if p.applies(optimizer)]
        out += [
            job(optimizer, "quadratic", {**hyper(optimizer, "quadratic"), **b}, steps=3) for b in BAD_INPUT.values()
        ]
    return out


def _runs_under(library: str) -> Callable:
    framework = optlibs.get(library).framework

    def applies(adapter: Any, dtype: str) -> str | None:
        if adapter.name != framework:
            return f"{library} runs in the {framework} session"
        ok = optlibs.get(library).available()
        return None if ok else str(ok)

    return applies


def _cpu(fn: Callable[[], Outcome]) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        if ctx.device != "cpu":
            return Outcome.skip("optimizer checks step numpy float64 parameters on the CPU")
        return fn()

    return run


def tasks(profile: Profile) -> Iterable[Task]:
    for library in optlibs.names():
        applies = _runs_under(library)

        def task(case: str, check: str, fn: Callable[[], Outcome], applies: Callable = applies) -> Task:
            return Task(FAMILY, case, check, _cpu(fn), dtypes=("float64",), per_variant=False, applies=applies)

        for optimizer in OPTIMIZERS:
            if not supports(library, optimizer):
                continue
            for objective in objectives.STANDARD:
                case = f"{library}:{optimizer}:{objective}"
                yield task(case, MATCH, lambda l=library, o=optimizer, b=objective: check_rule(l, o, b))
                if library != library_conventions.CANONICAL_LIBRARY:
                    yield task(case, AGREE, lambda l=library, o=optimizer, b=objective: check_mapped(l, o, b))
            for p in PROBES:
                if p.applies(optimizer):
                    yield task(
                        f"{library}:{optimizer}:{p.objective}",
                        p.check,
                        lambda l=library, o=optimizer, p=p: run_probe(p, l, o),
                    )
            if optimizer == "adam":
                for check, bad in BAD_INPUT.items():
                    yield task(
                        f"{library}:{optimizer}:quadratic",
                        check,
                        lambda l=library, o=optimizer, b=bad: check_bad_input(l, o, b),
                    )
    numpy_only = lambda adapter, dtype: (
        None if adapter.name == "numpy" else "the optimizer studies run once, in the numpy session"
    )
    for case, check, fn in (
        ("convention table", "probes", convention_table),
        ("cross-library divergence", "mapped onto torch.optim", divergence_table),
    ):
        yield Task(
            FAMILY, case, check, _cpu(fn), dtypes=("float64",), kind="study", per_variant=False, applies=numpy_only
        )
