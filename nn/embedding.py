"""`Embedding`: a table of learned vectors, one row per id (``torch.nn.Embedding``).

>>> emb = Embedding(28, 16, seed=0)
>>> emb
Embedding(28, 16)
>>> len(emb(3)), emb.num_parameters()
(16, 448)

A language model looks up each token's vector (and, in a GPT, each
position's) in such a table: ``emb(i)`` is row ``i``, a list of parameter
`Value`s that the loss's gradient reaches through the arithmetic done with them.
"""

from __future__ import annotations

import math

from autograd import Value
from autograd.checks import check_int, check_real, describe

from .module import Module
from .seeding import Seed, make_rng

__all__ = ["Embedding"]


class Embedding(Module):
    """``num_embeddings`` vectors of ``embedding_dim`` parameters; ``emb(i)`` is vector ``i``.

    Args:
        num_embeddings: how many ids the table has (0 .. ``num_embeddings - 1``).
        embedding_dim: the length of each vector.
        std: the standard deviation of the initial weights, each drawn from
            N(0, ``std``) (default 1.0, PyTorch's ``normal_(0, 1)``; microgpt
            and `nn.GPT` use 0.08).
        seed: ``None`` (global `random`), an int or a `random.Random`; the
            weights are drawn row by row, ``rng.gauss(0.0, std)`` each.

    Attributes:
        weight: ``num_embeddings`` rows of ``embedding_dim`` `Value`s
            (parameters named ``weight.i.j``, like ``torch.nn.Embedding.weight``).
    """

    weight: list[list[Value]]

    def __init__(self, num_embeddings: int, embedding_dim: int, *, std: float = 1.0, seed: Seed = None) -> None:
        self.num_embeddings = check_int(num_embeddings, "Embedding num_embeddings", 1)
        self.embedding_dim = check_int(embedding_dim, "Embedding embedding_dim", 1)
        sigma = check_real(std, "Embedding std")
        if not 0.0 <= sigma < math.inf:
            raise ValueError(f"Embedding std must be a finite number >= 0, got {std!r:.40}")
        rng = make_rng(seed)
        self.weight = [
            [Value(rng.gauss(0.0, sigma)) for _ in range(self.embedding_dim)] for _ in range(self.num_embeddings)
        ]

    def __call__(self, index: int) -> list[Value]:
        return self.forward(index)

    def forward(self, index: int) -> list[Value]:
        """Row ``index`` of the table: a new list holding its ``embedding_dim`` parameter `Value`s.

        Raises:
            TypeError: ``index`` is not an int (a bool, a float or a `Value` is refused).
            IndexError: ``index`` is outside ``0 .. num_embeddings - 1`` (negative
                ids are refused too: an id counted from the end is a bug here).
        """
        if type(index) is not int:
            if isinstance(index, bool) or not hasattr(index, "__index__"):
                raise TypeError(f"Embedding expects an int id in 0 .. {self.num_embeddings - 1}, got {describe(index)}")
            index = check_int(index, "Embedding id")
        if not 0 <= index < self.num_embeddings:
            raise IndexError(
                f"Embedding id {index} is out of range: the table has {self.num_embeddings} rows "
                f"(ids 0 .. {self.num_embeddings - 1})"
            )
        return list(self.weight[index])

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []
