"""Tests for brainsim.environ: global settings, contexts, precision, behaviours, threads."""

import os
import threading
import warnings

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ

_GLOBAL_ONLY = (environ.PLATFORM, environ.HOST_DEVICE_COUNT)


@pytest.fixture(autouse=True)
def restore_environ():
    """Snapshot the global settings and put them back after every test."""
    before = environ.all()
    behaviours = environ.list_registered_behaviors()
    yield
    for key in environ.list_registered_behaviors():
        if key not in behaviours:
            environ.unregister_default_behavior(key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        environ.reset()
    environ.set(**{k: v for k, v in before.items() if k not in _GLOBAL_ONLY})
    assert environ.get_precision() == before.get(environ.PRECISION, 32)
    assert jax.config.jax_enable_x64 == (environ.get_precision() == 64)


def test_constants():
    assert (environ.DT, environ.T, environ.I, environ.FIT) == ("dt", "t", "i", "fit")
    assert environ.PRECISION == "precision"
    assert environ.PLATFORM == "platform"
    assert environ.HOST_DEVICE_COUNT == "host_device_count"
    assert environ.JIT_ERROR_CHECK == "jit_error_check"


# ------------------------------------------------------------------ set / get / pop
def test_no_default_dt_fails_loudly():
    environ.pop("dt", None)
    with pytest.raises(KeyError, match=r"environ\.set\(dt=0\.1 \* u\.ms\)"):
        environ.get_dt()
    with pytest.raises(brainsim.BrainSimError, match=r"context\(dt=0\.1 \* u\.ms\)"):
        environ.get_dt()


def test_set_and_get_dt_plain_and_quantity():
    environ.set(dt=0.01)
    assert environ.get_dt() == 0.01
    environ.set(dt=0.1 * u.ms)
    assert u.math.allclose(environ.get_dt(), 0.1 * u.ms)
    assert environ.get("dt") is environ.get_dt()
    environ.set(dt=jnp.asarray(0.5))
    assert float(environ.get_dt()) == 0.5


@pytest.mark.parametrize("bad", [[0.1], np.ones(3) * 0.1, "0.1", True, jnp.ones(2) * u.ms])
def test_dt_must_be_scalar(bad):
    with pytest.raises(TypeError, match=r"`dt` must be a scalar"):
        environ.set(dt=bad)
    with pytest.raises(brainsim.BrainSimError, match=r"`dt` must be a scalar"):
        with environ.context(dt=bad):
            pass


def test_dt_must_be_positive_time():
    with pytest.raises(ValueError, match=r"`dt` must be positive"):
        environ.set(dt=0.0)
    with pytest.raises(ValueError, match=r"`dt` must be a time.*mV"):
        environ.set(dt=0.1 * u.mV)


def test_get_missing_key_with_desc_and_default():
    with pytest.raises(KeyError, match=r"'no_such'.*is not set.*a description here"):
        environ.get("no_such", desc="a description here")
    assert environ.get("no_such", default=3) == 3
    assert environ.get("no_such", default=None) is None


def test_get_t_i_fit():
    with pytest.raises(KeyError, match=r"'t' is not set"):
        environ.get_t()
    with pytest.raises(KeyError, match=r"'i' is not set"):
        environ.get_i()
    with pytest.raises(KeyError, match=r"'fit' is not set"):
        environ.get_fit()
    with environ.context(t=1.5 * u.ms, i=15, fit=True):
        assert u.math.allclose(environ.get_t(), 1.5 * u.ms)
        assert environ.get_i() == 15
        assert environ.get_fit() is True


def test_pop():
    environ.set(fit=True)
    assert environ.pop("fit") is True
    assert environ.get("fit", None) is None
    with pytest.raises(KeyError, match=r"'fit' is not set globally"):
        environ.pop("fit")
    assert environ.pop("fit", "absent") == "absent"
    environ.set(fit=False)
    with environ.context(fit=True):
        with pytest.raises(ValueError, match=r"'fit' is active in a `context`"):
            environ.pop("fit")
    assert environ.pop("fit") is False


def test_all_merges_global_and_context():
    environ.set(dt=0.1, fit=False)
    with environ.context(fit=True, extra=1) as env:
        assert env["dt"] == 0.1 and env["fit"] is True and env["extra"] == 1
        assert environ.all() == env
    merged = environ.all()
    assert merged["fit"] is False and "extra" not in merged
    assert merged["precision"] == 32


def test_reset_restores_defaults_and_warns():
    environ.set(dt=0.2, fit=True)
    environ.set_precision(64)
    with pytest.warns(UserWarning, match=r"restored to the defaults"):
        environ.reset()
    assert environ.get("dt", None) is None and environ.get("fit", None) is None
    assert environ.get_precision() == 32
    assert not jax.config.jax_enable_x64
    assert environ.all() == {"precision": 32}


# ------------------------------------------------------------------ contexts
def test_nested_contexts():
    environ.set(dt=0.1)
    with environ.context(dt=0.2):
        assert environ.get_dt() == 0.2
        with environ.context(dt=0.3):
            assert environ.get_dt() == 0.3
        assert environ.get_dt() == 0.2
    assert environ.get_dt() == 0.1


def test_context_pops_on_exception():
    environ.set(dt=0.1)
    with pytest.raises(RuntimeError, match="boom"):
        with environ.context(dt=0.2, t=3.0):
            raise RuntimeError("boom")
    assert environ.get_dt() == 0.1
    assert environ.get("t", None) is None


def test_context_does_not_touch_global():
    with environ.context(fit=True):
        environ.set(fit=False)  # global write while the context shadows it
        assert environ.get_fit() is True
    assert environ.get_fit() is False


@pytest.mark.parametrize("key, value", [("platform", "cpu"), ("host_device_count", 2)])
def test_global_only_keys_rejected_in_context(key, value):
    with pytest.raises(ValueError, match=rf"{key!r} cannot be set in a context"):
        with environ.context(**{key: value}):
            pass


def test_context_works_under_jit():
    @jax.jit
    def f(x):
        with environ.context(t=x, dt=0.5):
            return environ.get_t() * environ.get_dt()

    assert float(f(jnp.asarray(4.0))) == 2.0


# ------------------------------------------------------------------ threads
def test_global_set_visible_in_worker_context_not():
    environ.set(dt=0.1)
    seen = {}

    def worker():
        seen["dt"] = environ.get_dt()
        seen["fit"] = environ.get("fit", "unset")
        with environ.context(dt=0.9):
            seen["inner"] = environ.get_dt()

    with environ.context(fit=True, dt=0.5):
        th = threading.Thread(target=worker)
        th.start()
        th.join()
        assert environ.get_dt() == 0.5  # the worker's context did not leak here
    assert seen == {"dt": 0.1, "fit": "unset", "inner": 0.9}


def test_set_in_worker_visible_in_main():
    th = threading.Thread(target=lambda: environ.set(fit=True))
    th.start()
    th.join()
    assert environ.get_fit() is True


# ------------------------------------------------------------------ precision
@pytest.mark.parametrize(
    "precision, ftype, itype, utype, ctype, tol",
    [
        (64, np.float64, np.int64, np.uint64, np.complex128, 1e-12),
        (32, np.float32, np.int32, np.uint32, np.complex64, 1e-5),
        (16, np.float16, np.int16, np.uint16, np.complex64, 1e-2),
        ("bf16", jnp.bfloat16, np.int16, np.uint16, np.complex64, 1e-2),
        (8, jnp.float8_e5m2, np.int8, np.uint8, np.complex64, 1e-2),
    ],
)
def test_precision_dtypes(precision, ftype, itype, utype, ctype, tol):
    environ.set_precision(precision)
    assert environ.get_precision() == (16 if precision == "bf16" else precision)
    assert environ.dftype() == ftype
    assert environ.ditype() == itype
    assert environ.dutype() == utype
    assert environ.dctype() == ctype
    assert environ.tolerance() == tol
    assert jax.config.jax_enable_x64 == (precision == 64)
    environ.set_precision(32)
    assert not jax.config.jax_enable_x64


def test_precision_64_enables_x64_arrays():
    try:
        environ.set(precision=64)
        assert jnp.zeros(2).dtype == jnp.float64
    finally:
        environ.set_precision(32)
    assert jnp.zeros(2).dtype == jnp.float32


def test_precision_in_context_is_restored():
    assert environ.get_precision() == 32
    with environ.context(precision=64):
        assert environ.dftype() == np.float64
        assert jnp.ones(1).dtype == jnp.float64
    assert environ.get_precision() == 32
    assert jnp.ones(1).dtype == jnp.float32
    assert not jax.config.jax_enable_x64


def test_default_precision_is_32():
    assert environ.get_precision() == 32
    assert environ.dftype() == np.float32 and environ.ditype() == np.int32


@pytest.mark.parametrize("bad", [0, 128, "fp32", 32.5, None, True])
def test_invalid_precision(bad):
    with pytest.raises(ValueError, match=r"precision must be one of 8, 16, 32, 64 or 'bf16'"):
        environ.set_precision(bad)
    with pytest.raises(brainsim.BrainSimError, match=r"precision must be one of"):
        with environ.context(precision=bad):
            pass


def test_pop_precision_falls_back_to_default():
    environ.set_precision(64)
    assert environ.pop("precision") == 64
    assert environ.get_precision() == 32
    assert not jax.config.jax_enable_x64


# ------------------------------------------------------------------ platform / devices
def test_set_platform_updates_jax_config():
    old = jax.config.jax_platforms
    try:
        environ.set(platform="CPU")
        assert jax.config.jax_platforms == "cpu"
        assert environ.get("platform") == "cpu"
    finally:
        jax.config.update("jax_platforms", old)
        environ.pop("platform", None)
    with pytest.raises(TypeError, match=r"`platform` must be a string"):
        environ.set(platform=3)


def test_set_host_device_count_writes_xla_flags(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=3 --other_flag")
    try:
        environ.set(host_device_count=4)
        flags = os.environ["XLA_FLAGS"].split()
        assert "--xla_force_host_platform_device_count=4" in flags
        assert "--other_flag" in flags
        assert not any(f.endswith("=3") for f in flags)
        assert environ.get("host_device_count") == 4
    finally:
        environ.pop("host_device_count", None)
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match=r"`host_device_count` must be a positive int"):
            environ.set(host_device_count=bad)


# ------------------------------------------------------------------ behaviours
def test_behaviour_called_on_set_enter_and_exit():
    calls = []
    environ.register_default_behavior("dt", calls.append)
    assert "dt" in environ.list_registered_behaviors()
    environ.set(dt=0.1)
    with environ.context(dt=0.2):
        with environ.context(dt=0.3):
            pass
    assert calls == [0.1, 0.2, 0.3, 0.2, 0.1]
    environ.pop("dt")
    assert calls[-1] is None
    assert environ.unregister_default_behavior("dt") is True
    assert environ.unregister_default_behavior("dt") is False
    assert "dt" not in environ.list_registered_behaviors()
    environ.set(dt=0.4)
    assert len(calls) == 6


def test_behaviour_registration_errors():
    environ.register_default_behavior("foo", lambda v: None)
    with pytest.raises(ValueError, match=r"already registered for 'foo'.*replace_if_exist"):
        environ.register_default_behavior("foo", lambda v: None)
    seen = []
    environ.register_default_behavior("foo", seen.append, replace_if_exist=True)
    environ.set(foo=1)
    assert seen == [1]
    with pytest.raises(TypeError, match=r"`fn` must be callable"):
        environ.register_default_behavior("bar", 3)
    with pytest.raises(TypeError, match=r"`key` must be a str"):
        environ.register_default_behavior(1, print)


def test_errors_are_brainsim_errors():
    with pytest.raises(brainsim.BrainSimError):
        environ.get("never-set")
    with pytest.raises(brainsim.BrainSimError):
        environ.set_precision(7)
