"""Derivative conformance: the case catalog, the oracles that judge it and the checks."""
