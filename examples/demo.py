"""The main demo (`make demo`): train an MLP on two moons, report accuracy, plot the results.

Run ``python examples/demo.py`` (``--help`` for options).  It

1. backpropagates through one small expression and prints the gradients
   (the engine at work, in six lines);
2. makes 200 two-moons points, keeps a quarter aside as test data, and
   trains micrograd's ``MLP(2, [16, 16, 1])`` on the rest with the max-margin
   loss, minibatches of 16 and SGD with momentum and a decaying learning
   rate, showing a progress bar;
3. prints the train and test accuracy and saves the model as JSON;
4. writes ``loss_curve.png`` and ``decision_boundary.png`` (with matplotlib,
   from the ``plot`` extra; without it, says so and skips the pictures)
   into ``demo_output/`` and says where;
5. ends with the next steps: the notebooks, ``make test``, the guides.

It takes a few seconds.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from collections.abc import Sequence
from typing import Any

from autograd import Value, no_grad
from autograd._installation import missing
from nn import MLP, SGD, History, evaluate, fit, hinge_loss, make_moons, save, train_test_split

__all__ = ["main"]


def _engine_warmup() -> None:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.8813735870195432, label="b")
    out = (x * w + b).tanh()
    out.backward()
    print(
        f"engine: out = tanh(x*w + b) = {out.data:.6f};  "
        + ", ".join(f"d out/d {v.label} = {v.grad:+.4f}" for v in (x, w, b))
    )


def _load_pyplot() -> Any | None:
    """matplotlib.pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        return None
    matplotlib.use("Agg")  # write files; never open a window
    return importlib.import_module("matplotlib.pyplot")


def plot_history(plt: Any, history: History, path: str) -> None:
    """Loss (left) and accuracy (right) per epoch, training and test."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(history.epoch, history.loss, label="train")
    if history.val_loss:
        ax_loss.plot(history.epoch, history.val_loss, label="test")
    ax_loss.set(xlabel="epoch", ylabel="hinge loss", title="Loss")
    ax_loss.legend()
    ax_acc.plot(history.epoch, history.accuracy, label="train")
    if history.val_accuracy:
        ax_acc.plot(history.epoch, history.val_accuracy, label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0.0, 1.05))
    ax_acc.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _score(model: MLP, x: float, y: float) -> float:
    """The one output of ``model`` (an MLP whose last layer has one neuron) at the point (x, y)."""
    out = model([x, y])
    if not isinstance(out, Value):
        raise TypeError(f"plot_decision_boundary needs a model with one output, this one has {len(out)}")
    return out.data


def plot_decision_boundary(
    plt: Any,
    model: MLP,
    X_train: Sequence[Sequence[float]],  # noqa: N803
    y_train: Sequence[float],
    X_test: Sequence[Sequence[float]],  # noqa: N803
    y_test: Sequence[float],
    path: str,
    resolution: int = 60,
) -> None:
    """The model's score sign over the plane, with the training (dots) and test (crosses) points."""
    xs = [p[0] for p in [*X_train, *X_test]]
    ys = [p[1] for p in [*X_train, *X_test]]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = min(ys) - 0.5, max(ys) + 0.5
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():  # inference only: no graph, several times faster
        scores = [[max(-2.0, min(2.0, _score(model, x, y))) for x in gx] for y in gy]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.contourf(gx, gy, scores, levels=20, cmap="coolwarm", vmin=-2.0, vmax=2.0, alpha=0.45)
    ax.contour(gx, gy, scores, levels=[0.0], colors="black", linewidths=1.0)
    for points, labels, marker, name in ((X_train, y_train, "o", "train"), (X_test, y_test, "x", "test")):
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            c=list(labels),
            cmap="coolwarm",
            vmin=-1,
            vmax=1,
            s=18,
            marker=marker,
            label=name,
        )
    legend = ax.legend(loc="lower left")
    for handle in getattr(legend, "legend_handles", []):  # grey legend markers: colour means class
        handle.set_color("dimgray")
    ax.set(title="MLP(2, [16, 16, 1]): score and decision boundary", xlabel="x1", ylabel="x2")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as for the command line (``None``: ``sys.argv``)."""
    parser = argparse.ArgumentParser(prog="python examples/demo.py", description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="two-moons points (default 200)")
    parser.add_argument("--epochs", type=int, default=40, help="training epochs (default 40)")
    parser.add_argument("--batch-size", type=int, default=16, help="minibatch size (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, weights and shuffling (default 0)")
    parser.add_argument("--out", default="demo_output", help="folder for the pictures and model (default demo_output)")
    parser.add_argument("--grid", type=int, default=60, help="decision-boundary grid resolution (default 60)")
    parser.add_argument("--no-plots", action="store_true", help="skip the pictures")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    _engine_warmup()
    started = time.perf_counter()
    points, labels = make_moons(args.samples, noise=0.1, seed=args.seed)
    signs = [2.0 * label - 1.0 for label in labels]  # the max-margin loss wants -1/+1
    x_train, x_test, y_train, y_test = train_test_split(points, signs, test_fraction=0.25, seed=args.seed)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    print(f"model: {model!r}".replace("\n", "\n       "))
    print(f"data: {len(x_train)} training and {len(x_test)} test points (two moons, noise 0.1)")

    epochs = args.epochs
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    history = fit(
        model,
        x_train,
        y_train,
        loss=hinge_loss,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        validation_data=(x_test, y_test),
        lr_schedule=lambda k: 0.1 * (1.0 - 0.9 * k / max(epochs, 1)),
        progress=not args.no_progress,
    )
    _, train_acc = evaluate(model, x_train, y_train, hinge_loss)
    _, test_acc = evaluate(model, x_test, y_test, hinge_loss)
    print(
        f"train accuracy: {train_acc:.1%}   test accuracy: {test_acc:.1%}   "
        f"({epochs} epochs in {time.perf_counter() - started:.1f} s)"
    )

    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "moons_mlp.json")
    save(model, model_path)
    print(f"saved the trained model to {model_path} (load it with nn.load(MLP(2, [16, 16, 1]), path))")

    if not args.no_plots:
        plt = _load_pyplot()
        if plt is None:
            print(missing("drawing the loss curve and decision boundary", "matplotlib", "No pictures were drawn."))
        else:
            loss_path = os.path.join(args.out, "loss_curve.png")
            boundary_path = os.path.join(args.out, "decision_boundary.png")
            plot_history(plt, history, loss_path)
            plot_decision_boundary(plt, model, x_train, y_train, x_test, y_test, boundary_path, resolution=args.grid)
            print(f"wrote {os.path.abspath(loss_path)}")
            print(f"wrote {os.path.abspath(boundary_path)}")
    print(NEXT_STEPS)
    return 0


NEXT_STEPS = """
Next steps:
  * the notebooks, from backprop by hand to a GPT: .venv/bin/pip install -e '.[notebooks]',
    then .venv/bin/jupyter lab notebooks/ (start with 00_backprop_by_hand.ipynb)
  * make test: lint, type checks and every test, the README's and the guides' examples and the notebooks
  * the guides: docs/index.md (the engine, nn, compiling, drawing, PyTorch, ...), or make docs for the
    website in site/ with them, the API reference and the notebooks"""
"""What `main` prints last: where a newcomer goes from here."""


if __name__ == "__main__":
    raise SystemExit(main())
