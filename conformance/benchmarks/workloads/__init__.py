"""Workloads from the AD benchmarking literature (ADBench / GradBench), implemented from their
published math against an adapter's ``xp``: ``gmm`` and ``lstm``."""

from . import gmm, lstm

WORKLOADS = {"gmm": gmm, "lstm": lstm}
