"""Results as data: JSON Lines records under a versioned schema.

A results file holds one *run header* (``kind: "run"``: the environment — machine, CPU model, thread
counts, Python, numpy and framework versions) followed by records, one JSON object a line:

    kind "check"       one (framework, version, api, device, dtype, case, check) with its status,
                       measured error and tolerance (derivative, integral and optimizer checks)
    kind "convention"  what a framework returns at a point where the math leaves a choice
    kind "benchmark"   a timing (see conformance/benchmarks); ``data`` holds the statistics
    kind "study"       a measured study (e.g. optimizer convergence); ``data`` holds the figures
    kind "accuracy"    an op's value against the exact one at sampled points, in ULPs of the dtype:
                       ``data.max_ulp`` (the largest error; ``data.median_ulp`` where measured)

Every line is flushed as soon as it is computed, so a crash loses nothing already measured.
Schema history: 1 — first version (this one).
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
import sys
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Iterator

from conformance.errors import first_line

SCHEMA_VERSION = 1
STATUSES = ("pass", "fail", "deviation", "skip", "error")
KINDS = ("run", "check", "convention", "benchmark", "study", "accuracy")
# Severity order for "worst status" in the report (error is worst).
SEVERITY = {"pass": 0, "skip": 1, "deviation": 2, "fail": 3, "error": 4}


@dataclass
class Record:
    """One result line. ``tolerance``/``atol`` are the policy's bounds; a check passes when every
    element satisfies |a − b| <= atol + tolerance·|b|, and ``error_ratio`` is the largest
    |a − b| / (atol + tolerance·|b|) (so <= 1 passes)."""

    kind: str
    framework: str
    framework_version: str
    api: str
    device: str
    dtype: str
    family: str
    case: str
    check: str
    status: str
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    tolerance: float | None = None
    atol: float | None = None
    error_ratio: float | None = None
    message: str = ""
    replay: str = ""
    seed: int | None = None
    input: Any = None  # the (shrunk) failing input, or the probe input
    point: str | None = None  # a named special point, when the check ran at one
    probe: Any = None  # canonical-probe output values, for cross-run agreement
    duration_s: float | None = None
    registry: dict | None = None  # the matching known deviation: reason, link
    data: dict = field(default_factory=dict)  # kind-specific payload (conventions, timings, ...)
    run_id: str = ""
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(_jsonable(asdict(self)), allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, obj: dict) -> "Record":
        """A validated record line as a Record. A field the line omits takes its default ("" for
        the text fields that have none); the text fields are made strings, ``data`` a dict and
        ``registry`` a dict or None (a bare value becomes its ``reason``); a record of a kind
        other than check without a status is "pass". Keys the schema does not know are dropped."""
        values = {}
        for f in fields(cls):
            if f.name in obj:
                values[f.name] = obj[f.name]
            elif f.default is MISSING and f.default_factory is MISSING:
                values[f.name] = ""
        for k in TEXT_FIELDS:
            if not isinstance(values.get(k, ""), str):
                values[k] = "" if values[k] is None else str(values[k])
        if not isinstance(values.get("data"), dict):
            values["data"] = {}
        reg = values.get("registry")
        if reg is not None and not isinstance(reg, dict):
            values["registry"] = {"reason": str(reg)}
        if values["kind"] != "check" and not values["status"]:
            values["status"] = "pass"
        return cls(**values)


# The fields that always hold text once read back (``Record.from_dict``).
TEXT_FIELDS = (
    "framework",
    "framework_version",
    "api",
    "device",
    "dtype",
    "family",
    "case",
    "check",
    "status",
    "message",
    "replay",
)


def _jsonable(obj: Any) -> Any:
    """Make obj strict-JSON: NaN/inf become strings 'nan', 'inf', '-inf'; arrays become lists."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        return _jsonable(obj.tolist())
    if isinstance(obj, complex):
        return {"re": _jsonable(obj.real), "im": _jsonable(obj.imag)}
    if isinstance(obj, float):
        if math.isnan(obj):
            return "nan"
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
        return obj
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


# ---------------------------------------------------------------- environment
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def thread_counts() -> dict[str, Any]:
    """Threads each loaded numerical library uses (only libraries already imported are asked)."""
    counts: dict[str, Any] = {"cpu_count": os.cpu_count()}
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "XLA_FLAGS"):
        if os.environ.get(var):
            counts[var] = os.environ[var]
    try:
        from threadpoolctl import threadpool_info

        counts["blas"] = {f"{i['internal_api']}:{i.get('prefix', '')}": i["num_threads"] for i in threadpool_info()}
    except Exception:  # threadpoolctl is optional
        pass
    from conformance import adapters

    for name in adapters.order():  # each framework says its own threads (its introspection module)
        cls = adapters.adapter_class(name)
        if cls.module in sys.modules and cls.provides("introspection"):
            counts.update(getattr(cls.capability("introspection"), "thread_counts", dict)())
    return counts


