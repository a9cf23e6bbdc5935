"""Accuracy: the fraction of samples a model gets right (plain floats, no graph).

Each metric also says how to count it from compiled code (`traced_form`): a
one-sample function of the model's output that `autograd.compile` runs along
with the loss, forward only, and a rule reading "right or not" from its number.
That is how ``fit(..., compile=...)`` reports the same training accuracy as
eager `fit`, exactly, without an eager forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import Value, detached_max
from autograd.checks import to_float
from autograd.value import Operand, as_value

__all__ = ["binary_accuracy", "categorical_accuracy", "Metric", "TracedMetric", "traced_form"]

Metric = Callable[[Any, Any], float]
"""``metric(predictions, targets) -> float``, like `binary_accuracy`."""


def _number(x: object) -> float:
    if isinstance(x, Value):
        return x.data
    return to_float(x, "accuracy", "expects a Value or")


def binary_accuracy(scores: Sequence[Operand], labels: Sequence[float], threshold: float = 0.0) -> float:
    """Fraction of samples where ``score > threshold`` agrees with the label being positive.

    Works for both label conventions: a label counts as positive when it is
    >= 0.5, so +1 (of -1/+1) and 1 (of 0/1) are positive, -1 and 0 negative.
    ``threshold=0.0`` suits raw scores and logits; use 0.5 for probabilities.
    """
    if len(scores) != len(labels):
        raise ValueError(f"binary_accuracy: got {len(scores)} scores but {len(labels)} labels")
    if not scores:
        raise ValueError("binary_accuracy: got no samples")
    right = sum((_number(s) > threshold) == (_number(y) >= 0.5) for s, y in zip(scores, labels))
    return right / len(scores)


def categorical_accuracy(rows: Sequence[Sequence[Operand]], class_indices: Sequence[int]) -> float:
    """Fraction of rows whose largest entry is at the true class index (first one wins ties)."""
    if len(rows) != len(class_indices):
        raise ValueError(f"categorical_accuracy: got {len(rows)} rows but {len(class_indices)} class indices")
    if not rows:
        raise ValueError("categorical_accuracy: got no samples")
    right = 0
    for row, k in zip(rows, class_indices):
        numbers_ = [_number(z) for z in row]
        right += max(range(len(numbers_)), key=numbers_.__getitem__) == k
    return right / len(rows)


# ------------------------------------------------------------------ counted from compiled code


@dataclass(frozen=True)
class TracedMetric:
    """How a metric is counted sample by sample from compiled code.

    Attributes:
        inputs: ``inputs(target, n_outputs)`` -> the extra inputs of one
            sample (numbers or rows of numbers), from its target and the
            length of the model's output.
        indicator: ``indicator(output, *inputs)`` -> a `Value` computed from
            the model's output for one sample (traced with the loss).
        count: ``count(numbers, targets)`` -> how many samples count as right,
            from their indicators' numbers; exactly the metric's own rule.
    """

    inputs: Callable[[Any, int], tuple[Any, ...]]
    indicator: Callable[..., Value]
    count: Callable[[Sequence[float], Sequence[Any]], int]


def _binary_indicator(output: Any) -> Value:
    return as_value(output)


_BIG = 1.7976931348623157e308  # the largest float: what a masked-out logit becomes (negated)
_TINY = 5e-324  # the smallest positive float: x - _TINY < 0 exactly when x <= 0


def _categorical_inputs(k: Any, n: int) -> tuple[list[float], list[float], list[float]]:
    """The true class as one-hot, and masks of the classes before it and after it."""
    return (
        [1.0 if j == k else 0.0 for j in range(n)],
        [1.0 if j < k else 0.0 for j in range(n)],
        [1.0 if j > k else 0.0 for j in range(n)],
    )


def _largest(row: Sequence[Value], mask: Sequence[Any]) -> Value:
    """The largest entry where the mask is 1 (-_BIG where it is 0), as a number only (no gradient)."""
    picked = [z * m + (m - 1.0) * _BIG for z, m in zip(row, mask)]
    top: Value = picked[0]
    for z in picked[1:]:
        top = detached_max(top, z)
    return top


def _categorical_indicator(output: Any, one_hot: Any, before: Any, after: Any) -> Value:
    """Negative exactly when the true class holds the first largest logit (categorical_accuracy's rule).

    With ``a`` the true class's logit: right when every earlier logit is below
    ``a`` and every later one at most ``a``, i.e. when both ``max(before) - a``
    and ``max(after) - a - _TINY`` are negative (subtraction keeps the sign
    of a comparison exactly, and ``x - _TINY < 0`` exactly when ``x <= 0``).
    """
    row = [as_value(z) for z in output]
    a = row[0] * one_hot[0]
    for z, t in zip(row[1:], one_hot[1:]):
        a = a + z * t
    indicator: Value = detached_max(_largest(row, before) - a, (_largest(row, after) - a) - _TINY)
    return indicator


def _count_binary(scores: Sequence[float], labels: Sequence[Any]) -> int:
    """`binary_accuracy`'s rule with threshold 0: ``score > 0`` agrees with ``label >= 0.5``."""
    return sum((score > 0.0) == (_number(label) >= 0.5) for score, label in zip(scores, labels))


def _count_categorical(indicators: Sequence[float], class_indices: Sequence[Any]) -> int:
    """Right where the indicator is negative (see `_categorical_indicator`); one C-level pass."""
    return sum(map((0.0).__gt__, indicators))


_TRACED: dict[Any, TracedMetric] = {
    binary_accuracy: TracedMetric(inputs=lambda target, n: (), indicator=_binary_indicator, count=_count_binary),
    categorical_accuracy: TracedMetric(
        inputs=_categorical_inputs, indicator=_categorical_indicator, count=_count_categorical
    ),
}


def traced_form(metric: object) -> TracedMetric | None:
    """How `metric` is counted from compiled code, or ``None`` for a metric that has no traced form."""
    try:
        return _TRACED.get(metric)
    except TypeError:  # unhashable
        return None
