"""The piecewise-linear trend model (``normal_trend``) against ordinary least squares."""

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.segmentation.costs import TrendNormalCost
from periodize.segmentation.costs.trend import second_difference_variance

RNG = np.random.default_rng(11)
T = np.arange(30)
# rises for 12 periods, then a jump and a fall: two lines, a break at 12
SIGNAL = np.where(T < 12, 1.0 + 0.5 * T, 14.0 - 0.4 * (T - 12))
Y = SIGNAL + RNG.normal(0, 0.6, T.size)


def design(edges, n):
    """Per segment an intercept at the segment's middle and a slope: the OLS design whose
    parameters are the model's estimates (mean of the segment, slope per period)."""
    columns = []
    for a, b in pairwise(edges):
        inside = (np.arange(n) >= a) & (np.arange(n) < b)
        middle = (a + b - 1) / 2
        columns += [inside * 1.0, inside * (np.arange(n) - middle)]
    return np.column_stack(columns)


def test_segment_cost_is_the_ols_line_rss_over_the_second_difference_variance():
    cost = TrendNormalCost(Y[None])
    sigma2 = np.mean(np.diff(Y, 2) ** 2) / 6
    assert cost.sigma2[0] == pytest.approx(sigma2, rel=1e-12)
    for a, b in [(0, 30), (0, 12), (12, 30), (5, 9), (7, 10)]:
        t = np.arange(a, b)
        ols = sm.OLS(Y[a:b], sm.add_constant(t)).fit()
        assert cost.cost(a, b)[0, 0] == pytest.approx(ols.ssr / sigma2, rel=1e-9, abs=1e-12)


def test_second_difference_variance_ignores_any_straight_line():
    noise = RNG.normal(size=(3, 50))
    line = 40.0 - 7.5 * np.arange(50)
    np.testing.assert_allclose(
        second_difference_variance(noise + line), second_difference_variance(noise), rtol=1e-9
    )
    assert second_difference_variance(np.zeros((1, 5)))[0] == 1.0  # no variation: unit scale


