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

Each loss is a `Loss`: called like the function it wraps, and carrying what
`fit` and `compile_loss` need to know about it: how its targets enter compiled
code (``targets``), the metric `fit` reports by default (``metric``), and the
check of one target (``check_target``), which `fit` runs on every training and
validation target before the first step.  Wrap your own loss the same way
(``Loss(my_loss, targets="numbers")``) to tell `fit` those things.

Everything that involves ``exp`` is computed stably, for logits of any finite
magnitude (1000 and beyond): the binary cross-entropy through `softplus`
(``log(1 + exp(z))`` computed as ``max(z, 0) + log1p(exp(-|z|))``, defined with
`autograd.defop` and whose derivative is ``sigmoid``), and the multiclass
ones through log-sum-exp, shifting each row by its largest logit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, Literal, ParamSpec

from autograd import Value, defop, detached_max, sigmoid
from autograd.checks import check_int, check_real, check_sequence, describe, is_real
from autograd.value import Operand, as_value

from .metrics import Metric, binary_accuracy, categorical_accuracy

__all__ = [
    "Loss",
    "loss_function",
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "softmax",
    "log_softmax",
    "softplus",
]


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


softplus = defop(
    "softplus",
    _softplus,
    lambda x, out: sigmoid(x),
    code={  # C for autograd.compile(backend="c")
        "c": (
            "(fmax({0}, 0.0) + log1p(exp(-fabs({0}))))",
            ("({0} >= 0.0 ? 1.0 / (1.0 + exp(-{0})) : exp({0}) / (1.0 + exp({0})))",),
        ),
    },
)
"""``log(1 + exp(x))`` computed without overflow; its derivative is ``sigmoid(x)``."""


# ------------------------------------------------------------------ checking arguments


def _operand(x: object, what: str) -> Operand:
    """A prediction, target or logit: a `Value` as is, else a real number (not a bool) as a float."""
    return x if isinstance(x, Value) else check_real(x, what)


def _samples(preds: object, targets: object, who: str) -> tuple[list[Operand], list[object]]:
    """Both arguments as equally long, non-empty lists (a bare scalar pair is one sample)."""
    if isinstance(preds, Value) or is_real(preds):
        preds = [preds]
        if isinstance(targets, Value) or is_real(targets):
            targets = [targets]
    ps = check_sequence(preds, f"{who}: predictions")
    ts = check_sequence(targets, f"{who}: targets")
    if len(ps) != len(ts):
        raise ValueError(f"{who}: got {len(ps)} predictions but {len(ts)} targets; they must match")
    if not ps:
        raise ValueError(f"{who}: got no samples (empty lists); the mean of nothing is undefined")
    return [_operand(p, f"{who}: predictions[{i}]") for i, p in enumerate(ps)], ts


def _total(terms: Sequence[Value]) -> Value:
    """``terms[0] + terms[1] + ...`` for at least one term (no ``0 +`` node, unlike ``sum(terms)``)."""
    return sum(terms[1:], terms[0])


def _mean(terms: list[Value]) -> Value:
    return _total(terms) / len(terms)


# ------------------------------------------------------------------ what a loss says about itself

_P = ParamSpec("_P")

TargetKind = Literal["numbers", "labels", "class_indices"]
"""How a loss's targets enter compiled code (`compile_loss`):

* ``"numbers"``: any real numbers, passed as inputs (one trace for all);
* ``"labels"``: a few label values (-1/+1, 0/1), frozen into the code (one
  trace per value); also what an unwrapped loss function gets;
* ``"class_indices"``: ints, passed as one-hot rows (one trace for all classes).
"""

_TARGET_KINDS = ("numbers", "labels", "class_indices")


class Loss(Generic[_P]):
    """A loss function and what `fit` and `compile_loss` need to know about it.

    Call it as the function it wraps.  Attributes:
        targets: a `TargetKind`.
        metric: what ``fit(metric="auto")`` reports (`binary_accuracy`,
            `categorical_accuracy`), or ``None``.
        check_target: ``check_target(target, where)`` raises `TypeError` or
            `ValueError` for a target this loss refuses (``where`` names it in
            the message, e.g. ``"y[3]"``); ``None`` accepts anything.
    """

    def __init__(
        self,
        fn: Callable[_P, Value],
        *,
        targets: TargetKind = "labels",
        metric: Metric | None = None,
        check_target: Callable[[object, str], object] | None = None,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"Loss wraps a function (predictions, targets) -> Value, got {describe(fn)}")
        if targets not in _TARGET_KINDS:
            raise ValueError(f"Loss(targets=...) must be one of {_TARGET_KINDS}, got {targets!r}")
        self.fn, self.targets, self.metric, self.check_target = fn, targets, metric, check_target
        functools.update_wrapper(self, fn)

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> Value:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<loss {getattr(self.fn, '__name__', 'loss')}: targets={self.targets!r}>"

    def __reduce__(self) -> str:
        """Pickle (and copy) a loss by reference, as a function is: by its module and name."""
        return str(getattr(self, "__qualname__", ""))


