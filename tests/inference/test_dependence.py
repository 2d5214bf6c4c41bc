"""The dependent null: Yule–Walker by Levinson–Durbin against statsmodels, exact stationary
AR paths, margins kept by the copula, reduction to the independent null, bias correction."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.regression.linear_model import yule_walker
from statsmodels.tsa.arima_process import ArmaProcess

import periodize as pz
from periodize.inference.dependence import (
    autocorrelations,
    check_dependence,
    copula_block,
    fit_dependence,
    latent,
    latent_partials,
    levinson,
    long_run_factor,
    max_order,
    normal_scores,
    predictors,
    sieve_order,
    signal_autocorrelations,
    signal_plus_noise,
)
from periodize.inference.fits import edges_of, fitted, refit_periods
from periodize.inference.simulate import draw


def test_levinson_equals_statsmodels_yule_walker():
    rng = np.random.default_rng(0)
    x = ArmaProcess([1, -0.6, 0.2], [1]).generate_sample(300, distrvs=rng.standard_normal)
    r = autocorrelations(x[None, :], 4)
    partial, variance = levinson(r)
    for order in (1, 2, 3, 4):
        rho, sigma = yule_walker(x, order=order, method="mle", demean=True, result_object=False)
        table, _ = predictors(partial[0, :order])
        np.testing.assert_allclose(table[order], rho, rtol=1e-9)
        np.testing.assert_allclose(variance[0, order] * x.var(), sigma**2, rtol=1e-9)


def test_latent_paths_are_stationary_with_the_asked_autocorrelation():
    """Exact start: the variance is 1 and the lag-k autocorrelation is the AR's own at every
    period, the first ones included (no burn-in)."""
    partial = np.array([0.7, -0.3])
    out = np.empty((200_000, 6))
    latent(partial, out, np.random.default_rng(1))
    arma = ArmaProcess(np.r_[1, -predictors(partial)[0][-1]], [1])
    expected = arma.acf(3)
    np.testing.assert_allclose(out.var(axis=0), 1.0, atol=0.01)
    for t in range(3):
        np.testing.assert_allclose(
            np.corrcoef(out[:, t], out[:, t + 1])[0, 1], expected[1], atol=0.01
        )
        np.testing.assert_allclose(
            np.corrcoef(out[:, t], out[:, t + 2])[0, 1], expected[2], atol=0.01
        )


@pytest.mark.parametrize(
    ("model", "spread", "law"),
    [
        ("poisson", 1.0, lambda m: stats.poisson(m)),
        ("negbin", 0.5, lambda m: stats.nbinom(2.0, 2.0 / (2.0 + m))),
        ("quasipoisson", 2.0, lambda m: stats.poisson(m / 2.0)),
        ("normal", 1.5, lambda m: stats.norm(m, 1.5)),
    ],
)
def test_copula_keeps_each_periods_margin(model, spread, law):
    means = np.array([0.4, 3.0, 45.0, 700.0])
    out = np.empty((40_000, 4))
    copula_block(model, means, np.full(4, spread), np.array([0.8]), out, np.random.default_rng(2))
    if model == "quasipoisson":
        out = out / spread
    for t, mean in enumerate(means):
        expected = law(mean)
        assert out[:, t].mean() == pytest.approx(expected.mean(), rel=0.02)
        assert out[:, t].var() == pytest.approx(expected.var(), rel=0.05)
    assert np.corrcoef(out[:, 1], out[:, 2])[0, 1] > 0.5


@settings(max_examples=25, deadline=None)
@given(
    model=st.sampled_from(["poisson", "negbin", "quasipoisson", "normal", "normal_meanvar"]),
    seed=st.integers(0, 2**31),
)
def test_no_dependence_draws_the_independent_null(model, seed):
    """A zero (or absent) latent AR gives the independent null's replicates exactly."""
    means = np.linspace(0.5, 8.0, 12)
    spread = np.full(12, 1.3 if model != "negbin" else 0.4)
    a, b, c = (np.empty((50, 12)) for _ in range(3))
    draw(model, means, spread, a, seed, 0, 7)
    draw(model, means, spread, b, seed, 0, 7, np.zeros(3))
    draw(model, means, spread, c, seed, 0, 7, np.array([]))
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_independent_option_and_short_series_fit_no_dependence():
    rng = np.random.default_rng(3)
    values = rng.poisson(3.0, size=(4, 40)).astype(float)
    edges = edges_of(np.broadcast_to(np.array([20]), (4, 1)), 40)
    fit = fitted("poisson", values, edges)
    refit = refit_periods("poisson", edges, None, None)
    assert not fit_dependence("independent", "poisson", values, fit, refit, 1).order.any()
    short = values[:, :9]
    short_edges = edges_of(np.broadcast_to(np.array([4]), (4, 1)), 9)
    short_fit = fitted("poisson", short, short_edges)
    refit = refit_periods("poisson", short_edges, None, None)
    assert max_order(9) == 0
    assert not fit_dependence("auto", "poisson", short, short_fit, refit, 1).order.any()


