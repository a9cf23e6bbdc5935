"""The compile benchmark still runs and every engine agrees with eager valuegrad (no timings are asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_compile.py"


@pytest.mark.slow
def test_quick_compile_benchmark_runs_and_losses_agree() -> None:
    pytest.importorskip("micrograd")
    pytest.importorskip("sklearn", reason="the digits workload needs scikit-learn (the data extra)")
    run = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| moons step, ms |" in run.stdout and "| digits epoch (128 samples, 4 batches), ms |" in run.stdout
    assert "moons: loss agreement of compile (Python) with eager" in run.stdout
    assert "digits: loss agreement of compile (Python) with eager" in run.stdout
    assert "| MLP 64-44-10, python | 10000 |" in run.stdout  # the compile cost of a 10,000-node graph
    assert "all losses agree with eager valuegrad (OK)" in run.stdout
