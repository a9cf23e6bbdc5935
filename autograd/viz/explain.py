"""`explain`: the backward pass of a graph, one step per node, with the chain rule written out in numbers.

>>> from autograd import Value, explain
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> out = x * w
>>> out.label = "out"
>>> steps = explain(out)
>>> print(steps.text())
step 1  out.grad = 1  (the output: d(out)/d(out) = 1)
step 2  out = x * w
        d(out)/dx = w = -3
        x.grad += out.grad × d(out)/dx = 1 × -3 = -3
        d(out)/dw = x = 2
        w.grad += out.grad × d(out)/dw = 1 × 2 = 2
>>> steps.grads[x], x.grad          # explain leaves .grad alone
(-3.0, 0.0)

Each local derivative is written as its rule first (`autograd.viz.rules`,
the explain view's own table: ``tanh``'s is ``1 − out²``), then with the numbers
put in, then as the number the operation's derivative gives.

The steps are computed here, in plain Python, with each operation's own
``derivative`` (`autograd.ops.Op.derivative`) in exactly the order and with
exactly the arithmetic of `autograd.backprop.backward`, so the gradients they
end with are the ones ``backward()`` gives, to the last bit.  Nothing in the
graph is changed: not even ``.grad``.

The step order is backprop's: reverse `autograd.topological_order`, a node
only after every node that uses it, so its gradient is complete when it is
passed on.  A value used several times collects one ``+=`` per use, and the
text says so (``w.grad += ... (2nd use: 1.5 + 2 = 3.5)``).  Given a model
(``explain(loss, names=model)``), the values get short names from its structure
(`autograd.viz.names`: ``L0.n1.w0``, ``L0.n1.z``, ``L0.n1.a``) and the steps go
neuron by neuron, output layer first: another valid backprop order, which
keeps backward()'s additions for every gradient (see `_step_order`).

The interactive view (`Explanation.save` to ``.html``, inline display in
Jupyter) lives in `autograd.viz.stepper`; the animation (``.gif``) in
`autograd.viz.animate`.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pathlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.checks import describe
from autograd.value import Value

from .dot import walk
from .names import Structure, is_model, structure
from .options import DEFAULT_MAX_NODES, check_max_nodes, check_roots, number_formatter
from .rules import explain_partial, rule_for

__all__ = ["Explanation", "Step", "Term", "explain"]

_SIMPLE = re.compile(r"[A-Za-z_][\w.\[\]]*|#\d+|\d[\w.+]*")  # a name, #7, or a non-negative number
_CALL = re.compile(r"[A-Za-z_]\w*\(")
_IDENT = re.compile(r"[A-Za-z_][\w.\[\]]*")


def _closes_at_end(text: str, start: int) -> bool:
    """Whether the parenthesis opened at `start` is closed by the last character."""
    depth = 0
    for k in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[k], 0)
        if depth == 0:
            return k == len(text) - 1
    return False


def _strip(name: str) -> str:
    """`name` without parentheses around the whole of it (``(a+b)`` -> ``a+b``; ``(a)+(b)`` stays)."""
    return name[1:-1] if name.startswith("(") and _closes_at_end(name, 0) else name


def _atomic(name: str) -> bool:
    """Whether `name` reads as one thing where a formula puts it: a name, a number, a call, a parenthesis."""
    if _SIMPLE.fullmatch(name):
        return True
    if name[-1:] in ("²", "³"):  # a power binds tighter than anything: x², (a+b)³
        return _atomic(name[:-1])
    call = _CALL.match(name)
    return (call is not None and _closes_at_end(name, call.end() - 1)) or (
        name.startswith("(") and _closes_at_end(name, 0)
    )


def _ref(name: str) -> str:
    """`name` as a formula or ``.grad`` names it: in parentheses unless it is atomic."""
    return name if _atomic(name) else f"({name})"


_SUPERSCRIPT = {"**2": "²", "**3": "³"}
"""Powers written as superscripts, in names and formulas: ``(score-1)²``."""

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
"""How tightly the arithmetic operators bind, for names without needless parentheses (``x1*w1+x2*w2``)."""

_MINUS = {"-": "−"}
"""How a formula writes an operator where it differs from the name (a minus sign, not a hyphen)."""

_NAME_LIMIT = 16
"""An unlabelled node is named by its expression (``x*w``) when that is at most this long, else ``#7``."""


