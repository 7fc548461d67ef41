"""Subcommands of the ``conformance`` CLI that belong to no single area."""
