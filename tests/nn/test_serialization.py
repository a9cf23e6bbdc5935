"""save/load: plain JSON, exact floats, atomic writes, and every rejection leaving the model unchanged."""

from __future__ import annotations

import json
import math
import os
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn.serialization
from autograd import Value
from nn import MLP, Module, Neuron, load, save


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def snapshot(model: Module) -> list[tuple[str, bytes, float]]:
    return [(name, bits(p.data), p.grad) for name, p in model.named_parameters()]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    model = MLP(2, [16, 16, 1], seed=1)
    path = tmp_path / "model.json"
    save(model, path)
    other = MLP(2, [16, 16, 1], seed=2)
    assert snapshot(other) != snapshot(model)
    assert load(other, path) is other
    assert snapshot(other) == snapshot(model)
    x = [0.25, -0.75]
    assert other(x).data == model(x).data  # type: ignore[union-attr]


def test_file_is_plain_standard_json_with_format_and_version(tmp_path: Path) -> None:
    model = Neuron(2, seed=0)
    path = tmp_path / "n.json"
    save(model, str(path))  # str paths work as well as Path
    text = path.read_text(encoding="utf-8")

    def no_constants(name: str) -> None:
        raise AssertionError(f"non-standard constant {name}")

    doc = json.loads(text, parse_constant=no_constants)
    assert doc["format"] == "valuegrad.nn" and doc["version"] == 2 and doc["model"] == "Neuron"
    assert list(doc["parameters"]) == ["w.0", "w.1", "b"]
    assert doc["parameters"]["w.0"] == model.w[0].data


class Three(Module):
    def __init__(self, a: float, b: float, c: float) -> None:
        self.values = [Value(a), Value(b), Value(c)]


special_floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, 2.0**-1022, 0.1, 1 / 3, math.pi, math.inf, -math.inf]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(special_floats, special_floats, special_floats)
def test_every_float_round_trips_bit_for_bit(tmp_path: Path, a: float, b: float, c: float) -> None:
    path = tmp_path / "three.json"
    save(Three(a, b, c), path)
    out = load(Three(1.0, 2.0, 3.0), path)
    for original, loaded in zip((a, b, c), out.values):  # type: ignore[attr-defined]
        if math.isnan(original):
            assert math.isnan(loaded.data)
        else:
            assert bits(loaded.data) == bits(original)


def test_non_finite_values_are_written_one_way_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "nonfinite.json"
    save(Three(math.nan, math.inf, -math.inf), path)
    encoded = [{"$float": "nan"}, {"$float": "inf"}, {"$float": "-inf"}]
    assert json.loads(path.read_text())["parameters"] == dict(zip(["values.0", "values.1", "values.2"], encoded))
    save(Three(math.nan, math.inf, -math.inf).state_dict(), path)
    assert list(json.loads(path.read_text())["parameters"].values()) == encoded
    save({"best": math.inf, "history": [math.nan, -math.inf], "model": {"w": math.inf}}, path)
    doc = json.loads(path.read_text())
    assert doc["version"] == 2
    assert doc["checkpoint"] == {"best": encoded[1], "history": [encoded[0], encoded[2]], "model": {"w": encoded[1]}}


def test_files_of_format_version_1_still_load(tmp_path: Path) -> None:
    """Version 1 wrote a model's non-finite parameters as bare strings and a checkpoint's as {"$float": ...}."""
    path = tmp_path / "old.json"
    old_model = {"format": "valuegrad.nn", "version": 1, "model": "Three"}
    path.write_text(json.dumps({**old_model, "parameters": {"values.0": "nan", "values.1": "inf", "values.2": "-inf"}}))
    values = [v.data for v in load(Three(1.0, 2.0, 3.0), path).values]  # type: ignore[attr-defined]
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]
    old_checkpoint = {"format": "valuegrad.nn", "version": 1, "checkpoint": {"best": {"$float": "-inf"}, "n": 3}}
    path.write_text(json.dumps(old_checkpoint))
    assert load(path) == {"best": -math.inf, "n": 3}


def test_bare_strings_are_not_numbers_in_version_2(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    doc = {"format": "valuegrad.nn", "version": 2, "model": "Three", "parameters": {"values.0": "inf"}}
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"parameter 'values.0' is str"):
        load(path)


