"""Which of each framework's public functions the op table exercises, and how much of the framework's
own list of differentiable functions that covers.

    rows = coverage.catalog()                 # per framework: exercised / not provided / missing names
    ref = coverage.reference("torch", names)  # the framework's differentiable functions, covered or not

A public name is *exercised* when some op-table row names it and it resolves in the installed version
(an alias of an earlier name of the same row counts once: ``distinct`` counts function objects). A row
is *not provided* in a framework when it names no function there, or only names the installed version
lacks (``missing``).

The reference lists come from each adapter's ``introspection`` module: a framework that publishes a
list of its differentiable operations gives it (``reference(exercised)``: torch's OpInfo database);
one that does not names its public modules (``REFERENCE_MODULES``: jax.numpy, jax.nn, ...; tf.math,
tf.linalg, ...), whose public callables stand in, "differentiable" judged by a name heuristic
(``NOT_DIFFERENTIABLE``: predicates, integer and index results, constructors, rounding).
"""

from __future__ import annotations

import fnmatch
import importlib
from collections import defaultdict
from typing import Any

from conformance.errors import NotProvidedError

# Name patterns of functions whose result is not a differentiable function of real inputs: predicates,
# comparisons, integer/index/bool results, shape and dtype queries, constructors, rounding, bit ops.
NOT_DIFFERENTIABLE = (
    "is*",
    "arg*",
    "*equal*",
    "less*",
    "greater*",
    "logical_*",
    "bitwise_*",
    "*_shift",
    "left_shift",
    "right_shift",
    "invert",
    "count_*",
    "bincount",
    "histogram*",
    "digitize",
    "searchsorted",
    "unique*",
    "nonzero",
    "flatnonzero",
    "*_indices",
    "indices",
    "unravel_index",
    "ravel_multi_index",
    "floor*",
    "ceil",
    "round*",
    "rint",
    "trunc",
    "fix",
    "sign",
    "signbit",
    "zeros*",
    "ones*",
    "empty*",
    "full*",
    "eye",
    "identity",
    "arange",
    "linspace",
    "logspace",
    "geomspace",
    "*space",
    "tri",
    "mgrid",
    "ogrid",
    "meshgrid",
    "shape",
    "ndim",
    "size",
    "result_type",
    "promote_types",
    "can_cast",
    "dtype",
    "iinfo",
    "finfo",
    "*_dtype",
    "issubdtype",
    "gcd",
    "lcm",
    "mod",
    "floormod",
    "truncatediv",
    "floordiv",
    "floor_divide",
    "remainder",
    "fmod",
    "divmod",
    "*_like",
    "array_equal*",
    "allclose",
    "all",
    "any",
    "in_top_k",
    "top_k_indices",
    "one_hot",
    "*fftfreq",
    "*shift",
    "bool_",
    "sort_complex",
    "packbits",
    "unpackbits",
    "*_mask",
    "*index*",
    "*_sequence_mask",
    "fused_batch_norm",
    "compute_*",
    "log_poisson_*",
    "approx_max_k",
    "approx_min_k",
    "fractional_*",
    "ctc_*",
    "nth_element",
    "collapse_repeated",
    "*_accidental_hits",
    "*_sampler",
    "*_candidate_sampler",
    "sufficient_statistics",
    "normalize_moments",
)


def _names(op: Any, framework: str) -> tuple[str, ...]:
    return tuple(op.public.get(framework, ()))


def catalog(frameworks: list[str] | None = None) -> list[dict]:
    """Per available framework: version, the public names the op table exercises (resolving), the
    distinct functions among them, the names the installed version lacks and the rows not provided."""
    from conformance import adapters, ops
    from conformance.adapters import public

    out = []
    for name in frameworks or adapters.names():
        a = adapters.get(name)
        if not a.available():
            continue
        resolving, missing, funcs = [], [], {}
        not_provided: list[str] = []
        for op in ops.OPS:
            names = _names(op, name)
            found = False
            for n in names:
                try:
                    f = public.resolve(a, n)
                except NotProvidedError:
                    missing.append(n)
                    continue
                found = True
                if n not in resolving:
                    resolving.append(n)
                funcs.setdefault(id(f), n)
            if not found:
                not_provided.append(op.name)
        out.append(
            {
                "framework": name,
                "version": a.version,
                "exercised": sorted(resolving),
                "distinct": len(funcs),
                "missing": sorted(set(missing)),
                "not_provided": not_provided,
                "rows": len(ops.OPS),
            }
        )
    return out


def _module_reference(framework: str, modules: dict[str, str]) -> dict[str, Any]:
    """Public callables of the framework's listed modules (catalog prefix -> module to import), as
    qualified name -> the function, by heuristic differentiable (``NOT_DIFFERENTIABLE`` excluded)."""
    from conformance import adapters

    adapters.get(framework).fw  # noqa: B018 - the framework as the adapter configures it
    out = {}
    for prefix, real in modules.items():
        try:
            mod = importlib.import_module(real)
        except ImportError:
            continue
        for attr in dir(mod):
            if attr.startswith("_") or any(fnmatch.fnmatchcase(attr, p) for p in NOT_DIFFERENTIABLE):
                continue
            obj = getattr(mod, attr, None)
            if callable(obj) and not isinstance(obj, type) and not type(obj).__name__ == "module":
                out[f"{prefix}.{attr}"] = obj
    return out


def _function_ids(framework: str, names: list[str]) -> set[int]:
    from conformance import adapters
    from conformance.adapters import public

    a = adapters.get(framework)
    ids = set()
    for n in names:
        try:
            ids.add(id(public.resolve(a, n)))
        except NotProvidedError:
            pass
    return ids


def reference(framework: str, exercised: list[str]) -> dict | None:
    """The framework's differentiable functions (its own list where it has one) and which of them the
    catalog's exercised names cover; None where its adapter names no list (no introspection module)."""
    from conformance import adapters

    cls = adapters.adapter_class(framework)
    if not cls.provides("introspection"):
        return None
    intro = cls.capability("introspection")
    try:
        if hasattr(intro, "reference"):
            source, ref, covered_names = intro.reference(exercised)
        elif hasattr(intro, "REFERENCE_MODULES"):
            ref = _module_reference(framework, intro.REFERENCE_MODULES)
            ids = _function_ids(framework, exercised)  # an alias (tf.linalg.einsum is tf.einsum) counts
            covered_names = set(exercised) | {n for n, f in ref.items() if id(f) in ids}
            source = ", ".join(intro.REFERENCE_MODULES) + " (public callables, name heuristic)"
        else:
            return None
    except ImportError as exc:
        return {"source": framework, "why": f"not importable: {exc} (install the dev extra: expecttest)"}
    covered = sorted(n for n in ref if n in covered_names)
    lacking = sorted(n for n in ref if n not in covered_names)
    return {"source": source, "total": len(ref), "covered": covered, "lacking": lacking}


def report(frameworks: list[str] | None = None, with_reference: bool = True) -> list[dict]:
    """``catalog()`` rows, each with its ``reference`` coverage where one is available."""
    rows = catalog(frameworks)
    if with_reference:
        for r in rows:
            r["reference"] = reference(r["framework"], r["exercised"])
    return rows


def by_family() -> dict[str, dict[str, int]]:
    """family -> framework -> how many rows name at least one of its functions."""
    from conformance import ops

    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for op in ops.OPS:
        for fw, names in op.public.items():
            if names:
                out[op.family][fw] += 1
    return {k: dict(v) for k, v in out.items()}
