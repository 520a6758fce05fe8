"""``Recording.to_neo``: spike trains and analog signals match what the run recorded."""

from __future__ import annotations

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim

neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")

DT = 0.1 * u.ms
N = 6


@pytest.fixture
def rec() -> brainsim.simulate.Recording:
    brainsim.environ.set(dt=DT)
    brainsim.random.seed(0)
    lif = brainsim.models.LIF(N, tau=10 * u.ms, spk_reset="hard")
    drive = jnp.linspace(1.05, 3.0, N) * u.mA
    noise = brainsim.models.PoissonEncoder(N, spk_type=float)

    class Net(brainsim.nn.Module):
        def __init__(self):
            super().__init__()
            self.lif, self.noise = lif, noise

        def update(self):
            return self.lif(drive + 20.0 * u.mA * self.noise(200 * u.Hz))

    net = Net()
    return brainsim.simulate.run(
        net, 300 * u.ms,
        record={"spikes": brainsim.simulate.spikes(lambda: lif.get_spike()),
                "V": brainsim.simulate.trace(lambda: lif.V.value),
                "V2": brainsim.simulate.trace(lambda: lif.V.value, every=4)},
    )


def test_spike_trains_match_the_recorded_spikes(rec):
    seg = rec.to_neo()
    ev = rec["spikes"]
    times = np.asarray(ev.times.to_decimal(u.ms))
    assert len(seg.spiketrains) == N
    assert len(ev) > 50
    for i, st in enumerate(seg.spiketrains):
        assert st.annotations["neuron"] == i and st.annotations["source"] == "spikes"
        assert st.units == pq.ms
        want = np.sort(times[ev.indices == i])
        assert len(st) == want.size  # same count
        np.testing.assert_allclose(st.magnitude, want)  # same times
        assert float(st.t_start) == 0.0 and float(st.t_stop) == pytest.approx(300.0)
    assert sum(len(st) for st in seg.spiketrains) == len(ev)


def test_analog_signals_carry_values_units_and_sampling(rec):
    seg = rec.to_neo()
    by_name = {s.name: s for s in seg.analogsignals}
    v = by_name["V"]
    assert v.shape == (3000, N)
    assert v.units == pq.mV
    assert float(v.sampling_period.rescale(pq.ms)) == pytest.approx(0.1)
    np.testing.assert_allclose(v.magnitude, np.asarray(rec["V"].to_decimal(u.mV)))
    np.testing.assert_allclose(float(v.t_start), float(rec.time("V")[0].to_decimal(u.ms)))
    v2 = by_name["V2"]
    assert v2.shape == (750, N)
    assert float(v2.sampling_period.rescale(pq.ms)) == pytest.approx(0.4)


def test_neuron_subset_and_names(rec):
    seg = rec.to_neo(neurons=[4, 1], names=["spikes", "V"])
    assert [st.annotations["neuron"] for st in seg.spiketrains] == [4, 1]
    ev = rec["spikes"]
    assert len(seg.spiketrains[0]) == int(np.sum(ev.indices == 4))
    (v,) = seg.analogsignals
    np.testing.assert_allclose(v.magnitude, np.asarray(rec["V"].to_decimal(u.mV))[:, [4, 1]])
    np.testing.assert_array_equal(v.array_annotations["neuron"], [4, 1])


def test_errors_name_the_problem(rec):
    with pytest.raises(brainsim.BrainSimError, match="no variable 'W'"):
        rec.to_neo(names=["W"])
    with pytest.raises(brainsim.BrainSimError, match="neuron 9 is outside 0..5"):
        rec.to_neo(neurons=[9])


def test_elephant_statistics_agree_with_brainsim_analysis(rec):
    stats = pytest.importorskip("elephant.statistics")
    seg = rec.to_neo()
    ev = rec["spikes"]
    ours = brainsim.analysis.cv_isi(ev.times, ev.indices, N)
    theirs = [stats.cv(stats.isi(st)) if len(st) > 2 else np.nan for st in seg.spiketrains]
    np.testing.assert_allclose(theirs, ours, rtol=1e-6)
