"""Statistics and array manipulation by each framework's own functions: reductions along an axis,
scans (cumsum, cumprod, logcumsumexp, cummax), sorting and top-k, gathers and scatters, where and
clip, vector and matrix norms, softmax, segment sums and embedding lookup.

Whole-array rows: ``oracle`` is the exact function written against xp (mpmath at 40+ digits);
``args`` builds the public function's positional arguments. Max, sort, top-k and cummax draw
distinct entries (a tie is a convention, recorded by the conventions suite); clip and the 1- and
∞-norms draw away from their kinks. Special points go at zeros inside products, masked (−inf)
logits and huge magnitudes.
"""

from __future__ import annotations

import numpy as np

from .inputs import separated, well_conditioned
from .table import Op

INF = np.inf
ROWS = ((2, 3),)  # reductions along axis 1 of a (2, 3) input
IDX = np.array([[2, 0, 2], [1, 1, 0]])  # take_along_axis indices (repeats: gradients add)
IDS = np.array([2, 0, 2, 1, 3])  # embedding ids into a (4, 3) table
SEG = np.array([2, 0, 2, 1])  # segment of each of 4 rows (unsorted)
SEG_SORTED = np.array([0, 0, 1, 2])
CHOOSE = np.array([True, False, True])


def _onehot(ids: np.ndarray, n: int) -> np.ndarray:
    """S with S[s, i] = 1 where row i belongs to segment s: a segment sum is S @ x."""
    s = np.zeros((n, len(ids)))
    s[ids, np.arange(len(ids))] = 1.0
    return s


def _sep(rng, shape):
    return separated(rng, shape, -2.0, 2.0, 0.1)


def _abs_sep(rng, shape):
    """Entries with |x| ≥ 0.2 and distinct magnitudes (the 1- and ∞-norms' kinks kept away)."""
    for _ in range(1000):
        x = rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        a = np.sort(np.abs(x).reshape(-1))
        if np.min(np.diff(a)) > 0.05:
            return x
    raise RuntimeError("could not draw distinct magnitudes")


def _away_from(points, gap=0.05):
    def valid(x):
        d = np.min(np.abs(np.asarray(x)[..., None] - np.asarray(points)))
        return None if d > gap else f"an entry is within {gap} of a kink at {points}"

    return valid


def _distinct(x):
    s = np.sort(np.asarray(x), axis=-1)
    return None if np.min(np.diff(s, axis=-1)) > 1e-3 else "tied entries (the derivative is a convention)"


def _clip_input(rng, shape):
    for _ in range(1000):
        x = rng.uniform(-1.5, 1.5, size=shape)
        if _away_from((-0.5, 0.5), 0.1)(x) is None:
            return x
    raise RuntimeError("could not draw away from the clip bounds")


def _c(xp, x, a):
    return xp.asarray(a, like=x)


def _logcumsumexp(xp, x):
    """yⱼ = mⱼ + log Σ_{k≤j} exp(xₖ − mⱼ) along the last axis, mⱼ the max of the prefix: exact, finite
    in float64, and yⱼ reads no entry after j (a shift by the row's max would, by 1e-80 at 40 digits)."""
    outs = []
    for j in range(x.shape[-1]):
        m = xp.max(x[..., : j + 1], axis=-1, keepdims=True)
        outs.append(xp.squeeze(m, axis=-1) + xp.log(xp.sum(xp.exp(x[..., : j + 1] - m), axis=-1)))
    return xp.stack(outs, axis=-1)


def _masked(xp, x):
    return x + _c(xp, x, MASK)


def _axis1(xp, x):
    return (x, 1)


