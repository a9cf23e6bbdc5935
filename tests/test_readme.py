"""Every Python example in the README runs, and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def expected_prints(code: str) -> list[str]:
    """The text after `# ` on lines that call print(...), e.g. `print(x)  # 1.0`."""
    return [line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "# " in line]


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})  # noqa: S102 - our own README
    printed = out.getvalue().splitlines()
    for comment in expected_prints(code):
        assert comment in printed, f"README says {comment!r}; the example printed {printed}"
