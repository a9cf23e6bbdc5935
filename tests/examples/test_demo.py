"""The main demo (`make demo` runs `python examples/demo.py`), on a small setting to stay quick."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from nn import MLP, load

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "demo.py"

main: Callable[[Sequence[str] | None], int] = runpy.run_path(str(SCRIPT))["main"]  # not as __main__: no run

SMALL = ["--samples", "40", "--epochs", "3", "--grid", "8", "--no-progress"]


def test_demo_trains_reports_and_writes_pictures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo_output"
    assert main([*SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "train accuracy:" in printed and "test accuracy:" in printed
    for name in ("loss_curve.png", "decision_boundary.png"):
        picture = out / name
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {picture}" in printed
    model = load(MLP(2, [16, 16, 1]), out / "moons_mlp.json")
    assert len(model.parameters()) == 337


def test_demo_without_matplotlib_says_so_and_does_not_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    out = tmp_path / "demo_output"
    assert main([*SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "needs matplotlib, which is not installed" in printed and "pip install -e '.[plot]'" in printed
    assert "test accuracy:" in printed
    assert sorted(p.name for p in out.iterdir()) == ["moons_mlp.json"]


def test_demo_runs_as_a_script(tmp_path: Path) -> None:
    """What `make demo` does: run the file with Python (here with --no-plots and a small setting)."""
    out = tmp_path / "demo_output"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *SMALL, "--no-plots", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "test accuracy:" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["moons_mlp.json"]
    next_steps = done.stdout[done.stdout.index("Next steps:") :]  # the last thing it says
    for needle in ("jupyter lab notebooks/", "make test", "docs/index.md", "make docs"):
        assert needle in next_steps


def test_help_names_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "usage: python examples/demo.py" in capsys.readouterr().out
