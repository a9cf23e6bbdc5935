"""fit/evaluate/History, the progress bar, and the seed posts' and micrograd's examples converging."""

from __future__ import annotations

import math
import random
import sys
from typing import Any

import pytest

import nn.training
from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    History,
    Module,
    Neuron,
    binary_cross_entropy_with_logits,
    cross_entropy,
    evaluate,
    fit,
    hinge_loss,
    load_houses,
    load_line,
    make_moons,
    mse_loss,
)

LINE_M = 64.7 / 34  # least squares on the post's six points (the mean of x is 0)
LINE_B = -0.2 / 6


# ------------------------------------------------------------------ the seed posts


def test_house_price_single_weight_reaches_200_dollars_per_sq_ft() -> None:
    """Post 1: price = Y * size, Y starts at 100; a bare [Y] is all the optimizer needs."""
    (sizes, prices) = load_houses(in_thousands=True)  # sizes in 1000 sq ft, prices in $1000: Y stays $/sq ft
    Y = Value(100.0, label="Y")
    opt = SGD([Y], lr=0.05)
    for _ in range(60):
        loss = mse_loss([Y * s for (s,) in sizes], prices)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert Y.data == pytest.approx(200.0, abs=1e-9)
    (raw_sizes, raw_prices) = load_houses()
    assert all(Y.data * s == pytest.approx(p, rel=1e-12) for (s,), p in zip(raw_sizes, raw_prices))


def test_house_price_neuron_with_fit_per_sample() -> None:
    X, y = load_houses(in_thousands=True)
    neuron = Neuron(1, nonlin=False, bias=False, seed=0)
    neuron.w[0].data = 100.0
    history = fit(
        neuron,
        X,
        y,
        loss=mse_loss,
        optimizer=SGD(neuron.parameters(), lr=0.02),
        epochs=40,
        batch_size=1,
        seed=0,
        progress=False,
    )
    assert neuron.w[0].data == pytest.approx(200.0, abs=1e-6)
    assert history.loss[-1] < 1e-9 < history.loss[0]
    assert history.accuracy == []  # no accuracy for a regression loss


def test_line_neuron_matches_the_posts_own_loop_and_least_squares() -> None:
    """Post 2: y = m*x + b trained by per-sample SGD, 50 passes, step 0.01, gradient (out - y) * x."""
    X, y = load_line()
    xs = [row[0] for row in X]
    random.seed(0)
    m_post, b_post = random.random(), random.random()
    random.seed(0)
    m, b = Value(random.random()), Value(random.random())
    opt = SGD([m, b], lr=0.01)
    for _ in range(50):
        for xi, yi in zip(xs, y):
            out_post = m_post * xi + b_post  # the post's hand-derived gradients, verbatim
            err = out_post - yi
            m_post -= xi * err * 0.01
            b_post -= err * 0.01
            loss = 0.5 * mse_loss(m * xi + b, yi)  # d loss/d out = out - y, as in the post
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert m.data == pytest.approx(m_post, abs=1e-12) and b.data == pytest.approx(b_post, abs=1e-12)
    # Constant-step SGD hovers near the least-squares line, which for this data is m ~ 1.90, b ~ -0.03
    # (the post's "m ~ 2, b ~ 1" is the line it had in mind, not what its six points support).
    assert abs(m.data - LINE_M) < 0.02 and abs(b.data - LINE_B) < 0.05


def test_line_fit_full_batch_converges_to_least_squares() -> None:
    X, y = load_line()
    neuron = Neuron(1, nonlin=False, seed=1)
    fit(neuron, X, y, loss=mse_loss, optimizer=SGD(neuron, lr=0.05), epochs=300, progress=False)
    assert neuron.w[0].data == pytest.approx(LINE_M, abs=1e-9)
    assert neuron.b.data == pytest.approx(LINE_B, abs=1e-9)  # type: ignore[union-attr]


# ------------------------------------------------------------------ micrograd's demo.ipynb


