"""Optimizers against PyTorch's documented update rules, hand-coded here on plain floats (no torch)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, SGD, Adam, AdamW, Neuron, Optimizer

# A small non-separable objective whose gradient depends on the parameters:
#   f(p) = sum_i a_i (p_i - t_i)^2 + p_0 p_1 + sin(p_2)
A = [0.5, 2.0, 1.5]
T = [1.0, -2.0, 0.5]
START = [0.3, 0.7, -1.2]


def objective(p: list[Value]) -> Value:
    total = p[0] * p[1] + p[2].sin()
    for pi, a, t in zip(p, A, T):
        total = total + a * (pi - t) * (pi - t)
    return total


def objective_grad(p: list[float]) -> list[float]:
    g = [2 * a * (pi - t) for pi, a, t in zip(p, A, T)]
    g[0] += p[1]
    g[1] += p[0]
    g[2] += math.cos(p[2])
    return g


def run_ours(make: Callable[[list[Value]], Optimizer], steps: int) -> list[list[float]]:
    params = [Value(x) for x in START]
    opt = make(params)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        objective(params).backward()
        opt.step()
        trajectory.append([p.data for p in params])
    return trajectory


# ------------------------------------------------------------------ references (PyTorch's documented rules)


def reference_sgd(
    steps: int,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> list[list[float]]:
    theta = list(START)
    buf: list[float] | None = None
    out = []
    for t in range(1, steps + 1):
        g = objective_grad(theta)
        if maximize:  # torch.optim.SGD flips the gradient before adding weight decay
            g = [-gi for gi in g]
        if weight_decay != 0:
            g = [gi + weight_decay * th for gi, th in zip(g, theta)]
        if momentum != 0:
            if t > 1:
                assert buf is not None
                buf = [momentum * b + (1 - dampening) * gi for b, gi in zip(buf, g)]
            else:
                buf = list(g)
            g = [gi + momentum * b for gi, b in zip(g, buf)] if nesterov else buf
        theta = [th - lr * gi for th, gi in zip(theta, g)]
        out.append(list(theta))
    return out


def reference_adam(
    steps: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled: bool = False,
) -> list[list[float]]:
    beta1, beta2 = betas
    theta = list(START)
    m = [0.0] * 3
    v = [0.0] * 3
    v_max = [0.0] * 3
    out = []
    for t in range(1, steps + 1):
        g = objective_grad(theta)
        if maximize:
            g = [-gi for gi in g]
        if decoupled:  # AdamW
            theta = [th * (1 - lr * weight_decay) for th in theta]
        elif weight_decay != 0:
            g = [gi + weight_decay * th for gi, th in zip(g, theta)]
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        if amsgrad:
            v_max = [max(a, b) for a, b in zip(v_max, v)]
            v_hat = [vi / (1 - beta2**t) for vi in v_max]
        else:
            v_hat = [vi / (1 - beta2**t) for vi in v]
        theta = [th - lr * mh / (math.sqrt(vh) + eps) for th, mh, vh in zip(theta, m_hat, v_hat)]
        out.append(list(theta))
    return out


def assert_trajectories_equal(ours: list[list[float]], reference: list[list[float]]) -> None:
    assert len(ours) == len(reference)
    for step, (a, b) in enumerate(zip(ours, reference), 1):
        for x, y in zip(a, b):
            assert abs(x - y) <= 1e-12 * max(1.0, abs(y)), f"step {step}: {a} != {b}"


SGD_CASES = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "nesterov": True},
    {"weight_decay": 0.1},
    {"momentum": 0.5, "weight_decay": 0.01},
    {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
    {"momentum": 0.9, "dampening": 0.3},
    {"momentum": 0.9, "maximize": True},
    {"weight_decay": 0.1, "maximize": True},
    {"momentum": 0.5, "weight_decay": 0.1, "maximize": True},
]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "plain")
def test_sgd_matches_pytorch_rule(kwargs: dict[str, float]) -> None:
    ours = run_ours(lambda ps: SGD(ps, lr=0.05, **kwargs), steps=25)  # type: ignore[arg-type]
    assert_trajectories_equal(ours, reference_sgd(25, lr=0.05, **kwargs))  # type: ignore[arg-type]


ADAM_CASES = [
    {},
    {"lr": 0.05},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "amsgrad": True},
    {"lr": 0.02, "maximize": True},
]


@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_adam_matches_pytorch_rule(kwargs: dict[str, object]) -> None:
    ours = run_ours(lambda ps: Adam(ps, **kwargs), steps=40)  # type: ignore[arg-type]
    assert_trajectories_equal(ours, reference_adam(40, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.3}, {"lr": 0.05, "amsgrad": True}])
def test_adamw_matches_pytorch_rule(kwargs: dict[str, object]) -> None:
    ours = run_ours(lambda ps: AdamW(ps, **kwargs), steps=40)  # type: ignore[arg-type]
    reference = reference_adam(40, decoupled=True, **{"weight_decay": 1e-2, **kwargs})  # type: ignore[arg-type]
    assert_trajectories_equal(ours, reference)


def test_adam_first_step_bias_correction() -> None:
    """With bias correction the first step moves each parameter by lr * g / (|g| + eps), whatever g's scale."""
    for g in (1e-6, 0.3, -250.0):
        p = Value(1.0)
        opt = Adam([p], lr=0.01)
        p.grad = g
        opt.step()
        assert p.data == pytest.approx(1.0 - 0.01 * g / (abs(g) + 1e-8), rel=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-100.0, 100.0, allow_nan=False), min_size=1, max_size=8),
    st.floats(0.0, 0.99),
    st.booleans(),
    st.floats(0.0, 0.1),
)
def test_sgd_on_given_gradients(grads: list[float], momentum: float, nesterov: bool, weight_decay: float) -> None:
    """A gradient sequence fed straight into .grad (no graph) gives the reference numbers."""
    nesterov = nesterov and momentum > 0
    p = Value(0.5)
    opt = SGD([p], lr=0.1, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    theta, buf = 0.5, 0.0
    for t, g in enumerate(grads, 1):
        p.grad = g
        opt.step()
        d = g + weight_decay * theta
        if momentum:
            buf = d if t == 1 else momentum * buf + d
            d = d + momentum * buf if nesterov else buf
        theta = theta - 0.1 * d
        assert abs(p.data - theta) <= 1e-12 * max(1.0, abs(theta))


# ------------------------------------------------------------------ the seeds' single weight; lr; params


def test_bare_value_list_and_writable_lr() -> None:
    y = Value(100.0)
    opt = SGD([y], lr=0.01)
    y.grad = 1000.0
    opt.step()
    assert y.data == 90.0  # the post's example: 100 - 0.01 * 1000
    opt.lr = 0.001
    opt.step()
    assert y.data == pytest.approx(89.0, rel=1e-15)
    assert opt.steps == 2


def test_lr_schedule_pattern() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=1.0)
    for k in range(100):
        opt.lr = 1.0 - 0.9 * k / 100
        p.grad = 1.0
        opt.step()
    assert p.data == pytest.approx(-sum(1.0 - 0.9 * k / 100 for k in range(100)), rel=1e-13)


