"""Embedding: rows by id, N(0, std) init drawn row by row, errors for ids that are not rows, gradients."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn import Embedding

sys.path.insert(0, str(Path(__file__).parent))
from module_gradcheck import gradcheck_module, weighted_sum


def test_a_row_is_the_ids_parameters() -> None:
    emb = Embedding(28, 16, seed=0)
    assert repr(emb) == "Embedding(28, 16)" and emb.num_parameters() == 28 * 16
    row = emb(3)
    assert len(row) == 16 and all(a is b for a, b in zip(row, emb.weight[3]))
    row.append(Value(0.0))  # a new list each time: the table is not changed through it
    assert len(emb(3)) == 16
    assert [name for name, _ in emb.named_parameters()][:2] == ["weight.0.0", "weight.0.1"]
    assert nn.Embedding is Embedding


def test_init_is_normal_with_std_drawn_row_by_row() -> None:
    emb = Embedding(3, 4, std=0.08, seed=11)
    rng = random.Random(11)
    assert [w.data for row in emb.weight for w in row] == [rng.gauss(0.0, 0.08) for _ in range(12)]
    random.seed(5)
    a = Embedding(2, 2)
    random.seed(5)
    assert Embedding(2, 2).state_dict() == a.state_dict()
    big = Embedding(100, 50, seed=0)
    numbers = [w.data for row in big.weight for w in row]
    assert abs(sum(numbers) / len(numbers)) < 0.05 and 0.95 < (sum(x * x for x in numbers) / len(numbers)) < 1.05


def test_gradient_reaches_only_the_rows_used() -> None:
    emb = Embedding(4, 2, seed=1)
    loss = emb(1)[0] * 3.0 + emb(1)[1] + emb(3)[0] * emb(3)[0]
    loss.backward()
    assert emb.weight[1][0].grad == 3.0 and emb.weight[1][1].grad == 1.0
    assert emb.weight[3][0].grad == 2.0 * emb.weight[3][0].data
    assert all(w.grad == 0.0 for i in (0, 2) for w in emb.weight[i])
    assert gradcheck_module(Embedding(3, 2, seed=2), lambda m, _: weighted_sum(m(2) + m(0) + [m(2)[1] * m(0)[0]]))


def test_ids_that_are_not_rows() -> None:
    emb = Embedding(5, 2, seed=0)
    with pytest.raises(IndexError, match=r"Embedding id 5 is out of range: the table has 5 rows \(ids 0 \.\. 4\)"):
        emb(5)
    with pytest.raises(IndexError, match="Embedding id -1 is out of range"):
        emb(-1)
    with pytest.raises(TypeError, match=r"Embedding expects an int id in 0 \.\. 4, got float 1\.0"):
        emb(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got bool True"):
        emb(True)
    with pytest.raises(TypeError, match="got Value"):
        emb(Value(1.0))  # type: ignore[arg-type]


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="Embedding num_embeddings must be an int >= 1, got 0"):
        Embedding(0, 3)
    with pytest.raises(TypeError, match="Embedding embedding_dim must be an int >= 1, got float"):
        Embedding(3, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Embedding std must be a finite number >= 0"):
        Embedding(3, 2, std=-1.0)
