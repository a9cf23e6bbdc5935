"""Benchmark of `autograd.compile`: eager vs compiled (Python, C) vs micrograd, numpy and PyTorch, in one process.

Run with ``make bench`` (or ``python tests/benchmarks/bench_compile.py``; ``--quick`` is a smoke run).
Two workloads, each from the same initial weights for every engine:

  * the moons step of micrograd's demo: MLP 2-16-16-1, 100 two-moons samples,
    max-margin loss + 1e-4 L2, full batch, SGD (median time of a step);
  * a digits epoch: scikit-learn's 1,797 8x8 digits, MLP 64-32-10, softmax
    cross-entropy, batches of 32 in a fixed order, SGD lr 0.1 (eager valuegrad
    and micrograd are extrapolated from a few batches; micrograd 0.1.0 has no
    exp or log, so the benchmark adds them in the lecture's style).

Compiled runs use the per-sample loss traced once (`autograd.compile`) and its
``.batch``; the L2 term of the moons step is a second compiled function.  On
digits, ``fit(compile="c")`` (whole epochs of SGD inside C) is measured too.
Every engine is timed in a steady state: after a warm-up step or epoch, the
median of several (PyTorch's first epoch pays for its own warm-up, about
twice a later one).  Losses of every engine are compared with eager valuegrad
over the first steps.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import build_mlp, initial_weights, train_step, two_moons

import autograd
from autograd import Value


def _median_time(run: Callable[[int], float], steps: int) -> tuple[float, list[float]]:
    times, losses = [], []
    for k in range(steps):
        gc.collect()
        t0 = time.perf_counter()
        losses.append(run(k))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), losses


# ---------------------------------------------------------------- moons
def moons(steps: int, cache: str, have_cc: bool, torch: Any, np: Any) -> dict[str, Any]:
    X, y = two_moons(100, 0.1, seed=1)
    weights = initial_weights(1337, [2, 16, 16, 1])
    lr = lambda k: 1.0 - 0.9 * k / 100
    results: dict[str, Any] = {}

    model, params = build_mlp(Value, weights)
    results["eager"] = _median_time(lambda k: train_step(Value, model, params, X, y, lr(k)), steps)

    from micrograd.engine import Value as Micrograd

    mmodel, mparams = build_mlp(Micrograd, weights)
    results["micrograd"] = _median_time(lambda k: train_step(Micrograd, mmodel, mparams, X, y, lr(k)), steps)

    for backend in ["python"] + (["c"] if have_cc else []):
        cmodel, cparams = build_mlp(Value, weights)
        t0 = time.perf_counter()
        data = autograd.compile(lambda x, yi, m=cmodel: (1 + -yi * m(x)).relu(), backend=backend, cache_dir=cache)
        reg = autograd.compile(lambda ps=cparams: 1e-4 * sum(p * p for p in ps), backend=backend, cache_dir=cache)
        data.trace(X[0], y[0])
        reg.trace()
        results[f"setup {backend}"] = (time.perf_counter() - t0, data.stats)

        def step(k: int, data: Any = data, reg: Any = reg, ps: list[Value] = cparams) -> float:
            for p in ps:
                p.grad = 0.0
            total = data.batch(X, y, reduce="mean") + reg()
            rate = lr(k)
            for p in ps:
                p.data -= rate * p.grad
            return total

        results[f"compile {backend}"] = _median_time(step, max(steps, 10 if steps > 2 else steps))

    if np is not None:
        Xa, ya = np.array(X), np.array(y)
        Ws = [np.array([row[:-1] for row in layer]) for layer in weights]
        bs = [np.array([row[-1] for row in layer]) for layer in weights]

        def np_step(k: int) -> float:
            h1p = Xa @ Ws[0].T + bs[0]
            h1 = np.maximum(h1p, 0.0)
            h2p = h1 @ Ws[1].T + bs[1]
            h2 = np.maximum(h2p, 0.0)
            s = (h2 @ Ws[2].T + bs[2])[:, 0]
            margin = 1.0 - ya * s
            n = len(ya)
            loss = np.maximum(margin, 0.0).sum() / n + 1e-4 * sum((W * W).sum() + (b * b).sum() for W, b in zip(Ws, bs))
            ds = np.where(margin > 0.0, -ya, 0.0)[:, None] / n
            grads = []
            dW3, db3 = ds.T @ h2, ds.sum(0)
            dh2 = ds @ Ws[2] * (h2p > 0.0)
            dW2, db2 = dh2.T @ h1, dh2.sum(0)
            dh1 = dh2 @ Ws[1] * (h1p > 0.0)
            dW1, db1 = dh1.T @ Xa, dh1.sum(0)
            grads = [(dW1, db1), (dW2, db2), (dW3, db3)]
            rate = lr(k)
            for i, (dW, db) in enumerate(grads):
                Ws[i] -= rate * (dW + 2e-4 * Ws[i])
                bs[i] -= rate * (db + 2e-4 * bs[i])
            return float(loss.item())

        results["numpy"] = _median_time(np_step, max(steps, 10 if steps > 2 else steps))

    if torch is not None:
        Xt = torch.tensor(X, dtype=torch.float64)
        yt = torch.tensor(y, dtype=torch.float64)
        layers = [
            (
                torch.tensor([row[:-1] for row in layer], dtype=torch.float64, requires_grad=True),
                torch.tensor([row[-1] for row in layer], dtype=torch.float64, requires_grad=True),
            )
            for layer in weights
        ]
        tparams = [t for pair in layers for t in pair]

        def torch_step(k: int) -> float:
            h = Xt
            for i, (W, b) in enumerate(layers):
                h = h @ W.T + b
                if i < 2:
                    h = torch.relu(h)
            loss = torch.relu(1.0 - yt * h[:, 0]).mean() + 1e-4 * sum((p * p).sum() for p in tparams)
            for p in tparams:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in tparams:
                    p -= lr(k) * p.grad
            return float(loss.item())

        results["PyTorch"] = _median_time(torch_step, max(steps, 10 if steps > 2 else steps))
    return results


# ---------------------------------------------------------------- digits
def digits(
    batches: int | None, eager_batches: int, epochs: int, cache: str, have_cc: bool, torch: Any, np: Any
) -> dict[str, Any]:
    from nn import MLP, cross_entropy, one_hot
    from nn.data import load_digits

    X, y = load_digits()
    if batches is not None:
        X, y = X[: 32 * batches], y[: 32 * batches]
    T = one_hot(y, 10)
    chunks = [(X[i : i + 32], y[i : i + 32], T[i : i + 32]) for i in range(0, len(X), 32)]
    n_batches = len(chunks)
    lr = 0.1
    results: dict[str, Any] = {"batches": n_batches, "samples": len(X)}

    def fresh() -> Any:
        random.seed(42)
        return MLP(64, [32, 10], init="he")

    def sgd(ps: list[Value]) -> None:
        for p in ps:
            p.data -= lr * p.grad

    # eager, extrapolated from the first `eager_batches` batches (scaled by samples)
    model = fresh()
    ps = model.parameters()
    losses, t_eager = [], 0.0
    for xb, yb, _ in chunks[:eager_batches]:
        gc.collect()
        t0 = time.perf_counter()
        loss = cross_entropy([model(x) for x in xb], yb)
        for p in ps:
            p.grad = 0.0
        loss.backward()
        sgd(ps)
        t_eager += time.perf_counter() - t0
        losses.append(loss.data)
    done = sum(len(c[0]) for c in chunks[:eager_batches])
    results["eager"] = (t_eager * len(X) / done, losses, f"extrapolated from {eager_batches} batches")

    # micrograd 0.1.0, extrapolated the same way; it has no exp or log, so they are added as the lecture adds
    # operations (a forward number and a _backward closure), and the max logit is read out as a number
    from micrograd.engine import Value as Micrograd

    start = fresh()
    weights = [[[*(w.data for w in n.w), n.b.data] for n in layer.neurons] for layer in start.layers]
    mmodel, mparams = build_mlp(Micrograd, weights, all_outputs=True)
    mlosses, t_micrograd = [], 0.0
    for xb, yb, _ in chunks[:eager_batches]:
        gc.collect()
        t0 = time.perf_counter()
        terms = []
        for x, k in zip(xb, yb):
            logits = mmodel([Micrograd(v) for v in x])
            top = max(z.data for z in logits)
            shifted = [z - top for z in logits]
            terms.append(_micrograd_log(sum(_micrograd_exp(z) for z in shifted)) - shifted[k])
        loss = sum(terms) * (1.0 / len(terms))
        for p in mparams:
            p.grad = 0.0
        loss.backward()
        for p in mparams:
            p.data -= lr * p.grad
        t_micrograd += time.perf_counter() - t0
        mlosses.append(loss.data)
    results["micrograd"] = (
        t_micrograd * len(X) / done,
        mlosses,
        f"extrapolated from {eager_batches} batches, exp and log added in the lecture's style",
    )

    for backend in ["python"] + (["c"] if have_cc else []):
        model = fresh()
        ps = model.parameters()
        t0 = time.perf_counter()
        step = autograd.compile(lambda x, t, m=model: cross_entropy([m(x)], [t]), backend=backend, cache_dir=cache)
        step.trace(X[0], T[0])
        setup = time.perf_counter() - t0
        stats = step.stats
        t0 = time.perf_counter()
        again = autograd.compile(lambda x, t, m=model: cross_entropy([m(x)], [t]), backend=backend, cache_dir=cache)
        again.trace(X[0], T[0])
        results[f"setup {backend}"] = (setup, stats, time.perf_counter() - t0, again.stats)

        def epoch(step: Any = step, ps: list[Value] = ps) -> list[float]:
            losses = []
            for xb, _, tb in chunks:
                for p in ps:
                    p.grad = 0.0
                losses.append(step.batch(xb, tb, reduce="mean"))
                sgd(ps)
            return losses

        results[f"compile {backend}"] = _epochs(epoch, epochs if backend == "c" else min(epochs, 3))
    if have_cc:
        from nn import SGD, fit

        model = fresh()
        history = fit(
            model,
            X,
            y,
            loss=cross_entropy,
            optimizer=SGD(model.parameters(), lr=lr),
            epochs=epochs + 1,
            batch_size=32,
            shuffle=False,
            progress=False,
            compile="c",
        )
        after_warm_up = history.seconds[1:]
        results["fit c"] = (
            statistics.median(after_warm_up),
            history.loss[:1],
            f"median of {len(after_warm_up)} after a warm-up epoch (History.seconds)",
        )

    # a graph of 10,000 nodes per sample (MLP 64-44-10): the size the compile-time target names
    big = MLP(64, [44, 10], init="he")
    for backend in ["python"] + (["c"] if have_cc else []):
        t0 = time.perf_counter()
        step = autograd.compile(lambda x, t, m=big: cross_entropy([m(x)], [t]), backend=backend, cache_dir=cache)
        step.trace(X[0], T[0])
        results[f"setup {backend} 10k"] = (time.perf_counter() - t0, step.stats)

    if np is not None:
        model = fresh()
        W1 = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
        b1 = np.array([n.b.data for n in model.layers[0].neurons])
        W2 = np.array([[w.data for w in n.w] for n in model.layers[1].neurons])
        b2 = np.array([n.b.data for n in model.layers[1].neurons])
        Xa, Ta = np.array(X), np.array(T)

        def np_epoch() -> list[float]:
            nonlocal W1, b1, W2, b2
            nlosses = []
            for i in range(0, len(X), 32):
                xb, tb = Xa[i : i + 32], Ta[i : i + 32]
                hp = xb @ W1.T + b1
                h = np.maximum(hp, 0.0)
                z = h @ W2.T + b2
                m = z.max(1, keepdims=True)
                e = np.exp(z - m)
                lse = np.log(e.sum(1, keepdims=True))
                nlosses.append(float((lse[:, 0] - ((z - m) * tb).sum(1)).mean()))
                dz = (e / e.sum(1, keepdims=True) - tb) / len(xb)
                dW2, db2 = dz.T @ h, dz.sum(0)
                dh = dz @ W2 * (hp > 0.0)
                dW1, db1 = dh.T @ xb, dh.sum(0)
                W1 = W1 - lr * dW1
                b1 = b1 - lr * db1
                W2 = W2 - lr * dW2
                b2 = b2 - lr * db2
            return nlosses

        results["numpy"] = _epochs(np_epoch, epochs)

    if torch is not None:
        model = fresh()
        layers = [
            (
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
                torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True),
            )
            for layer in model.layers
        ]
        tparams = [t for pair in layers for t in pair]
        Xt = torch.tensor(X, dtype=torch.float64)
        yt = torch.tensor(y)

        def torch_epoch() -> list[float]:
            tlosses = []
            for i in range(0, len(X), 32):
                h = torch.relu(Xt[i : i + 32] @ layers[0][0].T + layers[0][1])
                z = h @ layers[1][0].T + layers[1][1]
                loss = torch.nn.functional.cross_entropy(z, yt[i : i + 32])
                for p in tparams:
                    p.grad = None
                loss.backward()
                with torch.no_grad():
                    for p in tparams:
                        p -= lr * p.grad
                tlosses.append(float(loss.item()))
            return tlosses

        results["PyTorch"] = _epochs(torch_epoch, epochs)
        results["PyTorch first epoch"] = results["PyTorch"][3]
    return results


def _micrograd_exp(v: Any) -> Any:
    """``exp`` for micrograd's Value, written as the lecture writes an operation."""
    out = type(v)(math.exp(v.data), (v,), "exp")

    def _backward() -> None:
        v.grad += out.data * out.grad

    out._backward = _backward
    return out