def test_accepts_a_module_and_generators_and_dedupes_shared_parameters() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert SGD(model, lr=0.1).params == model.parameters()
    assert SGD(iter(model.parameters()), lr=0.1).params == model.parameters()
    w = Value(1.0)
    opt = SGD([w, w, w], lr=0.5)
    assert opt.params == [w]
    w.grad = 1.0
    opt.step()
    assert w.data == 0.5  # updated once, not three times


def test_zero_grad() -> None:
    n = Neuron(3, seed=0)
    opt = Adam(n.parameters())
    for p in n.parameters():
        p.grad = 2.0
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in n.parameters())


def test_step_leaves_graph_untouched_and_records_nothing() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 1.0
    opt.step()
    assert p.inputs == () and p.op is None and isinstance(p.data, float)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SGD(Value(1.0), lr=0.1), TypeError, r"wrap it in a list: SGD\(\[y\], ...\)"),
        (lambda: SGD([], lr=0.1), ValueError, "empty list of parameters"),
        (lambda: SGD([Value(1.0), 2.0], lr=0.1), TypeError, r"params\[1\] must be a Value, got float"),
        (lambda: SGD(5, lr=0.1), TypeError, r"SGD params \(Values, e\.g\. model\.parameters\(\)\) must be a sequence"),
        (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be >= 0.0, got -0.1"),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "lr must be"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "lr must be a real number, got str"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=-1), ValueError, "momentum must be >= 0.0"),
        (lambda: SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
        (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1e-3), ValueError, "weight_decay must be >= 0.0"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be >= 0.0 and < 1.0"),
        (lambda: Adam([Value(1.0)], betas=0.9), TypeError, r"betas \(beta1, beta2\) must be a sequence"),
        (lambda: Adam([Value(1.0)], betas=(0.9,)), ValueError, r"betas must be a pair \(beta1, beta2\), got 1 numbers"),
        (lambda: Adam([Value(1.0)], eps=-1.0), ValueError, "eps must be > 0.0"),
    ],
)
def test_bad_arguments(make: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


def test_lr_setter_validates() -> None:
    opt = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match=r"lr must be >= 0\.0"):
        opt.lr = -1.0
    assert opt.lr == 0.1