def test_bias_correction_recovers_the_long_run_variance_of_gaussian_ar1():
    """Yule–Walker on 120 periods with three fitted means puts the long-run variance factor
    of an AR(1) with φ = 0.6 (truth 1.6 / 0.4 = 4) well below it; corrected, its median is
    within 15% of the truth. BIC chooses order 1 for nearly every series."""
    rng = np.random.default_rng(4)
    n, rows = 120, 300
    x = np.empty((rows, n))
    x[:, 0] = rng.standard_normal(rows)
    for t in range(1, n):
        x[:, t] = 0.6 * x[:, t - 1] + np.sqrt(1 - 0.36) * rng.standard_normal(rows)
    edges = edges_of(np.broadcast_to(np.array([40, 80]), (rows, 2)), n)
    fit = fitted("normal", x, edges)
    serial = fit_dependence("ar", "normal", x, fit, refit_periods("normal", edges, None, None), 5)
    assert np.mean(serial.order == 1) > 0.85
    assert not serial.partial[serial.order == 1, 1:].any()  # nothing beyond the order
    raw = np.median(long_run_factor(serial.estimated))
    corrected = np.median(long_run_factor(serial.partial))
    assert raw < 0.9 * 4.0
    assert abs(corrected / 4.0 - 1) < 0.15


def test_sieve_order_is_bic_over_statsmodels_yule_walker_fits_for_normal_models():
    """The order of a normal model's sieve is the BIC choice among 1..P computed from
    statsmodels' Yule–Walker innovation variances of each order; counts keep P (the AR(P)
    of their signal-plus-noise fit)."""
    rng = np.random.default_rng(8)
    n, top = 120, max_order(120)
    processes = ([1], [1, -0.5], [1, -0.6, 0.3], [1, -0.2, 0.0, -0.3])
    samples = [
        ArmaProcess(ar, [1]).generate_sample(n, distrvs=rng.standard_normal) for ar in processes
    ]
    x = np.vstack(samples)
    _, variance = levinson(autocorrelations(x, top))
    chosen = sieve_order("normal", variance, n)
    for row, sample in zip(chosen, samples, strict=True):
        bic = [
            n * np.log(yule_walker(sample, order=p, method="mle", result_object=False)[1] ** 2)
            + p * np.log(n)
            for p in range(1, top + 1)
        ]
        assert row == 1 + int(np.argmin(bic))
    assert chosen.tolist()[1:3] == [1, 2]
    assert sieve_order("negbin", variance, n).tolist() == [top] * 4


def test_long_run_factor_of_known_processes():
    """v_p / (1 - sum a)^2 against the closed forms of AR(1) and AR(2)."""
    np.testing.assert_allclose(long_run_factor(np.array([[0.6]])), [1.6 / 0.4])
    # AR(2) with coefficients (0.5, 0.2): partial autocorrelations 0.625 and 0.2
    a1, a2 = 0.5, 0.2
    rho1 = a1 / (1 - a2)
    gamma0 = (1 - a2) / ((1 + a2) * ((1 - a2) ** 2 - a1**2))  # unit innovation variance
    expected = 1 / (1 - a1 - a2) ** 2 / gamma0
    np.testing.assert_allclose(long_run_factor(np.array([[rho1, a2]])), [expected], rtol=1e-12)


def test_dependence_option_checks():
    with pytest.raises(pz.ParameterError, match="'ar' on 9 periods"):
        check_dependence("ar", "parametric", "f", 9)
    with pytest.raises(pz.ParameterError, match="null='permutation'"):
        check_dependence("ar", "permutation", "f", 40)
    assert check_dependence("auto", "permutation", "f", 40) == "independent"
    with pytest.raises(pz.ParameterError, match="dependence"):
        check_dependence("block", "parametric", "f", 40)


def test_normal_scores_of_counts_are_mid_distribution_values():
    y = np.array([[0.0, 1.0, 4.0]])
    mu = np.array([[2.0, 2.0, 2.0]])
    law = stats.poisson(2.0)
    expected = stats.norm.ppf(law.cdf(y - 1) + 0.5 * law.pmf(y))
    np.testing.assert_allclose(normal_scores("poisson", y, mu, np.ones_like(mu)), expected)
    big = np.array([[900.0, 1100.0]])
    far = np.array([[1000.0, 1000.0]])
    expected = stats.norm.ppf(stats.poisson(far).cdf(big - 1) + 0.5 * stats.poisson(far).pmf(big))
    np.testing.assert_allclose(normal_scores("poisson", big, far, np.ones_like(far)), expected)


