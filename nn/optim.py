"""Optimizers: `SGD` (with momentum, Nesterov, weight decay), `Adam` and `AdamW`.

Each takes **any sequence of `Value`s** (``model.parameters()``, a bare
``[y]``, a generator, but not a set, whose order varies), a `Module`
(whose parameters are used) or a list of **parameter groups**, PyTorch's
``[{"params": ..., "lr": ...}, ...]``, and updates the parameters' ``data``
from their ``grad`` in `step()`.  The names, positional argument orders,
defaults and update rules are PyTorch's (``torch.optim.SGD``,
``torch.optim.Adam``, ``torch.optim.AdamW``), so the same gradients give the
same numbers.  Differences:

* PyTorch skips a parameter whose ``.grad`` is ``None``; here every parameter
  has a float gradient (0.0 when nothing flowed into it), so every parameter
  is updated (weight decay and momentum still move it).  For the same reason
  ``zero_grad(set_to_none=True)`` (PyTorch's default) sets gradients to 0.0:
  there is no ``None`` gradient.
* ``Adam(eps=0.0)``: PyTorch accepts it and yields NaN where a gradient is 0;
  Python floats would raise ``ZeroDivisionError`` instead, so ``eps`` must be
  > 0 here.
* Unknown keys in a parameter group (``{"params": ps, "learning_rate": 0.1}``)
  are refused instead of silently kept.

Every hyper-parameter is checked when the optimizer is made (and when a group
is added or a state is loaded), and `step()` is **all or nothing**: it
computes every new value first and assigns them only when all succeeded, so
an error leaves the parameters, the optimizer state and the step count as
they were.

``lr`` is a plain writable attribute (it sets the ``lr`` of every group),
which is all a hand-written schedule needs (micrograd's demo decays it
linearly)::

    opt = SGD(model.parameters(), lr=1.0)
    for k in range(100):
        opt.lr = 1.0 - 0.9 * k / 100
        ...
        opt.zero_grad(); loss.backward(); opt.step()

PyTorch's schedulers are in `nn.lr_scheduler` (`StepLR`, `ExponentialLR`,
`CosineAnnealingLR`).  `state_dict()` / `load_state_dict()` save and restore
the hyper-parameters and the momentum / Adam moments in PyTorch's layout
(JSON-friendly: numbers, lists and dicts only, so `nn.save` can store it), so
training resumes exactly.

Every step is plain float arithmetic on ``p.data`` and ``p.grad``: it
builds no graph, so it needs no `no_grad`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from autograd import Value
from autograd.checks import check_real, check_sequence, cut, describe

from .module import Module

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "ParamsArg"]

ParamsArg = Iterable[Value] | Module | Iterable[Mapping[str, Any]]
"""What an optimizer accepts: Values, a Module, or parameter groups (dicts with a ``"params"`` entry)."""


def _hyper(
    value: object,
    name: str,
    *,
    low: float = 0.0,
    high: float | None = None,
    below_high: bool = True,
    above_low: bool = False,
) -> float:
    """A hyperparameter as a float, checked to be a real number in [low, high) (or (low, ...], [low, high])."""
    number = check_real(value, name)
    too_high = high is not None and (number >= high if below_high else number > high)
    too_low = number <= low if above_low else number < low
    if math.isnan(number) or too_low or too_high:
        bound = "" if high is None else f" and {'<' if below_high else '<='} {high}"
        raise ValueError(f"{name} must be {'>' if above_low else '>='} {low}{bound}, got {value!r}")
    return number


_FLOATS = frozenset({float})


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return value


def _state_number(value: object, what: str) -> float:
    """A number from a saved optimizer state (JSON: a float, or "nan"/"inf"/"-inf" as nn.save writes them)."""
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    return check_real(value, what)


class Optimizer:
    """Base class: holds the parameter groups (each parameter once, in order) and the per-parameter state.

    Subclasses set ``defaults`` (the hyper-parameters and their values),
    implement ``_check_group`` (validate and normalise one group's settings)
    and ``_updates`` (compute, without assigning, every parameter's new
    ``data`` and state).

    Attributes:
        param_groups: PyTorch's list of groups, each a dict with ``"params"``
            (a list of `Value`s) and the group's hyper-parameters.  Change
            them through `lr`, a scheduler or `load_state_dict`: values
            assigned directly are checked when `step()` runs.
        state: per parameter (same order as `params`), a dict of floats:
            ``momentum_buffer`` (SGD); ``step``, ``exp_avg``, ``exp_avg_sq``,
            ``max_exp_avg_sq`` (Adam), as in PyTorch.  Empty before the first
            step.  (A read-only view: it is kept per group as lists of floats.)
        steps: how many times `step()` has run.
    """

    defaults: dict[str, Any]
    param_groups: list[dict[str, Any]]
    _group_state: list[dict[str, list[float]]]

    def __init__(self, params: ParamsArg, defaults: Mapping[str, Any]) -> None:
        self.defaults = self._check_group(dict(defaults), "")
        self.param_groups = []
        self._group_state = []
        self.steps = 0
        name = type(self).__name__
        if isinstance(params, Module):
            items: list[Any] = list(params.parameters())
        elif isinstance(params, Value):
            raise TypeError(
                f"{name} expects an iterable of Values; got a single Value, so wrap it in a list: {name}([y], ...)"
            )
        else:
            items = check_sequence(params, f"{name} params (Values, e.g. model.parameters())")
        if items and all(isinstance(item, Mapping) for item in items):
            for group in items:
                self.add_param_group(group)
        else:
            self.add_param_group({"params": items})
        if not self.params:
            raise ValueError(f"{name} got an empty list of parameters")

    # ------------------------------------------------------------ groups

    def _check_group(self, settings: dict[str, Any], where: str) -> dict[str, Any]:
        """Validated copies of one group's hyper-parameters (subclasses check their own)."""
        return settings

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group (a dict with ``"params"`` and any hyper-parameters to override), as PyTorch does.

        Missing hyper-parameters take the optimizer's defaults.  A parameter
        may belong to one group only; listed twice in a group, it is kept once.
        """
        name = type(self).__name__
        index = len(self.param_groups)
        where = f"param_groups[{index}] "
        if not isinstance(param_group, Mapping):
            raise TypeError(f"{name}: a parameter group must be a dict with 'params', got {describe(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"{name}: {where}has no 'params' entry")
        unknown = [key for key in param_group if key != "params" and key not in self.defaults and key != "initial_lr"]
        if unknown:
            raise ValueError(
                f"{name}: {where}has unknown setting{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(cut(repr(k)) for k in unknown)}; "
                f"expected 'params' and some of {sorted(self.defaults)}"
            )
        raw = param_group["params"]
        if isinstance(raw, Value):
            raw = [raw]
        elif isinstance(raw, Module):
            raw = raw.parameters()
        items = check_sequence(raw, f"{name} {where}params (Values)")
        existing = {id(p) for p in self.params}
        unique: list[Value] = []
        seen: set[int] = set()
        for i, p in enumerate(items):
            if not isinstance(p, Value):
                label = "params" if not self.param_groups and len(param_group) == 1 else f"{where}params"
                raise TypeError(f"{name}: {label.strip()}[{i}] must be a Value, got {describe(p)}")
            if id(p) in existing:
                raise ValueError(f"{name}: some parameters appear in more than one parameter group")
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        settings = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}}
        settings = self._check_group(settings, where)
        self.param_groups.append({"params": unique, **settings})
        self._group_state.append({})

    @property
    def state(self) -> list[dict[str, float]]:
        """Each parameter's state as PyTorch names it (a new list of new dicts; see the class docstring)."""
        out: list[dict[str, float]] = []
        for group, state in zip(self.param_groups, self._group_state):
            out.extend({key: values[i] for key, values in state.items()} for i in range(len(group["params"])))
        return out

    @property
    def params(self) -> list[Value]:
        """Every parameter of every group, in order (a new list)."""
        return [p for group in self.param_groups for p in group["params"]]

    @property
    def lr(self) -> float:
        """The learning rate (of the first group); assigning sets every group's (checked: a real number >= 0)."""
        lr: float = self.param_groups[0]["lr"]
        return lr

    @lr.setter
    def lr(self, value: float) -> None:
        number = _hyper(value, "lr")
        for group in self.param_groups:
            group["lr"] = number

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's ``grad`` to 0.0.

        ``set_to_none`` is accepted for PyTorch code; gradients here are
        always floats (never ``None``), so either way they become 0.0.
        """
        _flag(set_to_none, "zero_grad(set_to_none=...)")
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = 0.0

    # ------------------------------------------------------------ stepping

    def step(self) -> None:
        """Update every parameter's ``data`` from its ``grad``, all or nothing.

        Every group's settings are re-checked and every new value computed
        before any is assigned, so an error (say, a gradient that is not a
        number) leaves parameters, state and `steps` unchanged.
        """
        groups = [
            self._check_group({k: v for k, v in g.items() if k != "params"}, f"param_groups[{i}] ")
            for i, g in enumerate(self.param_groups)
        ]
        results: list[tuple[list[Value], list[float]]] = []
        new_state: list[dict[str, list[float]]] = []
        start = 0
        for group, settings, state in zip(self.param_groups, groups, self._group_state):
            params = group["params"]
            grads = [p.grad for p in params]
            if not _FLOATS.issuperset(map(type, grads)):  # the usual case costs one C-level pass
                self._check_grads(grads, start)
            data, updated = self._updates(settings, [p.data for p in params], grads, state)
            results.append((params, data))
            new_state.append(updated)
            start += len(params)
        # Nothing above assigned anything; now apply it all.
        for params, data in results:
            for p, x in zip(params, data):
                p.data = x
        self._group_state = new_state
        for group, settings in zip(self.param_groups, groups):
            group.update(settings)
        self.steps += 1

    def _check_grads(self, grads: list[Any], start: int) -> None:
        for i, g in enumerate(grads):
            if isinstance(g, bool) or not isinstance(g, (int, float)):
                raise TypeError(
                    f"{type(self).__name__}.step(): the grad of parameter {start + i} "
                    f"is {describe(g)}, expected a float"
                )

    def _updates(
        self, settings: dict[str, Any], data: list[float], grads: list[float], state: dict[str, list[float]]
    ) -> tuple[list[float], dict[str, list[float]]]:
        """New data and new state (name -> one float per parameter) for one group; must not modify its arguments."""
        raise NotImplementedError

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.

        Parameters appear as their index in `params` (they are not saved;
        the model's `state_dict` holds them).  Only numbers, bools, lists and
        dicts, so ``json.dumps`` (with string keys) and `nn.save` can store it.
        """
        state = {i: s for i, s in enumerate(self.state) if s}
        groups = []
        start = 0
        for group in self.param_groups:
            n = len(group["params"])
            settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k != "params"}
            groups.append({**settings, "params": list(range(start, start + n))})
            start += n
        return {"state": state, "param_groups": groups, "steps": self.steps}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what `state_dict` returned (also after a JSON round trip: string keys, lists for tuples).

        The groups must have the same sizes as this optimizer's.  Like
        PyTorch, the saved hyper-parameters (``lr`` etc.) replace the current
        ones.  Everything is checked before anything is assigned.

        Raises:
            TypeError: a part has the wrong type (e.g. a state value that is not a number).
            ValueError: the groups or their sizes do not match, or a setting is out of range.
        """
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}.load_state_dict() expects a dict from state_dict(), got {describe(state_dict)}")
        unknown = [k for k in state_dict if k not in ("state", "param_groups", "steps")]
        if unknown or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                f"{name}.load_state_dict() expects a dict with 'state' and 'param_groups' "
                f"(from state_dict()), got keys {cut(repr(list(state_dict)))}"
            )
        groups = check_sequence(state_dict["param_groups"], "param_groups")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict(): the saved state has {len(groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        new_settings = []
        for i, (saved, group) in enumerate(zip(groups, self.param_groups)):
            where = f"param_groups[{i}] "
            if not isinstance(saved, Mapping):
                raise TypeError(f"{name}.load_state_dict(): {where}is {describe(saved)}, expected a dict")
            indices = check_sequence(saved.get("params", []), f"{where}params")
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict(): {where}has {len(indices)} parameters in the saved "
                    f"state, {len(group['params'])} here"
                )
            extra = [k for k in saved if k != "params" and k not in self.defaults and k != "initial_lr"]
            if extra:
                raise ValueError(f"{name}.load_state_dict(): {where}has unknown settings {cut(repr(extra))}")
            settings = {k: v for k, v in group.items() if k != "params"}
            settings.update({k: (tuple(v) if isinstance(v, list) else v) for k, v in saved.items() if k != "params"})
            new_settings.append(self._check_group(settings, where))
        raw_state = state_dict["state"]
        if not isinstance(raw_state, Mapping):
            raise TypeError(f"{name}.load_state_dict(): 'state' is {describe(raw_state)}, expected a dict")
        n = len(self.params)
        per_parameter: list[dict[str, float]] = [{} for _ in range(n)]
        allowed = self._state_keys()
        for key, entry in raw_state.items():
            index = _state_index(key, n, name)
            if not isinstance(entry, Mapping):
                raise TypeError(f"{name}.load_state_dict(): state[{index}] is {describe(entry)}, expected a dict")
            for k, v in entry.items():
                if k not in allowed:
                    raise ValueError(
                        f"{name}.load_state_dict(): state[{index}] has unknown entry {cut(repr(k))}; "
                        f"expected some of {sorted(allowed)}"
                    )
                per_parameter[index][k] = _state_number(v, f"state[{index}][{k!r}]")
        new_state: list[dict[str, list[float]]] = []
        start = 0
        for i, group in enumerate(self.param_groups):
            entries = per_parameter[start : start + len(group["params"])]
            start += len(group["params"])
            keys = set(entries[0]) if entries else set()
            if any(set(entry) != keys for entry in entries):
                raise ValueError(
                    f"{name}.load_state_dict(): the parameters of param_groups[{i}] have different "
                    "state entries; this optimizer keeps the same entries for a whole group"
                )
            if "step" in keys and len({entry["step"] for entry in entries}) > 1:
                raise ValueError(
                    f"{name}.load_state_dict(): the parameters of param_groups[{i}] have different "
                    "step counts; this optimizer steps a whole group together"
                )
            new_state.append({key: [entry[key] for entry in entries] for key in sorted(keys)})
        steps = state_dict.get("steps", self.steps)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{name}.load_state_dict(): 'steps' must be an int >= 0, got {describe(steps)}")
        for group, settings in zip(self.param_groups, new_settings):
            group.update(settings)
        self._group_state = new_state
        self.steps = steps

    def _state_keys(self) -> frozenset[str]:
        return frozenset()

    def _settings(self) -> str:
        return f"lr={self.lr!r}"

    def __repr__(self) -> str:
        groups = "" if len(self.param_groups) == 1 else f", {len(self.param_groups)} groups"
        return f"{type(self).__name__}({self._settings()}, {len(self.params)} parameters{groups}, steps={self.steps})"


def _state_index(key: object, n: int, name: str) -> int:
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < n:
        raise ValueError(f"{name}.load_state_dict(): state key {cut(repr(key))} is not a parameter index 0..{n - 1}")
    return key


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False)``:
    PyTorch's signature, positional order and defaults.  PyTorch's rule, for
    each parameter ``p`` with gradient ``g``::

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
        params: ParamsArg,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
                "maximize": maximize,
            },
        )

    def _check_group(self, settings: dict[str, Any], where: str) -> dict[str, Any]:
        out = {
            "lr": _hyper(settings["lr"], f"{where}lr".strip()),
            "momentum": _hyper(settings["momentum"], f"{where}momentum".strip()),
            "dampening": _hyper(settings["dampening"], f"{where}dampening".strip(), high=1.0, below_high=False),
            "weight_decay": _hyper(settings["weight_decay"], f"{where}weight_decay".strip()),
            "nesterov": _flag(settings["nesterov"], f"{where}nesterov".strip()),
            "maximize": _flag(settings["maximize"], f"{where}maximize".strip()),
        }
        if out["nesterov"] and (out["momentum"] == 0.0 or out["dampening"] != 0.0):
            raise ValueError(
                f"{where}nesterov=True needs momentum > 0 and dampening = 0 "
                f"(got momentum={settings['momentum']!r}, dampening={settings['dampening']!r})".strip()
            )
        if "initial_lr" in settings:
            out["initial_lr"] = _hyper(settings["initial_lr"], f"{where}initial_lr".strip())
        return out

    def _state_keys(self) -> frozenset[str]:
        return frozenset({"momentum_buffer"})

    def _updates(
        self, settings: dict[str, Any], data: list[float], grads: list[float], state: dict[str, list[float]]
    ) -> tuple[list[float], dict[str, list[float]]]:
        lr, mu, wd = settings["lr"], settings["momentum"], settings["weight_decay"]
        step = -lr
        if settings["maximize"]:  # as torch.optim.SGD: flip the gradient *before* weight decay is added,
            grads = [-g for g in grads]  # so weight decay still shrinks the parameters when maximizing
        if wd:
            grads = [g + wd * x for g, x in zip(grads, data)]
        if mu == 0.0:
            return [x + step * g for x, g in zip(data, grads)], state
        keep, nesterov = 1.0 - settings["dampening"], settings["nesterov"]
        old = state.get("momentum_buffer")
        buffers = grads if old is None else [mu * b + keep * g for b, g in zip(old, grads)]
        if nesterov:
            new_data = [x + step * (g + mu * b) for x, g, b in zip(data, grads, buffers)]
        else:
            new_data = [x + step * b for x, b in zip(data, buffers)]
        return new_data, {**state, "momentum_buffer": list(buffers)}

    def _settings(self) -> str:
        group = self.param_groups[0]
        text = f"lr={group['lr']!r}, momentum={group['momentum']!r}"
        if group["dampening"]:
            text += f", dampening={group['dampening']!r}"
        text += f", weight_decay={group['weight_decay']!r}"
        if group["nesterov"]:
            text += ", nesterov=True"
        if group["maximize"]:
            text += ", maximize=True"
        return text


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's ``torch.optim.Adam`` rule and bias correction.

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False)``.
    At step ``t`` (from 1), for each parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p                 (L2 penalty, if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                     (amsgrad only; then v_max replaces v below)
        p = p - (lr / (1 - beta1**t)) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    _l2_penalty = True  # Adam adds weight_decay * p to the gradient; AdamW decays p directly

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            {
                "lr": lr,
                "betas": betas,
                "eps": eps,
                "weight_decay": weight_decay,
                "amsgrad": amsgrad,
                "maximize": maximize,
            },
        )

    def _check_group(self, settings: dict[str, Any], where: str) -> dict[str, Any]:
        w = where.strip() + " " if where else ""
        pair = check_sequence(settings["betas"], f"{w}betas (beta1, beta2)")
        if len(pair) != 2:
            raise ValueError(f"{w}betas must be a pair (beta1, beta2), got {len(pair)} numbers")
        out = {
            "lr": _hyper(settings["lr"], f"{w}lr"),
            "betas": (_hyper(pair[0], f"{w}betas[0]", high=1.0), _hyper(pair[1], f"{w}betas[1]", high=1.0)),
            "eps": _hyper(settings["eps"], f"{w}eps", above_low=True),
            "weight_decay": _hyper(settings["weight_decay"], f"{w}weight_decay"),
            "amsgrad": _flag(settings["amsgrad"], f"{w}amsgrad"),
            "maximize": _flag(settings["maximize"], f"{w}maximize"),
        }
        if "initial_lr" in settings:
            out["initial_lr"] = _hyper(settings["initial_lr"], f"{w}initial_lr")
        return out

    def _state_keys(self) -> frozenset[str]:
        return frozenset({"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"})

    def _updates(
        self, settings: dict[str, Any], data: list[float], grads: list[float], state: dict[str, list[float]]
    ) -> tuple[list[float], dict[str, list[float]]]:
        lr, eps, wd = settings["lr"], settings["eps"], settings["weight_decay"]
        beta1, beta2 = settings["betas"]
        amsgrad = settings["amsgrad"]
        if settings["maximize"]:
            grads = [-g for g in grads]
        if not self._l2_penalty:  # AdamW: decoupled weight decay shrinks p first
            shrink = 1.0 - lr * wd
            if shrink != 1.0:
                data = [x * shrink for x in data]
        elif wd:
            grads = [g + wd * x for g, x in zip(grads, data)]
        n = len(data)
        steps = state.get("step")
        t = (steps[0] if steps else 0.0) + 1.0
        step_size = lr / (1.0 - beta1**t)
        correction2_sqrt = math.sqrt(1.0 - beta2**t)
        c1, c2, sqrt = 1.0 - beta1, 1.0 - beta2, math.sqrt
        m = [beta1 * a + c1 * g for a, g in zip(state.get("exp_avg", [0.0] * n), grads)]
        v = [beta2 * b + c2 * g * g for b, g in zip(state.get("exp_avg_sq", [0.0] * n), grads)]
        new_state = {"step": [t] * n, "exp_avg": m, "exp_avg_sq": v}
        if amsgrad:
            v = new_state["max_exp_avg_sq"] = list(map(max, state.get("max_exp_avg_sq", [0.0] * n), v))
        new_data = [x - step_size * (a / (sqrt(b) / correction2_sqrt + eps)) for x, a, b in zip(data, m, v)]
        return new_data, new_state

    def _settings(self) -> str:
        group = self.param_groups[0]
        text = (
            f"lr={group['lr']!r}, betas={group['betas']!r}, eps={group['eps']!r}, "
            f"weight_decay={group['weight_decay']!r}"
        )
        if group["amsgrad"]:
            text += ", amsgrad=True"
        if group["maximize"]:
            text += ", maximize=True"
        return text


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``).

    Each step first shrinks every parameter, ``p = p - lr * weight_decay * p``,
    then applies the `Adam` rule with no L2 term.  Default ``weight_decay=0.01``.
    """

    _l2_penalty = False

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
