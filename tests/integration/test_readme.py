"""The README's examples are run by sybil (conftest.py at the root); these tests check that set-up itself.

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
README = ROOT / "README.md"


def fence_lines(language: str = "python") -> list[int]:
    """1-based line numbers of the README's ```<language> fences."""
    lines = README.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if line.strip() == f"```{language}"]


def skip_lines() -> list[int]:
    lines = README.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if line.startswith("<!-- skip: next if(viz_missing")]


def pytest_run(*args: str, tmp_path: Path, plugin: str = "") -> subprocess.CompletedProcess[str]:
    """pytest over the README in a subprocess (no cache, no xdist), optionally with a plugin module from tmp_path."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rs", *args]
    if plugin:
        (tmp_path / "readme_plugin.py").write_text(plugin, encoding="utf-8")
        command[3:3] = ["-p", "readme_plugin"]
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_sybil_collects_every_python_block(tmp_path: Path) -> None:
    fences = fence_lines()
    assert len(fences) >= 8
    run = pytest_run("--collect-only", "-q", "README.md", tmp_path=tmp_path)
    collected = {int(n) for n in re.findall(r"^README\.md::line:(\d+),column:1$", run.stdout, flags=re.MULTILINE)}
    assert set(fences) <= collected, f"not collected: {sorted(set(fences) - collected)}\n{run.stdout}{run.stderr}"


@pytest.mark.slow
def test_drawing_examples_skip_with_a_reason_without_the_viz_extra(tmp_path: Path) -> None:
    skips = skip_lines()
    assert len(skips) == 2, "the two drawing examples carry a skip line"
    blocks = [f"README.md::line:{number + 1},column:1" for number in skips]  # the fence right after each
    assert set(blocks) <= {f"README.md::line:{n},column:1" for n in fence_lines()}
    hide_graphviz = "import sys\nsys.modules['graphviz'] = None  # as if the viz extra were not installed\n"
    # In document order: each skip line, then its block (sybil applies a skip to the next example it runs).
    items = [item for number, block in zip(skips, blocks) for item in (f"README.md::line:{number},column:1", block)]
    run = pytest_run(*items, tmp_path=tmp_path, plugin=hide_graphviz)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b2 skipped\b", run.stdout), run.stdout
    assert "needs the viz extra" in run.stdout, run.stdout