def test_autocorrelated_series_get_the_dependent_null_and_a_larger_pvalue():
    """On an AR(1) series with no change the dependent null widens the replicates' spread:
    the p-value of the hypothesis is larger than under independence, the result says which
    null ran and the diagnostics flag the dependence."""
    rng = np.random.default_rng(8)
    y = np.empty(160)
    y[0] = 0
    for t in range(1, 160):
        y[t] = 0.7 * y[t - 1] + rng.standard_normal()
    series = pd.Series(y + 20, index=pd.period_range("2010-01", periods=160, freq="M"), name="d")
    options = {"model": "normal", "n_sim": 199, "rng": 1}
    auto = pz.test_periodization(series, ("2013-01", "2017-06"), **options)
    alone = pz.test_periodization(
        series, ("2013-01", "2017-06"), dependence="independent", **options
    )
    assert auto.dependence.loc["d", "order"] >= 1
    assert auto.dependence.loc["d", "latent_lag1"] > 0.5
    assert auto.tests["best_vs_none"].pvalue > alone.tests["best_vs_none"].pvalue
    assert "autocorrelated" in auto.diagnostics.loc["d", "verdict"]
    assert any("assume independent periods" in note for note in alone.notes("d"))
    assert not any("assume independent periods" in note for note in auto.notes("d"))
    assert auto.provenance.parameters["dependence"] == "auto"
    assert auto.to_dict()["series"][0]["dependence"]["order"] >= 1


