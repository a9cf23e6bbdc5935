"""Guards: traced numbers read as Python numbers, changed structures, static values and parameters, verify."""

from __future__ import annotations

import warnings

import pytest

import autograd
from autograd import Value
from autograd.compiler import (
    CompileMismatchError,
    EagerFallbackWarning,
    FrozenValueWarning,
    RetraceWarning,
    TraceError,
)

HERE = __file__


def _line_of(fn: object, offset: int) -> str:
    return f"{HERE}:{fn.__code__.co_firstlineno + offset}"  # type: ignore[attr-defined]


def test_reading_data_of_a_traced_value_is_an_error_naming_the_line() -> None:
    w = Value(2.0)

    def fn(x: float) -> Value:
        y = w * x
        if y.data > 0:  # frozen
            return y
        return -y

    with pytest.raises(TraceError) as info:
        autograd.compile(fn)(1.0)
    message = str(info.value)
    assert "reading .data" in message and _line_of(fn, 2) in message
    assert "strict=False" in message and "in the graph" in message


def test_float_of_a_traced_value_is_an_error_too() -> None:
    w = Value(2.0)

    def fn(x: float) -> Value:
        return w * float(w * x)

    with pytest.raises(TraceError, match=r"float\(\) of a traced Value"):
        autograd.compile(fn)(1.0)


def test_reading_parameters_and_constants_is_fine_and_the_switch_is_undone() -> None:
    w = Value(2.0)

    def fn(x: float) -> Value:
        c = Value(3.0) * 2.0
        assert c.data == 6.0  # a constant: not frozen from the inputs
        return w * x * c

    step = autograd.compile(fn)
    assert step(1.0) == 12.0
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"  # the fast slot is back
    assert "__index__" not in Value.__dict__


def test_strict_false_warns_and_freezes() -> None:
    w = Value(2.0)

    def fn(x: float) -> Value:
        y = w * x
        return y if y.data > 0 else -y

    step = autograd.compile(fn, strict=False)
    with pytest.warns(FrozenValueWarning, match="reading .data"):
        assert step(1.0) == 2.0
    assert step(-1.0) == -2.0  # frozen: the branch of the first call (eager would give 2.0)


def test_using_a_traced_value_as_an_index_says_what_to_do() -> None:
    w = Value(1.0)
    row = [w, w * 2.0, w * 3.0]
    with pytest.raises(TraceError, match="one-hot"):
        autograd.compile(lambda k: row[k])(1)


def test_a_sequence_of_another_length_retraces_with_a_warning() -> None:
    w = Value(1.0)
    step = autograd.compile(lambda xs: w * sum(xs))
    assert step([1.0, 2.0]) == 3.0
    with pytest.warns(
        RetraceWarning,
        match=r"argument 'xs' changed structure: it was a sequence of 2 \(a number\), "
        r"now a sequence of 3 \(a number\)",
    ):
        assert step([1.0, 2.0, 3.0]) == 6.0
    assert step.traces == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert step([4.0, 5.0]) == 9.0  # the first trace again, no warning


def test_a_changed_static_number_retraces_with_a_warning() -> None:
    w = Value(1.0)
    step = autograd.compile(lambda x, k: w * x * k, static=["k"])
    assert step(2.0, 3) == 6.0
    with pytest.warns(RetraceWarning, match="static argument 'k' changed from .*3.* to .*4.*frozen"):
        assert step(2.0, 4) == 8.0
    assert "3.0" in step._entries[next(iter(step._entries))].source  # the static value is a constant in the code


def test_static_takes_one_name_or_position_as_well_as_several() -> None:
    w = Value(1.0)
    for static in ("k", 1, ["k"], (1,)):
        step = autograd.compile(lambda x, k: w * x * k, static=static)  # "k" is one name, not the letter k
        assert step(2.0, 3) == 6.0
    step = autograd.compile(lambda toks, n: w * toks[0] * n, static="toks")  # a name longer than a letter
    assert step([2.0], 3.0) == 6.0
    with pytest.raises(ValueError, match=r"static='tok' is not an argument of .* \(its arguments: toks, n\)"):
        autograd.compile(lambda toks, n: w * n, static="tok")
    with pytest.raises(TypeError, match="static= takes argument positions or names"):
        autograd.compile(lambda x: w * x, static=True)


def test_a_changed_set_of_parameters_retraces_with_a_warning() -> None:
    params = [Value(1.0), Value(2.0)]
    step = autograd.compile(lambda x: sum(p * x for p in params), params=lambda: params)
    assert step(1.0) == 3.0
    params.append(Value(4.0))
    with pytest.warns(RetraceWarning, match="set of parameters changed"):
        assert step(1.0) == 7.0


