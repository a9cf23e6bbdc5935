"""A microgpt-style program: a tiny scalar autograd, a GPT of microgpt's size, Adam, names (valuegrad's reference).

Written for valuegrad's tests, benchmarks and notebook 13 in the style of
Andrej Karpathy's ``microgpt.py`` (a whole GPT in plain Python, on a scalar
`Value` whose nodes keep their children and the local derivatives towards
them), but not copied from it.  Every idiom such programs rely on is here:
``Value(x)``, ``+ - * / **``, ``.log() .exp() .relu()``, ``sum()`` over
generators starting at the int 0, a softmax shifted by
``max(v.data for v in xs)``, ``.data`` read and written, ``p.grad = 0``, and
``loss.backward()`` with gradients starting at the int 0.

Nothing below names a Value class but the parameter ``Value``: pass this
module's `Value` to run the program as written, or ``autograd.Value`` to run it
on valuegrad unchanged::

    from microgpt import Value, train
    import autograd
    train(Value, docs, steps=20) == train(autograd.Value, docs, steps=20)  # to ~1e-16

The model is microgpt's: token and position embeddings (``wte``, ``wpe``), an
RMSNorm without weights, ``n_layer`` blocks of causal self-attention
(``n_head`` heads, a key/value cache filled one position at a time) and a ReLU
MLP of width ``4 * n_embd``, residual connections, no biases, and a head
``lm_head`` to the logits.  With 27 tokens and the defaults it has 4,192
weights, drawn as N(0, 0.08) in the order `nn.GPT` documents, so that
``nn.GPT(vocab_size, seed=rng)`` with the same generator holds the same numbers.
Training is one name per step, the mean next-token cross-entropy, Adam with
betas (0.85, 0.99), eps 1e-8 and a learning rate of 0.01 decaying linearly to
0 over the run.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "Value",
    "MicroGPT",
    "Adam",
    "Vocabulary",
    "train",
    "train_step",
    "prepare",
    "softmax",
    "rmsnorm",
    "linear",
    "count_nodes",
    "gpt_matrices",
]

Matrix = list[list[Any]]
"""A weight matrix: rows of Values (of whichever Value class the program runs on)."""


# ------------------------------------------------------------------ the autograd


class Value:
    """One number of the computation, with the nodes it was made from and its derivative towards each of them.

    ``data`` is the number, ``grad`` the derivative of the loss with respect
    to it (filled by `backward`), ``_children`` the operands and
    ``_local_grads`` the partial derivative of this node with respect to each
    operand, computed when the node is made.
    """

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data: float, children: tuple[Value, ...] = (), local_grads: tuple[float, ...] = ()) -> None:
        self.data = data
        self.grad: float = 0
        self._children = children
        self._local_grads = local_grads

    @staticmethod
    def _lift(x: Value | float) -> Value:
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, exponent: float) -> Value:
        return Value(self.data**exponent, (self,), (exponent * self.data ** (exponent - 1),))

    def log(self) -> Value:
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def relu(self) -> Value:
        return Value(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> Value:
        return self * -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        return other + (-self)

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __truediv__(self, other: Value | float) -> Value:
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:
        return other * self**-1

    def backward(self) -> None:
        """Fill ``grad`` of every node this one depends on: children after parents, chain rule along each edge."""
        order: list[Value] = []
        seen: set[int] = set()

        def visit(node: Value) -> None:
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def count_nodes(root: Any) -> int:
    """How many distinct nodes ``root`` was computed from (itself included), for this module's `Value`."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


# ------------------------------------------------------------------ the data


class Vocabulary:
    """Characters to ids, microgpt's way: the sorted distinct characters, then a BOS id that opens and ends a doc."""

    def __init__(self, docs: Iterable[str]) -> None:
        self.chars = sorted(set("".join(docs)))
        self.bos = len(self.chars)
        self.size = self.bos + 1

    def encode(self, doc: str) -> list[int]:
        return [self.bos] + [self.chars.index(ch) for ch in doc] + [self.bos]

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.chars[i] for i in ids if i != self.bos)


def prepare(docs: Sequence[str], seed: int = 42) -> tuple[list[str], Vocabulary, random.Random]:
    """The docs shuffled by a generator seeded with ``seed``, their vocabulary, and that generator (draws continue)."""
    rng = random.Random(seed)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    return shuffled, Vocabulary(shuffled), rng


# ------------------------------------------------------------------ the model


