"""The trend null: GLM fits, statistics and shift intervals against statsmodels; the level
of the test when the truth is a trend without shifts (where a constant-rate null rejects far
too often); exposure and quasi-Poisson."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import periodize as pz
from periodize.inference.tests.trend import design, fit
from periodize.segmentation.costs.negbin import moment_alpha

YEARS = np.arange(1990, 2020)
N = YEARS.size


def trending_counts(seed, n_series=1, slope=1.5, shift=0.0):
    rng = np.random.default_rng(seed)
    t = (np.arange(N) - (N - 1) / 2) / N
    rate = np.exp(0.7 + slope * t + shift * (YEARS >= 2005))
    values = rng.poisson(rate, size=(n_series, N)).T
    return pd.DataFrame(values, index=YEARS, columns=[f"s{i}" for i in range(n_series)])


def statsmodels_fit(y, x, family, offset=None):
    return sm.GLM(y, x, family=family, offset=offset).fit(tol=1e-12, maxiter=200)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fits_equal_statsmodels(seed):
    y = trending_counts(seed)["s0"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.5, 2.0, N)
    x = design(N, np.array([15]))
    ours = fit("poisson", y[None], x, np.log(exposure)[None])
    theirs = statsmodels_fit(y, x, sm.families.Poisson(), np.log(exposure))
    assert ours.loglik[0] == pytest.approx(theirs.llf, rel=1e-9)
    assert ours.pearson[0] == pytest.approx(theirs.pearson_chi2 / theirs.df_resid, rel=1e-7)
    alpha = moment_alpha(y[None])
    ours = fit("negbin", y[None], x, None, alpha)
    theirs = statsmodels_fit(y, x, sm.families.NegativeBinomial(alpha=float(alpha[0])))
    assert ours.loglik[0] == pytest.approx(theirs.llf, rel=1e-9)
    ours = fit("normal", y[None], x)
    theirs = sm.OLS(y, x).fit()
    assert ours.loglik[0] == pytest.approx(theirs.llf, rel=1e-9)


@pytest.mark.parametrize("model", ["poisson", "quasipoisson", "normal"])
def test_statistic_and_shifts_equal_statsmodels(model):
    frame = trending_counts(4, shift=-0.8).astype(float)
    y = frame["s0"].to_numpy()
    result = pz.test_periodization(frame, (2005,), model=model, n_sim=99, null="trend")
    position = np.array([15])
    family = sm.families.Gaussian() if model == "normal" else sm.families.Poisson()
    full = statsmodels_fit(y, design(N, position), family)
    none = statsmodels_fit(y, design(N, position[:0]), family)
    if model == "normal":  # Gaussian ML: the variance profiled out
        expected = N * np.log(none.deviance / full.deviance)
    else:
        expected = 2 * (full.llf - none.llf)
    if model == "quasipoisson":
        expected /= full.pearson_chi2 / full.df_resid
    test = result.tests["hypothesis_vs_trend"]
    assert test.statistic == pytest.approx(expected, rel=1e-7)
    row = result.boundary_tests.iloc[0]
    assert row["statistic"] == pytest.approx(expected, rel=1e-7)
    scale = full.pearson_chi2 / full.df_resid if model != "poisson" else 1.0
    se = np.sqrt(np.diag(full.cov_params(scale=scale)))[2]
    estimate = full.params[2]
    column = "difference" if model == "normal" else "ratio"
    transform = (lambda v: v) if model == "normal" else np.exp
    assert row[column] == pytest.approx(transform(estimate), rel=1e-6)
    assert row[f"{column}_lower"] == pytest.approx(transform(estimate - 1.959964 * se), rel=1e-5)


@pytest.mark.slow
def test_level_when_the_truth_is_a_trend():
    """400 series with a steady upward trend and no shift at 2005: the trend test rejects
    about 5% of them at 5% (periods drawn independently, as they are; with the dependent
    null, on 100 of them, within the same band); the constant-rate test, misled by the
    trend, far more."""
    frame = trending_counts(7, n_series=400)
    options = {"n_sim": 199, "null": "trend", "rng": 2}
    result = pz.test_periodization(frame, (2005,), dependence="independent", **options)
    p = result.test_table()["pvalue"].unstack("test")
    rejected = (p["hypothesis_vs_trend"] <= 0.05).mean()
    assert abs(rejected - 0.05) < 3.5 * np.sqrt(0.05 * 0.95 / 400), rejected
    assert (p["hypothesis_vs_none"] <= 0.05).mean() > 0.5
    dependent = pz.test_periodization(frame.iloc[:, :100], (2005,), **options)
    p = dependent.test_table()["pvalue"].xs("hypothesis_vs_trend", level="test")
    assert abs((p <= 0.05).mean() - 0.05) < 3.5 * np.sqrt(0.05 * 0.95 / 100)


@pytest.mark.slow
def test_power_when_there_is_a_shift_on_top_of_the_trend():
    """A shift of e^1 at 2005 on top of the trend: the Monte Carlo test finds it about as
    often as the chi-squared approximation does (both valid here, 30 periods, rate 2-9,
    independent periods drawn independently); the dependent null, which fits an AR to
    every series, pays for it with some power on these independent series."""
    frame = trending_counts(8, n_series=200, shift=1.0)
    options = {"n_sim": 199, "null": "trend", "rng": 2}
    result = pz.test_periodization(frame, (2005,), dependence="independent", **options)
    table = result.test_table().xs("hypothesis_vs_trend", level="test")
    monte_carlo = (table["pvalue"] <= 0.05).mean()
    asymptotic = (table["pvalue_asymptotic"] <= 0.05).mean()
    assert monte_carlo > 0.6
    assert abs(monte_carlo - asymptotic) < 0.08
    dependent = pz.test_periodization(frame, (2005,), **options)
    table = dependent.test_table().xs("hypothesis_vs_trend", level="test")
    assert monte_carlo - 0.15 < (table["pvalue"] <= 0.05).mean() <= monte_carlo + 0.03


def test_trend_with_exposure_equals_statsmodels():
    frame = trending_counts(9).astype(float)
    exposure = pd.Series(np.linspace(0.5, 2.5, N), index=YEARS)
    result = pz.test_periodization(frame, (2005,), n_sim=99, null="trend", exposure=exposure)
    y = frame["s0"].to_numpy()
    offset = np.log(exposure.to_numpy())
    full = statsmodels_fit(y, design(N, np.array([15])), sm.families.Poisson(), offset)
    none = statsmodels_fit(y, design(N, np.array([], int)), sm.families.Poisson(), offset)
    assert result.tests["hypothesis_vs_trend"].statistic == pytest.approx(
        2 * (full.llf - none.llf), rel=1e-8
    )


def test_trend_is_not_for_the_comparison_or_normal_meanvar():
    frame = trending_counts(1)
    with pytest.raises(pz.ParameterError, match="'null'"):
        pz.compare_periodizations(frame, {"a": (2005,)}, null="trend")
    with pytest.raises(pz.ParameterError, match="normal_meanvar"):
        pz.test_periodization(frame, (2005,), model="normal_meanvar", null="trend")