# ------------------------------------------------------------------ atomic saving


def _no_temporaries(folder: Path) -> bool:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_crash_mid_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "model.json"
    save(MLP(2, [4, 1], seed=1), path)
    before = path.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk on fire")

    if failing == "replace":
        monkeypatch.setattr(nn.serialization.os, "replace", boom)
    elif failing == "fsync":
        monkeypatch.setattr(nn.serialization.os, "fsync", boom)
    else:
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, fd: int, mode: str) -> None:
                self.file = real_fdopen(fd, mode)

            def __enter__(self) -> Failing:
                return self

            def __exit__(self, *exc: object) -> None:
                self.file.close()

            def write(self, data: bytes) -> int:
                self.file.write(data[: len(data) // 2])  # half the bytes reach the disk, then the crash
                raise OSError("disk full")

        monkeypatch.setattr(nn.serialization.os, "fdopen", Failing)
    with pytest.raises(OSError, match="disk"):
        save(MLP(2, [4, 1], seed=2), path)
    assert path.read_bytes() == before
    assert _no_temporaries(tmp_path)
    monkeypatch.undo()
    assert snapshot(load(MLP(2, [4, 1], seed=3), path)) == snapshot(MLP(2, [4, 1], seed=1))


def test_save_rejects_non_modules_before_touching_the_disk(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"save\(\) expects an nn\.Module, a state_dict\(\) or a dict .*, got list"):
        save([Value(1.0)], tmp_path / "x.json")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_directory_path_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError):
        save(Neuron(1, seed=0), tmp_path / "folder")
    assert _no_temporaries(tmp_path)


def test_permissions_new_file_follows_umask_existing_file_kept(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "a.json"
        save(Neuron(1, seed=0), path)
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o600)
        save(Neuron(1, seed=1), path)
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


# ------------------------------------------------------------------ rejections leave the model unchanged


def _valid_doc() -> dict[str, object]:
    model = Neuron(2, seed=0)
    return json.loads(nn.serialization._document(model))  # type: ignore[no-any-return]


def _with(**changes: object) -> str:
    doc = _valid_doc()
    doc.update(changes)
    return json.dumps(doc)


def _params(**changes: object) -> str:
    doc = _valid_doc()
    params = dict(doc["parameters"])  # type: ignore[call-overload]
    for key, value in changes.items():
        if value is KeyError:
            del params[key.replace("_", ".")]
        else:
            params[key.replace("_", ".")] = value
    doc["parameters"] = params
    return json.dumps(doc)


VALID = json.dumps(_valid_doc())

BAD_FILES: list[tuple[str, bytes | str, str]] = [
    ("empty", "", "not valid JSON"),
    ("garbage", "hello world", "not valid JSON"),
    ("truncated", VALID[: len(VALID) // 2], "not valid JSON"),
    ("not utf-8", b"\xff\xfe\x00{", "not UTF-8"),
    ("a list", "[1, 2, 3]", "the JSON is a list, expected an object"),
    ("no format", json.dumps({"version": 1, "parameters": {}}), "not a valuegrad nn file"),
    ("other format", _with(format="pytorch"), "format is 'pytorch'"),
    ("newer version", _with(version=3), "format version 3 is not supported \\(written by a newer valuegrad\\)"),
    ("version 0", _with(version=0), "format version 0 is not supported"),
    ("string version", _with(version="1"), "format version is missing or not an int"),
    ("bool version", _with(version=True), "format version is missing or not an int"),
    ("no parameters", _with(parameters=None), "'parameters' is missing or not an object"),
    ("list parameters", _with(parameters=[1.0, 2.0, 3.0]), "'parameters' is missing or not an object"),
    ("model name not a string", _with(model=3), "model name is int"),
    ("string value", _params(w_0="0.5"), "parameter 'w.0' is str"),
    ("null value", _params(b=None), "parameter 'b' is NoneType"),
    ("bool value", _params(b=True), "parameter 'b' is bool"),
    ("list value", _params(b=[1.0]), "parameter 'b' is list"),
    ("overflowing value", VALID.replace('"b": 0.0', '"b": 1e999'), "overflows to inf"),
    ("NaN literal", VALID.replace('"b": 0.0', '"b": NaN'), "non-standard JSON constant NaN"),
    ("duplicate key", VALID.replace('"b": 0.0', '"b": 0.0, "b": 1.0'), "duplicate key 'b'"),
    ("missing parameter", _params(w_1=KeyError), r"1 missing \('w.1'\)"),
    ("extra parameter", _params(w_2=1.0), r"1 unexpected \('w.2'\)"),
    ("deeply nested", "[" * 100_000 + "]" * 100_000, "cannot load"),
]


@pytest.mark.parametrize(("content", "message"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_files_raise_value_error_and_leave_model_unchanged(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    model = Neuron(2, seed=5)
    model.w[0].grad = 0.125
    before = snapshot(model)
    with pytest.raises(ValueError, match=message) as info:
        load(model, path)
    assert str(path) in str(info.value)
    assert snapshot(model) == before


def test_valid_reference_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(VALID)
    model = load(Neuron(2, seed=5), path)
    assert snapshot(model) == snapshot(Neuron(2, seed=0))


def test_different_architecture_is_rejected_with_both_sides_named(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    save(MLP(2, [16, 1], seed=0), path)
    small = MLP(2, [8, 1], seed=1)
    before = snapshot(small)
    with pytest.raises(ValueError, match=r"different architecture \(a MLP with 65 parameters; this MLP has 33\)"):
        load(small, path)
    assert snapshot(small) == before
    neuron = Neuron(2, seed=0)
    with pytest.raises(ValueError, match="different architecture"):
        load(neuron, path)


def test_missing_file_and_wrong_target(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(Neuron(1), tmp_path / "nope.json")
    with pytest.raises(TypeError, match=r"load\(\) expects an nn\.Module"):
        load([Value(1.0)], tmp_path / "nope.json")  # type: ignore[arg-type]


# ------------------------------------------------------------------ hardening (#13)


def test_save_refuses_to_replace_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    save(Neuron(2, seed=0), path)
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only") as info:
        save(Neuron(2, seed=1), path)
    assert info.value.filename == str(path)
    assert path.read_bytes() == before and _no_temporaries(tmp_path)


def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "model.json"
    save(Neuron(2, seed=0), target)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    save(Neuron(2, seed=1), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert snapshot(load(Neuron(2, seed=5), target)) == snapshot(Neuron(2, seed=1))
    assert _no_temporaries(tmp_path) and _no_temporaries(real_dir)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(real_dir / "new.json")
    save(Neuron(2, seed=2), dangling)  # like open(path, "w"): creates the file the link names
    assert dangling.is_symlink() and (real_dir / "new.json").is_file()


def test_save_errors_name_the_target_not_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.json"
    real_open = os.open

    def refuse_temporaries(name: str, *args: object, **kwargs: object) -> int:
        if str(name).endswith(".tmp"):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nn.serialization.os, "open", refuse_temporaries)
    with pytest.raises(PermissionError) as info:
        save(Neuron(2, seed=0), path)
    assert info.value.filename == str(path) and ".tmp" not in str(info.value)


def test_load_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            load(Neuron(2, seed=0), fifo)
            outcome.append(None)
        except BaseException as error:  # handed to the main thread
            outcome.append(error)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():  # unblock the reader so the test process can end, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("load() blocked on a FIFO")
    assert isinstance(outcome[0], ValueError) and "not a regular file (a FIFO)" in str(outcome[0])


def test_load_refuses_devices_and_huge_files_before_reading(tmp_path: Path) -> None:
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    with pytest.raises(ValueError, match="not a regular file \\(a character device\\)"):
        load(Neuron(2, seed=0), zero)
    with pytest.raises(ValueError, match="not a regular file"):
        load(zero)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:  # 200 MB, sparse: costs no disk and no time to make
        f.truncate(200_000_000)
    model = MLP(2, [3, 1], seed=0)  # 13 parameters
    assert model.num_parameters() == 13
    with pytest.raises(ValueError, match="the file has 200000000 bytes, far more than the model needs"):
        load(model, huge)
    with pytest.raises(ValueError, match="far more"):
        load(huge)  # without a model: DEFAULT_MAX_BYTES
    path = tmp_path / "ok.json"
    save(model, path)
    assert path.stat().st_size < nn.serialization.size_limit(model) / 4
    with pytest.raises(ValueError, match="pass max_bytes="):
        load(model, path, max_bytes=100)
    load(model, path, max_bytes=10_000)


def test_load_errors_quote_long_names_cut_short(tmp_path: Path) -> None:
    name = "w" * 1_000_000
    doc = json.loads(nn.serialization._document(Neuron(1, seed=0)))
    doc["parameters"][name] = "not a number"
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        load(Neuron(1, seed=0), path, max_bytes=10_000_000)
    assert len(str(info.value)) < 600 and "1000000 chars" in str(info.value)
    doc["parameters"][name] = 1.0
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="1 unexpected") as info:
        load(Neuron(1, seed=0), path, max_bytes=10_000_000)
    assert len(str(info.value)) < 600


# ------------------------------------------------------------------ PyTorch's habits (#12)


def test_save_a_state_dict_and_load_it_back_as_a_dict(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "state.json"
    save(model.state_dict(), path)  # torch.save(model.state_dict(), path)
    state = load(path)  # torch.load(path)
    assert state == model.state_dict()
    fresh = MLP(2, [3, 1], seed=1)
    fresh.load_state_dict(state)
    assert snapshot(fresh) == snapshot(model)
    assert load(MLP(2, [3, 1], seed=2), path).state_dict() == model.state_dict()  # the two-argument form too


def test_a_checkpoint_with_the_optimizer_resumes_exactly(tmp_path: Path) -> None:
    from nn import Adam, StepLR

    def train(model: MLP, opt: Adam, sched: StepLR, steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            out = model.forward_one([0.5, -1.0])
            (out * out).backward()
            opt.step()
            sched.step()

    model = MLP(2, [3, 1], seed=0)
    opt = Adam(model.parameters(), lr=0.05)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    train(model, opt, sched, 3)
    path = tmp_path / "checkpoint.json"
    save(
        {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "epoch": 3,
            "note": None,
            "best": math.inf,
        },
        path,
    )
    text = path.read_text()
    assert "Value" not in text and "pickle" not in text
    resumed = MLP(2, [3, 1], seed=9)
    resumed_opt = Adam(resumed.parameters(), lr=0.05)
    resumed_sched = StepLR(resumed_opt, step_size=2, gamma=0.5)
    checkpoint = load(path)
    assert checkpoint["epoch"] == 3 and checkpoint["note"] is None and checkpoint["best"] == math.inf
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed_sched.load_state_dict(checkpoint["scheduler"])
    train(model, opt, sched, 4)
    train(resumed, resumed_opt, resumed_sched, 4)
    assert snapshot(resumed) == snapshot(model)
    with pytest.raises(ValueError, match="holds a checkpoint"):
        load(MLP(2, [3, 1]), path)


def test_checkpoint_contents_are_checked_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with pytest.raises(TypeError, match=r"the saved dict\['w'\] holds Value"):
        save({"w": Value(1.0), "n": 2}, path)
    with pytest.raises(ValueError, match="read the same in JSON"):
        save({1: {"a": 1}, "1": 2.0}, path)
    assert not path.exists()


@pytest.mark.parametrize("mode", ["binary", "text"])
def test_file_objects_work_like_paths(tmp_path: Path, mode: str) -> None:
    import io

    model = Neuron(3, seed=0)
    buffer: io.BytesIO | io.StringIO = io.BytesIO() if mode == "binary" else io.StringIO()
    save(model, buffer)
    buffer.seek(0)
    assert snapshot(load(Neuron(3, seed=1), buffer)) == snapshot(model)
    path = tmp_path / "f.json"
    with open(path, "wb" if mode == "binary" else "w") as f:
        save(model.state_dict(), f)
    with open(path, "rb" if mode == "binary" else "r") as f:
        assert load(f) == model.state_dict()
    big = io.BytesIO(b" " * 200_000)
    with pytest.raises(ValueError, match="larger than"):
        load(Neuron(3), big)