@pytest.mark.slow
def test_micrograd_demo_training_loop_runs_unchanged_and_reaches_100_percent() -> None:
    """demo.ipynb's cells with only the imports changed (sklearn's make_moons -> nn.data's).

    The one data line that is not an import: the notebook's arrays come from
    sklearn, ours are lists, so they are made numpy arrays (when numpy is
    installed; otherwise `y*2 - 1` is written for lists).
    """
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with matplotlib
        np = None
    from autograd import Value  # was: from micrograd.engine import Value
    from nn import MLP, Layer, Neuron  # noqa: F401 - was: from micrograd.nn import Neuron, Layer, MLP
    from nn.data import make_moons  # was: from sklearn.datasets import make_moons, make_blobs

    if np is not None:
        np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    if np is not None:
        X, y = np.array(X), np.array(y)
        y = y * 2 - 1  # make y be -1 or 1
    else:  # pragma: no cover
        y = [yi * 2 - 1 for yi in y]

    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    assert len(model.parameters()) == 337

    def loss(batch_size: int | None = None) -> tuple[Any, float]:
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:  # pragma: no cover - the notebook's full-batch run never takes this branch
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    total_loss, acc = loss()
    assert isinstance(total_loss, Value)
    first = total_loss.data

    # optimization
    for k in range(100):
        # forward
        total_loss, acc = loss()

        # backward
        model.zero_grad()
        total_loss.backward()

        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

    final, final_acc = loss()
    assert final.data < first / 10
    assert acc == 1.0 and final_acc == 1.0


# ------------------------------------------------------------------ fit and History


def _moons(n: int = 60, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    X, y = make_moons(n, noise=0.1, seed=seed)
    return X, [2.0 * v - 1.0 for v in y]


def test_fit_history_validation_and_schedule() -> None:
    X, y = _moons()
    Xv, yv = _moons(20, seed=1)
    model = MLP(2, [8, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(
        model,
        X,
        y,
        loss=hinge_loss,
        optimizer=opt,
        epochs=6,
        batch_size=16,
        seed=0,
        validation_data=(Xv, yv),
        lr_schedule=lambda k: 0.1 * (1 - 0.5 * k / 6),
        progress=False,
    )
    assert isinstance(history, History) and len(history) == 6
    assert history.epoch == [1, 2, 3, 4, 5, 6]
    assert history.lr == pytest.approx([0.1 * (1 - 0.5 * k / 6) for k in range(6)], rel=1e-15)
    assert opt.lr == history.lr[-1]
    for name in ("loss", "accuracy", "val_loss", "val_accuracy", "seconds"):
        assert len(history[name]) == 6
    assert all(0.0 <= a <= 1.0 for a in history.accuracy + history.val_accuracy)
    assert history.loss[-1] < history.loss[0]
    assert opt.steps == 6 * 4  # ceil(60 / 16) steps per epoch
    val_loss, val_acc = evaluate(model, Xv, yv, hinge_loss)
    assert (val_loss, val_acc) == (history.val_loss[-1], history.val_accuracy[-1])
    assert history.as_dict()["epoch"] == [1, 2, 3, 4, 5, 6]
    assert repr(history).startswith("History(6 epochs, last: loss=")
    with pytest.raises(KeyError, match="History has no 'acc'"):
        history["acc"]


def test_fit_is_reproducible_with_a_seed() -> None:
    X, y = _moons()

    def run() -> list[float]:
        model = MLP(2, [8, 1], seed=3)
        fit(
            model, X, y, loss=hinge_loss, optimizer=Adam(model, lr=0.01), epochs=3, batch_size=8, seed=5, progress=False
        )
        return [p.data for p in model.parameters()]

    assert run() == run()


def test_fit_loss_is_the_batch_weighted_mean_and_full_batch_default() -> None:
    X, y = _moons(10)
    model = MLP(2, [4, 1], seed=0)
    before_loss, before_acc = evaluate(model, X, y, hinge_loss)
    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.0), epochs=2, progress=False)
    # lr 0: nothing moves; full batch = the whole set (shuffled, so the sum may differ in the last bit)
    assert history.loss == pytest.approx([before_loss, before_loss], rel=1e-14)
    assert history.accuracy == [before_acc, before_acc]
    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.0), epochs=1, batch_size=3, progress=False)
    assert history.loss[0] == pytest.approx(before_loss, rel=1e-12)


