"""First-order checks of ``conformance.check``: the suite's gradient, jvp and vjp
(``conformance.derivatives.checks``) with the derivative's own condition allowance.

A user function is judged per entry whatever its structure, so an entry of q (∇f, J v or Jᵀu) that cancels
to near 0 (sin(x)·Σx at a zero of a gradient entry) needs what a backward-stable program loses there,
2ε·Σₖ|xₖ||∂ₖqᵢ|, taken from the nested oracle for the entries that fail without it
(``conformance.derivatives.judging.conditioned``). The catalog's cases are judged without it.
"""

from __future__ import annotations

from functools import partial

from conformance.derivatives import checks

gradient = partial(checks.gradient, condition=True)
jvp = partial(checks.jvp, condition=True)
vjp = partial(checks.vjp, condition=True)
