"""The backend registry: a backend is one room, found by its one name; nothing else compares names."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import autograd
from autograd import Value, defop
from autograd.compiler import backends
from autograd.compiler.backends import Backend, backend_names, get_backend, register_backend

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from compile_helpers import assert_same, compiled_run, eager
from toy_backend import ToyBackend


@pytest.fixture
def toy() -> Iterator[None]:
    register_backend(ToyBackend())  # the one registry line
    yield
    del backends._REGISTRY["toy"]


def test_the_builtin_backends_are_registered_under_one_name_each() -> None:
    assert backend_names()[:2] == ("python", "c")
    for name in ("python", "c"):
        backend = get_backend(name)
        assert isinstance(backend, Backend) and backend.name == name == backend.templates.backend
    assert get_backend("c").runs_epochs and not get_backend("python").runs_epochs


def test_an_unknown_backend_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(ValueError, match=r"backend must be one of \('python', 'c'.*got 'py'"):
        autograd.compile(lambda x: Value(1.0) * x, backend="py")
    with pytest.raises(TypeError, match="register_backend expects an object with name, templates"):
        register_backend(object())  # type: ignore[arg-type]


def test_a_toy_backend_added_with_one_file_and_one_line_compiles_and_agrees_with_eager(toy: None) -> None:
    w, b = Value(0.5, label="w"), Value(-0.25, label="b")

    def fn(x: float, y: float) -> Value:
        return ((w * x + b).tanh() - y) ** 2 + w.exp()  # exp: not spelled by the toy, so it falls back

    step = autograd.compile(fn, backend="toy")
    for x, y in ((1.0, 0.3), (-2.0, 0.7), (0.5, -1.0)):
        assert_same(compiled_run(step, [w, b], x, y), eager(fn, [w, b], x, y))
    assert "_add(_mul(w, x), b)" in step.source and "_f0(" in step.source
    assert repr(step) == "<compiled fn backend='toy' traces=1>"


def test_a_users_operation_registers_its_template_with_the_backend_of_that_name(toy: None) -> None:
    twice = defop("twice", lambda x: 2.0 * x, lambda x, out: 2.0, code={"toy": ("_mul(2.0, {0})", ("2.0",))})
    w = Value(0.7, label="w")
    step = autograd.compile(lambda x: twice(w * x), backend="toy")
    assert_same(compiled_run(step, [w], 3.0), (4.2, [6.0]))
    assert "_mul(2.0, _mul(w, x))" in step.source


def test_fit_asks_the_backend_for_its_capabilities_not_its_name(toy: None) -> None:
    from nn import MLP, SGD, fit, mse_loss

    X, y = [[0.1, 0.2], [0.3, -0.1], [-0.2, 0.4]], [0.5, -0.5, 0.1]
    histories = []
    for compile_ in ("toy", "python"):
        model = MLP(2, [3, 1], seed=0)
        fit(
            model,
            X,
            y,
            loss=mse_loss,
            optimizer=SGD(model.parameters(), lr=0.1),
            epochs=2,
            batch_size=2,
            seed=1,
            progress=False,
            compile=compile_,
        )
        histories.append([p.data for p in model.parameters()])
    assert histories[0] == pytest.approx(histories[1], abs=1e-12)
