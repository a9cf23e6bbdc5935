"""The GPT benchmark (`make bench` runs tests/benchmarks/bench_gpt.py) still runs and every engine agrees.

No timings are asserted: only that each engine ran microgpt's training steps and got the same losses.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gpt.py"


@pytest.mark.slow
def test_quick_gpt_benchmark_runs_and_losses_agree() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    for row in ("| own Value | ", "| valuegrad eager | ", "| nn.GPT eager | "):
        assert row in run.stdout
    if importlib.util.find_spec("torch") is not None:
        assert "| PyTorch, KV cache | " in run.stdout and "| PyTorch, whole sequence | " in run.stdout
    assert "valuegrad eager vs the program's own Value: " in run.stdout
    assert "As a script: each engine in 2 fresh processes" in run.stdout
    assert "as a script: losses agree" in run.stdout and "all losses agree (OK)" in run.stdout
