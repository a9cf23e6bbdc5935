"""The benchmark script still runs and still agrees with micrograd (no timings are asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_engine.py"


def test_quick_benchmark_runs_and_losses_agree() -> None:
    pytest.importorskip("micrograd")
    run = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| demo training step |" in run.stdout
    assert "loss agreement with micrograd 0.1.0 over 2 steps" in run.stdout and "(OK," in run.stdout
