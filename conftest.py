"""pytest runs every ```python example of README.md and docs/*.md with sybil, against the installed valuegrad.

Each example runs on its own (fresh globals, its own temporary folder as the
working directory, matplotlib without a screen), and a line written as
``print(x)  # 1.0`` must print exactly ``1.0``, so the README and the guides
never show output that the code does not produce.  An example that needs an
optional extra has an invisible ``<!-- skip: next if(...) -->`` line before it
and is skipped, with the reason, when that extra is missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import pathlib
from typing import Any

from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser


def expected_prints(code: str) -> list[str]:
    """The text after ``# `` on lines that call print(...), e.g. ``print(x)  # 1.0``."""
    return [line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "# " in line]


def run_example(example: Example) -> None:
    code = str(example.parsed)
    example.namespace["monkeypatch"].chdir(example.namespace["tmp_path"])
    example.namespace["monkeypatch"].setenv("MPLBACKEND", "Agg")
    # Leading newlines make tracebacks point at the Markdown file's own line numbers.
    compiled = compile("\n" * (example.line - 1) + code, str(example.path), "exec")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compiled, {"__name__": "__readme__"})
    lines = printed.getvalue().splitlines()
    for expected in expected_prints(code):
        page = pathlib.Path(str(example.path)).name
        assert expected in lines, f"{page} says {expected!r}; the example printed {lines}"


def _viz_missing() -> bool:
    """True without the `viz` extra's graphviz package or a Graphviz program (dot or graphviz-pure)."""
    if importlib.util.find_spec("graphviz") is None:
        return True
    from autograd.viz import GraphvizNotFoundError, find_dot

    try:
        find_dot()
    except GraphvizNotFoundError:
        return True
    return False


def _setup(namespace: dict[str, Any]) -> None:
    namespace["viz_missing"] = _viz_missing()


pytest_collect_file = Sybil(
    parsers=[CodeBlockParser(language="python", evaluator=run_example), SkipParser()],
    patterns=["README.md", "docs/*.md"],
    setup=_setup,
    fixtures=["tmp_path", "monkeypatch"],
).pytest()
