"""Every message about a missing optional package says how to install it, the same way.

valuegrad is not on PyPI, so a hint names the package to install into the running
Python and the extra for a clone (``pip install -e '.[viz]'``), never
``pip install 'valuegrad[viz]'`` from a registry.  One helper,
`autograd._installation.missing`, phrases them all; these tests trigger each
message with the package made unimportable and read it.  (The demo's
matplotlib message is read in tests/examples/test_demo.py.)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value
from autograd._installation import EXTRAS, c_compiler_hint, install_hint, missing

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_FORM = re.compile(r"pip install\s+'?valuegrad\[")


def _well_phrased(message: str, package: str) -> None:
    requirement, extra = EXTRAS[package]
    assert f"{sys.executable} -m pip install " in message, message
    assert requirement in message, message
    assert f"pip install -e '.[{extra}]'` in a clone of valuegrad" in message, message
    assert not REGISTRY_FORM.search(message), message


def test_every_package_names_a_declared_extra_that_carries_it() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for package, (_, extra) in EXTRAS.items():
        declared = re.search(rf"^{extra} = \[(.*)\]", pyproject, flags=re.MULTILINE)
        assert declared and f'"{package}' in declared.group(1).lower(), (package, extra)
        _well_phrased(install_hint(package), package)
        assert missing("it", package).startswith(f"it needs {package}, which is not installed: `")


def test_the_graphviz_fallback_pin_is_the_extras() -> None:
    from autograd.viz.render import FALLBACK_REQUIREMENT

    assert EXTRAS["graphviz-pure"][0] == FALLBACK_REQUIREMENT


def _to_torch() -> None:
    nn.to_torch(nn.MLP(2, [1], seed=0))


def _load_digits() -> None:
    nn.load_digits()


def _draw() -> None:
    from autograd.viz import jupyter

    jupyter._import_graphviz()


def _gif() -> None:
    from autograd.viz import animate

    animate._import_pillow()


CASES: list[tuple[str, str, Callable[[], None]]] = [
    ("torch", "torch", _to_torch),
    ("scikit-learn", "sklearn", _load_digits),
    ("graphviz", "graphviz", _draw),
    ("pillow", "PIL", _gif),
]


@pytest.mark.parametrize(("package", "module", "trigger"), CASES, ids=[case[0] for case in CASES])
def test_a_missing_package_raises_the_hint(
    package: str, module: str, trigger: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails, as if it were not installed
    if module == "PIL":
        monkeypatch.setitem(sys.modules, "PIL.Image", None)
    if module == "sklearn":  # load_digits looks for the package without importing it
        monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    with pytest.raises(ImportError) as caught:
        trigger()
    _well_phrased(str(caught.value), package)


def test_fit_without_tqdm(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(nn.training, "_hinted", False)
    model = nn.MLP(1, [1], seed=0)
    nn.fit(model, [[0.0], [1.0]], [0.0, 1.0], loss=nn.mse_loss, optimizer=nn.SGD(model), epochs=1, progress=True)
    _well_phrased(capfd.readouterr().err, "tqdm")


def test_history_plot_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    model = nn.MLP(1, [1], seed=0)
    history = nn.fit(model, [[0.0]], [0.0], loss=nn.mse_loss, optimizer=nn.SGD(model), epochs=1, progress=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _well_phrased(history.plot(), "matplotlib")


def test_no_graphviz_program() -> None:
    from autograd.viz import render

    message = render._install_help("PATH")
    _well_phrased(message, "graphviz-pure")


def test_no_c_compiler() -> None:
    from autograd.compiler.backends.c import CompilerNotFoundError, find_compiler

    find_compiler.cache_clear()
    try:
        with pytest.raises(CompilerNotFoundError) as caught:
            autograd.compile(lambda x: x, backend="c", compiler="no-such-cc-anywhere")(Value(1.0))
    finally:
        find_compiler.cache_clear()
    message = str(caught.value)
    assert "apt-get install gcc" in message and "xcode-select --install" in message
    assert c_compiler_hint() in message
    _well_phrased(message, "ziglang")


def test_no_document_tells_users_to_install_from_a_registry() -> None:
    """README, guides, notebooks and the sources: `pip install 'valuegrad[x]'` would fail (not on PyPI)."""
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "notebooks").glob("*.ipynb")]
    files += [*(ROOT / "autograd").rglob("*.py"), *(ROOT / "nn").rglob("*.py"), *(ROOT / "examples").glob("*.py")]
    offenders = [str(f.relative_to(ROOT)) for f in files if REGISTRY_FORM.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
