"""The graph the drawing, explain and stepper tests share: micrograd's lecture neuron."""

from __future__ import annotations

from autograd import Value


def micrograd_neuron(*, label_steps: bool = False, backward: bool = False) -> tuple[Value, dict[str, Value]]:
    """``o = tanh(x1*w1 + x2*w2 + b)`` with the lecture's numbers (b = 6.8813735870195432, so o = 0.7071).

    Returns the output and the named values.  ``label_steps`` labels the
    products and their sum (else they are drawn as the expressions they are);
    ``backward`` runs ``o.backward()`` first.
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    s = x1w1 + x2w2
    if label_steps:
        x1w1.label, x2w2.label, s.label = "x1*w1", "x2*w2", "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    if backward:
        o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}
