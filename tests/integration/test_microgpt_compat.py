"""microgpt programs run on valuegrad unchanged (issue 19, item 4).

The program is tests/support/microgpt.py: a microgpt-style GPT of full size
(4,192 weights) with its own tiny scalar `Value`, trained one name per step
with Adam.  Swapping only its Value class for ``autograd.Value`` must give the
same losses; and `nn.GPT` with `nn.Adam` and `nn.LinearLR` must train exactly
as the program does from the same weights.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest

import autograd
import nn

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
import microgpt
from microgpt import MicroGPT, count_nodes, gpt_matrices, prepare, train, train_step

TOL = 1e-12
STEPS = 20


@pytest.fixture(scope="module")
def names() -> list[str]:
    return nn.load_names()


def test_the_program_has_microgpts_size(names: list[str]) -> None:
    shuffled, vocab, rng = prepare(names)
    model = MicroGPT(microgpt.Value, vocab.size, rng)
    assert vocab.size == 27 and vocab.bos == 26 and len(model.params) == 4192
    assert len(shuffled) == 32033 and sorted(shuffled) == sorted(names)
    loss = model.loss(vocab.encode(shuffled[0]))
    assert abs(loss.data - math.log(27)) < 0.5  # near-uniform guesses at the start
    assert 10_000 < count_nodes(loss) < 150_000


def test_its_own_value_differentiates_every_op_it_uses_as_valuegrad_does() -> None:
    def program(V: type) -> tuple[float, list[float]]:
        a, b = V(1.5), V(-0.25)
        c = (a * b + 2 - a / 3 + 1 / a - (1 - b) * 0.5) ** 2
        d = sum(x.exp() for x in (a, b, c)) + c.relu() + (-b).relu() + (a + 2).log() + 4 / (c + 1)
        d.backward()
        return d.data, [a.grad, b.grad]

    ours, theirs = program(microgpt.Value), program(autograd.Value)
    assert abs(ours[0] - theirs[0]) <= TOL
    assert all(abs(x - y) <= TOL for x, y in zip(ours[1], theirs[1]))


@pytest.mark.slow
def test_swapping_in_autograd_value_gives_the_same_losses_and_gradients(names: list[str]) -> None:
    own = train(microgpt.Value, names, STEPS)
    swapped = train(autograd.Value, names, STEPS)
    assert len(own) == len(swapped) == STEPS
    worst = max(abs(a - b) for a, b in zip(own, swapped))
    assert worst <= TOL, f"losses differ by up to {worst:.3e}"
    assert own[-1] < own[0]  # it learns
    # one more step's gradients, weight by weight
    grads = []
    for V in (microgpt.Value, autograd.Value):
        shuffled, vocab, rng = prepare(names)
        model = MicroGPT(V, vocab.size, rng)
        model.loss(vocab.encode(shuffled[1])).backward()
        grads.append([p.grad for p in model.params])
    assert max(abs(a - b) for a, b in zip(*grads)) <= TOL
    assert sum(g != 0 for g in grads[1]) > 2000


@pytest.mark.slow
def test_nn_gpt_with_adam_and_linear_lr_trains_as_the_program(names: list[str]) -> None:
    """The same weights (nn.GPT draws them in the program's order), then the same loss at every step."""
    shuffled, vocab, rng = prepare(names)
    state = rng.getstate()
    program = MicroGPT(autograd.Value, vocab.size, rng)
    rng.setstate(state)
    model = nn.GPT(vocab.size, seed=rng)
    assert [p.data for p in model.parameters()] == [p.data for p in program.params]

    tok = nn.CharTokenizer(names)
    opt = nn.Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    sched = nn.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=STEPS)
    adam = microgpt.Adam(program.params)
    for step in range(STEPS):
        tokens = tok.encode(shuffled[step])
        assert tokens == vocab.encode(shuffled[step])
        expected = train_step(program, adam, tokens, step, STEPS)
        loss = model.loss(tokens)
        assert abs(loss.data - expected) <= TOL, (step, loss.data, expected)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    assert max(abs(p.data - q.data) for p, q in zip(model.parameters(), program.params)) <= 1e-10


def test_nn_gpt_loss_equals_the_program_with_the_weights_copied_across(names: list[str]) -> None:
    """Weights copied from a GPT (trained a step, so not a fresh draw) into the program: the same loss and grads."""
    tok = nn.CharTokenizer(names)
    for config in ({}, {"n_layer": 2, "n_embd": 8, "n_head": 2, "block_size": 8}):
        model = nn.GPT(tok.vocab_size, seed=5, **config)
        opt = nn.Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
        model.loss(tok.encode("olivia")).backward()
        opt.step()
        program = MicroGPT(
            microgpt.Value,
            tok.vocab_size,
            random.Random(0),
            model.n_layer,
            model.n_embd,
            model.n_head,
            model.block_size,
        )
        program.load(gpt_matrices(model.state_dict(), model.n_layer))
        assert [p.data for p in program.params] == [p.data for p in model.parameters()]
        for name in ("isabella", "christopher", "bo"):
            tokens = tok.encode(name)
            ours, theirs = model.loss(tokens), program.loss(tokens)
            assert abs(ours.data - theirs.data) <= TOL, (name, ours.data, theirs.data)
            opt.zero_grad()
            ours.backward()
            theirs.backward()
            assert max(abs(p.grad - q.grad) for p, q in zip(model.parameters(), program.params)) <= TOL
            for q in program.params:
                q.grad = 0
