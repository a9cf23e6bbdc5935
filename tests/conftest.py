"""Shared test settings: hypothesis draws the same examples everywhere (CI and local runs alike).

Every run is derandomized, so `make test` on a laptop checks exactly what CI
checks and takes as long.  To explore new random draws, run with
``HYPOTHESIS_PROFILE=random`` (the property tests' cost is bounded on any draw:
see tests/integration/test_properties.py).
"""

from __future__ import annotations

import importlib.util
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("random", database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Helper modules that import an optional package at the top: `make test` collects every module under tests/
# (--doctest-modules), so without the package they are left out, and the tests that use them skip with a reason.
collect_ignore = [
    path for path, package in (("nn/models/torch_gpt.py", "torch"),) if importlib.util.find_spec(package) is None
]
