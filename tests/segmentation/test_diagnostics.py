"""Residual diagnostics against statsmodels' acf and acorr_ljungbox."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.tsa.stattools import acf

import periodize as pz
from periodize.segmentation.diagnostics import (
    MIN_PERIODS,
    ljung_box_lags,
    pearson_residuals,
    serial_diagnostics,
)


def ar1(phi, n, rng):
    out = np.empty(n)
    out[0] = rng.standard_normal()
    for t in range(1, n):
        out[t] = phi * out[t - 1] + rng.standard_normal()
    return out


@pytest.mark.parametrize("n", [25, 60, 200])
def test_acf_and_ljung_box_equal_statsmodels(n):
    rng = np.random.default_rng(n)
    values = np.vstack([ar1(phi, n, rng) for phi in (0.0, 0.4, 0.8)])
    table = serial_diagnostics("normal", values, np.zeros_like(values), ("a", "b", "c"), 1)
    lags = ljung_box_lags(n)
    assert lags == min(10, n // 5)
    for row, name in zip(values, "abc", strict=True):
        expected = acf(row, nlags=lags, fft=False)[1:]
        got = table.loc[name, [f"acf_{k}" for k in range(1, lags + 1)]].to_numpy(float)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        box = acorr_ljungbox(row, lags=[lags])
        assert table.loc[name, "ljung_box"] == pytest.approx(box["lb_stat"].iloc[0], rel=1e-10)
        assert table.loc[name, "pvalue"] == pytest.approx(box["lb_pvalue"].iloc[0], rel=1e-8)


def test_pearson_residuals_and_dispersion_of_counts():
    y = np.array([[0.0, 2, 5, 1, 3, 4]])
    mu = np.array([[1.0, 2, 3, 2, 3, 4]])
    np.testing.assert_allclose(pearson_residuals("poisson", y, mu), (y - mu) / np.sqrt(mu))
    np.testing.assert_allclose(
        pearson_residuals("negbin", y, mu, alpha=np.array([0.5])),
        (y - mu) / np.sqrt(mu + 0.5 * mu**2),
    )
    table = serial_diagnostics("poisson", y, mu, ("x",), 2)
    assert table.loc["x", "dispersion"] == pytest.approx(np.sum((y - mu) ** 2 / mu) / 4)


def test_verdicts_say_what_was_found():
    rng = np.random.default_rng(1)
    dependent = ar1(0.7, 150, rng)[None, :]
    independent = np.random.default_rng(4).standard_normal((1, 150))  # Ljung–Box p = 0.51
    short = rng.standard_normal((1, MIN_PERIODS - 1))
    said = serial_diagnostics("normal", dependent, np.zeros_like(dependent), ("a",), 1)
    assert said.loc["a", "verdict"].startswith("the periods' residuals are autocorrelated")
    said = serial_diagnostics("normal", independent, np.zeros_like(independent), ("a",), 1)
    assert said.loc["a", "verdict"].startswith("no evidence of autocorrelation")
    assert "weak evidence" not in said.loc["a", "verdict"]
    yearly = independent[:, :34]  # a yearly dyad's record: no evidence, and weak evidence
    said = serial_diagnostics("normal", yearly, np.zeros_like(yearly), ("a",), 1)
    assert said.loc["a", "verdict"].startswith("no evidence of autocorrelation")
    assert "weak evidence of independence on 34 periods" in said.loc["a", "verdict"]
    said = serial_diagnostics("normal", short, np.zeros_like(short), ("a",), 1)
    assert "too short to check serial dependence" in said.loc["a", "verdict"]
    flat = np.ones((1, 30))
    said = serial_diagnostics("normal", flat, flat, ("a",), 1)
    assert "cannot be checked" in said.loc["a", "verdict"]


def test_segmentation_reports_its_residual_diagnostics():
    """segment() checks the residuals of the segments it found: computed by hand from the
    segment means, on a series of a dyad that is not the bundled one."""
    rng = np.random.default_rng(2)
    y = np.concatenate([ar1(0.6, 60, rng) + 5, ar1(0.6, 60, rng) + 9])
    series = pd.Series(y, index=pd.period_range("2001-01", periods=120, freq="M"), name="x")
    fit = pz.segment(series, n_breaks=1, model="normal")
    (k,) = fit.indices
    means = np.where(np.arange(120) < k, y[:k].mean(), y[k:].mean())
    expected = acf(y - means, nlags=10, fft=False)[1]
    assert fit.diagnostics.loc["x", "acf_1"] == pytest.approx(expected, rel=1e-10)
    assert "autocorrelated" in fit.summary()
    assert fit.to_dict()["series"][0]["diagnostics"]["pvalue"] < 0.05