def environment(extra: dict | None = None) -> dict[str, Any]:
    """The run header: what ran where, so that runs from different machines stay comparable."""
    import numpy

    from conformance import adapters

    dists = [
        d
        for name in adapters.order()
        for cls in [adapters.adapter_class(name)]
        for d in (cls.distribution, *cls.companions)
        if d and d != "numpy"
    ] + ["hypothesis"]
    versions = {}
    for dist in dists:
        try:  # installed versions from package metadata: nothing is imported for this
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    env = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "hostname": platform.node(),
        "cpu_model": cpu_model(),
        "threads": thread_counts(),
        "versions": versions,
        "conformance": _own_version(),
    }
    env.update(extra or {})
    return env


def _own_version() -> str:
    from conformance import __version__

    return __version__


def new_run_id() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


# ---------------------------------------------------------------- writing
class ResultWriter:
    """Appends records to a JSON Lines file, header first, one flushed line per record."""

    def __init__(self, path: str | Path, run_id: str | None = None, header: dict | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id or new_run_id()
        self._fh = self.path.open("a", encoding="utf-8")
        self.count = 0
        head = {
            "schema_version": SCHEMA_VERSION,
            "kind": "run",
            "run_id": self.run_id,
            "environment": environment(header),
        }
        self._write_line(json.dumps(_jsonable(head), allow_nan=False))

    def _write_line(self, line: str) -> None:
        self._fh.write(line + "\n")
        self._fh.flush()

    def write(self, record: Record) -> None:
        record.run_id = record.run_id or self.run_id
        self._write_line(record.to_json())
        self.count += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def results_path(out_dir: str | Path, stem: str, run_id: str) -> Path:
    """``<out_dir>/<stem>-<run_id>.jsonl`` with a filesystem-safe stem."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    return Path(out_dir) / f"{safe}-{run_id}.jsonl"


# ---------------------------------------------------------------- reading
class SchemaError(ValueError):
    pass


REQUIRED = {
    "check": ("framework", "framework_version", "api", "device", "dtype", "case", "check", "status"),
    "convention": ("framework", "framework_version", "api", "device", "dtype", "case", "check"),
    "benchmark": ("framework", "framework_version", "api", "device", "dtype", "case", "check"),
    "study": ("framework", "case", "check"),
    "accuracy": ("framework", "framework_version", "api", "device", "dtype", "case", "check"),
    "run": ("run_id", "environment"),
}


def validate(obj: Any) -> dict:
    """Check one parsed line against the schema (migrating older versions); return it or raise."""
    if not isinstance(obj, dict):
        raise SchemaError("a record must be a JSON object")
    version = obj.get("schema_version")
    if version is None:
        raise SchemaError("no schema_version: not a calculus-conformance results file")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise SchemaError(
            f"schema_version {version!r} is newer than this reader "
            f"(needs {SCHEMA_VERSION}); upgrade calculus-conformance"
        )
    if version < SCHEMA_VERSION:
        obj = migrate(obj)
    kind = obj.get("kind")
    if kind not in KINDS:
        raise SchemaError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    missing = [k for k in REQUIRED[kind] if k not in obj]
    if missing:
        raise SchemaError(f"{kind} record lacks {', '.join(missing)}")
    if kind == "check" and obj["status"] not in STATUSES:
        raise SchemaError(f"status {obj['status']!r} is not one of {', '.join(STATUSES)}")
    return obj


def migrate(obj: dict) -> dict:
    """Bring a record of an older schema version up to SCHEMA_VERSION (none exist yet)."""
    raise SchemaError(
        f"schema_version {obj.get('schema_version')} is not readable; this reader needs "
        f"schema_version {SCHEMA_VERSION}; re-run the suite to regenerate the file"
    )


@dataclass
class RecordSet:
    """Records read from files, with the run headers and a warning per unreadable file or line."""

    records: list[Record] = field(default_factory=list)
    runs: dict[str, dict] = field(default_factory=dict)  # run_id -> header
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def iter_result_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(p.rglob("*.jsonl"))
        else:
            yield p


def read(paths: Iterable[str | Path]) -> RecordSet:
    """Read and validate results files into Records (``Record.from_dict``); a corrupt, truncated or
    foreign file or line becomes a one-line warning naming it, and everything readable is kept."""
    out = RecordSet()
    for path in iter_result_files(paths):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            out.warnings.append(f"{path}: cannot read ({first_line(exc)}); skipped")
            continue
        good = 0
        bad: dict[str, list[int]] = {}  # message -> the lines skipped for it
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = validate(json.loads(line))
            except (json.JSONDecodeError, SchemaError) as exc:
                msg = first_line(exc, with_type=False)
                if n == 1:
                    out.warnings.append(f"{path}: not a results file ({msg}); skipped")
                    break
                bad.setdefault(msg, []).append(n)
                continue
            good += 1
            if obj["kind"] == "run":
                out.runs[obj["run_id"]] = obj
            else:
                out.records.append(Record.from_dict(obj))
        for msg, ns in bad.items():  # one warning per file and reason, not one per line
            more = f" (and {len(ns) - 1} more line{'s' if len(ns) > 2 else ''} like it)" if len(ns) > 1 else ""
            out.warnings.append(f"{path}:{ns[0]}: {msg}; line skipped{more}")
        if good:
            out.files.append(str(path))
    return out
