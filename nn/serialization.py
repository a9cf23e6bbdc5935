"""`save` and `load`: a model's parameters as a plain JSON file, written atomically.

The file is ordinary JSON (never pickle: reading one cannot run code)::

    {
      "format": "valuegrad.nn",
      "version": 2,
      "model": "MLP",
      "parameters": {
        "layers.0.neurons.0.w.0": 0.23550571390294128,
        ...
      }
    }

* Floats round-trip exactly: each is written as Python's shortest repr,
  which reads back as the very same float (including -0.0 and subnormals).
  JSON has no NaN or infinity, so those are written as ``{"$float": "nan"}``,
  ``{"$float": "inf"}`` and ``{"$float": "-inf"}``, the same in a model's
  parameters and in a checkpoint (and read back as such); the file stays
  standard JSON.  Files of format version 1, which wrote a model's as the
  bare strings ``"inf"``, still load.
* `save` is atomic: the JSON goes to a temporary file in the same folder,
  is flushed to disk, and then renamed over the target in one step
  (`os.replace`), so a crash mid-save leaves the previous file intact.
  A symlink is followed (its target is replaced, the link stays); a
  read-only file, a directory or a device is refused (`PermissionError` /
  `IsADirectoryError`); errors name the target, not the temporary file.
* `load` reads regular files only (a FIFO or ``/dev/zero`` is refused before
  it is opened) and refuses a file far larger than the model could need
  (`size_limit`) before reading it.
* Besides a model, `save` takes ``model.state_dict()`` (the same layout,
  ``"model": null``) or a checkpoint dict of state dicts and plain data
  (``{"format": ..., "version": 2, "checkpoint": {...}}``); ``load(path)``
  returns it.
* `load` checks everything before assigning anything: a file that is not
  JSON, not this format, of another format version, or for a different
  architecture (other parameter names) raises `ValueError` naming the
  problem, and the model is left unchanged.  The architecture check is by
  parameter names (and so by layer sizes); activations hold no parameters
  and are not recorded.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import secrets
import stat
from collections.abc import Mapping
from typing import IO, Any, TypeVar, Union, overload

from autograd.checks import check_int, check_real, cut, describe, is_real

from .module import Module, describe_name_mismatch

__all__ = ["save", "load", "parse", "size_limit", "FORMAT", "VERSION", "READABLE_VERSIONS", "DEFAULT_MAX_BYTES"]

FORMAT = "valuegrad.nn"
"""The ``"format"`` field every file has."""
VERSION = 2
"""The format version this code writes: 2 writes every non-finite float as ``{"$float": "inf"}``."""
READABLE_VERSIONS = (1, 2)
"""The format versions this code reads (1 wrote a model's non-finite parameters as the strings ``"inf"``)."""

PathLike = Union[str, "os.PathLike[str]"]

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode(x: float) -> float | dict[str, str]:
    """A float as JSON: itself, or ``{"$float": "nan"}`` / ``"inf"`` / ``"-inf"`` (JSON has no such numbers)."""
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _document(obj: object) -> str:
    """The file's text for a model, a flat state dict, or a checkpoint dict; TypeError/ValueError before any I/O."""
    if isinstance(obj, Module):
        parameters = {name: _encode(x) for name, x in obj.state_dict().items()}
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "model": type(obj).__name__,
            "parameters": parameters,
        }
    elif isinstance(obj, Mapping) and all(
        isinstance(k, str) and not isinstance(v, bool) and is_real(v) for k, v in obj.items()
    ):
        # model.state_dict(): the same layout as a saved model, with no class name
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "model": None,
            "parameters": {k: _encode(float(v)) for k, v in obj.items()},
        }
    elif isinstance(obj, Mapping):
        doc = {"format": FORMAT, "version": VERSION, "checkpoint": _to_json(obj, "the saved dict", 0)}
    else:
        raise TypeError(
            f"save() expects an nn.Module, a state_dict() or a dict of state dicts and numbers "
            f"(a checkpoint), got {describe(obj)}"
        )
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


_MAX_DEPTH = 64


