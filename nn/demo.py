"""The main demo (`make demo`): build an expression, backpropagate, print the gradients."""

from __future__ import annotations

from autograd import Value


def main() -> None:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.8813735870195432, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward()
    print("out = tanh(x*w + b) =", round(out.data, 6))
    for v in (x, w, b):
        print(f"  d out / d {v.label} = {v.grad:+.6f}")


if __name__ == "__main__":
    main()
