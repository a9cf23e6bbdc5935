"""microgpt's training step on every engine: the program's own Value, valuegrad eager, nn.GPT, PyTorch (issue 19).

Run with ``make bench`` (or ``python tests/benchmarks/bench_gpt.py``; ``--quick``
for a smoke run).  The workload is one training step of microgpt's GPT at full
size (4,192 weights, one name per step: forward with a key/value cache, the
mean next-token cross-entropy, backward, Adam with betas (0.85, 0.99) and a
linearly decaying learning rate), on these engines:

* **own Value**: the microgpt-style program of tests/support/microgpt.py on
  its own tiny scalar ``Value`` (children and local gradients, a recursive
  topological sort), as a microgpt user runs it;
* **valuegrad eager**: the same program, with only ``autograd.Value``
  swapped in for its Value class;
* **nn.GPT eager**: `nn.GPT` with `nn.Adam` and `nn.LinearLR`;
* **PyTorch, KV cache** and **PyTorch, whole sequence**: the reference GPT of
  tests/nn/models/torch_gpt.py (float64, one thread) run token by token with a
  key/value cache as microgpt does, and on the whole sequence with a causal
  mask, with ``torch.optim.Adam`` and ``LinearLR`` (when torch is installed).

All start from the same weights (``random.Random(seed)`` after shuffling the
names, in microgpt's order) and see the same names in the same order, so their
losses must agree at every step.  The engines take turns, one step each, in a
rotating order, in this one process; each time is the median over the steps.
Also printed: graph nodes per step and bytes per node (``sys.getsizeof`` of a
node, memory held per node of a 100,000-op chain as bench_engine.py measures
it, and memory held per node of a GPT step's graph, both by tracemalloc).

The garbage collector.  A step makes 35k-85k nodes, and Python's cyclic
collector runs full collections while it does, each scanning every container
in the process: the program's own Value makes three containers per node (the
node and two tuples), valuegrad's one.  So the own Value's time depends on
what else the process holds: with PyTorch imported and the other engines'
models alive, its forward is 4-5x slower than in a process of its own.  The
table is therefore measured after ``gc.freeze()`` (everything made before the
first step is left out of the collections; ``--no-freeze`` to see the other
way), and a second table runs the program as a script would, each engine in a
fresh process of its own (a ``loss`` held until the next step's, the
collector as Python sets it), alternating, as a microgpt user would see it.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "support"))
sys.path.insert(0, str(TESTS / "nn" / "models"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import microgpt  # noqa: E402 - the helpers' folders go on sys.path first
from bench_engine import bytes_per_node  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

STEPS_DEFAULT = 30
SEED = 42
PROGRAM_TOL = 1e-12  # the program on autograd.Value and nn.GPT against the program on its own Value
TORCH_TOL = 1e-9  # PyTorch sums in other orders

Times = tuple[float, float, float, float]  # loss, forward, backward, update (seconds)


@dataclass
class Engine:
    """One column: a function doing one training step on a doc's tokens, and what it measured."""

    name: str
    step: Callable[[list[int], int], Times]
    count: Callable[[list[int]], int] | None = None  # graph nodes of one step's loss
    graph_bytes: Callable[[list[int]], float] | None = None  # bytes held per node of one step's graph
    node_size: int | None = None  # sys.getsizeof of one node
    chain_bytes: float | None = None
    losses: list[float] = field(default_factory=list)
    forward: list[float] = field(default_factory=list)
    backward: list[float] = field(default_factory=list)
    update: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    nodes: list[int] = field(default_factory=list)


def held_per_node(build: Callable[[], Any], count: Callable[[Any], int]) -> float:
    """Bytes tracemalloc sees held while the graph ``build()`` returns is alive, divided by its nodes."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    root = build()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return held / count(root)


def program_engine(name: str, value: Any, names: list[str], steps: int) -> Engine:
    """The microgpt-style program on ``value`` (its own Value or autograd.Value)."""
    _, vocab, rng = microgpt.prepare(names, SEED)
    model = microgpt.MicroGPT(value, vocab.size, rng)
    adam = microgpt.Adam(model.params)
    own = value is microgpt.Value

    def count_of(root: Any) -> int:
        return microgpt.count_nodes(root) if own else len(autograd.topological_order(root))

    def step(tokens: list[int], k: int) -> Times:
        t0 = time.perf_counter()
        loss = model.loss(tokens)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        adam.update(k, steps)
        t3 = time.perf_counter()
        return float(loss.data), t1 - t0, t2 - t1, t3 - t2

    def graph_bytes(tokens: list[int]) -> float:
        fresh = microgpt.MicroGPT(value, vocab.size, random.Random(0))
        return held_per_node(lambda: fresh.loss(tokens), count_of)

    return Engine(
        name,
        step,
        count=lambda tokens: count_of(model.loss(tokens)),
        graph_bytes=graph_bytes,
        node_size=sys.getsizeof(value(1.0)),
        chain_bytes=bytes_per_node(value),
    )


def gpt_engine(names: list[str], steps: int) -> Engine:
    """`nn.GPT` with `nn.Adam` and `nn.LinearLR`, from the program's weights."""
    _, vocab, rng = microgpt.prepare(names, SEED)
    model = nn.GPT(vocab.size, seed=rng)
    opt = nn.Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    sched = nn.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=steps)

    def step(tokens: list[int], k: int) -> Times:
        t0 = time.perf_counter()
        loss = model.loss(tokens)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        sched.step()
        t3 = time.perf_counter()
        return loss.data, t1 - t0, t2 - t1, t3 - t2

    def graph_bytes(tokens: list[int]) -> float:
        fresh = nn.GPT(vocab.size, seed=0)
        return held_per_node(lambda: fresh.loss(tokens), lambda root: len(autograd.topological_order(root)))

    return Engine(
        "nn.GPT eager",
        step,
        count=lambda tokens: len(autograd.topological_order(model.loss(tokens))),
        graph_bytes=graph_bytes,
        node_size=sys.getsizeof(autograd.Value(1.0)),
        chain_bytes=bytes_per_node(autograd.Value),
    )


