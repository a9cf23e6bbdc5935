"""A real name clash, in throwaway virtual environments: importing says which distribution clashes and what to do.

valuegrad's import names `autograd` and `nn` are also HIPS autograd's and PyPI's
`nn`.  Here stand-ins for them are real distributions: wheels built with
hatchling from a tiny project of that name and installed with pip (no network),
before or after valuegrad's own wheel, the two orders pip allows silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(project: Path, out: Path) -> Path:
    """A wheel built offline with hatchling (`python -m build --no-isolation`)."""
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def fake_distribution(where: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """Build a wheel of a distribution called `name` that installs `files` (path -> text)."""
    project = where / f"{name}-project"
    for path, text in files.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(textwrap.dedent(text), encoding="utf-8")
    (project / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        [project]
        name = "{name}"
        version = "{version}"
        [tool.hatch.build.targets.wheel]
        packages = ["{name}"]
    """),
        encoding="utf-8",
    )
    return build_wheel(project, where / f"{name}-dist")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("wheels")
    return {
        "valuegrad": build_wheel(ROOT, where / "valuegrad-dist"),
        # Like HIPS autograd: its own __init__.py and more modules in the same folder.
        "autograd": fake_distribution(
            where,
            "autograd",
            "1.9.1",
            {
                "autograd/__init__.py": "from .differential_operators import grad\n",
                "autograd/differential_operators.py": "def grad(fun, argnum=0):\n    return fun\n",
            },
        ),
        # Named like its package, as PyPI's nn is, with only a file that valuegrad's nn has too.
        "nn": fake_distribution(where, "nn", "0.1.1", {"nn/__init__.py": "class Dense:\n    pass\n"}),
    }


def environment(where: Path, *wheels: Path) -> Path:
    """A new virtual environment with the wheels installed by pip, one after the other; returns its python."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    for wheel in wheels:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--no-index",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                str(wheel),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    return python


def run_python(python: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"} | env
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd=python.parent, env=environ
    )


def assert_names_the_clash(run: subprocess.CompletedProcess[str], name: str, other: str) -> None:
    assert run.returncode != 0, run.stdout
    assert "ImportError" in run.stderr, run.stderr
    message = run.stderr.strip().splitlines()[-1]
    assert f"the import name {name!r} belongs to valuegrad and also to the installed distribution {other}" in message
    assert f"pip uninstall {other.split()[0]}" in message and "virtual environment" in message, message


def test_valuegrad_alone_imports_cheaply_and_reports_its_version(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = environment(tmp_path / "env", wheels["valuegrad"])
    run = run_python(
        python,
        textwrap.dedent("""
        import sys
        import autograd, nn
        # The clash check found nothing suspicious, so it never loaded importlib.metadata (about as slow as
        # importing the whole engine) nor scanned the installed distributions.
        print("importlib.metadata" in sys.modules)
        import importlib.metadata
        print(autograd.__version__, nn.__version__, importlib.metadata.version("valuegrad"))
    """),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "0.1.0", "0.1.0", "0.1.0"]


def test_hips_autograd_installed_after_valuegrad(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = environment(tmp_path / "env", wheels["valuegrad"], wheels["autograd"])
    # pip overwrote our autograd/__init__.py: `import autograd` is theirs, so valuegrad's nn names the clash.
    assert_names_the_clash(run_python(python, "import nn"), "autograd", "autograd 1.9.1")


def test_hips_autograd_installed_before_valuegrad(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = environment(tmp_path / "env", wheels["autograd"], wheels["valuegrad"])
    assert_names_the_clash(run_python(python, "import autograd"), "autograd", "autograd 1.9.1")
    assert_names_the_clash(run_python(python, "import nn"), "autograd", "autograd 1.9.1")


def test_pypi_nn_installed_before_valuegrad(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = environment(tmp_path / "env", wheels["nn"], wheels["valuegrad"])
    assert_names_the_clash(run_python(python, "import nn"), "nn", "nn 0.1.1")
    assert run_python(python, "import autograd").returncode == 0  # the engine alone is not affected


def test_source_tree_beside_an_installed_hips_autograd(wheels: dict[str, Path], tmp_path: Path) -> None:
    """valuegrad run from a checkout (PYTHONPATH) where another `autograd` is installed: two folders, one name."""
    python = environment(tmp_path / "env", wheels["autograd"])
    assert_names_the_clash(run_python(python, "import autograd", PYTHONPATH=str(ROOT)), "autograd", "autograd 1.9.1")
    run = run_python(python, "import autograd; print(autograd.grad.__module__)")
    assert run.stdout.strip() == "autograd.differential_operators", "without the checkout: their package, untouched"


def pip(python: Path, *args: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def draw(python: Path) -> subprocess.CompletedProcess[str]:
    """The valuegrad-draw console script of that environment, on a small expression."""
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    command = [str(python.parent / "valuegrad-draw"), "x * 2", "--set", "x=3"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=python.parent, env=environ)


def test_uninstalling_hips_autograd_says_how_to_repair_valuegrad(wheels: dict[str, Path], tmp_path: Path) -> None:
    """pip uninstall of the other distribution removes the __init__.py both wrote; the message gives the command."""
    python = environment(tmp_path / "env", wheels["valuegrad"], wheels["autograd"])
    pip(python, "uninstall", "-y", "autograd")
    assert not list((tmp_path / "env").glob("lib/python*/site-packages/autograd/__init__.py"))
    repair = f"-m pip install --force-reinstall --no-deps {wheels['valuegrad']}"
    run = run_python(python, "import nn")
    assert run.returncode != 0 and "ImportError" in run.stderr, run.stderr
    message = run.stderr.strip().splitlines()[-1]
    assert "valuegrad's 'autograd' package has lost its __init__.py" in message, message
    assert "was uninstalled after it had overwritten valuegrad's" in message and repair in message, message
    drawn = draw(python)
    assert drawn.returncode == 1 and drawn.stderr.startswith("valuegrad-draw: error: valuegrad's 'autograd' package")
    assert repair in drawn.stderr
    # What the message says to run, with this test's pip (these environments have none of their own).
    assert message.endswith(f"{python} {repair}"), message
    pip(python, "install", "--force-reinstall", "--no-deps", "--no-index", str(wheels["valuegrad"]))
    assert run_python(python, "import nn; print(nn.MLP(2, [1])([1.0, 2.0]).data is not None)").stdout.strip() == "True"
    assert draw(python).returncode == 0


def test_the_drawing_command_names_the_clash(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = environment(tmp_path / "env", wheels["valuegrad"], wheels["autograd"])
    drawn = draw(python)
    assert drawn.returncode == 1, drawn.stdout
    assert drawn.stderr.startswith(
        "valuegrad-draw: error: the import name 'autograd' belongs to valuegrad and also to the installed "
        "distribution autograd 1.9.1"
    ), drawn.stderr
    assert "pip uninstall autograd" in drawn.stderr and "--force-reinstall --no-deps" in drawn.stderr