def loss_function(
    *,
    targets: TargetKind = "labels",
    metric: Metric | None = None,
    check_target: Callable[[object, str], object] | None = None,
) -> Callable[[Callable[_P, Value]], Loss[_P]]:
    """Decorate a loss function to make it a `Loss` with these properties (as `nn`'s own losses are made)."""

    def wrap(fn: Callable[_P, Value]) -> Loss[_P]:
        return Loss(fn, targets=targets, metric=metric, check_target=check_target)

    return wrap


def loss_properties(loss: Callable[..., Any]) -> Loss[...]:
    """`loss` as a `Loss`: itself, or a plain function wrapped with the defaults (static labels, no metric)."""
    return loss if isinstance(loss, Loss) else Loss(loss)


def _real_target(target: object, where: str) -> None:
    if not isinstance(target, Value):
        check_real(target, f"mse_loss: {where}")


def _pm1(target: object, where: str) -> float:
    label = check_real(target, f"hinge_loss: {where}")
    if label != 1.0 and label != -1.0:
        raise ValueError(
            f"hinge_loss: labels must be -1 or +1, got {where} = {target!r}"
            " (for 0/1 labels use 2*y - 1, or binary_cross_entropy_with_logits)"
        )
    return label


def _probability(target: object, where: str) -> float:
    label = check_real(target, f"binary_cross_entropy_with_logits: {where}")
    if not 0.0 <= label <= 1.0:
        raise ValueError(
            f"binary_cross_entropy_with_logits: labels must be 0 or 1 (or in between), "
            f"got {where} = {target!r} (for -1/+1 labels use (y + 1) / 2, or hinge_loss)"
        )
    return label


def _class_target(target: object, where: str) -> None:
    """An int class index >= 0, or a row of class probabilities (numbers)."""
    if not isinstance(target, int) and isinstance(target, Sequence) and not isinstance(target, (str, bytes)):
        for j, p in enumerate(target):
            _operand(p, f"cross_entropy: {where}[{j}]")
        return
    check_int(target, f"cross_entropy: {where}", 0)


# ------------------------------------------------------------------ losses


@loss_function(targets="numbers", check_target=_real_target)
def mse_loss(preds: Sequence[Operand] | Operand, targets: Sequence[Operand] | Operand) -> Value:
    """Mean squared error: ``mean((p - t) ** 2)``.

    Targets may be numbers or `Value`s (then the loss is differentiable in them too).
    """
    ps, ts = _samples(preds, targets, "mse_loss")
    terms = []
    for i, (p, t) in enumerate(zip(ps, ts)):
        d = as_value(p) - _operand(t, f"mse_loss: targets[{i}]")
        terms.append(d * d)
    return _mean(terms)


@loss_function(targets="labels", metric=binary_accuracy, check_target=_pm1)
def hinge_loss(scores: Sequence[Operand] | Operand, labels: Sequence[float] | float) -> Value:
    """The max-margin (SVM) loss of micrograd's demo: ``mean(relu(1 - y * s))`` for labels ``y`` in {-1, +1}.

    A sample costs nothing once its score is on the right side with a margin
    of at least 1.  For 0/1 labels, pass ``[2 * y - 1 for y in labels]``.
    """
    ss, ys = _samples(scores, labels, "hinge_loss")
    terms = []
    for i, (s, y) in enumerate(zip(ss, ys)):
        label = _pm1(y, f"labels[{i}]")
        terms.append((1.0 - as_value(s) * label).relu())
    return _mean(terms)


@loss_function(targets="labels", metric=binary_accuracy, check_target=_probability)
def binary_cross_entropy_with_logits(logits: Sequence[Operand] | Operand, labels: Sequence[float] | float) -> Value:
    """Binary cross-entropy of ``sigmoid(logit)`` against labels 0/1, computed from the logits.

    Per sample: ``-y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z))``, which is
    ``softplus(-z)`` for ``y = 1`` and ``softplus(z)`` for ``y = 0`` (labels in
    between mix the two).  Stable for any finite logit; the gradient with
    respect to ``z`` is ``sigmoid(z) - y``.
    """
    zs, ys = _samples(logits, labels, "binary_cross_entropy_with_logits")
    terms = []
    for i, (z, y) in enumerate(zip(zs, ys)):
        label = _probability(y, f"labels[{i}]")
        zv = as_value(z)
        if label == 1.0:
            terms.append(softplus(-zv))
        elif label == 0.0:
            terms.append(softplus(zv))
        else:
            terms.append((1.0 - label) * softplus(zv) + label * softplus(-zv))
    return _mean(terms)


