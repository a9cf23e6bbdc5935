"""Train microgpt's GPT on names and make up new ones (`make gpt`).

Run ``python examples/names_gpt.py`` (``--help`` for options).  It

1. loads the 32,033 names that ship with valuegrad (`nn.data.load_names`,
   makemore's ``names.txt``), shuffles them and builds the character
   tokenizer (26 letters and a BOS token that opens and ends a name);
2. builds `nn.GPT` at microgpt's size (1 layer, 16-dimensional embeddings,
   4 heads, block size 16, 4,192 weights) and trains it one name per step,
   as microgpt does: the mean next-token cross-entropy, `nn.Adam` with
   microgpt's betas (0.85, 0.99) and a learning rate of 0.01 decaying
   linearly to 0 (`nn.LinearLR`), showing a progress bar (tqdm if
   installed, plain lines otherwise);
3. prints the loss at the start and at the end, and 20 sampled names.

Eager valuegrad takes about a minute for the default 700 steps on one core
of a laptop; ``--steps`` sets the count.  The same ``--seed`` gives the same
numbers and names on every run.
"""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import time
from collections.abc import Callable, Sequence

from nn import GPT, Adam, CharTokenizer, LinearLR, load_names

__all__ = ["main", "train"]

STEPS = 700
SHOWN = 20  # the last steps whose mean loss is printed beside the last one


def _progress(total: int, enabled: bool) -> tuple[Callable[[int, float], None], Callable[[], None]]:
    """``(update(step, loss), close())``: a tqdm bar when tqdm is installed, else about ten plain lines."""
    if not enabled:
        return (lambda step, loss: None), (lambda: None)
    try:
        tqdm = importlib.import_module("tqdm").tqdm
    except ImportError:
        every = max(1, total // 10)

        def line(step: int, loss: float) -> None:
            if step % every == 0 or step == total:
                print(f"step {step:4d}/{total}: loss {loss:.4f}", flush=True)

        return line, (lambda: None)
    bar = tqdm(total=total, desc="training", unit="step")

    def tick(step: int, loss: float) -> None:
        bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        bar.update(1)

    return tick, bar.close


def train(
    model: GPT, tok: CharTokenizer, docs: Sequence[str], steps: int, *, lr: float = 0.01, progress: bool = True
) -> list[float]:
    """``steps`` steps of microgpt's training, one doc per step (cycling through ``docs``); the loss at each."""
    optimizer = Adam(model.parameters(), lr=lr, betas=(0.85, 0.99), eps=1e-8)
    schedule = LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=steps)
    update, close = _progress(steps, progress)
    losses = []
    try:
        for step in range(steps):
            loss = model.loss(tok.encode(docs[step % len(docs)]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.data)
            update(step + 1, loss.data)
    finally:
        close()
    return losses


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example; ``argv`` as for the command line (``None``: ``sys.argv``)."""
    parser = argparse.ArgumentParser(prog="python examples/names_gpt.py", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=STEPS, help=f"training steps, one name each (default {STEPS})")
    parser.add_argument("--seed", type=int, default=42, help="seed for the shuffle, weights and samples (default 42)")
    parser.add_argument("--samples", type=int, default=20, help="names to sample after training (default 20)")
    parser.add_argument("--temperature", type=float, default=0.5, help="sampling temperature (default 0.5)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")

    names = load_names()
    rng = random.Random(args.seed)
    rng.shuffle(names)  # microgpt's order: shuffle the docs, then draw the weights from the same generator
    tok = CharTokenizer(names)
    model = GPT(tok.vocab_size, seed=rng)
    print(f"data: {len(names):,} names, vocabulary of {tok.vocab_size} tokens ({len(tok.chars)} letters and BOS)")
    print(f"model: nn.GPT with {model.num_parameters():,} parameters (microgpt's size), trained eagerly")

    started = time.perf_counter()
    losses = train(model, tok, names, args.steps, progress=not args.no_progress)
    elapsed = time.perf_counter() - started
    tail = losses[-SHOWN:]
    print(f"loss at step 1: {losses[0]:.4f}")
    print(
        f"loss at step {args.steps}: {losses[-1]:.4f} "
        f"(mean of the last {len(tail)} steps: {statistics.fmean(tail):.4f})"
    )
    print(f"trained {args.steps} steps in {elapsed:.1f} s ({1000 * elapsed / args.steps:.0f} ms per step)")
    print(f"{args.samples} sampled names (temperature {args.temperature}):")
    for i, name in enumerate(model.sample(tok, n=args.samples, temperature=args.temperature, seed=args.seed), 1):
        print(f"  {i:2d}. {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