@dataclass(frozen=True)
class Term:
    """One input's share of a backward step: ``input.grad += out.grad × partial``."""

    input: int
    """Index of the input in `Explanation.nodes` (its drawing id is ``n<input>``)."""
    name: str
    """How the text names the input."""
    partial: float
    """d(out)/d(input), from the operation's own ``derivative``."""
    contribution: float
    """``out.grad * partial``, what is added to the input's gradient."""
    before: float
    """The input's gradient before this step (0.0 on its first use)."""
    after: float
    """The input's gradient after this step: ``before + contribution``."""
    use: int
    """Which use of the input this is, counted in backprop's order (1 for the first)."""
    rule: str = ""
    """The local derivative as the text writes it: its rule, with the numbers (``d(o)/dn = 1 − o² = ... = 0.5``);
    empty for a constant input, which gets no line."""


@dataclass(frozen=True)
class Step:
    """One step of the explanation: a node and what it passes on to its inputs.

    ``kind`` is ``"seed"`` (the first backward step: the output's gradient is
    1), ``"backward"`` (a computed node passes its gradient on) or
    ``"forward"`` (with ``forward=True``: a node's value is computed).
    """

    kind: str
    node: int
    """Index of the node in `Explanation.nodes`."""
    name: str
    data: float
    grad: float
    """The node's gradient, complete at this step (0.0 for forward steps)."""
    op: str | None
    """The operation's name, ``None`` for a leaf."""
    inputs: tuple[int, ...]
    terms: tuple[Term, ...]
    lines: tuple[str, ...]
    """The step as text, one line per line shown."""

    def __str__(self) -> str:
        return "\n".join(self.lines)


class Explanation:
    """The steps of the backward pass (and optionally the forward pass) of a graph; made by `explain`.

    Attributes:
        steps: the `Step`s, in order.
        nodes: the graph's `Value`s in `autograd.topological_order`; node ``i``
            is drawn with id ``n<i>``.
        names: the name the text gives each node.
        grads: each node's gradient after the last step (a dict `Value` -> float),
            equal to what ``backward()`` puts into ``.grad`` starting from 0.
    """

    def __init__(
        self,
        root: Value,
        nodes: list[Value],
        names: list[str],
        steps: list[Step],
        grads: dict[Value, float],
        labels: dict[Value, str],
        number_format: Any,
        max_nodes: int | None,
    ) -> None:
        self.root = root
        self.nodes = nodes
        self.names = names
        self.steps = steps
        self.grads = grads
        self._labels = labels
        self._number_format = number_format
        self._max_nodes = max_nodes

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Any:
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def text(self) -> str:
        """All the steps as plain text, numbered from 1."""
        out = []
        for i, step in enumerate(self.steps, 1):
            head = f"step {i}"
            pad = " " * (len(head) + 2)
            out.append(f"{head}  {step.lines[0]}")
            out.extend(pad + line for line in step.lines[1:])
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        kinds = sum(1 for s in self.steps if s.kind == "forward")
        forward = f", {kinds} forward" if kinds else ""
        return (
            f"<Explanation of {self.names[-1]!r}: {len(self.steps)} steps{forward}, {len(self.nodes)} values; "
            "print it, display it in Jupyter or .save('backprop.html' / '.gif')>"
        )

    # ------------------------------------------------------------------ views (loaded on use)

    def dot(self, **options: Any) -> str:
        """The DOT source of the graph as drawn in the views, with the final values and gradients."""
        from .stepper import explanation_dot

        return explanation_dot(self, **options)

    def html(self, **options: Any) -> str:
        """The interactive view as one self-contained HTML document (no network needed)."""
        from .stepper import to_html

        return to_html(self, **options)

    def save(self, path: str | os.PathLike[str], **options: Any) -> pathlib.Path:
        """Write the view to `path`: ``.html`` (interactive), ``.gif`` (animated), ``.txt`` (the text)."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Explanation.save(path): path must be a str or os.PathLike, got {describe(path)}")
        target = pathlib.Path(path)
        suffix = target.suffix.lower()
        if suffix in (".html", ".htm"):
            data = self.html(**options).encode("utf-8")
        elif suffix == ".gif":
            from .animate import to_gif

            data = to_gif(self, **options)
        elif suffix == ".txt":
            if options:
                raise TypeError(f"saving the text takes no options, got {', '.join(sorted(options))}")
            data = (self.text() + "\n").encode("utf-8")
        else:
            raise ValueError(
                f"cannot tell what to write from the file name {str(path)!r}; end it in .html, .gif or .txt"
            )
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # atomic: a failed save leaves no half-written file
        return target

    def _repr_html_(self) -> str:
        from .stepper import to_html

        return to_html(self, fragment=True)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """HTML (interactive) plus a PNG of the final state for viewers that run no scripts (GitHub)."""
        from .stepper import mimebundle

        return mimebundle(self)


def _number_text(c: float) -> str:
    """An operation's constant as its name writes it (``2`` for 2.0, ``0.5``)."""
    text = repr(c)
    return text[:-2] if text.endswith(".0") else text


