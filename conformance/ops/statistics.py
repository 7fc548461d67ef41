"""Statistics by each framework's own functions: median and quantiles, the NaN-ignoring reductions
(nansum, nanmean, nanvar, ..., nanmedian, nancumsum), weighted averages, the range, covariance and
correlation, the unbiased variance with the mean, moments, trapezoidal integration and its running
form, array-API cumulative sums and products, numerical gradients, L2 normalization,
standardization (layer/instance/group normalization, jax.nn.standardize, tf.nn.batch_normalization)
and TensorFlow's and JAX's segment reductions.

Rows whose every output entry is a sum over all inputs are judged in norm with their kin: the
normalizations (layer/instance/group norm, L2 normalization) in family ``nn`` beside the xp catalog's
layer_norm, the covariance and correlation matrices in family ``linalg``; the rest is ``statistics``.

Order statistics (median, quantile, range, max-type segments) draw distinct entries: at a tie the
derivative is a convention. The NaN-ignoring rows put NaN at fixed positions of the input (x + m,
m = NaN there, 0 elsewhere): the function ignores those entries, so their derivative is 0, and the
oracle is the plain statistic of the other entries (no NaN reaches it).
"""

from __future__ import annotations

import numpy as np

from .inputs import separated
from .manipulation import rearranged
from .table import Op

ROWS = ((2, 3),)
ROWS4 = ((2, 4),)
NAN = np.nan
NANMASK = np.array([[0.0, NAN, 0.0, 0.0], [0.0, 0.0, 0.0, NAN]])  # one ignored entry per row
KEEP = [[0, 2, 3], [0, 1, 2]]  # the entries each row keeps
W3 = np.array([0.5, 1.0, 2.5])  # average's weights
SEG = np.array([0, 0, 1, 2])  # sorted segment ids of 4 rows
SEG_UNSORTED = np.array([2, 0, 2, 1])
EPS = 1e-5  # the normalizations' default ε
ZEROS = [("zeros", np.zeros((2, 3)))]


def _c(xp, x, a):
    return xp.asarray(a, like=x)


def _sep(rng, shape):
    return separated(rng, shape, -2.0, 2.0, 0.1)


def _distinct(x):
    s = np.sort(np.asarray(x), axis=-1)
    return None if np.min(np.diff(s, axis=-1)) > 1e-3 else "tied entries (the derivative is a convention)"


def _spread(x):
    return None if np.all(np.ptp(np.asarray(x), axis=-1) > 0.1) else "a (nearly) constant row"


def _kept_spread(x):
    """Each row's kept (non-NaN) entries spread: the variance of equal entries is 0, its square root's
    derivative infinite."""
    x = np.asarray(x)
    return None if all(np.ptp(x[i, KEEP[i]]) > 0.1 for i in range(2)) else "a row's kept entries (nearly) equal"


def _uncollinear(x):
    """Rows with a spread and a correlation |r| < 0.9: at |r| = 1 the correlation is extremal, its
    derivative 0, and every entry of the Jacobian is rounding."""
    if _spread(x) is not None:
        return _spread(x)
    return None if abs(np.corrcoef(x)[0, 1]) < 0.9 else "nearly collinear rows (|r| ≥ 0.9)"


def _kept(xp, x):
    """The entries each row keeps (KEEP), as a (2, 3) array."""
    return xp.stack([xp.stack([x[i, j] for j in KEEP[i]]) for i in range(2)])


def _with_nans(xp, x):
    return x + _c(xp, x, NANMASK)


def _quantile(xp, x, q):
    """numpy's linear quantile of each row: s[⌊p⌋] + (p − ⌊p⌋)(s[⌊p⌋+1] − s[⌊p⌋]), p = q (n − 1)."""
    s = xp.sort(x, axis=-1)
    p = q * (x.shape[-1] - 1)
    lo = int(np.floor(p))
    t = p - lo
    return s[..., lo] if t == 0 else s[..., lo] + t * (s[..., lo + 1] - s[..., lo])


def _var(xp, x, ddof=0):
    m = xp.mean(x, axis=-1, keepdims=True)
    return xp.sum((x - m) * (x - m), axis=-1) / (x.shape[-1] - ddof)


