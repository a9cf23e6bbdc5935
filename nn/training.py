"""`fit`: epochs of minibatch gradient descent with a progress bar, returning a plottable `History`.

One call replaces the loop every seed post writes out by hand::

    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=50, batch_size=16, validation_data=(X_test, y_test))
    plt.plot(history.epoch, history.loss)

For each minibatch it runs the forward pass, the loss, ``optimizer.zero_grad()``,
``backward()`` and ``optimizer.step()``.  How an epoch runs is a strategy with
one method, ``run_epoch(order, batch_size, epoch)``: eagerly (`_Eager`),
compiled batch by batch (`_Compiled`), or whole epochs inside a backend
(`_WholeEpochs`); each returns the same sums, so the `History` has the same
fields whichever runs.  The progress bar is tqdm's
(``tqdm.auto``, so a widget in notebooks) when tqdm is installed, a few plain
lines on stderr otherwise (with a one-time note that the ``progress`` extra
gives a bar), plain lines on stdout with ``progress="text"`` (or every N
epochs with ``progress=N``; they survive in a saved notebook, no widget
needed), and nothing with ``progress=False``.

Every argument is checked before the first step.  If the loss becomes
infinite or NaN, `fit` stops before applying that step (the parameters keep
their last finite values), warns once with the advice to lower the learning
rate, and returns the history of the finished epochs.
"""

from __future__ import annotations

import importlib
import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal, NamedTuple, Protocol

from autograd import Value, no_grad
from autograd._installation import missing
from autograd.checks import check_int, check_sequence, describe, is_real

from .compiling import CompiledLoss, compile_loss
from .data import batches_in_order, epoch_order
from .losses import loss_properties
from .metrics import Metric, traced_form
from .optim import SGD, Optimizer
from .seeding import Seed, make_rng

__all__ = ["fit", "evaluate", "History", "Metric"]

