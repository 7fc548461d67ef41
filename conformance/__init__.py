"""calculus-conformance: hold PyTorch, TensorFlow and JAX to the mathematics of calculus."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``conformance.check`` / ``conformance.CheckResult`` (imported on first use, so that importing
    the package stays cheap)."""
    if name in ("check", "CheckResult"):
        from conformance import api

        return getattr(api, name)
    raise AttributeError(f"module 'conformance' has no attribute {name!r}")


__all__ = ["__version__", "check", "CheckResult"]