def test_profile_scale_of_gaussian_ar1_is_its_long_run_variance_over_the_cost_variance():
    """Closed form for AR(1) with φ = 0.6: the normal cost's variance comes from first
    differences, 2γ0(1 − φ)/2 = 0.4 γ0, and the long-run variance is γ0 (1 + φ)/(1 − φ) =
    4 γ0, so break-date sets must widen 10-fold; 1 without dependence."""
    from periodize.inference.fits import profile_scale

    rng = np.random.default_rng(12)
    n = 40_000
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + 0.8 * rng.standard_normal()
    edges = np.array([[0, n // 2, n]])
    scale = profile_scale("normal", x[None, :], edges, np.array([1]))
    assert scale[0] == pytest.approx(10.0, rel=0.05)
    assert profile_scale("normal", x[None, :], edges, None)[0] == 1.0


def test_quasipoisson_scores_interpolate_the_count_scale_mid_distribution():
    """y/φ = 3 scores like a Poisson count of 3 under mean μ/φ; y/φ = 3.25 lies a quarter of
    the way from there to the score of 4."""
    law = stats.poisson(2.0)
    mid = [law.cdf(k - 1) + 0.5 * law.pmf(k) for k in (3, 4)]
    y = np.array([[3.0 * 1.5, 3.25 * 1.5]])
    scores = normal_scores("quasipoisson", y, np.full((1, 2), 3.0), np.full((1, 2), 1.5))
    expected = stats.norm.ppf([mid[0], 0.75 * mid[0] + 0.25 * mid[1]])
    np.testing.assert_allclose(scores[0], expected, rtol=1e-12)


def _signal_loss(r: np.ndarray, share: float, phi: float) -> float:
    lags = np.arange(1, r.size)
    return float(np.sum((r[1:] - share * phi**lags) ** 2))


def test_signal_plus_noise_is_the_least_squares_fit_scipy_finds():
    """On sample autocorrelations of simulated count scores and of white noise, the grid
    fit reaches the least-squares loss that scipy's bounded optimiser reaches from several
    starts (to the grid's resolution), and its parameters are the optimiser's."""
    rng = np.random.default_rng(11)
    n, top = 120, max_order(120)
    rows = []
    for phi in (0.0, 0.3, 0.6, 0.8, -0.4):
        signal = ArmaProcess([1, -phi], [1]).generate_sample(n, distrvs=rng.standard_normal)
        rows.append(0.8 * signal * np.sqrt(1 - phi**2) + 0.6 * rng.standard_normal(n))
    r = autocorrelations(np.vstack(rows), top)
    share, phi = signal_plus_noise(r)
    for i, row in enumerate(r):
        best = min(
            (
                optimize.minimize(
                    lambda p, row=row: _signal_loss(row, p[0], p[1]),
                    start,
                    bounds=[(0.0, 1.0), (-0.98, 0.98)],
                    method="L-BFGS-B",
                    options={"ftol": 1e-14, "gtol": 1e-12},
                )
                for start in ([0.5, 0.5], [0.5, -0.5], [0.9, 0.9], [0.1, 0.1])
            ),
            key=lambda result: result.fun,
        )
        ours = _signal_loss(row, share[i], phi[i])
        assert ours <= best.fun + 1e-4
        if best.x[0] > 0.2:  # where the signal is there, its parameters are identified
            assert share[i] == pytest.approx(best.x[0], abs=0.05)
            assert phi[i] == pytest.approx(best.x[1], abs=0.02)


@settings(max_examples=40, deadline=None)
@given(
    share=st.floats(0.05, 1.0),
    step=st.integers(-196, 196),
    lags=st.integers(2, 26),
)
def test_signal_plus_noise_recovers_exact_autocorrelations(share, step, lags):
    """Autocorrelations of an AR(1) signal plus noise with the coefficient on the grid give
    back that signal (two lags identify it); the counts' latent AR has those
    autocorrelations up to its order (statsmodels' ARMA autocorrelation function of the AR
    built from the partials)."""
    phi = step * 0.005
    if abs(phi) < 0.05:  # a signal without memory is noise: share and phi are not identified
        return
    r = signal_autocorrelations(np.array([share]), np.array([phi]), lags)
    got_share, got_phi = signal_plus_noise(r)
    assert got_phi[0] == pytest.approx(phi, abs=1e-9)
    assert got_share[0] == pytest.approx(share, abs=1e-9)
    partial, _ = levinson(r)
    table, _ = predictors(partial[0])
    expected = ArmaProcess(np.r_[1, -table[lags]], [1]).acf(lags + 1)
    np.testing.assert_allclose(r[0], expected, atol=1e-8)


def test_counts_fit_signal_plus_noise_and_normal_models_yule_walker():
    """latent_partials: Yule–Walker partials for normal models, the signal-plus-noise AR for
    counts (its partials are those of the fitted autocorrelations)."""
    rng = np.random.default_rng(12)
    scores = rng.standard_normal((3, 120))
    top = max_order(120)
    r = autocorrelations(scores, top)
    np.testing.assert_array_equal(latent_partials("normal", scores, top)[0], levinson(r)[0])
    share, phi = signal_plus_noise(r)
    expected = levinson(signal_autocorrelations(share, phi, top))[0]
    np.testing.assert_array_equal(latent_partials("negbin", scores, top)[0], expected)


def test_independent_counts_get_nulls_close_to_independence():
    """On independent NB2 counts (120 periods) the fitted nulls stay near independence:
    the long-run variance factor of 90% of the nulls is below 2 (measured 5%–95%: 0.64 to
    1.32; the full sieve's twelve free coefficients put the same series' nulls at 0.21 to
    10.9, which fails this test)."""
    rng = np.random.default_rng(13)
    rows, n = 200, 120
    values = rng.negative_binomial(2.0, 2.0 / 5.0, size=(rows, n)).astype(float)
    edges = edges_of(np.broadcast_to(np.array([60, 96]), (rows, 2)), n)
    fit = fitted("negbin", values, edges)
    refit = refit_periods("negbin", edges, None, fit[1][:, 0])
    serial = fit_dependence("auto", "negbin", values, fit, refit, 3)
    factor = long_run_factor(serial.partial)
    assert np.quantile(factor, 0.9) < 2.0
    assert 0.8 < np.median(factor) < 1.25


@pytest.mark.slow
def test_count_nulls_match_the_long_run_variance_of_the_latent_process_in_median():
    """Counts with a latent AR(1) log-rate (φ = 0.8, sd 0.5, mean 3) on 120 periods: the
    median long-run variance factor of the fitted nulls is no more than 10% below the normal
    scores' own (too weak a null makes the tests reject too often) and no more than 30%
    above it. The scores' own: the signal-plus-noise fit to the first 50 autocorrelations of
    one record of 400,000 periods (its sum of autocorrelations is too noisy). Matching the
    estimates on average instead of in median left the median 18% low."""
    rng = np.random.default_rng(14)

    def counts(rows: int, n: int) -> np.ndarray:
        x = np.empty((rows, n))
        x[:, 0] = rng.standard_normal(rows)
        for t in range(1, n):
            x[:, t] = 0.8 * x[:, t - 1] + 0.6 * rng.standard_normal(rows)
        return rng.poisson(3.0 * np.exp(0.5 * x - 0.125)).astype(float)

    record = counts(1, 400_000)
    whole = fitted("negbin", record, edges_of(np.zeros((1, 0), dtype=np.int64), 400_000))
    r = autocorrelations(normal_scores("negbin", record, *whole), 50)
    share, phi = signal_plus_noise(r)
    truth = float(1 + 2 * share[0] * phi[0] / (1 - phi[0]))
    rows, n = 300, 120
    values = counts(rows, n)
    edges = edges_of(np.broadcast_to(np.array([60, 96]), (rows, 2)), n)
    fit = fitted("negbin", values, edges)
    refit = refit_periods("negbin", edges, None, fit[1][:, 0])
    serial = fit_dependence("auto", "negbin", values, fit, refit, 3)
    assert 3.5 < truth < 5.5  # the design: strong dependence, seen through Poisson noise
    assert 0.9 < np.median(long_run_factor(serial.partial)) / truth < 1.3
