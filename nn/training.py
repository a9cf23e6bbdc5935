"""`fit`: epochs of minibatch gradient descent with a progress bar, returning a plottable `History`.

One call replaces the loop every seed post writes out by hand::

    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=50, batch_size=16, validation_data=(X_test, y_test))
    plt.plot(history.epoch, history.loss)

For each minibatch it runs the forward pass, the loss, ``optimizer.zero_grad()``,
``backward()`` and ``optimizer.step()``.  The progress bar is tqdm's
(``tqdm.auto``, so a widget in notebooks) when tqdm is installed, a few plain
lines on stderr otherwise, and nothing with ``progress=False``.
"""

from __future__ import annotations

import importlib
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from autograd import Value, no_grad
from autograd.checks import check_int

from .data import minibatches
from .losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss
from .metrics import binary_accuracy, categorical_accuracy
from .optim import Optimizer
from .seeding import Seed, make_rng

__all__ = ["fit", "evaluate", "History", "Metric"]

LossFn = Callable[[Any, Any], Value]
"""``loss(predictions, targets) -> Value``, like `mse_loss` or `hinge_loss`."""

Metric = Callable[[Any, Any], float]
"""``metric(predictions, targets) -> float``, like `binary_accuracy`."""

MetricArg = Metric | Literal["auto"] | None


@dataclass
class History:
    """What `fit` measured, one entry per epoch, ready to plot (``plt.plot(h.epoch, h.loss)``).

    ``loss`` and ``accuracy`` are averaged over the epoch's minibatches
    (weighted by their size) as they were computed during training, before
    each step; the ``val_`` lists are measured on the validation data after
    the epoch.  A list stays empty when there is nothing to measure (no
    metric, no validation data).
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    """Wall-clock time of each epoch."""

    def as_dict(self) -> dict[str, list[Any]]:
        """The lists by name (a new dict), e.g. for ``json.dump`` or a DataFrame."""
        return {name: list(getattr(self, name)) for name in self.__dataclass_fields__}

    def __getitem__(self, name: str) -> list[Any]:
        if name not in self.__dataclass_fields__:
            raise KeyError(f"History has no {name!r}; it has {', '.join(self.__dataclass_fields__)}")
        values: list[Any] = getattr(self, name)
        return values

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        if not self.epoch:
            return "History(0 epochs)"
        last = {name: getattr(self, name)[-1] for name in ("loss", "accuracy", "val_loss", "val_accuracy")
                if getattr(self, name)}
        shown = ", ".join(f"{name}={value:.4g}" for name, value in last.items())
        return f"History({len(self.epoch)} epochs, last: {shown})"


def _auto_metric(loss: LossFn) -> Metric | None:
    if loss is hinge_loss or loss is binary_cross_entropy_with_logits:
        return binary_accuracy
    if loss is cross_entropy:
        return categorical_accuracy
    return None


def _resolve_metric(metric: MetricArg, loss: LossFn) -> Metric | None:
    if metric == "auto":
        return _auto_metric(loss)
    if metric is None or callable(metric):
        return metric
    raise TypeError(f"metric must be 'auto', None or a callable (predictions, targets) -> float, got {metric!r:.40}")


def evaluate(
    model: Callable[[Any], Any],
    X: Sequence[Any],  # noqa: N803 - X and y, as in scikit-learn
    y: Sequence[Any],
    loss: LossFn,
    metric: MetricArg = "auto",
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)``, computed without recording a graph.

    ``accuracy`` is ``None`` when there is no metric (``metric="auto"`` picks
    `binary_accuracy` for `hinge_loss` and `binary_cross_entropy_with_logits`,
    `categorical_accuracy` for `cross_entropy`, nothing for `mse_loss`).
    """
    if len(X) != len(y):
        raise ValueError(f"evaluate: X has {len(X)} samples but y has {len(y)}")
    chosen = _resolve_metric(metric, loss)
    with no_grad():
        preds = [model(x) for x in X]
        value = loss(preds, y).data + 0.0  # + 0.0: a -0.0 (from relu) reads as 0.0
        return value, (chosen(preds, y) if chosen is not None else None)


class _Progress(Protocol):
    def update(self, epoch: int, stats: dict[str, float]) -> None: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, epoch: int, stats: dict[str, float]) -> None:
        pass

    def close(self) -> None:
        pass