def _micrograd_log(v: Any) -> Any:
    """``log`` for micrograd's Value, written as the lecture writes an operation."""
    out = type(v)(math.log(v.data), (v,), "log")

    def _backward() -> None:
        v.grad += out.grad / v.data

    out._backward = _backward
    return out


def _epochs(run: Callable[[], list[float]], epochs: int) -> tuple[float, list[float], str, float]:
    """(median seconds of `epochs` epochs after a first, its losses, a note, the first epoch's seconds)."""
    gc.collect()
    t0 = time.perf_counter()
    first = run()
    first_seconds = time.perf_counter() - t0
    times = []
    for _ in range(epochs):
        gc.collect()
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), first, f"median of {epochs} after a warm-up epoch", first_seconds


def _agreement(reference: list[float], other: list[float]) -> float:
    return max(abs(a - b) for a, b in zip(reference, other))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 moons steps, 4 digits batches")
    parser.add_argument("--steps", type=int, default=5, help="moons steps for eager/micrograd (median)")
    args = parser.parse_args(argv)
    try:
        import numpy as np
    except ImportError:
        np = None
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    try:
        from autograd.compiler.backends.c import find_compiler

        cc = " ".join(find_compiler())
    except RuntimeError:
        cc = ""
    steps = 2 if args.quick else args.steps
    print(
        f"python {sys.version.split()[0]}; C compiler: {cc or 'none (C backend skipped)'}; "
        f"numpy: {np.__version__ if np else 'not installed'}; "
        f"PyTorch: {torch.__version__ + ' (1 thread)' if torch else 'not installed'}"
    )
    with tempfile.TemporaryDirectory(prefix="valuegrad-bench-") as cache:
        m = moons(steps, cache, bool(cc), torch, np)
        quick = args.quick
        d = digits(4 if quick else None, 2 if quick else 3, 1 if quick else 5, cache, bool(cc), torch, np)

    engines = ["eager", "compile python", "compile c", "fit c", "micrograd", "numpy", "PyTorch"]
    names = {
        "eager": "valuegrad eager",
        "compile python": "compile (Python)",
        "compile c": "compile (C), .batch + SGD in Python",
        "fit c": "fit(compile='c'): epochs in C",
        "micrograd": "micrograd 0.1.0",
        "numpy": "numpy by hand",
        "PyTorch": "PyTorch batched",
    }
    print()
    print("| workload | " + " | ".join(names[e] for e in engines) + " |")
    print("|---|" + "---|" * len(engines))

    def cells(res: dict[str, Any], unit: float, fmt: str) -> tuple[list[str], list[str]]:
        base = res["eager"][0]
        times, ratios = [], []
        for e in engines:
            if e not in res:
                why = {
                    "numpy": "not installed",
                    "PyTorch": "not installed",
                    "fit c": "step has an L2 term" if "compile c" in res else "no compiler",
                }.get(e, "no compiler")
                times.append(f"n/a ({why})")
                ratios.append("")
                continue
            t = res[e][0]
            times.append(format(t * unit, fmt))
            ratios.append(f"{base / t:.1f}x")
        return times, ratios

    mt, mr = cells(m, 1e3, ".3f")
    print("| moons step, ms | " + " | ".join(mt) + " |")
    print("| moons: speed-up vs eager | " + " | ".join(mr) + " |")
    dt, dr = cells(d, 1e3, ".1f")
    print(f"| digits epoch ({d['samples']} samples, {d['batches']} batches), ms | " + " | ".join(dt) + " |")
    print("| digits: speed-up vs eager | " + " | ".join(dr) + " |")
    print()
    notes = "; ".join(f"{names[e]}: {d[e][2]}" for e in engines if e in d)
    print(f"digits timing: {notes}.")
    if "PyTorch" in d:
        print(f"PyTorch's first digits epoch (warm-up included): {d['PyTorch first epoch'] * 1e3:.1f} ms")
    if "compile c" in m and "PyTorch" in m:
        print(
            f"C backend vs PyTorch batched: moons {m['PyTorch'][0] / m['compile c'][0]:.1f}x faster; digits "
            f"{d['PyTorch'][0] / d['fit c'][0]:.1f}x faster with fit(compile='c') (epochs in C), "
            f"{d['PyTorch'][0] / d['compile c'][0]:.1f}x with .batch and SGD in Python"
        )

    print()
    print("| compile cost | nodes per sample | parameters | trace s | generate s | build s | total s | cached s |")
    print("|---|---|---|---|---|---|---|---|")
    for label, res, suffix in (("moons", m, ""), ("digits", d, ""), ("MLP 64-44-10", d, " 10k")):
        for backend in ("python", "c"):
            key = f"setup {backend}{suffix}"
            if key not in res:
                continue
            stats = res[key][1]
            cached = f"{res[key][2]:.3f}" if len(res[key]) > 2 else "-"
            print(
                f"| {label}, {backend} | {stats.nodes} | {stats.parameters} | {stats.trace_seconds:.3f} | "
                f"{stats.generate_seconds:.3f} | {stats.compile_seconds:.3f} | {res[key][0]:.3f} | {cached} |"
            )

    print()
    ok = True
    if "fit c" in d:  # fit reports the epoch's mean loss: compare with the batch loop's first epoch
        sizes = [len(c) for c in (range(d["samples"])[i : i + 32] for i in range(0, d["samples"], 32))]
        mean = sum(loss * k for loss, k in zip(d["compile c"][1], sizes)) / d["samples"]
        worst = abs(mean - d["fit c"][1][0])
        ok &= worst <= 1e-12
        print(
            f"digits: epoch loss of {names['fit c']} vs {names['compile c']}: |diff| = {worst:.1e} "
            f"({'OK' if worst <= 1e-12 else 'MISMATCH'})"
        )
    for label, res, ref, tol in (("moons", m, m["eager"][1], 1e-12), ("digits", d, d["eager"][1], 1e-12)):
        for e in engines[1:]:
            if e not in res or e == "fit c":
                continue
            worst = _agreement(ref, res[e][1])
            passed = worst <= (tol if e.startswith("compile") else 1e-9)
            ok &= passed
            print(
                f"{label}: loss agreement of {names[e]} with eager over {min(len(ref), len(res[e][1]))} steps: "
                f"max |diff| = {worst:.1e} ({'OK' if passed else 'MISMATCH'})"
            )
    if not ok:
        print("some engine disagrees with eager valuegrad")
        return 1
    print("all losses agree with eager valuegrad (OK)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
