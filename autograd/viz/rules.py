"""The explain view's own table: the rule behind each local derivative, written as a learner reads it.

The operation table (`autograd.ops`) holds only the math; this interpretation
keeps, per operation family, one short formula per input: ``tanh``'s is
``1 − {out}²``, ``*``'s the other input, ``relu``'s ``1 if {0} > 0 else 0``.
`explain` writes each local derivative as its rule, then the rule with the
numbers put in, then the number the operation's own derivative gives::

    d(o)/dn = 1 − o² = 1 − 0.7071² = 0.5

Placeholders: ``{0}``, ``{1}`` the inputs, ``{out}`` the result, ``{c}`` the
constant of ``x ** c`` and ``c ** x``.  Your own operation gets a rule with
``defop(..., explain=("1 − {out}²",))`` (one formula per input; registered with
`autograd.ops.register_rule` under ``"explain"``), or
``register_rule("explain", op, (...))``; without one, the text shows the
number alone.  The number is always the derivative's own: the rule explains
it, never replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from autograd.ops import Op, rule_of

__all__ = ["RULES", "INTERPRETATION", "rule_for", "render", "explain_partial"]

INTERPRETATION = "explain"
"""The name under which users' operations register their rule (``register_rule("explain", op, ...)``)."""

Rule = tuple[str, ...]


def _power(c: str) -> Rule:
    """``x ** c``: ``c·x^(c−1)``, written out for the common exponents."""
    if c == "2":
        return ("2·{0}",)
    if c in ("0", "1"):
        return ("0",) if c == "0" else ("1",)
    return ("{c}·{0}**({c} − 1)",)


# fmt: off
RULES: Mapping[str, Rule | Callable[[str], Rule]] = {
    #  family         one formula per input
    "+":            ("1", "1"),
    "-":            ("1", "−1"),
    "*":            ("{1}", "{0}"),
    "/":            ("1/{1}", "−{out}/{1}"),
    "**":           ("{1}·{0}**({1} − 1)", "{out}·log({0})"),
    "neg":          ("−1",),
    "abs":          ("sign({0})",),
    "exp":          ("{out}",),
    "log":          ("1/{0}",),
    "tanh":         ("1 − {out}²",),
    "sigmoid":      ("{out}·(1 − {out})",),
    "relu":         ("1 if {0} > 0 else 0",),
    "sqrt":         ("0.5/{out}",),
    "sin":          ("cos({0})",),
    "cos":          ("−sin({0})",),
    "detached_max": ("0", "0"),
    "**c":          _power,
    "c**":          ("{out}·log({c})",),
}
"""The table's operations by family (see `autograd.ops.Op.family`)."""
# fmt: on


def rule_for(op: Op, const: str = "") -> Rule | None:
    """The formulas of `op` (one per input), or ``None`` when it has none (a user's operation without a rule).

    `const` is how the operation's constant is written (for the ``"**c"`` family).
    """
    if op.family is None:
        found = rule_of(INTERPRETATION, op)
        return tuple(found) if isinstance(found, (tuple, list)) else None
    row = RULES.get(op.family)
    if callable(row):
        return row(const)
    return row


_DOUBLED = re.compile(r"\(\((-[^()]*)\)\)")


def render(template: str, values: Sequence[str], out: str, const: str) -> str:
    """`template` with its placeholders filled: ``{0}``, ``{1}`` from `values`, ``{out}``, ``{c}``."""
    return template.format(*values, out=out, c=const)


def in_numbers(x: float, fmt: Callable[[float], str], alone: bool) -> str:
    """A number as a rule shows it: negative ones in parentheses, unless the number is the whole formula."""
    text = fmt(x)
    return text if alone or not text.startswith("-") else f"({text})"


def explain_partial(
    template: str,
    names: Sequence[str],
    numbers: Sequence[float],
    out_name: str,
    out_value: float,
    const: str,
    fmt: Callable[[float], str],
) -> list[str]:
    """The parts of ``d(out)/d(input) = rule = rule in numbers``, without repeats (``1`` stays ``1``)."""
    alone = template.strip() in ("{0}", "{1}", "{out}", "{c}")
    symbolic = render(template, names, out_name, const)
    numeric = render(template, [in_numbers(x, fmt, alone) for x in numbers], in_numbers(out_value, fmt, alone), const)
    numeric = _DOUBLED.sub(r"(\1)", numeric)  # sign((-3)) -> sign(-3)
    return [symbolic] if numeric == symbolic else [symbolic, numeric]
