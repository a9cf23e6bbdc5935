"""Seed handling for `nn`: what a ``seed`` argument may be, and the generator it stands for.

Every `nn` function that draws random numbers (weight initialisation, noise,
shuffling) takes ``seed``: ``None`` uses the global `random` module (so
``random.seed(...)`` makes runs repeatable), an int a private
``random.Random(seed)``, and a ``random.Random`` (or anything with ``uniform``,
``gauss`` and ``shuffle``) is used, and advanced, as is.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import MutableSequence
from typing import Any, Protocol

from autograd.checks import describe

__all__ = ["RandomSource", "Seed", "make_rng"]


class RandomSource(Protocol):
    """What `nn` draws from: the `random` module itself or a `random.Random`."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...

    def shuffle(self, x: MutableSequence[Any]) -> None: ...


Seed = int | RandomSource | None
"""``None`` (the global `random`), an int (a private ``random.Random(seed)``) or a generator to use."""


_DRAWS = ("uniform", "gauss", "shuffle")  # the methods of RandomSource


def make_rng(seed: Seed) -> RandomSource:
    """The generator a ``seed`` argument stands for."""
    if seed is None:
        return random
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):  # int, numpy integers
        return random.Random(int(seed))
    # Left: a bool (not a seed) or something that should be a generator; `not int` also tells mypy which.
    if not isinstance(seed, int) and all(callable(getattr(seed, name, None)) for name in _DRAWS):
        return seed
    raise TypeError(f"seed must be None, an int or a random.Random, got {describe(seed)}")
