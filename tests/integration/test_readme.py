"""The examples of README.md and docs/*.md are run by sybil (conftest.py at the root); these tests check that set-up.

Every ```python block must be collected (a block sybil does not see would go
untested silently), and the drawing examples must skip, with the reason, when
the `viz` extra is missing instead of failing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def name(page: Path) -> str:
    """The page as pytest names it: its path from the repository's root."""
    return page.relative_to(ROOT).as_posix()


def fence_lines(page: Path, language: str = "python") -> list[int]:
    """1-based line numbers of the page's ```<language> fences."""
    lines = page.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if line.strip() == f"```{language}"]


def skip_lines(page: Path) -> list[int]:
    lines = page.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if line.startswith("<!-- skip: next if(viz_missing")]


def pytest_run(*args: str, tmp_path: Path, plugin: str = "") -> subprocess.CompletedProcess[str]:
    """pytest over Markdown pages in a subprocess (no cache, no xdist), optionally with a plugin from tmp_path."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rs", *args]
    if plugin:
        (tmp_path / "readme_plugin.py").write_text(plugin, encoding="utf-8")
        command[3:3] = ["-p", "readme_plugin"]
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_the_readme_and_the_guides_have_examples() -> None:
    assert fence_lines(ROOT / "README.md"), "the README's quickstart has examples"
    assert sum(len(fence_lines(page)) for page in PAGES) >= 8


def test_sybil_collects_every_python_block(tmp_path: Path) -> None:
    run = pytest_run("--collect-only", "-q", *[name(page) for page in PAGES], tmp_path=tmp_path)
    for page in PAGES:
        pattern = rf"^{re.escape(name(page))}::line:(\d+),column:1$"
        collected = {int(n) for n in re.findall(pattern, run.stdout, flags=re.MULTILINE)}
        missing = sorted(set(fence_lines(page)) - collected)
        assert not missing, f"{name(page)}: not collected: {missing}\n{run.stdout}{run.stderr}"


@pytest.mark.slow
def test_drawing_examples_skip_with_a_reason_without_the_viz_extra(tmp_path: Path) -> None:
    skips = [(page, number) for page in PAGES for number in skip_lines(page)]
    assert len(skips) == 2, "the two drawing examples carry a skip line"
    items = []
    for page, number in skips:  # in document order: each skip line, then its block (sybil skips the next example)
        block = number + 1  # the fence right after the skip line
        assert block in fence_lines(page), f"{name(page)}:{number}: no ```python block right after the skip line"
        items += [f"{name(page)}::line:{number},column:1", f"{name(page)}::line:{block},column:1"]
    hide_graphviz = "import sys\nsys.modules['graphviz'] = None  # as if the viz extra were not installed\n"
    run = pytest_run(*items, tmp_path=tmp_path, plugin=hide_graphviz)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b2 skipped\b", run.stdout), run.stdout
    assert "needs the viz extra" in run.stdout, run.stdout
