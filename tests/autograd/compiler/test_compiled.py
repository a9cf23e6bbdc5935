"""The compiled object: syncing with the parameters, sgd epochs (order, packed samples), building."""

from __future__ import annotations

import gc
import math
import random
import sys
from pathlib import Path
from typing import Any

import pytest

import autograd
from autograd import Value

sys.path.insert(0, str(Path(__file__).parent))
from compile_helpers import HAS_CC, close

BACKENDS = ["python", pytest.param("c", marks=pytest.mark.skipif(not HAS_CC, reason="no C compiler"))]


def _model_and_data(n: int = 23) -> tuple[Any, list[list[float]], list[list[float]]]:
    from nn import MLP, one_hot

    rng = random.Random(2)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    T = one_hot([rng.randrange(4) for _ in range(n)], 4)
    random.seed(9)
    return MLP(3, [5, 4]), X, T


def _step(model: Any, backend: str, cache: Path) -> Any:
    from nn import cross_entropy

    return autograd.compile(
        lambda x, t, m=model: cross_entropy([m(x)], [t]), backend=backend, cache_dir=str(cache / "cache")
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_adds_to_the_gradients_already_there(backend: str, tmp_path: Path) -> None:
    from nn import cross_entropy

    model, X, T = _model_and_data()
    params = model.parameters()
    start = [random.Random(k).uniform(-2, 2) for k in range(len(params))]  # gradients left by an earlier batch
    for p, g in zip(params, start):
        p.grad = g
    _step(model, backend, tmp_path).batch(X[:7], T[:7], reduce="mean")
    compiled = [p.grad for p in params]
    for p, g in zip(params, start):
        p.grad = g
    cross_entropy([model(x) for x in X[:7]], T[:7]).backward()
    assert all(close(a, b) for a, b in zip(compiled, [p.grad for p in params]))
    assert any(abs(a - g) > 1e-3 for a, g in zip(compiled, start))  # something was added


@pytest.mark.parametrize("backend", BACKENDS)
def test_sgd_takes_the_samples_in_the_given_order(backend: str, tmp_path: Path) -> None:
    results = []
    order = random.Random(5).sample(range(23), 23)
    for reorder in (False, True):
        model, X, T = _model_and_data()
        step = _step(model, backend, tmp_path)
        if reorder:
            losses = step.sgd(X, T, lr=0.3, batch_size=5, order=order)
        else:
            losses = step.sgd([X[i] for i in order], [T[i] for i in order], lr=0.3, batch_size=5)
        results.append((losses, [p.data for p in model.parameters()], [p.grad for p in model.parameters()]))
    assert results[0] == results[1]  # the same arithmetic in the same order: equal to the last bit
    assert len(results[0][0]) == 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_packed_samples_train_as_the_columns_do(backend: str, tmp_path: Path) -> None:
    results = []
    for pack in (False, True):
        model, X, T = _model_and_data()
        step = _step(model, backend, tmp_path)
        data: list[Any] = [step.pack(X, T)] if pack else [X, T]
        losses = step.sgd(*data, lr=0.3, batch_size=4) + step.sgd(*data, lr=0.3, batch_size=4, order=range(22, -1, -1))
        results.append((losses, [p.data for p in model.parameters()], [p.grad for p in model.parameters()]))
    assert results[0] == results[1]


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_samples_packed_for_c_are_a_copy(tmp_path: Path) -> None:
    model, X, T = _model_and_data()
    step = _step(model, "c", tmp_path)
    packed = step.pack(X, T)
    assert len(packed) == 23 and repr(packed) == "<23 samples packed for <lambda> (C doubles)>"
    before = [p.data for p in model.parameters()]
    expected = step.sgd(X, T, lr=0.3, batch_size=4)
    for p, v in zip(model.parameters(), before):
        p.data = v
    X[0][0] = 1e9  # changed after packing: the packed copy does not see it
    assert step.sgd(packed, lr=0.3, batch_size=4) == expected


def test_sgd_refuses_a_bad_order_or_someone_elses_packed_samples(tmp_path: Path) -> None:
    model, X, T = _model_and_data(6)
    step = _step(model, "python", tmp_path)
    for bad, error, text in [
        ([0, 6], ValueError, r"indices 0\.\.5, got 6"),
        ([-1], ValueError, r"indices 0\.\.5, got -1"),
        ([0, 1.5], TypeError, r"sample indices \(ints\), got float 1\.5"),
        ([True], TypeError, r"got bool True"),
        ("012", TypeError, r"must be a sequence"),
    ]:
        with pytest.raises(error, match=text):
            step.sgd(X, T, lr=0.1, batch_size=2, order=bad)
    other = _step(model, "python", tmp_path)
    with pytest.raises(ValueError, match="packed by another compiled function"):
        step.sgd(other.pack(X, T), lr=0.1, batch_size=2)
    with pytest.raises(TypeError, match="either the columns or one packed"):
        step.sgd(step.pack(X, T), T, lr=0.1, batch_size=2)


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_a_non_finite_epoch_in_c_is_replayed_batch_by_batch(tmp_path: Path) -> None:
    w = Value(1.0, label="w")
    xs = [2.0, 3.0, 1.0, -4.0, 5.0]  # the fourth sample's log argument is negative: eager raises there

    def fn(x: float) -> Value:
        return (w * x).log()

    step = autograd.compile(fn, backend="c", cache_dir=str(tmp_path / "cache"))
    with pytest.raises(ValueError, match=r"log is only defined for x > 0.*created at .*test_compiled.py"):
        step.sgd(xs, lr=0.1, batch_size=2)
    # the first batch's step was applied, as in the loop it replaces: w = 1 - 0.1 * mean(1/w, 1/w)
    assert w.data == 1.0 - 0.1 * ((1.0 / 1.0 + 1.0 / 1.0) * 0.5)


@pytest.mark.parametrize("enabled", [True, False])
def test_building_pauses_the_garbage_collector_and_restores_it(enabled: bool, tmp_path: Path) -> None:
    w = Value(2.0)
    seen = []

    def fn(x: float) -> Value:
        seen.append(gc.isenabled())
        return w * x

    def broken(x: float) -> Value:
        raise RuntimeError("boom")

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        autograd.compile(fn).trace(1.0)
        assert seen == [False] and gc.isenabled() is enabled
        with pytest.raises(RuntimeError, match="boom"):
            autograd.compile(broken).trace(1.0)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_traced_parameters_are_listed(tmp_path: Path) -> None:
    a, b, unused = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0)
    step = autograd.compile(lambda x: a * x + b)
    with pytest.raises(RuntimeError, match="has not been traced yet"):
        step.parameters
    step.trace(1.0)
    assert step.parameters == [a, b] or step.parameters == [b, a]
    assert unused not in step.parameters


