"""Side-by-side benchmark: valuegrad's engine vs micrograd 0.1.0 (vs PyTorch 0-d tensors if installed).

Run with ``make bench`` (or ``python tests/benchmarks/bench_engine.py``).  Every
engine runs the *same* Python code in the same process; only the ``Value``
class differs.  Prints a Markdown table of absolute figures and ratios.

Measured:
  * micrograd's demo training step: MLP 2-16-16-1 written with plain Value
    arithmetic, 100 two-moons samples, max-margin loss + 1e-4 L2, full batch,
    SGD.  Both engines start from the same weights and must agree on the loss
    to 1e-9 at every step.
  * memory held per graph node: tracemalloc over a chain of 100,000
    multiplications by a Value constant.
  * a 1,000,000-op chain, forward + backward (micrograd recurses and cannot).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

STEPS_DEFAULT = 5


def two_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """sklearn-style two moons with labels -1/+1, pure Python so no engine depends on numpy."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        upper = i < n // 2
        k = i if upper else i - n // 2
        m = n // 2 if upper else n - n // 2
        t = math.pi * k / (m - 1)
        px, py = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        X.append([px + rng.gauss(0, noise), py + rng.gauss(0, noise)])
        y.append(-1.0 if upper else 1.0)
    return X, y


def initial_weights(seed: int, sizes: list[int]) -> list[list[list[float]]]:
    """Per layer, per neuron: [w_1..w_nin, b], uniform(-1, 1) as micrograd does."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in itertools.pairwise(sizes):
        layers.append([[rng.uniform(-1, 1) for _ in range(nin)] + [0.0] for _ in range(nout)])
    return layers


def build_mlp(
    V: Any, weights: list[list[list[float]]], all_outputs: bool = False
) -> tuple[Callable[[list[Any]], Any], list[Any]]:
    """micrograd's MLP, with its exact arithmetic, for any Value class V (the first output, or all of them)."""
    layers = [[([V(w) for w in row[:-1]], V(row[-1])) for row in layer] for layer in weights]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    last = len(layers) - 1

    def model(x: list[Any]) -> Any:
        for i, layer in enumerate(layers):
            out = []
            for ws, b in layer:
                act = sum((wi * xi for wi, xi in zip(ws, x)), b)
                out.append(act.relu() if i != last else act)
            x = out
        return x if all_outputs else x[0]

    return model, params


def zero_grads(params: list[Any]) -> None:
    for p in params:
        p.grad = None if _is_torch(p) else 0.0


def _is_torch(p: Any) -> bool:
    return type(p).__module__.startswith("torch")


def train_step(
    V: Any, model: Callable[[list[Any]], Any], params: list[Any], X: list[list[float]], y: list[float], lr: float
) -> float:
    """One step of micrograd's demo.ipynb: forward, max-margin + L2 loss, backward, SGD."""
    inputs = [list(map(V, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg_loss
    zero_grads(params)
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return float(total.data)


def time_training(V: Any, steps: int) -> tuple[list[float], list[float]]:
    X, y = two_moons(100, 0.1, seed=1)
    model, params = build_mlp(V, initial_weights(1337, [2, 16, 16, 1]))
    losses, times = [], []
    for k in range(steps):
        gc.collect()
        t0 = time.perf_counter()
        losses.append(train_step(V, model, params, X, y, lr=1.0 - 0.9 * k / 100))
        times.append(time.perf_counter() - t0)
    return losses, times


def bytes_per_node(V: Any, n: int = 100_000) -> float:
    gc.collect()
    c = V(1.0000001)
    x = V(1.0)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        x = x * c
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del x
    return held / n


def million_chain(V: Any, n: int = 1_000_000) -> float | str:
    c = V(1.0000001)
    x = V(1.0)
    t0 = time.perf_counter()
    try:
        for _ in range(n):
            x = x * c
        x.backward()
    except RecursionError:
        return "RecursionError"
    return time.perf_counter() - t0


def torch_scalar() -> Callable[[float], Any] | None:
    """PyTorch 0-d float64 tensors behind micrograd's Value interface, or None without torch."""
    try:
        import torch
    except ImportError:
        return None

    def make(data: float) -> Any:
        return torch.tensor(float(data), dtype=torch.float64, requires_grad=True)

    return make


def _fmt_bytes(n: float) -> str:
    return "n/a" if math.isnan(n) else f"{n:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS_DEFAULT, help="training steps per engine (median reported)")
    parser.add_argument("--quick", action="store_true", help="fewer steps and a smaller chain (smoke run)")
    args = parser.parse_args(argv)
    steps = 2 if args.quick else args.steps
    chain = 100_000 if args.quick else 1_000_000

    from micrograd.engine import Value as Micrograd

    from autograd import Value as Ours

    engines: dict[str, Any] = {"valuegrad": Ours, "micrograd 0.1.0": Micrograd}
    torch_make = torch_scalar()
    if torch_make is not None:
        engines["PyTorch 0-d tensors"] = torch_make
    print(f"python {sys.version.split()[0]}, {steps} training steps per engine (median), chain of {chain:,} ops")
    print("engines: " + ", ".join(engines) + ("" if torch_make else " (PyTorch not installed: no third column)"))

    step: dict[str, float] = {}
    memory: dict[str, float] = {}
    chains: dict[str, float | str] = {}
    losses: dict[str, list[float]] = {}
    for name, V in engines.items():
        losses[name], times = time_training(V, steps)
        step[name] = statistics.median(times)
        if V is torch_make:  # tracemalloc cannot see PyTorch's C++ heap, and a 1M chain of tensors is pointless
            memory[name], chains[name] = math.nan, "not run"
        else:
            memory[name], chains[name] = bytes_per_node(V), million_chain(V, chain)

    ours, peer = "valuegrad", "micrograd 0.1.0"
    names = list(engines)
    worst = {n: max(abs(a - b) for a, b in zip(losses[ours], losses[n])) for n in names if n != ours}
    agree = all(w <= 1e-9 for w in worst.values())

    def fmt_chain(t: float | str) -> str:
        return t if isinstance(t, str) else f"{t:.2f} s"

    print()
    print("| measure | " + " | ".join(names) + " | micrograd / valuegrad |")
    print("|---|" + "---|" * len(names) + "---|")
    rows = [
        ("demo training step", [f"{step[n]:.3f} s" for n in names], f"**{step[peer] / step[ours]:.1f}x** faster"),
        (
            "bytes held per graph node",
            [_fmt_bytes(memory[n]) for n in names],
            f"**{memory[peer] / memory[ours]:.1f}x** smaller",
        ),
        (f"{chain:,}-op chain, forward + backward", [fmt_chain(chains[n]) for n in names], "micrograd cannot"),
    ]
    for label, cells, ratio in rows:
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    print()
    for name, w in worst.items():
        verdict = "OK" if w <= 1e-9 else "MISMATCH"
        print(f"loss agreement with {name} over {steps} steps: max |difference| = {w:.2e} ({verdict}, limit 1e-9)")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
