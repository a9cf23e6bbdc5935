"""Skip (not fail) a notebook whose optional requirements are not installed.

A notebook lists the modules it needs beyond the `notebooks` extra in its
metadata, e.g. ``"valuegrad": {"requires": ["torch"]}``; `make test` runs
every notebook with nbmake, and this hook marks the ones whose requirements
cannot be imported as skipped, with the reason.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest


def required_modules(path: Path) -> list[str]:
    """The modules a notebook's metadata says it requires ([] if none, or if the file is not a notebook)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return []
    requires = metadata.get("valuegrad", {}).get("requires", [])
    return [str(name) for name in requires] if isinstance(requires, list) else []


def missing(modules: list[str]) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        if path.suffix != ".ipynb":
            continue
        absent = missing(required_modules(path))
        if absent:
            names = ", ".join(absent)
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{path.name} needs {names}, which is not installed (for torch: make torch, "
                    f"or pip install -e '.[torch]' in a clone)"
                )
            )
