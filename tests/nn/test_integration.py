"""``brainsim.nn.exp_euler_step`` (API.md F.4): examples, exactness on linear ODEs with
units, convergence on a nonlinear ODE, the SDE form (Ornstein-Uhlenbeck statistics) and
errors."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ
from brainsim.nn import exp_euler_step


def test_spec_example_decay():
    with environ.context(dt=0.01):
        x1 = exp_euler_step(lambda x: -x, jnp.asarray(1.0))
    np.testing.assert_allclose(float(x1), np.exp(-0.01), rtol=1e-6)


def test_spec_example_relaxation():
    with environ.context(dt=0.01):
        x1 = exp_euler_step(lambda x: (2.0 - x) / 1.0, jnp.asarray(0.0))
    np.testing.assert_allclose(float(x1), 2.0 * (1.0 - np.exp(-0.01)), rtol=1e-5)


def test_python_float_state_and_kwargs():
    with environ.context(dt=0.1):
        x1 = exp_euler_step(lambda x, a, b=0.0: -a * x + b, 1.0, 2.0, b=1.0)
    # x' = -2 x + 1: x(dt) = 0.5 + 0.5 exp(-0.2)
    np.testing.assert_allclose(float(x1), 0.5 + 0.5 * np.exp(-0.2), rtol=1e-6)


def test_linear_ode_with_units_is_exact():
    """tau dV/dt = -(V - E) + R I, element-wise taus, 200 steps: equals the closed form."""
    tau = jnp.asarray([2.0, 5.0, 20.0]) * u.ms
    E, RI = -65.0 * u.mV, 12.0 * u.mV

    def dV(V, I):
        return (-(V - E) + I) / tau

    dt, n = 0.1, 200
    with environ.context(dt=dt * u.ms):
        V0 = jnp.full(3, -70.0) * u.mV
        one = exp_euler_step(dV, V0, RI)  # eager, one step
        V = jax.jit(
            lambda v: jax.lax.scan(
                lambda c, _: (exp_euler_step(dV, c, RI), None), v, None, length=n
            )[0]
        )(V0)
    np.testing.assert_allclose(
        one.to_decimal(u.mV),
        -53.0 - 17.0 * np.exp(-dt / np.array([2.0, 5.0, 20.0])),
        rtol=1e-5,
    )
    assert u.get_unit(V) == u.mV
    V_inf = -65.0 + 12.0
    expected = V_inf + (-70.0 - V_inf) * np.exp(-n * dt / np.array([2.0, 5.0, 20.0]))
    np.testing.assert_allclose(V.to_decimal(u.mV), expected, rtol=2e-5)


def test_state_unit_is_kept_when_derivative_uses_another_scale():
    """x in volts, derivative in mV/ms: converted, the result stays in volts."""
    with environ.context(dt=1.0 * u.ms):
        x1 = exp_euler_step(lambda x: -(x.in_unit(u.mV)) / (10.0 * u.ms), 0.5 * u.volt)
    assert u.get_unit(x1) == u.volt
    np.testing.assert_allclose(x1.to_decimal(u.volt), 0.5 * np.exp(-0.1), rtol=1e-6)


def test_linear_ode_in_jit_and_scan():
    k = 0.3

    def run(x0):
        def body(x, _):
            return exp_euler_step(lambda y: -k * (y - 1.0), x), None

        return jax.lax.scan(body, x0, None, length=50)[0]

    with environ.context(dt=0.2):
        out = jax.jit(run)(jnp.asarray([0.0, 3.0]))
    expected = 1.0 + (np.array([0.0, 3.0]) - 1.0) * np.exp(-k * 0.2 * 50)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


# ------------------------------------------------------------------ nonlinear ODE


def _f_np(x):
    return -(x**3) + 0.5 * np.sin(3.0 * x) + 1.0


def _f_jnp(x):
    return -(x**3) + 0.5 * jnp.sin(3.0 * x) + 1.0


def _rk4(x, T, n):
    h = T / n
    for _ in range(n):
        k1 = _f_np(x)
        k2 = _f_np(x + 0.5 * h * k1)
        k3 = _f_np(x + 0.5 * h * k2)
        k4 = _f_np(x + h * k3)
        x = x + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def _exp_euler(x0, T, dt):
    n = int(round(T / dt))

    def body(x, _):
        return exp_euler_step(_f_jnp, x), None

    with environ.context(dt=dt):
        return np.asarray(jax.jit(lambda x: jax.lax.scan(body, x, None, length=n)[0])(x0))


def test_nonlinear_ode_agrees_with_fine_rk4():
    x0 = np.array([-1.5, 0.0, 0.4, 2.0])
    T = 2.0
    ref = _rk4(x0.copy(), T, 4_000)
    errs = []
    for dt in (0.05, 0.025):
        got = _exp_euler(jnp.asarray(x0, jnp.float32), T, dt)
        errs.append(np.max(np.abs(got - ref)))
        assert errs[-1] < 0.5 * dt  # O(dt) agreement
    assert errs[1] < errs[0] / 1.8  # it converges (at least first order)
    # and it is not trivially exact: explicit Euler would be much further off
    assert errs[0] > 1e-7


# ------------------------------------------------------------------ SDE form


def test_ou_process_stationary_statistics():
    """dx = (mu - x)/tau dt + sigma dW: stationary mean mu and variance sigma^2 tau / 2."""
    mu, tau, sigma, dt = 1.0, 1.0, 0.5, 0.01
    n_paths, n_steps = 4000, 1000  # 10 tau: the initial transient has decayed
    brainsim.random.seed(1234)
    x = brainsim.HiddenState(jnp.full(n_paths, mu))

    def step(i):
        x.value = exp_euler_step(lambda y: (mu - y) / tau, lambda y: sigma, x.value)

    with environ.context(dt=dt):
        brainsim.transform.for_loop(step, jnp.arange(n_steps))
    samples = np.asarray(x.value, dtype=np.float64)
    # the scheme is exact in distribution for OU: var = sigma^2 dt / (1 - exp(-2 dt/tau))
    var_scheme = sigma**2 * dt / (1.0 - np.exp(-2.0 * dt / tau))
    var_analytic = sigma**2 * tau / 2.0
    assert abs(var_scheme / var_analytic - 1.0) < 0.011
    se_mean = np.sqrt(var_scheme / n_paths)
    assert abs(samples.mean() - mu) < 4 * se_mean
    rel_se_var = np.sqrt(2.0 / (n_paths - 1))
    assert abs(samples.var(ddof=1) / var_scheme - 1.0) < 4 * rel_se_var
    assert abs(samples.var(ddof=1) / var_analytic - 1.0) < 4 * rel_se_var + 0.011
    # noise is actually applied: paths differ
    assert samples.std() > 0.1


def test_sde_seed_reproducible_and_units():
    def run(seed):
        brainsim.random.seed(seed)
        with environ.context(dt=0.1 * u.ms):
            return exp_euler_step(
                lambda V: -V / (10.0 * u.ms),
                lambda V: 2.0 * u.mV / u.math.sqrt(1.0 * u.ms),
                jnp.zeros(5) * u.mV,
            )

    a, b, c = run(3), run(3), run(4)
    assert u.get_unit(a) == u.mV
    np.testing.assert_array_equal(a.to_decimal(u.mV), b.to_decimal(u.mV))
    assert not np.allclose(a.to_decimal(u.mV), c.to_decimal(u.mV))
    # the noise term is diffusion * sqrt(dt) * N(0, 1): |x| ~ 2 * sqrt(0.1)
    assert 0.05 < float(np.std(a.to_decimal(u.mV))) < 2.0


# ------------------------------------------------------------------ units and errors


def test_plain_state_with_dt_in_ms():
    with environ.context(dt=0.1 * u.ms):
        x1 = exp_euler_step(lambda x: -x / (10.0 * u.ms), jnp.asarray(1.0))
        assert not isinstance(x1, u.Quantity)
        np.testing.assert_allclose(float(x1), np.exp(-0.01), rtol=1e-6)
        with pytest.raises(ValueError, match="derivative"):
            exp_euler_step(lambda x: -x, jnp.asarray(1.0))


def test_non_floating_state():
    with environ.context(dt=0.1):
        with pytest.raises(ValueError, match="floating dtype"):
            exp_euler_step(lambda x: -x, jnp.asarray(1, dtype=jnp.int32))
        with pytest.raises(ValueError, match="floating dtype"):
            exp_euler_step(lambda x: -x, jnp.asarray([1, 2]) * u.mV)


def test_derivative_unit_mismatch():
    with environ.context(dt=0.1 * u.ms):
        with pytest.raises(ValueError, match="the derivative has unit mV"):
            exp_euler_step(lambda V: -V, 1.0 * u.mV)  # mV instead of mV/ms
        with pytest.raises(ValueError, match="the derivative is dimensionless"):
            exp_euler_step(lambda V: -V.to_decimal(u.mV), 1.0 * u.mV)


def test_missing_state_argument():
    with environ.context(dt=0.1):
        with pytest.raises(ValueError, match="missing the state"):
            exp_euler_step(lambda x: -x)


def test_drift_diffusion_unit_mismatch():
    with environ.context(dt=0.1 * u.ms):
        with pytest.raises(ValueError, match="diffusion"):
            exp_euler_step(
                lambda V: -V / (10.0 * u.ms),
                lambda V: 1.0 * u.mV / u.ms,  # should be mV / sqrt(ms)
                jnp.zeros(3) * u.mV,
            )
        with pytest.raises(ValueError, match="diffusion"):
            exp_euler_step(lambda V: -V / (10.0 * u.ms), lambda V: 1.0, jnp.zeros(3) * u.mV)


def test_requires_dt():
    old = environ.pop(environ.DT, None)
    try:
        with pytest.raises(KeyError, match="dt"):
            exp_euler_step(lambda x: -x, jnp.asarray(1.0))
    finally:
        if old is not None:
            environ.set(dt=old)
