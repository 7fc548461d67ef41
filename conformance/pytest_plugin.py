"""pytest plugin (entry point ``pytest11``): ``--framework`` selection and the libraries under test
in the pytest header."""

from __future__ import annotations


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--framework", action="append", default=None, metavar="NAME",
                    help="run conformance tests only for these frameworks (repeatable)")


def pytest_report_header(config):
    from conformance import adapters

    parts = []
    for name, ok in adapters.available().items():
        parts.append(f"{name} {adapters.get(name).version}" if ok else f"{name} (missing)")
    return "conformance frameworks: " + ", ".join(parts)
