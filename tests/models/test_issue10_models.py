"""Regression tests for issue 10 (correctness sweep): model catalogue."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models


@pytest.fixture()
def dt():
    with brainsim.environ.context(dt=0.1 * u.ms):
        yield


# ---------------------------------------------------------------- item 13
@pytest.mark.parametrize("cls", [models.AMPA, models.GABAa, models.BioNMDA])
def test_receptor_conductance_is_in_mS_by_default(dt, cls):
    syn = cls(2)
    syn.init_state()
    assert u.get_unit(syn.g.value) == u.mS
    with brainsim.environ.context(t=0.0 * u.ms):
        g = syn(jnp.array([True, False]))
    with brainsim.environ.context(t=0.1 * u.ms):
        g = syn(jnp.array([False, False]))
    assert u.get_unit(g) == u.mS
    assert float(g[0].to_decimal(u.mS)) > 0.0 and float(g[1].to_decimal(u.mS)) == 0.0
    # times a driving force it is a current
    current = models.COBA(E=0.0 * u.mV)
    current.bind_cond(g)
    assert u.get_unit(current(-65.0 * u.mV)).dim == u.mA.dim


def test_receptor_plain_initializer_keeps_a_dimensionless_fraction(dt):
    syn = models.AMPA(1, g_initializer=0.0)
    syn.init_state()
    with brainsim.environ.context(t=0.0 * u.ms):
        g = syn(jnp.array([True]))
    assert not isinstance(g, u.Quantity)
    np.testing.assert_allclose(g, [0.047395], rtol=1e-5)


# ---------------------------------------------------------------- item 14
@pytest.mark.parametrize("out", [models.MgBlock(), models.COBA(E=0.0 * u.mV)],
                         ids=["MgBlock", "COBA"])
def test_synaptic_output_reads_a_plain_potential_in_mV(out):
    out.bind_cond(1.0 * u.nS)
    V = np.array([-65.0, -40.0])
    with_units = out(V * u.mV).to_decimal(u.pA)
    plain = out(jnp.asarray(V)).to_decimal(u.pA)
    np.testing.assert_allclose(plain, with_units, rtol=1e-6)
