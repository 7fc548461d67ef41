"""ADBench's D-LSTM loss (GradBench ``evals/lstm``): an LSTM whose weight matrices are diagonal,
run over a character sequence, and the gradient of its loss.

Shapes (b = bits per character): ``main_params`` (2l, 4b), rows 2i and 2i+1 the weight w and bias
β of layer i, each split into forget, input, output and change quarters; ``extra_params`` (3, b):
input weight, output weight, output bias; ``state`` (2l, b): rows 2i, 2i+1 the hidden h and cell c
of layer i; ``sequence`` (c, b). One step of layer i with input u (σ the logistic function):

    f = σ(u w_f + β_f),  ι = σ(h w_i + β_i),  o = σ(u w_o + β_o),  g = tanh(h w_c + β_c)
    c ← c f + ι g,        h ← o tanh(c),        u ← h for the next layer

A prediction is ŷ = h_last · out_weight + out_bias from the first layer's input u = x_t · in_weight.
With lse(ŷ) = log(Σ_j exp ŷ_j + 2) (ADBench's "+2" quirk, kept by GradBench) the loss is

    L = −(1 / ((c − 1) b)) Σ_{t=0}^{c−2} Σ_j x_{t+1, j} (ŷ_{t, j} − lse(ŷ_t)),

the state being carried from step to step. Data follow ADBench's ``gen_data.py``: parameters and
state ~ U(0, 1); the sequence is 0/1 character bits (drawn here from a fixed numpy seed instead of
the text file, with b = 14 as in ADBench's files). The float64 reference gradient is the numpy
adapter's complex step (exact to rounding, every function here being analytic) on small instances;
at benchmark sizes the frameworks are compared with one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

NAME = "lstm"
BITS = 14
QUICK = ({"l": 2, "c": 1024},)
FULL = tuple({"l": l, "c": c} for l in (2, 4) for c in (1024, 4096))


@dataclass(frozen=True)
class Problem:
    main_params: np.ndarray
    extra_params: np.ndarray
    state: np.ndarray
    sequence: np.ndarray

    @property
    def l(self) -> int:  # noqa: E743
        return int(self.main_params.shape[0]) // 2

    @property
    def b(self) -> int:
        return int(self.sequence.shape[1])

    @property
    def c(self) -> int:
        return int(self.sequence.shape[0])

    @property
    def params(self) -> dict:
        return {"l": self.l, "c": self.c, "b": self.b}

    def arguments(self) -> tuple[np.ndarray, ...]:
        """The differentiated arguments, in order: main_params, extra_params."""
        return self.main_params, self.extra_params

    def size(self) -> int:
        return self.main_params.size + self.extra_params.size

    def memory_bytes(self) -> int:
        """A float64 estimate of a reverse pass: ~20 saved vectors of b per layer and step."""
        return 8 * 20 * self.c * self.l * self.b


def generate(l: int, c: int, b: int = BITS, seed: int = 0) -> Problem:  # noqa: E741
    rng = np.random.default_rng(seed)
    state = rng.uniform(0.0, 1.0, (2 * l, b))
    main_params = rng.uniform(0.0, 1.0, (2 * l, 4 * b))
    extra_params = rng.uniform(0.0, 1.0, (3, b))
    sequence = rng.integers(0, 2, (c, b)).astype(np.float64)
    return Problem(main_params, extra_params, state, sequence)


def python_scan(step: Callable, carry: Any, xs: tuple) -> Any:
    """carry ← step(carry, (x[t] for x in xs)) for t along the leading axis; the final carry."""
    for t in range(int(xs[0].shape[0])):
        carry = step(carry, tuple(x[t] for x in xs))
    return carry


def objective(adapter: Any, p: Problem, device: str | None = None, scan: Callable | None = None) -> Callable:
    """L(main_params, extra_params) against ``adapter.xp``; ``scan(step, carry, xs) -> carry`` runs
    the time loop (a Python loop by default; a framework's loop primitive where one is given)."""
    xp = adapter.xp
    l, b, c = p.l, p.b, p.c
    state = adapter.from_numpy(p.state, dtype="float64", device=device)
    seq = adapter.from_numpy(p.sequence, dtype="float64", device=device)
    xs = (seq[:-1], seq[1:])
    loop = scan or python_scan

    def lstm_objective(main_params, extra_params):
        layers = [
            tuple(main_params[2 * i, q * b : (q + 1) * b] for q in range(4))
            + tuple(main_params[2 * i + 1, q * b : (q + 1) * b] for q in range(4))
            for i in range(l)
        ]
        in_w, out_w, out_b = extra_params[0], extra_params[1], extra_params[2]

        def step(carry, inputs):
            x_t, y_t = inputs
            hidden, cell, total = list(carry[:l]), list(carry[l : 2 * l]), carry[2 * l]
            u = x_t * in_w
            for i, (wf, wi, wo, wc, bf, bi, bo, bc) in enumerate(layers):
                forget = xp.sigmoid(u * wf + bf)
                ingate = xp.sigmoid(hidden[i] * wi + bi)
                outgate = xp.sigmoid(u * wo + bo)
                change = xp.tanh(hidden[i] * wc + bc)
                cell[i] = cell[i] * forget + ingate * change
                hidden[i] = outgate * xp.tanh(cell[i])
                u = hidden[i]
            ypred = u * out_w + out_b
            lse = xp.log(xp.sum(xp.exp(ypred)) + 2.0)
            return tuple(hidden) + tuple(cell) + (total + xp.sum(y_t * (ypred - lse)),)

        init = tuple(state[2 * i] for i in range(l)) + tuple(state[2 * i + 1] for i in range(l))
        final = loop(step, init + (xp.sum(state[0] * 0.0),), xs)
        return -final[2 * l] / float((c - 1) * b)

    return lstm_objective


def reference_objective(main_params: np.ndarray, extra_params: np.ndarray, p: Problem) -> np.ndarray:
    """L in numpy for a batch of parameter sets: main_params (B, 2l, 4b), extra_params (B, 3, b),
    real or complex; returns shape (B,)."""
    l, b = p.l, p.b
    hidden = [np.broadcast_to(p.state[2 * i], (main_params.shape[0], b)).astype(main_params.dtype) for i in range(l)]
    cell = [np.broadcast_to(p.state[2 * i + 1], hidden[0].shape).astype(main_params.dtype) for i in range(l)]
    w = [[main_params[:, 2 * i, q * b : (q + 1) * b] for q in range(4)] for i in range(l)]
    beta = [[main_params[:, 2 * i + 1, q * b : (q + 1) * b] for q in range(4)] for i in range(l)]
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    total = np.zeros(main_params.shape[0], dtype=main_params.dtype)
    for t in range(p.c - 1):
        u = p.sequence[t] * extra_params[:, 0]
        for i in range(l):
            wf, wi, wo, wc = w[i]
            bf, bi, bo, bc = beta[i]
            cell[i] = cell[i] * sig(u * wf + bf) + sig(hidden[i] * wi + bi) * np.tanh(hidden[i] * wc + bc)
            hidden[i] = sig(u * wo + bo) * np.tanh(cell[i])
            u = hidden[i]
        ypred = u * extra_params[:, 1] + extra_params[:, 2]
        lse = np.log(np.sum(np.exp(ypred), axis=1) + 2.0)
        total = total + np.sum(p.sequence[t + 1] * (ypred - lse[:, None]), axis=1)
    return -total / float((p.c - 1) * b)


def reference_gradient(p: Problem, h: float = 1e-30) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂main_params, ∂L/∂extra_params) in float64 by the complex step Im L(θ + i h e_j) / h, all
    directions e_j in one batched numpy evaluation: exact to rounding (no difference is taken, and
    every function in L is analytic), at any size."""
    nm, ne = p.main_params.size, p.extra_params.size
    eye = np.eye(nm + ne)
    main = p.main_params[None] + 1j * h * eye[:, :nm].reshape((-1,) + p.main_params.shape)
    extra = p.extra_params[None] + 1j * h * eye[:, nm:].reshape((-1,) + p.extra_params.shape)
    g = np.imag(reference_objective(main, extra, p)) / h
    return g[:nm].reshape(p.main_params.shape), g[nm:].reshape(p.extra_params.shape)
