"""Every subcommand of the ``conformance`` CLI (``conformance.cli`` lists them), one module each:
argument parsing and a call into the module that holds the logic."""