def _cov(xp, x):
    """Rows are variables, columns observations: C = D Dᵀ/(n − 1), D = x − its row means."""
    d = x - xp.mean(x, axis=-1, keepdims=True)
    return xp.sum(d[:, None, :] * d[None, :, :], axis=-1) / (x.shape[-1] - 1)


def _corrcoef(xp, x):
    c = _cov(xp, x)
    s = xp.sqrt(xp.stack([c[i, i] for i in range(c.shape[0])]))
    return c / (s[:, None] * s[None, :])


def _standardize(xp, x):
    """(x − mean)/√(var + ε) along the last axis, ε = 1e-5."""
    m = xp.mean(x, axis=-1, keepdims=True)
    v = xp.mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) / xp.sqrt(v + EPS)


def _trapezoid(xp, x):
    return xp.sum(0.5 * (x[..., 1:] + x[..., :-1]), axis=-1)


def _cumulative_trapezoid(xp, x):
    return xp.cumsum(0.5 * (x[..., 1:] + x[..., :-1]), axis=-1)


def _gradient(xp, x):
    """numpy.gradient along axis 1, unit spacing: one-sided at the ends, central inside."""
    inner = [0.5 * (x[:, j + 1] - x[:, j - 1]) for j in range(1, x.shape[1] - 1)]
    return xp.stack([x[:, 1] - x[:, 0], *inner, x[:, -1] - x[:, -2]], axis=1)


def _onehot(ids: np.ndarray, n: int) -> np.ndarray:
    s = np.zeros((n, len(ids)))
    s[ids, np.arange(len(ids))] = 1.0
    return s


def _segment(reduce_, ids):
    """reduce_ over the rows of each segment (xp.max / xp.min / xp.prod / xp.mean)."""

    def oracle(xp, x):
        return xp.stack(
            [reduce_(xp, xp.stack([x[i] for i in np.flatnonzero(ids == s)])) for s in range(int(ids.max()) + 1)]
        )

    return oracle


def _sqrt_n(xp, rows):
    return xp.sum(rows, axis=0) / float(np.sqrt(rows.shape[0]))


def _seg_input(rng, shape):
    """Entries distinct down each column (the rows of a segment compete entry by entry)."""
    return separated(rng, shape[::-1], -2.0, 2.0, 0.1).T


NAN_ROW = {"shapes": ROWS4, "special": [("zeros", np.zeros((2, 4)))]}