def test_fit_multiclass_and_binary_cross_entropy_metrics() -> None:
    X, labels = make_moons(40, noise=0.1, seed=2)
    classes = [int(v) for v in labels]
    model = MLP(2, [8, 2], seed=0)
    history = fit(model, X, classes, loss=cross_entropy, optimizer=Adam(model, lr=0.05), epochs=15, progress=False)
    assert history.accuracy[-1] > 0.8 and history.loss[-1] < history.loss[0]
    model = MLP(2, [8, 1], seed=0)
    history = fit(
        model,
        X,
        labels,
        loss=binary_cross_entropy_with_logits,
        optimizer=Adam(model, lr=0.05),
        epochs=15,
        progress=False,
    )
    assert history.accuracy[-1] > 0.8
    history = fit(
        model,
        X,
        labels,
        loss=binary_cross_entropy_with_logits,
        optimizer=Adam(model, lr=0.05),
        epochs=1,
        progress=False,
        metric=None,
    )
    assert history.accuracy == []


def test_fit_works_with_a_user_module_and_a_callback_can_stop_it() -> None:
    class Line(Module):
        def __init__(self) -> None:
            self.m = Value(0.0)
            self.b = Value(0.0)

        def forward(self, x: list[float]) -> Value:
            return self.m * x[0] + self.b

    X, y = load_line()
    line = Line()
    seen: list[int] = []

    def stop_at_three(epoch: int, history: History) -> bool:
        seen.append(epoch)
        return epoch == 3

    history = fit(
        line, X, y, loss=mse_loss, optimizer=SGD(line, lr=0.01), epochs=10, progress=False, callback=stop_at_three
    )
    assert seen == [1, 2, 3] and len(history) == 3


def test_fit_bad_arguments() -> None:
    model = MLP(2, [2, 1], seed=0)
    opt = SGD(model, lr=0.1)
    X, y = _moons(4)
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        fit(model, X, y[:3], loss=hinge_loss, optimizer=opt)
    with pytest.raises(ValueError, match="no training samples"):
        fit(model, [], [], loss=hinge_loss, optimizer=opt)
    with pytest.raises(ValueError, match="epochs must be an int >= 0"):
        fit(model, X, y, loss=hinge_loss, optimizer=opt, epochs=-1)
    with pytest.raises(TypeError, match="optimizer must be an nn optimizer"):
        fit(model, X, y, loss=hinge_loss, optimizer="sgd")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metric must be 'auto', None or a callable"):
        fit(model, X, y, loss=hinge_loss, optimizer=opt, metric="accuracy")  # type: ignore[arg-type]


# ------------------------------------------------------------------ progress


def _tiny_fit(progress: bool, epochs: int = 3) -> History:
    X, y = _moons(8)
    model = MLP(2, [2, 1], seed=0)
    return fit(
        model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=epochs, progress=progress, desc="tiny"
    )


