"""The known-deviation registry: matching, stale entries and malformed files."""

from __future__ import annotations

import pytest

from conformance import registry


def write(tmp_path, text, name="x.toml"):
    (tmp_path / name).write_text(text)
    return tmp_path


ENTRY = """
[[deviation]]
framework = "torch"
versions = ">=2.0,<3"
case = "pow*"
check = "gradient"
reason = "torch returns nan for 0**0 derivative"
link = "https://github.com/pytorch/pytorch/issues/1"
"""


def rec(**kw):
    base = dict(
        framework="torch",
        framework_version="2.13.0+cpu",
        api="func",
        dtype="float64",
        family="elementwise",
        case="power_x_y",
        check="gradient",
        point=None,
    )
    base.update(kw)
    return base


def test_match_by_pattern_and_version(tmp_path):
    reg = registry.load(write(tmp_path, ENTRY))
    assert reg.match(rec()) is not None
    assert reg.match(rec(framework_version="1.13.1")) is None
    assert reg.match(rec(framework="jax")) is None
    assert reg.match(rec(check="jvp")) is None
    assert reg.unmatched() == []


def test_entry_that_matches_nothing_is_reported(tmp_path):
    reg = registry.load(write(tmp_path, ENTRY))
    reg.match(rec(case="sin"))
    assert [e.case for e in reg.unmatched()] == ["pow*"]


def test_malformed_file_names_file_and_line(tmp_path):
    write(tmp_path, ENTRY + "\n[[deviation]]\nframework = \n")
    with pytest.raises(registry.RegistryError, match=r"x\.toml: malformed registry file: .*line 11"):
        registry.load(tmp_path)


def test_unknown_key_names_the_entry_line(tmp_path):
    write(tmp_path, ENTRY + '\n[[deviation]]\nframework = "jax"\ncase = "a"\ncheck = "b"\nreason = "r"\nfoo = 1\n')
    with pytest.raises(registry.RegistryError, match=r"x\.toml:10: unknown key 'foo'"):
        registry.load(tmp_path)


def test_bad_version_range(tmp_path):
    write(tmp_path, ENTRY.replace(">=2.0,<3", "two-ish"))
    with pytest.raises(registry.RegistryError, match="PEP 440"):
        registry.load(tmp_path)


def test_packaged_registry_loads():
    registry.load()


def test_stale_only_when_the_run_planned_the_entrys_whole_scope():
    """An unused entry is stale when the run planned every task it would claim in a full run; one
    whose scope reaches cases the run left out, or that matched a record, is not."""
    from types import SimpleNamespace as NS

    numpy = NS(name="numpy", version="2.0", variant="richardson")
    task = lambda case, check: NS(family="elementwise", case=case, check=check)  # noqa: E731
    work = lambda *tasks: [(t, numpy, "cpu", "float64") for t in tasks]  # noqa: E731
    entries = [
        registry.Deviation("numpy", "prod", "gradient", "whole scope ran, nothing fails there"),
        registry.Deviation("numpy", "s*", "jvp", "scope reaches sqrt, which this run left out"),
        registry.Deviation("numpy", "sin", "gradient", "matched a record in this run", hits=1),
    ]
    reg = registry.Registry(entries)
    planned = [work(task("prod", "gradient"), task("sin", "jvp"), task("sin", "gradient"))]
    full = lambda: work(
        task("prod", "gradient"),
        task("sin", "jvp"),
        task("sqrt", "jvp"),  # noqa: E731
        task("sin", "gradient"),
    )
    assert registry.stale_entries(reg, planned, full, ["numpy"]) == [entries[0]]
    assert registry.stale_entries(reg, [work(task("sin", "gradient"))], full, ["numpy"]) == []


def test_every_packaged_entry_names_a_task_that_exists():
    """An entry whose case and check patterns name no task of any suite (the thorough profile: every
    check the suites have) can match nothing on any framework: a typo or a renamed case/check. Dead
    entries would never be reported stale, since no run plans their scope."""
    from conformance import engine
    from conformance.registry import _fn  # the registry's own pattern match (alternatives, exclusions)

    tasks = {(t.family, t.case, t.check) for t in engine.collect(engine.get_profile("thorough"))}

    def names(e: registry.Deviation) -> bool:
        return any(
            (_fn(e.case, case) or _fn(e.case, f"{family}/{case}")) and _fn(e.check, check)
            for family, case, check in tasks
        )

    dead = [f"{e.source}: {e.framework} {e.case} {e.check}" for e in registry.load().entries if not names(e)]
    assert not dead, dead
    # the check itself can fail: a misspelled check name names nothing
    assert not names(registry.Deviation("torch", "linalg_det", "limit1@zero pivots", "a typo of the point name"))
