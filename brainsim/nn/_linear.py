"""``Linear``: a dense layer with separate ``weight`` and ``bias`` Params."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp

from .. import init as _init
from .._errors import BrainSimValueError
from ._module import Module
from ._param import Param

__all__ = ["Linear"]


class Linear(Module):
    """``y = x @ W + b`` with ``W`` of shape ``(in, out)``.

    Parameters
    ----------
    in_size, out_size
        Input and output sizes (an int or a tuple whose last entry is the feature size).
    w_init, b_init
        Initializers (or arrays); ``b_init=None`` gives no bias.
    w_mask
        Optional array (in, out) multiplied into ``W`` at each call.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> layer = brainsim.nn.Linear(3, 2, w_init=brainsim.init.Constant(1.0))
    >>> layer(jnp.ones(3))
    Array([3., 3.], dtype=float32)
    >>> [name for name, _ in layer.named_param_modules()]
    ['weight', 'bias']
    """

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        w_init: Any = None,
        b_init: Any = "zeros",
        w_mask: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.in_size = in_size
        self.out_size = out_size
        n_in, n_out = self.in_size[-1], self.out_size[-1]
        w_init = _init.KaimingNormal() if w_init is None else w_init
        w = _init.param(w_init, (n_in, n_out), allow_scalar=False)
        self.weight = Param(w)
        if isinstance(b_init, str) and b_init == "zeros":
            b_init = _init.ZeroInit()
        self.bias = None if b_init is None else Param(_init.param(b_init, (n_out,)))
        if w_mask is not None:
            w_mask = jnp.asarray(w_mask)
            if w_mask.shape != (n_in, n_out):
                raise BrainSimValueError(
                    f"Linear(w_mask=...): expected shape {(n_in, n_out)}, got {w_mask.shape}."
                )
        self.w_mask = w_mask

    def update(self, x: Any) -> Any:
        w = self.weight.value()
        if self.w_mask is not None:
            w = w * self.w_mask
        y = u.math.matmul(x, w) if isinstance(w, u.Quantity) or isinstance(
            x, u.Quantity
        ) else jnp.matmul(x, w)
        if self.bias is not None:
            y = y + self.bias.value()
        return y
