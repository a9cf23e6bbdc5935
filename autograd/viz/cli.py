"""Command line: draw the computation graph of an expression (the ``valuegrad-draw`` command).

    python -m autograd.viz "tanh(x*w + b)" --set x=2 w=-3 b=6.8814 -o graph.svg
    python -m autograd.viz "tanh(x*w + b)" --set x=2 w=-3 b=6.88 --explain -o steps.html

Evaluates the expression with `Value`s (safely: see `autograd.viz.expr`,
nothing is passed to ``eval``), runs ``backward()`` from the result, prints
the value and the gradient of every variable, and writes the picture (SVG,
PNG, PDF or DOT, from the file name or ``--format``).  Without ``-o`` it
prints the numbers and the command that writes the picture; ``-o -`` prints
the DOT source instead (no Graphviz needed).  Messages name the command as it
was run: ``valuegrad-draw``, or ``python -m autograd.viz``.

Exit status: 0 on success, 2 for a bad command line or a rejected expression,
1 when evaluating, drawing or writing fails.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
from collections.abc import Sequence
from typing import TextIO

from autograd import _installation
from autograd.checks import cut, quote
from autograd.ops import FUNCTIONS
from autograd.value import GraphTooLargeError, Value

from .dot import to_dot
from .expr import ExpressionError, check_name, evaluate
from .options import DEFAULT_MAX_NODES, RANKDIRS, number_formatter
from .render import DEFAULT_TIMEOUT, GraphvizNotFoundError, RenderError, find_dot
from .save import FILE_FORMATS, SOURCE_FORMATS, file_format, save_graph

__all__ = ["EXPLAIN_SUFFIXES", "PROG", "build_parser", "main"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))  # autograd/viz

EXPLAIN_SUFFIXES = (".html", ".htm", ".gif", ".txt")
"""What ``--explain -o FILE`` writes."""

PROG = "valuegrad-draw"
"""The command's name in usage and error messages (the console script); ``python -m autograd.viz`` names itself so."""

MODULE_PROG = "python -m autograd.viz"
"""The name when run as ``python -m autograd.viz`` (``__main__`` passes it to `main`)."""


