"""autograd.viz.cli: the valuegrad-draw command (python -m autograd.viz), end to end and with hostile input."""

from __future__ import annotations

import builtins
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
import autograd.viz.render as render_module
from autograd.ops import FUNCTIONS
from autograd.viz import cli, expr

SVG = "{http://www.w3.org/2000/svg}"
HAS_PROGRAM = bool(
    shutil.which("dot") or shutil.which("graphviz-pure", path=os.pathsep.join(render_module._script_dirs()))
)
needs_any = pytest.mark.skipif(not HAS_PROGRAM, reason="no Graphviz program (dot or graphviz-pure)")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def svg_texts(path: Path) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# ---------------------------------------------------------------- end to end


@needs_any
def test_end_to_end_the_issue_example(tmp_path: Path) -> None:
    """The exact command from the issue, in a fresh interpreter."""
    root = Path(autograd.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "autograd.viz", "tanh(x*w + b)", "--set", "x=2", "w=-3", "b=6.8814", "-o", "graph.svg"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    value = math.tanh(2 * -3 + 6.8814)
    assert f"tanh(x*w + b) = {value!r}" in proc.stdout
    dtanh = 1 - value**2
    assert f"d/dx = {dtanh * -3!r}" in proc.stdout
    assert f"d/dw = {dtanh * 2!r}" in proc.stdout
    assert f"d/db = {dtanh!r}" in proc.stdout
    assert "wrote graph.svg (svg with " in proc.stdout
    texts = svg_texts(tmp_path / "graph.svg")
    for expected in (
        "x",
        "w",
        "b",
        "tanh",
        "*",
        "+",
        "data 2",
        "data -3",
        "data 6.881",
        "tanh(x*w + b)",
        f"data {value:.4g}",
        "grad 1",
        f"grad {dtanh * -3:.4g}",
    ):
        assert expected in texts, expected
    assert texts.count("tanh") == 1


def test_without_output_prints_the_numbers_and_how_to_draw(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["x*y + x", "--set", "x=3", "--set", "y=4"], capsys)
    assert status == 0 and err == ""
    assert out.splitlines() == [
        "x*y + x = 15.0",
        "  d/dx = 5.0    (x = 3.0)",
        "  d/dy = 3.0    (y = 4.0)",
        "To draw the graph: valuegrad-draw 'x*y + x' --set x=3 --set y=4 -o graph.svg  (-o - prints its DOT source)",
    ]


def test_the_command_names_itself_as_it_was_run(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["--version"], capsys)
    assert out.startswith("valuegrad-draw ")
    assert cli.main(["x", "--set", "x=1"], prog=cli.MODULE_PROG) == 0
    assert "To draw the graph: python -m autograd.viz x --set x=1 -o graph.svg" in capsys.readouterr().out
    assert cli.main(["x", "--set", "x=1", "x=2"], prog=cli.MODULE_PROG) == 2
    assert capsys.readouterr().err.startswith("python -m autograd.viz: error: ")
    proc = subprocess.run(
        [sys.executable, "-m", "autograd.viz", "x", "--bogus"], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2 and proc.stderr.startswith("usage: python -m autograd.viz ")


def test_dash_output_prints_dot_source(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["x*y + x", "--set", "x=3", "--set", "y=4", "-o", "-"], capsys)
    assert status == 0
    assert out.startswith("digraph {") and out.endswith("}\n")
    assert "<B>x</B>" in out and "<B>y</B>" in out and "label=<*>" in out and "label=<+>" in out
    assert "grad 5<" in out and "grad 3<" in out  # d/dx = y + 1, d/dy = x (4 significant digits by default)
    assert "x*y + x = 15.0" in err and "d/dx = 5.0" in err  # the summary goes to stderr here


def test_same_name_is_one_node_and_numbers_are_constants(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["x*x + 2", "--set", "x=3", "-o", "-"], capsys)
    assert status == 0
    assert out.count("<B>x</B>") == 1
    assert "label=<2> shape=box" in out  # the constant is a leaf in the graph, drawn as its value
    assert len(re.findall(r"^\tn0 -> op1$", out, re.M)) == 2


def test_options_reach_the_drawing(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        ["exp(a) / b", "--set", "a=0", "b=4", "--rankdir", "TB", "--number-format", ".2e", "--no-grad", "-o", "-"],
        capsys,
    )
    assert status == 0
    assert "rankdir=TB" in out and "data 4.00e+00" in out and "grad" not in out
    assert out.count("BGCOLOR") == 2  # by default every variable is highlighted
    status, out, _ = run(["exp(a) / b", "--set", "a=0", "b=4", "-o", "-", "--highlight", "b"], capsys)
    assert status == 0 and out.count("BGCOLOR") == 1
    status, out, _ = run(["exp(a) / b", "--set", "a=0", "b=4", "-o", "-", "--highlight"], capsys)
    assert status == 0 and out.count("BGCOLOR") == 0


@needs_any
@pytest.mark.parametrize("suffix", ["svg", "png", "dot"])
def test_output_formats(tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"g.{suffix}"
    status, out, err = run(["sin(x) * cos(x)", "--set", "x=0.5", "-o", str(target)], capsys)
    assert status == 0, err
    data = target.read_bytes()
    assert {"svg": b"<?xml", "png": b"\x89PNG", "dot": b"digraph"}[suffix] in data[:100]
    assert f"wrote {target}" in out


def test_format_option_and_unknown_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(["x", "--set", "x=1", "-o", str(tmp_path / "graph.txt"), "--format", "dot"], capsys)
    assert status == 0 and (tmp_path / "graph.txt").read_text().startswith("digraph")
    status, _, err = run(["x", "--set", "x=1", "-o", str(tmp_path / "graph.txt")], capsys)
    assert status == 2 and "cannot tell the picture format" in err and "use --format" in err
    assert not (tmp_path / "graph.txt.svg").exists()


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    out = " ".join(out.split())
    assert out.startswith("usage: valuegrad-draw ")
    assert "--set NAME=NUMBER" in out and ", ".join(sorted(FUNCTIONS)) in out
    assert "abs, cos, exp, log, neg, relu, sigmoid, sin, sqrt, tanh" in out


# ---------------------------------------------------------------- hostile expressions

HOSTILE = [
    ("__import__('os').system('touch PWNED')", """calling "__import__('os').system" is not allowed"""),
    ("__import__('os')", "calling '__import__' is not allowed"),
    ("open('PWNED', 'w')", "calling 'open' is not allowed"),
    ("eval('1')", "calling 'eval' is not allowed"),
    ("exec('x=1')", "calling 'exec' is not allowed"),
    ("getattr(x, 'data')", "calling 'getattr' is not allowed"),
    ("globals()", "calling 'globals' is not allowed"),
    ("print(x)", "calling 'print' is not allowed"),
    ("x.__class__.__bases__", "attribute access (a.b): not allowed"),
    ("().__class__", "attribute access (a.b): not allowed"),
    ("x.data", "attribute access (a.b): not allowed"),
    ("exp.__globals__", "attribute access (a.b): not allowed"),
    ("exp.__call__(x)", "calling 'exp.__call__' is not allowed"),
    ("x" + ".a" * 900 + "()", "is not allowed; the only functions are abs"),  # deep: message still safe
    ("x[0]", "subscripts (a[i]): not allowed"),
    ("lambda: x", "lambda: not allowed"),
    ("(lambda: 1)()", "is not allowed; the only functions are abs, cos, exp"),
    ("[i for i in (1, 2)]", "comprehensions: not allowed"),
    ("{i: i for i in x}", "comprehensions: not allowed"),
    ("sum(i for i in x)", "calling 'sum' is not allowed"),
    ("(i for i in x)", "generator expressions: not allowed"),
    ("f'{x}'", "f-strings: not allowed"),
    ("(y := x)", "assignment expressions (:=): not allowed"),
    ("import os", "give a single expression; statements"),
    ("x = 1", "give a single expression; statements"),
    ("x; __import__('os')", "give a single expression; statements"),
    ("def f(): pass", "give a single expression; statements"),
    ("x if x else x", "conditional expressions (a if c else b): not allowed"),
    ("x < 1", "comparisons: not allowed"),
    ("x and x", "and / or: not allowed"),
    ("not x", "not: not allowed"),
    ("~x", "the ~ operator: not allowed"),
    ("x // 2", "the // operator: not allowed"),
    ("x % 2", "the % operator: not allowed"),
    ("x @ x", "the @ operator: not allowed"),
    ("x << 1", "the << operator: not allowed"),
    ("'abc'", "strings: not allowed"),
    ("b'abc'", "bytes: not allowed"),
    ("None", "None: not allowed"),
    ("True", "True / False: not allowed"),
    ("1j", "complex numbers: not allowed"),
    ("...", "...: not allowed"),
    ("[x]", "lists: not allowed"),
    ("(x, x)", "tuples: not allowed"),
    ("{x}", "sets: not allowed"),
    ("{'a': x}", "dicts: not allowed"),
    ("exp", "'exp' is a function; call it as exp(...)"),
    ("exp(x, x)", "exp() takes exactly one argument"),
    ("exp(x=x)", "exp() takes exactly one argument"),
    ("exp(*[x])", "exp() takes exactly one argument"),
    ("x(2)", "'x' is a variable, not a function"),
    ("Exp(x)", "calling 'Exp' is not allowed"),
    ("z + 1", "name 'z' is not defined; declare it with --set z=<number>"),
    ("__builtins__", "name '__builtins__' is not defined"),
    ("1" + "0" * 400, "a number in the expression is too large for a float"),
    ("x +", "not a valid expression: invalid syntax"),
    ("yield x", "not a valid expression"),
    ("", "the expression is empty"),
    ("   ", "the expression is empty"),
    ("x\x00", "null bytes"),
    ("(" * 300 + "x" + ")" * 300, "not a valid expression: too many nested parentheses"),
    ("x" * (expr.MAX_LENGTH + 1), f"the limit is {expr.MAX_LENGTH}"),
]


@pytest.mark.parametrize(("expression", "message"), HOSTILE)
def test_hostile_expressions_are_rejected(
    expression: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "graph.dot"
    status, out, err = run(["--set", "x=2", "-o", str(target), "--", expression], capsys)
    assert status == 2
    assert err.startswith("valuegrad-draw: error: ")
    assert message in err, err
    assert out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing executed (no PWNED file)


def test_error_points_at_the_column(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["--set", "x=1", "--", "exp(x) + x.__class__"], capsys)
    assert status == 2
    assert "(at column 11)" in err
    assert err.endswith("  exp(x) + x.__class__\n            ^\n")


def test_no_eval_or_exec_is_ever_used(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec must not be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    status, out, _ = run(
        [
            "tanh(x*w + b) ** 2 / sqrt(abs(-x)) - relu(w) + sigmoid(log(b))",
            "--set",
            "x=2",
            "w=-3",
            "b=6.8814",
            "-o",
            "-",
        ],
        capsys,
    )
    assert status == 0 and "digraph" in out


# ---------------------------------------------------------------- --set and other bad input


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("x", "expected NAME=NUMBER such as x=2, got 'x'"),
        ("x=abc", "the value of x must be a number, got 'abc'"),
        ("x=", "the value of x must be a number"),
        ("1x=2", "a variable name must be a plain ASCII identifier such as x or w1, got '1x'"),
        ("x.y=2", "a variable name must be a plain ASCII identifier"),
        ("é=2", "a variable name must be a plain ASCII identifier"),
        ("for=2", "'for' is a Python keyword"),
        ("exp=2", "'exp' is the name of a function"),
    ],
)
def test_bad_assignments(assignment: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["x + 1", "--set", assignment], capsys)
    assert status == 2
    assert message in err, err


def test_duplicate_and_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["x", "--set", "x=1", "x=2"], capsys)
    assert status == 2 and "x is given twice with --set" in err
    status, _, err = run(["x", "--set", "x=1", "--highlight", "y"], capsys)
    assert status == 2 and "--highlight y: no variable 'y' was given with --set" in err
    status, _, err = run(["x", "--set", "x=1", "--number-format", "q"], capsys)
    assert status == 2 and "--number-format 'q' is not a format spec for floats" in err
    status, _, err = run(["x", "--set", "x=1", "--max-nodes", "-3"], capsys)
    assert status == 2 and "expected a positive integer, or 0 / none for no limit, got '-3'" in err


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("log(x)", "evaluating the expression failed: log is only defined for x > 0, got log(-1.0)"),
        ("sqrt(x)", "evaluating the expression failed: sqrt is only defined for x >= 0"),
        ("1 / (x + 1)", "evaluating the expression failed: 1.0 / 0.0 divides by zero (float division by zero)"),
        ("exp(1000 * -x)", "evaluating the expression failed: exp(1000.0) overflows: the result is too large"),
        ("sqrt(x + 1)", "computing the gradients failed"),  # d sqrt / dx at 0 is infinite
    ],
)
def test_math_errors_exit_1(expression: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["--set", "x=-1", "--", expression], capsys)
    assert status == 1
    assert message in err, err
    assert out == ""


