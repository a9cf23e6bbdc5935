"""Every Python example in the README runs, and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def expected_prints(code: str) -> list[str]:
    """The text after `# ` on lines that call print(...), e.g. `print(x)  # 1.0`."""
    return [line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "# " in line]


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example(code: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    printed = run.stdout.splitlines()
    for comment in expected_prints(code):
        assert comment in printed, f"README says {comment!r}; the example printed {printed}"
