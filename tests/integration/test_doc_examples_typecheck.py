"""The ```python examples of README.md and docs/*.md pass ``mypy --strict``: what users copy type-checks.

Each example runs on its own (conftest.py), so each is checked as a module of its
own, padded with blank lines so that mypy's line numbers are the Markdown file's.
One mypy run checks them all (a few seconds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[Path, int, str]]:
    """(page, line of the example's first code line, code) for every ```python block."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            found.append((page, text.count("\n", 0, match.start(1)) + 1, match.group(1)))
    return found


def test_there_are_examples_to_check() -> None:
    pages = {page.name for page, _, _ in examples()}
    assert "README.md" in pages and "nn.md" in pages


@pytest.mark.slow
def test_every_example_passes_mypy_strict(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    files: dict[str, str] = {}
    for page, line, code in examples():
        name = f"{page.stem.replace('-', '_').replace('.', '_')}_line_{line}.py"
        (tmp_path / name).write_text("\n" * (line - 1) + code, encoding="utf-8")
        files[name] = f"{page.relative_to(ROOT)}:{line}"
    out, err, status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".cache"),
            *sorted(str(tmp_path / n) for n in files),
        ]
    )
    problems = []
    for report in out.splitlines():
        found = re.match(r"(?:.*/)?(\w+_line_\d+\.py):(\d+): (.*)", report)
        if found:
            page = files[found.group(1)].rsplit(":", 1)[0]
            problems.append(f"{page}:{found.group(2)}: {found.group(3)}")
    assert status == 0 and not problems, "\n".join(problems) or out + err
