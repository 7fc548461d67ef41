"""Accuracy tables of the whole-array rows (``op.oracle``: reductions, linear algebra, losses, nn,
manipulation, statistics): the value and one vector-Jacobian product in ULPs of the dtype, per output
entry, against the row's mpmath oracle.

For each input array x of a grid (``grid``) and every entry point, framework, API variant and dtype:

    value   y = f(x)                          check "value" (once per framework, the default variant)
    vjp     g = J_f(x)ᵀu = ∇ₓ⟨u, f(x)⟩        check "vjp" (every API variant), one fixed cotangent u

u (``cotangent``) is fixed per row: entries ±(1 + k/8), k = 0..7, signs and k drawn from a generator
seeded by the row's name — exact in every dtype, and not all ones (the ones vector makes the VJP of
softmax, normalizations and centred statistics an exact 0, whose computed rounding would read as
astronomical ULPs). Each entry of y and g is measured as the elementwise rows' values are
(``accuracy.table``), the entries of all grid points pooled into one histogram; ``data.worst_input``
is the whole input array where the worst entry lies (``worst_point``, ``worst_entry`` its index).

Basis: ULPs of each exact entry (``accuracy.ENTRYWISE``), except for the families whose results are
accurate only in norm (``judging.NORMWISE``: linalg, nn, losses, compositions): there every entry of
a point's y (or g) is measured in ULPs of rnd(‖exact‖∞) of that y (or g), and a sign flip counts as
"wrong sign" only above SIGN_ULPS such ULPs (``accuracy.ulp_errors``), so the rounding a backward-
stable factorization leaves in an entry that cancels is not shown as an error. ``data.basis`` says
which. κ (``data.condition``) is not measured for arrays (None).

The grid (``grid``): the row's own input maker (``Case.sample``: ``make_input`` or uniform over the
sample domain) in its first shape; a quarter as drawn, 3/8 scaled by a factor m log-uniform over
[1e-12, 1e12] and 3/8 over the dtype's whole normal range (m bounded so that the largest entry stays
finite and the smallest nonzero one normal), then the row's special arrays; rounded to the dtype, and
only inputs the row's domain allows (``Case.outside_domain``: its ``valid``, e.g. an SPD matrix, a
probability, distinct entries — a positive scale keeps most of these, a bounded domain keeps its
unscaled draws only). Points where the oracle is not real or undefined, or the VJP not finite in
float64, are left out and counted (``data.dropped``).

Exact values (``accuracy_exact.array_point``): the oracle at raised precision (``conformance.mp_namespace``), and g
by forward differences of φ = ⟨u, f⟩ along each input entry, φ(x + h·eⱼ) − φ(x) over h = 10^-dps·s (s
the smallest input scale, ``oracles._scale``), summed in mpmath so that g is correctly rounded once
(a float64 uᵀJ would add its own rounding): 1 + x.size oracle calls per estimate. The precision rule
is the elementwise one (``accuracy_exact.resolve``): two estimates agree once rounded, else more digits,
AccuracyError naming the op and the input when ``accuracy_exact.MAX_DIGITS`` cannot tell.

Grid size: ``accuracy.ARRAY_POINTS``: ci 16 input arrays per row and dtype (plus its special arrays),
not 2,000. Each point costs 2·(1 + x.size) oracle calls per precision (6 to 16 entries: 2 to 50 ms; a
DCT, an SVD or a matrix exponential 0.2 to 1 s) and one eager call per API variant and framework (1 to
10 ms; JAX also compiles every primitive once per op, shape and dtype). Measured on the 2-core
development machine: the mpmath values of all 193 rows × 4 dtypes take 315 s at 24 points (about
210 s at 16); the frameworks take 2.6 s per row at 16 points (torch 0.3, TensorFlow 0.15, JAX 2.1:
mostly its compilations, which fewer points do not save); so the array rows cost about 12 minutes of
a ci run with the three frameworks. Each point contributes every output entry, so a table holds
16 × (output size) values and 16 × (input size) VJP entries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Iterator

import numpy as np

from conformance import accuracy as acc
from conformance.accuracy_exact import array_point as exact_point
from conformance.tolerance import HUGE, TINY


def _rng(op: Any, *extra: Any) -> np.random.Generator:
    return np.random.default_rng([*extra, len(op.name)] + [ord(c) for c in op.name])


def cotangent(op: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The row's fixed cotangent u of ``shape``: entries ±(1 + k/8), exact in every dtype."""
    rng = _rng(op, 7, len(shape), int(np.prod(shape, dtype=int)))
    size = int(np.prod(shape, dtype=int))
    u = rng.choice([-1.0, 1.0], size) * (1.0 + rng.integers(0, 8, size) / 8.0)
    return u.reshape(shape)