SPREAD = [[1e300, -1e300, 0.5], [-3.0, 2.0, 0.0]]  # distinct entries of every magnitude
HUGE_NOTE = "x − max(x) rounds at ulp(|x|) ≈ 1e-13: condition ≈ |x|"
ZEROS = [[1.5, 0.0, -2.0], [0.0, 0.0, 1.5]]
MASK = np.array([[0.0, -INF, 0.0], [0.0, 0.0, -INF]])  # an attention-style mask: −inf where masked
HUGE = [[1000.0, 1001.0, 999.5], [-1000.0, -1002.0, -999.0]]
# column 0 and row 0 are the unique maxima of Σ|xᵢⱼ| (6 against 1 and 2.5), with no zero entry; the
# zeros sit where a kink of |x| does not reach the 1- and ∞-norms (a diagonal matrix's would: its
# maximal column holds zeros)
MAX_LINE_ZEROS = [[3.0, -1.0, 2.0], [1.0, 0.0, 0.0], [-2.0, 0.0, 0.5]]


def _vector_norm(p):
    if p == INF:
        return lambda xp, x: xp.max(xp.abs(x), axis=-1)
    if p == 2:  # x·x, not |x|²: the oracle's stencil through abs() leaves 1e-41 noise at a zero entry
        return lambda xp, x: xp.sum(x * x, axis=-1) ** 0.5
    # the exponent 1/p exactly (1/3 in mpmath, not the float 1/3 = (1 − 5.6e-17)/3): s^(1/p) with the
    # float exponent is off by s^(−5.6e-17/3) − 1 = 5.6e-17·|ln s|/3, which at Σ|x|³ ≈ 1e-114 is 21 ULP
    return lambda xp, x: xp.sum(xp.abs(x) ** p, axis=-1) ** (_c(xp, x, 1.0) / p)


def _matrix_norm(ord_):
    return {
        "fro": lambda xp, x: xp.sqrt(xp.sum(x * x)),
        "nuc": lambda xp, x: xp.sum(xp.linalg.svdvals(x)),
        2: lambda xp, x: xp.linalg.svdvals(x)[0],
        1: lambda xp, x: xp.max(xp.sum(xp.abs(x), axis=0)),
        INF: lambda xp, x: xp.max(xp.sum(xp.abs(x), axis=1)),
    }[ord_]


def _wc3(rng, shape):
    return well_conditioned(rng, shape[-1])


VECTOR_NORMS = {
    "torch": ("torch.linalg.vector_norm", "torch.linalg.norm", "torch.norm"),
    "jax": ("jax.numpy.linalg.norm", "jax.numpy.linalg.vector_norm"),
    "tensorflow": ("tf.norm",),
    "numpy": ("numpy.linalg.norm",),
}
MATRIX_NORMS = {
    "torch": ("torch.linalg.matrix_norm", "torch.linalg.norm", "torch.norm"),
    "jax": ("jax.numpy.linalg.norm", "jax.numpy.linalg.matrix_norm"),
    "tensorflow": ("tf.norm",),
    "numpy": ("numpy.linalg.norm",),
}


