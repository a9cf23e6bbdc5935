"""Optimizers: `SGD` (with momentum, Nesterov, weight decay), `Adam` and `AdamW`.

Each takes **any iterable of `Value`s** (``model.parameters()``, a bare
``[y]``, or a `Module`, whose parameters are used) and updates their ``data``
from their ``grad`` in `step()`.  The update rules are PyTorch's documented
ones (``torch.optim.SGD``, ``torch.optim.Adam``, ``torch.optim.AdamW``), so the
same gradients give the same numbers.  One difference: PyTorch skips a
parameter whose ``.grad`` is ``None``; here every parameter has a float
gradient (0.0 when nothing flowed into it), so every parameter is updated
(weight decay and momentum still move it).

``lr`` is a plain writable attribute, which is all a learning-rate schedule
needs (micrograd's demo decays it linearly)::

    opt = SGD(model.parameters(), lr=1.0)
    for k in range(100):
        opt.lr = 1.0 - 0.9 * k / 100
        ...
        opt.zero_grad(); loss.backward(); opt.step()

Every step is plain float arithmetic on ``p.data`` and ``p.grad``: it
builds no graph, so it needs no `no_grad`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from autograd import Value

from ._checks import describe
from .module import Module

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _hyper(value: object, name: str, *, low: float = 0.0, high: float | None = None, below_high: bool = True) -> float:
    """A hyperparameter as a float, checked to be a real number in [low, high) (or [low, high])."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, Value):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    number = float(value)
    too_high = high is not None and (number >= high if below_high else number > high)
    if math.isnan(number) or number < low or too_high:
        bound = "" if high is None else f" and {'<' if below_high else '<='} {high}"
        raise ValueError(f"{name} must be >= {low}{bound}, got {value!r}")
    return number


