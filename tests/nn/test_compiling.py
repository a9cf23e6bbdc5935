"""nn with autograd.compile: losses trace cleanly, compiled training gives eager's weights."""

from __future__ import annotations

import random
import shutil
import warnings

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


def test_digits_fit_compiled_equals_eager() -> None:
    pytest.importorskip("sklearn", reason="load_digits needs scikit-learn (the data extra)")
    from nn.data import load_digits

    X, y = load_digits()
    X, y = X[:48], y[:48]
    weights, histories = [], []
    for compiled in (False, True):
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
    assert histories[1].accuracy == []  # not measured when compiled (documented)
