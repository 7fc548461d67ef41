"""Gradient-based optimizers held to their formulas: reference rules (rules.py), the conventions each
library documents (library_conventions.py), deterministic objectives (objectives.py), the conformance suite
(suite.py) and the Adam-vs-SGD convergence study (study.py, ``conformance optimizers``)."""
