"""Loss functions (each the mean over samples, as one differentiable `Value`) and `softmax`.

=====================================  ======================================  =================
function                               per-sample loss                         labels
=====================================  ======================================  =================
``mse_loss(preds, targets)``           ``(p - t) ** 2``                        any real numbers
``hinge_loss(scores, labels)``         ``max(0, 1 - y * s)``                   -1 or +1
``binary_cross_entropy_with_logits``   ``-y log sigmoid(z) - (1-y) log(1 -``   0 or 1 (or any
``(logits, labels)``                   ``sigmoid(z))``                         value in [0, 1])
``cross_entropy(logits_rows, idx)``    ``-log softmax(row)[idx]``              class index
=====================================  ======================================  =================

Predictions may be `Value`s or plain numbers; labels are plain numbers.  For
one sample, ``mse_loss``, ``hinge_loss`` and ``binary_cross_entropy_with_logits``
also accept a bare prediction and a bare target.

Everything that involves ``exp`` is computed stably, for logits of any finite
magnitude (1000 and beyond): the binary cross-entropy through `softplus`
(``log(1 + exp(z))`` computed as ``max(z, 0) + log1p(exp(-|z|))``, defined with
`autograd.defop` and whose derivative is ``sigmoid``), and the multiclass
ones through log-sum-exp, shifting each row by its largest logit.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, TypeGuard

from autograd import Value, defop, sigmoid

from ._checks import describe

__all__ = [
    "mse_loss", "hinge_loss", "binary_cross_entropy_with_logits", "cross_entropy",
    "softmax", "log_softmax", "softplus",
]

Scalar = Value | float | int
"""A prediction: a `Value` or a plain number."""


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


softplus = defop("softplus", _softplus, lambda x, out: sigmoid(x))
"""``log(1 + exp(x))`` computed without overflow; its derivative is ``sigmoid(x)``."""


# ------------------------------------------------------------------ checking arguments

def _is_sequence(obj: object) -> TypeGuard[Sequence[Any]]:
    """A list, tuple, numpy array or other sized, indexable container (not a string)."""
    return hasattr(obj, "__len__") and hasattr(obj, "__getitem__") and not isinstance(obj, (str, bytes, dict))


def _samples(preds: object, targets: object, who: str) -> tuple[list[Scalar], list[object]]:
    """Both arguments as equally long, non-empty lists (a bare scalar pair is one sample)."""
    if isinstance(preds, (Value, numbers.Real)):
        preds = [preds]
        if isinstance(targets, (Value, numbers.Real)):
            targets = [targets]
    if not _is_sequence(preds):
        raise TypeError(f"{who}: predictions must be a list of Values or numbers, got {describe(preds)}")
    if not _is_sequence(targets):
        raise TypeError(f"{who}: targets must be a list of numbers, got {describe(targets)}")
    if len(preds) != len(targets):
        raise ValueError(f"{who}: got {len(preds)} predictions but {len(targets)} targets; they must match")
    if not preds:
        raise ValueError(f"{who}: got no samples (empty lists); the mean of nothing is undefined")
    for i, p in enumerate(preds):
        if not isinstance(p, (Value, numbers.Real)) or isinstance(p, bool):
            raise TypeError(f"{who}: predictions[{i}] must be a Value or a number, got {describe(p)}")
    return list(preds), list(targets)


def _label(y: object, i: int, who: str) -> float:
    if isinstance(y, bool) or not isinstance(y, numbers.Real) or isinstance(y, Value):
        raise TypeError(f"{who}: labels[{i}] must be a plain number, got {describe(y)}")
    return float(y)


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _mean(terms: list[Value]) -> Value:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total / len(terms)


# ------------------------------------------------------------------ losses

def mse_loss(preds: Sequence[Scalar] | Scalar, targets: Sequence[Scalar] | Scalar) -> Value:
    """Mean squared error: ``mean((p - t) ** 2)``.

    Targets may be numbers or `Value`s (then the loss is differentiable in them too).
    """
    ps, ts = _samples(preds, targets, "mse_loss")
    terms = []
    for i, (p, t) in enumerate(zip(ps, ts)):
        if not isinstance(t, (Value, numbers.Real)) or isinstance(t, bool):
            raise TypeError(f"mse_loss: targets[{i}] must be a number or a Value, got {describe(t)}")
        d = _as_value(p) - (t if isinstance(t, Value) else float(t))
        terms.append(d * d)
    return _mean(terms)


def hinge_loss(scores: Sequence[Scalar] | Scalar, labels: Sequence[float] | float) -> Value:
    """The max-margin (SVM) loss of micrograd's demo: ``mean(relu(1 - y * s))`` for labels ``y`` in {-1, +1}.

    A sample costs nothing once its score is on the right side with a margin
    of at least 1.  For 0/1 labels, pass ``[2 * y - 1 for y in labels]``.
    """
    ss, ys = _samples(scores, labels, "hinge_loss")
    terms = []
    for i, (s, y) in enumerate(zip(ss, ys)):
        label = _label(y, i, "hinge_loss")
        if label != 1.0 and label != -1.0:
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got labels[{i}] = {y!r}"
                             " (for 0/1 labels use 2*y - 1, or binary_cross_entropy_with_logits)")
        terms.append((1.0 - _as_value(s) * label).relu())
    return _mean(terms)


def binary_cross_entropy_with_logits(logits: Sequence[Scalar] | Scalar, labels: Sequence[float] | float) -> Value:
    """Binary cross-entropy of ``sigmoid(logit)`` against labels 0/1, computed from the logits.

    Per sample: ``-y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z))``, which is
    ``softplus(-z)`` for ``y = 1`` and ``softplus(z)`` for ``y = 0`` (labels in
    between mix the two).  Stable for any finite logit; the gradient with
    respect to ``z`` is ``sigmoid(z) - y``.
    """
    zs, ys = _samples(logits, labels, "binary_cross_entropy_with_logits")
    terms = []
    for i, (z, y) in enumerate(zip(zs, ys)):
        label = _label(y, i, "binary_cross_entropy_with_logits")
        if not 0.0 <= label <= 1.0:
            raise ValueError(f"binary_cross_entropy_with_logits: labels must be 0 or 1 (or in between), "
                             f"got labels[{i}] = {y!r} (for -1/+1 labels use (y + 1) / 2, or hinge_loss)")
        zv = _as_value(z)
        if label == 1.0:
            terms.append(softplus(-zv))
        elif label == 0.0:
            terms.append(softplus(zv))
        else:
            terms.append((1.0 - label) * softplus(zv) + label * softplus(-zv))
    return _mean(terms)


def _row(row: object, where: str, who: str) -> list[Value]:
    if isinstance(row, (Value, numbers.Real)) or not _is_sequence(row):
        raise TypeError(f"{who} expects a sequence of logits (one per class); {where} is {describe(row)}")
    if not row:
        raise ValueError(f"{who}: {where} is empty; it needs one logit per class")
    for j, z in enumerate(row):
        if not isinstance(z, (Value, numbers.Real)) or isinstance(z, bool):
            raise TypeError(f"{who}: {where}[{j}] must be a Value or a number, got {describe(z)}")
    return [_as_value(z) for z in row]


def _shifted(row: list[Value]) -> tuple[list[Value], Value]:
    """(row minus its max, log of the sum of exps of that): the stable pieces of log-softmax."""
    top = max(z.data for z in row)
    shifted = [z - top for z in row]
    exps = [s.exp() for s in shifted]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return shifted, total.log()


def cross_entropy(logits_rows: Sequence[Sequence[Scalar]], class_indices: Sequence[int]) -> Value:
    """Multiclass cross-entropy from logits: ``mean(logsumexp(row) - row[k])``.

    ``logits_rows[i]`` holds one raw score per class for sample ``i`` (e.g. the
    output list of an ``MLP(nin, [..., n_classes])``); ``class_indices[i]`` is
    its true class, an int in ``range(n_classes)``.  Equivalent to
    ``-log(softmax(row)[k])`` but stable for logits of any finite magnitude.
    """
    who = "cross_entropy"
    if not _is_sequence(logits_rows):
        raise TypeError(f"{who}: logits_rows must be a list of rows of logits, got {describe(logits_rows)}")
    if not _is_sequence(class_indices):
        raise TypeError(f"{who}: class_indices must be a list of ints, got {describe(class_indices)}")
    if len(logits_rows) != len(class_indices):
        raise ValueError(f"{who}: got {len(logits_rows)} rows of logits but {len(class_indices)} class indices")
    if not logits_rows:
        raise ValueError(f"{who}: got no samples (empty lists); the mean of nothing is undefined")
    terms: list[Value] = []
    for i, (raw, k) in enumerate(zip(logits_rows, class_indices)):
        row = _row(raw, f"logits_rows[{i}]", who)
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(f"{who}: class_indices[{i}] must be an int, got {describe(k)}")
        index = int(k)
        if not 0 <= index < len(row):
            raise ValueError(f"{who}: class_indices[{i}] = {index} is out of range for a row of {len(row)} logits")
        shifted, log_total = _shifted(row)
        terms.append(log_total - shifted[index])
    return _mean(terms)


def softmax(values: Sequence[Scalar]) -> list[Value]:
    """``exp(v_i) / sum_j exp(v_j)`` for each value, stable for any finite magnitude; differentiable."""
    row = _row(values, "values", "softmax")
    top = max(z.data for z in row)
    exps = [(z - top).exp() for z in row]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


def log_softmax(values: Sequence[Scalar]) -> list[Value]:
    """``log(softmax(values))`` computed directly (no ``log`` of an underflowed 0)."""
    shifted, log_total = _shifted(_row(values, "values", "log_softmax"))
    return [s - log_total for s in shifted]
