"""What valuegrad knows about its own installation: its version, and import-name clashes.

valuegrad's import names, ``autograd`` and ``nn``, are also the import names of
other distributions on PyPI (HIPS ``autograd``, which ``lifelines`` requires,
and ``nn``).  pip installs both into the same folder without a warning, each
overwriting the other's files, and ``pip check`` is happy.  `check_import_name`
turns that into an `ImportError` that names the other distribution and the fix.

It runs at every import, so it is cheap: a ``stat`` per ``sys.path`` entry, a
listing of the folder holding our package and, for an installed wheel, one read
of valuegrad's own ``RECORD``.  Only when that finds something suspicious
(another folder of the same name on ``sys.path``, a distribution named like the
package beside ours, or files in our folder that valuegrad did not install)
does it load `importlib.metadata` and ask `packages_distributions()`, which
reads every installed distribution and gives the authoritative answer.  Not
caught: a distribution with another name that installed only files named like
ours before valuegrad overwrote them.

Standard library only, no relative imports: ``nn`` imports this module before
it imports anything else from ``autograd``.
"""

from __future__ import annotations

import os
import re
import sys

DISTRIBUTION = "valuegrad"


def version() -> str:
    """valuegrad's version: from the installed package metadata, else from the source tree's pyproject.toml."""
    import importlib.metadata

    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that was never installed
        pyproject = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
        try:
            with open(pyproject, encoding="utf-8") as file:
                found = re.search(r'^version\s*=\s*"([^"]+)"', file.read(), flags=re.MULTILINE)
        except OSError:
            found = None
        return found.group(1) if found else "0+unknown"


def check_import_name(name: str, init_file: str) -> None:
    """Raise `ImportError` if a distribution other than valuegrad also provides the import name `name`.

    `init_file` is the ``__init__.py`` of valuegrad's package of that name (it need
    not be the one Python imports: ``nn`` checks ``autograd`` before importing it).
    """
    package_dir = os.path.dirname(os.path.realpath(init_file))
    if (name, package_dir) in _CHECKED:  # `import nn` checks autograd again; once is enough
        return
    if _suspicious(name, package_dir):
        others = _other_owners(name)
        if others:
            raise ImportError(_clash_message(name, others))
    _CHECKED.add((name, package_dir))


_CHECKED: set[tuple[str, str]] = set()


def _suspicious(name: str, package_dir: str) -> bool:
    """Cheap test: could another distribution have installed files under `name`?"""
    # Another package or module of that name anywhere on sys.path (e.g. in site-packages beside an editable install).
    for entry in sys.path:
        candidate = os.path.join(entry or os.curdir, name)
        if os.path.isfile(candidate + ".py") or (
            os.path.isdir(candidate) and os.path.realpath(candidate) != package_dir
        ):
            return True
    site_dir = os.path.dirname(package_dir)
    try:
        entries = os.listdir(site_dir)
        dist_infos = {entry.split("-")[0].lower(): entry for entry in entries if entry.endswith(".dist-info")}
        present = set(os.listdir(package_dir)) - {"__pycache__"}
        # Beside us, a distribution named like the package (HIPS autograd and PyPI's nn are), even if it installed
        # only files that ours then overwrote.
        if name in dist_infos:
            return True
        if DISTRIBUTION not in dist_infos:  # a source tree (editable install or PYTHONPATH): pip never writes there
            return False
        # Installed from a wheel: files in our folder that valuegrad's RECORD does not list.
        ours = set()
        with open(os.path.join(site_dir, dist_infos[DISTRIBUTION], "RECORD"), encoding="utf-8") as record:
            for line in record:
                parts = line.split(",", 1)[0].strip('"').split("/")
                if len(parts) > 1 and parts[0] == name:
                    ours.add(parts[1])
    except OSError:
        return True
    return not present <= ours


def _other_owners(name: str) -> list[str]:
    """The installed distributions other than valuegrad that own the import name `name` (authoritative, slow)."""
    import importlib.metadata

    def canonical(dist: str) -> str:
        return re.sub(r"[-_.]+", "-", dist).lower()

    owners = importlib.metadata.packages_distributions().get(name, [])
    if sys.version_info < (3, 11):  # 3.10's reads only top_level.txt, which hatchling's and flit's wheels lack
        owners = owners + [
            dist.metadata["Name"]
            for dist in importlib.metadata.distributions()
            if any(file.parts[0] == name or str(file) == f"{name}.py" for file in dist.files or [])
        ]
    others = sorted({dist for dist in owners if canonical(dist) != DISTRIBUTION})
    described = []
    for dist in others:
        try:
            described.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            described.append(dist)
    return described