def _to_json(obj: object, where: str, depth: int) -> Any:
    """A checkpoint's content as JSON-ready data; non-finite floats become ``{"$float": "nan"}``."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"save(): {where} is nested more than {_MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if is_real(obj):
        x = float(obj)
        return _encode(x)
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save(): {where} has a key {describe(key)}; JSON keys are strings (or ints)")
            name = str(key)
            if name in out:
                raise ValueError(
                    f"save(): {where} has keys {cut(repr(name))} and {cut(repr(key))}, which read the same in JSON"
                )
            out[name] = _to_json(value, f"{where}[{cut(repr(key))}]", depth + 1)
        return out
    if isinstance(obj, (list, tuple)):
        return [_to_json(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(obj)]
    raise TypeError(
        f"save(): {where} holds {describe(obj)}; a checkpoint holds numbers, strings, bools, None, "
        "lists and dicts (use model.state_dict() and optimizer.state_dict(), not the objects)"
    )


def _from_json(obj: Any) -> Any:
    if isinstance(obj, dict):
        if len(obj) == 1 and "$float" in obj and obj["$float"] in _NON_FINITE:
            return _NON_FINITE[obj["$float"]]
        return {key: _from_json(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_from_json(item) for item in obj]
    return obj


def save(obj: Module | Mapping[str, Any], f: PathLike | IO[Any]) -> None:
    """Write a model's parameters (or a state dict, or a checkpoint dict) to ``f`` as JSON.

    ``obj`` is a `Module`, a ``model.state_dict()``, or a dict of such things
    and plain data, e.g. ``{"model": model.state_dict(), "optimizer":
    opt.state_dict(), "epoch": 5}`` (read it back with ``nn.load(path)``).

    ``f`` is a path or an open file (binary or text, as PyTorch accepts).  A
    path is written atomically (see the module docstring): the temporary file
    is created next to the final file (so the rename stays within one file
    system) and removed if anything fails.  A symlink is followed: the file
    it points to is replaced, the link stays.  A new file gets the usual
    permissions (0o666 minus the umask); an existing file keeps its
    permissions; a read-only file is refused with `PermissionError`, as
    ``open(path, "w")`` would be.  Errors name ``f``, not the temporary file.
    An open file is written as it is (not atomically; it is not closed).
    """
    text = _document(obj)  # everything that can fail on the data fails before any I/O
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        if isinstance(f, io.TextIOBase):
            f.write(text)
        else:
            f.write(text.encode("utf-8"))
        return
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"save() expects a path or a file open for writing, got {describe(f)}")
    target = os.fspath(f)
    if not isinstance(target, str):
        raise TypeError(f"save() expects a str path, got {describe(target)}")
    try:
        _save_atomically(text.encode("utf-8"), target)
    except OSError as error:
        if error.filename == target or error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, target) from error


def _save_atomically(data: bytes, target: str) -> None:
    real = os.path.realpath(target)  # through symlinks: the link stays, its target is replaced
    try:
        info: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, cannot save a model there", target)
        if not stat.S_ISREG(info.st_mode):
            raise PermissionError(errno.EACCES, "not a regular file; nn.save only replaces regular files", target)
        if info.st_mode & 0o222 == 0 or not os.access(real, os.W_OK):
            raise PermissionError(errno.EACCES, "the file is read-only (change its permissions to replace it)", target)
    directory = os.path.dirname(real)
    base = os.path.basename(real)
    while True:
        tmp = os.path.join(directory, f".{base[:100]}.{secrets.token_hex(6)}.tmp")  # stays under NAME_MAX
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies, like open()
            break
        except FileExistsError:  # pragma: no cover - 48 random bits colliding
            continue
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if info is not None:  # an existing file keeps its permissions; a new one has the umask's
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, real)
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
            raise ValueError(f"duplicate key {cut(repr(key))}")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f'non-standard JSON constant {name} (non-finite numbers are written as {{"$float": ...}})')


def _decode_number(value: object, name: str, version: int) -> float:
    if isinstance(value, dict) and len(value) == 1 and value.get("$float") in _NON_FINITE:
        return _NON_FINITE[value["$float"]]
    if version == 1 and isinstance(value, str) and value in _NON_FINITE:  # version 1's bare "inf"
        return _NON_FINITE[value]
    name = cut(name)
    try:
        number = check_real(value, f"parameter {name!r}")
    except TypeError:  # a file's content is a ValueError, whatever JSON type it holds
        raise ValueError(
            f'parameter {name!r} is {describe(value)}, expected a number (or {{"$float": "inf"}}, "-inf", "nan")'
        ) from None
    except OverflowError:
        raise ValueError(f"parameter {name!r}: {value!r:.40} is too large for a float") from None
    if not math.isfinite(number):  # e.g. 1e999 in the file: not something save() writes
        raise ValueError(
            f'parameter {name!r} overflows to {number} (non-finite numbers are written as {{"$float": ...}})'
        )
    return number


def _show(source: str) -> str:
    return cut(source, 200)


def parse(text: str | bytes, source: str = "<string>") -> tuple[str | None, dict[str, float]]:
    """Check a model file's contents and return ``(model class name or None, parameters)``; ValueError if off."""
    kind, model_name, content = _parse_any(text, source)
    if kind == "checkpoint":
        keys = ", ".join(cut(repr(k), 30) for k in list(content)[:5])
        raise ValueError(
            f"cannot load {_show(source)}: it holds a checkpoint (a dict with keys {keys}), not one "
            "model's parameters; read it with nn.load(path) and pass its parts to load_state_dict()"
        )
    return model_name, content


