"""Argument checks shared by the `nn` modules: seeds, counts, and describing what was given."""

from __future__ import annotations

import numbers
import random
from collections.abc import MutableSequence
from typing import Any, Protocol

from autograd.value import describe

__all__ = ["RandomSource", "Seed", "make_rng", "check_int", "describe"]


class RandomSource(Protocol):
    """What `nn` draws from: the `random` module itself or a `random.Random`."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...

    def shuffle(self, x: MutableSequence[Any]) -> None: ...


Seed = int | RandomSource | None
"""``None`` (the global `random`), an int (a private ``random.Random(seed)``) or a generator to use."""


def make_rng(seed: Seed) -> RandomSource:
    """The generator a ``seed`` argument stands for."""
    if seed is None:
        return random
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return random.Random(int(seed))
    if all(callable(getattr(seed, name, None)) for name in ("uniform", "gauss", "shuffle")):
        return seed  # type: ignore[return-value]
    raise TypeError(f"seed must be None, an int or a random.Random, got {describe(seed)}")


def check_int(value: object, what: str, minimum: int) -> int:
    """``value`` as an int >= `minimum`, or a TypeError/ValueError saying what was given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int >= {minimum}, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {value!r}")
    return int(value)
