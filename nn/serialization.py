"""`save` and `load`: a model's parameters as a plain JSON file, written atomically.

The file is ordinary JSON (never pickle: reading one cannot run code)::

    {
      "format": "valuegrad.nn",
      "version": 1,
      "model": "MLP",
      "parameters": {
        "layers.0.neurons.0.w.0": 0.23550571390294128,
        ...
      }
    }

* Floats round-trip exactly: each is written as Python's shortest repr,
  which reads back as the very same float (including -0.0 and subnormals).
  JSON has no NaN or infinity, so those are written as the strings
  ``"nan"``, ``"inf"`` and ``"-inf"`` (and read back as such); the file stays
  standard JSON.
* `save` is atomic: the JSON goes to a temporary file in the same folder,
  is flushed to disk, and then renamed over the target in one step
  (`os.replace`), so a crash mid-save leaves the previous file intact.
* `load` checks everything before assigning anything: a file that is not
  JSON, not this format, of another format version, or for a different
  architecture (other parameter names) raises `ValueError` naming the
  problem, and the model is left unchanged.  The architecture check is by
  parameter names (and so by layer sizes); activations hold no parameters
  and are not recorded.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from typing import Any, Union

from autograd.checks import check_int, check_real, describe

from .module import Module, describe_name_mismatch

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "valuegrad.nn"
"""The ``"format"`` field every file has."""
VERSION = 1
"""The format version this code writes and reads."""

PathLike = Union[str, "os.PathLike[str]"]

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _document(model: Module) -> str:
    if not isinstance(model, Module):
        raise TypeError(f"save() expects an nn.Module, got {type(model).__name__}")
    parameters = {name: _encode(x) for name, x in model.state_dict().items()}
    doc = {"format": FORMAT, "version": VERSION, "model": type(model).__name__, "parameters": parameters}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s parameters to ``path`` as JSON, atomically (see the module docstring).

    The temporary file is created next to ``path`` (so the final rename
    stays within one file system) and removed if anything fails.  A new file
    gets the usual permissions (0o666 minus the umask); an existing file
    keeps its permissions.
    """
    text = _document(model).encode("utf-8")  # everything that can fail on the data fails before any I/O
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    while True:
        tmp = os.path.join(directory, f".{base[:100]}.{secrets.token_hex(6)}.tmp")  # stays under NAME_MAX
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies, like open()
            break
        except FileExistsError:  # pragma: no cover - 48 random bits colliding
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):  # a new file keeps the umask's permissions
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Flush the rename itself to disk where the OS allows it (POSIX); best effort."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:  # pragma: no cover - Windows
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flags)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name} (non-finite numbers are written as strings)")


def _decode_number(value: object, name: str) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    try:
        number = check_real(value, f"parameter {name!r}")
    except TypeError:  # a file's content is a ValueError, whatever JSON type it holds
        raise ValueError(f"parameter {name!r} is {describe(value)}, expected a number "
                         "(or \"nan\", \"inf\", \"-inf\")") from None
    except OverflowError:
        raise ValueError(f"parameter {name!r}: {value!r:.40} is too large for a float") from None
    if not math.isfinite(number):  # e.g. 1e999 in the file: not something save() writes
        raise ValueError(f"parameter {name!r} overflows to {number} (non-finite numbers are written as strings)")
    return number


def parse(text: str | bytes, source: str = "<string>") -> tuple[str, dict[str, float]]:
    """Check a file's contents and return ``(model class name, parameters)``; ValueError if anything is off."""
    def bad(problem: str) -> ValueError:
        return ValueError(f"cannot load {source}: {problem}")

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise bad("not a valuegrad nn file (not UTF-8 text)") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise bad("corrupt file (nested too deeply to be a valuegrad nn file)") from None
    except ValueError as error:  # json.JSONDecodeError is a ValueError, as are the hooks' errors
        raise bad(f"corrupt file, not valid JSON ({error})") from None
    if not isinstance(doc, dict):
        raise bad(f"not a valuegrad nn file (the JSON is a {type(doc).__name__}, expected an object)")
    if doc.get("format") != FORMAT:
        raise bad(f"not a valuegrad nn file (format is {doc.get('format')!r:.40}, expected {FORMAT!r})")
    try:
        version = check_int(doc.get("version"), "version")
    except TypeError:
        raise bad(f"the format version is missing or not an int ({doc.get('version')!r:.40})") from None
    if version != VERSION:
        newer = " (written by a newer valuegrad)" if version > VERSION else ""
        raise bad(f"format version {version} is not supported{newer}; this valuegrad reads version {VERSION}")
    model_name = doc.get("model", "?")
    if not isinstance(model_name, str):
        raise bad(f"the model name is {type(model_name).__name__}, expected a string")
    raw = doc.get("parameters")
    if not isinstance(raw, dict):
        raise bad(f"'parameters' is missing or not an object ({type(raw).__name__})")
    try:
        parameters = {name: _decode_number(value, name) for name, value in raw.items()}
    except ValueError as error:
        raise bad(str(error)) from None
    return model_name, parameters


def load(model: Module, path: PathLike) -> Module:
    """Set ``model``'s parameters from a file written by `save`; return ``model``.

    Raises:
        ValueError: the file is not valid JSON, not a valuegrad nn file, of
            another format version, or its parameter names differ from the
            model's (a different architecture).  The model is then unchanged.
        OSError: the file cannot be read (e.g. FileNotFoundError).
    """
    if not isinstance(model, Module):
        raise TypeError(f"load() expects an nn.Module to load into, got {type(model).__name__}")
    source = os.fspath(path)
    with open(source, "rb") as f:
        data = f.read()
    model_name, parameters = parse(data, source)
    expected = [name for name, _ in model.named_parameters()]
    problem = describe_name_mismatch(expected, list(parameters))
    if problem:
        raise ValueError(f"cannot load {source}: it holds the parameters of a different architecture "
                         f"(a {model_name} with {len(parameters)} parameters; this {type(model).__name__} "
                         f"has {len(expected)}): {problem}")
    model.load_state_dict(parameters)
    return model
