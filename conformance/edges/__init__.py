"""Edges: special points, removable singularities, nested derivative modes (suite.py)."""
