"""A third backend in one file, as a user would add one: Python spelled with calls instead of operators.

``backend="toy"`` writes ``_add(x, w)`` where the Python backend writes
``x + w``; operations it does not spell fall back to calling their own
forward and derivative, as the Python backend does.  Registering it is one
line: ``register_backend(ToyBackend())``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from autograd.compiler.backends.python import PythonBackend
from autograd.compiler.codegen import TemplateTable

# fmt: off
TEMPLATES = TemplateTable("toy", {
    "+":    ("_add({0}, {1})", ("1.0", "1.0")),
    "-":    ("_sub({0}, {1})", ("1.0", "-1.0")),
    "*":    ("_mul({0}, {1})", ("{1}", "{0}")),
    "tanh": ("_tanh({0})",     ("_sub(1.0, _mul({out}, {out}))",)),
    "**c":  lambda c: ("_pow({0}, {c})", ("_mul({c}, _pow({0}, _sub({c}, 1.0)))",)),
})
# fmt: on


class ToyBackend(PythonBackend):
    name = "toy"
    templates = TEMPLATES
    namespace: Mapping[str, Any] = MappingProxyType(
        {
            "_add": operator.add,
            "_sub": operator.sub,
            "_mul": operator.mul,
            "_pow": operator.pow,
            "_tanh": math.tanh,
        }
    )
