"""Accuracy: the fraction of samples a model gets right (plain floats, no graph)."""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.checks import to_float
from autograd.value import Operand

__all__ = ["binary_accuracy", "categorical_accuracy"]


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
