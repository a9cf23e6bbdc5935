"""`RMSNorm` and `LayerNorm`: rescale a vector to a steady size (``torch.nn.RMSNorm``, ``torch.nn.LayerNorm``).

Both take one vector (a list of ``dim`` numbers or `Value`s, one position of
a sequence) and return ``dim`` `Value`s:

* `RMSNorm`: ``x_i / sqrt(mean(x^2) + eps) * weight_i``; with
  ``elementwise_affine=False`` there is no ``weight`` (microgpt's ``rmsnorm``,
  what `nn.GPT` uses), and the module has no parameters.
* `LayerNorm`: ``(x_i - mean(x)) / sqrt(var(x) + eps) * weight_i + bias_i``,
  the variance the biased one (divided by ``dim``), as PyTorch's.

``weight`` starts at 1 and ``bias`` at 0, so a new module only normalizes.
Each is written with `Value` arithmetic (``sum``, ``*``, ``** -0.5``), so
its gradient is the chain rule through those steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Value
from autograd.checks import check_int, check_real, check_sequence, describe, is_real
from autograd.value import Operand

from .module import Module

__all__ = ["RMSNorm", "LayerNorm"]


def _vector(x: object, dim: int, who: str) -> list[Value]:
    """``x`` as ``dim`` `Value`s (numbers become constant leaves)."""
    if isinstance(x, Value) or is_real(x):
        raise TypeError(f"{who} expects a list of {dim} numbers or Values (one vector), got {describe(x)}")
    items = check_sequence(x, f"{who} input")
    if len(items) != dim:
        raise ValueError(f"{who} expects a vector of {dim} numbers or Values, got {len(items)}")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Value):
            out.append(item)
        elif is_real(item) and not isinstance(item, bool):
            out.append(Value(float(item)))
        else:
            raise TypeError(f"{who} input {i} must be a number or a Value, got {describe(item)}")
    return out


def _eps(eps: object, who: str) -> float:
    value = check_real(eps, f"{who} eps")
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{who} eps must be a finite number >= 0, got {eps!r:.40}")
    return value


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be True or False, got {describe(value)}")
    return value


def _total(terms: list[Value]) -> Value:
    return sum(terms[1:], terms[0])


class RMSNorm(Module):
    """Root-mean-square normalization: ``x / sqrt(mean(x^2) + eps)``, times ``weight`` (``torch.nn.RMSNorm``).

    Args:
        dim: the length of the vectors (PyTorch's ``normalized_shape``, one int here).
        eps: added to the mean square before the square root (default 1e-5,
            microgpt's; PyTorch's default is the float type's epsilon, so
            give ``eps=1e-5`` there too for the same numbers).
        elementwise_affine: whether there is a learned ``weight`` per
            component (default True, as PyTorch).  ``False`` gives
            microgpt's ``rmsnorm``, without parameters.

    Attributes:
        weight: the ``dim`` scale `Value`s, starting at 1.0 (``None`` without
            ``elementwise_affine``).
    """

    weight: list[Value] | None

    def __init__(self, dim: int, eps: float = 1e-5, elementwise_affine: bool = True) -> None:
        self.dim = check_int(dim, "RMSNorm dim", 1)
        self.eps = _eps(eps, "RMSNorm")
        affine = _flag(elementwise_affine, "RMSNorm elementwise_affine")
        self.weight = [Value(1.0) for _ in range(self.dim)] if affine else None

    @property
    def elementwise_affine(self) -> bool:
        """Whether the module has a learned ``weight``."""
        return self.weight is not None

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        return self.forward(x)

    def forward(self, x: Sequence[Operand]) -> list[Value]:
        """``x_i * (mean(x^2) + eps) ** -0.5`` (times ``weight_i``) for each component of one vector."""
        xs = _vector(x, self.dim, "RMSNorm")
        mean_square = _total([xi * xi for xi in xs]) / self.dim
        scale = (mean_square + self.eps) ** -0.5
        if self.weight is None:
            return [xi * scale for xi in xs]
        return [xi * scale * w for xi, w in zip(xs, self.weight)]

    def extra_repr(self) -> str:
        return f"({self.dim},), eps={self.eps}, elementwise_affine={self.weight is not None}"

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []


class LayerNorm(Module):
    """Layer normalization: ``(x - mean) / sqrt(var + eps) * weight + bias`` (``torch.nn.LayerNorm``).

    Args:
        dim: the length of the vectors (PyTorch's ``normalized_shape``, one int here).
        eps: added to the variance before the square root (default 1e-5, PyTorch's).
        elementwise_affine: whether there are a learned ``weight`` and
            ``bias`` per component (default True).
        bias: whether there is a ``bias`` (default True; only with
            ``elementwise_affine``, as in PyTorch).

    Attributes:
        weight: the ``dim`` scale `Value`s, starting at 1.0 (or ``None``).
        bias: the ``dim`` shift `Value`s, starting at 0.0 (or ``None``).
    """

    weight: list[Value] | None
    bias: list[Value] | None

    def __init__(self, dim: int, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True) -> None:
        self.dim = check_int(dim, "LayerNorm dim", 1)
        self.eps = _eps(eps, "LayerNorm")
        affine = _flag(elementwise_affine, "LayerNorm elementwise_affine")
        with_bias = _flag(bias, "LayerNorm bias")
        self.weight = [Value(1.0) for _ in range(self.dim)] if affine else None
        self.bias = [Value(0.0) for _ in range(self.dim)] if affine and with_bias else None

    @property
    def elementwise_affine(self) -> bool:
        """Whether the module has a learned ``weight``."""
        return self.weight is not None

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        return self.forward(x)

    def forward(self, x: Sequence[Operand]) -> list[Value]:
        """The normalized components of one vector (see the class docstring)."""
        xs = _vector(x, self.dim, "LayerNorm")
        mean = _total(xs) / self.dim
        centered = [xi - mean for xi in xs]
        variance = _total([c * c for c in centered]) / self.dim
        scale = (variance + self.eps) ** -0.5
        out = [c * scale for c in centered]
        if self.weight is not None:
            out = [o * w for o, w in zip(out, self.weight)]
        if self.bias is not None:
            out = [o + b for o, b in zip(out, self.bias)]
        return out

    def extra_repr(self) -> str:
        return f"({self.dim},), eps={self.eps}, elementwise_affine={self.weight is not None}"

    def _children_for_repr(self) -> list[tuple[str, str]]:
        return []
