"""What the Python and C generators share: precedences, inlining, the backward pass written two ways."""

from __future__ import annotations

import pytest

from autograd import Value
from autograd.compiler.chainrule import (
    ADD,
    ATOM,
    LOW,
    MUL,
    UNARY,
    Spelling,
    backward_statements,
    classify,
    inline_decisions,
    parenthesize,
)
from autograd.compiler.tracing import OP, Trace, trace


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{0} + {1}", (ADD, {"0": ADD, "1": MUL})),  # a - (b + c) needs the parentheses; (a + b) + c does not
        ("{0} * {1}", (MUL, {"0": MUL, "1": UNARY})),
        ("-{0}", (UNARY, {"0": UNARY})),
        ("exp({0})", (ATOM, {"0": LOW})),
        ("({0} > 0.0 ? {0} : 0.0)", (LOW, {"0": ATOM})),
    ],
)
def test_classify_gives_each_templates_precedences(template: str, expected: tuple[int, dict[str, int]]) -> None:
    assert classify(template) == expected


def test_parenthesize_adds_parentheses_only_where_needed() -> None:
    assert parenthesize(("a + b", ADD), MUL) == "(a + b)"
    assert parenthesize(("a * b", MUL), MUL) == "a * b"
    assert parenthesize(("x", LOW), ATOM) == "x"  # a bare name never needs them


def _tanh_neuron() -> Trace:
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")
    return trace(lambda x: (w * x + b).tanh(), [2.0], [0], ["x"])


def test_the_backward_pass_is_the_same_program_in_both_spellings() -> None:
    tr = _tanh_neuron()
    templates = {
        backend: [n.op.code[backend] if n.kind == OP and n.op else None for n in tr.nodes] for backend in ("py", "c")
    }
    programs = []
    for backend, spelling in (
        ("py", Spelling("_seed", 100, lambda t, e: f"{t} = {e}", lambda k: f"g_p{k}", lambda k: f"g{k}", _fill)),
        ("c", Spelling("seed", 64, lambda t, e: f"{t} = {e};", lambda k: f"G[{k}]", lambda k: f"d[{k}]", _fill)),
    ):
        programs.append(backward_statements(tr, templates[backend], spelling))
    py, c = programs
    assert len(py) == len(c) == 3  # tanh's gradient, then b's and w's (b: the gradient passes through + as it is)
    assert py[0].startswith("g") and c[0].startswith("d[") and c[0].endswith(";")
    assert [line.split(" = ")[0].startswith(("g_p", "G[")) for line in py] == [False, True, True]
    assert [line.split(" = ")[0].startswith(("g_p", "G[")) for line in c] == [False, True, True]


def _fill(template: str, k: int, g: str) -> tuple[str, int]:
    return template.replace("{g}", g).replace("{out}", f"out{k}").replace("{0}", "in0").replace("{1}", "in1"), LOW


def test_a_temporary_used_once_is_inlined_unless_the_backward_pass_reads_it() -> None:
    tr = _tanh_neuron()
    templates = [n.op.code["py"] if n.kind == OP and n.op else None for n in tr.nodes]
    inline = inline_decisions(tr, templates, backward=True)
    ops = [(n.op.name, inline[k]) for k, n in enumerate(tr.nodes) if n.kind == OP and n.op]
    assert ops == [("*", True), ("+", True), ("tanh", False)]  # tanh's output is read by its derivative
    assert ATOM > UNARY > MUL > ADD > LOW
