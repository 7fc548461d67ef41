"""pytest plugin (entry point ``pytest11``): the conformance engine's options, header and fixtures.

Options:
    --framework NAME            run conformance tests only for these frameworks (repeatable)
    --conformance-profile NAME  hypothesis profile of the engine: dev (default), ci, thorough
    --conformance-checks PAT    which derivative checks tests/conformance runs (glob patterns)
    --conformance-dtype DTYPE   which dtypes tests/conformance runs (repeatable; default float64)
    --conformance-variants      run every API variant, not only each framework's default one
    --conformance-seed N        the seed of ``conformance_check``'s draws (default: a fresh one, printed
                                with any failure so that the run can be repeated)

Fixtures:
    conformance_profile     the engine Profile chosen by --conformance-profile
    conformance_frameworks  names of the selected, installed frameworks
    conformance_adapter     parametrized: one default-variant adapter per selected framework
    conformance_variant     parametrized: every API variant of every selected framework
    conformance_registry    the known-deviation registry
    conformance_check       ``conformance.check`` with the selected frameworks (for an xp-generic function;
                            a dict's keys are kept to those selected) and --conformance-seed:
                            ``conformance_check(f, domain=(0, 1)).assert_ok()``

The pytest header names the libraries under test and their versions.
"""

from __future__ import annotations

from typing import Any

import pytest

DEFAULT_CHECKS = "gradient,jvp,vjp,hessian"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("conformance")
    group.addoption(
        "--framework",
        action="append",
        default=None,
        metavar="NAME",
        help="run conformance tests only for these frameworks (repeatable)",
    )
    group.addoption(
        "--conformance-profile",
        default="dev",
        metavar="NAME",
        help="hypothesis profile of the conformance engine: dev (default), ci, thorough",
    )
    group.addoption(
        "--conformance-checks",
        default=DEFAULT_CHECKS,
        metavar="PATTERNS",
        help=f"derivative checks tests/conformance runs (default {DEFAULT_CHECKS}; '*' = all)",
    )
    group.addoption(
        "--conformance-dtype",
        action="append",
        default=None,
        metavar="DTYPE",
        help="dtypes tests/conformance runs (repeatable; default float64)",
    )
    group.addoption(
        "--conformance-variants",
        action="store_true",
        help="run every API variant, not only each framework's default one",
    )
    group.addoption(
        "--conformance-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of the conformance_check fixture's draws (default: a fresh seed, reported)",
    )


def selected_frameworks(config: Any) -> list[str]:
    """--framework names (comma-separated allowed), else every installed framework."""
    from conformance import adapters

    names = config.getoption("--framework")
    if names:
        chosen = [adapters.adapter_class(n.strip()).name for v in names for n in v.split(",") if n.strip()]
    else:
        chosen = adapters.names()
    return [n for n in chosen if adapters.get(n).available()]


def profile(config: Any) -> Any:
    from conformance import engine

    return engine.get_profile(config.getoption("--conformance-profile"), 0)


def pytest_report_header(config: Any) -> str:
    from conformance import adapters

    parts = []
    for name, ok in adapters.available().items():
        parts.append(f"{name} {adapters.get(name).version}" if ok else f"{name} (missing)")
    return f"conformance frameworks: {', '.join(parts)}; profile {config.getoption('--conformance-profile')}"


def pytest_generate_tests(metafunc: Any) -> None:
    from conformance import adapters

    if "conformance_adapter" in metafunc.fixturenames:
        names = selected_frameworks(metafunc.config)
        metafunc.parametrize("conformance_adapter", [adapters.get(n) for n in names], ids=names)
    if "conformance_variant" in metafunc.fixturenames:
        ads = [a for n in selected_frameworks(metafunc.config) for a in adapters.get(n).all_variants()]
        metafunc.parametrize("conformance_variant", ads, ids=[a.label for a in ads])


@pytest.fixture(scope="session")
def conformance_profile(request: Any) -> Any:
    return profile(request.config)


@pytest.fixture(scope="session")
def conformance_frameworks(request: Any) -> list[str]:
    return selected_frameworks(request.config)


@pytest.fixture(scope="session")
def conformance_registry() -> Any:
    from conformance import registry

    return registry.load(None)


@pytest.fixture(scope="session")
def conformance_check(request: Any) -> Any:
    """``conformance.check`` bound to this session's --framework selection and --conformance-seed; the
    frameworks it runs are in its ``frameworks`` attribute."""
    import functools
    from collections.abc import Mapping

    import conformance
    from conformance import adapters

    selected = [n for n in selected_frameworks(request.config) if not adapters.adapter_class(n).is_reference]
    seed = request.config.getoption("--conformance-seed")

    @functools.wraps(conformance.check)
    def run(fn: Any, x: Any = None, **kwargs: Any) -> Any:
        if "frameworks" not in kwargs:
            kwargs["frameworks"] = [
                n for n in selected if not isinstance(fn, Mapping) or n in {adapters.adapter_class(k).name for k in fn}
            ]
        if seed is not None:
            kwargs.setdefault("seed", seed)
        return conformance.check(fn, x, **kwargs)

    run.frameworks = selected
    run.seed = seed
    return run
