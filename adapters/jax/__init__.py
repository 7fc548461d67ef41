"""JAX: everything the suite knows about one framework, the same modules in every framework's
folder (see ``conformance.adapters``): ``adapter`` (the adapter and its API variants) and its
capabilities ``integrals``, ``optimizers``, ``benchmarks``, ``gradcheck`` and ``ops`` where it has them."""

from .adapter import JaxAdapter

__all__ = ["JaxAdapter"]
