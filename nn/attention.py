"""`CausalSelfAttention`: multi-head self-attention over the positions so far, with a key/value cache.

Each position's vector ``x`` is projected to a query ``q = wq(x)``, a key
``k = wk(x)`` and a value ``v = wv(x)`` (``n_embd`` numbers each, split into
``n_head`` heads of ``head_dim = n_embd // n_head``).  In each head, position
``t`` attends to positions ``0 .. t``: the weights are
``softmax(q_t . k_s / sqrt(head_dim))`` over ``s``, and the head's output is
the weighted sum of the ``v_s``.  The heads' outputs, concatenated, go
through the output projection ``wo``.  No position sees a later one: that is
what "causal" means, and why a language model trained with it can generate
one token at a time.

There are two ways to run it, giving the same numbers:

* ``attn(xs)``: a whole sequence (a list of vectors) at once, one output
  vector per position;
* ``attn.step(x, cache)``: one position at a time, as microgpt does; the
  position's key and value are appended to ``cache`` (a `KVCache`), which
  holds those of the positions before it.  A new sequence starts with a new
  ``KVCache()``.

The keys and values in the cache are `Value`s of the graph (not copies), so
a loss computed from ``step`` outputs backpropagates through them into the
earlier positions, as microgpt's training does.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.checks import check_int, check_sequence, describe
from autograd.value import Operand

from .layers import Init, Linear
from .losses import softmax
from .module import Module
from .seeding import Seed, make_rng

__all__ = ["CausalSelfAttention", "KVCache"]


class KVCache:
    """The keys and values of the positions one `CausalSelfAttention` has seen so far in a sequence.

    Attributes:
        keys: one key vector (``n_embd`` `Value`s) per position, in order.
        values: one value vector per position.

    ``len(cache)`` is the number of positions seen, so the position of the
    next `CausalSelfAttention.step` call.
    """

    keys: list[list[Value]]
    values: list[list[Value]]

    def __init__(self) -> None:
        self.keys = []
        self.values = []

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"KVCache({len(self.keys)} positions)"


def _total(terms: list[Value]) -> Value:
    return sum(terms[1:], terms[0])


class CausalSelfAttention(Module):
    """Multi-head causal self-attention with ``n_head`` heads over vectors of ``n_embd`` (microgpt's).

    Args:
        n_embd: the length of each position's vector (a multiple of ``n_head``).
        n_head: the number of heads; each sees ``n_embd // n_head`` components.
        bias: whether the four projections have biases (default False, as microgpt).
        init: weight initialisation of the projections, as for `Linear`
            (default ``"uniform"``; `nn.GPT` draws N(0, 0.08)).
        seed: ``None`` (global `random`), an int or a `random.Random`; the
            projections are drawn in the order ``wq``, ``wk``, ``wv``, ``wo``.

    Attributes:
        wq, wk, wv, wo: the query, key, value and output projections, each a
            ``Linear(n_embd, n_embd)`` (microgpt's ``attn_wq`` ... ``attn_wo``).
        head_dim: ``n_embd // n_head``.
    """

    wq: Linear
    wk: Linear
    wv: Linear
    wo: Linear

    def __init__(
        self, n_embd: int, n_head: int, *, bias: bool = False, init: Init = "uniform", seed: Seed = None
    ) -> None:
        self.n_embd = check_int(n_embd, "CausalSelfAttention n_embd", 1)
        self.n_head = check_int(n_head, "CausalSelfAttention n_head", 1)
        if self.n_embd % self.n_head:
            raise ValueError(
                f"CausalSelfAttention: n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head}), "
                "so that every head gets the same number of components"
            )
        self.head_dim = self.n_embd // self.n_head
        rng = make_rng(seed)
        self.wq = Linear(self.n_embd, self.n_embd, bias, init=init, seed=rng)
        self.wk = Linear(self.n_embd, self.n_embd, bias, init=init, seed=rng)
        self.wv = Linear(self.n_embd, self.n_embd, bias, init=init, seed=rng)
        self.wo = Linear(self.n_embd, self.n_embd, bias, init=init, seed=rng)

    def __call__(self, xs: Sequence[Sequence[Operand]]) -> list[list[Value]]:
        return self.forward(xs)

    def forward(self, xs: Sequence[Sequence[Operand]]) -> list[list[Value]]:
        """The output vector of every position of the sequence ``xs`` (a list of ``n_embd``-vectors).

        Position ``t`` attends to positions ``0 .. t``; the numbers are those
        of calling `step` on each position in turn with a fresh `KVCache`.

        Raises:
            TypeError: ``xs`` is not a list of vectors.
            ValueError: ``xs`` is empty, or a vector does not have ``n_embd`` items.
        """
        rows = check_sequence(xs, "CausalSelfAttention input (a list of vectors, one per position)")
        if not rows:
            raise ValueError("CausalSelfAttention: got an empty sequence; it needs at least one position")
        queries = [self.wq(x) for x in rows]
        keys = [self.wk(x) for x in rows]
        values = [self.wv(x) for x in rows]
        return [self._attend(q, keys[: t + 1], values[: t + 1]) for t, q in enumerate(queries)]

    def step(self, x: Sequence[Operand], cache: KVCache) -> list[Value]:
        """The output for one position ``x`` (a vector), attending to it and the positions in ``cache``.

        Appends this position's key and value to ``cache`` first (microgpt's
        ``keys[li].append(k)``), so calling ``step`` on the vectors of a
        sequence in order, with one cache, gives the outputs of
        ``attn(sequence)``.
        """
        if not isinstance(cache, KVCache):
            raise TypeError(
                f"CausalSelfAttention.step(x, cache) expects a KVCache (start each sequence with KVCache()), "
                f"got {describe(cache)}"
            )
        q = self.wq(x)
        cache.keys.append(self.wk(x))
        cache.values.append(self.wv(x))
        return self._attend(q, cache.keys, cache.values)

    def _attend(self, q: list[Value], keys: Sequence[list[Value]], values: Sequence[list[Value]]) -> list[Value]:
        """Every head's weighted sum of ``values`` for query ``q``, concatenated, through ``wo``."""
        head_dim = self.head_dim
        scale = head_dim**0.5
        heads: list[Value] = []
        for start in range(0, self.n_embd, head_dim):
            end = start + head_dim
            qh = q[start:end]
            logits = [_total([a * b for a, b in zip(qh, k[start:end])]) / scale for k in keys]
            weights = softmax(logits)
            for j in range(start, end):
                heads.append(_total([w * v[j] for w, v in zip(weights, values)]))
        return self.wo(heads)

    def extra_repr(self) -> str:
        return f"n_embd={self.n_embd}, n_head={self.n_head}"
