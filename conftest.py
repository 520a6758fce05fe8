"""Test isolation for the whole suite (tests/ and the doctests in brainsim/).

Every test starts from the same global environment: ``brainsim.environ`` settings are
snapshotted and restored after each test (doctests call ``environ.set(dt=...)``), JAX's
x64 flag follows the restored precision, and the global random key is put back.
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402

import brainsim  # noqa: E402

_GLOBAL_ONLY = ("platform", "host_device_count")


@pytest.fixture(autouse=True)
def _isolate_brainsim_globals():
    before = brainsim.environ.all()
    x64 = jax.config.jax_enable_x64
    key = brainsim.random.DEFAULT.value
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        brainsim.environ.reset()
    brainsim.environ.set(**{k: v for k, v in before.items() if k not in _GLOBAL_ONLY})
    jax.config.update("jax_enable_x64", x64)
    brainsim.random.DEFAULT.value = key