def linear(x: list[Any], w: Matrix) -> list[Any]:
    """``w @ x`` one dot product per row, each a ``sum`` over a generator (starting at the int 0)."""
    return [sum(wij * xj for wij, xj in zip(row, x)) for row in w]


def softmax(logits: list[Any]) -> list[Any]:
    """Probabilities from scores, shifted by the largest score's ``.data`` (a float, not a node) to stay finite."""
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x: list[Any]) -> list[Any]:
    """``x`` divided by its root mean square (plus 1e-5), without a learned weight."""
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


class MicroGPT:
    """The GPT's weights, as named matrices of ``Value``s, and its forward pass one position at a time.

    Args:
        Value: the Value class to build the weights with (this module's or ``autograd.Value``).
        vocab_size: how many token ids there are (27 for the names: 26 letters and BOS).
        rng: where the N(0, ``std``) weights come from, drawn matrix by matrix, row by row, in
            microgpt's order (``wte``, ``wpe``, ``lm_head``, then per layer ``attn_wq``, ``attn_wk``,
            ``attn_wv``, ``attn_wo``, ``mlp_fc1``, ``mlp_fc2``).
    """

    def __init__(
        self,
        Value: Any,
        vocab_size: int,
        rng: random.Random,
        n_layer: int = 1,
        n_embd: int = 16,
        n_head: int = 4,
        block_size: int = 16,
        std: float = 0.08,
    ) -> None:
        self.n_layer, self.n_embd, self.n_head, self.block_size = n_layer, n_embd, n_head, block_size
        self.head_dim = n_embd // n_head

        def matrix(rows: int, cols: int) -> Matrix:
            return [[Value(rng.gauss(0, std)) for _ in range(cols)] for _ in range(rows)]

        self.weights: dict[str, Matrix] = {
            "wte": matrix(vocab_size, n_embd),
            "wpe": matrix(block_size, n_embd),
            "lm_head": matrix(vocab_size, n_embd),
        }
        for li in range(n_layer):
            for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
                self.weights[f"layer{li}.{name}"] = matrix(n_embd, n_embd)
            self.weights[f"layer{li}.mlp_fc1"] = matrix(4 * n_embd, n_embd)
            self.weights[f"layer{li}.mlp_fc2"] = matrix(n_embd, 4 * n_embd)
        self.params = [p for mat in self.weights.values() for row in mat for p in row]

    def load(self, matrices: dict[str, list[list[float]]]) -> None:
        """Write matrices (microgpt's names, e.g. from `gpt_matrices`) into the weights' ``.data``."""
        if set(matrices) != set(self.weights):
            raise ValueError(f"expected the matrices {sorted(self.weights)}, got {sorted(matrices)}")
        for name, rows in matrices.items():
            for row, numbers in zip(self.weights[name], rows, strict=True):
                for p, x in zip(row, numbers, strict=True):
                    p.data = x

    def gpt(self, token_id: int, pos_id: int, keys: list[list[list[Any]]], values: list[list[list[Any]]]) -> list[Any]:
        """The logits for the token after ``token_id`` at position ``pos_id``; appends this position's keys/values."""
        w, hd = self.weights, self.head_dim
        x = [t + p for t, p in zip(w["wte"][token_id], w["wpe"][pos_id])]
        x = rmsnorm(x)
        for li in range(self.n_layer):
            skip = x
            x = rmsnorm(x)
            q = linear(x, w[f"layer{li}.attn_wq"])
            keys[li].append(linear(x, w[f"layer{li}.attn_wk"]))
            values[li].append(linear(x, w[f"layer{li}.attn_wv"]))
            attended: list[Any] = []
            for h in range(self.n_head):
                lo = h * hd
                scores = [sum(q[lo + j] * k[lo + j] for j in range(hd)) / hd**0.5 for k in keys[li]]
                weights = softmax(scores)
                attended.extend(sum(a * v[lo + j] for a, v in zip(weights, values[li])) for j in range(hd))
            x = [a + b for a, b in zip(linear(attended, w[f"layer{li}.attn_wo"]), skip)]
            skip = x
            hidden = [h.relu() for h in linear(rmsnorm(x), w[f"layer{li}.mlp_fc1"])]
            x = [a + b for a, b in zip(linear(hidden, w[f"layer{li}.mlp_fc2"]), skip)]
        return linear(x, w["lm_head"])

    def loss(self, tokens: list[int]) -> Any:
        """The mean cross-entropy of each next token over ``min(block_size, len(tokens) - 1)`` positions."""
        n = min(self.block_size, len(tokens) - 1)
        keys: list[list[list[Any]]] = [[] for _ in range(self.n_layer)]
        values: list[list[list[Any]]] = [[] for _ in range(self.n_layer)]
        losses = []
        for pos in range(n):
            probs = softmax(self.gpt(tokens[pos], pos, keys, values))
            losses.append(-probs[tokens[pos + 1]].log())
        return (1 / n) * sum(losses)

    def sample(self, vocab: Vocabulary, rng: random.Random, temperature: float = 0.5) -> str:
        """One new doc: from BOS, draw each next token from the softmax of logits / temperature until BOS."""
        keys: list[list[list[Any]]] = [[] for _ in range(self.n_layer)]
        values: list[list[list[Any]]] = [[] for _ in range(self.n_layer)]
        token, out = vocab.bos, []
        for pos in range(self.block_size):
            probs = softmax([z / temperature for z in self.gpt(token, pos, keys, values)])
            token = rng.choices(range(vocab.size), weights=[p.data for p in probs])[0]
            if token == vocab.bos:
                break
            out.append(token)
        return vocab.decode(out)


