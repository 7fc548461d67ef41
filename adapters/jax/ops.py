"""Bindings of the op table's public functions where a call needs adapting; filled by the native-op catalog."""

BINDINGS: dict = {}