def special_arrays(op: Any, case: Any) -> list[np.ndarray]:
    """The row's whole-array special points (and constant arrays of ``op.points``) in its shapes."""
    out = [np.asarray(p[1], dtype=np.float64) for p in op.special]
    out += [np.full(case.shapes[0], float(p[1])) for p in op.points if np.ndim(p[1]) == 0]
    return [x for x in out if tuple(x.shape) in case.shapes]


def grid(op: Any, case: Any, dtype: str, n: int, seed: int = 0) -> tuple[list[np.ndarray], dict[str, int]]:
    """About ``n`` input arrays of the row in ``dtype`` (module docstring), then its special arrays;
    and the candidates left out, by reason."""
    rng = _rng(op, seed, n, *[ord(c) for c in dtype])
    shape = tuple(case.shapes[0])
    tiny, huge = TINY[dtype], HUGE[dtype]
    kinds = ["as drawn"] * (n // 4) + ["mid"] * (3 * n // 8)
    kinds += ["full"] * (n - len(kinds))
    out: list[np.ndarray] = []
    dropped = {"outside the row's domain": 0, "not finite in the dtype": 0}
    for kind in kinds:
        for _ in range(8):  # a few draws per slot: the domain may refuse a scaled input
            x = np.asarray(case.sample(rng, shape), dtype=np.float64)
            a = np.abs(x[(x != 0) & np.isfinite(x)])
            if kind != "as drawn" and a.size:
                lo, hi = (max(tiny, 1e-12), min(huge, 1e12)) if kind == "mid" else (tiny, huge)
                with np.errstate(over="ignore"):
                    lo, hi = max(lo, tiny / a.min()), min(hi, huge / a.max())
                if lo < hi:
                    x = x * acc._log_uniform(rng, lo, hi, 1)[0]
            x = acc.round_to(x, dtype)
            if not np.all(np.isfinite(x)):
                dropped["not finite in the dtype"] += 1
                continue
            if case.outside_domain(x) is not None:
                dropped["outside the row's domain"] += 1
                continue
            out.append(x)
            break
    for x in special_arrays(op, case):
        x = acc.round_to(x, dtype)
        if np.all(np.isfinite(x)) and case.outside_domain(x) is None:
            out.append(x)
    return out, dropped


# ------------------------------------------------------------------------------ exact values
@dataclass
class Exact:
    xs: list[np.ndarray]  # the kept input arrays
    values: list[np.ndarray]  # f(x) per kept array
    vjps: list[np.ndarray]  # J_f(x)ᵀu per kept array
    dropped: dict[str, int]
    seconds: float


_EXACT: dict[tuple, Any] = {}


def exact_values(op: Any, xs: list[np.ndarray], u: np.ndarray) -> Exact:
    """The exact values at every input array (cached per op, array and u); arrays where the oracle is
    not real or undefined, or the VJP not finite, are dropped and counted."""
    start = time.perf_counter()
    keep, vals, vjps = [], [], []
    dropped = {"not real or undefined": 0, "vjp not finite": 0}
    for x in xs:
        key = (op.name, repr(sorted(op.params.items())), x.shape, x.tobytes(), u.tobytes())
        ok, v = acc.exact_at(_EXACT, key, partial(exact_point, op, x, u), dropped)
        if not ok:
            continue
        if v is None:
            dropped["not real or undefined"] += 1
            continue
        if not np.all(np.isfinite(v[1])):
            dropped["vjp not finite"] += 1
            continue
        keep.append(x)
        vals.append(v[0])
        vjps.append(v[1])
    return Exact(keep, vals, vjps, dropped, time.perf_counter() - start)


# ------------------------------------------------------------------------------ frameworks
def _one(adapter: Any, f: Any, x: np.ndarray, u: np.ndarray, order: int, dtype: str, device: str) -> np.ndarray:
    """f(x) (order 0) or J_f(x)ᵀu (order 1) by one framework variant, as float64."""
    xa = adapter.from_numpy(x, dtype=dtype, device=device)
    y = f(xa)
    if order == 1:  # the cotangent in the output's dtype (JAX's fft2 of float16 returns float32)
        y = adapter.vjp(f, xa, adapter.from_numpy(u, dtype=adapter.dtype_name(y), device=device))[1]
    return np.asarray(adapter.to_numpy(y), dtype=np.float64)


def _pooled(results: list[np.ndarray], exact: list[np.ndarray], normwise: bool) -> tuple:
    """The entries of every point in one array each (got, exact, scale or None, point index, entry)."""
    got = np.concatenate([np.reshape(r, -1) for r in results]) if results else np.zeros(0)
    ex = np.concatenate([np.reshape(e, -1) for e in exact]) if exact else np.zeros(0)
    point = np.concatenate([np.full(np.size(e), k) for k, e in enumerate(exact)]) if exact else np.zeros(0, int)
    entry = np.concatenate([np.arange(np.size(e)) for e in exact]) if exact else np.zeros(0, int)
    scale = None
    if normwise:
        scale = (
            np.concatenate([np.full(np.size(e), float(np.max(np.abs(e), initial=0.0))) for e in exact])
            if exact
            else np.zeros(0)
        )
    return got, ex, scale, point.astype(int), entry.astype(int)


def _on_grid(
    case: Any, adapter: Any, xs: list[np.ndarray], u: np.ndarray, order: int, dtype: str, device: str
) -> tuple[list[np.ndarray], list[int], list[str]]:
    """``_one`` at every input array: (the results, the indices of the inputs they belong to, the
    errors of the inputs that raised); raises where every input raised (the framework does not
    compute it: the record says why)."""
    f = case.function(adapter.name, adapter.xp)
    done, kept, raised = [], [], []
    for k, x in enumerate(xs):
        try:
            with np.errstate(all="ignore"):
                done.append(_one(adapter, f, x, u, order, dtype, device))
            kept.append(k)
        except Exception as exc:
            if not done and len(raised) + 1 == len(xs):
                raise
            raised.append(acc.first_line(exc, 300))
    return done, kept, raised


def _worst(xs: list[np.ndarray], kept: list[int], point: np.ndarray, entry: np.ndarray, out_shape: Any, k: int) -> dict:
    """The input array of pooled entry k, its index in the grid and the entry's index in the output
    (``out_shape``) or, for a VJP (None), in the input."""
    p = kept[int(point[k])]
    x = xs[p]
    shape = x.shape if out_shape is None else out_shape
    return {
        "worst_input": x.tolist(),
        "worst_point": p,
        "worst_entry": [int(i) for i in np.unravel_index(int(entry[k]), shape)] if shape else [],
    }


def tables(op: Any, adapter: Any, settings: acc.Settings) -> Iterator[Any]:
    """The accuracy records of one whole-array row (every entry point) in one framework: per dtype the
    value table (default variant) and the VJP table of every API variant (order 1 only)."""
    from conformance import oracles
    from conformance.records import Record

    basis = acc.normwise_basis(op.family)
    for case, dtype, base in acc.entry_points(op, adapter, settings, settings.array_points):
        if case is None:
            yield base
            continue
        shape = tuple(case.shapes[0])
        u = cotangent(op, tuple(np.shape(oracles.numpy_fn(case)(case.sample(np.random.default_rng(0), shape)))))
        xs, refused = grid(op, case, dtype, settings.array_points, settings.seed)
        ex = exact_values(op, xs, u)
        jobs = [(adapter, 0)] + ([(v, 1) for v in adapter.all_variants()] if 1 in settings.orders else [])
        for variant, order in jobs:
            rec = Record(**{**base.__dict__, "data": {}})
            rec.api = "-" if order == 0 else variant.variant
            rec.check = "value" if order == 0 else "vjp"
            what = "value" if order == 0 else "vjp"
            start = time.perf_counter()

            compute = partial(_on_grid, case, variant, ex.xs, u, order, dtype, settings.device)
            fields = {"order": order, "what": what}
            result = acc.measured(rec, variant, compute, fields)
            if result is None:
                yield rec
                continue
            done, kept, raised = result
            exact = [(ex.values if order == 0 else ex.vjps)[k] for k in kept]
            got, want, scale, point, entry = _pooled(done, exact, basis is not None)
            if got.shape != want.shape:
                rec.status, rec.message = (
                    "error",
                    f"result shape differs from the oracle's ({got.size} vs {want.size} entries)",
                )
                rec.data = fields
                yield rec
                continue

            where = partial(_worst, ex.xs, kept, point, entry, u.shape if order == 0 else None)
            data = acc.table(np.zeros(0), got, want, dtype, where=where, scale=scale)
            data.update(
                fields,
                basis=basis or acc.ENTRYWISE,
                cotangent=u.tolist() if order else None,
                inputs=len(kept),
                raised=len(raised),
                dropped={**refused, **ex.dropped},
                oracle_seconds=ex.seconds,
                grid=f"{len(ex.xs)} input arrays of shape {shape}: the row's sampler, a quarter as drawn, "
                f"the rest scaled by log-uniform factors over [1e-12, 1e12] and over {dtype}'s normal range, "
                f"inside the row's domain, and its special arrays, rounded to {dtype}",
            )
            if raised:
                data["first_raised"] = raised[0][:300]
            point_text = f"input {data.get('worst_point')} entry {data.get('worst_entry')}"
            acc.finish(rec, data, start, point_text, f"{data['points']} entries of {len(kept)} inputs")
            if raised:
                rec.status = "fail"
                rec.message += f"; {len(raised)} of {len(ex.xs)} inputs raised ({data['first_raised'][:120]})"
            yield rec