OPS: list[Op] = [
    Op(
        "median",
        "statistics",
        None,
        {"torch": ("torch.median",), "jax": ("jax.numpy.median",), "numpy": ("numpy.median",)},
        oracle=lambda xp, x: xp.sort(x, axis=-1)[..., 1],
        args=lambda xp, x: (x, 1),
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", [[1e300, -1e300, 0.5], [-3.0, 2.0, 0.0]])],
        doc="the median of each row of 3 distinct entries",
    ),
    Op(
        "quantile",
        "statistics",
        None,
        {"torch": ("torch.quantile",), "jax": ("jax.numpy.quantile",), "numpy": ("numpy.quantile",)},
        oracle=lambda xp, x: _quantile(xp, x, 0.25),
        args=lambda xp, x: (x, 0.25, 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e3, -1e3, 0.5, 2.0], [-3.0, 2.0, 0.0, 1.0]])],
        doc="the 0.25-quantile of each row (linear interpolation between order statistics)",
    ),
    Op(
        "percentile",
        "statistics",
        None,
        {"jax": ("jax.numpy.percentile",), "numpy": ("numpy.percentile",)},
        oracle=lambda xp, x: _quantile(xp, x, 0.25),
        args=lambda xp, x: (x, 25.0, 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e3, -1e3, 0.5, 2.0], [-3.0, 2.0, 0.0, 1.0]])],
        doc="the 25th percentile of each row",
    ),
    # ---- NaN-ignoring reductions: x + m with NaN at fixed positions
    Op(
        "nansum",
        "statistics",
        None,
        {
            "torch": ("torch.nansum",),
            "jax": ("jax.numpy.nansum",),
            "tensorflow": ("tf.experimental.numpy.nansum",),
            "numpy": ("numpy.nansum",),
        },
        oracle=lambda xp, x: xp.sum(_kept(xp, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        **NAN_ROW,
        doc="Σ of each row's non-NaN entries",
    ),
    Op(
        "nanmean",
        "statistics",
        None,
        {
            "torch": ("torch.nanmean",),
            "jax": ("jax.numpy.nanmean",),
            "tensorflow": ("tf.experimental.numpy.nanmean",),
            "numpy": ("numpy.nanmean",),
        },
        oracle=lambda xp, x: xp.mean(_kept(xp, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        **NAN_ROW,
        doc="mean of each row's non-NaN entries",
    ),
    Op(
        "nanprod",
        "statistics",
        None,
        {"jax": ("jax.numpy.nanprod",), "tensorflow": ("tf.experimental.numpy.nanprod",), "numpy": ("numpy.nanprod",)},
        oracle=lambda xp, x: xp.prod(_kept(xp, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        **NAN_ROW,
        doc="Π of each row's non-NaN entries",
    ),
    Op(
        "nanvar",
        "statistics",
        None,
        {"jax": ("jax.numpy.nanvar",), "numpy": ("numpy.nanvar",)},
        oracle=lambda xp, x: _var(xp, _kept(xp, x)),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        shapes=ROWS4,
        valid=_kept_spread,
        special=[("spread", [[1.0, 2.0, -1.0, 0.5], [0.0, 3.0, -2.0, 1.0]])],
        doc="population variance of each row's non-NaN entries",
    ),
    Op(
        "nanstd",
        "statistics",
        None,
        {"jax": ("jax.numpy.nanstd",), "numpy": ("numpy.nanstd",)},
        oracle=lambda xp, x: xp.sqrt(_var(xp, _kept(xp, x))),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        shapes=ROWS4,
        valid=_kept_spread,
        special=[("spread", [[1.0, 2.0, -1.0, 0.5], [0.0, 3.0, -2.0, 1.0]])],
        doc="population standard deviation of each row's non-NaN entries",
    ),
    Op(
        "nanmax",
        "statistics",
        None,
        {"jax": ("jax.numpy.nanmax",), "numpy": ("numpy.nanmax",)},
        oracle=lambda xp, x: xp.max(_kept(xp, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e300, 7.0, -1e300, 0.5], [-3.0, 2.0, 0.0, 9.0]])],
        doc="max of each row's non-NaN entries (distinct entries)",
    ),
    Op(
        "nanmin",
        "statistics",
        None,
        {"jax": ("jax.numpy.nanmin",), "numpy": ("numpy.nanmin",)},
        oracle=lambda xp, x: xp.min(_kept(xp, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e300, 7.0, -1e300, 0.5], [-3.0, 2.0, 0.0, 9.0]])],
        doc="min of each row's non-NaN entries (distinct entries)",
    ),
    Op(
        "nanmedian",
        "statistics",
        None,
        {"torch": ("torch.nanmedian",), "jax": ("jax.numpy.nanmedian",), "numpy": ("numpy.nanmedian",)},
        oracle=lambda xp, x: xp.sort(_kept(xp, x), axis=-1)[..., 1],
        args=lambda xp, x: (_with_nans(xp, x), 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e300, 7.0, -1e300, 0.5], [-3.0, 2.0, 0.0, 9.0]])],
        doc="median of each row's 3 non-NaN entries (distinct entries)",
    ),
    Op(
        "nanquantile",
        "statistics",
        None,
        {"torch": ("torch.nanquantile",), "jax": ("jax.numpy.nanquantile",), "numpy": ("numpy.nanquantile",)},
        oracle=lambda xp, x: _quantile(xp, _kept(xp, x), 0.25),
        args=lambda xp, x: (_with_nans(xp, x), 0.25, 1),
        shapes=ROWS4,
        make_input=_sep,
        valid=_distinct,
        special=[("spread", [[1e3, 7.0, -1e3, 0.5], [-3.0, 2.0, 0.0, 9.0]])],
        doc="the 0.25-quantile of each row's non-NaN entries",
    ),
    Op(
        "nancumsum",
        "statistics",
        None,
        {"jax": ("jax.numpy.nancumsum",), "numpy": ("numpy.nancumsum",)},
        oracle=lambda xp, x: xp.cumsum(x * _c(xp, x, np.where(np.isnan(NANMASK), 0.0, 1.0)), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        **NAN_ROW,
        doc="running sums, NaN entries counted as 0",
    ),
    Op(
        "nancumprod",
        "statistics",
        None,
        {"jax": ("jax.numpy.nancumprod",), "numpy": ("numpy.nancumprod",)},
        oracle=lambda xp, x: xp.cumprod(xp.where(np.isnan(NANMASK), x * 0 + 1.0, x), axis=1),
        args=lambda xp, x: (_with_nans(xp, x), 1),
        **NAN_ROW,
        doc="running products, NaN entries counted as 1",
    ),
    # ---- weighted, spread, dependence
    Op(
        "average",
        "statistics",
        None,
        {"jax": ("jax.numpy.average",), "tensorflow": ("tf.experimental.numpy.average",), "numpy": ("numpy.average",)},
        oracle=lambda xp, x: xp.sum(x * _c(xp, x, W3), axis=1) / float(W3.sum()),
        args=lambda xp, x: (x, 1, _c(xp, x, W3)),
        shapes=ROWS,
        special=ZEROS,
        doc="Σⱼ wⱼ xᵢⱼ / Σ w",
    ),
    Op(
        "ptp",
        "statistics",
        None,
        {"jax": ("jax.numpy.ptp",), "tensorflow": ("tf.experimental.numpy.ptp",), "numpy": ("numpy.ptp",)},
        oracle=lambda xp, x: xp.max(x, axis=1) - xp.min(x, axis=1),
        args=lambda xp, x: (x, 1),
        shapes=ROWS,
        make_input=_sep,
        valid=_distinct,
        special=[("huge", [[1e300, -1e300, 0.5], [-3.0, 2.0, 0.0]])],
        doc="max − min of each row (distinct entries)",
    ),
    Op(
        "cov",
        "linalg",
        None,
        {"torch": ("torch.cov",), "jax": ("jax.numpy.cov",), "numpy": ("numpy.cov",)},
        oracle=_cov,
        shapes=ROWS4,
        valid=_spread,
        special=[("uncorrelated", [[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])],
        doc="the 2×2 sample covariance of 2 variables over 4 observations (n − 1)",
    ),
    Op(
        "corrcoef",
        "linalg",
        None,
        {"torch": ("torch.corrcoef",), "jax": ("jax.numpy.corrcoef",), "numpy": ("numpy.corrcoef",)},
        oracle=lambda xp, x: _corrcoef(xp, x)[0, 1],
        out=lambda xp, y: y[0, 1],
        scalar=True,
        shapes=ROWS4,
        valid=_uncollinear,
        smooth_order=2,
        special=[("uncorrelated", [[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])],
        doc="the correlation r₁₂ of 2 variables over 4 observations (the matrix's off-diagonal entry: its "
        "diagonal is identically 1, and its derivative, 0, comes out as rounding of O(1) terms)",
    ),
    Op(
        "var_mean",
        "statistics",
        None,
        {"torch": ("torch.var_mean",)},
        oracle=lambda xp, x: xp.stack([_var(xp, x, 1), xp.mean(x, axis=1)]),
        args=lambda xp, x: (x, 1),
        out=lambda xp, y: xp.stack(list(y)),
        shapes=ROWS,
        valid=_spread,
        special=[("spread", [[1.0, 2.0, -1.0], [0.0, 3.0, -2.0]])],
        doc="(unbiased variance, mean) of each row",
    ),
    Op(
        "std_mean",
        "statistics",
        None,
        {"torch": ("torch.std_mean",)},
        oracle=lambda xp, x: xp.stack([xp.sqrt(_var(xp, x, 1)), xp.mean(x, axis=1)]),
        args=lambda xp, x: (x, 1),
        out=lambda xp, y: xp.stack(list(y)),
        shapes=ROWS,
        valid=_spread,
        special=[("spread", [[1.0, 2.0, -1.0], [0.0, 3.0, -2.0]])],
        doc="(unbiased standard deviation, mean) of each row",
    ),
    Op(
        "moments",
        "statistics",
        None,
        {"tensorflow": ("tf.nn.moments",)},
        oracle=lambda xp, x: xp.stack([xp.mean(x, axis=1), _var(xp, x)]),
        args=lambda xp, x: (x, [1]),
        out=lambda xp, y: xp.stack(list(y)),
        shapes=ROWS,
        valid=_spread,
        special=[("spread", [[1.0, 2.0, -1.0], [0.0, 3.0, -2.0]])],
        doc="(mean, population variance) of each row",
    ),
    # ---- integration and differences
    Op(
        "trapezoid",
        "statistics",
        None,
        {
            "torch": ("torch.trapezoid", "torch.trapz"),
            "jax": ("jax.numpy.trapezoid", "jax.scipy.integrate.trapezoid"),
            "numpy": ("numpy.trapezoid", "scipy.integrate.trapezoid"),
        },
        oracle=_trapezoid,
        shapes=ROWS,
        special=ZEROS,
        doc="Σ (xⱼ + xⱼ₊₁)/2 of each row (unit spacing)",
    ),
    Op(
        "cumulative_trapezoid",
        "statistics",
        None,
        {"torch": ("torch.cumulative_trapezoid",), "numpy": ("scipy.integrate.cumulative_trapezoid",)},
        oracle=_cumulative_trapezoid,
        shapes=ROWS,
        special=ZEROS,
        doc="running trapezoid sums of each row",
    ),
    Op(
        "cumulative_sum",
        "statistics",
        None,
        {"jax": ("jax.numpy.cumulative_sum",), "numpy": ("numpy.cumulative_sum",)},
        oracle=lambda xp, x: xp.cumsum(x, axis=1),
        params={"axis": 1},
        shapes=ROWS,
        special=ZEROS,
        doc="the array API's cumulative_sum along axis 1",
    ),
    Op(
        "cumulative_prod",
        "statistics",
        None,
        {"jax": ("jax.numpy.cumulative_prod",), "numpy": ("numpy.cumulative_prod",)},
        oracle=lambda xp, x: xp.cumprod(x, axis=1),
        params={"axis": 1},
        shapes=ROWS,
        special=[("zeros inside", [[1.5, 0.0, -2.0], [0.0, 0.0, 1.5]])],
        doc="the array API's cumulative_prod along axis 1 (a zero inside: finite derivative)",
    ),
    Op(
        "gradient",
        "statistics",
        None,
        {"torch": ("torch.gradient",), "jax": ("jax.numpy.gradient",), "numpy": ("numpy.gradient",)},
        oracle=_gradient,
        params={"axis": 1},
        shapes=ROWS4,
        special=[("zeros", np.zeros((2, 4)))],
        doc="numerical derivative along axis 1 (central inside, one-sided at the ends)",
    ),
    # ---- normalization
    Op(
        "l2_normalize",
        "nn",
        None,
        {"torch": ("torch.nn.functional.normalize",), "tensorflow": ("tf.math.l2_normalize", "tf.linalg.normalize")},
        oracle=lambda xp, x: x / xp.sqrt(xp.sum(x * x, axis=1, keepdims=True)),
        params={"axis": 1},
        shapes=ROWS,
        valid=lambda x: (
            None
            if np.all(np.sum(x * x, axis=1) > 1e-6)
            else "a row of norm < 1e-3 (where the "
            "documented ε floor — torch max(‖x‖, 1e-12), TF √max(Σx², 1e-12) — is near)"
        ),
        special=[("huge", [[1e150, -2e150, 3e150], [0.5, -1.0, 0.25]])],
        doc="each row divided by its 2-norm (rows well above the functions' ε floor)",
    ),
    Op(
        "standardize",
        "nn",
        None,
        {
            "torch": (
                "torch.nn.functional.layer_norm",
                "torch.nn.functional.instance_norm",
                "torch.nn.functional.group_norm",
            ),
            "jax": ("jax.nn.standardize",),
            "tensorflow": ("tf.nn.batch_normalization",),
        },
        oracle=_standardize,
        shapes=((1, 2, 3),),
        valid=_spread,
        special=[("spread", [[[1.0, 2.0, -1.0], [0.0, 3.0, -2.0]]])],
        doc="(x − mean)/√(var + 1e-5) along the last axis of a (1, 2, 3) input (layer, instance and group "
        "normalization without affine parameters)",
    ),
    # ---- segment reductions (rows of a (4, 3) input)
    Op(
        "segment_mean",
        "statistics",
        None,
        {"tensorflow": ("tf.math.segment_mean",)},
        oracle=_segment(lambda xp, r: xp.mean(r, axis=0), SEG),
        args=lambda xp, x: (x, SEG, 3),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="mean of the rows of each segment, ids sorted",
    ),
    Op(
        "unsorted_segment_mean",
        "statistics",
        None,
        {"tensorflow": ("tf.math.unsorted_segment_mean",)},
        oracle=_segment(lambda xp, r: xp.mean(r, axis=0), SEG_UNSORTED),
        args=lambda xp, x: (x, SEG_UNSORTED, 3),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="mean of the rows of each segment, ids unsorted",
    ),
    Op(
        "unsorted_segment_sqrt_n",
        "statistics",
        None,
        {"tensorflow": ("tf.math.unsorted_segment_sqrt_n",)},
        oracle=_segment(_sqrt_n, SEG_UNSORTED),
        args=lambda xp, x: (x, SEG_UNSORTED, 3),
        shapes=((4, 3),),
        special=[("zeros", np.zeros((4, 3)))],
        doc="Σ of the rows of each segment / √(its size)",
    ),
    Op(
        "segment_max",
        "statistics",
        None,
        {"jax": ("jax.ops.segment_max",), "tensorflow": ("tf.math.segment_max", "tf.math.unsorted_segment_max")},
        oracle=_segment(lambda xp, r: xp.max(r, axis=0), SEG),
        args=lambda xp, x: (x, SEG, 3),
        shapes=((4, 3),),
        make_input=_seg_input,
        valid=lambda x: _distinct(np.asarray(x).T),
        special=[("huge", [[1e300, -1.0, 2.0], [-1e300, 1.0, 3.0], [0.5, 0.0, -1.0], [4.0, 5.0, 6.0]])],
        doc="max of the rows of each segment (ids sorted; distinct entries)",
    ),
    Op(
        "segment_min",
        "statistics",
        None,
        {"jax": ("jax.ops.segment_min",), "tensorflow": ("tf.math.segment_min", "tf.math.unsorted_segment_min")},
        oracle=_segment(lambda xp, r: xp.min(r, axis=0), SEG),
        args=lambda xp, x: (x, SEG, 3),
        shapes=((4, 3),),
        make_input=_seg_input,
        valid=lambda x: _distinct(np.asarray(x).T),
        special=[("huge", [[1e300, -1.0, 2.0], [-1e300, 1.0, 3.0], [0.5, 0.0, -1.0], [4.0, 5.0, 6.0]])],
        doc="min of the rows of each segment (ids sorted; distinct entries)",
    ),
    Op(
        "segment_prod",
        "statistics",
        None,
        {"jax": ("jax.ops.segment_prod",), "tensorflow": ("tf.math.segment_prod", "tf.math.unsorted_segment_prod")},
        oracle=_segment(lambda xp, r: xp.prod(r, axis=0), SEG),
        args=lambda xp, x: (x, SEG, 3),
        shapes=((4, 3),),
        special=[
            (
                "zero inside",
                [[0.0, 2.0, 1.0], [3.0, 0.0, -1.0], [0.5, 0.0, -1.0], [4.0, 5.0, 6.0]],
                (1, 2),
                "one zero in a segment: ∂/∂ of it is the product of the others; dividing by it is 0/0",
            )
        ],
        doc="product of the rows of each segment (ids sorted)",
    ),
]

__all__ = ["OPS", "rearranged"]
