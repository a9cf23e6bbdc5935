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

Targets are passed to the compiled code as inputs where the loss allows it
(numbers for `mse_loss`; one-hot rows for `cross_entropy`'s class indices,
so one trace serves every class) and as static values otherwise (the labels
of `hinge_loss` and `binary_cross_entropy_with_logits` are checked as plain
numbers: one trace per label value, two in all).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from autograd import Value, no_grad

from .data import one_hot
from .losses import cross_entropy, mse_loss

__all__ = ["CompiledLoss", "compile_loss"]


class CompiledLoss:
    """``step(X_batch, y_batch) -> float``: the mean loss; adds its gradient to the parameters' ``.grad``."""

    def __init__(
        self, model: Callable[[Any], Any], loss: Callable[[Any, Any], Value], *, backend: str = "python", **options: Any
    ) -> None:
        import autograd

        self.model, self.loss = model, loss
        self.n_classes: int | None = None
        static: tuple[int, ...] = () if loss is cross_entropy or loss is mse_loss else (1,)

        def sample_loss(x: Any, target: Any) -> Value:
            return loss([model(x)], [target])

        sample_loss.__name__ = f"{getattr(loss, '__name__', 'loss')}_of_{type(model).__name__}"
        self.compiled = autograd.compile(sample_loss, backend=backend, static=static, **options)

    def targets(self, y: Sequence[Any], X: Sequence[Any]) -> Sequence[Any]:  # noqa: N803
        """The targets as the compiled code takes them (one-hot rows for `cross_entropy`'s class indices)."""
        if self.loss is not cross_entropy or not y or not isinstance(y[0], int):
            return y
        if self.n_classes is None:
            with no_grad():
                self.n_classes = len(self.model(X[0]))
        return one_hot(y, self.n_classes)

    def __call__(self, X: Sequence[Any], y: Sequence[Any]) -> float:  # noqa: N803
        with self._second_label_expected():
            return self.compiled.batch(X, self.targets(y, X), reduce="mean")

    def pack(self, X: Sequence[Any], y: Sequence[Any]) -> Any:  # noqa: N803
        """The training set converted once for `sgd` (see `autograd.compiler.Compiled.pack`)."""
        with self._second_label_expected():
            return self.compiled.pack(X, self.targets(y, X))

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

    @property
    def source(self) -> str:
        return self.compiled.source


def _retrace_warning() -> type[Warning]:
    from autograd.compiler import RetraceWarning

    return RetraceWarning


def compile_loss(
    model: Callable[[Any], Any], loss: Callable[[Any, Any], Value], *, backend: str = "python", **options: Any
) -> CompiledLoss:
    """Compile ``loss([model(x)], [target])`` per sample (see the module docstring).

    Options (``verify=``, ``strict=``, ``cache_dir=``, ...) go to `autograd.compile`.
    """
    return CompiledLoss(model, loss, backend=backend, **options)
