"""The names GPT example (`make gpt` runs `python examples/names_gpt.py`), with a few steps to stay quick."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "names_gpt.py"

main: Callable[[Sequence[str] | None], int] = runpy.run_path(str(SCRIPT))["main"]  # not as __main__: no run

SMALL = ["--steps", "3", "--samples", "4", "--no-progress"]


def test_it_trains_reports_the_losses_and_samples_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SMALL) == 0
    printed = capsys.readouterr().out
    assert "model: nn.GPT with 4,192 parameters" in printed
    assert "loss at step 1: 3.36" in printed and "loss at step 3: " in printed
    assert "4 sampled names (temperature 0.5):" in printed
    names = [line.split(". ", 1)[1] for line in printed.splitlines() if line.startswith("   ") and ". " in line]
    assert len(names) == 4 and all(set(name) <= set("abcdefghijklmnopqrstuvwxyz") for name in names)
    assert main(SMALL) == 0
    assert untimed(capsys.readouterr().out) == untimed(printed)  # the same seed, the same output


def untimed(printed: str) -> list[str]:
    """The lines of ``printed`` but the one with the timing."""
    return [line for line in printed.splitlines() if not line.startswith("trained ")]


def test_plain_progress_lines_without_tqdm(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` now raises ImportError
    assert main(["--steps", "2", "--samples", "1"]) == 0
    printed = capsys.readouterr().out
    assert "step    1/2: loss " in printed and "step    2/2: loss " in printed


def test_it_runs_as_a_script_and_rejects_zero_steps() -> None:
    """What `make gpt` does: run the file with Python (here with two steps)."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--steps", "2", "--samples", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "loss at step 2: " in done.stdout and "2 sampled names" in done.stdout
    with pytest.raises(SystemExit) as info:
        main(["--steps", "0"])
    assert info.value.code == 2


def test_help_names_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "usage: python examples/names_gpt.py" in capsys.readouterr().out