def _norm_rows() -> list[Op]:
    out = []
    for p, tag in ((1, "1"), (2, "2"), (3, "3"), (INF, "inf")):
        out.append(
            Op(
                f"vector_norm_{tag}",
                "reductions",
                None,
                VECTOR_NORMS,
                oracle=_vector_norm(p),
                args=lambda xp, x, p=p: (x, p, 1),
                shapes=ROWS,
                make_input=_abs_sep if p in (1, INF) else None,
                valid=(lambda x: None if np.all(np.abs(x) > 1e-3) else "a zero entry (the 1-norm's kink)")
                if p == 1
                else (lambda x: _distinct(np.abs(x)))
                if p == INF
                else (lambda x: None if np.all(np.any(x != 0, axis=-1)) else "a zero row (‖x‖₂'s kink at 0)")
                if p == 2
                else (
                    lambda x: None if np.all(x != 0) else "an exactly zero entry (|x|³'s third derivative jumps at 0)"
                ),
                special=[("huge and tiny", [[1e100, -3e100, 2e100], [1e-100, 2e-100, -5e-100]])]
                if p in (2, 3)
                else [("huge", [[1e300, -2e300, 3.0], [-0.5, 0.25, 4.0]])],
                doc=f"‖x‖_{tag} of each row",
            )
        )
    for o, tag, smooth in (("fro", "fro", 3), ("nuc", "nuc", 3), (2, "2", 3), (1, "1", 1), (INF, "inf", 1)):
        names = dict(MATRIX_NORMS)
        if o not in ("fro", 1, INF):
            del names["tensorflow"]  # tf.norm's matrix norms: 'fro', 'euclidean', 1, inf
        if o not in ("fro", "nuc"):  # torch.norm with a numeric p over two dims is the
            names["torch"] = names["torch"][:2]  # vector p-norm of all entries, not a matrix norm
        out.append(
            Op(
                f"matrix_norm_{tag}",
                "linalg",
                None,
                names,
                oracle=_matrix_norm(o),
                args=lambda xp, x, o=o: (x, o, (-2, -1)),
                shapes=((3, 3),),
                scalar=True,
                smooth_order=smooth,
                make_input=_wc3,
                special=[("diagonal", np.diag([3.0, -2.0, 1.0]))]
                if smooth > 1
                else [
                    (
                        "zeros off the maximal column and row",
                        MAX_LINE_ZEROS,
                        (1,),
                        "the 1/∞ norm is smooth where its "
                        "unique maximal column/row has no zero entry (|xᵢⱼ| has a kink at 0); zeros elsewhere do not count",
                    )
                ],
                doc=f"the {tag} matrix norm (distinct singular values; 1/∞: a unique maximal column/row)",
            )
        )
    return out