@pytest.mark.parametrize("edges", [(0, 30), (0, 12, 30), (0, 8, 12, 30)])
def test_estimates_loglik_and_fitted_values_equal_one_ols_fit(edges):
    fit = sm.OLS(Y, design(edges, Y.size)).fit()
    cost = TrendNormalCost(Y[None])
    e = np.array([edges])
    mean, se = cost.estimates(e[:, :-1], e[:, 1:])
    slope, slope_se = cost.slopes(e[:, :-1], e[:, 1:])
    np.testing.assert_allclose(mean[0], fit.params[0::2], rtol=1e-9)
    np.testing.assert_allclose(slope[0], fit.params[1::2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(slope_se[0], fit.bse[1::2], rtol=1e-9)
    # the mean's se: the pooled residual sd over sqrt(m) (the line at its middle)
    pooled = np.sqrt(fit.ssr / fit.df_resid)
    np.testing.assert_allclose(se[0], pooled / np.sqrt(np.diff(edges)), rtol=1e-9)
    np.testing.assert_allclose(cost.fitted_means(e)[0], fit.fittedvalues, rtol=1e-9)
    assert cost.loglik(e)[0] == pytest.approx(fit.llf, rel=1e-10)


def test_segment_finds_the_two_lines_and_reports_their_slopes():
    series = pd.Series(Y, index=range(1991, 2021))
    fit = pz.segment(series, n_breaks=1, model="normal_trend")
    assert fit.boundaries == (2003,)  # period 12: the first year of the falling line
    rows = fit.estimates.loc["series"]
    ols = [sm.OLS(Y[a:b], sm.add_constant(np.arange(a, b))).fit() for a, b in [(0, 12), (12, 30)]]
    np.testing.assert_allclose(rows["slope"], [o.params[1] for o in ols], rtol=1e-9)
    segments = fit.to_dict()["series"][0]["segments"]
    assert segments[1]["slope"] == pytest.approx(ols[1].params[1], rel=1e-9)
    assert set(segments[0]) >= {"estimate", "se", "slope", "slope_se"}


def test_bic_keeps_a_trend_one_period_where_the_mean_shift_model_cuts_steps():
    line = 0.08 * np.arange(120) + RNG.normal(0, 1.0, 120)  # a drift of ~10 sd, no change
    assert pz.segment(line, model="normal_trend", penalty="bic").n_breaks == 0
    assert pz.segment(line, model="normal", penalty="bic").n_breaks >= 2


def test_the_plot_draws_each_segment_s_line():
    import matplotlib

    matplotlib.use("Agg")
    fit = pz.segment(pd.Series(Y, index=range(1991, 2021)), n_breaks=1, model="normal_trend")
    ax = fit.plot().axes[0]
    drawn = [line.get_ydata() for line in ax.get_lines() if line.get_label() != "_nolegend_"]
    fitted = TrendNormalCost(Y[None]).fitted_means(np.array([[0, 12, 30]]))[0]
    # the first segment's line from period -0.4 to 11.4 (its bars' outer edges)
    slope = (fitted[11] - fitted[0]) / 11
    np.testing.assert_allclose(
        drawn[0], [fitted[0] - 0.4 * slope, fitted[11] + 0.4 * slope], rtol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=9, max_size=14),
    st.sampled_from([0.0, 3.0, 20.0]),
)
def test_compiled_searches_equal_the_numpy_references(values, beta):
    from periodize.segmentation.search.dynamic import exact_path
    from periodize.segmentation.search.pelt import optimal_partitioning, pelt

    y = np.array(values)[None]
    deviations = np.abs(y - np.median(y))
    # the spread segment takes (it refuses deviations under 1e-100: their squares are
    # subnormal, as in [0, ..., 0, 1e-157], which hypothesis found)
    assume(np.all((deviations == 0) | (deviations > 1e-100)))
    k = len(values) // 3 - 1
    compiled, reference = (exact_path(TrendNormalCost, y, k, 3, compiled=c) for c in (True, False))
    np.testing.assert_allclose(compiled.costs, reference.costs, rtol=1e-9, atol=1e-7)
    optimum, _ = optimal_partitioning(TrendNormalCost(y), beta, 3)
    for flag in (True, False):
        assert pelt(TrendNormalCost(y), beta, 3, compiled=flag)[0] == pytest.approx(
            optimum[0], rel=1e-9, abs=1e-7
        )


def test_tests_refuse_the_trend_model_and_name_the_trend_null():
    series = pd.Series(Y, index=range(1991, 2021))
    with pytest.raises(ParameterError, match="null='trend'"):
        pz.test_periodization(series, (2003,), model="normal_trend", n_sim=99)
    with pytest.raises(ParameterError, match="'auto'"):
        pz.segment(series, model="normal_trend")  # the default penalty measures levels


def test_the_diagnostics_of_lines_read_the_raw_residuals():
    """Residual autocorrelation of a fit of lines: statsmodels' acf and Ljung–Box on
    y minus the lines (not Pearson residuals of counts)."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import acf

    y = Y - 10.0  # negative values: a Pearson residual of counts would be undefined
    fit = pz.segment(pd.Series(y, index=range(1991, 2021)), n_breaks=1, model="normal_trend")
    residuals = y - TrendNormalCost(y[None]).fitted_means(np.array([[0, 12, 30]]))[0]
    row = fit.diagnostics.loc["series"]
    expected = acf(residuals, nlags=int(row["lags"]), fft=False)[1:]
    np.testing.assert_allclose([row[f"acf_{k}"] for k in range(1, 7)], expected[:6], rtol=1e-9)
    box = acorr_ljungbox(residuals, lags=[int(row["lags"])])
    assert row["pvalue"] == pytest.approx(float(box["lb_pvalue"].iloc[0]), rel=1e-9)