def test_graph_too_large(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_sum = "+".join(["x"] * 600)
    status, _, err = run([long_sum, "--set", "x=1", "-o", str(tmp_path / "g.dot")], capsys)
    assert status == 1
    assert "more than 500 values" in err and "--max-nodes" in err
    assert not (tmp_path / "g.dot").exists()
    status, out, _ = run([long_sum, "--set", "x=1", "--max-nodes", "none", "-o", str(tmp_path / "g.dot")], capsys)
    assert status == 0 and "= 600.0" in out and "d/dx = 600.0" in out
    assert (tmp_path / "g.dot").read_text().count("shape=plain") == 600


def test_no_graphviz_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [])
    status, _, err = run(["x", "--set", "x=1", "-o", str(tmp_path / "g.svg")], capsys)
    assert status == 1
    assert "neither `dot` nor the `graphviz-pure` fallback was found" in err and "apt-get install graphviz" in err
    status, _, _ = run(["x", "--set", "x=1", "-o", str(tmp_path / "g.dot")], capsys)
    assert status == 0  # DOT source needs no program


@needs_any
def test_pdf_with_only_the_fallback_and_unwritable_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["x", "--set", "x=1", "-o", str(tmp_path / "no-such-dir" / "g.svg")], capsys)
    assert status == 1 and "cannot write" in err and "No such file or directory" in err
    pure = shutil.which("graphviz-pure", path=os.pathsep.join(render_module._script_dirs()))
    if pure is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [os.path.dirname(pure)])
    status, _, err = run(["x", "--set", "x=1", "-o", str(tmp_path / "g.pdf")], capsys)
    assert status == 1 and "graphviz-pure" in err and "cannot write 'pdf'" in err
    status, out, _ = run(["x", "--set", "x=1", "-o", str(tmp_path / "g.png")], capsys)
    assert status == 0 and "(png with graphviz-pure)" in out