def test_reprs() -> None:
    params = [Value(1.0), Value(2.0)]
    assert (
        repr(SGD(params, lr=0.1, momentum=0.9, nesterov=True))
        == "SGD(lr=0.1, momentum=0.9, weight_decay=0.0, nesterov=True, 2 parameters, steps=0)"
    )
    assert (
        repr(Adam(params)) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, 2 parameters, steps=0)"
    )


# ------------------------------------------------------------------ PyTorch's signatures, groups, state (#12, #13)


def test_sgd_positional_arguments_are_pytorchs_order() -> None:
    # torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov): the 4th is dampening, not nesterov
    ours = run_ours(lambda ps: SGD(ps, 0.05, 0.9, 0.5), steps=10)
    assert_trajectories_equal(ours, reference_sgd(10, lr=0.05, momentum=0.9, dampening=0.5))
    ours = run_ours(lambda ps: SGD(ps, 0.05, 0.9, 0.0, 0.1, True), steps=10)
    assert_trajectories_equal(ours, reference_sgd(10, lr=0.05, momentum=0.9, weight_decay=0.1, nesterov=True))
    group = SGD([Value(1.0)]).param_groups[0]
    assert group["lr"] == 1e-3  # PyTorch's default
    assert {k: v for k, v in group.items() if k != "params"} == {
        "lr": 1e-3,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
        "maximize": False,
    }
    assert Adam([Value(1.0)], 0.01, (0.8, 0.9), 1e-6, 0.0, True).param_groups[0]["amsgrad"] is True


def test_parameter_groups_each_follow_their_own_settings() -> None:
    params = [Value(x) for x in START]
    opt = SGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.01, "momentum": 0.9}], lr=0.05)
    assert [len(g["params"]) for g in opt.param_groups] == [2, 1]
    assert opt.params == params
    for _ in range(5):
        opt.zero_grad()
        objective(params).backward()
        opt.step()
    # by hand: group 0 plain SGD lr=0.05, group 1 momentum 0.9 lr=0.01, sharing one objective
    theta, buf = list(START), 0.0
    for t in range(5):
        g = objective_grad(theta)
        buf = g[2] if t == 0 else 0.9 * buf + g[2]
        theta = [theta[0] - 0.05 * g[0], theta[1] - 0.05 * g[1], theta[2] - 0.01 * buf]
    assert_trajectories_equal([[p.data for p in params]], [theta])
    opt.lr = 0.2  # sets every group's lr, as a hand-written schedule expects
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: SGD([{"params": [p]}, {"params": [p]}], lr=0.1), ValueError, "more than one parameter group"),
        (lambda p: SGD([{"params": [p], "learning_rate": 0.1}]), ValueError, "unknown setting 'learning_rate'"),
        (lambda p: SGD([{"lr": 0.1}]), ValueError, r"param_groups\[0\] has no 'params'"),
        (lambda p: SGD([{"params": [p], "lr": -1.0}]), ValueError, r"param_groups\[0\] lr must be >= 0.0"),
        (lambda p: Adam([p], eps=0.0), ValueError, r"eps must be > 0.0, got 0.0"),
        (lambda p: SGD([p], nesterov=1), TypeError, "nesterov must be True or False, got int"),
    ],
)
def test_bad_groups_and_settings_are_refused_up_front(
    make: Callable[[Value], object], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        make(Value(1.0))


@pytest.mark.parametrize(
    "make",
    [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1), lambda ps: AdamW(ps, lr=0.1, amsgrad=True)],
    ids=["sgd", "adam", "adamw"],
)
def test_a_failing_step_changes_nothing_and_a_retry_applies_once(make: Callable[[list[Value]], Optimizer]) -> None:
    params = [Value(x) for x in START]
    twin = [Value(x) for x in START]
    opt, reference = make(params), make(twin)
    for ps, o in ((params, opt), (twin, reference)):
        o.zero_grad()
        objective(ps).backward()
        o.step()
        o.zero_grad()
        objective(ps).backward()
    before = ([p.data for p in params], [dict(s) for s in opt.state], opt.steps)
    good = params[2].grad
    params[2].grad = "0.5"  # type: ignore[assignment]  # the last parameter's gradient is broken
    with pytest.raises(TypeError, match=r"grad of parameter 2 is str '0.5', expected a float"):
        opt.step()
    assert ([p.data for p in params], opt.state, opt.steps) == before  # nothing half-applied
    params[2].grad = good
    opt.step()  # the retry: applied once, as if the failure never happened
    reference.step()
    assert [p.data for p in params] == [p.data for p in twin]
    assert opt.state == reference.state and opt.steps == reference.steps == 2


