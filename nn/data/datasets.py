"""Small datasets and the helpers that feed them to a model, in pure Python.

Inputs ``X`` are lists of rows (one list of numbers per sample, what a
`Neuron`/`MLP` takes); targets ``y`` are flat lists.  Every function that
shuffles or adds noise takes ``seed``: ``None`` uses the global `random`
module (so ``random.seed(...)`` makes it repeatable), an int a private
``random.Random(seed)``, and a ``random.Random`` instance is used (and
advanced) as is, which is how to get a different but repeatable order every
epoch.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import math
import os
from collections.abc import Iterator, Sequence
from typing import NamedTuple, TypeVar, overload

from autograd._installation import missing
from autograd.checks import check_int, check_real, check_sequence, describe, is_real

from ..seeding import Seed, make_rng

__all__ = [
    "Dataset",
    "make_moons",
    "minibatches",
    "epoch_order",
    "batches_in_order",
    "train_test_split",
    "load_houses",
    "load_line",
    "load_digits",
    "one_hot",
]

T = TypeVar("T")
U = TypeVar("U")


class Dataset(NamedTuple):
    """Inputs and targets; unpacks as ``X, y = dataset``."""

    X: list[list[float]]
    """One row of input numbers per sample."""
    y: list[float]
    """One target per sample (class labels are the ints 0 and 1)."""


def _pair(X: Sequence[T], y: Sequence[U], who: str) -> tuple[list[T], list[U]]:  # noqa: N803 - as in scikit-learn
    """``X`` and ``y`` as lists (of the same rows and targets), checked to be equally long."""
    xs, ys = check_sequence(X, f"{who}: X"), check_sequence(y, f"{who}: y")
    if len(xs) != len(ys):
        raise ValueError(f"{who}: X has {len(xs)} samples but y has {len(ys)}; they must match")
    return xs, ys


def _linspace_pi(k: int) -> list[float]:
    return [0.0] if k == 1 else [math.pi * i / (k - 1) for i in range(k)]


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: Seed = None, shuffle: bool = True) -> Dataset:
    """Two interleaving half circles, scikit-learn's ``make_moons`` in pure Python.

    Class 0 is the upper moon (``(cos t, sin t)``), class 1 the lower one
    (``(1 - cos t, 0.5 - sin t)``), ``t`` evenly spaced in [0, pi];
    ``n_samples // 2`` points are class 0 and the rest class 1.  Gaussian
    noise with standard deviation ``noise`` is added to both coordinates.

    Returns:
        ``Dataset(X, y)``: ``X`` a list of ``[x1, x2]``, ``y`` a list of 0/1 ints.
        For micrograd's -1/+1 labels use ``[2 * yi - 1 for yi in y]``.
    """
    n = check_int(n_samples, "make_moons n_samples", 2)
    sigma = check_real(noise, "make_moons noise")
    if not sigma >= 0.0:
        raise ValueError(f"make_moons noise must be a number >= 0, got {noise!r:.40}")
    rng = make_rng(seed)
    n_upper = n // 2
    points: list[tuple[float, float, int]] = []
    points += [(math.cos(t), math.sin(t), 0) for t in _linspace_pi(n_upper)]
    points += [(1.0 - math.cos(t), 0.5 - math.sin(t), 1) for t in _linspace_pi(n - n_upper)]
    if shuffle:
        rng.shuffle(points)
    X: list[list[float]] = []  # noqa: N806
    y: list[float] = []
    for px, py, label in points:
        if sigma:
            px, py = px + rng.gauss(0.0, sigma), py + rng.gauss(0.0, sigma)
        X.append([px, py])
        y.append(label)
    return Dataset(X, y)


def minibatches(
    X: Sequence[T],  # noqa: N803
    y: Sequence[U],
    batch_size: int,
    shuffle: bool = True,
    seed: Seed = None,
    drop_last: bool = False,
) -> Iterator[tuple[list[T], list[U]]]:
    """One epoch of ``(X_batch, y_batch)`` pairs: every sample exactly once.

    Batches have ``batch_size`` samples, except the last, which has the rest
    (or is dropped when ``drop_last=True``).  With ``shuffle`` the order is a
    fresh random permutation (see ``seed`` in the module docstring); without
    it, the data's own order.  The rows themselves are not copied.
    """
    xs, ys = _pair(X, y, "minibatches")
    size = check_int(batch_size, "minibatches batch_size", 1)
    yield from batches_in_order(xs, ys, epoch_order(len(xs), shuffle, seed), size, drop_last)


def epoch_order(n: int, shuffle: bool, seed: Seed = None) -> list[int]:
    """The order in which an epoch visits ``n`` samples: a fresh random permutation, or ``0..n-1``."""
    order = list(range(n))
    if shuffle:
        make_rng(seed).shuffle(order)
    return order


def batches_in_order(
    X: Sequence[T],  # noqa: N803
    y: Sequence[U],
    order: Sequence[int],
    batch_size: int,
    drop_last: bool = False,
) -> Iterator[tuple[list[T], list[U]]]:
    """``(X_batch, y_batch)`` pairs taking the samples in ``order`` (indices), ``batch_size`` at a time."""
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        if drop_last and len(chunk) < batch_size:
            return
        yield [X[i] for i in chunk], [y[i] for i in chunk]


@overload
def train_test_split(
    X: Sequence[T],  # noqa: N803
    y: Sequence[U],
    test_fraction: float = 0.2,
    seed: Seed = None,
    shuffle: bool = True,
) -> tuple[list[T], list[T], list[U], list[U]]: ...


@overload
def train_test_split(
    X: Sequence[T],  # noqa: N803
    y: None = None,
    test_fraction: float = 0.2,
    seed: Seed = None,
    shuffle: bool = True,
) -> tuple[list[T], list[T]]: ...


def train_test_split(
    X: Sequence[T],  # noqa: N803
    y: Sequence[U] | None = None,
    test_fraction: float = 0.2,
    seed: Seed = None,
    shuffle: bool = True,
) -> tuple[list[T], list[T], list[U], list[U]] | tuple[list[T], list[T]]:
    """Split into training and test samples: ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``ceil(test_fraction * n)`` samples go to the test set, chosen at random
    (or the last ones when ``shuffle=False``); both parts keep at least one sample.

    Without labels (``y`` left out or ``None``) it splits one list and returns
    ``(train, test)``, e.g. held-out names for a language model::

        train, test = train_test_split(load_names(), test_fraction=0.1, seed=0)

    The samples chosen for the test set are the same with or without labels
    (for the same ``n``, ``test_fraction`` and ``seed``).
    """
    who = "train_test_split"
    if y is None:
        xs: list[T] = check_sequence(X, f"{who}: X")
        ys: list[U] | None = None
    elif is_real(y):  # train_test_split(docs, 0.1): the fraction given where the labels go
        raise TypeError(
            f"{who}: y must be a list of labels (or None), got {describe(y)}; "
            f"to split without labels pass the fraction by name: {who}(X, test_fraction={y!r:.40})"
        )
    else:
        xs, ys = _pair(X, y, who)
    n = len(xs)
    fraction = check_real(test_fraction, f"{who} test_fraction")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{who} test_fraction must be a number strictly between 0 and 1, got {test_fraction!r:.40}")
    n_test = math.ceil(fraction * n)
    if n_test >= n:
        raise ValueError(f"{who}: {n} samples with test_fraction={test_fraction!r} leave none for training")
    order = list(range(n))
    if shuffle:
        make_rng(seed).shuffle(order)
    train, test = order[: n - n_test], order[n - n_test :]
    if ys is None:
        return [xs[i] for i in train], [xs[i] for i in test]
    return [xs[i] for i in train], [xs[i] for i in test], [ys[i] for i in train], [ys[i] for i in test]


def load_houses(in_thousands: bool = False) -> Dataset:
    """The three houses of the "Neural Networks and Gradient Descent 101" post.

    ``X`` is the size in square feet (1000, 2000, 4000) and ``y`` the price in
    dollars ($200k, $400k, $800k): the price is exactly $200 per sq ft.

    With ``in_thousands=True`` both are in thousands (sizes 1, 2, 4 and prices
    200, 400, 800), which keeps gradient descent well-behaved while the
    weight still reads as dollars per square foot.
    """
    sizes, prices = [1000.0, 2000.0, 4000.0], [200_000.0, 400_000.0, 800_000.0]
    if in_thousands:
        sizes, prices = [s / 1000.0 for s in sizes], [p / 1000.0 for p in prices]
    return Dataset([[s] for s in sizes], prices)


def load_line() -> Dataset:
    """The six points of the post's ``y = m * x + b`` neuron.

    ``x = [-4, -2, 0, 1, 2, 3]``, ``y = [-8, -4, 1, 2.2, 3.3, 5.3]``, roughly
    ``y = 2x``.  Their least-squares line is ``m = 64.7 / 34 ~= 1.903`` and
    ``b = -0.2 / 6 ~= -0.033`` (the mean of ``x`` is 0).
    """
    xs = [-4.0, -2.0, 0.0, 1.0, 2.0, 3.0]
    return Dataset([[x] for x in xs], [-8.0, -4.0, 1.0, 2.2, 3.3, 5.3])


def load_digits(normalize: bool = True) -> Dataset:
    """scikit-learn's 1,797 handwritten digits (8x8 pixels): ``X`` rows of 64 numbers, ``y`` the digit 0-9.

    Read from the copy bundled inside the installed scikit-learn package
    (``pip install -e '.[data]'`` in a clone), without importing scikit-learn and
    never from the network.  With ``normalize`` (default) the pixel values
    0..16 are divided by 16, so inputs lie in [0, 1]; labels are ints.  Pair it
    with `train_test_split` and `cross_entropy` (or `one_hot` targets).
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            missing("load_digits", "scikit-learn", "It reads the digits bundled with scikit-learn, never the network.")
        )
    path = os.path.join(next(iter(spec.submodule_search_locations)), "datasets", "data", "digits.csv.gz")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_digits: scikit-learn is installed but has no bundled digits at {path}")
    with gzip.open(path, "rb") as f:
        rows = list(csv.reader(io.TextIOWrapper(f, encoding="ascii")))
    scale = 16.0 if normalize else 1.0
    X = [[float(v) / scale for v in row[:64]] for row in rows if row]  # noqa: N806
    y: list[float] = [int(float(row[64])) for row in rows if row]
    return Dataset(X, y)


@overload
def one_hot(labels: int, n_classes: int) -> list[float]: ...
@overload
def one_hot(labels: Sequence[int], n_classes: int) -> list[list[float]]: ...
def one_hot(labels: int | Sequence[int], n_classes: int) -> list[float] | list[list[float]]:
    """Each class index as a row of `n_classes` numbers, 1.0 at the index and 0.0 elsewhere.

    One label gives one row: ``one_hot(2, 4) == [0.0, 0.0, 1.0, 0.0]``; a list
    of labels gives a list of rows.
    """
    n = check_int(n_classes, "one_hot n_classes", 1)
    if isinstance(labels, int) and not isinstance(labels, bool):
        index = check_int(labels, "one_hot label", 0)
        if index >= n:
            raise ValueError(f"one_hot: label {index} is out of range for {n} classes")
        return [1.0 if k == index else 0.0 for k in range(n)]
    rows = []
    for i, k in enumerate(check_sequence(labels, "one_hot labels")):
        index = check_int(k, f"one_hot labels[{i}]", 0)
        if index >= n:
            raise ValueError(f"one_hot: labels[{i}] = {index} is out of range for {n} classes")
        row = [0.0] * n
        row[index] = 1.0
        rows.append(row)
    return rows
