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


# Long statistical and end-to-end tests: skipped by the default run (pyproject's
# ``-m 'not slow'``), run by ``python -m pytest -m slow`` and by ``.ci/run``. Kept in one
# list so that the split is visible in one place; each area keeps a fast smoke test (named
# in _SMOKE). Measured with ``python -m pytest --durations=60`` on a 2-core machine.
_SLOW = (
    "tests/test_examples.py::test_example_quick[",  # 10 scripts, 5-35 s each
    "tests/test_tutorials.py::test_notebook_runs[",  # 4 notebooks in a Jupyter kernel
    "tests/test_cli.py::test_python_dash_m_entry_point",  # a fresh interpreter: 30 s
    "tests/test_docs.py::test_doc_code_blocks_run[training]",  # 57 s
    "tests/test_docs.py::test_doc_code_blocks_run[performance]",  # 23 s
    "tests/models/test_networks.py::test_decision_network_biased_input_wins",  # 2 x 20 s
    "tests/models/test_networks.py::test_brunel_ai_is_irregular_and_sr_is_synchronous",
    "tests/models/test_networks.py::test_coba_hh_network_self_sustains",
    "tests/models/test_networks.py::test_brunel_delay_is_exact",
    "tests/models/test_networks.py::test_traub_rates_match_the_published_formulas",
    "tests/models/test_networks.py::test_traub_hh_isolated_neuron_matches_a_reference",
    "tests/train/test_train.py::test_bptt_gradients_match_hand_written_jax",  # 15 s
    "tests/train/test_train.py::test_checkpointed_bptt_",  # 2 x 11 s
    "tests/test_random.py::test_sample_moments[",  # statistical moments of every sampler
    "tests/test_random.py::test_shapes_and_default_dtypes[",
    "tests/test_simulate.py::test_run_by_duration_equals_run_by_n_steps",
    "tests/test_simulate.py::test_continued_run_equals_one_full_run_and_does_not_recompile",
    "tests/test_simulate.py::test_pbar_gives_identical_results",
    "brainsim/models/networks/_wang2002.py::",  # network doctests, 8-10 s each
    "brainsim/models/networks/_coba.py::",
    "brainsim/models/networks/_brunel.py::",
    "tests/nn/test_event.py::test_forward_equals_dense[",
    "tests/nn/test_regularization.py::test_sample_init_shape[",
    "tests/test_init.py::test_shape_dtype_plain[float64",
    "tests/transform/test_autograd.py::test_hessian_matches_jax",
)
_SMOKE = {
    "tests/test_examples.py::test_example_quick[quickstart]",
    "tests/test_tutorials.py::test_notebook_runs[01_states_and_transforms]",
    "tests/test_random.py::test_sample_moments[normal]",
    "tests/test_random.py::test_shapes_and_default_dtypes[normal-0]",
    "tests/nn/test_event.py::test_forward_equals_dense[6-False-scalar-1.0]",
    "tests/nn/test_regularization.py::test_sample_init_shape[Normal]",
}
# The conformance suite runs every check for a few representative models by default (an
# IF neuron, its refractory variant, a conductance-based neuron, a synapse, an input, a
# readout) and for the whole catalogue, and in float64, with -m slow.
_CONFORMANCE = ("tests/models/test_conformance.py::",)
_REPRESENTATIVE = {"LIF", "LIFRef", "HH", "Izhikevich", "Expon", "AMPA", "PoissonSpike",
                   "LeakyRateReadout", "LeakySpikeReadout"}


def _is_slow(nodeid: str) -> bool:
    if nodeid in _SMOKE:
        return False
    if any(nodeid.startswith(prefix) for prefix in _SLOW):
        return True
    if nodeid.startswith(_CONFORMANCE) and "[" in nodeid:
        params = set(nodeid[nodeid.index("[") + 1 : -1].split("-"))
        return "float64" in params or not params & _REPRESENTATIVE
    return False


@pytest.hookimpl(tryfirst=True)  # before pytest's -m deselection
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_slow(item.nodeid):
            item.add_marker(pytest.mark.slow)
