"""Synthetic results files for testing the report (never measurements).

Every run header written here carries ``synthetic: true``, and the report says so in a banner. The
*full* shape matches a real four-framework run in size: 70 cases x 10 checks x 8 API variants x
2 dtypes of checks with probes, conventions, benchmarks (5 functions x 9 operators x 2 modes x 5
sizes per variant) and optimizer studies. Usage::

    python -m conformance.report.synthetic OUT_DIR [--small] [--versions 2] [--cases 140]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

from conformance import adapters
from conformance.records import Record, ResultWriter, new_run_id, results_path


@dataclass(frozen=True)
class Fake:
    """Made-up figures for one framework: two versions, the base time of a benchmark, and its answers
    to two convention probes (the gradient at a kink, the value at a pole)."""

    versions: tuple[str, str] = ("1.0.0", "0.9.0")
    base_s: float = 1e-5
    kink: float = 0.5
    pole: str = "inf"


# The frameworks and their API variants come from the adapters; these made-up figures are data.
FAKES = {
    "numpy": Fake(("2.2.6", "2.3.1"), 2e-6),
    "torch": Fake(("2.13.0", "2.12.1"), 8e-6, kink=0.0),
    "tensorflow": Fake(("2.21.0", "2.20.0"), 3e-5, pole="nan"),
    "jax": Fake(("0.10.2", "0.9.1"), 6e-6, kink=0.0),
}

FAMILIES = ("elementwise", "reductions", "linalg", "nn", "compositions", "complex", "degenerate")
CHECKS = (
    "grad",
    "value_and_grad",
    "jvp",
    "vjp",
    "jacobian_fwd",
    "jacobian_rev",
    "hessian",
    "hvp",
    "derivative_2",
    "probe",
)
OPERATORS = ("primal", "grad", "value_and_grad", "jvp", "vjp", "jacobian_fwd", "jacobian_rev", "hessian", "hvp")
# Failures take these classes in turn (None: the record names none and the report derives it).
FAIL_CLASSES = ("wrong_value", "non_finite", "wrong_value", "underflow", "wrong_sign", None)
ADVERSARIAL = '<script>alert(1)</script> "quoted" \'single\' & ampersand <img src=x onerror="window.__pwned=1">'


def write_runs(
    out_dir: str | Path,
    *,
    cases: int = 70,
    checks: int = 10,
    dtypes=("float64", "float32"),
    frameworks=None,
    versions: int = 1,
    benchmarks: bool = True,
    accuracy: bool = True,
    bench_functions: int = 5,
    sizes: int = 5,
    adversarial: bool = False,
    seed: int = 0,
) -> list[Path]:
    """Write one results file per (framework, version) (every known framework by default, each with
    its adapter's API variants); return their paths. Some failures carry a failure class, some
    deviations are findings (a registry entry without an upstream link, with a reproducer), some
    cases are "not provided" in a framework, and ``accuracy`` adds ULP records of each case."""
    rng = random.Random(seed)
    paths = []
    case_names = [f"{FAMILIES[i % len(FAMILIES)]}:case_{i:02d}" for i in range(cases)]
    if adversarial:
        case_names[0] = f"{FAMILIES[0]}:{ADVERSARIAL}"
    for fw in adapters.order() if frameworks is None else frameworks:
        fake = FAKES.get(fw, Fake())
        for vi in range(versions):
            version = fake.versions[vi % 2] if vi < 2 else f"0.{vi}.0"
            run_id = new_run_id()
            path = results_path(out_dir, f"{fw}-{version}", run_id)
            slow = 1.0 + 0.6 * vi
            with ResultWriter(path, run_id=run_id, header={"synthetic": True}) as w:
                for api in _variants(fw):
                    for ci, full in enumerate(case_names):
                        fam, case = full.split(":", 1)
                        for check in CHECKS[: checks - 1] + ("probe",):
                            for dtype in dtypes:
                                w.write(
                                    _check(
                                        rng, fw, version, api, dtype, fam, case, check, ci, vi, adversarial and ci == 0
                                    )
                                )
                    for p in range(30):
                        for dtype in dtypes:
                            w.write(_convention(fw, fake, version, api, dtype, p, vi))
                    if benchmarks:
                        for fi in range(bench_functions):
                            for mode in ("eager", "compiled"):
                                for op in OPERATORS:
                                    for si in range(sizes):
                                        w.write(_bench(rng, fw, fake, version, api, fi, mode, op, si, slow))
                    w.write(_study(rng, fw, version, api, adversarial))
                if accuracy:  # forward values: one column per framework version, not per API variant
                    arng = random.Random(f"{seed}-{fw}-{version}")
                    for ci, full in enumerate(case_names):
                        for dtype in dtypes:
                            w.write(_accuracy(arng, fw, version, dtype, full, ci))
            paths.append(path)
    return paths


def _variants(fw: str) -> tuple[str, ...]:
    try:
        return tuple(adapters.adapter_class(fw).variants)
    except adapters.UnknownFrameworkError:  # a framework this installation has no adapter for
        return ("default",)


def _check(rng, fw, version, api, dtype, fam, case, check, ci, vi, adversarial) -> Record:
    u = rng.random()
    eps = 1e-16 if dtype == "float64" else 1e-7
    ratio = 10 ** rng.uniform(-6, -0.3)
    status, message, registry, data = "pass", "", None, {}
    if adversarial:
        status, ratio, message = "fail", 3.5, f"mismatch at {ADVERSARIAL}"
    elif u < 0.015 + 0.01 * vi:
        status, ratio, message = "fail", 10 ** rng.uniform(0.1, 3), "gradient differs from the mpmath reference"
        data["failure_class"] = FAIL_CLASSES[int(u * 1e6) % len(FAIL_CLASSES)]
        if data["failure_class"] == "non_finite":
            ratio, message = float("nan"), "gradient is nan where the exact value is finite"
        elif data["failure_class"] is None:
            del data["failure_class"]
    elif u < 0.03:
        status, ratio, message = "deviation", 10 ** rng.uniform(0.1, 2), "matches a registry entry"
        registry = {"reason": "upstream returns nan at the kink", "link": "https://github.com/example/issue/1"}
        if int(u * 1e6) % 5 == 0:  # a finding: not recorded upstream yet
            registry = {
                "reason": f"second derivative of {case} is off by a factor near the kink",
                "link": "",
                "reproducer": f"import {fw}; x = {fw}.tensor(0.5); print(grad(grad({case}))(x))",
            }
    elif u < 0.033:
        status, ratio, message = "error", None, "RuntimeError: the derivative for 'op' is not implemented"
    elif u < 0.08:
        status, ratio, message = "skip", None, f"{fw} has no {check} for {dtype}"
    if (ci + len(fw)) % 13 == 0 and not adversarial:
        status, ratio, registry = "skip", None, None
        message = f"not provided in {fw} {version}: {fw}.special.{case} (AttributeError)"
        data.pop("failure_class", None)
    x = [round(rng.uniform(-2, 2), 6) for _ in range(3)]
    probe = None
    if check == "probe" and status != "skip":
        probe = {
            "x": x,
            "value": 1.5 + eps * rng.uniform(-5, 5),
            "derivative": [1.0 + 0.1 * i + eps * rng.uniform(-50, 50) for i in range(3)],
        }
    tol = 1e-10 if dtype == "float64" else 1e-4
    return Record(
        kind="check",
        framework=fw,
        framework_version=version,
        api=api,
        device="cpu",
        dtype=dtype,
        family=fam,
        case=case,
        check=check,
        status=status,
        max_abs_error=None if ratio is None else ratio * tol,
        max_rel_error=None if ratio is None else ratio * tol,
        tolerance=tol,
        atol=tol * 1e-3,
        error_ratio=ratio,
        message=message,
        replay=f"conformance run --framework {fw} --api {api} --dtype {dtype} --cases '{case}' "
        f"--checks '{check}' --seed {1000 + ci}",
        seed=1000 + ci,
        input=[x] if status in ("fail", "error", "deviation") else [[0.5, 1.5, -0.25]],
        probe=probe,
        duration_s=rng.uniform(0.001, 0.05),
        registry=registry,
        data={"traceback": "Traceback (most recent call last):\n  ...\nRuntimeError: not implemented"}
        if status == "error"
        else data,
    )


def _accuracy(rng, fw, version, dtype, full, ci) -> Record:
    """An op's forward error in ULPs: mostly within a few, now and then far off."""
    fam, case = full.split(":", 1)
    ulp = 10 ** rng.uniform(-0.5, 0.8) if rng.random() > 0.04 else 10 ** rng.uniform(2, 6)
    return Record(
        kind="accuracy",
        framework=fw,
        framework_version=version,
        api="-",
        device="cpu",
        dtype=dtype,
        family=fam,
        case=case,
        check="value",
        status="pass" if ulp <= 4 else "fail",
        data={"max_ulp": ulp, "median_ulp": ulp / 4, "points": 1000},
    )


def _convention(fw, fake, version, api, dtype, p, vi) -> Record:
    probes = ["relu at 0", "abs at 0", "sqrt at 0", "max ties", "norm at 0", "sign at 0"]
    name = probes[p % len(probes)] + ("" if p < len(probes) else f" #{p // len(probes)}")
    value = 0.0 if p % 3 else fake.kink
    if p == 2:
        value = fake.pole
    if p == 4 and vi:
        value = 1.0
    return Record(
        kind="convention",
        framework=fw,
        framework_version=version,
        api=api,
        device="cpu",
        dtype=dtype,
        family="conventions",
        case=name,
        check="grad",
        status="pass",
        data={"value": [value], "expected": [0.0, 0.5, 1.0], "note": "any subgradient in [0, 1]"},
    )


def _bench(rng, fw, fake, version, api, fi, mode, op, si, slow) -> Record:
    n = 10 ** (1 + si)
    cost = {
        "primal": 1,
        "grad": 3,
        "value_and_grad": 3.2,
        "jvp": 2,
        "vjp": 3,
        "jacobian_fwd": 8,
        "jacobian_rev": 9,
        "hessian": 20,
        "hvp": 5,
    }[op]
    t = fake.base_s * slow * (1 + n * 1e-6 * cost) * (0.5 if mode == "compiled" else 1) * rng.uniform(0.9, 1.1)
    ratio = None if op == "primal" else cost * rng.uniform(0.8, 1.3)
    bound = None if op == "primal" else 5.0 if op in ("grad", "value_and_grad", "vjp", "jvp", "hvp") else None
    return Record(
        kind="benchmark",
        framework=fw,
        framework_version=version,
        api=api,
        device="cpu",
        dtype="float64",
        family="benchmarks",
        case=f"fn_{fi}",
        check=op,
        status="pass",
        data={
            "n": n,
            "params": {},
            "mode": mode,
            "median_s": t,
            "iqr_s": t * 0.05,
            "min_s": t * 0.95,
            "rounds": 20,
            "compile_s": rng.uniform(0.05, 2) if mode == "compiled" else None,
            "ratio": ratio,
            "bound": bound,
            "over_bound": bool(ratio and bound and ratio > bound),
            "exponent": 1.0,
            "reference": {"source": "GradBench March 2026 nightly, CPU float64", "ratio": 3.1}
            if op == "grad" and fi == 0
            else None,
        },
    )


def _study(rng, fw, version, api, adversarial) -> Record:
    steps = list(range(0, 200, 10))
    label = ADVERSARIAL if adversarial else "adam"
    return Record(
        kind="study",
        framework=fw,
        framework_version=version,
        api=api,
        device="cpu",
        dtype="float64",
        family="optimizers",
        case="rosenbrock",
        check="convergence",
        status="pass",
        data={
            "chart": {
                "title": f"loss vs step ({fw})",
                "x_label": "step",
                "y_label": "loss",
                "log_x": False,
                "log_y": True,
                "series": [
                    {"label": label, "x": steps, "y": [10 * 0.95**s for s in steps]},
                    {"label": "sgd", "x": steps, "y": [10 * 0.98**s for s in steps]},
                ],
            },
            "table": {
                "columns": ["optimizer", "final loss", "steps"],
                "rows": [[label, 10 * 0.95**190, 200], ["sgd", 10 * 0.98**190, 200]],
            },
        },
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", help="directory to write results files into")
    p.add_argument("--small", action="store_true", help="a few cases instead of the full shape")
    p.add_argument("--cases", type=int, default=70, help="cases per framework (a grown catalog: more)")
    p.add_argument("--versions", type=int, default=1, help="versions per framework (for the version diff)")
    p.add_argument("--adversarial", action="store_true", help="include a record holding <script> etc.")
    a = p.parse_args(argv)
    kw = {"cases": 6, "checks": 3, "bench_functions": 1, "sizes": 3} if a.small else {"cases": a.cases}
    for path in write_runs(a.out, versions=a.versions, adversarial=a.adversarial, **kw):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