def gpt_matrices(state: dict[str, float], n_layer: int) -> dict[str, list[list[float]]]:
    """An `nn.GPT`'s ``state_dict()`` (``"wte.weight.3.5": x``, ...) as microgpt's named matrices of floats."""
    ours = {"wte": "wte.weight", "wpe": "wpe.weight", "lm_head": "lm_head.weight"}
    for li in range(n_layer):
        for name in ("wq", "wk", "wv", "wo"):
            ours[f"layer{li}.attn_{name}"] = f"layers.{li}.attn.{name}.weight"
        ours[f"layer{li}.mlp_fc1"] = f"layers.{li}.mlp.0.weight"
        ours[f"layer{li}.mlp_fc2"] = f"layers.{li}.mlp.2.weight"
    out = {}
    for name, prefix in ours.items():
        cells = {
            tuple(map(int, key[len(prefix) + 1 :].split("."))): x
            for key, x in state.items()
            if key.startswith(prefix + ".")
        }
        rows, cols = 1 + max(i for i, _ in cells), 1 + max(j for _, j in cells)
        out[name] = [[cells[i, j] for j in range(cols)] for i in range(rows)]
    return out


# ------------------------------------------------------------------ training


class Adam:
    """Adam over plain lists of floats, microgpt's way, with the learning rate decaying linearly to 0."""

    def __init__(
        self, params: list[Any], lr: float = 0.01, beta1: float = 0.85, beta2: float = 0.99, eps: float = 1e-8
    ) -> None:
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)

    def update(self, step: int, num_steps: int) -> None:
        """Step ``step`` (from 0) of ``num_steps``: move every ``.data`` by its gradient's moments, reset ``.grad``."""
        b1, b2 = self.beta1, self.beta2
        lr = self.lr * (1 - step / num_steps)
        for i, p in enumerate(self.params):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad**2
            m_hat = self.m[i] / (1 - b1 ** (step + 1))
            v_hat = self.v[i] / (1 - b2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat**0.5 + self.eps)
            p.grad = 0


def train_step(model: MicroGPT, adam: Adam, tokens: list[int], step: int, num_steps: int) -> float:
    """One training step on one doc's tokens: forward, ``loss.backward()``, Adam.  Returns the loss (a float)."""
    loss = model.loss(tokens)
    loss.backward()
    adam.update(step, num_steps)
    return float(loss.data)


def train(
    Value: Any,
    docs: Sequence[str],
    steps: int,
    seed: int = 42,
    num_steps: int | None = None,
) -> list[float]:
    """Train a fresh full-size GPT for ``steps`` steps (one doc each) with ``Value``; the loss at every step.

    ``docs`` are shuffled with ``random.Random(seed)``, which then draws the
    weights; the learning rate decays linearly over ``num_steps`` (default
    ``steps``).  The same arguments give the same floats on every run.
    """
    shuffled, vocab, rng = prepare(docs, seed)
    model = MicroGPT(Value, vocab.size, rng)
    adam = Adam(model.params)
    total = steps if num_steps is None else num_steps
    return [train_step(model, adam, vocab.encode(shuffled[step % len(shuffled)]), step, total) for step in range(steps)]