def test_progress_uses_tqdm_when_installed(capfd: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    _tiny_fit(progress=True)
    err = capfd.readouterr().err
    assert "tiny" in err and "3/3" in err and "loss=" in err and "acc=" in err


def test_progress_plain_fallback_without_tqdm(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm.auto` raise ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(nn.training, "_hinted", False)
    _tiny_fit(progress=True, epochs=25)
    out, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert out == ""
    assert "pip install -e '.[progress]'" in lines.pop(0)  # said once per process, before the plain lines
    assert lines[0].startswith("tiny epoch  1/25  loss ") and "accuracy" in lines[0]
    assert lines[-1].startswith("tiny epoch 25/25")
    assert 3 <= len(lines) <= 14  # a handful of lines, not one per epoch


def test_progress_false_is_silent(capfd: pytest.CaptureFixture[str]) -> None:
    _tiny_fit(progress=False)
    assert capfd.readouterr() == ("", "")


def test_numpy_arrays_work_as_data() -> None:
    np = pytest.importorskip("numpy")
    X, y = _moons(20)
    Xa, ya = np.array(X), np.array(y)
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, Xa, ya, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=2, batch_size=8, progress=False)
    assert len(history) == 2
    scores = [model(row) for row in Xa]
    assert hinge_loss(scores, ya).data == pytest.approx(hinge_loss(scores, y).data, rel=1e-15)


# ------------------------------------------------------------------ hardening (#13)


def test_fit_stops_on_a_non_finite_loss_and_says_to_lower_the_learning_rate() -> None:
    X, y = load_houses()  # raw units: sizes in the thousands, so lr=1e-3 diverges within a few steps
    neuron = Neuron(1, nonlin=False, seed=0)
    with pytest.warns(
        RuntimeWarning, match=r"the loss became (inf|nan) in epoch \d+ .*Lower the learning rate"
    ) as caught:
        history = fit(
            neuron, X, y, loss=mse_loss, optimizer=SGD(neuron, lr=1e-3), epochs=100, batch_size=1, progress=False
        )
    assert len(caught) == 1  # once, not once per epoch
    assert len(history) < 100  # stopped early, instead of training on for every epoch
    assert all(math.isfinite(p.data) for p in neuron.parameters())  # the step with the bad loss was not applied
    assert all(math.isfinite(v) for v in history.loss)


def _params(model: Module) -> list[float]:
    return [p.data for p in model.parameters()]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"validation_data": "X_test"}, TypeError, r"validation_data must be a pair \(X_val, y_val\), got str"),
        ({"validation_data": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]}, TypeError, "got a list of 3 items"),
        ({"validation_data": ([[0.1, 0.2]], [1, -1])}, ValueError, "validation_data: X has 1 samples"),
        ({"validation_data": ([0.1, 0.2], [1, -1])}, ValueError, "not shaped like X's"),
        ({"validation_data": ([], [])}, ValueError, "validation_data has no samples"),
        ({"batch_size": 0}, ValueError, "batch_size must be an int >= 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an int"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"lr_schedule": 0.1}, TypeError, "lr_schedule must be a function or None"),
        ({"callback": "print"}, TypeError, "callback must be a function or None"),
        ({"progress": "bar"}, TypeError, "progress must be True, False, 'text' or an int"),
        ({"progress": 0}, TypeError, "progress must be"),
        ({"desc": 3}, TypeError, "desc must be a str"),
        ({"loss": "hinge"}, TypeError, "loss must be a function"),
        ({"seed": "x"}, TypeError, "seed must be None"),
    ],
)
def test_fit_checks_every_argument_before_the_first_step(kwargs: dict[str, Any], error: type, message: str) -> None:
    X, y = _moons(4)
    model = MLP(2, [2, 1], seed=0)
    before = _params(model)
    arguments: dict[str, Any] = {
        "loss": hinge_loss,
        "optimizer": SGD(model, lr=0.5),
        "epochs": 2,
        "progress": False,
        **kwargs,
    }
    with pytest.raises(error, match=message):
        fit(model, X, y, **arguments)
    assert _params(model) == before  # nothing trained


def test_fit_rejects_data_that_is_not_a_sequence_of_samples() -> None:
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(TypeError, match="fit: X must be a sequence of samples"):
        fit(model, {"a": 1}, [1], loss=hinge_loss, optimizer=SGD(model, lr=0.1))


# ------------------------------------------------------------------ progress without widgets (#12)


def test_progress_text_prints_plain_lines_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    X, y = _moons(8)
    model = MLP(2, [2, 1], seed=0)
    fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=30, progress="text", desc="nb")
    out, err = capfd.readouterr()
    lines = out.strip().splitlines()
    assert err == "" and lines[0].startswith("nb epoch  1/30  loss ") and lines[-1].startswith("nb epoch 30/30")
    assert 3 <= len(lines) <= 14
    fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1), epochs=6, progress=2, desc="every")
    out, _ = capfd.readouterr()
    assert [line.split("/")[0] for line in out.strip().splitlines()] == [
        "every epoch 1",
        "every epoch 2",
        "every epoch 4",
        "every epoch 6",
    ]


def test_the_tqdm_hint_is_said_once(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(nn.training, "_hinted", False)
    _tiny_fit(progress=True)
    _tiny_fit(progress=True)
    err = capfd.readouterr().err
    assert err.count("pip install -e '.[progress]'") == 1
