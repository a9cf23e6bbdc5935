"""A safe evaluator for small arithmetic expressions over `Value`s (used by the command line, `autograd.viz.cli`).

The expression is parsed with `ast` and checked against a whitelist before
anything is computed; it is never given to `eval`, `exec` or `compile`.
Allowed:

* numbers (``2``, ``-3.5``, ``1e-3``; not ``True``, strings, bytes, ``None`` or complex);
* the declared variable names;
* ``+ - * / **`` and unary ``-`` / ``+``, with parentheses;
* calls of the engine's one-input functions, `autograd.ops.FUNCTIONS`
  (``exp log tanh sigmoid relu sqrt sin cos abs neg``).

Everything else (attribute access, subscripts, other calls such as
``__import__``, lambdas, comprehensions, f-strings, ``:=``, comparisons,
``and``/``or``, conditional expressions, statements such as ``import``, ...)
is rejected with an `ExpressionError` that points at the offending column.

Every number and variable becomes a `Value` leaf, so all arithmetic runs
through the engine and appears in the graph.  The walk over the syntax tree
is iterative: long expressions do not hit the recursion limit.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping

from autograd.checks import cut, describe, quote
from autograd.ops import FUNCTIONS
from autograd.value import Value

__all__ = ["MAX_LENGTH", "ExpressionError", "check_name", "evaluate", "parse"]

MAX_LENGTH = 10_000
"""Longest expression accepted, in characters."""

_BINARY: Mapping[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}

_ALLOWED = (
    f"numbers, the declared names, + - * / ** and unary -, parentheses, and calls of {', '.join(sorted(FUNCTIONS))}"
)

# What to call the syntax we refuse, for error messages.
_DESCRIPTIONS: Mapping[type[ast.AST], str] = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[i])",
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Compare: "comparisons",
    ast.BoolOp: "and / or",
    ast.IfExp: "conditional expressions (a if c else b)",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Starred: "starred arguments (*a)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.FloorDiv: "the // operator",
    ast.Mod: "the % operator",
    ast.MatMult: "the @ operator",
    ast.LShift: "the << operator",
    ast.RShift: "the >> operator",
    ast.BitOr: "the | operator",
    ast.BitXor: "the ^ operator (for powers write **, as in x**2)",
    ast.BitAnd: "the & operator",
    ast.Invert: "the ~ operator",
    ast.Not: "not",
}

_CONSTANTS: Mapping[type, str] = {
    bool: "True / False",
    str: "strings",
    bytes: "bytes",
    complex: "complex numbers",
    type(None): "None",
    type(...): "...",
}


class ExpressionError(ValueError):
    """The expression is not valid or uses something that is not allowed.

    Attributes:
        source: the expression.
        offset: 0-based column of the problem, or None.
    """

    def __init__(self, message: str, source: str = "", offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.offset = offset

    def pointer(self) -> str:
        """The expression with a caret under the problem (empty when no column is known)."""
        if self.offset is None or not self.source or "\n" in self.source or len(self.source) > 200:
            return ""
        return f"  {self.source}\n  {' ' * self.offset}^"

    def __str__(self) -> str:
        where = f" (at column {self.offset + 1})" if self.offset is not None else ""
        return f"{self.message}{where}"


def check_name(name: object) -> str:
    """`name` if it can be declared as a variable; ValueError saying why not otherwise."""
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise ValueError(f"a variable name must be a plain ASCII identifier such as x or w1, got {quote(name)}")
    if keyword.iskeyword(name):
        raise ValueError(f"{quote(name)} is a Python keyword and cannot be a variable name")
    if name in FUNCTIONS:
        raise ValueError(f"{name!r} is the name of a function ({', '.join(sorted(FUNCTIONS))}); choose another name")
    return name


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name[:40], sorted(known), n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _refuse(node: ast.AST, source: str, what: str) -> ExpressionError:
    offset = getattr(node, "col_offset", None)
    if isinstance(node, (ast.Attribute, ast.Subscript)):
        offset = node.value.end_col_offset  # point at the "." or "["
    return ExpressionError(f"{what}: not allowed in expressions (allowed: {_ALLOWED})", source, offset)


def _unparse(node: ast.AST) -> str:
    """Short source text of `node` for a message (ast.unparse recurses, so guard it)."""
    try:
        text = ast.unparse(node)
    except RecursionError:
        return f"...{node.attr}" if isinstance(node, ast.Attribute) else "that expression"
    return text if len(text) <= 40 else text[:37] + "..."


def _syntax(source: str) -> ast.Expression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SyntaxWarning for "1 is 1"; it is refused below anyway
        try:
            return ast.parse(source, mode="eval")
        except SyntaxError as exc:
            error = exc
        except (RecursionError, MemoryError):
            raise ExpressionError(
                "the expression is nested too deeply for Python's parser (a few thousand operations in a row "
                "is the most it takes); shorten it",
                source,
            ) from None
        except ValueError as exc:  # e.g. null bytes (a SyntaxError on newer Pythons)
            raise ExpressionError(f"cannot parse the expression: {exc}", source) from None
        try:
            statements = ast.parse(source, mode="exec").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            statements = None
    if statements is not None and not (len(statements) == 1 and isinstance(statements[0], ast.Expr)):
        raise ExpressionError(
            "give a single expression; statements (import, assignment, def, ...) and ';' are not allowed", source
        )
    offset = (error.offset - 1) if error.offset and error.lineno == 1 else None
    raise ExpressionError(f"not a valid expression: {error.msg}", source, offset)


def parse(source: str, names: Iterable[str]) -> ast.Expression:
    """Parse `source` and check it against the whitelist; the tree is then safe to `evaluate`.

    Args:
        source: the expression, e.g. ``"tanh(x*w + b)"``.
        names: the variable names it may use.

    Raises:
        TypeError: `source` is not a str.
        ExpressionError: a syntax error, something not allowed, or an undeclared name.
    """
    if not isinstance(source, str):
        raise TypeError(f"the expression must be a str, got {describe(source)}")
    if not source.strip():
        raise ExpressionError("the expression is empty", source)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}")
    declared = set(names)
    source = source.strip()
    tree = _syntax(source)
    calls: set[int] = set()  # id() of the Name nodes that are the function of an allowed call
    for node in ast.walk(tree):  # breadth-first with a queue: no recursion
        if isinstance(node, (ast.Expression, ast.Load, *_BINARY)):
            continue
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refuse(node, source, _DESCRIPTIONS.get(type(node.op), type(node.op).__name__))
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _refuse(node, source, _DESCRIPTIONS.get(type(node.op), type(node.op).__name__))
        elif isinstance(node, (ast.USub, ast.UAdd)):
            continue
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _refuse(node, source, _CONSTANTS.get(type(value), type(value).__name__))
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if math.isinf(number):  # 1e400 and a 400-digit integer alike (Python reads 1e400 as inf)
                message = "a number in the expression is too large for a float"
                raise ExpressionError(message, source, node.col_offset) from None
        elif isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
                shown = func.id if isinstance(func, ast.Name) else _unparse(func)
                if isinstance(func, ast.Name) and func.id in declared:
                    raise ExpressionError(f"{quote(func.id)} is a variable, not a function", source, node.col_offset)
                raise ExpressionError(
                    f"calling {cut(shown)!r} is not allowed{_did_you_mean(shown, FUNCTIONS)}; the only functions "
                    f"are {', '.join(sorted(FUNCTIONS))}",
                    source,
                    node.col_offset,
                )
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise ExpressionError(f"{func.id}() takes exactly one argument", source, node.col_offset)
            calls.add(id(func))
        elif isinstance(node, ast.Name):
            if id(node) in calls:
                continue
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id!r} is a function; call it as {node.id}(...)", source, node.col_offset)
            if node.id not in declared:
                raise ExpressionError(
                    f"name {cut(node.id)!r} is not defined{_did_you_mean(node.id, declared)}; declare it with "
                    f"--set {cut(node.id)}=<number>",
                    source,
                    node.col_offset,
                )
        else:
            raise _refuse(node, source, _DESCRIPTIONS.get(type(node), type(node).__name__))
    return tree


def evaluate(source: str, variables: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Compute `source` with `Value`s; returns the result and the leaf `Value` of each variable.

    Each variable becomes one `Value` labelled with its name (used wherever the
    name appears, so ``x*x`` shares one node); each number becomes a constant
    leaf.  `backward()` is not called.

    Raises:
        ExpressionError: see `parse`.
        ValueError, ZeroDivisionError, OverflowError: from the arithmetic itself (e.g. ``log(-1)``).
    """
    names = [check_name(name) for name in variables]
    tree = parse(source, names)
    leaves = {name: Value(variables[name], label=name) for name in names}
    return _run(tree.body, leaves), leaves


def _run(tree: ast.expr, leaves: Mapping[str, Value]) -> Value:
    """Evaluate a tree accepted by `parse`, iteratively (post-order with an explicit stack)."""
    results: list[Value] = []
    stack: list[tuple[ast.expr, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            number = node.value
            assert isinstance(number, (int, float))
            results.append(Value(float(number)))
        elif isinstance(node, ast.Name):
            results.append(leaves[node.id])
        elif not ready:
            stack.append((node, True))
            if isinstance(node, ast.BinOp):
                stack.append((node.right, False))
                stack.append((node.left, False))
            elif isinstance(node, ast.UnaryOp):
                stack.append((node.operand, False))
            elif isinstance(node, ast.Call):
                stack.append((node.args[0], False))
        elif isinstance(node, ast.BinOp):
            right = results.pop()
            left = results.pop()
            results.append(_BINARY[type(node.op)](left, right))
        elif isinstance(node, ast.UnaryOp):
            operand = results.pop()
            results.append(-operand if isinstance(node.op, ast.USub) else operand)
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            results.append(FUNCTIONS[node.func.id](results.pop()))
        else:  # pragma: no cover - parse() lets nothing else through
            raise ExpressionError(f"unexpected {type(node).__name__}")
    (result,) = results
    return result
