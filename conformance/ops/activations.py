"""Activation functions as each framework's neural-network namespace provides them
(``torch.nn.functional``, ``jax.nn``, ``tf.nn``), and array-API elementwise functions the xp-written
catalog does not reach, with mpmath as the oracle.

Piecewise activations (relu, hardtanh, ...) are checked away from their kinks here; what each
framework returns at a kink is a convention, recorded by the conventions suite.
"""

from __future__ import annotations

import mpmath
import numpy as np

from .table import Op

INF = np.inf
TINY = 1e-300
SELU_SCALE = mpmath.mpf("1.0507009873554804934193349852946")
SELU_ALPHA = mpmath.mpf("1.6732632423543772848170429916717")


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _elu(x, alpha=1.0):
    return x if x > 0 else alpha * mpmath.expm1(x)


def _relu6(x):
    return min(max(x, mpmath.mpf(0)), mpmath.mpf(6))


def _softplus(x):
    return mpmath.log1p(mpmath.exp(x))


OPS: list[Op] = [
    Op(
        "relu",
        "activations",
        lambda x: max(x, mpmath.mpf(0)),
        {"torch": ("torch.nn.functional.relu", "torch.relu"), "jax": ("jax.nn.relu",), "tensorflow": ("tf.nn.relu",)},
        domain=(-2.0, 2.0),
        kinks=(0.0,),
        points=[("tiny", TINY), ("-tiny", -TINY), ("large", 1e300)],
        doc="max(x, 0)",
    ),
    Op(
        "relu6",
        "activations",
        _relu6,
        {"torch": ("torch.nn.functional.relu6",), "jax": ("jax.nn.relu6",), "tensorflow": ("tf.nn.relu6",)},
        domain=(-2.0, 8.0),
        kinks=(0.0, 6.0),
        points=[("tiny", TINY), ("below 6", 6 - 2**-40)],
        doc="min(max(x, 0), 6)",
    ),
    Op(
        "leaky_relu",
        "activations",
        lambda x, negative_slope: x if x > 0 else negative_slope * x,
        {
            "torch": ("torch.nn.functional.leaky_relu",),
            "jax": ("jax.nn.leaky_relu",),
            "tensorflow": ("tf.nn.leaky_relu",),
        },
        domain=(-2.0, 2.0),
        params={"negative_slope": 0.1},
        kinks=(0.0,),
        points=[("tiny", TINY), ("-tiny", -TINY), ("-large", -1e300)],
        doc="x for x > 0, 0.1 x below",
    ),
    Op(
        "elu",
        "activations",
        _elu,
        {"torch": ("torch.nn.functional.elu",), "jax": ("jax.nn.elu",), "tensorflow": ("tf.nn.elu",)},
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        points=[("-40", -40.0), ("-tiny", -TINY), ("-700", -700.0)],
        doc="ELU, α = 1",
    ),
    Op(
        "selu",
        "activations",
        lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * mpmath.expm1(x)),
        {"torch": ("torch.nn.functional.selu", "torch.selu"), "jax": ("jax.nn.selu",), "tensorflow": ("tf.nn.selu",)},
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        points=[("-40", -40.0), ("-tiny", -TINY)],
        doc="SELU (λ, α of Klambauer et al.)",
    ),
    Op(
        "celu",
        "activations",
        lambda x: max(x, mpmath.mpf(0)) + min(mpmath.mpf(0), mpmath.expm1(x)),
        {"torch": ("torch.nn.functional.celu", "torch.celu"), "jax": ("jax.nn.celu",)},
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        points=[("-40", -40.0), ("-tiny", -TINY)],
        doc="CELU, α = 1",
    ),
    Op(
        "gelu",
        "activations",
        lambda x, approximate: x * mpmath.ncdf(x),
        {"torch": ("torch.nn.functional.gelu",), "jax": ("jax.nn.gelu",), "tensorflow": ("tf.nn.gelu",)},
        domain=(-3.0, 3.0),
        params={"approximate": False},
        points=[("0", 0.0), ("-10", -10.0), ("-37", -37.0), ("40", 40.0), ("tiny", TINY)],
        doc="x Φ(x), the exact GELU",
    ),
    Op(
        "gelu_tanh",
        "activations",
        lambda x, approximate: (
            x / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf("0.044715") * x**3)))
        ),
        {"torch": ("torch.nn.functional.gelu",), "jax": ("jax.nn.gelu",), "tensorflow": ("tf.nn.gelu",)},
        domain=(-3.0, 3.0),
        params={"approximate": True},
        points=[("0", 0.0), ("-10", -10.0), ("40", 40.0), ("tiny", TINY)],
        doc="½x(1 + tanh(√(2/π)(x + 0.044715x³))), the tanh approximation of GELU",
    ),
    Op(
        "silu",
        "activations",
        lambda x: x * _sig(x),
        {
            "torch": ("torch.nn.functional.silu",),
            "jax": ("jax.nn.silu", "jax.nn.swish"),
            "tensorflow": ("tf.nn.silu", "tf.nn.swish"),
        },
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("-40", -40.0), ("40", 40.0), ("-700", -700.0)],
        doc="x σ(x)",
    ),
    Op(
        "mish",
        "activations",
        lambda x: x * mpmath.tanh(_softplus(x)),
        {"torch": ("torch.nn.functional.mish",), "jax": ("jax.nn.mish",)},
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("-40", -40.0), ("40", 40.0)],
        doc="x tanh(softplus(x))",
    ),
    Op(
        "softplus",
        "activations",
        _softplus,
        {
            "torch": ("torch.nn.functional.softplus",),
            "jax": ("jax.nn.softplus",),
            "tensorflow": ("tf.math.softplus", "tf.nn.softplus"),
        },
        domain=(-4.0, 4.0),
        points=[("0", 0.0), ("40", 40.0), ("-40", -40.0), ("-700", -700.0), ("large", 1e300)],
        doc="log(1 + eˣ)",
    ),
    Op(
        "softplus_beta2",
        "activations",
        lambda x, beta, threshold: _softplus(beta * x) / beta,
        {"torch": ("torch.nn.functional.softplus",)},
        domain=(-4.0, 4.0),
        params={"beta": 2.0, "threshold": 20.0},
        points=[("0", 0.0), ("above threshold", 15.0), ("-40", -40.0)],
        doc="log(1 + e^{2x})/2 (torch's beta = 2; its threshold 20 switches to x above 10)",
    ),
    Op(
        "softsign",
        "activations",
        lambda x: x / (1 + abs(x)),
        {"torch": ("torch.nn.functional.softsign",), "jax": ("jax.nn.soft_sign",), "tensorflow": ("tf.nn.softsign",)},
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        points=[("large", 1e300), ("tiny", TINY)],
        doc="x/(1 + |x|)",
    ),
    Op(
        "hardtanh",
        "activations",
        lambda x: min(max(x, mpmath.mpf(-1)), mpmath.mpf(1)),
        {"torch": ("torch.nn.functional.hardtanh",), "jax": ("jax.nn.hard_tanh",)},
        domain=(-2.0, 2.0),
        kinks=(-1.0, 1.0),
        points=[("tiny", TINY)],
        doc="clip(x, −1, 1)",
    ),
    Op(
        "hardsigmoid",
        "activations",
        lambda x: _relu6(x + 3) / 6,
        {"torch": ("torch.nn.functional.hardsigmoid",), "jax": ("jax.nn.hard_sigmoid",)},
        domain=(-4.0, 4.0),
        kinks=(-3.0, 3.0),
        points=[("0", 0.0)],
        doc="relu6(x + 3)/6",
    ),
    Op(
        "hardswish",
        "activations",
        lambda x: x * _relu6(x + 3) / 6,
        {"torch": ("torch.nn.functional.hardswish",), "jax": ("jax.nn.hard_swish", "jax.nn.hard_silu")},
        domain=(-4.0, 4.0),
        kinks=(-3.0, 3.0),
        points=[("0", 0.0)],
        doc="x relu6(x + 3)/6",
    ),
    Op(
        "tanhshrink",
        "activations",
        lambda x: x - mpmath.tanh(x),
        {"torch": ("torch.nn.functional.tanhshrink",)},
        domain=(-3.0, 3.0),
        points=[("0", 0.0, (1, 2)), ("tiny", TINY), ("40", 40.0)],
        doc="x − tanh x",
    ),
    # ---- array-API elementwise functions not reached through the xp-written catalog
    Op(
        "logaddexp",
        "elementwise",
        lambda a, b: mpmath.log(mpmath.exp(a) + mpmath.exp(b)),
        {
            "torch": ("torch.logaddexp",),
            "jax": ("jax.numpy.logaddexp",),
            "tensorflow": ("tf.experimental.numpy.logaddexp",),
            "numpy": ("numpy.logaddexp",),
        },
        arity=2,
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        points=[
            ("equal", (0.5, 0.5)),
            ("large equal", (700.0, 700.0)),
            ("very negative", (-1000.0, -1001.0)),
            ("far apart", (40.0, -40.0)),
        ],
        doc="log(eᵃ + eᵇ) of the rows (a, b)",
    ),
    Op(
        "logaddexp2",
        "elementwise",
        lambda a, b: mpmath.log(2**a + 2**b, 2),
        {
            "torch": ("torch.logaddexp2",),
            "jax": ("jax.numpy.logaddexp2",),
            "tensorflow": ("tf.experimental.numpy.logaddexp2",),
            "numpy": ("numpy.logaddexp2",),
        },
        arity=2,
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        points=[("equal", (0.5, 0.5)), ("far apart", (60.0, -60.0))],
        doc="log₂(2ᵃ + 2ᵇ)",
    ),
    Op(
        "exp2",
        "elementwise",
        lambda x: mpmath.mpf(2) ** x,
        {
            "torch": ("torch.exp2", "torch.special.exp2"),
            "jax": ("jax.numpy.exp2",),
            "tensorflow": ("tf.experimental.numpy.exp2",),
            "numpy": ("numpy.exp2",),
        },
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("-1070", -1070.0), ("1000", 1000.0)],
        doc="2ˣ",
    ),
    Op(
        "rsqrt",
        "elementwise",
        lambda x: 1 / mpmath.sqrt(x),
        {"torch": ("torch.rsqrt",), "jax": ("jax.lax.rsqrt",), "tensorflow": ("tf.math.rsqrt",)},
        domain=(0.2, 4.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("large", 1e300), ("tiny", 1e-200, (1,))],
        doc="1/√x, x > 0",
    ),
    Op(
        "cbrt",
        "elementwise",
        mpmath.cbrt,
        {
            "jax": ("jax.numpy.cbrt", "jax.lax.cbrt"),
            "tensorflow": ("tf.experimental.numpy.cbrt",),
            "numpy": ("numpy.cbrt",),
        },
        domain=(0.2, 3.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("8", 8.0), ("tiny", TINY, (1,)), ("large", 1e300)],
        doc="∛x, x > 0",
    ),
    Op(
        "reciprocal",
        "elementwise",
        lambda x: 1 / x,
        {
            "torch": ("torch.reciprocal",),
            "jax": ("jax.numpy.reciprocal", "jax.lax.reciprocal"),
            "tensorflow": ("tf.math.reciprocal",),
            "numpy": ("numpy.reciprocal",),
        },
        domain=(0.5, 3.0),
        defined_on=(0.0, INF),
        points=[("1", 1.0), ("large", 1e100)],
        doc="1/x, x > 0",
    ),
    Op(
        "log1p_native",
        "elementwise",
        mpmath.log1p,
        {"torch": ("torch.special.log1p",), "tensorflow": ("tf.math.log1p",), "jax": ("jax.lax.log1p",)},
        domain=(-0.5, 3.0),
        defined_on=(-1.0, INF),
        points=[("0", 0.0), ("tiny", TINY), ("near -1", -1 + 2**-20)],
        doc="log(1 + x) through the frameworks' second entry points",
    ),
    Op(
        "expm1_native",
        "elementwise",
        mpmath.expm1,
        {"torch": ("torch.special.expm1",), "tensorflow": ("tf.math.expm1",), "jax": ("jax.lax.expm1",)},
        domain=(-3.0, 3.0),
        points=[("0", 0.0), ("tiny", TINY), ("-40", -40.0)],
        doc="eˣ − 1 through the frameworks' second entry points",
    ),
]