def test_the_forward_only_code_is_generated_when_first_needed() -> None:
    import linecache

    w = Value(3.0)
    step = autograd.compile(lambda x: (w * x).tanh())
    step(0.5)
    name = step._entries[step._last_key].run.__code__.co_filename
    assert name in linecache.cache and name[:-1] + " forward>" not in linecache.cache
    assert math.isclose(step.forward(0.5), math.tanh(1.5), rel_tol=1e-15)
    assert name[:-1] + " forward>" in linecache.cache


def _with_extras(model: Any, backend: str, cache: Path) -> Any:
    """One sample's loss, and two extras computed along: the first logit and a constant."""
    from nn import cross_entropy

    def sample(x: Any, t: Any) -> tuple[Value, Value, Value]:
        logits = model(x)
        return cross_entropy([logits], [t]), logits[0] * 2.0, Value(7.0)

    return autograd.compile(sample, backend=backend, cache_dir=str(cache / "cache"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_extras_are_computed_along_forward_only_and_equal_eager(backend: str, tmp_path: Path) -> None:
    model, X, T = _model_and_data(9)
    step = _with_extras(model, backend, tmp_path)
    loss, extras = step.batch(X, T, reduce="mean", extras=True)
    compiled_grads = [p.grad for p in model.parameters()]
    assert len(extras) == 9 and all(e[1] == 7.0 for e in extras)
    for p in model.parameters():
        p.grad = 0.0
    eager = [(model(x)[0] * 2.0).data for x in X]
    assert [e[0] for e in extras] == pytest.approx(eager, abs=1e-13)
    assert step.batch(X, T, reduce="mean") == loss  # the extras change neither the output...
    assert [p.grad for p in model.parameters()] == compiled_grads  # ...nor the gradients
    with pytest.raises(TypeError, match="has no extras"):
        autograd.compile(lambda x: model(x)[0], backend=backend, cache_dir=str(tmp_path / "c")).batch(X, extras=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_sgd_epoch_returns_each_samples_extras_from_before_its_batchs_step(backend: str, tmp_path: Path) -> None:
    model, X, T = _model_and_data(11)
    start = [p.data for p in model.parameters()]
    step = _with_extras(model, backend, tmp_path)
    order = [3, 1, 4, 0, 5, 9, 2, 6, 10, 8, 7]
    losses, extras = step.sgd(X, T, lr=0.3, batch_size=4, order=order, extras=True)
    after = [p.data for p in model.parameters()]
    for p, v in zip(model.parameters(), start):  # replay by hand: the extras of batch b use the weights before it
        p.data = v
    expected = []
    for b in range(0, len(order), 4):
        chosen = order[b : b + 4]
        expected += [(model(X[i])[0] * 2.0).data for i in chosen]
        for p in model.parameters():
            p.grad = 0.0
        step.batch([X[i] for i in chosen], [T[i] for i in chosen], reduce="mean")
        for p in model.parameters():
            p.data -= 0.3 * p.grad
    assert [e[0] for e in extras] == pytest.approx(expected, abs=1e-13)
    assert [p.data for p in model.parameters()] == pytest.approx(after, abs=1e-13) and len(losses) == 3


def test_the_old_name_entry_still_works_with_a_deprecation_warning() -> None:
    import autograd.compiler
    from autograd.compiler import BuiltTrace, entry

    with pytest.warns(DeprecationWarning, match="Entry is now autograd.compiler.BuiltTrace"):
        assert autograd.compiler.Entry is BuiltTrace  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match=r"entry.Entry is now autograd.compiler.built.BuiltTrace"):
        assert entry.Entry is BuiltTrace
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        autograd.compiler.Nope  # type: ignore[attr-defined]
