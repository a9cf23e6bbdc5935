"""Losses and softmax: closed forms, gradients, stability at extreme logits, argument checks.

Accuracy (`nn.metrics`) is tested in test_metrics.py."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, gradcheck
from nn import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_softmax,
    mse_loss,
    softmax,
    softplus,
)


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


# ------------------------------------------------------------------ closed forms and gradients


def test_mse_closed_form_and_gradient() -> None:
    preds, targets = values([1.0, -2.0, 0.5]), [0.0, 1.0, 0.5]
    loss = mse_loss(preds, targets)
    assert loss.data == pytest.approx((1.0 + 9.0 + 0.0) / 3, abs=1e-15)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([2 * 1.0 / 3, 2 * -3.0 / 3, 0.0], abs=1e-15)


def test_mse_value_targets_get_gradients_and_scalars_are_one_sample() -> None:
    p, t = Value(3.0), Value(1.0)
    loss = mse_loss(p, t)
    assert loss.data == 4.0
    loss.backward()
    assert (p.grad, t.grad) == (4.0, -4.0)
    assert mse_loss(2.0, 5).data == 9.0  # plain numbers still give a Value
    assert isinstance(mse_loss(2.0, 5), Value)


def test_hinge_closed_form_gradient_and_micrograd_formula() -> None:
    scores, labels = values([2.0, 0.5, -0.25, -3.0]), [1, 1, 1, -1]
    loss = hinge_loss(scores, labels)
    # per sample: max(0, 1 - y*s) = 0, 0.5, 1.25, 0
    assert loss.data == pytest.approx((0.0 + 0.5 + 1.25 + 0.0) / 4, abs=1e-15)
    micrograd = sum((1 + -yi * si).relu() for yi, si in zip(labels, scores)) * (1.0 / 4)
    assert loss.data == pytest.approx(micrograd.data, abs=1e-15)
    loss.backward()
    assert [s.grad for s in scores] == [0.0, -0.25, -0.25, 0.0]


@pytest.mark.parametrize("z", [-30.0, -2.5, -1e-3, 0.0, 0.7, 4.0, 30.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_bce_closed_form_and_gradient(z: float, y: float) -> None:
    logit = Value(z)
    loss = binary_cross_entropy_with_logits([logit], [y])
    p = sigmoid(z)
    # -y log(p) - (1 - y) log(1 - p), with log(p) = -log1p(e^-z) and log(1 - p) = -log1p(e^z)
    expected = y * math.log1p(math.exp(-z)) + (1 - y) * math.log1p(math.exp(z))
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
    loss.backward()
    assert logit.grad == pytest.approx(p - y, rel=1e-12, abs=1e-15)


def test_bce_gradient_at_exactly_zero_logit() -> None:
    """relu'(0) = abs'(0) = 0 conventions must not leak in: the slope at z = 0 is 0.5 - y."""
    for y in (0, 1):
        z = Value(0.0)
        loss = binary_cross_entropy_with_logits([z], [y])
        assert loss.data == pytest.approx(math.log(2.0), abs=1e-15)
        loss.backward()
        assert z.grad == 0.5 - y


def test_cross_entropy_closed_form_and_gradient() -> None:
    rows = [values([1.0, 2.0, 3.0]), values([0.5, -0.5, 0.0])]
    classes = [2, 0]
    loss = cross_entropy(rows, classes)
    expected = 0.0
    for row, k in zip(rows, classes):
        zs = [z.data for z in row]
        expected += -math.log(math.exp(zs[k]) / sum(math.exp(z) for z in zs))
    assert loss.data == pytest.approx(expected / 2, rel=1e-13)
    loss.backward()
    for row, k in zip(rows, classes):
        zs = [z.data for z in row]
        total = sum(math.exp(z) for z in zs)
        for j, z in enumerate(row):
            assert z.grad == pytest.approx((math.exp(zs[j]) / total - (j == k)) / 2, rel=1e-12, abs=1e-15)


def test_softmax_and_log_softmax() -> None:
    zs = values([1.0, 2.0, 0.0])
    probs = softmax(zs)
    total = sum(math.exp(z.data) for z in zs)
    assert [p.data for p in probs] == pytest.approx([math.exp(z.data) / total for z in zs], rel=1e-14)
    assert sum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)
    assert [p.data for p in log_softmax(zs)] == pytest.approx([z.data - math.log(total) for z in zs], rel=1e-14)
    probs[0].backward()  # d p0 / d z_j = p0 (delta_0j - p_j)
    p = [q.data for q in probs]
    assert [z.grad for z in zs] == pytest.approx([p[0] * (1 - p[0]), -p[0] * p[1], -p[0] * p[2]], rel=1e-12)


# ------------------------------------------------------------------ stability at extreme logits


def test_bce_at_logits_of_magnitude_1000() -> None:
    cases = [(1000.0, 1, 0.0, 0.0), (1000.0, 0, 1000.0, 1.0), (-1000.0, 1, 1000.0, -1.0), (-1000.0, 0, 0.0, 0.0)]
    for z, y, expected, slope in cases:
        logit = Value(z)
        loss = binary_cross_entropy_with_logits([logit], [y])
        assert loss.data == expected
        loss.backward()
        assert logit.grad == slope


def test_cross_entropy_softmax_at_logits_of_magnitude_1000() -> None:
    row = values([1000.0, -1000.0, 0.0])
    assert cross_entropy([row], [0]).data == 0.0
    assert cross_entropy([row], [1]).data == 2000.0
    assert cross_entropy([row], [2]).data == 1000.0
    loss = cross_entropy([row], [1])
    loss.backward()
    assert [z.grad for z in row] == [1.0, -1.0, 0.0]
    assert [p.data for p in softmax(row)] == [1.0, 0.0, 0.0]
    assert [p.data for p in log_softmax(row)] == [0.0, -2000.0, -1000.0]
    big = values([1000.0, 1000.0])
    assert cross_entropy([big], [1]).data == pytest.approx(math.log(2.0), abs=1e-15)
    assert [p.data for p in softmax(big)] == [0.5, 0.5]


def test_hinge_and_mse_at_magnitude_1000() -> None:
    assert hinge_loss([Value(1000.0), Value(-1000.0)], [1, 1]).data == 1001.0 / 2
    assert mse_loss([Value(1000.0)], [-1000.0]).data == 4e6


def test_softplus_is_stable_and_twice_differentiable() -> None:
    assert softplus(1000.0) == 1000.0 and softplus(-1000.0) == 0.0
    assert softplus(0.0) == math.log(2.0)
    x = Value(0.3)
    (d1,) = grad(softplus(x), [x], create_graph=True)
    (d2,) = grad(d1, [x])
    s = sigmoid(0.3)
    assert d1.data == pytest.approx(s, rel=1e-15) and d2.data == pytest.approx(s * (1 - s), rel=1e-12)
    op = softplus(Value(2.0)).op
    assert op is not None and op.name == "softplus"


# ------------------------------------------------------------------ gradcheck and properties


def test_losses_pass_gradcheck() -> None:
    assert gradcheck(lambda a, b, c: mse_loss([a, b, c], [0.1, -0.2, 3.0]), [0.5, 1.5, -2.0])
    assert gradcheck(lambda a, b: hinge_loss([a, b], [1, -1]), [0.3, 0.2])
    assert gradcheck(lambda a, b, c: binary_cross_entropy_with_logits([a, b, c], [1, 0, 0.3]), [0.4, -2.0, 5.0])
    assert gradcheck(lambda a, b, c, d: cross_entropy([[a, b], [c, d]], [1, 0]), [0.4, -2.0, 5.0, 1.0])
    assert gradcheck(lambda a, b, c: softmax([a, b, c])[1], [0.4, -2.0, 1.0])
    assert gradcheck(lambda a, b: binary_cross_entropy_with_logits([a, b], [1, 0]), [0.4, -2.0], order=2)


finite_logits = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(finite_logits, min_size=2, max_size=5), min_size=1, max_size=4), st.data())
def test_cross_entropy_matches_reference(rows: list[list[float]], data: st.DataObject) -> None:
    classes = [data.draw(st.integers(0, len(row) - 1)) for row in rows]
    expected = 0.0
    for row, k in zip(rows, classes):
        top = max(row)
        expected += top + math.log(math.fsum(math.exp(z - top) for z in row)) - row[k]
    loss = cross_entropy([values(r) for r in rows], classes)
    assert loss.data == pytest.approx(expected / len(rows), rel=1e-12, abs=1e-12)
    assert loss.data >= 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1000.0, 1000.0, allow_nan=False), st.sampled_from([0, 1])), min_size=1))
def test_bce_matches_reference_and_is_finite(samples: list[tuple[float, int]]) -> None:
    logits = values([z for z, _ in samples])
    labels = [y for _, y in samples]
    loss = binary_cross_entropy_with_logits(logits, labels)
    expected = [max(z, 0) - z * y + math.log1p(math.exp(-abs(z))) for z, y in samples]
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(math.fsum(expected) / len(samples), rel=1e-9, abs=1e-12)
    loss.backward()
    for logit, (z, y) in zip(logits, samples):
        assert logit.grad == pytest.approx((sigmoid(z) - y) / len(samples), rel=1e-9, abs=1e-15)


# ------------------------------------------------------------------ argument checks


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mse_loss([1.0, 2.0], [1.0]), ValueError, "got 2 predictions but 1 targets"),
        (lambda: mse_loss([], []), ValueError, "got no samples"),
        (lambda: mse_loss("ab", [1, 2]), TypeError, r"mse_loss: predictions must be a sequence \(list or tuple\)"),
        (lambda: mse_loss([1.0], ["x"]), TypeError, r"targets\[0\] must be a real number, got str"),
        (lambda: mse_loss([None], [1.0]), TypeError, r"predictions\[0\] must be a real number, got NoneType"),
        (lambda: hinge_loss([Value(1.0)], [0]), ValueError, r"labels must be -1 or \+1, got labels\[0\] = 0"),
        (lambda: hinge_loss([Value(1.0)], [Value(1.0)]), TypeError, r"labels\[0\] must be a real number, got Value"),
        (lambda: binary_cross_entropy_with_logits([Value(0.0)], [-1]), ValueError, "labels must be 0 or 1"),
        (lambda: binary_cross_entropy_with_logits([Value(0.0)], [True]), TypeError, "got bool"),
        (lambda: cross_entropy([[1.0, 2.0]], [2]), ValueError, "out of range for a row of 2 logits"),
        (lambda: cross_entropy([[1.0, 2.0]], [1.0]), TypeError, r"class_indices\[0\] must be an int, got float"),
        (
            lambda: cross_entropy([Value(1.0)], [0]),
            TypeError,
            r"logits_rows\[0\] \(one logit per class\) must be a sequence \(list or tuple\), got Value",
        ),
        (lambda: cross_entropy([[]], [0]), ValueError, "is empty"),
        (lambda: cross_entropy([[1.0]], [0, 0]), ValueError, "1 rows of logits but 2 class indices"),
        (lambda: softmax([]), ValueError, "values is empty"),
        (lambda: softmax(Value(1.0)), TypeError, r"softmax: values \(one logit per class\) must be a sequence"),
    ],
)
def test_bad_arguments(call: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]