def test_too_many_traces_fall_back_to_eager() -> None:
    w = Value(1.0)
    step = autograd.compile(lambda xs: w * sum(xs), max_traces=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetraceWarning)
        step([1.0])
        step([1.0, 1.0])
    with pytest.warns(EagerFallbackWarning, match="max_traces=2"):
        assert step([1.0, 1.0, 1.0]) == 3.0
    assert w.grad == 6.0  # eager calls add gradients too
    assert step.traces == 2


def test_verify_catches_a_number_frozen_outside_the_graph() -> None:
    w = Value(1.0)
    scale = [2.0]
    step = autograd.compile(lambda x: w * x * scale[0], verify=True)
    assert step(1.0) == 2.0  # verified: equal
    scale[0] = 3.0  # a Python number the trace cannot see
    with pytest.raises(CompileMismatchError, match="differs from eager"):
        step(1.0)


def test_verify_leaves_the_gradients_as_the_compiled_call_made_them() -> None:
    w = Value(1.0)
    step = autograd.compile(lambda x: (w * x).tanh(), verify=2)
    step(0.5)
    step(0.5)
    step.batch([0.1, 0.2], reduce="mean")
    expected = Value(1.0)
    for x, weight in ((0.5, 1.0), (0.5, 1.0), (0.1, 0.5), (0.2, 0.5)):
        ((expected * x).tanh() * weight).backward()
    assert abs(w.grad - expected.grad) < 1e-15


def test_every_form_of_value_works_inside_a_compiled_function() -> None:
    w = Value(0.5, label="w")

    def fn(x: float) -> Value:
        frozen = Value(2.0, requires_grad=False)  # PyTorch's keyword
        named = Value(3.0, "three")  # a label as the second argument
        return w * x * frozen + named

    step = autograd.compile(fn)
    assert step(4.0) == 7.0 and w.grad == 8.0


def test_value_of_a_traced_value_says_why_and_what_to_do() -> None:
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x: Value(w * x) * 2.0)
    with pytest.raises(TypeError, match=r"Value\(x\) at .*test_tracing.py:\d+ got a Value.*use x itself.*detach"):
        step(1.0)


def test_a_micrograd_style_node_is_refused_with_the_fix() -> None:
    w = Value(0.5, label="w")

    def fn(x: float) -> Value:
        y = w * x
        node = Value(0.0, (y,), "double")  # the lecture's way of adding an operation (its data is not read here)
        return node + 1.0

    with pytest.raises(autograd.compiler.TraceError, match=r"made micrograd's way at .*test_tracing.py.*defop"):
        autograd.compile(fn)(1.0)


def test_another_thread_computing_eagerly_during_a_trace_is_neither_checked_nor_recorded() -> None:
    import threading

    started, finished = threading.Event(), threading.Event()
    results: list[object] = []

    a = Value(3.0)  # made before the trace: a trace of this thread would take it for a parameter

    def eager_worker() -> None:
        started.wait(5)
        b = a * a + 1.0
        results.append(b.data)  # reading .data would be a TraceError if the trace checked this thread
        b.backward()
        results.append(a.grad)
        finished.set()

    w = Value(0.5, label="w")

    def fn(x: float) -> Value:
        started.set()
        assert finished.wait(5)  # the other thread runs its whole computation while this trace is open
        return w * x

    worker = threading.Thread(target=eager_worker)
    worker.start()
    step = autograd.compile(fn)
    step(2.0)
    worker.join(5)
    assert results == [10.0, 6.0]
    assert step.stats.nodes == 3  # only this thread's nodes: x, w, w * x
    assert "data" not in Value.__dict__ or not isinstance(Value.__dict__["data"], property)  # all put back


def test_a_retrace_of_an_unhashable_static_argument_shows_its_value() -> None:
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x, table: w * x * len(table), static=[1])
    step(1.0, [1, 2])
    with pytest.warns(autograd.compiler.RetraceWarning, match=r"changed from \[1, 2\] to \[1, 2, 3\]"):
        step(1.0, [1, 2, 3])


def test_strict_false_warns_once_per_source_line_across_calls_and_traces() -> None:
    """microgpt's softmax reads a whole row of .data per call: one warning for the line, not one per read."""
    ws = [Value(0.1 * k, label=f"w{k}") for k in range(5)]

    def softmax_loss(xs: list[float]) -> Value:
        logits = [w * x for w, x in zip(ws, xs)]
        top = max(v.data for v in logits)  # the user's stable shift: frozen, warned once
        exps = [(v - top).exp() for v in logits]
        return (sum(exps[1:], exps[0]) / exps[0]).log()

    step = autograd.compile(softmax_loss, strict=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in (3, 3, 4, 5, 4):  # three traces (one per length), five calls
            step([0.5] * n)
    frozen = [w for w in caught if issubclass(w.category, FrozenValueWarning)]
    assert len(frozen) == 1, [str(w.message)[:80] for w in frozen]
    assert "nn.softmax" in str(frozen[0].message) and "not warned about again" in str(frozen[0].message)
    assert step.traces == 3