# ---------------------------------------------------------------- hardening and habits (#12, #13)
def test_documented_form_for_an_expression_starting_with_minus(capsys: pytest.CaptureFixture[str]) -> None:
    guide = (Path(__file__).parents[3] / "docs" / "drawing-and-explain.md").read_text(encoding="utf-8")
    assert "python -m autograd.viz -- -x --set x=2" in guide
    status, out, err = run(["--", "-x", "--set", "x=2"], capsys)  # as documented
    assert status == 0, err
    assert "-x = -2.0" in out and "d/dx = -1.0" in out
    status, out, err = run(["--", "-x", "--set", "x=2", "-o", "-"], capsys)
    assert status == 0 and "-x = -2.0" in err and out.startswith("digraph {")
    status, out, _ = run(["--set", "x=2", "--", "-x"], capsys)  # the other order still works
    assert status == 0 and "-x = -2.0" in out


def test_program_name_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.strip() == f"valuegrad-draw {version('valuegrad')}"
    assert cli.build_parser().format_usage().startswith("usage: valuegrad-draw ")


def test_results_are_printed_even_when_rendering_fails(
    no_graphviz: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["x * w", "--set", "x=2", "w=-3", "-o", str(tmp_path / "g.svg")], capsys)
    assert status == 1
    assert "x * w = -6.0" in out and "d/dx = -3.0" in out and "d/dw = 2.0" in out
    assert "needs Graphviz's `dot` program" in err and not (tmp_path / "g.svg").exists()