def _assignment(text: str) -> tuple[str, float]:
    """``NAME=NUMBER`` -> (name, number), with argparse-friendly errors."""
    name, sep, number = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER such as x=2, got {quote(text)}")
    try:
        check_name(name.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    try:
        value = float(number.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"the value of {name.strip()} must be a number, got {cut(number)!r}") from None
    if math.isinf(value) and "inf" not in number.lower():
        # 1e400 would silently become inf while a 400-digit integer is refused: refuse both alike.
        raise argparse.ArgumentTypeError(
            f"the value of {name.strip()} is too large for a float: {cut(number.strip())} (write inf for infinity)"
        )
    return name.strip(), value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("valuegrad")
    except PackageNotFoundError:  # run from a source tree without installing
        import autograd

        return f"{autograd.__version__} (not installed)"


def _seconds_or_none(text: str) -> float | None:
    if text.lower() in ("none", "0"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds, or 0 / none for no limit, got {cut(text)!r}"
        )
    return value


def _positive_or_none(text: str) -> int | None:
    if text.lower() in ("none", "0"):
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, or 0 / none for no limit, got {quote(text)}")
    return value


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of the command (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Evaluate an arithmetic expression with valuegrad Values, run backward(), "
            "and draw its computation graph with Graphviz."
        ),
        epilog=(
            f"Expressions may use numbers, the names given with --set, + - * / ** and unary -, "
            f"parentheses, and the functions {', '.join(sorted(FUNCTIONS))}.  Nothing else is accepted "
            "and nothing is passed to eval().  Give the expression first (the values after --set run up to "
            "the next option); an expression that starts with '-' goes right after -- (options may follow it: "
            "%(prog)s -- -x --set x=2).  "
            'Example: %(prog)s "tanh(x*w + b)" --set x=2 w=-3 b=6.8814 -o graph.svg'
        ),
    )
    parser.add_argument("expression", help='the expression, e.g. "tanh(x*w + b)"')
    parser.add_argument(
        "--set",
        dest="assignments",
        metavar="NAME=NUMBER",
        nargs="+",
        action="extend",
        type=_assignment,
        default=[],
        help="values of the variables, e.g. --set x=2 w=-3 (may be repeated)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the picture here (.svg, .png, .pdf, .jpg, .dot or .gv), or - for the DOT source on stdout; "
        "without it only the numbers are printed",
    )
    parser.add_argument(
        "--format",
        choices=FILE_FORMATS,
        help="picture format when the file name does not say it",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="step through backprop with the chain rule in numbers: -o FILE.html (interactive), "
        "FILE.gif (animated) or FILE.txt; without -o the steps are printed",
    )
    parser.add_argument("--forward", action="store_true", help="with --explain: show the forward pass first")
    parser.add_argument(
        "--rankdir",
        choices=("auto", *RANKDIRS),
        default="auto",
        help="direction (default auto: LR, or TB for deep graphs)",
    )
    parser.add_argument(
        "--number-format",
        default=".4g",
        metavar="SPEC",
        help="format of data and grad, a Python format spec such as .4g (default), .4f or .2e",
    )
    parser.add_argument("--no-grad", action="store_true", help="do not show gradients in the picture")
    parser.add_argument(
        "--highlight",
        nargs="*",
        metavar="NAME",
        help="variables to colour (default: all of them; --highlight alone colours none)",
    )
    parser.add_argument(
        "--max-nodes",
        type=_positive_or_none,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse graphs with more than N values (default {DEFAULT_MAX_NODES}; 0 or none: no limit)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds_or_none,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop Graphviz after this long (default {DEFAULT_TIMEOUT:g}; 0 or none: no limit)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def _expression_after_dashes(argv: list[str]) -> list[str]:
    """``-- -x --set x=2``: the word after ``--`` is the expression, and options may follow it.

    (argparse alone treats everything after ``--`` as positional.)  The
    expression is moved to the end, after its own ``--``.
    """
    if "--" not in argv:
        return argv
    i = argv.index("--")
    if i + 1 >= len(argv):
        return argv
    return [*argv[:i], *argv[i + 2 :], "--", argv[i + 1]]


def _fail(prog: str, stream: TextIO, message: str, status: int) -> int:
    try:
        print(f"{prog}: error: {message}", file=stream)
        stream.flush()
    except (OSError, ValueError):  # stderr itself is gone: the exit status still says it
        pass
    return status


def _silence(stream: TextIO) -> None:
    """After a write to the real stdout failed: point it at /dev/null so Python's exit flush cannot fail again."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    prog: str = PROG,
) -> int:
    """Run the command with `argv` (default: ``sys.argv[1:]``); returns the exit status.

    `prog` is the command's name in usage, messages and hints (`MODULE_PROG` for ``python -m autograd.viz``).
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:  # `import autograd` is another distribution's, or valuegrad's lost its __init__.py: say which, and the fix
        _installation.check_import_name("autograd", os.path.join(os.path.dirname(_PACKAGE_DIR), "__init__.py"))
        _installation.check_intact("autograd", sys.modules["autograd"])
    except ImportError as exc:
        return _fail(prog, err, str(exc), 1)
    parser = build_parser(prog)
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_expression_after_dashes(arguments))
    except SystemExit as exc:  # argparse has printed the usage and the problem
        return exc.code if isinstance(exc.code, int) else 2

    variables: dict[str, float] = {}
    for name, value in args.assignments:
        if name in variables:
            return _fail(prog, err, f"{name} is given twice with --set", 2)
        variables[name] = value
    highlight_names = list(variables) if args.highlight is None else args.highlight
    for name in highlight_names:
        if name not in variables:
            return _fail(prog, err, f"--highlight {name}: no variable {quote(name)} was given with --set", 2)

    try:
        number_formatter(args.number_format)
        if args.explain and args.output and not args.output.lower().endswith(EXPLAIN_SUFFIXES):
            raise ValueError(f"--explain writes {', '.join(EXPLAIN_SUFFIXES)} files, got {args.output!r}")
        if args.output and args.output != "-" and not args.explain:
            file_format(args.output, args.format)
    except ValueError as exc:
        message = str(exc).replace("number_format", "--number-format").replace("pass format=", "use --format")
        return _fail(prog, err, message, 2)

    try:
        result, leaves = evaluate(args.expression, variables)
    except ExpressionError as exc:
        pointer = exc.pointer()
        return _fail(prog, err, str(exc) + ("\n" + pointer if pointer else ""), 2)
    except (ArithmeticError, ValueError) as exc:
        return _fail(prog, err, f"evaluating the expression failed: {exc}", 1)
    try:
        result.backward()
    except (ArithmeticError, ValueError) as exc:
        return _fail(prog, err, f"computing the gradients failed: {exc}", 1)
    if not result.label and len(args.expression.strip()) <= 60:
        result.label = args.expression.strip()

    if args.explain:
        return _explain(args, result, out, err, prog)
    dot_to_stdout = args.output == "-"
    if dot_to_stdout:
        args.output = None

    options = {
        "rankdir": args.rankdir,
        "number_format": args.number_format,
        "show_grad": not args.no_grad,
        "highlight": [leaves[name] for name in highlight_names],
        "max_nodes": args.max_nodes,
    }
    info = err if dot_to_stdout else out  # keep stdout clean when it carries the DOT source
    try:
        # The numbers first: they are worth having even when drawing fails (no Graphviz, a timeout, ...).
        print(f"{cut(args.expression.strip(), 200)} = {result.data!r}", file=info)
        for name, leaf in leaves.items():
            print(f"  d/d{name} = {leaf.grad!r}    ({name} = {leaf.data!r})", file=info)
        info.flush()
    except OSError as exc:
        _silence(info)
        return _fail(prog, err, f"cannot write the results: {exc.strerror or exc}", 1)
    if not args.output and not dot_to_stdout:
        try:
            print(f"To draw the graph: {_picture_command(prog, arguments)}  (-o - prints its DOT source)", file=out)
            out.flush()
        except OSError as exc:
            _silence(out)
            return _fail(prog, err, f"cannot write the output: {exc.strerror or exc}", 1)
        return 0
    try:
        if args.output:
            path = save_graph(result, args.output, format=args.format, timeout=args.timeout, **options)
        else:
            source = to_dot(result, **options)
    except GraphTooLargeError:
        return _fail(
            prog,
            err,
            f"the graph has more than {args.max_nodes} values, too many to draw quickly; "
            "pass --max-nodes with a larger number (or --max-nodes none) to draw it anyway",
            1,
        )
    except (GraphvizNotFoundError, RenderError, ValueError) as exc:  # ValueError: a format the program cannot write
        return _fail(prog, err, str(exc), 1)
    except OSError as exc:
        return _fail(prog, err, f"cannot write {cut(args.output, 200)}: {exc.strerror or exc}", 1)

    try:
        if args.output:
            fmt = file_format(path, args.format)
            how = "" if fmt in SOURCE_FORMATS else f" with {find_dot().name}"
            print(f"wrote {path} ({fmt}{how})", file=info)
        else:
            out.write(source)
        out.flush()
    except OSError as exc:  # a full disk, a closed pipe (`| head`): one line, not a traceback
        _silence(out)
        return _fail(prog, err, f"cannot write the output: {exc.strerror or exc}", 1)
    return 0


