"""The C backend (run when a C compiler is present): equal to the Python backend, cached, clear errors."""

from __future__ import annotations

import math
import os
import random
import sys
from pathlib import Path

import pytest

import autograd
from autograd import Value, defop, ops

sys.path.insert(0, str(Path(__file__).parent.parent))
from compile_helpers import assert_same, compiled_run, needs_cc

pytestmark = needs_cc


@pytest.fixture
def cache(tmp_path: Path) -> str:
    return str(tmp_path / "cache")


def test_every_builtin_operation_gives_what_python_gives(cache: str) -> None:
    a, b = Value(1.0, label="a"), Value(1.0, label="b")
    unary = [op for op in ops.TABLE if op.arity == 1] + [ops.power(2.0), ops.power(-1.5), ops.power_of(3.0)]
    binary = [op for op in ops.TABLE if op.arity == 2]

    def fn(x: float, y: float) -> Value:
        total = a * b
        for op in unary:
            total = total + op(a * x + 2.5)
        for op in binary:
            total = total + op(a * x + 2.5, b * y + 1.5)
        return total

    py, c = autograd.compile(fn), autograd.compile(fn, backend="c", cache_dir=cache)
    for x, y in ((0.3, 0.7), (-1.1, 0.2), (1.9, -0.4)):
        assert_same(compiled_run(c, [a, b], x, y), compiled_run(py, [a, b], x, y))


def test_an_mlp_batch_runs_inside_c_and_equals_python(cache: str) -> None:
    from nn import MLP, cross_entropy, one_hot

    random.seed(3)
    model = MLP(4, [6, 3])
    params = model.parameters()

    def fn(x: list[float], t: list[float]) -> Value:
        return cross_entropy([model(x)], [t])

    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(9)]
    T = one_hot([rng.randrange(3) for _ in range(9)], 3)
    results = []
    for backend in ("python", "c"):
        step = autograd.compile(fn, backend=backend, cache_dir=cache)
        for p in params:
            p.grad = 0.0
        loss = step.batch(X, T, reduce="mean")
        results.append((loss, [p.grad for p in params]))
        assert step.forward_batch(X[:2], T[:2]) == pytest.approx([fn(X[0], T[0]).data, fn(X[1], T[1]).data], rel=1e-12)
    assert_same(results[1], results[0])


def test_the_library_is_cached_on_disk_and_temporary_files_are_removed(cache: str) -> None:
    w = Value(0.5)
    first = autograd.compile(lambda x: (w * x).tanh(), backend="c", cache_dir=cache)
    first(1.0)
    assert first.stats.cached is False
    again = autograd.compile(lambda x: (w * x).tanh(), backend="c", cache_dir=cache)
    again(1.0)
    assert again.stats.cached is True
    files = os.listdir(cache)
    assert len(files) == 1 and files[0].startswith("vg_") and files[0].endswith((".so", ".dll"))


def test_the_cache_directory_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUEGRAD_CACHE_DIR", str(tmp_path / "env-cache"))
    w = Value(0.5)
    autograd.compile(lambda x: w * x + 1.0, backend="c")(2.0)
    assert len(os.listdir(tmp_path / "env-cache")) == 1


def test_an_operation_without_c_code_is_refused_with_how_to_fix(cache: str) -> None:
    cube = defop("cube", lambda x: x * x * x, lambda x, out: 3.0 * x * x)
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"'cube' have no C code.*code=\{'c'"):
        autograd.compile(lambda x: cube(w * x), backend="c", cache_dir=cache)(2.0)
    with_c = defop(
        "cube", lambda x: x * x * x, lambda x, out: 3.0 * x * x, code={"c": ("{0} * {0} * {0}", ("3.0 * {0} * {0}",))}
    )
    step = autograd.compile(lambda x: with_c(w * x), backend="c", cache_dir=cache)
    assert step(2.0) == 8.0 and w.grad == 24.0


def test_a_domain_error_in_c_raises_eagers_error(cache: str) -> None:
    w = Value(1.0)

    def fn(x: float) -> Value:
        return (w * x).log()

    step = autograd.compile(fn, backend="c", cache_dir=cache)
    assert step(math.e) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"log is only defined for x > 0.*created at .*test_c.py"):
        step(-1.0)


def test_a_missing_compiler_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd.compiler.backends.c import CompilerNotFoundError, find_compiler

    find_compiler.cache_clear()
    with pytest.raises(CompilerNotFoundError, match="apt-get install gcc"):
        autograd.compile(lambda x: x, backend="c", compiler="no-such-cc-anywhere")
    find_compiler.cache_clear()


@pytest.mark.parametrize("backend", ["python", "c"])
def test_an_sgd_epoch_equals_the_loop_it_replaces(backend: str, cache: str) -> None:
    from nn import MLP, cross_entropy, one_hot

    rng = random.Random(2)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(23)]
    T = one_hot([rng.randrange(4) for _ in range(23)], 4)
    finals = []
    for fused in (False, True):
        random.seed(9)
        model = MLP(3, [5, 4])
        params = model.parameters()
        step = autograd.compile(lambda x, t, m=model: cross_entropy([m(x)], [t]), backend=backend, cache_dir=cache)
        if fused:
            losses = step.sgd(X, T, lr=0.3, batch_size=5)
        else:
            losses = []
            for i in range(0, 23, 5):
                for p in params:
                    p.grad = 0.0
                losses.append(step.batch(X[i : i + 5], T[i : i + 5], reduce="mean"))
                for p in params:
                    p.data -= 0.3 * p.grad
        finals.append((losses, [p.data for p in params], [p.grad for p in params]))
    assert len(finals[1][0]) == 5
    assert finals[0] == finals[1]  # the same arithmetic in the same order: equal to the last bit
