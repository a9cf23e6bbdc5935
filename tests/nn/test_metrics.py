"""Accuracy (`nn.metrics`): both label conventions, a threshold, rows of class scores, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import binary_accuracy, categorical_accuracy
from nn.metrics import traced_form


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


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from([-2.0, -0.0, 0.0, 1.5, 1.5 + 2**-52, 3.0, -1e300, 1e300]), min_size=1, max_size=5),
    st.data(),
)
def test_the_traced_categorical_indicator_decides_exactly_as_categorical_accuracy(row: list[float], data: Any) -> None:
    """Ties (first one wins), signed zeros, neighbouring floats and huge logits included."""
    k = data.draw(st.integers(0, len(row) - 1))
    form = traced_form(categorical_accuracy)
    assert form is not None
    inputs = [[Value(v) for v in column] for column in form.inputs(k, len(row))]
    number = form.indicator([Value(z) for z in row], *inputs).data
    assert form.count([number], [k]) == categorical_accuracy([row], [k])


@pytest.mark.parametrize("label", [-1, 1, 0, 1.0])
@pytest.mark.parametrize("score", [-0.5, -0.0, 0.0, 1e-300, 2.0])
def test_the_traced_binary_indicator_decides_exactly_as_binary_accuracy(score: float, label: float) -> None:
    form = traced_form(binary_accuracy)
    assert form is not None and form.inputs(label, 1) == ()
    assert form.count([form.indicator(Value(score)).data], [label]) == binary_accuracy([score], [label])


def test_a_metric_without_a_traced_form_has_none() -> None:
    assert traced_form(lambda preds, targets: 1.0) is None and traced_form([]) is None