def test_format_contradicting_the_file_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["x", "--set", "x=1", "-o", str(tmp_path / "g.svg"), "--format", "png"], capsys)
    assert status == 2 and "says svg but the format asked for is png" in err
    assert not (tmp_path / "g.svg").exists()


def test_huge_number_format_is_refused_quickly(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["x", "--set", "x=1", "--number-format", ".999999999f"], capsys)
    assert status == 2 and "--number-format '.999999999f' asks for too many digits" in err


def test_numbers_too_large_are_refused_alike(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["x", "--set", "x=1e400"], ["x", "--set", "x=" + "9" * 400]):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(argv)
        assert "too large for a float" in capsys.readouterr().err
    for argv in (["1e400 * x", "--set", "x=1"], ["1" + "0" * 400 + " * x", "--set", "x=1"]):
        status, _, err = run(argv, capsys)
        assert status == 2 and "too large for a float" in err
    status, out, _ = run(["x", "--set", "x=inf"], capsys)  # infinity written as such is a value like any other
    assert status == 0 and "x = inf" in out


def test_suggestions_for_misspellings_and_caret(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["sigmiod(x)", "--set", "x=1"], capsys)
    assert status == 2 and "did you mean sigmoid?" in err
    status, _, err = run(["x ^ 2", "--set", "x=1"], capsys)
    assert status == 2 and "for powers write **" in err


