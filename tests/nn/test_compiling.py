"""nn with autograd.compile: losses trace cleanly, compiled training gives eager's weights."""

from __future__ import annotations

import math
import random
import shutil
import warnings
from typing import Any

import pytest

import autograd
from autograd import Value
from nn import (
    MLP,
    SGD,
    binary_cross_entropy_with_logits,
    compile_loss,
    cross_entropy,
    fit,
    hinge_loss,
    log_softmax,
    make_moons,
    mse_loss,
    one_hot,
    softmax,
)

LOSSES = [
    (mse_loss, lambda rng: rng.uniform(-1, 1)),
    (hinge_loss, lambda rng: rng.choice([-1, 1])),
    (binary_cross_entropy_with_logits, lambda rng: rng.choice([0, 1])),
    (cross_entropy, lambda rng: rng.randrange(3)),
]


@pytest.mark.parametrize(("loss", "draw"), LOSSES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_loss_compiles_to_eagers_batch_loss_and_gradients(loss: object, draw: object) -> None:
    random.seed(5)
    model = MLP(3, [5, 3 if loss is cross_entropy else 1])
    rng = random.Random(1)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(7)]
    y = [draw(rng) for _ in range(7)]  # type: ignore[operator]
    params = model.parameters()
    batch_loss = loss([model(x) for x in X], y)  # type: ignore[operator]
    batch_loss.backward()
    expected = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    step = compile_loss(model, loss)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no frozen values, no unexpected retrace
        got = step(X, y)
    assert got == pytest.approx(batch_loss.data, rel=1e-12, abs=1e-15)
    for p, g in zip(params, expected):
        assert p.grad == pytest.approx(g, rel=1e-12, abs=1e-15)


def test_softmax_and_cross_entropy_read_no_numbers_out_of_the_graph() -> None:
    w = Value(1.0)
    step = autograd.compile(
        lambda x, t: cross_entropy([[w * x, w * 2.0, -w]], [t]) + softmax([w, w * x])[0] + log_softmax([w * x, w])[1]
    )
    value = step(0.5, [0.0, 1.0, 0.0])
    eager = (
        cross_entropy([[w * 0.5, w * 2.0, -w]], [1]) + softmax([w, w * 0.5])[0] + log_softmax([w * 0.5, w])[1]
    ).data
    assert value == pytest.approx(eager, rel=1e-15)


def test_cross_entropy_takes_one_hot_rows_and_checks_them() -> None:
    rows = [[Value(1.0), Value(2.0), Value(0.5)], [Value(-1.0), Value(0.0), Value(3.0)]]
    by_index = cross_entropy(rows, [1, 2]).data
    assert cross_entropy(rows, one_hot([1, 2], 3)).data == by_index
    with pytest.raises(ValueError, match="2 class probabilities for a row of 3"):
        cross_entropy(rows, [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    "backend",
    [
        "python",
        pytest.param(
            "c",
            marks=pytest.mark.skipif(
                not any(shutil.which(c) for c in ("cc", "gcc", "clang", "tcc")), reason="no C compiler"
            ),
        ),
    ],
)
def test_fit_compiled_gives_eagers_weights(backend: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    X, y = make_moons(40, noise=0.1, seed=2)
    labels = [2 * v - 1 for v in y]
    weights = []
    for compiled in (False, True if backend == "python" else "c"):
        random.seed(11)
        model = MLP(2, [6, 6, 1])
        fit(
            model,
            X,
            labels,
            loss=hinge_loss,
            optimizer=SGD(model.parameters(), lr=0.1),
            epochs=3,
            batch_size=8,
            seed=4,
            progress=False,
            compile=compiled,
        )
        weights.append([p.data for p in model.parameters()])
    for a, b in zip(*weights):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "backend",
    [
        True,
        pytest.param(
            "c",
            marks=pytest.mark.skipif(
                not any(shutil.which(c) for c in ("cc", "gcc", "clang", "tcc")), reason="no C compiler"
            ),
        ),
    ],
)
def test_digits_fit_compiled_equals_eager(
    backend: bool | str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn", reason="load_digits needs scikit-learn (the data extra)")
    from nn.data import load_digits

    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    X, y = load_digits()
    X, y = X[:48], y[:48]
    weights, histories = [], []
    for compiled in (False, backend):
        random.seed(0)
        model = MLP(64, [8, 10])
        histories.append(
            fit(
                model,
                X,
                y,
                loss=cross_entropy,
                optimizer=SGD(model.parameters(), lr=0.2),
                epochs=2,
                batch_size=16,
                seed=1,
                progress=False,
                compile=compiled,
                validation_data=(X[:10], y[:10]),
            )
        )
        weights.append([p.data for p in model.parameters()])
    for a, b in zip(*weights):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)
    assert histories[0].loss == pytest.approx(histories[1].loss, rel=1e-12)
    assert histories[0].val_accuracy == histories[1].val_accuracy
    assert histories[1].accuracy == histories[0].accuracy and len(histories[1].accuracy) == 2  # from the compiled pass


needs_cc = pytest.mark.skipif(not any(shutil.which(c) for c in ("cc", "gcc", "clang", "tcc")), reason="no C compiler")


def _spy_on_whole_epochs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[int], bool]]:
    """Record every whole epoch run inside a backend: its order, and whether all its losses were finite."""
    from autograd.compiler import Compiled

    calls: list[tuple[list[int], bool]] = []
    original = Compiled.sgd

    def spy(self: Any, *columns: Any, **options: Any) -> Any:
        result = original(self, *columns, **options)
        losses = result[0] if options.get("extras") else result
        calls.append((list(options["order"]), all(map(math.isfinite, losses))))
        return result

    monkeypatch.setattr(Compiled, "sgd", spy)
    return calls


