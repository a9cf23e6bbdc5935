"""Packaging and the development loop: what the sdist and wheel contain, that they rebuild byte for byte,
their metadata, the version, the README's links, and the Makefile healing a broken .venv."""

from __future__ import annotations

import email
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRAYS = ["model.json", "graph.svg", "neuron.png", "notebooks/graph.svg", "tests/model.json", "autograd/model.json"]


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (the expected contents are the tracked files)")
    run = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    return sorted(name for name in run.stdout.split("\0") if name and (ROOT / name).is_file())


def copy_of_tree(where: Path) -> Path:
    """The tracked files (as they are in the working tree) plus the stray files running the examples leaves."""
    for name in tracked_files():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, where / name)
    for stray in STRAYS:
        (where / stray).write_text("left over from running an example\n", encoding="utf-8")
    return where


def build(source: Path, out: Path) -> tuple[Path, Path]:
    """sdist, then the wheel built from that sdist, offline (`python -m build --no-isolation`)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("build")
    return build(copy_of_tree(where / "src"), where / "dist")


@pytest.mark.slow
def test_sdist_is_exactly_the_tracked_files_without_repository_plumbing(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        members = sorted(m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile())
    # Repository plumbing (.ci/, .pre-commit-config.yaml) stays out; hatchling always adds .gitignore, so that a
    # wheel built from the sdist ignores the same files.
    expected = sorted(n for n in tracked_files() if not n.startswith(".") or n == ".gitignore")
    assert [name for name in members if name != "PKG-INFO"] == expected
    assert not set(STRAYS) & set(members)


@pytest.mark.slow
def test_wheel_has_the_two_packages_the_license_and_no_tests(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    tops = {name.split("/")[0] for name in names}
    assert tops == {"autograd", "nn", "valuegrad-0.1.0.dist-info"}
    assert "autograd/py.typed" in names and "nn/py.typed" in names and "autograd/viz/cli.py" in names
    assert "nn/data/names.txt" in names and "nn/models/gpt.py" in names  # package data, subpackages
    assert "valuegrad-0.1.0.dist-info/licenses/LICENSE" in names
    assert not [name for name in names if name.endswith((".json", ".svg", ".png"))]
    assert metadata["License-Expression"] == "MIT" and metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Requires-Python"] == ">=3.10"
    classifiers = metadata.get_all("Classifier")
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert not any(c.startswith("License ::") for c in classifiers), "PEP 639: the expression replaces them"
    # Development tools are dependency groups, not published extras.
    assert sorted(metadata.get_all("Provides-Extra")) == ["c", "data", "notebooks", "plot", "progress", "torch", "viz"]


@pytest.mark.slow
def test_sdist_and_wheel_rebuild_byte_for_byte(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Another copy, in another folder, with other file times: the same SOURCE_DATE_EPOCH gives the same bytes."""
    source = copy_of_tree(tmp_path / "elsewhere" / "src")
    for path in source.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    again = build(source, tmp_path / "dist")

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert [digest(p) for p in again] == [digest(p) for p in built]


def test_version_comes_from_the_package_metadata() -> None:
    import importlib.metadata

    import autograd
    import nn

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (declared,) = re.findall(r'^version = "([^"]+)"', pyproject, flags=re.MULTILINE)
    assert autograd.__version__ == nn.__version__ == importlib.metadata.version("valuegrad") == declared


