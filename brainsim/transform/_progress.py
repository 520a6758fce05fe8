"""``ProgressBar``: a tqdm bar driven from inside compiled loops by ordered host callbacks.

The callback fires only every ``freq`` iterations (inside a ``lax.cond``), so the loop
stays on the device between updates. With no progress bar requested, the compiled loop
contains no callback at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError

__all__ = ["ProgressBar"]


class ProgressBar:
    """A progress bar for :func:`for_loop` / :func:`scan` (``pbar=ProgressBar(...)``).

    Parameters
    ----------
    freq
        Iterations between updates (> 0, at most the number of iterations).
    count
        Total number of updates instead of ``freq`` (not both).
    desc
        A string, or a pair ``(format_str, fn)`` where ``fn(dict(i=..., carry=..., y=...))``
        returns the fields of ``format_str``.
    **tqdm_kwargs
        Passed to ``tqdm.auto.tqdm``.

    With neither ``freq`` nor ``count`` the bar updates about 20 times. ``pbar=100`` is
    shorthand for ``ProgressBar(freq=100)``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> ys = brainsim.transform.for_loop(lambda i: i * 2, jnp.arange(100),
    ...                                  pbar=brainsim.transform.ProgressBar(freq=50,
    ...                                                                      disable=True))
    >>> int(ys[-1])
    198
    """

    def __init__(
        self,
        freq: int | None = None,
        count: int | None = None,
        desc: str | tuple[str, Callable[[dict], dict]] | None = None,
        **tqdm_kwargs: Any,
    ) -> None:
        if freq is not None and count is not None:
            raise BrainSimValueError(
                "ProgressBar: give either freq (iterations between updates) or count (number "
                "of updates), not both."
            )
        for name, v in (("freq", freq), ("count", count)):
            if v is not None and (not isinstance(v, int | np.integer) or isinstance(v, bool)):
                raise BrainSimTypeError(f"ProgressBar({name}=...): expected an int, got {v!r}.")
            if v is not None and v <= 0:
                raise BrainSimValueError(f"ProgressBar({name}=...): expected > 0, got {v}.")
        if desc is not None and not isinstance(desc, str):
            if not (isinstance(desc, tuple) and len(desc) == 2 and callable(desc[1])):
                raise BrainSimTypeError(
                    "ProgressBar(desc=...): expected a str or a pair (format_str, fn)."
                )
        self.freq = freq
        self.count = count
        self.desc = desc
        self.tqdm_kwargs = tqdm_kwargs
        self._bar: Any = None
        self._n = 0
        self._last = 0

    def init(self, n: int) -> int:
        """Prepare for a loop of ``n`` iterations; return the update frequency."""
        if self.freq is not None:
            if self.freq > n:
                raise BrainSimValueError(
                    f"ProgressBar(freq={self.freq}): freq must be <= the number of iterations "
                    f"({n})."
                )
            freq = self.freq
        elif self.count is not None:
            freq = max(n // self.count, 1)
        else:
            freq = max(n // 20, 1)
        self._n = n
        return freq

    # ------------------------------------------------------------------ host side
    def _message(self, i: int, carry: Any, y: Any) -> str:
        if self.desc is None:
            return f"Running for {self._n:,} iterations"
        if isinstance(self.desc, str):
            return self.desc
        fmt, fn = self.desc
        return fmt.format(**fn({"i": i, "carry": carry, "y": y}))

    def _host_update(self, i: Any, carry: Any, y: Any) -> None:
        i = int(i)
        if self._bar is None or i <= self._last:
            from tqdm.auto import tqdm

            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(total=self._n, **self.tqdm_kwargs)
            self._last = 0
        self._bar.set_description(self._message(i, carry, y), refresh=False)
        self._bar.update(i - self._last)
        self._last = i
        if i >= self._n:
            self._bar.close()
            self._bar = None
            self._last = 0

    # ------------------------------------------------------------------ device side
    def tick(self, i: Any, freq: int, carry: Any, y: Any) -> None:
        """Called inside the loop body with the 0-based iteration ``i`` (a tracer)."""
        done = i + 1
        needs_data = self.desc is not None and not isinstance(self.desc, str)
        c, yy = (carry, y) if needs_data else (None, None)

        def call(d, c_, y_):
            jax.debug.callback(self._host_update, d, c_, y_, ordered=True)

        jax.lax.cond(
            jnp.logical_or(done % freq == 0, done == self._n),
            call,
            lambda *_: None,
            done, c, yy,
        )


def to_pbar(pbar: Any) -> ProgressBar | None:
    """``None`` / ``ProgressBar`` / int shorthand -> ``ProgressBar | None``."""
    if pbar is None or pbar is False:
        return None
    if isinstance(pbar, ProgressBar):
        return pbar
    if pbar is True:
        return ProgressBar()
    if isinstance(pbar, int | np.integer):
        return ProgressBar(freq=int(pbar))
    raise BrainSimTypeError(
        f"pbar=...: expected None, an int (update frequency) or a ProgressBar, got "
        f"{type(pbar).__name__}."
    )
