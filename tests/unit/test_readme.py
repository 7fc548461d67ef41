"""Every Python example in the README runs, and its test functions pass: the README's claims are
checked by the suite itself."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(blocks()) >= 2


def test_readme_examples_run(capsys):
    for code in blocks():
        namespace: dict = {"__name__": "readme_example"}
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - our own README
        for name, fn in list(namespace.items()):
            if name.startswith("test_") and callable(fn):
                fn()
    out = capsys.readouterr().out
    assert out.count("14.0") >= 8, out  # the seed example: 14 in every adapter and variant
