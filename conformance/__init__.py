"""calculus-conformance: hold PyTorch, TensorFlow and JAX to the mathematics of calculus."""

__version__ = "0.1.0"
