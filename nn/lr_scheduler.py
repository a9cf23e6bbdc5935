"""Learning-rate schedulers with PyTorch's names, arguments and formulas: `StepLR`, `ExponentialLR`, ...

The four: `StepLR`, `ExponentialLR`, `CosineAnnealingLR` and `LinearLR`.

Use them as in PyTorch: make the scheduler after the optimizer (it records
each group's starting ``lr`` as ``initial_lr``) and call ``scheduler.step()``
once per epoch, after the epoch's ``optimizer.step()`` calls::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        ...                 # train one epoch
        sched.step()

After ``e`` calls of `step` (``last_epoch == e``), the learning rate is, for
each group with starting rate ``base_lr`` (the closed forms):

* `StepLR`: ``base_lr * gamma ** (e // step_size)``
* `ExponentialLR`: ``base_lr * gamma ** e``
* `CosineAnnealingLR`: ``eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2``
* `LinearLR`: ``base_lr * (start_factor + (end_factor - start_factor) * min(e, total_iters) / total_iters)``

Like PyTorch, `step` computes the new rate from the current one (the
recursive forms, which follow changes made to ``lr`` by other code), and
the tests check that both forms, and PyTorch where it is installed, agree
to 1e-12.  `state_dict` / `load_state_dict` hold plain numbers (JSON).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autograd.checks import check_int, check_real, cut, describe

from .optim import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"]


class LRScheduler:
    """Base class: sets each parameter group's ``lr`` from the epoch count on every `step`."""

    _settings: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} expects an nn optimizer (SGD, Adam, ...), got {describe(optimizer)}"
            )
        last_epoch = check_int(last_epoch, f"{type(self).__name__} last_epoch", -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] "
                        "when resuming an optimizer (last_epoch != -1)"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._last_lr: list[float] = []
        self.step()  # PyTorch's initial step: last_epoch becomes 0 and the groups get their epoch-0 rate

    def get_lr(self) -> list[float]:
        """The rates for `last_epoch` from the current ones (PyTorch's recursive form)."""
        raise NotImplementedError

    def _get_closed_form_lr(self) -> list[float]:
        """The rates for `last_epoch` from ``base_lrs`` alone."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The rates the last `step` set, one per parameter group."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or, as PyTorch's deprecated form, jump to ``epoch`` by the closed form)."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = check_int(epoch, "step(epoch)", 0)
            values = self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The schedule's settings and position (numbers only; the optimizer is not included)."""
        state: dict[str, Any] = {name: getattr(self, name) for name in self._settings}
        state.update(
            last_epoch=self.last_epoch,
            base_lrs=list(self.base_lrs),
            _step_count=self._step_count,
            _last_lr=list(self._last_lr),
        )
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what `state_dict` returned (checked before anything is assigned)."""
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}.load_state_dict() expects a dict, got {describe(state_dict)}")
        expected = {*self._settings, "last_epoch", "base_lrs", "_step_count", "_last_lr"}
        if set(state_dict) != expected:
            raise ValueError(
                f"{name}.load_state_dict(): expected keys {sorted(expected)}, "
                f"got {cut(repr(sorted(map(str, state_dict))))}"
            )
        checked: dict[str, Any] = {}
        for key in self._settings:
            current = getattr(self, key)
            if isinstance(current, int):
                checked[key] = check_int(state_dict[key], key)
            else:
                checked[key] = check_real(state_dict[key], key)
        checked["last_epoch"] = check_int(state_dict["last_epoch"], "last_epoch", -1)
        checked["_step_count"] = check_int(state_dict["_step_count"], "_step_count", 0)
        for key in ("base_lrs", "_last_lr"):
            raw = state_dict[key]
            if not isinstance(raw, (list, tuple)):
                raise TypeError(f"{name}.load_state_dict(): {key} must be a list, got {describe(raw)}")
            checked[key] = [check_real(x, f"{key}[{i}]") for i, x in enumerate(raw)]
        if len(checked["base_lrs"]) != len(self.optimizer.param_groups):
            raise ValueError(
                f"{name}.load_state_dict(): {len(checked['base_lrs'])} base_lrs for "
                f"{len(self.optimizer.param_groups)} parameter groups"
            )
        for key, value in checked.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._settings)
        return f"{type(self).__name__}({shown}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """Multiply each group's rate by ``gamma`` every ``step_size`` epochs (``torch.optim.lr_scheduler.StepLR``)."""

    _settings = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = check_int(step_size, "StepLR step_size", 1)
        self.gamma = _positive(gamma, "StepLR gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's rate by ``gamma`` every epoch (``torch.optim.lr_scheduler.ExponentialLR``)."""

    _settings = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _positive(gamma, "ExponentialLR gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine from each group's rate down to ``eta_min`` over ``T_max`` epochs (SGDR without restarts).

    ``torch.optim.lr_scheduler.CosineAnnealingLR``: past ``T_max`` the
    rate climbs back up along the same cosine, as in PyTorch.
    """

    _settings = ("T_max", "eta_min")

    def __init__(
        self,
        optimizer: Optimizer,
        T_max: int,  # noqa: N803 - PyTorch's name
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_max = check_int(T_max, "CosineAnnealingLR T_max", 1)
        eta = check_real(eta_min, "CosineAnnealingLR eta_min")
        if not eta >= 0.0 or math.isinf(eta):
            raise ValueError(f"CosineAnnealingLR eta_min must be a finite number >= 0, got {eta_min!r}")
        self.eta_min = eta
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups, e, t_max, eta_min = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if e == 0:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and e > 0:
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(e * math.pi / t_max)) / 2 for base_lr in self.base_lrs
            ]
        if (e - 1 - t_max) % (2 * t_max) == 0:
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups)
            ]
        return [
            (1 + math.cos(math.pi * e / t_max)) / (1 + math.cos(math.pi * (e - 1) / t_max)) * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs
        ]


class LinearLR(LRScheduler):
    """Scale each group's rate by a factor going linearly from ``start_factor`` to ``end_factor`` (PyTorch's).

    ``torch.optim.lr_scheduler.LinearLR``: over the first ``total_iters``
    steps the factor moves in equal steps from ``start_factor`` to
    ``end_factor``, and stays there afterwards.  microgpt's linear decay to
    zero over ``N`` training steps (``lr * (1 - step / N)`` at step ``step``)
    is ``LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=N)``
    with ``sched.step()`` after each ``opt.step()``.

    Args:
        optimizer: the optimizer whose groups' ``lr`` it sets.
        start_factor: the factor at epoch 0, in (0, 1] (default 1/3, as PyTorch).
        end_factor: the factor from epoch ``total_iters`` on, in [0, 1] (default 1.0).
        total_iters: the number of steps the change takes (default 5).
    """

    _settings = ("start_factor", "end_factor", "total_iters")

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        start = check_real(start_factor, "LinearLR start_factor")
        if not 0.0 < start <= 1.0:
            raise ValueError(f"LinearLR start_factor must be a number in (0, 1], got {start_factor!r:.40}")
        end = check_real(end_factor, "LinearLR end_factor")
        if not 0.0 <= end <= 1.0:
            raise ValueError(f"LinearLR end_factor must be a number in [0, 1], got {end_factor!r:.40}")
        self.start_factor = start
        self.end_factor = end
        self.total_iters = check_int(total_iters, "LinearLR total_iters", 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups, e = self.optimizer.param_groups, self.last_epoch
        if e == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if e > self.total_iters:
            return [group["lr"] for group in groups]
        change = self.end_factor - self.start_factor
        factor = 1.0 + change / (self.total_iters * self.start_factor + (e - 1) * change)
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]


def _positive(value: object, what: str) -> float:
    number = check_real(value, what)
    if not 0.0 < number < math.inf:
        raise ValueError(f"{what} must be a finite number > 0, got {value!r}")
    return number