def test_a_bad_lr_assigned_to_a_group_is_caught_before_anything_moves() -> None:
    params = [Value(1.0), Value(2.0)]
    opt = SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
    for p in params:
        p.grad = 1.0
    opt.param_groups[1]["lr"] = "fast"
    with pytest.raises(TypeError, match=r"param_groups\[1\] lr must be a real number, got str"):
        opt.step()
    assert [p.data for p in params] == [1.0, 2.0] and opt.steps == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        lambda ps: Adam(ps, lr=0.05, amsgrad=True),
        lambda ps: AdamW(ps, lr=0.05),
    ],
    ids=["sgd-momentum", "adam-amsgrad", "adamw"],
)
def test_state_dict_resumes_training_exactly_through_json(make: Callable[[list[Value]], Optimizer]) -> None:
    import json

    straight = run_ours(make, steps=20)
    params = [Value(x) for x in START]
    opt = make(params)
    for _ in range(10):
        opt.zero_grad()
        objective(params).backward()
        opt.step()
    saved = json.loads(json.dumps(opt.state_dict()))  # what a file would hold: string keys, lists
    assert set(saved) == {"state", "param_groups", "steps"} and saved["param_groups"][0]["params"] == [0, 1, 2]
    resumed_params = [Value(p.data) for p in params]
    resumed = make(resumed_params)
    resumed.lr = 123.0  # overwritten by the saved settings, as in PyTorch
    resumed.load_state_dict(saved)
    assert resumed.lr == 0.05 and resumed.steps == 10
    trajectory = []
    for _ in range(10):
        resumed.zero_grad()
        objective(resumed_params).backward()
        resumed.step()
        trajectory.append([p.data for p in resumed_params])
    assert trajectory == straight[10:]  # bit for bit


def test_load_state_dict_checks_everything_first() -> None:
    opt = Adam([Value(1.0), Value(2.0)], lr=0.1)
    good = opt.state_dict()
    cases: list[tuple[object, type, str]] = [
        ([], TypeError, "expects a dict"),
        ({"state": {}}, ValueError, "'state' and 'param_groups'"),
        ({**good, "param_groups": []}, ValueError, "has 0 parameter groups, this optimizer has 1"),
        ({**good, "param_groups": [{**good["param_groups"][0], "params": [0]}]}, ValueError, "1 parameters"),
        ({**good, "param_groups": [{**good["param_groups"][0], "eps": 0.0}]}, ValueError, "eps must be > 0.0"),
        ({**good, "state": {"5": {"step": 1.0}}}, ValueError, "state key 5 is not a parameter index 0..1"),
        ({**good, "state": {"0": {"step": "x"}}}, TypeError, r"state\[0\]\['step'\] must be a real number"),
        ({**good, "state": {"0": {"momentum_buffer": 1.0}}}, ValueError, "unknown entry 'momentum_buffer'"),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message):
            opt.load_state_dict(bad)  # type: ignore[arg-type]
        assert opt.state_dict() == good


def test_zero_grad_accepts_set_to_none() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    for flag in (True, False):
        p.grad = 3.0
        opt.zero_grad(set_to_none=flag)
        assert p.grad == 0.0  # gradients are floats here, never None
    with pytest.raises(TypeError, match="set_to_none"):
        opt.zero_grad(set_to_none=None)  # type: ignore[arg-type]
