"""The result of ``conformance.check``: one Row per (framework, API variant, check), and its table.

Columns: status; ``ratio`` = max |error| / allowance (<= 1 passes); ``error`` = ratio · rtol, the error
relative to the scale the row is judged on (|exact|, or the magnitude of a product's terms); ``resolves`` =
the smallest relative error of the rule the row flags at its input (``oracle_choice.resolution``); the
oracle. Under each row its full message, wrapped (a framework's reason for refusing is never cut), the
input, and for a failure a stand-alone reproducer.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from conformance.engine import Outcome

WIDTH = 110


@dataclass
class Row:
    framework: str
    api: str
    check: str
    outcome: Outcome

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def label(self) -> str:
        return f"{self.framework}[{self.api}]"


def _num(v: Any) -> str:
    return "—" if v is None else f"{v:.2g}"


@dataclass
class CheckResult:
    """Outcomes of ``conformance.check``, one Row per (framework, API variant, check)."""

    name: str
    dtype: str
    rows: list[Row] = field(default_factory=list)
    where: str = ""  # the points or the domain looked at
    seed: int | None = None
    examples: int = 0
    reproducer: str = ""  # for a failure: the stand-alone call that re-runs it

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failures

    def outcome(self, framework: str, check: str, api: str | None = None) -> Outcome:
        for r in self.rows:
            if r.framework == framework and r.check == check and (api is None or r.api == api):
                return r.outcome
        raise KeyError(f"no outcome for {framework} {check}")

    def table(self) -> str:
        """One line per row (status, ratio, error, resolution, oracle), its full message wrapped beneath."""
        head = f"{'framework[api]':<26} {'check':<20} {'status':<6} {'ratio':>8} {'error':>8} {'resolves':>8}  oracle"
        lines = [
            f"conformance.check({self.name}, dtype={self.dtype}) at {self.where}; {self.examples} input(s) checked",
            head,
        ]
        for r in self.rows:
            o = r.outcome
            error = (
                o.error_ratio * o.tolerance
                if o.error_ratio is not None and o.tolerance is not None and "basis" in o.data
                else None
            )
            oracle = str(o.data.get("oracle", "—"))
            lines.append(
                f"{r.label:<26} {r.check:<20} {o.status:<6} {_num(o.error_ratio):>8} {_num(error):>8} "
                f"{_num(o.data.get('resolution')):>8}  {oracle}"
            )
            text = o.message + (f" | oracle note: {o.data['oracle_note']}" if o.data.get("oracle_note") else "")
            if o.input is not None and o.status in ("fail", "error"):
                text += f" | at x = {o.input!r}"
            lines += textwrap.wrap(
                text,
                WIDTH,
                initial_indent="    ",
                subsequent_indent="    ",
                break_long_words=True,
                break_on_hyphens=False,
            )
        if self.reproducer:
            lines.append("reproduce: " + self.reproducer)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def assert_ok(self) -> "CheckResult":
        """Raise AssertionError with the table when any row failed or raised (skips never fail)."""
        if not self.ok:
            bad = ", ".join(f"{r.label} {r.check}" for r in self.failures)
            raise AssertionError(f"derivative checks failed: {bad}\n{self.table()}")
        return self