def test_version_falls_back_to_pyproject_in_a_source_tree_that_was_never_installed(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "autograd", tmp_path / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(re.sub(r'^version = ".*"', 'version = "9.8.7"', pyproject, flags=re.M))
    # -S: no site-packages, so no installed valuegrad metadata; -I would also drop PYTHONPATH.
    run = subprocess.run(
        [sys.executable, "-S", "-c", "import autograd; print(autograd.__version__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert (run.returncode, run.stdout.strip()) == (0, "9.8.7"), run.stderr


def test_readme_links_are_urls_or_files_the_sdist_ships() -> None:
    """valuegrad is not on a package index: it is installed from a clone, so the README (the front door on
    GitHub and in a clone) links to the repository's own files, the guides in docs/, CHANGELOG.md and
    LICENSE, and shows the images in docs/.  Each such target must be a tracked file, which the sdist
    ships too (checked above), so the links also resolve in an unpacked sdist; any other target is a URL
    or an anchor.  (On a package index these relative links would break: publishing there needs absolute
    ones.)  tests/integration/test_doc_links.py checks the links of the guides themselves.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", text) + re.findall(r'(?:src|href)="([^"]+)"', text)
    assert targets, "the README has links"
    relative = [t.partition("#")[0] for t in targets if not re.match(r"(https?://|mailto:|#)", t)]
    assert relative, "the README links to the guides in docs/"
    tracked = set(tracked_files())
    assert not [t for t in relative if t not in tracked], f"links to files the repository does not track: {relative}"


def test_pre_commit_config_is_valid_and_uses_only_local_tools() -> None:
    config = ROOT / ".pre-commit-config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "repo: local" in text and "language: system" in text and "https://" not in text
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (dependency group lint)")
    run = subprocess.run([pre_commit, "validate-config", str(config)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


# --- the Makefile heals .venv --------------------------------------------------------------------------


def other_python(*versions: str) -> str:
    """An interpreter of one of `versions` that runs here (pyenv's installed versions included), or skip."""
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for version in versions:
        candidates = [f"python{version}"] + [
            str(p) for root in roots if root for p in sorted(Path(root, "versions").glob(f"{version}.*/bin/python"))
        ]
        for candidate in candidates:
            found = shutil.which(candidate)
            if found and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0:
                return found
    pytest.skip(f"no Python {' or '.join(versions)} on this machine")


def own_make_env() -> dict[str, str]:
    """The environment without the outer make's variables: run from `make test VENV=.venv-3.10`, a sub-make
    would otherwise inherit VENV (and PYTHON) through MAKEFLAGS and test another layout than the default."""
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VENV", "PYTHON", "BIN", "PIP")  # make exports
    return {k: v for k, v in os.environ.items() if k not in outer}  # command-line variables to the environment


def make_dry_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`make -n` in a copy of the Makefile: the .venv check runs for real, the recipes are only printed."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    return subprocess.run(
        ["make", "-n", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=own_make_env()
    )


def this_python() -> str:
    return f"PYTHON={sys.executable}"


def test_make_keeps_a_healthy_venv(tmp_path: Path) -> None:
    venv.EnvBuilder(with_pip=True).create(tmp_path / ".venv")
    (tmp_path / ".venv" / "marker").touch()
    run = make_dry_run(tmp_path, this_python(), ".venv/bin/python")
    assert run.returncode == 0, run.stderr
    assert "rebuilding" not in run.stdout and (tmp_path / ".venv" / "marker").exists()


def test_make_rebuilds_a_half_made_venv_without_pip(tmp_path: Path) -> None:
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    run = make_dry_run(tmp_path, this_python(), ".venv/.test-installed")
    assert run.returncode == 0, run.stderr
    assert ".venv is not a working Python" in run.stdout and "rebuilding it" in run.stdout
    assert f"{sys.executable} -m venv .venv" in run.stdout and "--group dev" in run.stdout
    assert not (tmp_path / ".venv").exists()


def test_make_rebuilds_a_venv_whose_python_is_gone(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(tmp_path / "no-such-python")
    run = make_dry_run(tmp_path, this_python(), ".venv/bin/python")
    assert run.returncode == 0, run.stderr
    assert "(broken): rebuilding it" in run.stdout and not (tmp_path / ".venv").exists()


def test_make_rebuilds_a_venv_of_another_python_version(tmp_path: Path) -> None:
    mine = "{}.{}".format(*sys.version_info[:2])
    other = other_python(*[v for v in ("3.10", "3.11", "3.12", "3.13") if v != mine])
    subprocess.run([other, "-m", "venv", str(tmp_path / ".venv")], check=True, timeout=300)
    run = make_dry_run(tmp_path, this_python(), ".venv/bin/python")
    assert run.returncode == 0, run.stderr
    assert "rebuilding it" in run.stdout and not (tmp_path / ".venv").exists()


def test_make_refuses_a_too_old_python_and_says_how_to_pick_one(tmp_path: Path) -> None:
    old = other_python("3.9", "3.8", "3.7")
    run = make_dry_run(tmp_path, f"PYTHON={old}", "test")
    assert run.returncode != 0
    assert "older than 3.10" in run.stderr and "make test PYTHON=python3.12" in run.stderr


def test_make_clean_removes_everything_make_and_the_tests_create(tmp_path: Path) -> None:
    made = [
        ".venv/bin",
        ".venv-3.13/bin",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis/examples",
        "build/lib",
        "dist",
        "demo_output",
        "valuegrad.egg-info",
        "autograd/__pycache__",
        "tests/nn/__pycache__",
        "notebooks/.ipynb_checkpoints",
    ]
    for folder in made:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "autograd" / "value.py").touch()
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    run = subprocess.run(
        ["make", "clean"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=own_make_env()
    )
    assert run.returncode == 0, run.stderr
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == ["Makefile", "autograd", "autograd/value.py", "notebooks", "tests", "tests/nn"]