def _same(text: str) -> str:
    """`text` as compared for repeats: ``(-1)``, ``−1`` and ``-1`` are the same number."""
    return _strip(text).replace("−", "-")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _partials(node: Value) -> tuple[Any, ...]:
    """The operation's local derivatives, called exactly as `autograd.backprop` calls it."""
    op: Any = node.op
    return tuple(op.partials(*[v.data for v in node.inputs], node.data))


def _check_names(names: object) -> dict[Value, str]:
    if names is None:
        return {}
    if is_model(names):  # named by explain() itself, from the model's structure
        return {}
    items = names.items() if isinstance(names, Mapping) else names
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(
            "explain(names=...) expects a model (its values get short names: L0.n1.w0), a mapping name -> Value "
            f"or (name, Value) pairs such as model.named_parameters(), got {describe(names)}"
        )
    out: dict[Value, str] = {}
    for item in items:
        if not (isinstance(item, Sequence) and len(item) == 2):
            raise TypeError(f"explain(names=...) expects (name, Value) pairs, got {describe(item)}")
        name, value = item
        if isinstance(name, Value) and isinstance(value, str):
            name, value = value, name
        if not isinstance(name, str) or not isinstance(value, Value):
            raise TypeError(
                f"explain(names=...) expects (name, Value) pairs, got ({describe(name)}, {describe(value)})"
            )
        out[value] = name
    return out


def _step_order(nodes: list[Value], found: Structure | None) -> list[Value]:
    """The computed nodes in the order the steps take them: backprop's, or neuron by neuron for a model.

    Backprop's order is reverse `topological_order`.  With a model's neuron
    calls known, the order is another valid one (every node after every node
    that uses it): a greedy walk that takes, of the nodes ready, one of the
    neuron call it is in (so a neuron is stepped through as a unit), layers in
    the order backprop reaches them (the output layer first), neurons in the
    model's order.  A node's gradient is a sum of one term per use, and
    floating-point ``+`` is commutative but not associative: the sum is
    ``((t1 + t2) + t3) + ...`` from 0.0, so its first two terms may come in
    either order and the others must keep backprop's.  The walk keeps that
    order for every node used three times or more, so each gradient is
    computed with exactly ``backward()``'s additions, bit for bit.
    """
    order = [n for n in reversed(nodes) if n.op is not None]
    if found is None or not found.group:
        return order
    pos = {n: k for k, n in enumerate(order)}
    waiting: dict[Value, int] = dict.fromkeys(order, 0)  # users (and earlier uses) not yet stepped
    then: dict[Value, list[Value]] = {n: [] for n in order}  # n -> the nodes waiting for it
    uses: dict[Value, list[Value]] = {}
    for n in order:
        for v in n.inputs:
            uses.setdefault(v, []).append(n)

    def wait(first: Value, second: Value) -> None:
        if first is not second:
            then[first].append(second)
            waiting[second] += 1

    for v, users in uses.items():
        if v.op is not None:
            for u in dict.fromkeys(users):
                wait(u, v)
        if len(users) >= 3:  # from the third use on, backprop's order, after the first two (leaves too)
            wait(users[0], users[2])
            for a, b in itertools.pairwise(users[1:]):
                wait(a, b)
    layer_start: dict[tuple[str, int], int] = {}
    for n in order:
        if n in found.group:
            short, call = found.group[n]
            layer = (found.order[short][0], call)
            layer_start.setdefault(layer, pos[n])

    def key(n: Value) -> tuple[int, int, int, int]:
        if n not in found.group:
            return (pos[n], -1, -1, pos[n])
        short, call = found.group[n]
        container, place = found.order[short]
        return (layer_start[(container, call)], place, call, pos[n])

    ready = [(key(n), pos[n], n) for n in order if waiting[n] == 0]
    heapq.heapify(ready)
    out: list[Value] = []
    while ready:
        _, _, n = heapq.heappop(ready)
        out.append(n)
        for m in then[n]:
            waiting[m] -= 1
            if waiting[m] == 0:
                heapq.heappush(ready, (key(m), pos[m], m))
    assert len(out) == len(order), "the step order lost a node"
    return out