class Optimizer:
    """Base class: holds the parameters (each once, in order) and the learning rate.

    Subclasses implement `step()`.  ``params`` is any iterable of `Value`s or a
    `Module`; a parameter listed twice is kept once (so a shared weight is
    not updated twice).
    """

    params: list[Value]

    def __init__(self, params: Iterable[Value] | Module, lr: float) -> None:
        if isinstance(params, Module):
            params = params.parameters()
        elif isinstance(params, Value):
            raise TypeError(f"{type(self).__name__} expects an iterable of Values; got a single Value, "
                            f"so wrap it in a list: {type(self).__name__}([y], ...)")
        elif isinstance(params, (str, bytes, dict)) or not isinstance(params, Iterable):
            raise TypeError(f"{type(self).__name__} expects an iterable of Values (e.g. model.parameters()), "
                            f"got {type(params).__name__}")
        unique: list[Value] = []
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: params[{i}] must be a Value, got {describe(p)}")
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{type(self).__name__} got an empty list of parameters")
        self.params = unique
        self.lr = lr
        self.steps = 0
        """How many times `step()` has run."""

    @property
    def lr(self) -> float:
        """The learning rate; assign to it to follow a schedule (checked: a real number >= 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _hyper(value, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter's ``data`` from its ``grad``."""
        raise NotImplementedError

    def _settings(self) -> str:
        return f"lr={self.lr!r}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings()}, {len(self.params)} parameters, steps={self.steps})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    PyTorch's ``torch.optim.SGD`` rule, for each parameter ``p`` with gradient ``g``::

        g = -g                                      (if maximize)
        g = g + weight_decay * p                    (if weight_decay != 0)
        if momentum != 0:
            b = g                         on the first step,
            b = momentum * b + (1 - dampening) * g  afterwards
            g = g + momentum * b   if nesterov else   g = b
        p = p - lr * g

    With the defaults it is plain ``p.data -= lr * p.grad``.
    """

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        *,
        dampening: float = 0.0,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _hyper(momentum, "momentum")
        self.weight_decay = _hyper(weight_decay, "weight_decay")
        self.dampening = _hyper(dampening, "dampening", high=1.0, below_high=False)
        self.nesterov = bool(nesterov)
        self.maximize = bool(maximize)
        if self.nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0 "
                             f"(got momentum={momentum!r}, dampening={dampening!r})")
        self.buffers: list[float] = []
        """The momentum buffer of each parameter (empty until the first step with momentum)."""

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        # As torch.optim.SGD: maximize flips the gradient *before* weight decay is added,
        # so weight decay still shrinks the parameters when maximizing.
        sign = -1.0 if self.maximize else 1.0
        params = self.params
        if mu == 0.0:
            for p in params:
                g = sign * p.grad + wd * p.data if wd else sign * p.grad
                p.data -= lr * g
        else:
            first = not self.buffers
            if first:
                self.buffers = [0.0] * len(params)
            buffers, keep, nesterov = self.buffers, 1.0 - self.dampening, self.nesterov
            for i, p in enumerate(params):
                g = sign * p.grad + wd * p.data if wd else sign * p.grad
                b = g if first else mu * buffers[i] + keep * g
                buffers[i] = b
                g = g + mu * b if nesterov else b
                p.data -= lr * g
        self.steps += 1

    def _settings(self) -> str:
        text = f"lr={self.lr!r}, momentum={self.momentum!r}"
        if self.nesterov:
            text += ", nesterov=True"
        text += f", weight_decay={self.weight_decay!r}"
        if self.dampening:
            text += f", dampening={self.dampening!r}"
        if self.maximize:
            text += ", maximize=True"
        return text


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's ``torch.optim.Adam`` rule and bias correction.

    At step ``t`` (from 1), for each parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p                 (L2 penalty, if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                     (amsgrad only; then v_max replaces v below)
        p = p - (lr / (1 - beta1**t)) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r:.40}")
        self.betas = (_hyper(betas[0], "betas[0]", high=1.0), _hyper(betas[1], "betas[1]", high=1.0))
        self.eps = _hyper(eps, "eps")
        self.weight_decay = _hyper(weight_decay, "weight_decay")
        self.amsgrad = bool(amsgrad)
        self.maximize = bool(maximize)
        n = len(self.params)
        self.m: list[float] = [0.0] * n
        """First-moment (mean) estimate of each parameter's gradient."""
        self.v: list[float] = [0.0] * n
        """Second-moment (uncentred variance) estimate of each parameter's gradient."""
        self.v_max: list[float] = [0.0] * n if self.amsgrad else []
        """Running maximum of ``v`` (amsgrad only)."""

    _l2_penalty = True  # Adam adds weight_decay * p to the gradient; AdamW decays p directly

    def _decay(self) -> None:
        """AdamW's decoupled weight decay (nothing for Adam)."""

    def step(self) -> None:
        self.steps += 1
        t = self.steps
        beta1, beta2 = self.betas
        lr, eps = self.lr, self.eps
        step_size = lr / (1.0 - beta1**t)
        correction2_sqrt = math.sqrt(1.0 - beta2**t)
        wd = self.weight_decay if self._l2_penalty else 0.0
        self._decay()
        m, v, v_max, amsgrad = self.m, self.v, self.v_max, self.amsgrad
        for i, p in enumerate(self.params):
            g = -p.grad if self.maximize else p.grad
            if wd:
                g = g + wd * p.data
            mi = m[i] = beta1 * m[i] + (1.0 - beta1) * g
            vi = v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            if amsgrad:
                vi = v_max[i] = max(v_max[i], vi)
            p.data -= step_size * (mi / (math.sqrt(vi) / correction2_sqrt + eps))

    def _settings(self) -> str:
        text = f"lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r}, weight_decay={self.weight_decay!r}"
        if self.amsgrad:
            text += ", amsgrad=True"
        if self.maximize:
            text += ", maximize=True"
        return text


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``).

    Each step first shrinks every parameter, ``p = p - lr * weight_decay * p``,
    then applies the `Adam` rule with no L2 term.  Default ``weight_decay=0.01``.
    """

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        *,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad=amsgrad, maximize=maximize)

    _l2_penalty = False

    def _decay(self) -> None:
        shrink = 1.0 - self.lr * self.weight_decay
        if shrink != 1.0:
            for p in self.params:
                p.data *= shrink
