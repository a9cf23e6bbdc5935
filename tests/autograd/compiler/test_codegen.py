"""What every backend's generator shares: template tables, precedences, inlining, the backward pass."""

from __future__ import annotations

import pytest

from autograd import Value, defop, ops
from autograd.compiler.backends import c, python
from autograd.compiler.codegen import (
    ADD,
    ATOM,
    LOW,
    MUL,
    UNARY,
    Expr,
    TemplateTable,
    Writer,
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


class _Spelling(Writer):
    """A backend's spelling in miniature: statements, gradient names and partials of its own."""

    def __init__(self, seed: str, chunk: int, end: str, param: str, node: str) -> None:
        self.seed, self.chunk, self.end, self.param, self.node = seed, chunk, end, param, node

    def statement(self, target: str, expression: str) -> str:
        return f"{target} = {expression}{self.end}"

    def param_gradient(self, k: int) -> str:
        return self.param.format(k)

    def node_gradient(self, k: int) -> str:
        return self.node.format(k)

    def partial(self, template: str, k: int, g: str) -> Expr:
        return template.replace("{g}", g).replace("{out}", f"out{k}").replace("{0}", "in0").replace("{1}", "in1"), LOW


def _templates(tr: Trace, table: TemplateTable) -> list[tuple[str, tuple[str, ...]] | None]:
    return [table.lookup(n.op) if n.kind == OP and n.op else None for n in tr.nodes]


def test_the_backward_pass_is_the_same_program_in_both_spellings() -> None:
    tr = _tanh_neuron()
    py = backward_statements(tr, _templates(tr, python.TEMPLATES), _Spelling("_seed", 100, "", "g_p{}", "g{}"))
    cc = backward_statements(tr, _templates(tr, c.TEMPLATES), _Spelling("seed", 64, ";", "G[{}]", "d[{}]"))
    assert len(py) == len(cc) == 3  # tanh's gradient, then b's and w's (b: the gradient passes through + as it is)
    assert py[0].startswith("g") and cc[0].startswith("d[") and cc[0].endswith(";")
    assert [line.split(" = ")[0].startswith(("g_p", "G[")) for line in py] == [False, True, True]
    assert [line.split(" = ")[0].startswith(("g_p", "G[")) for line in cc] == [False, True, True]


def test_a_writer_must_spell_everything_the_backward_pass_asks_for() -> None:
    class Half(Writer):
        seed, chunk = "s", 10

        def statement(self, target: str, expression: str) -> str:
            return f"{target} = {expression}"

    with pytest.raises(TypeError, match="abstract"):
        Half()  # type: ignore[abstract]


def test_every_backend_table_covers_the_whole_operation_table_and_nothing_else() -> None:
    for table in (python.TEMPLATES, c.TEMPLATES):
        assert set(table.rows) == {op.family for op in ops.TABLE} | {"**c", "c**"}
        for op in ops.TABLE:
            template = table.lookup(op)
            assert template is not None and len(template[1]) == op.arity, (table, op)


def test_powers_with_a_constant_get_their_template_from_the_constant() -> None:
    assert python.TEMPLATES.lookup(ops.power(2.0)) == ("{0} * {0}", ("2.0 * {0}",))
    assert python.TEMPLATES.lookup(ops.power(3.0)) == ("{0} ** {c}", ("{c} * {0} ** ({c} - 1.0)",))
    assert python.TEMPLATES.lookup(ops.power(0.5)) == ("_pow({0}, {c})", ("{c} * {0} ** ({c} - 1.0)",))
    assert c.TEMPLATES.lookup(ops.power_of(-2.0)) == ("pow({c}, {0})", ("NAN",))


def test_a_users_operation_is_looked_up_by_identity_never_by_its_name() -> None:
    mine = defop("tanh", lambda x: x, lambda x, out: 1.0)  # a user's "tanh" is not the table's
    assert python.TEMPLATES.lookup(mine) is None and c.TEMPLATES.lookup(mine) is None
    c.TEMPLATES.register(mine, ("{0}", ("1.0",)))
    assert c.TEMPLATES.lookup(mine) == ("{0}", ("1.0",)) and ops.rule_of("c", mine) == ("{0}", ("1.0",))
    assert python.TEMPLATES.lookup(mine) is None
    assert c.TEMPLATES.lookup(ops.tanh) == ("tanh({0})", ("1.0 - {out} * {out}",))


def test_a_temporary_used_once_is_inlined_unless_the_backward_pass_reads_it() -> None:
    tr = _tanh_neuron()
    inline = inline_decisions(tr, _templates(tr, python.TEMPLATES), backward=True)
    ops = [(n.op.name, inline[k]) for k, n in enumerate(tr.nodes) if n.kind == OP and n.op]
    assert ops == [("*", True), ("+", True), ("tanh", False)]  # tanh's output is read by its derivative
    assert ATOM > UNARY > MUL > ADD > LOW