def _fit_digits_like(compiled: bool | str, optimizer: Any, model: Any, extra: Value, **options: Any) -> Any:
    rng = random.Random(3)
    X = [[rng.uniform(0, 1) for _ in range(6)] for _ in range(37)]
    y = [rng.randrange(3) for _ in range(37)]
    return fit(
        model,
        X,
        y,
        loss=cross_entropy,
        optimizer=optimizer,
        epochs=3,
        batch_size=8,
        seed=5,
        progress=False,
        compile=compiled,
        **options,
    )


@needs_cc
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_fit_c_runs_whole_epochs_in_c_with_plain_sgd_and_gives_eagers_numbers(
    momentum: float, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    calls = _spy_on_whole_epochs(monkeypatch)
    runs = []
    for compiled in (False, "c"):
        random.seed(7)
        model = MLP(6, [5, 3])
        extra = Value(0.25)  # stepped by the optimizer, unused by the loss: keeps its data, gets 0.0 gradients
        extra.grad = 4.0
        optimizer = SGD([*model.parameters(), extra], lr=0.2, momentum=momentum)
        history = _fit_digits_like(compiled, optimizer, model, extra)
        params = [*model.parameters(), extra]
        runs.append(([p.data for p in params], [p.grad for p in params], history.loss, optimizer.steps))
    assert runs[0] == runs[1]  # equal to the last bit: the same arithmetic in the same order
    assert runs[1][0][-1] == 0.25 and runs[1][1][-1] == 0.0 and runs[1][3] == 15
    assert [len(order) for order, _ in calls] == ([37, 37, 37] if momentum == 0.0 else [])  # momentum: by batch


@needs_cc
def test_fit_c_stops_on_a_non_finite_loss_where_eager_stops(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from nn import Neuron, load_houses

    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    X, y = load_houses()  # raw units: lr=1e-3 diverges within a few steps
    epochs_in_c = _spy_on_whole_epochs(monkeypatch)
    runs = []
    for compiled in (False, "c"):
        neuron = Neuron(1, nonlin=False, seed=0)
        with pytest.warns(RuntimeWarning, match=r"the loss became (inf|nan) in epoch \d+ .*Lower the learning rate"):
            history = fit(
                neuron,
                X,
                y,
                loss=mse_loss,
                optimizer=SGD(neuron, lr=1e-3),
                epochs=100,
                batch_size=4,
                progress=False,
                compile=compiled,
            )
        runs.append(([p.data for p in neuron.parameters()], history.loss))
    assert len(runs[0][1]) == len(runs[1][1])  # stopped in the same epoch, at the same batch:
    assert runs[1][0] == pytest.approx(runs[0][0], rel=1e-12)  # the step with the bad loss was not applied
    assert runs[1][1] == pytest.approx(runs[0][1], rel=1e-12)
    assert len(runs[1][1]) < 100 and all(map(math.isfinite, runs[1][0]))
    finite = [ok for _, ok in epochs_in_c]
    assert finite == [True] * len(runs[1][1]) + [False]  # the last epoch was not finite in C, and was replayed


@needs_cc
def test_fit_c_notices_a_callback_that_turns_momentum_on(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    epochs_in_c = _spy_on_whole_epochs(monkeypatch)

    def momentum_after_the_first_epoch(epoch: int, history: Any, optimizer: Any) -> None:
        optimizer.param_groups[0]["momentum"] = 0.5

    runs = []
    for compiled in (False, "c"):
        random.seed(7)
        model = MLP(6, [5, 3])
        optimizer = SGD(model.parameters(), lr=0.2)
        _fit_digits_like(
            compiled,
            optimizer,
            model,
            Value(0.0),
            callback=lambda epoch, history, o=optimizer: momentum_after_the_first_epoch(epoch, history, o),
        )
        runs.append([p.data for p in model.parameters()])
    assert runs[0] == runs[1]
    assert len(epochs_in_c) == 1  # only the first epoch ran in C


@pytest.mark.parametrize("loss_name", ["cross_entropy", "hinge_loss", "binary_cross_entropy_with_logits", "mse_loss"])
def test_every_strategy_returns_the_same_history_field_by_field(
    loss_name: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eager steps, compiled steps and whole epochs in C: the same History (seconds aside), metric included."""
    import nn

    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path))
    loss = getattr(nn, loss_name)
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(30)]
    if loss_name == "cross_entropy":
        y: list[Any] = [rng.randrange(4) for _ in X]
        sizes = [6, 4]
    else:
        y = [rng.choice((-1, 1)) if loss_name == "hinge_loss" else rng.choice((0, 1)) for _ in X]
        y = [float(v) for v in y] if loss_name == "mse_loss" else y
        sizes = [6, 1]
    runs = [False, "python"] + (["c"] if shutil.which("cc") or shutil.which("gcc") else [])
    histories = []
    for compiled in runs:
        model = MLP(3, sizes, seed=11)
        histories.append(
            fit(
                model,
                X[:24],
                y[:24],
                loss=loss,
                optimizer=SGD(model.parameters(), lr=0.3),
                epochs=3,
                batch_size=5,
                seed=2,
                progress=False,
                compile=compiled,
                validation_data=(X[24:], y[24:]),
            )
        )
    eager = histories[0].as_dict()
    for other in histories[1:]:
        fields = other.as_dict()
        assert fields.keys() == eager.keys()
        for name in fields:
            if name == "seconds":
                assert len(fields[name]) == len(eager[name])
            elif name in ("loss", "val_loss"):
                assert fields[name] == pytest.approx(eager[name], rel=1e-12, abs=1e-15), name
            else:
                assert fields[name] == eager[name], name
    assert len(histories[0].accuracy) == (0 if loss_name == "mse_loss" else 3)


def test_validation_labels_are_checked_before_training_as_training_labels_are() -> None:
    model = MLP(2, [1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    X, y = [[0.1, 0.2], [0.3, 0.4]], [1, -1]
    with pytest.raises(
        ValueError, match=r"hinge_loss: labels must be -1 or \+1, got fit: validation_data's y\[1\] = 0"
    ):
        fit(model, X, y, loss=hinge_loss, optimizer=opt, validation_data=(X, [1, 0]), progress=False)
    with pytest.raises(ValueError, match=r"got fit: y\[0\] = 0"):
        fit(model, X, [0, 1], loss=hinge_loss, optimizer=opt, progress=False)
    assert opt.steps == 0  # nothing ran
