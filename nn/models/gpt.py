"""`GPT`: microgpt's language model assembled from `nn`'s building blocks.

>>> from nn import GPT, CharTokenizer, load_names
>>> tok = CharTokenizer(load_names())          # 26 letters and BOS
>>> model = GPT(tok.vocab_size, seed=0)
>>> model.num_parameters()
4192
>>> loss = model.loss(tok.encode("emma"))      # a Value: loss.backward() fills every parameter's grad
>>> len(model.sample(tok, n=3, seed=0))
3

The architecture is Karpathy's microgpt (a GPT-2 with RMSNorm for LayerNorm,
ReLU for GELU and no biases), module by module::

    token id, position  ->  wte(token) + wpe(position)       Embedding, Embedding
                        ->  ln_emb                           RMSNorm without weight
    n_layer times:      ->  x + attn(ln_1(x))                CausalSelfAttention (wq, wk, wv, wo)
                        ->  x + mlp(ln_2(x))                 Sequential(Linear(n, 4n), ReLU(), Linear(4n, n))
                        ->  lm_head                          Linear(n_embd, vocab_size): the logits

With ``vocab_size=27`` (the names' 26 letters and BOS) and the defaults
(``block_size=16, n_layer=1, n_embd=16, n_head=4``) it has microgpt's 4,192
parameters.  microgpt's names map to these: ``wte`` -> ``wte.weight``,
``wpe`` -> ``wpe.weight``, ``lm_head`` -> ``lm_head.weight``,
``layer{i}.attn_wq`` -> ``layers.{i}.attn.wq.weight`` (and ``wk``, ``wv``,
``wo``), ``layer{i}.mlp_fc1`` -> ``layers.{i}.mlp.0.weight``,
``layer{i}.mlp_fc2`` -> ``layers.{i}.mlp.2.weight`` (each ``.r.c`` for row
``r``, column ``c``, in `state_dict`).

Reproducing it with a plain program
-----------------------------------
``seed`` gives a generator ``rng``: ``random.Random(seed)`` for an int, the
global `random` module for ``None``, a `random.Random` as is.

* **Weights.** ``GPT(...)`` draws every weight as ``rng.gauss(0.0, 0.08)``,
  matrix by matrix, row by row, column by column, in microgpt's order:
  ``wte`` (``vocab_size`` rows of ``n_embd``), ``wpe`` (``block_size`` rows
  of ``n_embd``), ``lm_head`` (``vocab_size`` rows of ``n_embd``), then for
  each layer ``attn.wq``, ``attn.wk``, ``attn.wv``, ``attn.wo`` (``n_embd``
  rows of ``n_embd`` each), ``mlp.0`` (``4 * n_embd`` rows of ``n_embd``),
  ``mlp.2`` (``n_embd`` rows of ``4 * n_embd``).  So after
  ``random.seed(42); random.shuffle(docs)``, ``GPT(27)`` has exactly the
  weights microgpt draws next.  `parameters()` lists them in the same order.
* **Samples.** ``sample(tokenizer, n, temperature, seed)`` makes its own
  ``rng`` from its ``seed`` the same way and draws ``n`` names one after
  the other.  Each starts from BOS at position 0; at each position the
  logits ``z`` (floats) become ``p = [exp(z_i / T - m) / s ...]`` with
  ``T`` the temperature, ``m = max(z_i / T)`` and ``s`` the sum of the
  ``exp(z_i / T - m)`` (in index order), and the next token is
  ``rng.choices(range(vocab_size), weights=p)[0]``: one call per position.
  A name ends when BOS is drawn or after ``block_size`` positions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from autograd import Value, no_grad
from autograd.checks import check_int, check_real, check_sequence, describe

from ..attention import CausalSelfAttention, KVCache
from ..data.text import CharTokenizer
from ..embedding import Embedding
from ..layers import Linear, ReLU, Sequential
from ..losses import cross_entropy
from ..module import Module
from ..normalization import RMSNorm
from ..seeding import RandomSource, Seed, make_rng

__all__ = ["GPT", "Block", "INIT_STD"]

INIT_STD = 0.08
"""The standard deviation of every initial weight (microgpt's)."""


def _normal(std: float) -> Callable[[RandomSource, int], float]:
    """An ``init`` for `Linear`: N(0, ``std``), whatever the fan-in."""
    return lambda rng, nin: rng.gauss(0.0, std)


def _add(a: list[Value], b: list[Value]) -> list[Value]:
    return [x + y for x, y in zip(a, b)]


class Block(Module):
    """One transformer block of microgpt: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``.

    ``ln_1`` and ``ln_2`` are `RMSNorm` without weight, ``attn`` a
    `CausalSelfAttention` without biases, ``mlp`` a ``Sequential(Linear(n_embd,
    4 * n_embd, bias=False), ReLU(), Linear(4 * n_embd, n_embd, bias=False))``.
    Weights are drawn from ``seed`` in the order ``attn.wq, wk, wv, wo``,
    ``mlp.0``, ``mlp.2``, with ``init`` (as for `Linear`).
    """

    def __init__(self, n_embd: int, n_head: int, *, init: Callable[[RandomSource, int], float], seed: Seed) -> None:
        rng = make_rng(seed)
        self.ln_1 = RMSNorm(n_embd, elementwise_affine=False)
        self.attn = CausalSelfAttention(n_embd, n_head, init=init, seed=rng)
        self.ln_2 = RMSNorm(n_embd, elementwise_affine=False)
        self.mlp = Sequential(
            Linear(n_embd, 4 * n_embd, bias=False, init=init, seed=rng),
            ReLU(),
            Linear(4 * n_embd, n_embd, bias=False, init=init, seed=rng),
        )

    def __call__(self, xs: Sequence[list[Value]]) -> list[list[Value]]:
        return self.forward(xs)

    def forward(self, xs: Sequence[list[Value]]) -> list[list[Value]]:
        """The block on a whole sequence of vectors (one per position)."""
        attended = self.attn([self.ln_1(x) for x in xs])
        xs = [_add(a, x) for a, x in zip(attended, xs)]
        return [_add(self.mlp(self.ln_2(x)), x) for x in xs]

    def step(self, x: list[Value], cache: KVCache) -> list[Value]:
        """The block on one position, with the attention's key/value ``cache`` (see `CausalSelfAttention.step`)."""
        x = _add(self.attn.step(self.ln_1(x), cache), x)
        return _add(self.mlp(self.ln_2(x)), x)


class GPT(Module):
    """microgpt's GPT: a causal language model over ``vocab_size`` tokens (see the module docstring).

    Args:
        vocab_size: how many token ids there are (`CharTokenizer.vocab_size`).
        block_size: the longest context, in tokens (the rows of ``wpe``).
        n_layer: the number of transformer blocks.
        n_embd: the length of each position's vector.
        n_head: the attention heads (``n_embd`` must be a multiple of it).
        seed: ``None`` (global `random`), an int or a `random.Random`:
            where the N(0, 0.08) initial weights come from, in the order the
            module docstring gives.

    Use:

    * ``model(tokens)``: the logits at every position (a list of
      ``vocab_size`` `Value`s per token), the whole sequence at once;
    * ``model.step(token, cache)``: the logits for one more token, with a
      key/value cache from `new_cache` (microgpt's way; the same numbers);
    * ``model.loss(tokens)``: the mean next-token cross-entropy, a `Value`;
    * ``model.sample(tokenizer)``: new documents (names), as str.

    Attributes:
        wte, wpe: the token and position `Embedding`\\ s.
        lm_head: the `Linear` from a vector to the logits.
        ln_emb: the `RMSNorm` applied to the embeddings (microgpt's first ``rmsnorm``).
        layers: the list of ``n_layer`` `Block`\\ s.
    """

    wte: Embedding
    wpe: Embedding
    lm_head: Linear
    ln_emb: RMSNorm
    layers: list[Block]

    def __init__(
        self,
        vocab_size: int,
        block_size: int = 16,
        n_layer: int = 1,
        n_embd: int = 16,
        n_head: int = 4,
        seed: Seed = None,
    ) -> None:
        self.vocab_size = check_int(vocab_size, "GPT vocab_size", 2)
        self.block_size = check_int(block_size, "GPT block_size", 1)
        self.n_layer = check_int(n_layer, "GPT n_layer", 1)
        self.n_embd = check_int(n_embd, "GPT n_embd", 1)
        self.n_head = check_int(n_head, "GPT n_head", 1)
        if self.n_embd % self.n_head:
            raise ValueError(
                f"GPT: n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head}), "
                "so that every attention head gets the same number of components"
            )
        rng = make_rng(seed)
        init = _normal(INIT_STD)
        # Assigned in microgpt's order, which is the order the weights are drawn in and parameters() lists them.
        self.wte = Embedding(self.vocab_size, self.n_embd, std=INIT_STD, seed=rng)
        self.wpe = Embedding(self.block_size, self.n_embd, std=INIT_STD, seed=rng)
        self.lm_head = Linear(self.n_embd, self.vocab_size, bias=False, init=init, seed=rng)
        self.ln_emb = RMSNorm(self.n_embd, elementwise_affine=False)
        self.layers = [Block(self.n_embd, self.n_head, init=init, seed=rng) for _ in range(self.n_layer)]

    # ------------------------------------------------------------ forward

    def _tokens(self, tokens: object, who: str) -> list[int]:
        """``tokens`` checked: a non-empty list of token ids, at most ``block_size`` of them."""
        items = check_sequence(tokens, f"{who}: tokens (a list of token ids)")
        if not items:
            raise ValueError(f"{who}: got no tokens; it needs at least one")
        if len(items) > self.block_size:
            raise ValueError(
                f"{who}: got {len(items)} tokens but block_size is {self.block_size}; "
                f"pass at most {self.block_size} (model.loss(tokens) cuts a longer document itself)"
            )
        return [self._token(t, f"{who}: tokens[{i}]") for i, t in enumerate(items)]

    def _token(self, token: object, what: str) -> int:
        index = check_int(token, what)
        if not 0 <= index < self.vocab_size:
            raise ValueError(f"{what} = {index} is not a token id: expected 0 .. {self.vocab_size - 1}")
        return index

    def _embed(self, token: int, position: int) -> list[Value]:
        return self.ln_emb(_add(self.wte(token), self.wpe(position)))

    def __call__(self, tokens: Sequence[int]) -> list[list[Value]]:
        return self.forward(tokens)

    def forward(self, tokens: Sequence[int]) -> list[list[Value]]:
        """The logits after each token: ``out[t][i]`` scores token ``i`` as the one after ``tokens[: t + 1]``.

        Raises:
            TypeError: ``tokens`` is not a list of ints.
            ValueError: ``tokens`` is empty, longer than ``block_size``, or has an id outside ``0 .. vocab_size - 1``.
        """
        ids = self._tokens(tokens, "GPT")
        xs = [self._embed(token, position) for position, token in enumerate(ids)]
        for block in self.layers:
            xs = block(xs)
        return [self.lm_head(x) for x in xs]

    def new_cache(self) -> list[KVCache]:
        """An empty key/value cache for `step`: one `KVCache` per layer (microgpt's ``keys`` and ``values``)."""
        return [KVCache() for _ in self.layers]

    def step(self, token: int, cache: list[KVCache]) -> list[Value]:
        """The logits after one more token, at position ``len(cache[0])``; appends to ``cache``.

        Feeding a sequence's tokens in order to ``step`` with one cache from
        `new_cache` gives, at each position, the logits ``model(tokens)``
        gives there: microgpt's ``gpt(token_id, pos_id, keys, values)``.
        """
        if not isinstance(cache, list) or len(cache) != self.n_layer or not all(isinstance(c, KVCache) for c in cache):
            raise TypeError(
                f"GPT.step(token, cache) expects the cache from model.new_cache() ({self.n_layer} KVCaches), "
                f"got {describe(cache)}"
            )
        position = len(cache[0])
        if position >= self.block_size:
            raise ValueError(
                f"GPT.step: the cache already holds {position} positions, the block_size; start a new_cache()"
            )
        x = self._embed(self._token(token, "GPT.step: token"), position)
        for block, layer_cache in zip(self.layers, cache):
            x = block.step(x, layer_cache)
        return self.lm_head(x)

    def loss(self, tokens: Sequence[int]) -> Value:
        """The mean next-token cross-entropy of a document's tokens (e.g. ``tokenizer.encode(name)``).

        Over the first ``n = min(block_size, len(tokens) - 1)`` positions:
        the logits of ``tokens[:n]`` against the targets ``tokens[1 : n + 1]``
        (`nn.cross_entropy`), as microgpt's training step computes it.

        Raises:
            ValueError: fewer than 2 tokens, or an id outside ``0 .. vocab_size - 1``.
        """
        items = check_sequence(tokens, "GPT.loss: tokens (a list of token ids)")
        if len(items) < 2:
            raise ValueError(
                f"GPT.loss needs at least 2 tokens (an input and the next one to predict), got {len(items)}"
            )
        n = min(self.block_size, len(items) - 1)
        targets = [self._token(t, f"GPT.loss: tokens[{i + 1}]") for i, t in enumerate(items[1 : n + 1])]
        return cross_entropy(self.forward(items[:n]), targets)

    # ------------------------------------------------------------ sampling

    def sample(self, tokenizer: CharTokenizer, n: int = 20, temperature: float = 0.5, seed: Seed = None) -> list[str]:
        """``n`` new documents drawn from the model, decoded with ``tokenizer`` (microgpt's inference).

        Each starts after BOS and ends when BOS is drawn or after
        ``block_size`` tokens.  A lower ``temperature`` (> 0) makes the
        likelier tokens likelier still.  ``seed`` as everywhere in `nn`; the
        draws are spelled out in the module docstring, so a plain program can
        reproduce them.  Runs without recording a graph.

        Raises:
            TypeError: ``tokenizer`` lacks ``bos``/``decode``, or ``seed`` is not a seed.
            ValueError: the tokenizer's ``vocab_size`` is not the model's, or ``n < 0``, or ``temperature <= 0``.
        """
        count = check_int(n, "GPT.sample n", 0)
        t = check_real(temperature, "GPT.sample temperature")
        if not 0.0 < t < math.inf:
            raise ValueError(f"GPT.sample temperature must be a finite number > 0, got {temperature!r:.40}")
        if not (hasattr(tokenizer, "bos") and callable(getattr(tokenizer, "decode", None))):
            raise TypeError(f"GPT.sample expects a tokenizer such as nn.data.CharTokenizer, got {describe(tokenizer)}")
        vocab = getattr(tokenizer, "vocab_size", None)
        if vocab != self.vocab_size:
            raise ValueError(
                f"GPT.sample: the tokenizer has vocab_size {vocab} but the model {self.vocab_size}; "
                "sample with the tokenizer the model was trained with"
            )
        rng = make_rng(seed)
        choices = getattr(rng, "choices", None)
        if not callable(choices):
            raise TypeError(f"GPT.sample: seed must be None, an int or a random.Random, got {describe(seed)}")
        bos = tokenizer.bos
        ids = range(self.vocab_size)
        out = []
        with no_grad():
            for _ in range(count):
                cache = self.new_cache()
                token, drawn = bos, []
                for _position in range(self.block_size):
                    scaled = [z.data / t for z in self.step(token, cache)]
                    top = max(scaled)
                    exps = [math.exp(s - top) for s in scaled]
                    total = sum(exps)
                    token = choices(ids, weights=[e / total for e in exps])[0]
                    if token == bos:
                        break
                    drawn.append(token)
                out.append(tokenizer.decode(drawn))
        return out

    def extra_repr(self) -> str:
        return (
            f"vocab_size={self.vocab_size}, block_size={self.block_size}, n_layer={self.n_layer}, "
            f"n_embd={self.n_embd}, n_head={self.n_head}"
        )
