"""Accuracy (`nn.metrics`): both label conventions, a threshold, rows of class scores, bad input."""

from __future__ import annotations

import pytest

from autograd import Value
from nn import binary_accuracy, categorical_accuracy


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def test_accuracy_metrics() -> None:
    assert binary_accuracy([Value(0.3), Value(-2.0), 1.0, -0.1], [1, -1, -1, -1]) == 0.75
    assert binary_accuracy([0.3, -2.0, 1.0, -0.1], [1, 0, 0, 0]) == 0.75
    assert binary_accuracy([0.7, 0.2], [1, 0], threshold=0.5) == 1.0
    rows = [values([0.1, 0.5, 0.2]), values([2.0, 1.0, 0.0])]
    assert categorical_accuracy(rows, [1, 2]) == 0.5
    with pytest.raises(ValueError, match="got 1 scores but 2 labels"):
        binary_accuracy([1.0], [1, 0])


def test_accuracy_bad_arguments() -> None:
    with pytest.raises(ValueError, match="binary_accuracy: got no samples"):
        binary_accuracy([], [])
    with pytest.raises(ValueError, match="categorical_accuracy: got 1 rows but 2 class indices"):
        categorical_accuracy([[1.0]], [0, 0])
    with pytest.raises(TypeError, match=r"accuracy expects a Value or a real number .*, got str 'x'"):
        binary_accuracy(["x"], [1])  # type: ignore[list-item]
