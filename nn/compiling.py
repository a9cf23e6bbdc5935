"""A model's per-sample loss compiled with `autograd.compile`: what ``fit(..., compile=True)`` uses.

``compile_loss(model, loss)`` traces ``loss([model(x)], [target])`` for one
sample and returns a `CompiledLoss`; calling it on a batch returns the batch
loss (the mean over samples, as every `nn` loss) and adds its gradient to
the model's parameters, like ``loss(preds, y).backward()``::

    step = compile_loss(model, cross_entropy)
    for xb, yb in minibatches(X, y, 32):
        optimizer.zero_grad()
        batch_loss = step(xb, yb)      # a float
        optimizer.step()

Targets go into the compiled code as the loss says (its ``targets``, see
`nn.losses.Loss`): as inputs for numbers (`mse_loss`), as one-hot rows for
class indices (`cross_entropy`: one trace serves every class), and as static
values for labels (`hinge_loss`, `binary_cross_entropy_with_logits`, and any
plain function: one trace per label value, two in all).

With ``metric=`` (a metric that has a traced form, see `nn.metrics`), the
metric's per-sample indicator is traced along with the loss and computed
forward only, so ``step(xb, yb, metric=True)`` also returns the batch's
metric, counted exactly as the metric counts it, from the same pass.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from autograd import Value, no_grad

from .data import one_hot
from .losses import loss_properties
from .metrics import Metric, TracedMetric, traced_form

__all__ = ["CompiledLoss", "compile_loss"]


class CompiledLoss:
    """``step(X_batch, y_batch) -> float``: the mean loss; adds its gradient to the parameters' ``.grad``."""

    def __init__(
        self,
        model: Callable[[Any], Any],
        loss: Callable[[Any, Any], Value],
        *,
        backend: str = "python",
        metric: Metric | None = None,
        **options: Any,
    ) -> None:
        import autograd

        self.model, self.loss = model, loss
        self.kind = loss_properties(loss).targets
        self.traced: TracedMetric | None = traced_form(metric) if metric is not None else None
        if metric is not None and self.traced is None:
            raise ValueError(
                f"compile_loss: the metric {getattr(metric, '__name__', metric)!r} has no traced form "
                "(nn.metrics.traced_form); compute it eagerly instead"
            )
        self.n_outputs: int | None = None
        static: tuple[int, ...] = (1,) if self.kind == "labels" else ()
        traced = self.traced

        def sample_loss(x: Any, target: Any, *metric_inputs: Any) -> Value | tuple[Value, Value]:
            output = model(x)
            value = loss([output], [target])
            return value if traced is None else (value, traced.indicator(output, *metric_inputs))

        sample_loss.__name__ = f"{getattr(loss, '__name__', 'loss')}_of_{type(model).__name__}"
        self.compiled = autograd.compile(sample_loss, backend=backend, static=static, **options)

    def _outputs(self, X: Sequence[Any]) -> int:  # noqa: N803
        """How many numbers the model returns for one sample (read once, without recording)."""
        if self.n_outputs is None:
            with no_grad():
                out = self.model(X[0])
            self.n_outputs = len(out) if isinstance(out, (list, tuple)) else 1
        return self.n_outputs

    def targets(self, y: Sequence[Any], X: Sequence[Any]) -> Sequence[Any]:  # noqa: N803
        """The targets as the compiled code takes them (one-hot rows for class indices)."""
        if self.kind != "class_indices" or not y or not isinstance(y[0], int):
            return y
        return one_hot(y, self._outputs(X))

    def columns(self, X: Sequence[Any], y: Sequence[Any]) -> list[Sequence[Any]]:  # noqa: N803
        """Every argument of the compiled function, one sequence per argument: inputs, targets, metric inputs."""
        columns: list[Sequence[Any]] = [X, self.targets(y, X)]
        if self.traced is not None:
            n, inputs = self._outputs(X), self.traced.inputs
            per_sample = [inputs(target, n) for target in y]
            columns.extend([list(column) for column in zip(*per_sample)] if per_sample and per_sample[0] else [])
        return columns

    def __call__(self, X: Sequence[Any], y: Sequence[Any]) -> float:  # noqa: N803
        with self._second_label_expected():
            return self.compiled.batch(*self.columns(X, y), reduce="mean")

    def with_metric(self, X: Sequence[Any], y: Sequence[Any]) -> tuple[float, float]:  # noqa: N803
        """The batch's mean loss (its gradient added, as a call does) and its metric, from one pass."""
        traced = self._traced()
        with self._second_label_expected():
            loss, extras = self.compiled.batch(*self.columns(X, y), reduce="mean", extras=True)
        return loss, traced.count([e[0] for e in extras], y) / len(y)

    def _traced(self) -> TracedMetric:
        if self.traced is None:
            raise TypeError("this CompiledLoss was made without metric=: it computes no metric")
        return self.traced

    def pack(self, X: Sequence[Any], y: Sequence[Any]) -> Any:  # noqa: N803
        """The training set converted once for `sgd` (see `autograd.compiler.Compiled.pack`)."""
        with self._second_label_expected():
            return self.compiled.pack(*self.columns(X, y))

    @contextlib.contextmanager
    def _second_label_expected(self) -> Iterator[None]:
        """The retrace for a static-label loss's second label value is expected, not news: no warning for it."""
        with warnings.catch_warnings():
            if self.compiled.traces < 2:
                warnings.simplefilter("ignore", category=_retrace_warning())
            yield

    def sgd(self, packed: Any, *, lr: float, batch_size: int, order: Sequence[int] | None = None) -> list[float]:
        """An epoch of plain SGD on `pack`'s samples, in ``order``; the batch losses (the C backend runs it in C)."""
        return self.compiled.sgd(packed, lr=lr, batch_size=batch_size, order=order)

    def sgd_with_metric(
        self, packed: Any, y: Sequence[Any], *, lr: float, batch_size: int, order: Sequence[int]
    ) -> tuple[list[float], list[float]]:
        """`sgd`, and each batch's metric (counted from before its step); `y` are the targets `packed` was made of."""
        traced = self._traced()
        losses, extras = self.compiled.sgd(packed, lr=lr, batch_size=batch_size, order=order, extras=True)
        numbers = [e[0] for e in extras]
        targets = [y[i] for i in order]
        metrics = []
        for start in range(0, len(order), batch_size):
            end = start + batch_size
            metrics.append(traced.count(numbers[start:end], targets[start:end]) / len(numbers[start:end]))
        return losses, metrics

    @property
    def source(self) -> str:
        return self.compiled.source


def _retrace_warning() -> type[Warning]:
    from autograd.compiler import RetraceWarning

    return RetraceWarning


def compile_loss(
    model: Callable[[Any], Any],
    loss: Callable[[Any, Any], Value],
    *,
    backend: str = "python",
    metric: Metric | None = None,
    **options: Any,
) -> CompiledLoss:
    """Compile ``loss([model(x)], [target])`` per sample (see the module docstring).

    With ``metric=`` (`binary_accuracy`, `categorical_accuracy`), `CompiledLoss.with_metric`
    also counts the metric from the same compiled pass.  Options (``verify=``,
    ``strict=``, ``cache_dir=``, ...) go to `autograd.compile`.
    """
    return CompiledLoss(model, loss, backend=backend, metric=metric, **options)