def torch_engines(names: list[str], steps: int) -> list[Engine]:
    """PyTorch's reference GPT, token by token with a KV cache and whole-sequence ([] without torch)."""
    try:
        import torch
        import torch.nn.functional as F  # noqa: N812 - PyTorch's usual name
        from torch_gpt import ReferenceGPT
    except ImportError:
        return []
    torch.set_num_threads(1)
    engines = []
    for cached in (True, False):
        _, vocab, rng = microgpt.prepare(names, SEED)
        ref = ReferenceGPT.from_valuegrad(nn.GPT(vocab.size, seed=rng))
        opt = torch.optim.Adam(list(ref.w.values()), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
        sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=steps)

        def step(
            tokens: list[int], k: int, ref: Any = ref, opt: Any = opt, sched: Any = sched, cached: bool = cached
        ) -> Times:
            n = min(ref.block_size, len(tokens) - 1)
            t0 = time.perf_counter()
            if cached:
                cache = ref.new_cache()
                logits = torch.stack([ref.step(t, cache) for t in tokens[:n]])
            else:
                logits = ref.forward(tokens[:n])
            loss = F.cross_entropy(logits, torch.tensor(tokens[1 : n + 1]))
            t1 = time.perf_counter()
            opt.zero_grad()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            sched.step()
            t3 = time.perf_counter()
            return loss.item(), t1 - t0, t2 - t1, t3 - t2

        engines.append(Engine("PyTorch, KV cache" if cached else "PyTorch, whole sequence", step))
    return engines


def run(engines: list[Engine], docs: list[list[int]]) -> None:
    """Step ``k`` of every engine on ``docs[k]``, the engines taking turns in a rotating order."""
    for k, tokens in enumerate(docs):
        shift = k % len(engines)
        for engine in engines[shift:] + engines[:shift]:
            gc.collect()
            loss, fwd, bwd, upd = engine.step(tokens, k)
            engine.losses.append(loss)
            engine.forward.append(fwd)
            engine.backward.append(bwd)
            engine.update.append(upd)
            engine.total.append(fwd + bwd + upd)


SCRIPT_VALUES = {"own": "own Value", "valuegrad": "valuegrad eager"}
SCRIPT_ROUNDS = 2  # fresh processes per engine, alternating


def as_script(which: str, steps: int) -> int:
    """The program's loop as microgpt.py runs it, in this fresh process: print each step's seconds and loss."""
    value = microgpt.Value if which == "own" else autograd.Value
    shuffled, vocab, rng = microgpt.prepare(nn.load_names(), SEED)
    model = microgpt.MicroGPT(value, vocab.size, rng)
    adam = microgpt.Adam(model.params)
    for k in range(steps):
        t0 = time.perf_counter()
        loss = model.loss(vocab.encode(shuffled[k % len(shuffled)]))
        loss.backward()
        adam.update(k, steps)
        print(f"{time.perf_counter() - t0!r} {float(loss.data)!r}")
    return 0