def _clash_message(name: str, others: list[str]) -> str:
    other = others[0].split(" ")[0]
    return (
        f"the import name {name!r} belongs to valuegrad and also to the installed distribution"
        f"{'s' if len(others) > 1 else ''} {', '.join(others)}. They install files into the same folder and "
        f"overwrite each other, so at least one of them is broken. Fix: install valuegrad in a virtual environment "
        f"of its own (python -m venv .venv), or remove the other one with `pip uninstall {other}` and then "
        f"reinstall valuegrad, which puts back the files the two shared: `{reinstall_command()}`."
    )


# --- how to install what an optional feature needs ------------------------------------------------------------------

EXTRAS: dict[str, tuple[str, str]] = {
    # the package a message names -> (the requirement pip installs, valuegrad's extra that carries it)
    "torch": ("torch", "torch"),
    "tqdm": ("tqdm", "progress"),
    "scikit-learn": ("scikit-learn", "data"),
    "graphviz": ("graphviz", "viz"),
    "graphviz-pure": ("graphviz-pure==0.2.2", "viz"),
    "matplotlib": ("matplotlib", "plot"),
    "pillow": ("pillow", "viz"),
    "ziglang": ("ziglang", "c"),
}
"""Every optional package a message may ask for; `install_hint` phrases them all."""


def install_hint(package: str) -> str:
    """How to install the optional `package`: into the running Python, or with valuegrad's extra in a clone.

    valuegrad is not on PyPI, so the extra is named for a clone (``pip install
    -e '.[viz]'``), never as ``valuegrad[viz]`` from a registry:

    >>> hint = install_hint("matplotlib")
    >>> hint.endswith("-m pip install matplotlib` (or `pip install -e '.[plot]'` in a clone of valuegrad)")
    True
    """
    requirement, extra = EXTRAS[package]
    quoted = f"'{requirement}'" if any(c in requirement for c in "<>=[") else requirement
    return f"`{sys.executable} -m pip install {quoted}` (or `pip install -e '.[{extra}]'` in a clone of valuegrad)"


def missing(what: str, package: str, then: str = "") -> str:
    """The message for a feature that needs a package that is not installed: `what` needs it, and how to get it.

    >>> missing("autograd.draw", "graphviz", "autograd.to_dot() needs nothing.").startswith(
    ...     "autograd.draw needs graphviz, which is not installed: `"
    ... )
    True
    """
    return f"{what} needs {package}, which is not installed: {install_hint(package)}." + (f" {then}" if then else "")


def c_compiler_hint() -> str:
    """What to do when no C compiler is found (autograd.compile's C backend)."""
    return (
        "install one (Debian/Ubuntu: `apt-get install gcc`, or `tcc` for fast builds; Fedora: `dnf install gcc`; "
        f"macOS: `xcode-select --install`), or ziglang for its `zig cc`: {install_hint('ziglang')}; "
        "or use backend='python'"
    )


# --- after the other distribution was uninstalled: valuegrad's package with files missing -------------------------


def reinstall_command() -> str:
    """The exact command that puts valuegrad's files back, from how it was installed (its ``direct_url.json``)."""
    import importlib.metadata
    import json
    import shlex
    from urllib.parse import unquote, urlparse

    pip = f"{shlex.quote(sys.executable)} -m pip install --force-reinstall --no-deps"
    try:
        text = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        source = json.loads(text) if text else {}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        source = {}
    url = source.get("url", "") if isinstance(source, dict) else ""
    if url.startswith("file://"):
        path = unquote(urlparse(url).path)
        editable = isinstance(source.get("dir_info"), dict) and source["dir_info"].get("editable")
        return f"{pip} {'-e ' if editable else ''}{shlex.quote(path)}"
    if url:
        return f"{pip} {shlex.quote(url)}"
    return f"{pip} -e . (in your clone of valuegrad; or the wheel you installed it from)"


def check_intact(name: str, module: object) -> None:
    """Raise `ImportError` if valuegrad's package `name` has lost its ``__init__.py``.

    That is what ``pip uninstall autograd`` leaves after HIPS autograd had been
    installed over valuegrad: pip removes every file the other distribution
    installed, including the ``__init__.py`` both had written, and Python then
    imports the rest of the folder as a namespace package (``cannot import
    name 'Value' from 'autograd' (unknown location)``).  Cheap: one attribute.
    """
    if getattr(module, "__file__", None) is None:
        raise ImportError(_incomplete_message(name))


def _incomplete_message(name: str) -> str:
    return (
        f"valuegrad's {name!r} package has lost its __init__.py, so Python imports what is left of the folder "
        f"without it. This happens when another distribution that installed files under the import name {name!r} "
        f"(HIPS autograd, or PyPI's nn) was uninstalled after it had overwritten valuegrad's: pip removes the files "
        f"they shared. Repair valuegrad by reinstalling it: {reinstall_command()}"
    )
