"""micrograd programs run with only their imports changed (`from autograd import Value`)."""

from __future__ import annotations

import sympy as sp

from autograd import Value


def test_micrograd_sanity_check() -> None:
    # micrograd's test_engine.py::test_sanity_check, imports changed; oracle: sympy.
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()

    s = sp.Symbol("x")
    zs = 2 * s + 2 + s
    ys = sp.Max(zs * zs, 0) + (sp.Max(zs, 0) + zs * s) + (sp.Max(zs, 0) + zs * s) * s
    assert y.data == float(ys.subs(s, -4)) == -20.0
    assert x.grad == float(sp.diff(ys, s).subs(s, -4)) == 46.0


def test_micrograd_more_ops() -> None:
    # micrograd's test_engine.py::test_more_ops, imports changed; oracle: sympy.
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()

    sa, sb = sp.symbols("a b")
    sc = sa + sb
    sd = sa * sb + sb**3
    sc = sc + sc + 1
    sc = sc + 1 + sc + (-sa)
    sd = sd + sd * 2 + sp.Max(sb + sa, 0)
    sd = sd + 3 * sd + sp.Max(sb - sa, 0)
    sf = (sc - sd) ** 2
    sg = sf / 2 + 10 / sf
    at = {sa: -4, sb: 2}
    assert abs(g.data - float(sg.subs(at))) < 1e-12
    assert abs(a.grad - float(sp.diff(sg, sa).subs(at))) < 1e-9
    assert abs(b.grad - float(sp.diff(sg, sb).subs(at))) < 1e-9
    assert abs(g.data - 24.70408163265306) < 1e-12  # the figures in micrograd's README
    assert abs(a.grad - 138.83381924198252) < 1e-9
    assert abs(b.grad - 645.5772594752186) < 1e-9


def test_micrograd_graph_tracing_code_runs_unchanged() -> None:
    # The trace() helper from micrograd's trace_graph.ipynb, verbatim apart from typing.
    def trace(root):  # type: ignore[no-untyped-def]
        nodes, edges = set(), set()

        def build(v):  # type: ignore[no-untyped-def]
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    x = Value(1.0)
    y = (x * 2 + 1).relu()
    nodes, edges = trace(y)
    assert len(nodes) == 6 and len(edges) == 5
    labels = sorted(n._op for n in nodes)
    assert labels == ["", "", "", "*", "+", "relu"]
    for n in nodes:
        assert isinstance(n._op, str) and "{ data %.4f | grad %.4f }" % (n.data, n.grad)  # noqa: UP031 - verbatim