def test_engine_errors_name_the_operation(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["sin(x * 1e308 * 10)", "--set", "x=1"], capsys)
    assert status == 1 and "sin(inf) is not defined" in err


class _FullDisk:
    """A stdout whose writes fail as on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_failing_stdout_gives_one_line_and_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    import io

    err = io.StringIO()
    status = cli.main(["tanh(x)", "--set", "x=1", "-o", "-"], stdout=_FullDisk(), stderr=err)  # type: ignore[arg-type]
    assert status == 1
    assert err.getvalue().endswith("valuegrad-draw: error: cannot write the output: No space left on device\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_full_disk_and_closed_pipe_in_a_real_process() -> None:
    command = [sys.executable, "-m", "autograd.viz", "tanh(x)", "--set", "x=1", "-o", "-"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last == "python -m autograd.viz: error: cannot write the output: No space left on device"
    assert "Traceback" not in proc.stderr
    big = [sys.executable, "-m", "autograd.viz", "+".join(["x"] * 300), "--set", "x=1", "-o", "-"]
    pipe = subprocess.Popen(big, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert pipe.stdout is not None and pipe.stderr is not None
    pipe.stdout.close()  # like `| head -0`
    message = pipe.stderr.read()
    assert pipe.wait(timeout=60) == 1
    assert "cannot write the output: Broken pipe" in message and "Traceback" not in message


def test_timeout_option(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(["x", "--timeout", "none"])
    assert args.timeout is None
    assert cli.build_parser().parse_args(["x"]).timeout == 60.0
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["x", "--timeout", "-1"])
