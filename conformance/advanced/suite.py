"""The advanced suite: every topic module's tasks, in the order of ``TOPICS`` (each topic is a family
of its own, so the report's Advanced section groups them and ``--cases 'pinn/*'`` selects one)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from conformance.advanced import TOPICS
from conformance.engine import Profile, Task


def tasks(profile: Profile) -> Iterator[Task]:
    """The tasks of every topic under ``profile``; a topic module not present in this build adds none."""
    for topic in TOPICS:
        try:
            module = importlib.import_module(f"conformance.advanced.{topic}")
        except ModuleNotFoundError as exc:
            if exc.name != f"conformance.advanced.{topic}":
                raise
            continue
        yield from module.tasks(profile)