def script_table(steps: int, expected: list[float]) -> bool:
    """Time the program on its own Value and on valuegrad's, each in fresh processes; print a table. Losses agree?"""
    times: dict[str, list[float]] = {name: [] for name in SCRIPT_VALUES}
    agree = True
    for _ in range(SCRIPT_ROUNDS):
        for which in SCRIPT_VALUES:
            done = subprocess.run(
                [sys.executable, __file__, "--as-script", which, "--steps", str(steps)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows = [line.split() for line in done.stdout.splitlines()]
            times[which] += [float(t) for t, _ in rows]
            agree = agree and max(abs(float(x) - y) for (_, x), y in zip(rows, expected)) <= PROGRAM_TOL
    own, ours = statistics.median(times["own"]), statistics.median(times["valuegrad"])
    print()
    print(f"As a script: each engine in {SCRIPT_ROUNDS} fresh processes (alternating) running the program's loop")
    print()
    print("| engine | step, ms | own Value / this |")
    print("|---|---|---|")
    print(f"| {SCRIPT_VALUES['own']} | {1000 * own:.1f} | 1.00x |")
    print(f"| {SCRIPT_VALUES['valuegrad']} | {1000 * ours:.1f} | **{own / ours:.2f}x** |")
    print()
    print(f"as a script: losses {'agree' if agree else 'DISAGREE'} with the table above's (limit {PROGRAM_TOL:.0e})")
    return agree


def ms(seconds: list[float]) -> str:
    return f"{1000 * statistics.median(seconds):.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS_DEFAULT, help="training steps per engine (median reported)")
    parser.add_argument("--quick", action="store_true", help="3 steps, for a smoke run")
    parser.add_argument("--no-freeze", action="store_true", help="leave the setup's objects to the collector")
    parser.add_argument("--as-script", choices=sorted(SCRIPT_VALUES), help=argparse.SUPPRESS)  # the second table's
    args = parser.parse_args(argv)
    steps = 3 if args.quick else args.steps
    if args.as_script:
        return as_script(args.as_script, steps)

    names = nn.load_names()
    shuffled, vocab, _ = microgpt.prepare(names, SEED)
    docs = [vocab.encode(shuffled[k % len(shuffled)]) for k in range(steps)]
    engines = [
        program_engine("own Value", microgpt.Value, names, steps),
        program_engine("valuegrad eager", autograd.Value, names, steps),
        gpt_engine(names, steps),
    ]
    engines += torch_engines(names, steps)
    torch_note = "" if len(engines) > 3 else " (PyTorch is not installed: no PyTorch rows)"
    print(
        f"python {platform.python_version()}, {platform.machine()}; microgpt's GPT at full size "
        f"(4,192 weights), {steps} training steps per engine (one name each, median), engines taking turns" + torch_note
    )
    if not args.no_freeze:
        gc.collect()
        gc.freeze()  # the setup's objects (PyTorch, every engine's model) stay out of the collections
    run(engines, docs)
    gc.unfreeze()
    for engine in engines:  # outside the timed steps: graph sizes on the same names
        if engine.count is not None:
            fresh = [engine.count(tokens) for tokens in docs]
            engine.nodes = fresh

    own = engines[0]
    base = statistics.median(own.total)
    print()
    print(
        "| engine | step, ms | forward, ms | backward, ms | update, ms | own Value / this "
        "| nodes per step (median, range) | bytes per node: getsizeof, chain, GPT graph |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for engine in engines:
        ratio = base / statistics.median(engine.total)
        if engine.nodes:
            nodes = f"{statistics.median(engine.nodes):,.0f} ({min(engine.nodes):,}-{max(engine.nodes):,})"
            graph = engine.graph_bytes(docs[0]) if engine.graph_bytes else float("nan")
            sizes = f"{engine.node_size}, {engine.chain_bytes:.0f}, {graph:.0f}"
        else:
            nodes, sizes = "n/a (tensors)", "n/a"
        shown = "1.00x" if engine is own else f"**{ratio:.2f}x**"
        print(
            f"| {engine.name} | {ms(engine.total)} | {ms(engine.forward)} | {ms(engine.backward)} "
            f"| {ms(engine.update)} | {shown} | {nodes} | {sizes} |"
        )
    print()
    eager = engines[1]
    speedup = base / statistics.median(eager.total)
    print(
        f"valuegrad eager vs the program's own Value: {speedup:.2f}x faster per step "
        f"(forward {statistics.median(own.forward) / statistics.median(eager.forward):.2f}x, "
        f"backward {statistics.median(own.backward) / statistics.median(eager.backward):.2f}x; issue 19's target: 3x)"
    )
    agree = True
    for engine in engines[1:]:
        limit = TORCH_TOL if engine.name.startswith("PyTorch") else PROGRAM_TOL
        worst = max(abs(a - b) for a, b in zip(own.losses, engine.losses))
        verdict = "OK" if worst <= limit else "MISMATCH"
        agree = agree and worst <= limit
        print(
            f"loss agreement of {engine.name} with own Value over {steps} steps: "
            f"max |difference| = {worst:.2e} ({verdict}, limit {limit:.0e})"
        )
    print(f"losses: step 1 {own.losses[0]:.4f}, step {steps} {own.losses[-1]:.4f}")
    agree = script_table(steps, own.losses) and agree
    print("all losses agree (OK)" if agree else "some losses disagree (MISMATCH)")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
