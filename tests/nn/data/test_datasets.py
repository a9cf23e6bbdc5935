"""nn.data.datasets: two moons, minibatches, train/test split (with or without labels), the seed posts' datasets."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import data, load_houses, load_line, make_moons, minibatches, train_test_split


def test_make_moons_shape_labels_and_balance() -> None:
    X, y = make_moons(101, noise=0.1, seed=0)
    assert len(X) == len(y) == 101
    assert all(isinstance(row, list) and len(row) == 2 for row in X)
    assert all(isinstance(v, float) for row in X for v in row)
    assert set(y) == {0, 1} and all(type(label) is int for label in y)
    assert y.count(0) == 50 and y.count(1) == 51


def test_make_moons_without_noise_lies_on_the_two_arcs() -> None:
    X, y = make_moons(40, noise=0.0, shuffle=False)
    assert y == [0] * 20 + [1] * 20
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-15) and b >= -1e-15
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-15) and b <= 0.5 + 1e-15
    assert X[0] == [1.0, 0.0] and X[19] == pytest.approx([-1.0, 0.0], abs=1e-15)  # t = 0 and t = pi
    assert X[20] == [0.0, 0.5]


def test_make_moons_noise_has_the_requested_spread() -> None:
    clean, _ = make_moons(2000, noise=0.0, shuffle=False)
    noisy, _ = make_moons(2000, noise=0.1, seed=3, shuffle=False)
    diffs = [n - c for rn, rc in zip(noisy, clean) for n, c in zip(rn, rc)]
    sd = math.sqrt(sum(d * d for d in diffs) / len(diffs))
    assert sd == pytest.approx(0.1, rel=0.05)


def test_make_moons_is_reproducible() -> None:
    assert make_moons(50, seed=1) == make_moons(50, seed=1)
    assert make_moons(50, seed=1) != make_moons(50, seed=2)
    random.seed(9)
    a = make_moons(50)
    random.seed(9)
    assert make_moons(50) == a


def test_make_moons_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_samples must be an int >= 2, got 1"):
        make_moons(1)
    with pytest.raises(TypeError, match="n_samples must be an int >= 2, got float"):
        make_moons(10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        make_moons(10, noise=-0.1)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 60), st.integers(1, 70), st.booleans(), st.integers(0, 2**32))
def test_minibatches_cover_every_sample_exactly_once(n: int, size: int, shuffle: bool, seed: int) -> None:
    X = [[float(i)] for i in range(n)]
    y = list(range(n))
    batches = list(minibatches(X, y, size, shuffle=shuffle, seed=seed))
    seen = [label for _, yb in batches for label in yb]
    assert sorted(seen) == y
    assert all(len(xb) == len(yb) for xb, yb in batches)
    assert all(xb[i][0] == yb[i] for xb, yb in batches for i in range(len(xb)))  # pairs stay together
    assert [len(yb) for _, yb in batches[:-1]] == [size] * (len(batches) - 1)
    assert len(batches) == math.ceil(n / size)
    if not shuffle:
        assert seen == y


def test_minibatches_drop_last_shuffle_and_rows_not_copied() -> None:
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    batches = list(minibatches(X, y, 4, drop_last=True, seed=0))
    assert [len(yb) for _, yb in batches] == [4, 4]
    assert batches[0][0][0] is X[batches[0][1][0]]
    rng = random.Random(5)
    first = [yb for _, yb in minibatches(X, y, 3, seed=rng)]
    second = [yb for _, yb in minibatches(X, y, 3, seed=rng)]
    assert first != second  # a shared generator gives a new order each epoch
    assert [yb for _, yb in minibatches(X, y, 3, seed=1)] == [yb for _, yb in minibatches(X, y, 3, seed=1)]


def test_minibatches_bad_arguments() -> None:
    with pytest.raises(ValueError, match="X has 2 samples but y has 3"):
        list(minibatches([[1.0], [2.0]], [1, 2, 3], 1))
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        list(minibatches([[1.0]], [1], 0))
    with pytest.raises(TypeError, match=r"seed must be None, an int or a random\.Random"):
        list(minibatches([[1.0]], [1], 1, seed="abc"))  # type: ignore[arg-type]


def test_train_test_split_partitions() -> None:
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    assert len(y_test) == 3 and len(y_train) == 7  # ceil(2.5)
    assert sorted(y_train + y_test) == y
    assert all(row[0] == label for row, label in zip(X_train + X_test, y_train + y_test))
    assert train_test_split(X, y, seed=4) == train_test_split(X, y, seed=4)
    assert train_test_split(X, y, shuffle=False)[3] == [8, 9]
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        train_test_split(X, y, test_fraction=1.0)
    with pytest.raises(ValueError, match="leave none for training"):
        train_test_split([[1.0], [2.0]], [0, 1], test_fraction=0.9)


def test_train_test_split_without_labels_returns_train_and_test() -> None:
    docs = [f"doc{i}" for i in range(20)]
    train, test = train_test_split(docs, test_fraction=0.1, seed=0)
    assert len(test) == 2 and len(train) == 18
    assert sorted(train + test) == sorted(docs)
    # the same samples are held out as with labels, for the same n, fraction and seed
    _, _, y_train, y_test = train_test_split(docs, list(range(20)), test_fraction=0.1, seed=0)
    assert test == [docs[i] for i in y_test] and train == [docs[i] for i in y_train]
    assert train_test_split(docs, test_fraction=0.1, seed=0) == (train, test)
    assert train_test_split(docs, None, 0.25, shuffle=False) == (docs[:15], docs[15:])
    assert train_test_split(docs, test_fraction=0.1, seed=1) != (train, test)


def test_train_test_split_without_labels_explains_its_errors() -> None:
    with pytest.raises(TypeError, match=r"y must be a list of labels \(or None\), got float 0\.1.*test_fraction=0\.1"):
        train_test_split(["a", "b", "c"], 0.1)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="X must be"):
        train_test_split("abc", test_fraction=0.5)
    with pytest.raises(ValueError, match=r"1 samples with test_fraction=0\.5 leave none for training"):
        train_test_split(["a"], test_fraction=0.5)


def test_seed_datasets() -> None:
    X, y = load_houses()
    assert X == [[1000.0], [2000.0], [4000.0]] and y == [200_000.0, 400_000.0, 800_000.0]
    assert all(price / size == 200.0 for (size,), price in zip(X, y))
    X, y = load_houses(in_thousands=True)
    assert X == [[1.0], [2.0], [4.0]] and y == [200.0, 400.0, 800.0]
    X, y = load_line()
    assert [row[0] for row in X] == [-4, -2, 0, 1, 2, 3] and y == [-8, -4, 1, 2.2, 3.3, 5.3]
    assert load_line().X is not load_line().X  # fresh lists each time
    assert isinstance(load_line(), data.Dataset)


def test_load_digits_reads_the_bundled_copy_normalised_with_int_labels() -> None:
    pytest.importorskip("sklearn", reason="load_digits needs scikit-learn (the data extra)")
    from nn.data import load_digits

    X, y = load_digits()
    assert len(X) == len(y) == 1797 and all(len(row) == 64 for row in X)
    assert set(y) == set(range(10)) and all(type(k) is int for k in y)
    assert min(min(r) for r in X) == 0.0 and max(max(r) for r in X) == 1.0
    raw, _ = load_digits(normalize=False)
    assert raw[0][:8] == [16 * v for v in X[0][:8]] and max(max(r) for r in raw) == 16.0


def test_one_hot_rows_and_its_checks() -> None:
    from nn.data import one_hot

    assert one_hot([2, 0], 3) == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="out of range for 3 classes"):
        one_hot([3], 3)


def test_one_hot_of_one_label_is_one_row() -> None:
    import nn

    assert nn.one_hot(9, 28) == nn.one_hot([9], 28)[0]
    assert nn.one_hot(0, 2) == [1.0, 0.0]
    with pytest.raises(ValueError, match="label 28 is out of range for 28 classes"):
        nn.one_hot(28, 28)
    with pytest.raises(ValueError):
        nn.one_hot(-1, 3)
    with pytest.raises(TypeError):
        nn.one_hot(True, 3)


def test_an_epoch_order_and_its_batches_are_what_minibatches_gives() -> None:
    from nn.data import batches_in_order, epoch_order

    X, y = [[i, -i] for i in range(11)], list(range(11))
    order = epoch_order(11, True, 4)
    assert sorted(order) == list(range(11)) and order != list(range(11))
    assert list(batches_in_order(X, y, order, 4)) == list(minibatches(X, y, 4, seed=4))
    assert epoch_order(5, False) == [0, 1, 2, 3, 4]
    assert [b for _, b in batches_in_order(X, y, [3, 1, 2], 2)] == [[3, 1], [2]]
    assert [b for _, b in batches_in_order(X, y, [3, 1, 2], 2, drop_last=True)] == [[3, 1]]
