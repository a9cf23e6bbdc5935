"""`no_grad` / `enable_grad`: context manager, decorator, nesting, exceptions, thread locality."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Generator

import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad


def test_context_manager_stops_recording_and_restores() -> None:
    a = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        b = (a * a).tanh()
        c = a.exp() + 1
    assert is_grad_enabled()
    assert b.inputs == () and c.inputs == () and b.op is None
    d = a * a
    assert d.inputs == (a, a)


def test_values_are_still_computed() -> None:
    with no_grad():
        assert (Value(3.0) ** 2 - 1).data == 8.0


def test_decorator() -> None:
    @no_grad()
    def infer(x: Value) -> Value:
        assert not is_grad_enabled()
        return x * 2

    y = infer(Value(1.0))
    assert y.inputs == () and is_grad_enabled()
    assert infer.__name__ == "infer"


def test_nesting_and_enable_grad() -> None:
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            with no_grad():
                assert not is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_same_object_can_be_reentered() -> None:
    guard = no_grad()
    with guard:
        with guard:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_restored_after_an_exception() -> None:
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("inside")
    assert is_grad_enabled()


def test_no_grad_in_one_thread_never_stops_another() -> None:
    inside = threading.Event()
    checked = threading.Event()
    seen: dict[str, object] = {}

    def quiet() -> None:
        with no_grad():
            inside.set()
            checked.wait(timeout=10)
            seen["quiet"] = (Value(1.0) * 2).inputs

    def recording() -> None:
        inside.wait(timeout=10)
        seen["enabled"] = is_grad_enabled()
        seen["recording"] = len((Value(1.0) * 2).inputs)
        checked.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert seen == {"enabled": True, "recording": 2, "quiet": ()}


def test_no_grad_is_local_to_an_asyncio_task() -> None:
    async def main() -> tuple[bool, bool]:
        release = asyncio.Event()

        async def quiet() -> None:
            with no_grad():
                await release.wait()

        async def other() -> bool:
            await asyncio.sleep(0)
            return is_grad_enabled()

        task = asyncio.create_task(quiet())
        await asyncio.sleep(0)
        result = await other()
        release.set()
        await task
        return result, is_grad_enabled()

    assert asyncio.run(main()) == (True, True)


def test_repr() -> None:
    assert repr(no_grad()) == "no_grad()"


def test_one_instance_shared_by_threads() -> None:
    guard = no_grad()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                with guard:
                    barrier.wait(timeout=10) if _ == 0 else None
                    assert not is_grad_enabled()
                assert is_grad_enabled()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []


def test_bare_decorator_without_parentheses() -> None:
    # PyTorch accepts @torch.no_grad as well as @torch.no_grad().
    @no_grad
    def infer(x: Value) -> Value:
        return x * 2

    y = infer(Value(1.0))
    assert y.data == 2.0 and y.inputs == ()
    assert infer.__name__ == "infer"

    @enable_grad
    def train(x: Value) -> Value:
        return x * 2

    with no_grad():
        assert train(Value(1.0)).inputs != ()


def test_decorated_generator_body_runs_under_the_mode() -> None:
    seen: list[bool] = []

    @no_grad()
    def batches(x: Value) -> Generator[Value, None, str]:
        for k in range(3):
            seen.append(is_grad_enabled())
            yield x * k
        return "done"

    x = Value(1.0)
    outputs = []
    for y in batches(x):
        assert is_grad_enabled()  # the caller's mode between resumes
        outputs.append(y)
    assert seen == [False, False, False]
    assert all(y.inputs == () for y in outputs)


def test_decorated_generator_send_throw_close_and_return_value() -> None:
    @no_grad()
    def echo() -> Generator[bool, int, str]:
        got = 0
        try:
            while True:
                got = yield is_grad_enabled()
                assert got >= 0
        except KeyError:
            yield is_grad_enabled()
        return "end"

    gen = echo()
    assert next(gen) is False
    assert gen.send(1) is False
    assert gen.throw(KeyError("k")) is False
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "end"
    gen2 = echo()
    next(gen2)
    gen2.close()
    assert is_grad_enabled()


def test_set_grad_enabled_by_flag() -> None:
    from autograd import set_grad_enabled

    x = Value(1.0)
    with set_grad_enabled(False):
        assert not is_grad_enabled() and (x * 2).inputs == ()
        with set_grad_enabled(True):
            assert (x * 2).inputs != ()
    assert is_grad_enabled()
    with pytest.raises(TypeError, match="expects a bool, got int 1"):
        set_grad_enabled(1)  # type: ignore[arg-type]


def test_one_instance_shared_by_interleaving_asyncio_tasks() -> None:
    # The first task to enter leaves first: each task's block must be left with its own token.
    shared = no_grad()
    modes: dict[str, list[bool]] = {"a": [], "b": []}

    async def task(name: str, first: asyncio.Event, second: asyncio.Event) -> None:
        with shared:
            modes[name].append(is_grad_enabled())
            if name == "a":
                first.set()
                await second.wait()
            else:
                await first.wait()
                second.set()
                await asyncio.sleep(0)
            modes[name].append(is_grad_enabled())
        modes[name].append(is_grad_enabled())

    async def both() -> None:
        first, second = asyncio.Event(), asyncio.Event()
        await asyncio.gather(task("a", first, second), task("b", first, second))

    asyncio.run(both())
    assert modes == {"a": [False, False, True], "b": [False, False, True]}
    assert is_grad_enabled()
