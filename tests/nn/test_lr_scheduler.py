"""StepLR, ExponentialLR, CosineAnnealingLR, LinearLR: PyTorch's recursive updates against closed forms written out
here."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest

from autograd import Value
from nn import SGD, Adam, CosineAnnealingLR, ExponentialLR, LinearLR, LRScheduler, Optimizer, StepLR


def closeness(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def rates(make: Callable[[Optimizer], LRScheduler], epochs: int, base_lr: float = 0.1) -> list[float]:
    opt = SGD([Value(1.0)], lr=base_lr, momentum=0.9)
    sched = make(opt)
    out = [opt.lr]
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append(opt.lr)
        assert sched.get_last_lr() == [opt.lr]
    return out


CASES: list[tuple[str, Callable[[Optimizer], LRScheduler], Callable[[int], float]]] = [
    ("step", lambda o: StepLR(o, step_size=3, gamma=0.5), lambda e: 0.1 * 0.5 ** (e // 3)),
    ("step-default-gamma", lambda o: StepLR(o, 7), lambda e: 0.1 * 0.1 ** (e // 7)),
    ("exponential", lambda o: ExponentialLR(o, gamma=0.95), lambda e: 0.1 * 0.95**e),
    ("cosine", lambda o: CosineAnnealingLR(o, T_max=10), lambda e: (0.1 - 0.0) * (1 + math.cos(math.pi * e / 10)) / 2),
    (
        "cosine-eta-min",
        lambda o: CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        lambda e: 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 7)) / 2,
    ),
    # PyTorch's closed form: base_lr * (start + (end - start) * min(e, total_iters) / total_iters)
    ("linear-default", lambda o: LinearLR(o), lambda e: 0.1 * (1 / 3 + (1.0 - 1 / 3) * min(e, 5) / 5)),
    (
        "linear-warmup",
        lambda o: LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=12),
        lambda e: 0.1 * (0.25 + 0.5 * min(e, 12) / 12),
    ),
    ("linear-decay-to-zero", lambda o: LinearLR(o, 1.0, 0.0, total_iters=30), lambda e: 0.1 * (1 - min(e, 30) / 30)),
]


@pytest.mark.parametrize(("make", "closed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_recursive_updates_match_the_closed_form(
    make: Callable[[Optimizer], LRScheduler], closed: Callable[[int], float]
) -> None:
    got = rates(make, 45)  # the cosine cases pass T_max several times (PyTorch's rate climbs back up)
    for epoch, lr in enumerate(got):
        assert closeness(lr, closed(epoch)), f"epoch {epoch}: {lr} != {closed(epoch)}"


@pytest.mark.parametrize(("make", "closed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_step_with_an_epoch_uses_the_closed_form(
    make: Callable[[Optimizer], LRScheduler], closed: Callable[[int], float]
) -> None:
    opt = Adam([Value(1.0)], lr=0.1)
    sched = make(opt)
    sched.step(12)
    assert closeness(opt.lr, closed(12))


def test_groups_are_scheduled_from_their_own_base_rates() -> None:
    a, b = Value(1.0), Value(2.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    sched = ExponentialLR(opt, gamma=0.5)
    sched.step()
    sched.step()
    assert sched.get_last_lr() == [0.1 * 0.25, 1.0 * 0.25]
    assert sched.base_lrs == [0.1, 1.0] and [g["initial_lr"] for g in opt.param_groups] == [0.1, 1.0]


def test_state_dict_resumes_the_schedule_through_json() -> None:
    straight = rates(lambda o: CosineAnnealingLR(o, T_max=10, eta_min=0.001), 30)
    opt = SGD([Value(1.0)], lr=0.1)
    sched = CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    for _ in range(12):
        sched.step()
    saved_sched = json.loads(json.dumps(sched.state_dict()))
    saved_opt = json.loads(json.dumps(opt.state_dict()))
    opt2 = SGD([Value(1.0)], lr=0.1)
    sched2 = CosineAnnealingLR(opt2, T_max=3)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert sched2.T_max == 10 and sched2.last_epoch == 12
    got = [opt2.lr]
    for _ in range(18):
        sched2.step()
        got.append(opt2.lr)
    assert got == straight[12:]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "step_size must be an int >= 1"),
        (lambda o: StepLR(o, step_size=2, gamma=-0.1), ValueError, "gamma must be a finite number > 0"),
        (lambda o: ExponentialLR(o, gamma="0.9"), TypeError, "gamma must be a real number"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be an int >= 1"),
        (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1.0), ValueError, "eta_min must be a finite number"),
        (lambda o: LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be a number in \(0, 1\], got 0\.0"),
        (lambda o: LinearLR(o, end_factor=1.5), ValueError, r"end_factor must be a number in \[0, 1\], got 1\.5"),
        (lambda o: LinearLR(o, total_iters=0), ValueError, "total_iters must be an int >= 1, got 0"),
        (lambda o: LinearLR(o, start_factor="1"), TypeError, "start_factor must be a real number, got str"),
        (lambda o: StepLR("opt", 3), TypeError, "expects an nn optimizer"),
        (lambda o: StepLR(o, 3, last_epoch=4), KeyError, "initial_lr"),
    ],
)
def test_bad_arguments(make: Callable[[Optimizer], object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make(SGD([Value(1.0)], lr=0.1))


@pytest.mark.parametrize(
    "name",
    ["step", "exponential", "cosine", "cosine-eta-min", "linear-default", "linear-warmup", "linear-decay-to-zero"],
)
def test_against_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    make = {c[0]: c[1] for c in CASES}[name]
    torch_make = {
        "step": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        "exponential": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10),
        "cosine-eta-min": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        "linear-default": lambda o: torch.optim.lr_scheduler.LinearLR(o),
        "linear-warmup": lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=0.25, end_factor=0.75, total_iters=12
        ),
        "linear-decay-to-zero": lambda o: torch.optim.lr_scheduler.LinearLR(o, 1.0, 0.0, total_iters=30),
    }[name]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = torch_make(opt)
    expected = [opt.param_groups[0]["lr"]]
    for _ in range(45):
        opt.step()
        sched.step()
        expected.append(opt.param_groups[0]["lr"])
    for ours, theirs in zip(rates(make, 45), expected):
        assert closeness(ours, theirs)


def test_linear_decay_is_microgpts_learning_rate_at_every_step() -> None:
    """microgpt: ``lr_t = learning_rate * (1 - step / num_steps)`` for step 0 .. num_steps - 1, Adam after each."""
    p = Value(1.0)
    opt = Adam([p], lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    sched = LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=50)
    for step in range(50):
        assert closeness(opt.lr, 0.01 * (1 - step / 50)), step
        p.grad = 1.0
        opt.step()
        sched.step()
    assert opt.lr == 0.0
    assert repr(sched) == "LinearLR(start_factor=1.0, end_factor=0.0, total_iters=50, last_epoch=50)"
    state = json.loads(json.dumps(sched.state_dict()))
    other = LinearLR(Adam([Value(1.0)], lr=0.01), total_iters=3)
    other.load_state_dict(state)
    assert (other.start_factor, other.end_factor, other.total_iters, other.last_epoch) == (1.0, 0.0, 50, 50)
