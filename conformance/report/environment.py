"""The environment of each run: its header (machine, CPU, Python, numpy and framework versions,
thread counts) and how many records it wrote."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from conformance.records import RecordSet
from conformance.report.formatting import compact_json, threads_text


@dataclass
class RunInfo:
    run_id: str
    env: dict
    records: int
    threads: str
    versions: str
    extra: list[tuple[str, str]] = field(default_factory=list)


KNOWN_ENV = (
    "date",
    "python",
    "numpy",
    "platform",
    "machine",
    "hostname",
    "cpu_model",
    "threads",
    "versions",
    "conformance",
)


def environment(rs: RecordSet) -> list[RunInfo]:
    per_run = Counter(r.run_id for r in rs.records)
    out = []
    for run_id, head in sorted(rs.runs.items(), key=lambda kv: str(kv[1].get("environment", {}).get("date", ""))):
        env = head.get("environment") if isinstance(head.get("environment"), dict) else {}
        versions = env.get("versions") if isinstance(env.get("versions"), dict) else {}
        extra = [(str(k), compact_json(v, 300)) for k, v in env.items() if k not in KNOWN_ENV]
        out.append(
            RunInfo(
                str(run_id),
                env,
                per_run.get(run_id, 0),
                threads_text(env.get("threads")),
                ", ".join(f"{k} {v}" for k, v in versions.items()),
                extra,
            )
        )
    return out
