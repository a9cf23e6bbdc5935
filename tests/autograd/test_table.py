"""The operation table is the single source of truth, and `Op` is an honest object."""

from __future__ import annotations

import ast
import copy
import inspect
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd
from autograd import Op, Value, no_grad, ops
from autograd import value as value_module

ROOT = Path(__file__).resolve().parents[2]


def _stub_names() -> set[str]:
    """The methods declared for type checkers in Value's ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(inspect.getsource(value_module.Value))
    (cls,) = tree.body
    assert isinstance(cls, ast.ClassDef)
    for node in cls.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
    raise AssertionError("Value has no TYPE_CHECKING block")


def test_type_checker_stubs_match_the_installed_methods() -> None:
    installed = {name for op in ops.TABLE for name in op.methods}
    assert _stub_names() == installed
    for name in installed:
        assert callable(getattr(Value, name)) and getattr(Value, name).__qualname__ == f"Value.{name}"


def test_every_table_row_is_exported_and_named_functions_are_expression_functions() -> None:
    names = {name for name, v in vars(ops).items() if isinstance(v, Op) and v in ops.TABLE}
    assert len(names) == len(ops.TABLE) == len(ops.BUILTINS)
    for name in names:
        assert name in ops.__all__ and getattr(autograd, name) is getattr(ops, name)
        # `from autograd import *` leaves out the rows named like builtins, so pow(2, 3, 5) and abs(-3) stay Python's
        assert (name in autograd.__all__) == (name not in ("pow", "abs"))
    assert set(ops.FUNCTIONS) == {"neg", "abs", "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "sin", "cos"}
    assert not any(isinstance(v, Op) for k, v in vars(ops).items() if k.startswith("_") and not k.startswith("__"))


def test_star_import_does_not_shadow_builtins() -> None:
    namespace: dict[str, object] = {}
    exec("from autograd import *\nresult = (pow(2, 3, 5), abs(-3), compile('1', '<s>', 'eval'))", namespace)
    three, positive, code = namespace["result"]  # type: ignore[misc]
    assert three == 3 and positive == 3 and type(positive) is int and eval(code) == 1
    assert "exp" in namespace and "Value" in namespace


def test_op_is_an_immutable_object_with_identity_equality() -> None:
    def d(x: float, out: float) -> float:
        return 1.0

    a, b = ops.defop("f", lambda x: x, d), ops.defop("f", lambda x: x, d)
    assert a != b and a == a and hash(a) != hash(b) and not isinstance(a, str)
    assert str(a) == a.name == "f" and repr(a) == "Op('f', arity=1)"
    with pytest.raises(AttributeError, match="immutable"):
        a.name = "g"  # type: ignore[misc]
    assert copy.copy(ops.mul) is ops.mul and copy.deepcopy(ops.mul) is ops.mul
    assert pickle.loads(pickle.dumps(ops.tanh)) is ops.tanh
    assert pickle.loads(pickle.dumps(ops.power(2.5))) is ops.power(2.5)
    assert pickle.loads(pickle.dumps(ops.power_of(3.0))) is ops.power_of(3.0)


def test_constants_live_on_the_operation_not_in_its_name() -> None:
    x = Value(1.5)
    assert (x**2.5).op.const == 2.5 and (x**2.5).op.name == "**2.5"  # type: ignore[union-attr]
    assert (x**2.0000001).op.name == "**2.0000001"  # type: ignore[union-attr]
    assert (x**2).op.name == "**2" and (2**x).op.name == "2**" and (2**x).op.const == 2.0  # type: ignore[union-attr]
    assert x._op == "" and (x * x)._op == "*"


def _same_node(fast: Value, general: Value) -> None:
    assert type(fast) is type(general) is Value
    assert (fast.data, fast.grad, fast.label, fast.op) == (general.data, general.grad, general.label, general.op)
    assert [id(v) for v in fast.inputs] == [id(v) for v in general.inputs] or all(
        (a.data, a.op, a.inputs) == (b.data, b.op, b.inputs) for a, b in zip(fast.inputs, general.inputs)
    )
    assert (fast._y is None) == (general._y is None) and (fast._x is None) == (general._x is None)


@pytest.mark.parametrize("recording", [True, False])
def test_the_fast_operator_methods_build_the_nodes_the_general_path_builds(recording: bool) -> None:
    a, b = Value(1.5), Value(0.5)
    with autograd.set_grad_enabled(recording):
        for op in ops.TABLE:
            if not op.methods:  # a function only (detached_max): no operator method to compare
                continue
            if op.arity == 1:
                (method,) = op.methods
                _same_node(getattr(a, method)(), op(a))
            else:
                forward, reflected = op.methods
                _same_node(getattr(a, forward)(b), op(a, b))
                _same_node(getattr(a, reflected)(b), op(b, a))
                if op is not ops.pow:  # with a number, pow is the one-input power(p) / power_of(b)
                    _same_node(getattr(a, forward)(2.0), op(a, Value(2.0)))
                    _same_node(getattr(a, reflected)(2), op(Value(2.0), a))
        _same_node(a**3, ops.power(3.0)(a))
        _same_node(3**a, ops.power_of(3.0)(a))
    with no_grad():
        assert (a * b).op is None and (a * b).inputs == ()


def test_import_autograd_loads_only_the_engine() -> None:
    code = "import autograd, sys; print(sorted(m for m in sys.modules if m.startswith('autograd')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(ast.literal_eval(out))
    assert loaded == {
        "autograd",
        "autograd.grad_mode",
        "autograd.value",
        "autograd.ops",
        "autograd.backprop",
        "autograd.gradcheck",
        "autograd.checks",
        "autograd._installation",
    }
    assert (
        "subprocess"
        not in subprocess.run(
            [sys.executable, "-c", "import autograd, sys; print(sorted(sys.modules))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_drawing_is_loaded_on_first_use() -> None:
    code = "import autograd, sys; f = autograd.to_dot; print('autograd.viz' in sys.modules, f.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "True" and out[1].startswith("autograd.viz")


@pytest.mark.slow
def test_a_new_table_row_needs_no_other_edit(tmp_path: Path) -> None:
    """Add a made-up built-in to a copy of the engine: its method, export and expression name all work."""
    shutil.copytree(ROOT / "autograd", tmp_path / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    table = tmp_path / "autograd" / "ops.py"
    source = table.read_text(encoding="utf-8")
    row = 'cube = Op("cube", lambda x: x * x * x, lambda x, out: 3.0 * x * x, methods=("cube",))\n'
    marker = "# ---------------------------------------------------------------- end of the table\n"
    assert marker in source
    table.write_text(source.replace(marker, row + marker), encoding="utf-8")
    script = textwrap.dedent("""
        import autograd
        from autograd import Value
        from autograd.viz.expr import evaluate
        x = Value(2.0)
        y = x.cube()
        y.backward()
        assert (y.data, x.grad, y.op.name) == (8.0, 12.0, "cube"), (y, x)
        assert autograd.cube is autograd.ops.cube and "cube" in autograd.__all__
        assert "cube" in autograd.ops.FUNCTIONS
        result, _ = evaluate("cube(x) + 1", {"x": 3.0})
        print(result.data)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == "28.0"


@pytest.mark.slow
def test_operations_are_precisely_typed_for_type_checkers(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    user = tmp_path / "user.py"
    user.write_text(
        textwrap.dedent("""
        from autograd import Value, exp, add
        x = Value(1.0)
        reveal_type(exp(x))
        reveal_type(exp(2.0))
        reveal_type(add(2.0, x))
        reveal_type(x.tanh() * 2)
    """),
        encoding="utf-8",
    )
    out, err, _status = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(user)])
    revealed = [line.split("Revealed type is ")[1] for line in out.splitlines() if "Revealed type" in line]
    assert revealed == ['"autograd.value.Value"', '"float"', '"autograd.value.Value"', '"autograd.value.Value"'], (
        out + err
    )