class _Plain:
    """tqdm's stand-in: about ten lines on stderr (first, last and evenly spaced epochs)."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc = total, desc
        self.every = max(1, math.ceil(total / 10))

    def update(self, epoch: int, stats: dict[str, float]) -> None:
        if epoch == 1 or epoch == self.total or epoch % self.every == 0:
            shown = "  ".join(f"{name} {value:.4f}" for name, value in stats.items())
            width = len(str(self.total))
            print(f"{self.desc} epoch {epoch:>{width}}/{self.total}  {shown}", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


class _Tqdm:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def update(self, epoch: int, stats: dict[str, float]) -> None:
        short = {name.replace("accuracy", "acc"): f"{value:.4f}" for name, value in stats.items()}
        self.bar.set_postfix(short, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _progress(total: int, enabled: bool, desc: str) -> _Progress:
    if not enabled:
        return _Silent()
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        return _Plain(total, desc)
    return _Tqdm(tqdm(total=total, desc=desc, unit="epoch"))


def fit(
    model: Callable[[Any], Any],
    X: Sequence[Any],  # noqa: N803
    y: Sequence[Any],
    *,
    loss: LossFn,
    optimizer: Optimizer,
    epochs: int = 10,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: Seed = None,
    validation_data: tuple[Sequence[Any], Sequence[Any]] | None = None,
    metric: MetricArg = "auto",
    lr_schedule: Callable[[int], float] | None = None,
    progress: bool = True,
    desc: str = "training",
    callback: Callable[[int, History], bool | None] | None = None,
    compile: bool | str = False,  # noqa: A002 - the option's natural name, as torch.compile
) -> History:
    """Train ``model`` on ``(X, y)`` by minibatch gradient descent; return the per-epoch `History`.

    Args:
        model: called on one row of ``X`` at a time (an `MLP`, a `Neuron`, or any
            function of a row that returns a `Value` or a list of them).
        X, y: the training inputs (rows) and targets.
        loss: ``loss(predictions, targets) -> Value`` over a batch, e.g. `hinge_loss`.
        optimizer: an `SGD`/`Adam`/... over the model's parameters.
        epochs: passes over the training data.
        batch_size: samples per step; ``None`` (default) is the whole set (full batch),
            1 is the seed posts' per-sample SGD.
        shuffle: draw each epoch's batches in a fresh random order.
        seed: for the shuffling: ``None`` (global `random`), an int or a `random.Random`.
        validation_data: ``(X_val, y_val)`` measured after each epoch (no graph recorded).
        metric: ``"auto"`` (accuracy for `hinge_loss`, `binary_cross_entropy_with_logits`
            and `cross_entropy`, none for `mse_loss`), ``None``, or a callable
            ``(predictions, targets) -> float``.
        lr_schedule: ``lr_schedule(epoch) -> lr``, applied at the start of each
            epoch (epochs count from 0), e.g. ``lambda k: 1.0 - 0.9 * k / epochs``.
        progress: show a progress bar (tqdm if installed, else plain lines on stderr).
        desc: the progress bar's label.
        callback: ``callback(epoch, history)`` after each epoch (from 1); returning
            ``True`` stops training early.
        compile: ``True`` (or ``"python"``) or ``"c"``: run each batch's forward and
            backward as code generated by `autograd.compile` from one sample's
            traced loss (see `nn.compiling`): same weights as eager to rounding,
            many times faster.  The training ``accuracy`` is then not measured
            (it needs the eager forward pass); validation metrics still are.

    Returns:
        The `History`: ``epoch``, ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``,
        ``lr`` and ``seconds`` lists, one entry per epoch.
    """
    n = len(X)
    if n != len(y):
        raise ValueError(f"fit: X has {n} samples but y has {len(y)}; they must match")
    if n == 0:
        raise ValueError("fit: no training samples")
    epochs = check_int(epochs, "fit: epochs", 0)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn optimizer (SGD, Adam, ...), got {type(optimizer).__name__}")
    size = n if batch_size is None else batch_size
    chosen = _resolve_metric(metric, loss)
    rng = make_rng(seed)
    history = History()
    step = None
    if compile:
        from .compiling import compile_loss

        step = compile_loss(model, loss, backend="python" if compile is True else str(compile))
        chosen = None
    bar = _progress(epochs, progress, desc)
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            total_loss = total_metric = 0.0
            for x_batch, y_batch in minibatches(X, y, size, shuffle=shuffle, seed=rng):
                if step is not None:
                    optimizer.zero_grad()
                    total_loss += step(x_batch, y_batch) * len(x_batch)
                    optimizer.step()
                    continue
                preds = [model(x) for x in x_batch]
                batch_loss = loss(preds, y_batch)
                optimizer.zero_grad()
                batch_loss.backward()
                optimizer.step()
                total_loss += batch_loss.data * len(x_batch)
                if chosen is not None:
                    total_metric += chosen(preds, y_batch) * len(x_batch)
            history.epoch.append(epoch + 1)
            history.lr.append(optimizer.lr)
            history.loss.append(total_loss / n)
            stats = {"loss": total_loss / n}
            if chosen is not None:
                history.accuracy.append(total_metric / n)
                stats["accuracy"] = total_metric / n
            if validation_data is not None:
                val_loss, val_metric = evaluate(model, *validation_data, loss=loss,
                                                metric=_resolve_metric(metric, loss) if step else chosen)
                history.val_loss.append(val_loss)
                stats["val_loss"] = val_loss
                if val_metric is not None:
                    history.val_accuracy.append(val_metric)
                    stats["val_accuracy"] = val_metric
            history.seconds.append(time.perf_counter() - start)
            bar.update(epoch + 1, stats)
            if callback is not None and callback(epoch + 1, history):
                break
    finally:
        bar.close()
    return history
