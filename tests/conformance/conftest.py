"""Parametrize tests/conformance over (framework variant, derivative task, dtype), as selected by the
plugin's options (--framework, --conformance-checks, --conformance-dtype, --conformance-variants,
--conformance-profile). The default selection is quick: float64, each framework's default variant,
the checks in conformance.pytest_plugin.DEFAULT_CHECKS; `conformance run` runs the full matrix."""

from __future__ import annotations

from conformance import adapters, engine
from conformance import pytest_plugin as plugin


def pytest_generate_tests(metafunc):
    if "conformance_job" not in metafunc.fixturenames:
        return
    cfg = metafunc.config
    profile = plugin.profile(cfg)
    tasks = engine.collect(profile, ["derivatives"], checks=cfg.getoption("--conformance-checks"))
    dtypes = cfg.getoption("--conformance-dtype") or ["float64"]
    every_variant = cfg.getoption("--conformance-variants")
    jobs, ids = [], []
    for name in plugin.selected_frameworks(cfg):
        base = adapters.get(name).staging()  # as `conformance run` runs them
        variants = None if every_variant else [base.variants[0]]
        for task, adapter, dev, dtype in engine.plan([base], ["cpu"], dtypes, tasks, variants):
            jobs.append((task, adapter, dev, dtype, profile))
            ids.append(f"{adapter.label}-{task.family}/{task.case}-{task.check}-{dtype}")
    metafunc.parametrize("conformance_job", jobs, ids=ids)
