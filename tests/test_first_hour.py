"""The three programs a new user wrote from the docs (issue 13), and the defaults, CLI and
diagnostics they ran into."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models

# ------------------------------------------------------------------ item 2: defaults
PHYSIOLOGICAL = dict(V_rest=-65.0 * u.mV, V_reset=-65.0 * u.mV, V_th=-50.0 * u.mV)


@pytest.mark.parametrize(
    "cls", [models.LIF, models.LIFRef, models.ALIF, models.CubaLIF, models.CobaLIF]
)
def test_physiological_lif_starts_at_rest_and_is_silent_at_t0(cls):
    brainsim.environ.set(dt=0.1 * u.ms)
    neu = cls(5, tau=20 * u.ms, **PHYSIOLOGICAL)
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), -65.0)

    def step(i):
        with brainsim.environ.context(i=i, t=i * 0.1 * u.ms):
            return neu(0.0 * u.mA)

    spikes = brainsim.transform.for_loop(step, jnp.arange(100))
    assert float(jnp.sum(spikes)) == 0.0


@pytest.mark.parametrize(
    "cls, kw",
    [
        (models.ExpIF, dict(V_rest=-70.0 * u.mV)),
        (models.AdExIF, dict(V_rest=-70.0 * u.mV)),
        (models.QuaIF, dict(V_rest=-70.0 * u.mV)),
        (models.AdQuaIF, dict(V_rest=-70.0 * u.mV)),
        (models.Gif, dict(V_rest=-72.0 * u.mV)),
    ],
)
def test_initial_v_follows_v_rest(cls, kw):
    neu = cls(3, **kw)
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), kw["V_rest"].to_decimal(u.mV))


def test_gif_threshold_starts_at_v_th_inf():
    neu = models.Gif(2, V_th_inf=-45.0 * u.mV)
    neu.init_state()
    np.testing.assert_allclose(neu.V_th.value.to_decimal(u.mV), -45.0)


def test_explicit_initializer_still_wins():
    neu = models.LIF(2, V_rest=-65.0 * u.mV, V_initializer=brainsim.init.Constant(-60.0 * u.mV))
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), -60.0)
