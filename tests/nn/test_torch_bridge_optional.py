"""PyTorch stays optional: `import nn` does not import it, and without it the bridge says how to install it.

These tests run whether or not torch is installed (absence is simulated).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parents[2]


def test_importing_nn_does_not_import_torch() -> None:
    code = "import sys, nn, nn.torch_bridge; print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_to_torch_without_torch_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails, as if it were not installed
    with pytest.raises(ImportError) as caught:
        nn.to_torch(nn.MLP(2, [4, 1], seed=0))
    message = str(caught.value)
    assert "needs torch, which is not installed" in message
    assert "pip install -e '.[torch]'" in message
    assert "pip install torch==2.13.0" in message


def test_from_torch_without_torch_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    model = nn.MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ImportError, match=r"pip install -e '\.\[torch\]'"):
        nn.from_torch(object(), model)
    assert model.state_dict() == before


def test_the_extra_is_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'torch = ["torch>=2.2,<3"]' in text