OPS: list[Op] = [
    Op(
        "sum_axis",
        "reductions",
        None,
        {
            "torch": ("torch.sum",),
            "jax": ("jax.numpy.sum",),
            "tensorflow": ("tf.math.reduce_sum",),
            "numpy": ("numpy.sum",),
        },
        oracle=lambda xp, x: xp.sum(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("cancelling magnitudes", [[1e200, -1e200, 1.0], [1e-200, 2e-200, 3.0]])],
        doc="Σⱼ xᵢⱼ",
    ),
    Op(
        "prod_axis",
        "reductions",
        None,
        {
            "torch": ("torch.prod",),
            "jax": ("jax.numpy.prod",),
            "tensorflow": ("tf.math.reduce_prod",),
            "numpy": ("numpy.prod",),
        },
        oracle=lambda xp, x: xp.prod(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("zeros inside", ZEROS, (1, 2), "one zero: ∂/∂x₀ is the product of the others; two: 0")],
        doc="Πⱼ xᵢⱼ",
    ),
    Op(
        "mean_axis",
        "reductions",
        None,
        {
            "torch": ("torch.mean",),
            "jax": ("jax.numpy.mean",),
            "tensorflow": ("tf.math.reduce_mean",),
            "numpy": ("numpy.mean",),
        },
        oracle=lambda xp, x: xp.mean(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("cancelling magnitudes", [[1e200, -1e200, 1.0], [1e-200, 2e-200, 3.0]])],
        doc="mean of each row",
    ),
    Op(
        "var_axis",
        "reductions",
        None,
        {
            "torch": ("torch.var",),
            "jax": ("jax.numpy.var",),
            "tensorflow": ("tf.math.reduce_variance",),
            "numpy": ("numpy.var",),
        },
        oracle=lambda xp, x: xp.var(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[
            (
                "constant row",
                [[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]],
                (1, 2),
                "∂var/∂xⱼ = 2(xⱼ − mean)/n is exactly 0 on a constant row; the second derivative is not",
            )
        ],
        doc="population variance of each row (torch: correction=0)",
    ),
    Op(
        "std_axis",
        "reductions",
        None,
        {
            "torch": ("torch.std",),
            "jax": ("jax.numpy.std",),
            "tensorflow": ("tf.math.reduce_std",),
            "numpy": ("numpy.std",),
        },
        oracle=lambda xp, x: xp.std(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        make_input=_sep,
        special=[("tiny spread", [[0.0, 1.0, 2.0], [-1e-150, 0.0, 1e-150]], (1, 2), "√ of a var ~ 1e-300")],
        doc="population standard deviation of each row (distinct entries: √ is smooth)",
    ),
    Op(
        "cumsum_axis",
        "reductions",
        None,
        {
            "torch": ("torch.cumsum",),
            "jax": ("jax.numpy.cumsum", "jax.lax.cumsum"),
            "tensorflow": ("tf.math.cumsum",),
            "numpy": ("numpy.cumsum",),
        },
        oracle=lambda xp, x: xp.cumsum(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("zeros", np.zeros((2, 3)))],
        doc="running sums",
    ),
    Op(
        "cumprod",
        "reductions",
        None,
        {
            "torch": ("torch.cumprod",),
            "jax": ("jax.numpy.cumprod", "jax.lax.cumprod"),
            "tensorflow": ("tf.math.cumprod",),
            "numpy": ("numpy.cumprod",),
        },
        oracle=lambda xp, x: xp.cumprod(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[
            (
                "zeros inside",
                ZEROS,
                (1, 2),
                "∂/∂xⱼ of a running product through a zero is the product of the others, finite; dividing by xⱼ is 0/0",
            )
        ],
        doc="running products",
    ),
    Op(
        "diff",
        "reductions",
        None,
        {
            "torch": ("torch.diff",),
            "jax": ("jax.numpy.diff",),
            "tensorflow": ("tf.experimental.numpy.diff",),
            "numpy": ("numpy.diff",),
        },
        oracle=lambda xp, x: xp.diff(x),
        shapes=ROWS,
        special=[("zeros", np.zeros((2, 3)))],
        doc="xᵢ,ⱼ₊₁ − xᵢⱼ",
    ),
    Op(
        "sort",
        "reductions",
        None,
        {
            "torch": ("torch.sort",),
            "jax": ("jax.numpy.sort", "jax.lax.sort"),
            "tensorflow": ("tf.sort",),
            "numpy": ("numpy.sort",),
        },
        oracle=lambda xp, x: xp.sort(x, axis=-1),
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="sorted values of each row (distinct entries)",
    ),
    Op(
        "top_k",
        "reductions",
        None,
        {"torch": ("torch.topk",), "jax": ("jax.lax.top_k",), "tensorflow": ("tf.math.top_k",)},
        oracle=lambda xp, x: -(xp.sort(-x, axis=-1)[..., :2]),
        args=lambda xp, x: (x, 2),
        out=lambda xp, y: y[0],
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="the 2 largest values of each row, descending",
    ),
    Op(
        "amax",
        "reductions",
        None,
        {
            "torch": ("torch.amax", "torch.max"),
            "jax": ("jax.numpy.max", "jax.numpy.amax"),
            "tensorflow": ("tf.math.reduce_max",),
            "numpy": ("numpy.max", "numpy.amax"),
        },
        oracle=lambda xp, x: xp.max(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="max of each row (distinct entries)",
    ),
    Op(
        "amin",
        "reductions",
        None,
        {
            "torch": ("torch.amin", "torch.min"),
            "jax": ("jax.numpy.min", "jax.numpy.amin"),
            "tensorflow": ("tf.math.reduce_min",),
            "numpy": ("numpy.min", "numpy.amin"),
        },
        oracle=lambda xp, x: xp.min(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="min of each row (distinct entries)",
    ),
    Op(
        "cummax",
        "reductions",
        None,
        {"torch": ("torch.cummax",), "jax": ("jax.lax.cummax",), "numpy": ("numpy.maximum.accumulate",)},
        oracle=lambda xp, x: xp.stack([xp.max(x[..., : i + 1], axis=-1) for i in range(x.shape[-1])], axis=-1),
        args=_axis1,
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="running maxima (distinct entries)",
    ),
    Op(
        "cummin",
        "reductions",
        None,
        {"torch": ("torch.cummin",), "jax": ("jax.lax.cummin",), "numpy": ("numpy.minimum.accumulate",)},
        oracle=lambda xp, x: xp.stack([xp.min(x[..., : i + 1], axis=-1) for i in range(x.shape[-1])], axis=-1),
        args=_axis1,
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", SPREAD)],
        doc="running minima (distinct entries)",
    ),
    Op(
        "logsumexp_axis",
        "reductions",
        None,
        {
            "torch": ("torch.logsumexp", "torch.special.logsumexp"),
            "jax": ("jax.scipy.special.logsumexp",),
            "tensorflow": ("tf.math.reduce_logsumexp",),
            "numpy": ("scipy.special.logsumexp",),
        },
        oracle=lambda xp, x: xp.logsumexp(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0)],
        doc="log Σⱼ exp xᵢⱼ",
    ),
    Op(
        "logcumsumexp",
        "reductions",
        None,
        {
            "torch": ("torch.logcumsumexp",),
            "jax": ("jax.lax.cumlogsumexp",),
            "tensorflow": ("tf.math.cumulative_logsumexp",),
            "numpy": ("numpy.logaddexp.accumulate",),
        },
        oracle=lambda xp, x: _logcumsumexp(xp, x),
        args=_axis1,
        shapes=ROWS,
        special=[
            ("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0),
            (
                "early prefix far below",
                [[-40.0, 0.0, 1.0], [-800.0, 2.0, 1.0]],
                (1, 2),
                "y₀ = x₀ has derivative 1 however far x₀ lies below the row's later entries",
            ),
        ],
        doc="log Σ_{k≤j} exp xᵢₖ",
    ),
    Op(
        "softmax_axis",
        "reductions",
        None,
        {
            "torch": ("torch.softmax", "torch.nn.functional.softmax", "torch.special.softmax"),
            "jax": ("jax.nn.softmax",),
            "tensorflow": ("tf.nn.softmax",),
            "numpy": ("scipy.special.softmax",),
        },
        oracle=lambda xp, x: xp.softmax(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0)],
        doc="exp xᵢⱼ / Σₖ exp xᵢₖ",
    ),
    Op(
        "log_softmax_axis",
        "reductions",
        None,
        {
            "torch": ("torch.log_softmax", "torch.nn.functional.log_softmax", "torch.special.log_softmax"),
            "jax": ("jax.nn.log_softmax",),
            "tensorflow": ("tf.nn.log_softmax",),
            "numpy": ("scipy.special.log_softmax",),
        },
        oracle=lambda xp, x: xp.log_softmax(x, axis=1),
        args=_axis1,
        shapes=ROWS,
        special=[("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0)],
        doc="xᵢⱼ − log Σₖ exp xᵢₖ",
    ),
    # ---- masked: the function meets −inf entries (x + m, m = −inf where masked; their weight is 0)
    Op(
        "logsumexp_masked_axis",
        "reductions",
        None,
        {
            "torch": ("torch.logsumexp",),
            "jax": ("jax.scipy.special.logsumexp",),
            "tensorflow": ("tf.math.reduce_logsumexp",),
            "numpy": ("scipy.special.logsumexp",),
        },
        oracle=lambda xp, x: xp.logsumexp(_masked(xp, x), axis=1),
        args=lambda xp, x: (_masked(xp, x), 1),
        shapes=ROWS,
        special=[("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0)],
        doc="log Σⱼ exp (x + m)ᵢⱼ",
    ),
    Op(
        "logcumsumexp_masked",
        "reductions",
        None,
        {
            "torch": ("torch.logcumsumexp",),
            "jax": ("jax.lax.cumlogsumexp",),
            "tensorflow": ("tf.math.cumulative_logsumexp",),
            "numpy": ("numpy.logaddexp.accumulate",),
        },
        oracle=lambda xp, x: _logcumsumexp(xp, _masked(xp, x)),
        args=lambda xp, x: (_masked(xp, x), 1),
        shapes=ROWS,
        special=[("zeros", np.zeros((2, 3)))],
        doc="log Σ_{k≤j} exp (x + m)ᵢₖ",
    ),
    Op(
        "softmax_masked",
        "reductions",
        None,
        {
            "torch": ("torch.softmax",),
            "jax": ("jax.nn.softmax",),
            "tensorflow": ("tf.nn.softmax",),
            "numpy": ("scipy.special.softmax",),
        },
        oracle=lambda xp, x: xp.softmax(_masked(xp, x), axis=1),
        args=lambda xp, x: (_masked(xp, x), 1),
        shapes=ROWS,
        special=[("huge", HUGE, (1, 2), HUGE_NOTE, 1000.0)],
        doc="softmax(x + m) along rows",
    ),
    Op(
        "take_along_axis",
        "reductions",
        None,
        {
            "torch": ("torch.gather", "torch.take_along_dim"),
            "jax": ("jax.numpy.take_along_axis",),
            "tensorflow": ("tf.experimental.numpy.take_along_axis", "tf.gather"),
            "numpy": ("numpy.take_along_axis",),
        },
        oracle=lambda xp, x: xp.take_along_axis(x, IDX, axis=1),
        args=lambda xp, x: (x, IDX, 1),
        shapes=ROWS,
        special=[("zeros", np.zeros((2, 3)))],
        doc="x[i, idx[i, j]] with repeated indices (their gradients add)",
    ),
    Op(
        "embedding",
        "reductions",
        None,
        {
            "torch": ("torch.nn.functional.embedding", "torch.index_select"),
            "jax": ("jax.numpy.take",),
            "tensorflow": ("tf.nn.embedding_lookup", "tf.gather"),
            "numpy": ("numpy.take",),
        },
        oracle=lambda xp, x: xp.take(x, IDS, axis=0),
        args=lambda xp, x: (x, IDS, 0),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="rows ids of a (4, 3) table, an id repeated",
    ),
    Op(
        "unsorted_segment_sum",
        "reductions",
        None,
        {
            "torch": ("torch.index_add", "torch.scatter_add"),
            "jax": ("jax.ops.segment_sum",),
            "tensorflow": ("tf.math.unsorted_segment_sum",),
        },
        oracle=lambda xp, x: xp.matmul(_c(xp, x, _onehot(SEG, 3)), x),
        args=lambda xp, x: (x, SEG, 3),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="Σ of the rows of each segment, ids unsorted",
    ),
    Op(
        "segment_sum",
        "reductions",
        None,
        {"jax": ("jax.ops.segment_sum",), "tensorflow": ("tf.math.segment_sum",)},
        oracle=lambda xp, x: xp.matmul(_c(xp, x, _onehot(SEG_SORTED, 3)), x),
        args=lambda xp, x: (x, SEG_SORTED, 3),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="Σ of the rows of each segment, ids sorted",
    ),
    Op(
        "where",
        "reductions",
        None,
        {
            "torch": ("torch.where",),
            "jax": ("jax.numpy.where",),
            "tensorflow": ("tf.where", "tf.experimental.numpy.where"),
            "numpy": ("numpy.where",),
        },
        oracle=lambda xp, x: xp.where(CHOOSE, x[0], x[1]),
        args=lambda xp, x: (CHOOSE, x[0], x[1]),
        shapes=ROWS,
        special=[("zeros", np.zeros((2, 3)))],
        doc="a where the mask is set, else b (rows a, b of x)",
    ),
    Op(
        "clip",
        "reductions",
        None,
        {
            "torch": ("torch.clamp", "torch.clip"),
            "jax": ("jax.numpy.clip",),
            "tensorflow": ("tf.clip_by_value", "tf.experimental.numpy.clip"),
            "numpy": ("numpy.clip",),
        },
        oracle=lambda xp, x: xp.clip(x, -0.5, 0.5),
        args=lambda xp, x: (x, -0.5, 0.5),
        shapes=ROWS,
        make_input=_clip_input,
        valid=_away_from((-0.5, 0.5), 0.01),
        special=[
            ("all clipped", [[-1.0, 1.0, -2.0], [2.0, -0.75, 0.75]]),
            ("none clipped", [[0.25, -0.25, 0.0], [0.1, -0.4, 0.4]]),
        ],
        doc="clip to [−0.5, 0.5] away from the bounds",
    ),
    *_norm_rows(),
]
