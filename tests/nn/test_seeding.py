"""`nn.seeding.make_rng`: what each kind of ``seed`` stands for, and what is refused."""

from __future__ import annotations

import random

import pytest

from nn.seeding import make_rng


def test_none_is_the_global_random_module() -> None:
    assert make_rng(None) is random


def test_an_int_is_a_private_repeatable_generator() -> None:
    a, b = make_rng(7), make_rng(7)
    assert a is not random and a is not b
    assert [a.uniform(0.0, 1.0) for _ in range(3)] == [b.uniform(0.0, 1.0) for _ in range(3)]


def test_a_generator_is_used_as_is() -> None:
    rng = random.Random(0)
    assert make_rng(rng) is rng


@pytest.mark.parametrize("seed", [True, "0", 1.5, object()])
def test_other_seeds_are_refused(seed: object) -> None:
    with pytest.raises(TypeError, match=r"seed must be None, an int or a random\.Random, got " + type(seed).__name__):
        make_rng(seed)  # type: ignore[arg-type]
