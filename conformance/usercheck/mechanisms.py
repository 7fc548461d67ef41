"""Which API variant runs each check of a user's rule.

A hand-written rule cannot run through every API: torch.func refuses an old-style autograd.Function (no
``setup_context``) and a Function without a ``vmap`` rule; forward mode needs a Function's ``jvp``; JAX's
forward mode refuses a ``custom_vjp``. Such a refusal says nothing about whether the rule is right, so:

- ``variants="default"``: each check runs through the framework's default variant, and where the framework
  refuses (``adapter.refusal(exc)``: each adapter knows its framework's words), through the next variant
  that can run it (torch.autograd where torch.func refuses); a check that no variant can run is ``skip``
  with the framework's own reasons in full, and never fails ``assert_ok()``;
- ``variants="all"`` or a variant name or a list of names: each named variant runs every check, and a
  refusal is that variant's ``skip`` with the reason.
Any other value is a one-line error listing the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from conformance.derivatives.checks import Check, Inputs
from conformance.engine import Context, Outcome
from conformance.usercheck.inputs import CheckUsageError


@dataclass(frozen=True)
class Slot:
    """One column of the result for a framework: the variants tried in order for every check."""

    framework: str
    name: str  # "default" or a variant name
    candidates: tuple[Any, ...]


def parse_variants(variants: Any) -> str | tuple[str, ...]:
    """ "default", "all", or a tuple of variant names (one name, "a,b", or a list)."""
    if isinstance(variants, str):
        if variants in ("default", "all"):
            return variants
        names = tuple(v.strip() for v in variants.split(",") if v.strip())
    elif isinstance(variants, Iterable):
        names = tuple(variants)
        if not all(isinstance(v, str) for v in names):
            names = ()
    else:
        names = ()
    if not names:
        raise CheckUsageError(
            f"variants={variants!r} is not understood; use 'default', 'all', a variant name or a list of them"
        )
    return names


def slots(base: Any, variants: str | tuple[str, ...]) -> list[Slot]:
    """The slots of one framework (``base``: its default-variant adapter, staged as wanted)."""
    every = [base.with_variant(v) for v in base.variants]
    if variants == "default":
        return [Slot(base.name, "default", tuple(every))]
    if variants == "all":
        return [Slot(base.name, a.variant, (a,)) for a in every]
    return [Slot(base.name, a.variant, (a,)) for a in every if a.variant in variants]


def check_names(variants: str | tuple[str, ...], bases: list[Any]) -> None:
    """Every named variant must belong to one of the frameworks checked."""
    if isinstance(variants, str):
        return
    known = {v for b in bases for v in b.variants}
    unknown = [v for v in variants if v not in known]
    if unknown:
        choices = "; ".join(f"{b.name}: {', '.join(b.variants)}" for b in bases)
        raise CheckUsageError(
            f"unknown API variant(s) {', '.join(unknown)}; choose 'default', 'all' or variant names ({choices})"
        )


def message(exc: BaseException) -> str:
    """``Type: the whole message`` on one line (whitespace collapsed, nothing cut)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_once(chk: Check, case: Any, ctx: Context, inp: Inputs) -> Outcome:
    """The check's outcome; an exception is an ``error`` Outcome (with the framework's refusal, if it is one)."""
    try:
        return chk.run(case, ctx, inp)
    except Exception as exc:  # the function raised, or the framework refused (CaseError keeps the cause)
        refused = ctx.adapter.refusal(exc)
        out = Outcome("error", message=message(exc), input=np.asarray(inp.x).tolist())
    if refused:
        out.data["refusal"] = refused
    return out


def run_slot(chk: Check, case: Any, slot: Slot, device: str, dtype: str, inp: Inputs) -> tuple[Any, Outcome]:
    """(the adapter that ran the check, its outcome): the first candidate that does not refuse; a skip
    with every candidate's refusal when all refuse."""
    refusals: list[tuple[str, str]] = []
    for ad in slot.candidates:
        out = run_once(chk, case, Context(ad, device, dtype, 0), inp)
        why = out.data.get("refusal")
        if out.status == "error" and why:
            refusals.append((ad.label, why))
            continue
        if refusals:
            out.data["refused_by"] = dict(refusals)
            out.message += " [" + "; ".join(f"{label} refused: {w}" for label, w in refusals) + "]"
        return ad, out
    by_reason: dict[str, list[str]] = {}
    for label, w in refusals:  # one reason given by several variants is said once
        by_reason.setdefault(w, []).append(label)
    text = "; ".join(f"{', '.join(labels)}: {w}" for w, labels in by_reason.items())
    which = "no API variant of" if len(slot.candidates) > 1 else "this API variant of"
    skip = Outcome.skip(f"{which} {slot.framework} can run this check with this function ({text})")
    skip.data["refused_by"] = dict(refusals)
    skip.input = np.asarray(inp.x).tolist()
    return slot.candidates[0], skip