def explain(
    root: Value,
    *,
    forward: bool = False,
    names: Any = None,
    number_format: Any = ".4g",
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Explanation:
    """The backward pass of `root`'s graph, step by step, with the chain rule written out in numbers.

    Args:
        root: the output to differentiate (a `Value`; its gradient starts at 1).
        forward: also show the forward pass first, one step per computed value.
        names: names for values without a label.  A model (an `nn` module, or
            anything with ``named_parameters()`` and ``named_modules()``) names
            its parameters short (``L0.n1.w0`` for ``layers.0.neurons.1.w.0``) and
            each neuron call's running sums, weighted sum and activation
            (``L0.n1.s1``, ``L0.n1.z``, ``L0.n1.a``), and the steps go neuron by
            neuron, output layer first (see `autograd.viz.names`).  A mapping
            name -> `Value` or ``(name, Value)`` pairs, e.g.
            ``model.named_parameters()``, give the names as they are.  Shown in
            the text and in the drawing; a `Value`'s own label wins.
        number_format: how numbers are written in the text and the drawing
            (a format spec such as ``".4g"`` or a function float -> str).
        max_nodes: refuse graphs with more values than this (``None``: no limit).

    Returns:
        An `Explanation`: ``.steps`` (the structured steps), ``.text()``,
        ``.grads``, ``.save("backprop.html")`` / ``.save("backprop.gif")``, and
        an interactive view when displayed in Jupyter.  ``.grad`` of the graph's
        values is not touched.
    """
    roots = check_roots(root)
    if len(roots) != 1:
        raise TypeError(f"explain() needs one Value (the output to differentiate), got {len(roots)}")
    (out,) = roots
    fmt = number_formatter(number_format)
    limit = check_max_nodes(max_nodes)
    labels = _check_names(names)
    nodes = walk([out], limit)
    index = {node: i for i, node in enumerate(nodes)}
    found: Structure | None = None
    if is_model(names):
        found = structure(names, nodes)
        labels = {v: name for v, name in found.names.items() if not v.label}  # a user's label wins

    names_list: list[str] = []
    pretty: list[str] = []  # the same, spaced as a formula writes it: (score − 1)
    prec = [9] * len(nodes)  # how tightly each name binds: 9 a name or a number, 1 a sum (see _PRECEDENCE)
    constant = [False] * len(nodes)  # unnamed leaves: constants, shown as their value, given no gradient line
    for node in nodes:
        given = labels.get(node) or node.label
        if given:
            names_list.append(given)
            pretty.append(given)
        elif node.op is None:
            constant[len(names_list)] = True
            names_list.append(fmt(node.data))  # an unnamed leaf: a constant, shown as its value
            pretty.append(names_list[-1])
        else:
            parts = [names_list[index[v]] for v in node.inputs]
            spaced = [pretty[index[v]] for v in node.inputs]
            op_name = node.op.name
            nice = None
            if len(parts) == 2 and not op_name.isidentifier():
                if op_name in _PRECEDENCE:  # x1*w1+x2*w2: no parentheses a reader does not need
                    here = _PRECEDENCE[op_name]
                    left, right = (prec[index[v]] for v in node.inputs)
                    parts = [
                        _strip(parts[0]) if left >= here else parts[0],
                        _strip(parts[1]) if right > here else parts[1],
                    ]
                expr = f"({parts[0]}{op_name}{parts[1]})"
                nice = f"({spaced[0]} {_MINUS.get(op_name, op_name)} {spaced[1]})"
            elif len(parts) == 1 and op_name in _SUPERSCRIPT:
                expr = f"{_ref(_strip(parts[0]))}{_SUPERSCRIPT[op_name]}"
                nice = f"{_ref(_strip(spaced[0]))}{_SUPERSCRIPT[op_name]}"
            elif len(parts) == 1 and op_name.startswith("**"):
                expr = f"({parts[0]}{op_name})"
            elif len(parts) == 1 and op_name.endswith("**"):
                expr = f"({op_name}{parts[0]})"
            elif op_name == "neg":
                expr = f"(-{parts[0]})"
            else:
                expr = f"{op_name}({', '.join(_strip(p) for p in parts)})"
            power = len(parts) == 1 and (op_name.startswith("**") or op_name.endswith("**"))
            prec[len(names_list)] = _PRECEDENCE.get(op_name, 4 if power else 0)
            long_ok = found is not None and node in found.products
            names_list.append(expr if len(expr) <= _NAME_LIMIT or long_ok else f"#{index[node]}")
            pretty.append(nice if nice is not None and names_list[-1] == expr else names_list[-1])
    shown = [_strip(n) for n in names_list]
    ref = [_ref(n) for n in shown]  # how `.grad` and the rules name it
    dref = [n if _IDENT.fullmatch(n) else f"({n})" for n in shown]  # how `d(...)/d...` names it

    def formula(node: Value) -> str:
        op_name = node.op.name if node.op is not None else "?"
        args = [names_list[index[v]] for v in node.inputs]
        if len(args) == 2 and not op_name.isidentifier():
            return f"{args[0]} {op_name} {args[1]}"
        if len(args) == 1 and op_name in _SUPERSCRIPT:
            return f"{_ref(_strip(pretty[index[node.inputs[0]]]))}{_SUPERSCRIPT[op_name]}"
        if len(args) == 1 and op_name.startswith("**"):
            return f"{args[0]}{op_name}"
        if len(args) == 1 and op_name.endswith("**"):
            return f"{op_name}{args[0]}"
        return f"{op_name}({', '.join(shown[index[v]] for v in node.inputs)})"

    steps: list[Step] = []
    if forward:
        for i, node in enumerate(nodes):
            if node.op is None:
                continue
            args = ", ".join(fmt(v.data) for v in node.inputs)
            line = f"{shown[i]} = {formula(node)} = {node.op.name}({args}) = {fmt(node.data)}"
            if len(node.inputs) == 2 and not node.op.name.isidentifier():
                a, b = node.inputs
                line = f"{shown[i]} = {formula(node)} = {fmt(a.data)} {node.op.name} {fmt(b.data)} = {fmt(node.data)}"
            elif len(node.inputs) == 1 and not node.op.name.isidentifier():  # x², x**0.5, 2**x, not **2(x)
                x = fmt(node.inputs[0].data)
                x = f"({x})" if x.startswith("-") else x
                name = node.op.name
                number = f"{x}{_SUPERSCRIPT.get(name, name)}" if name.startswith("**") else f"{name}{x}"
                line = f"{shown[i]} = {formula(node)} = {number} = {fmt(node.data)}"
            steps.append(
                Step(
                    "forward",
                    i,
                    shown[i],
                    node.data,
                    0.0,
                    node.op.name,
                    tuple(index[v] for v in node.inputs),
                    (),
                    (line,),
                )
            )

    # The backward pass, in backprop's order and with its arithmetic (see autograd.backprop._propagate).
    grads: dict[Value, Any] = dict.fromkeys(nodes, 0.0)
    uses: dict[Value, int] = dict.fromkeys(nodes, 0)
    grads[out] = 1.0
    r = index[out]
    steps.append(
        Step(
            "seed",
            r,
            shown[r],
            out.data,
            1.0,
            out.op.name if out.op else None,
            tuple(index[v] for v in out.inputs),
            (),
            (f"{ref[r]}.grad = 1  (the output: d({shown[r]})/d({shown[r]}) = 1)",),
        )
    )
    for node in _step_order(nodes, found):
        i = index[node]
        g = grads[node]
        terms = []
        lines = [f"{shown[i]} = {formula(node)}"]
        op: Any = node.op
        const = "" if op.const is None else _number_text(op.const)
        rules = rule_for(op, const)
        for pos, (v, d) in enumerate(zip(node.inputs, _partials(node))):
            j = index[v]
            before = grads[v]
            contribution = g * d
            grads[v] = after = before + contribution
            uses[v] += 1
            if constant[j]:  # a constant's gradient is computed (backward() fills it) but not worth a line
                terms.append(Term(j, shown[j], d, contribution, before, after, uses[v]))
                continue
            parts = [f"d({shown[i]})/d{dref[j]}"]
            if rules is not None:
                names_in = [ref[index[x]] for x in node.inputs]
                numbers_in = [x.data for x in node.inputs]
                parts += explain_partial(rules[pos], names_in, numbers_in, ref[i], node.data, const, fmt)
            parts.append(fmt(d))
            parts = [_strip(p) for k, p in enumerate(parts) if k == 0 or _same(p) != _same(parts[k - 1])]
            rule_line = " = ".join(parts)
            terms.append(Term(j, shown[j], d, contribution, before, after, uses[v], rule_line))
            lines.append(rule_line)
            line = (
                f"{ref[j]}.grad += {ref[i]}.grad × d({shown[i]})/d{dref[j]} = {fmt(g)} × {fmt(d)} = {fmt(contribution)}"
            )
            if uses[v] > 1:
                line += f"  ({_ordinal(uses[v])} use: {fmt(before)} + {fmt(contribution)} = {fmt(after)})"
            lines.append(line)
        steps.append(
            Step(
                "backward",
                i,
                shown[i],
                node.data,
                g,
                op.name,
                tuple(index[v] for v in node.inputs),
                tuple(terms),
                tuple(lines),
            )
        )
    final = {node: float(grads[node]) for node in nodes}
    return Explanation(out, nodes, shown, steps, final, labels, number_format, limit)
