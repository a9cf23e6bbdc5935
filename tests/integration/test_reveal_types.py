"""What a type checker sees of the main entry points (``mypy --strict`` on a user's program, reveal_type).

Pins the types users rely on: Value operations are Values; ``Module.__call__`` is
typed as the subclass's ``forward``; ``MLP(2, (16, 16, 1))`` (widths as a tuple
ending in 1) is an ``MLP[Value]`` whose call is a `Value`, while micrograd's
``MLP(2, [16, 16, 1])`` is typed with both cases; fit returns a History;
autograd.compile a Compiled (see docs/nn.md, "Types").
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

PROGRAM = """
import autograd
from autograd import Value
from nn import MLP, SGD, History, Linear, Module, fit, load, mse_loss, one_hot

x = Value(2.0)
reveal_type(x * 3 + 1)
reveal_type((x * x).tanh())
reveal_type(autograd.exp(x))
scalar = MLP(2, (16, 16, 1), seed=0)
reveal_type(scalar)
reveal_type(scalar([1.0, 2.0]))
reveal_type(scalar([1.0, 2.0]).data)
either = MLP(2, [16, 16, 1], seed=0)
reveal_type(either)
reveal_type(either([1.0, 2.0]))
reveal_type(either.forward_one([1.0, 2.0]))
reveal_type(either.outputs([1.0, 2.0]))
reveal_type(mse_loss([scalar(row) for row in [[1.0, 2.0]]], [1.0]))
reveal_type(Linear(2, 3)([1.0, 2.0]))


class Line(Module):
    def __init__(self) -> None:
        self.m = Value(0.0)

    def forward(self, x: float) -> Value:
        return self.m * x


reveal_type(Line()(1.0))
history = fit(scalar, [[1.0, 2.0]], [1.0], loss=mse_loss, optimizer=SGD(scalar.parameters()), epochs=1)
reveal_type(history)
step = autograd.compile(lambda a, b: a * b)
reveal_type(step)
reveal_type(one_hot(3, 5))
reveal_type(load(scalar, "model.json"))


def typed(model: MLP) -> None:  # a bare MLP annotation still means either case
    reveal_type(model)
"""

EXPECTED = [
    "autograd.value.Value",
    "autograd.value.Value",
    "autograd.value.Value",
    "nn.layers.MLP[autograd.value.Value]",
    "autograd.value.Value",
    "builtins.float",
    "nn.layers.MLP[autograd.value.Value | builtins.list[autograd.value.Value]]",
    "autograd.value.Value | builtins.list[autograd.value.Value]",
    "autograd.value.Value",
    "builtins.list[autograd.value.Value]",
    "autograd.value.Value",
    "builtins.list[autograd.value.Value]",
    "autograd.value.Value",
    "nn.training.History",
    "autograd.compiler.compiled.Compiled",
    "builtins.list[builtins.float]",
    "nn.layers.MLP[autograd.value.Value]",
    "nn.layers.MLP[autograd.value.Value | builtins.list[autograd.value.Value]]",
]

WRONG = """
from nn import MLP, Module
from autograd import Value


class Line(Module):
    def forward(self, x: float) -> Value:
        return Value(x)


Line()("two")  # the call is checked against forward's parameters
MLP(2, [16, 16, 1])([1.0, 2.0]).backward()  # a list's last width is not visible: narrow it first
"""


def _mypy(tmp_path: Path, name: str, source: str) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api")
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".cache"), "--show-error-codes", str(path)]
    )
    return out + err, status


@pytest.mark.slow
def test_the_main_entry_points_have_precise_types(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, "user.py", PROGRAM)
    revealed = [line.split('Revealed type is "')[1].rstrip('"') for line in out.splitlines() if "Revealed type" in line]
    revealed = [text.replace("builtins.", "") for text in revealed]
    assert revealed == [text.replace("builtins.", "") for text in EXPECTED], out
    assert status == 0, out


@pytest.mark.slow
def test_wrong_calls_are_caught(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, "wrong.py", WRONG)
    assert status == 1
    assert 'Argument 1 to "__call__" of "Module" has incompatible type "str"; expected "float"' in out
    assert 'Item "list[Value]" of "Value | list[Value]" has no attribute "backward"' in out