def _row(row: object, where: str, who: str) -> list[Value]:
    items = check_sequence(row, f"{who}: {where} (one logit per class)")
    if not items:
        raise ValueError(f"{who}: {where} is empty; it needs one logit per class")
    return [as_value(_operand(z, f"{who}: {where}[{j}]")) for j, z in enumerate(items)]


def _top(row: list[Value]) -> Value:
    """The row's largest logit as a node that passes no gradient (the shift cancels in the gradient).

    Kept in the graph, not read out of ``.data``, so `autograd.compile` can trace it.
    """
    top = row[0]
    for z in row[1:]:
        top = detached_max(top, z)
    return top


def _shifted(row: list[Value]) -> tuple[list[Value], Value]:
    """(row minus its max, log of the sum of exps of that): the stable pieces of log-softmax."""
    top = _top(row)
    shifted = [z - top for z in row]
    return shifted, _total([s.exp() for s in shifted]).log()


@loss_function(targets="class_indices", metric=categorical_accuracy, check_target=_class_target)
def cross_entropy(
    logits_rows: Sequence[Sequence[Operand]], class_indices: Sequence[int] | Sequence[Sequence[Operand]]
) -> Value:
    """Multiclass cross-entropy from logits: ``mean(logsumexp(row) - row[k])``.

    ``logits_rows[i]`` holds one raw score per class for sample ``i`` (e.g. the
    output list of an ``MLP(nin, [..., n_classes])``); ``class_indices[i]`` is
    its true class, an int in ``range(n_classes)``, or a row of class
    probabilities (one-hot ``[0, 0, 1, 0]`` for class 2, as PyTorch accepts),
    giving ``logsumexp(row) - sum_j p_j * row[j]``: the form `autograd.compile`
    traces once for all classes.  Equivalent to ``-log(softmax(row)[k])`` but
    stable for logits of any finite magnitude.
    """
    who = "cross_entropy"
    rows = check_sequence(logits_rows, f"{who}: logits_rows (rows of logits)")
    indices = check_sequence(class_indices, f"{who}: class_indices (ints)")
    if len(rows) != len(indices):
        raise ValueError(f"{who}: got {len(rows)} rows of logits but {len(indices)} class indices")
    if not rows:
        raise ValueError(f"{who}: got no samples (empty lists); the mean of nothing is undefined")
    terms: list[Value] = []
    for i, (raw, k) in enumerate(zip(rows, indices)):
        row = _row(raw, f"logits_rows[{i}]", who)
        if not isinstance(k, int) and isinstance(k, Sequence) and not isinstance(k, (str, bytes)):
            probs = [_operand(p, f"{who}: class_indices[{i}][{j}]") for j, p in enumerate(k)]
            if len(probs) != len(row):
                raise ValueError(
                    f"{who}: class_indices[{i}] has {len(probs)} class probabilities for a row of "
                    f"{len(row)} logits; they must match"
                )
            shifted, log_total = _shifted(row)
            terms.append(log_total - _total([p * s for p, s in zip(probs, shifted)]))
            continue
        index = check_int(k, f"{who}: class_indices[{i}]")
        if not 0 <= index < len(row):
            raise ValueError(f"{who}: class_indices[{i}] = {index} is out of range for a row of {len(row)} logits")
        shifted, log_total = _shifted(row)
        terms.append(log_total - shifted[index])
    return _mean(terms)


def softmax(values: Sequence[Operand]) -> list[Value]:
    """``exp(v_i) / sum_j exp(v_j)`` for each value, stable for any finite magnitude; differentiable."""
    row = _row(values, "values", "softmax")
    top = _top(row)
    exps = [(z - top).exp() for z in row]
    total = _total(exps)
    return [e / total for e in exps]


def log_softmax(values: Sequence[Operand]) -> list[Value]:
    """``log(softmax(values))`` computed directly (no ``log`` of an underflowed 0)."""
    shifted, log_total = _shifted(_row(values, "values", "log_softmax"))
    return [s - log_total for s in shifted]