def _picture_command(prog: str, arguments: list[str]) -> str:
    """The command line that was run, with ``-o graph.svg`` added: what writes the picture."""
    return " ".join([prog, *(shlex.quote(a) for a in arguments), "-o", "graph.svg"])


def _explain(args: argparse.Namespace, result: Value, out: TextIO, err: TextIO, prog: str) -> int:
    """``--explain``: the steps of backprop, printed or saved as HTML / GIF / text."""
    from .explain import explain

    if result.label == args.expression.strip():
        result.label = "out"  # the text writes out.grad, d(out)/dx: short names read better
    try:
        steps = explain(result, forward=args.forward, number_format=args.number_format, max_nodes=args.max_nodes)
        if args.output:
            options = {} if args.output.lower().endswith(".txt") else {"rankdir": args.rankdir}
            path = steps.save(args.output, **options)
    except GraphTooLargeError:
        return _fail(
            prog,
            err,
            f"the graph has more than {args.max_nodes} values; pass --max-nodes with a larger "
            "number (or --max-nodes none)",
            1,
        )
    except (GraphvizNotFoundError, RenderError, ValueError, ModuleNotFoundError) as exc:
        return _fail(prog, err, str(exc), 1)
    except OSError as exc:
        return _fail(prog, err, f"cannot write {args.output}: {exc}", 1)
    if args.output:
        print(f"wrote {path} ({len(steps)} steps, {path.stat().st_size} bytes)", file=out)
    else:
        print(steps.text(), file=out)
    return 0