def _parse_any(text: str | bytes, source: str) -> tuple[str, str | None, dict[str, Any]]:
    """``("parameters", model name, parameters)`` or ``("checkpoint", None, contents)``; ValueError if off."""

    def bad(problem: str) -> ValueError:
        return ValueError(f"cannot load {_show(source)}: {problem}")

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
        raise bad(f"corrupt file, not valid JSON ({cut(str(error), 200)})") from None
    if not isinstance(doc, dict):
        raise bad(f"not a valuegrad nn file (the JSON is a {type(doc).__name__}, expected an object)")
    if doc.get("format") != FORMAT:
        raise bad(f"not a valuegrad nn file (format is {cut(repr(doc.get('format')), 40)}, expected {FORMAT!r})")
    try:
        version = check_int(doc.get("version"), "version")
    except TypeError:
        raise bad(f"the format version is missing or not an int ({cut(repr(doc.get('version')), 40)})") from None
    if version not in READABLE_VERSIONS:
        newer = " (written by a newer valuegrad)" if version > VERSION else ""
        readable = " and ".join(map(str, READABLE_VERSIONS))
        raise bad(
            f"format version {cut(str(version), 40)} is not supported{newer}; this valuegrad reads versions {readable}"
        )
    if "checkpoint" in doc and "parameters" not in doc:
        contents = doc["checkpoint"]
        if not isinstance(contents, dict):
            raise bad(f"'checkpoint' is {type(contents).__name__}, expected an object")
        return "checkpoint", None, _from_json(contents)
    model_name = doc.get("model", "?")
    if model_name is not None and not isinstance(model_name, str):
        raise bad(f"the model name is {type(model_name).__name__}, expected a string")
    raw = doc.get("parameters")
    if not isinstance(raw, dict):
        raise bad(f"'parameters' is missing or not an object ({type(raw).__name__})")
    try:
        parameters = {name: _decode_number(value, name, version) for name, value in raw.items()}
    except ValueError as error:
        raise bad(str(error)) from None
    return "parameters", model_name, parameters


DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""The largest file `load` reads when there is no model to size the limit by (``load(path)``)."""


def size_limit(model: Module) -> int:
    """The largest file `load` reads for ``model``: generous room for every parameter's name and number.

    A name can take up to 6 bytes per character in JSON (``\\uXXXX``
    escapes) and a number at most 25 characters; the limit allows four times
    that (hand-edited files, wide indentation) plus 64 KiB.
    """
    per_parameter = sum(6 * len(name) + 64 for name, _ in model.named_parameters())
    return 4 * per_parameter + 64 * 1024


def _read(f: object, limit: int) -> tuple[str | bytes, str]:
    """The contents of a regular file (at most ``limit`` bytes) and how to name it; refuses the rest unread."""
    read = getattr(f, "read", None)
    if callable(read) and not isinstance(f, (str, bytes, os.PathLike)):
        source = str(getattr(f, "name", "<file object>"))
        data = read(limit + 1)
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"load(): the file object's read() returned {describe(data)}, expected bytes or str")
        if len(data) > limit:
            raise ValueError(
                f"cannot load {_show(source)}: larger than {limit} bytes, far more than the model "
                "needs (pass max_bytes= to allow more)"
            )
        return data, source
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"load() expects a path or a file open for reading, got {describe(f)}")
    source = os.fspath(f)
    if not isinstance(source, str):
        raise TypeError(f"load() expects a str path, got {describe(source)}")

    def check(info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a model file", source)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(
                f"cannot load {_show(source)}: not a regular file ({_kind(info.st_mode)}); "
                "nn.load reads regular files only"
            )
        if info.st_size > limit:
            raise ValueError(
                f"cannot load {_show(source)}: the file has {info.st_size} bytes, far more than the "
                f"model needs (at most {limit}); pass max_bytes= to allow more"
            )

    check(os.stat(source))  # before opening: a FIFO or device is never opened
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # and if swapped in since, open cannot block
    with os.fdopen(fd, "rb") as file:
        check(os.fstat(file.fileno()))
        data = file.read(limit + 1)
    if len(data) > limit:  # the file grew after the check
        raise ValueError(f"cannot load {_show(source)}: more than {limit} bytes; pass max_bytes= to allow more")
    return data, source


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a plain file"


M = TypeVar("M", bound=Module)


@overload
def load(model: M, f: PathLike | IO[Any], *, max_bytes: int | None = None) -> M: ...


@overload
def load(model: PathLike | IO[Any], f: None = None, *, max_bytes: int | None = None) -> dict[str, Any]: ...


def load(model: object, f: object = None, *, max_bytes: int | None = None) -> object:
    """Set ``model``'s parameters from a file written by `save` and return ``model``; or read a file by itself.

    * ``load(model, path)``: the micrograd-friendly form; returns ``model``.
    * ``load(path)``: PyTorch's form; returns what was saved: the parameters
      as a dict (for a saved model or state dict, ready for
      ``model.load_state_dict``) or the checkpoint dict.

    ``path`` may be an open file (binary or text).  Only regular files are
    read: a FIFO, a device (``/dev/zero``) or a directory is refused before
    it is opened, and a file larger than ``max_bytes`` is refused before it
    is read (default: `size_limit` of the model, or `DEFAULT_MAX_BYTES`).

    Raises:
        ValueError: the file is not valid JSON, not a valuegrad nn file, of
            another format version, too large, not a regular file, or its
            parameter names differ from the model's (a different
            architecture).  The model is then unchanged.
        OSError: the file cannot be read (e.g. FileNotFoundError).
    """
    if f is None and not isinstance(model, Module):
        if not (isinstance(model, (str, os.PathLike)) or hasattr(model, "read")):
            raise TypeError(
                f"load() expects an nn.Module to load into and a path, or just a path, got {describe(model)}"
            )
        limit = DEFAULT_MAX_BYTES if max_bytes is None else check_int(max_bytes, "load(max_bytes=...)", 0)
        data, source = _read(model, limit)
        return dict(_parse_any(data, source)[2])
    if not isinstance(model, Module):
        raise TypeError(f"load() expects an nn.Module to load into, got {describe(model)}")
    if f is None:
        raise TypeError("load(model, path): the path is missing")
    limit = size_limit(model) if max_bytes is None else check_int(max_bytes, "load(max_bytes=...)", 0)
    data, source = _read(f, limit)
    model_name, parameters = parse(data, source)
    expected = [name for name, _ in model.named_parameters()]
    problem = describe_name_mismatch(expected, list(parameters))
    if problem:
        shown = "a state dict" if model_name is None else f"a {cut(model_name, 40)}"
        raise ValueError(
            f"cannot load {_show(source)}: it holds the parameters of a different architecture "
            f"({shown} with {len(parameters)} parameters; this {type(model).__name__} "
            f"has {len(expected)}): {problem}"
        )
    model.load_state_dict(parameters)
    return model
