"""The ``conformance`` command. Each subcommand is a module of ``conformance.commands`` with ``HELP``,
``configure(parser)`` and ``main(args) -> exit code`` that parses its options and calls into the
module that holds the logic; modules not present in a build are skipped."""

from __future__ import annotations

import argparse
import importlib
import sys

from conformance.errors import ConformanceError

COMMANDS = {
    "list": "conformance.commands.listing",
    "run": "conformance.commands.run",
    "report": "conformance.commands.report",
    "bench": "conformance.commands.bench",
    "optimizers": "conformance.commands.optimizers",
    "targets": "conformance.commands.targets",
    "cache": "conformance.commands.cache",
    "accuracy": "conformance.commands.accuracy",
}


def _modules() -> dict:
    mods = {}
    for name, path in COMMANDS.items():
        try:
            mods[name] = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            # the command, or the package of conformance it calls into, is not part of this build
            if exc.name and (path.startswith(exc.name) or exc.name.startswith("conformance.")):
                continue
            raise
    return mods


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="conformance", description="Hold PyTorch, TensorFlow and JAX to the mathematics of calculus."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, mod in _modules().items():
        sp = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(sp)
        sp.set_defaults(_main=mod.main)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args._main(args) or 0)
    except ConformanceError as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted; records written so far are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