LossFn = Callable[[Any, Any], Value]
"""``loss(predictions, targets) -> Value``, like `mse_loss` or `hinge_loss`."""

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
        last = {
            name: getattr(self, name)[-1]
            for name in ("loss", "accuracy", "val_loss", "val_accuracy")
            if getattr(self, name)
        }
        shown = ", ".join(f"{name}={value:.4g}" for name, value in last.items())
        return f"History({len(self.epoch)} epochs, last: {shown})"

    # ------------------------------------------------------------ display

    _CURVES = ("loss", "val_loss", "accuracy", "val_accuracy")

    def _shown_epochs(self, most: int = 6) -> list[int]:
        """Indices of a few epochs spread over the run, the first and the last included."""
        n = len(self.epoch)
        if n <= most:
            return list(range(n))
        return sorted({round(k * (n - 1) / (most - 1)) for k in range(most)})

    def _table_rows(self) -> tuple[list[str], list[list[str]]]:
        columns = ["epoch", *(name for name in (*self._CURVES, "lr") if getattr(self, name))]
        rows = []
        for i in self._shown_epochs():
            rows.append([str(self.epoch[i]), *(f"{getattr(self, name)[i]:.4g}" for name in columns[1:])])
        return columns, rows

    def summary(self) -> str:
        """A few epochs as a plain-text table (what `plot` returns when matplotlib is not installed)."""
        if not self.epoch:
            return "History(0 epochs)"
        columns, rows = self._table_rows()
        widths = [max(len(cell) for cell in column) for column in zip(columns, *rows)]
        lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in [columns, *rows]]
        return f"History of {len(self.epoch)} epochs\n" + "\n".join(lines)

    def plot(self) -> Any:
        """The curves as a matplotlib ``Figure``: loss (left) and accuracy (right), training and validation.

        The figure is not shown by itself: in a notebook it displays as a
        cell's result; elsewhere ``history.plot().savefig("curves.png")``.
        Without matplotlib (the ``plot`` extra) it returns `summary`'s text
        and how to install matplotlib, instead of raising.  (Typed ``Any``:
        matplotlib is optional, so its types are not needed to check this
        package.)
        """
        try:
            figure_module = importlib.import_module("matplotlib.figure")
        except ImportError:
            return self.summary() + "\n" + missing("History.plot", "matplotlib")
        accuracy = bool(self.accuracy or self.val_accuracy)
        fig = figure_module.Figure(figsize=(10 if accuracy else 5, 3.6), layout="constrained")
        axes = fig.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
        for ax, names, label in zip(axes, (("loss", "val_loss"), ("accuracy", "val_accuracy")), ("loss", "accuracy")):
            for name in names:
                values = getattr(self, name)
                if values:
                    ax.plot(
                        self.epoch[: len(values)], values, label="validation" if name.startswith("val") else "train"
                    )
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.legend()
        return fig

    def _repr_html_(self) -> str:
        """Jupyter's display: the loss curves as a small inline SVG and a table of a few epochs."""
        if not self.epoch:
            return "<div class='valuegrad-history'>History (0 epochs)</div>"
        columns, rows = self._table_rows()
        head = "".join(f"<th>{escape(name)}</th>" for name in columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        return (
            f"<div class='valuegrad-history'><b>History</b>: {len(self.epoch)} epochs<br>{self._svg()}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def _svg(self, width: int = 320, height: int = 90) -> str:
        """The loss (blue) and validation loss (orange) against the epoch, as an inline SVG (no matplotlib)."""
        curves = [(values, colour) for values, colour in ((self.loss, "#1f77b4"), (self.val_loss, "#ff7f0e")) if values]
        finite = [v for values, _ in curves for v in values if math.isfinite(v)]
        if not finite or len(self.epoch) < 2:
            return ""
        low, high = min(finite), max(finite)
        span = (high - low) or 1.0
        lines = []
        for values, colour in curves:
            points = " ".join(
                f"{4 + (width - 8) * i / (len(self.epoch) - 1):.1f},{4 + (height - 8) * (high - v) / span:.1f}"
                for i, v in enumerate(values)
                if math.isfinite(v)
            )
            lines.append(f"<polyline fill='none' stroke='{colour}' stroke-width='1.5' points='{points}'/>")
        return (
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
            f"aria-label='loss per epoch, between {low:.4g} and {high:.4g}'>{''.join(lines)}</svg>"
        )


def _resolve_metric(metric: MetricArg, loss: LossFn) -> Metric | None:
    if metric == "auto":
        return loss_properties(loss).metric  # what the loss says it is measured by
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
    """tqdm's stand-in: about ten lines (first, last and evenly spaced epochs), or one every ``every`` epochs."""

    def __init__(self, total: int, desc: str, every: int | None = None, stream: Any = None) -> None:
        self.total, self.desc = total, desc
        self.every = every if every is not None else max(1, math.ceil(total / 10))
        self.stream = stream

    def update(self, epoch: int, stats: dict[str, float]) -> None:
        if epoch == 1 or epoch == self.total or epoch % self.every == 0:
            shown = "  ".join(f"{name} {value:.4f}" for name, value in stats.items())
            width = len(str(self.total))
            stream = self.stream if self.stream is not None else sys.stderr
            print(f"{self.desc} epoch {epoch:>{width}}/{self.total}  {shown}", file=stream, flush=True)

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


Progress = bool | int | Literal["text"]
"""``True`` (a tqdm bar, or plain lines without tqdm), ``False``, ``"text"`` (about ten lines on stdout) or N."""

_hinted = False  # whether fit has said that tqdm gives a progress bar


def _check_progress(progress: object) -> Progress:
    if progress is True or progress is False:
        return progress
    if progress == "text":
        return "text"
    if isinstance(progress, int) and not isinstance(progress, bool) and progress >= 1:
        return progress
    raise TypeError(
        f"fit: progress must be True, False, 'text' or an int N >= 1 (a line every N epochs), got {describe(progress)}"
    )


def _progress(total: int, progress: Progress, desc: str) -> _Progress:
    global _hinted
    if progress is False:
        return _Silent()
    if progress == "text":
        return _Plain(total, desc, stream=sys.stdout)
    if progress is not True:
        return _Plain(total, desc, every=int(progress), stream=sys.stdout)
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        if not _hinted:
            _hinted = True
            print(
                missing(
                    "fit's progress bar",
                    "tqdm",
                    "Without it fit prints plain lines; progress='text' chooses them and progress=False nothing.",
                ),
                file=sys.stderr,
                flush=True,
            )
        return _Plain(total, desc)
    return _Tqdm(tqdm(total=total, desc=desc, unit="epoch"))


def _row_shape(row: object) -> int | None:
    """None for a bare number or Value, the length for a row of inputs, -1 for anything else."""
    if isinstance(row, Value) or is_real(row):
        return None
    try:
        return len(check_sequence(row, "row"))
    except TypeError:
        return -1


def _check_data(X: Any, y: Any, what: str) -> int:  # noqa: N803
    for name, data in (("X", X), ("y", y)):
        if isinstance(data, (str, bytes, bytearray, dict, set, frozenset)) or not hasattr(data, "__len__"):
            raise TypeError(
                f"fit: {what}{name} must be a sequence of samples (a list, tuple or array), got {describe(data)}"
            )
    n = len(X)
    if n != len(y):
        raise ValueError(f"fit: {what}X has {n} samples but {what}y has {len(y)}; they must match")
    return n


def _check_fit_arguments(
    X: Any,  # noqa: N803 - X and y, as in scikit-learn
    y: Any,
    loss: object,
    optimizer: object,
    epochs: object,
    batch_size: object,
    shuffle: object,
    validation_data: object,
    lr_schedule: object,
    desc: object,
    callback: object,
    compile: object = False,  # noqa: A002
) -> tuple[int, int, int]:
    """Every check fit makes before training: (number of samples, epochs, batch size)."""
    n = _check_data(X, y, "")
    if n == 0:
        raise ValueError("fit: no training samples")
    epochs = check_int(epochs, "fit: epochs", 0)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn optimizer (SGD, Adam, ...), got {type(optimizer).__name__}")
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function (predictions, targets) -> Value, got {describe(loss)}")
    size = n if batch_size is None else check_int(batch_size, "fit: batch_size", 1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"fit: shuffle must be True or False, got {describe(shuffle)}")
    for name, fn in (("lr_schedule", lr_schedule), ("callback", callback)):
        if fn is not None and not callable(fn):
            raise TypeError(f"fit: {name} must be a function or None, got {describe(fn)}")
    if not isinstance(desc, str):
        raise TypeError(f"fit: desc must be a str, got {describe(desc)}")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            shown = (
                f"a {type(validation_data).__name__} of {len(validation_data)} items"
                if isinstance(validation_data, (tuple, list))
                else describe(validation_data)
            )
            raise TypeError(f"fit: validation_data must be a pair (X_val, y_val), got {shown}")
        X_val, y_val = validation_data  # noqa: N806
        if _check_data(X_val, y_val, "validation_data: ") == 0:
            raise ValueError("fit: validation_data has no samples")
        if _row_shape(X_val[0]) != _row_shape(X[0]):
            raise ValueError(
                f"fit: validation_data's first row {describe(X_val[0])} is not shaped like X's "
                f"{describe(X[0])}; pass validation_data=(X_val, y_val)"
            )
    check_target = loss_properties(loss).check_target
    if check_target is not None:  # every label now, not at the first batch or epoch that meets a bad one
        for what, targets in (("y", y), ("validation_data's y", validation_data[1] if validation_data else ())):
            for i, target in enumerate(targets):
                check_target(target, f"fit: {what}[{i}]")
    if not isinstance(compile, (bool, str)):
        raise TypeError(
            f"fit: compile must be True, False or a backend's name ('python', 'c'), got {describe(compile)}"
        )
    if isinstance(compile, str):
        from autograd.compiler.backends import get_backend

        get_backend(compile)  # an unknown name fails now, naming the backends there are
    return n, epochs, size


def _warn_non_finite(loss: float, epoch: int, batch: int, lr: float) -> None:
    """The one warning `fit` gives when it stops on an infinite or NaN loss (pointing at fit's caller)."""
    warnings.warn(
        f"fit: the loss became {loss} in epoch {epoch + 1} (batch {batch}); training stopped before "
        f"that step. Lower the learning rate (it is {lr:g}) or scale the inputs.",
        RuntimeWarning,
        stacklevel=3,
    )


def _plain_sgd(optimizer: Optimizer) -> bool:
    """Is this `SGD` without momentum, weight decay or maximize, with one learning rate (the rule C can run)?"""
    if type(optimizer) is not SGD:
        return False
    groups = optimizer.param_groups
    return all(
        g["momentum"] == 0.0 and g["weight_decay"] == 0.0 and not g["maximize"] and g["lr"] == groups[0]["lr"]
        for g in groups
    )


class _Totals(NamedTuple):
    """An epoch's sums over its batches, each weighted by the batch's size: what `History` averages."""

    loss: float
    metric: float


class _Strategy(Protocol):
    """How `fit` runs one epoch: eagerly, compiled batch by batch, or whole epochs inside a backend."""

    def run_epoch(self, order: list[int], size: int, epoch: int) -> _Totals | None:
        """Train on the samples in `order`, in batches of `size`; ``None`` if training stopped (a loss not finite)."""


class _Eager:
    """Each batch: the forward pass, the loss, ``zero_grad()``, ``backward()``, ``step()``."""

    def __init__(
        self,
        model: Callable[[Any], Any],
        X: Sequence[Any],  # noqa: N803 - X and y, as in scikit-learn
        y: Sequence[Any],
        loss: LossFn,
        optimizer: Optimizer,
        metric: Metric | None,
    ) -> None:
        self.model, self.X, self.y, self.loss, self.optimizer, self.metric = model, X, y, loss, optimizer, metric

    def run_epoch(self, order: list[int], size: int, epoch: int) -> _Totals | None:
        total_loss = total_metric = 0.0
        for batch, (x_batch, y_batch) in enumerate(batches_in_order(self.X, self.y, order, size), 1):
            preds = [self.model(x) for x in x_batch]
            batch_loss = self.loss(preds, y_batch)
            if not math.isfinite(batch_loss.data):
                _warn_non_finite(batch_loss.data, epoch, batch, self.optimizer.lr)
                return None
            self.optimizer.zero_grad()
            batch_loss.backward()
            self.optimizer.step()
            total_loss += batch_loss.data * len(x_batch)
            if self.metric is not None:
                total_metric += self.metric(preds, y_batch) * len(x_batch)
        return _Totals(total_loss, total_metric)


class _Compiled:
    """Each batch: ``zero_grad()``, the compiled loss (and metric, from the same pass), ``step()``.

    A metric without a traced form is computed from an eager forward pass of
    the batch (no graph recorded), before the step, as eager `fit` computes it.
    """

    def __init__(
        self,
        step: CompiledLoss,
        X: Sequence[Any],  # noqa: N803 - X and y, as in scikit-learn
        y: Sequence[Any],
        optimizer: Optimizer,
        metric: Metric | None,
        model: Callable[[Any], Any],
    ) -> None:
        self.step, self.X, self.y, self.optimizer, self.metric, self.model = step, X, y, optimizer, metric, model

    def run_epoch(self, order: list[int], size: int, epoch: int) -> _Totals | None:
        total_loss = total_metric = 0.0
        for batch, (x_batch, y_batch) in enumerate(batches_in_order(self.X, self.y, order, size), 1):
            if self.metric is not None and self.step.traced is None:
                with no_grad():
                    total_metric += self.metric([self.model(x) for x in x_batch], y_batch) * len(x_batch)
            self.optimizer.zero_grad()
            if self.step.traced is not None:
                step_loss, batch_metric = self.step.with_metric(x_batch, y_batch)
            else:
                step_loss, batch_metric = self.step(x_batch, y_batch), 0.0
            if not math.isfinite(step_loss):
                _warn_non_finite(step_loss, epoch, batch, self.optimizer.lr)
                return None
            total_loss += step_loss * len(x_batch)
            total_metric += batch_metric * len(x_batch)
            self.optimizer.step()
        return _Totals(total_loss, total_metric)


class _WholeEpochs:
    """Whole epochs of plain SGD inside the backend (``Backend.runs_epochs``), the training set packed once.

    An epoch equals the batch-by-batch loop: each batch ``zero_grad()``, the
    mean loss's gradient, then ``p = p - lr * g`` for the optimizer's
    parameters (those the loss does not use keep their data and get 0.0
    gradients).  When the optimizer is no longer plain SGD (a callback may
    change it), or a loss is not finite, the epoch runs batch by batch
    instead (`_Compiled`), which stops where eager `fit` stops.
    """

    def __init__(
        self, step: CompiledLoss, packed: Any, y: Sequence[Any], optimizer: Optimizer, batch_by_batch: _Compiled
    ) -> None:
        self.step, self.packed, self.y, self.optimizer, self.batch_by_batch = step, packed, y, optimizer, batch_by_batch
        traced = {id(p) for p in step.compiled.parameters}
        self.untraced = [p for p in optimizer.params if id(p) not in traced]

    @classmethod
    def make(
        cls,
        step: CompiledLoss,
        optimizer: Optimizer,
        X: Sequence[Any],  # noqa: N803 - X and y, as in scikit-learn
        y: Sequence[Any],
        batch_by_batch: _Compiled,
    ) -> _WholeEpochs | None:
        """``None`` when the loss has several traces (its targets go in as static values), or the optimizer does
        not step every traced parameter: then every epoch goes batch by batch."""
        packed = step.pack(X, y)
        stepped = {id(p) for p in optimizer.params}
        if packed.arrays is None or not all(id(p) in stepped for p in step.compiled.parameters):
            return None
        return cls(step, packed, y, optimizer, batch_by_batch)

    def run_epoch(self, order: list[int], size: int, epoch: int) -> _Totals | None:
        if not _plain_sgd(self.optimizer) or not order:
            return self.batch_by_batch.run_epoch(order, size, epoch)
        saved = [p.data for p in self.optimizer.params]
        lr = self.optimizer.lr
        if self.step.traced is not None:
            losses, metrics = self.step.sgd_with_metric(self.packed, self.y, lr=lr, batch_size=size, order=order)
        else:
            losses, metrics = self.step.sgd(self.packed, lr=lr, batch_size=size, order=order), []
        if not all(map(math.isfinite, losses)):
            for p, data in zip(self.optimizer.params, saved):
                p.data = data
            return self.batch_by_batch.run_epoch(order, size, epoch)  # replays the epoch, stops where eager stops
        for p in self.untraced:
            p.grad = 0.0
        self.optimizer.steps += len(losses)
        total_loss = total_metric = 0.0
        for k, batch_loss in enumerate(losses):
            count = min(size, len(order) - k * size)
            total_loss += batch_loss * count
            if metrics:
                total_metric += metrics[k] * count
        return _Totals(total_loss, total_metric)


def _strategy(
    model: Callable[[Any], Any],
    X: Sequence[Any],  # noqa: N803
    y: Sequence[Any],
    loss: LossFn,
    optimizer: Optimizer,
    metric: Metric | None,
    compile: bool | str,  # noqa: A002
) -> _Strategy:
    """The eager loop, or compiled batches, or whole epochs in a backend that runs them (asked, not named)."""
    if not compile:
        return _Eager(model, X, y, loss, optimizer, metric)
    from autograd.compiler.backends import get_backend

    backend = get_backend("python" if compile is True else str(compile))
    traced = metric if metric is not None and traced_form(metric) is not None else None
    step = compile_loss(model, loss, backend=backend.name, metric=traced)
    batch_by_batch = _Compiled(step, X, y, optimizer, metric, model)
    if backend.runs_epochs and (metric is None or traced is not None) and _plain_sgd(optimizer):
        whole = _WholeEpochs.make(step, optimizer, X, y, batch_by_batch)
        if whole is not None:
            return whole
    return batch_by_batch


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
    progress: Progress = True,
    desc: str = "training",
    callback: Callable[[int, History], bool | None] | None = None,
    compile: bool | str = False,  # noqa: A002 - the option's natural name, as torch.compile
) -> History:
    """Train ``model`` on ``(X, y)`` by minibatch gradient descent; return the per-epoch `History`.

    Args:
        model: called on one row of ``X`` at a time (an `MLP`, a `Neuron`, or any
            function of a row that returns a `Value` or a list of them).
        X: the training inputs (rows).
        y: the training targets.
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
        progress: ``True``: a progress bar (tqdm if installed, else plain lines on
            stderr and a one-time hint to install tqdm);
            ``"text"``: about ten plain lines on stdout (kept in saved notebooks);
            an int N: a line on stdout every N epochs; ``False``: nothing.
        desc: the progress bar's label.
        callback: ``callback(epoch, history)`` after each epoch (from 1); returning
            ``True`` stops training early.
        compile: ``True`` (or ``"python"``), ``"c"`` or another registered
            backend's name: run each batch's forward and backward as code
            generated by `autograd.compile` from one sample's traced loss (see
            `nn.compiling`): same weights as eager to rounding, many times
            faster.  The training ``accuracy`` is counted from the same
            compiled pass (the metric's indicator is traced with the loss), so
            the `History` has the same fields and numbers as eager `fit`'s; a
            metric with no traced form is computed from an eager forward pass.
            With a backend that runs whole epochs (``"c"``) and a plain `SGD`
            (no momentum, weight decay or maximize), each whole epoch runs
            inside the backend with the parameters in a flat array; their
            ``.data`` and ``.grad`` are written back at the end of every
            epoch, before validation, the callback and the progress bar see
            them.  The weights equal the batch-by-batch loop's.

    Returns:
        The `History`: ``epoch``, ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``,
        ``lr`` and ``seconds`` lists, one entry per epoch.
    """
    n, epochs, size = _check_fit_arguments(
        X, y, loss, optimizer, epochs, batch_size, shuffle, validation_data, lr_schedule, desc, callback, compile
    )
    progress = _check_progress(progress)
    chosen = _resolve_metric(metric, loss)
    rng = make_rng(seed)
    history = History()
    strategy = _strategy(model, X, y, loss, optimizer, chosen, compile)
    bar = _progress(epochs, progress, desc)
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            totals = strategy.run_epoch(epoch_order(n, shuffle, rng), size, epoch)
            if totals is None:
                break
            history.epoch.append(epoch + 1)
            history.lr.append(optimizer.lr)
            history.loss.append(totals.loss / n)
            stats = {"loss": totals.loss / n}
            if chosen is not None:
                history.accuracy.append(totals.metric / n)
                stats["accuracy"] = totals.metric / n
            if validation_data is not None:
                val_loss, val_metric = evaluate(model, *validation_data, loss=loss, metric=chosen)
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
