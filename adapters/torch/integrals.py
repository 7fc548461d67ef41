"""PyTorch: ``torch.trapezoid``, ``torch.cumulative_trapezoid``, ``torch.Generator`` draws and
``torch.distributions`` (``kl_divergence``)."""

from __future__ import annotations

from typing import Any, ClassVar

from ..integrals import Integrals, Rng


class TorchRng(Rng):
    def __init__(self, torch: Any, seed: int, dtype: str, device: str):
        self.torch, self.dtype, self.device = torch, getattr(torch, dtype), device
        self.gen = torch.Generator(device=device).manual_seed(int(seed))

    def normal(self, shape):
        return self.torch.randn(tuple(shape), generator=self.gen, dtype=self.dtype, device=self.device)

    def uniform(self, shape):
        return self.torch.rand(tuple(shape), generator=self.gen, dtype=self.dtype, device=self.device)


class TorchIntegrals(Integrals):
    framework = "torch"
    trapezoid_apis: ClassVar[dict[str, str]] = {"torch.trapezoid": "_trapezoid"}
    cumulative_api = "torch.cumulative_trapezoid"
    rng_api = "torch.Generator with torch.randn / torch.rand"
    distributions_api = "torch.distributions"

    def _trapezoid(self, y, x, axis):
        return self.fw.trapezoid(y, x, dim=axis)

    def cumulative_trapezoid(self, y, x, axis=-1):
        return self.fw.cumulative_trapezoid(y, x, dim=axis)

    def rng(self, seed, dtype="float64", device="cpu"):
        return TorchRng(self.fw, seed, dtype, device)

    def normal(self, loc, scale):
        return self.fw.distributions.Normal(loc, scale)

    def exponential(self, rate):
        return self.fw.distributions.Exponential(rate)

    def kl(self, p, q):
        return self.fw.distributions.kl_divergence(p, q)


INTEGRALS = TorchIntegrals
