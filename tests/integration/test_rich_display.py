"""Rich display in notebooks: `_repr_html_` of Value, Module and History, and `History.plot()`."""

from __future__ import annotations

import sys
from html.parser import HTMLParser

import pytest

import nn
from autograd import Value


class _Checker(HTMLParser):
    """Collects the text and fails on a tag outside the few the displays use (an unescaped label would add one)."""

    ALLOWED = frozenset({"table", "thead", "tbody", "tr", "th", "td", "b", "div", "br", "svg", "polyline"})

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _text(html: str) -> str:
    checker = _Checker()
    checker.feed(html)
    return " ".join(checker.text)


def test_value_shows_data_grad_and_op_with_the_label_escaped() -> None:
    x = Value(2.0, label="<script>alert(1)</script> & x")
    y = (x * 3).tanh()
    y.backward()
    html = x._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = _text(html)
    assert "data 2.0" in text and f"grad {x.grad!r}" in text and "leaf" in text
    assert "op tanh" in _text(y._repr_html_())


def test_value_keeps_its_slots() -> None:
    """Display is methods only: a node's memory does not change."""
    assert Value.__slots__ == ("data", "grad", "op", "label", "_x", "_y")
    assert not hasattr(Value(1.0), "__dict__")


class _Embeddings(nn.Module):
    def __init__(self) -> None:
        self.wte = [[Value(0.0) for _ in range(8)] for _ in range(28)]
        self.ragged = [[Value(0.0)], [Value(1.0), Value(2.0)]]
        self.head = nn.Linear(8, 2)

    def extra_repr(self) -> str:
        return "note=<b>bold</b>"


def test_a_matrix_of_values_is_one_line_in_the_repr() -> None:
    text = repr(_Embeddings())
    assert "(wte): 28×8 Values" in text
    assert "wte.0" not in text
    assert "(ragged.0): list of 1 Values" in text and "(ragged.1): list of 2 Values" in text  # not a matrix


def test_module_html_is_the_summary_table_with_counts() -> None:
    module = _Embeddings()
    html = module._repr_html_()
    assert "<b>bold</b>" not in html  # the module's own text is escaped
    text = _text(html)
    assert f"{module.num_parameters():,} parameters" in text
    assert "wte 28×8 Values 224" in text
    assert "head Linear(in_features=8, out_features=2, bias=True) 18" in text
    gpt = _text(nn.GPT(27)._repr_html_())
    assert "4,192 parameters" in gpt and "wte Embedding(27, 16) 432" in gpt


def _history(epochs: int = 8) -> nn.History:
    model = nn.MLP(2, [4, 1], seed=0)
    X, y = nn.make_moons(20, seed=0)
    signs = [2.0 * t - 1.0 for t in y]
    return nn.fit(
        model,
        X,
        signs,
        loss=nn.hinge_loss,
        optimizer=nn.SGD(model),
        epochs=epochs,
        validation_data=(X, signs),
        progress=False,
    )


def test_history_html_has_the_curve_and_a_few_epochs() -> None:
    history = _history(10)
    html = history._repr_html_()
    assert html.count("<polyline") == 2  # loss and validation loss
    text = _text(html)
    assert "10 epochs" in text and "val_loss" in text
    assert len(history._shown_epochs()) == 6 and history._shown_epochs()[::5] == [0, 9]
    assert _text(nn.History()._repr_html_()) == "History (0 epochs)"


def test_history_plot_is_a_matplotlib_figure() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = _history().plot()
    assert isinstance(fig, Figure)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["train", "validation"]


def test_history_plot_without_matplotlib_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    history = _history(3)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    text = history.plot()
    assert isinstance(text, str)
    assert text.startswith("History of 3 epochs\nepoch  ") and "History.plot needs matplotlib" in text
    assert "pip install -e '.[plot]'" in text
