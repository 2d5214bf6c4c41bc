"""Profile-likelihood intervals for NB2 means and their ratios, against likelihoods from
statsmodels (family log-likelihoods and offset GLM fits) solved with brentq."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import periodize as pz
from periodize.inference.tests.intervals import negbin_profile, negbin_profile_ratio

CUTOFF = stats.chi2.ppf(0.95, 1)
SEGMENTS = [
    (np.array([3.0, 0.0, 5.0, 2.0, 1.0, 4.0]), np.array([0.0, 1.0, 0.0, 2.0, 0.0])),
    (np.array([1.0, 0.0, 0.0, 2.0]), np.array([6.0, 4.0, 9.0, 3.0, 7.0, 5.0, 8.0])),
    (np.array([12.0, 7.0, 9.0, 15.0, 11.0]), np.array([10.0, 14.0, 8.0])),
]


def family(alpha):
    if alpha == 0:
        return sm.families.Poisson()
    return sm.families.NegativeBinomial(alpha=alpha)


def mean_bounds_by_statsmodels(y, alpha):
    fam, mle = family(alpha), y.mean()

    def excess(log_mu):
        mu = np.full(len(y), np.exp(log_mu))
        return 2 * (fam.loglike(y, np.full(len(y), mle)) - fam.loglike(y, mu)) - CUTOFF

    low = np.exp(optimize.brentq(excess, np.log(mle) - 30, np.log(mle), xtol=1e-12))
    high = np.exp(optimize.brentq(excess, np.log(mle), np.log(mle) + 30, xtol=1e-12))
    return low, high


def ratio_bounds_by_statsmodels(y1, y2, alpha):
    y = np.concatenate([y1, y2])
    later = np.concatenate([np.zeros(len(y1)), np.ones(len(y2))])
    fam = family(alpha)
    free = sm.GLM(y, np.column_stack([np.ones_like(y), later]), family=fam).fit().llf

    def excess(log_ratio):
        fit = sm.GLM(y, np.ones((len(y), 1)), family=fam, offset=log_ratio * later).fit()
        return 2 * (free - fit.llf) - CUTOFF

    centre = np.log(y2.mean() / y1.mean())
    low = np.exp(optimize.brentq(excess, centre - 20, centre, xtol=1e-10))
    high = np.exp(optimize.brentq(excess, centre, centre + 20, xtol=1e-10))
    return low, high


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1.5])
@pytest.mark.parametrize("y1, y2", SEGMENTS)
def test_mean_interval_equals_the_statsmodels_likelihood_root(y1, y2, alpha):
    low, high = negbin_profile(
        np.array([y1.sum()]), np.array([float(len(y1))]), np.array([alpha]), 0.95
    )
    expected = mean_bounds_by_statsmodels(y1, alpha)
    np.testing.assert_allclose([low[0], high[0]], expected, rtol=1e-7)


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1.5])
@pytest.mark.parametrize("y1, y2", SEGMENTS)
def test_ratio_interval_equals_the_statsmodels_profile_root(y1, y2, alpha):
    ratio, low, high = negbin_profile_ratio(
        np.array([y1.sum()]),
        np.array([float(len(y1))]),
        np.array([y2.sum()]),
        np.array([float(len(y2))]),
        np.array([alpha]),
        0.95,
    )
    assert ratio[0] == pytest.approx(y2.mean() / y1.mean())
    np.testing.assert_allclose(
        [low[0], high[0]], ratio_bounds_by_statsmodels(y1, y2, alpha), rtol=1e-6
    )


def test_periods_without_events():
    zeros, some = np.zeros(5), np.array([2.0, 0.0, 3.0, 1.0])
    for alpha in (0.0, 0.7):
        low, high = negbin_profile(np.array([0.0]), np.array([5.0]), np.array([alpha]), 0.95)
        fam = family(alpha)

        def excess(mu, fam=fam):
            return -2 * fam.loglike(zeros, np.full(5, mu)) - CUTOFF

        assert low[0] == 0.0
        assert high[0] == pytest.approx(optimize.brentq(excess, 1e-9, 50.0), rel=1e-8)
        one = np.array([1.0])
        ratio, r_low, r_high = negbin_profile_ratio(
            one * some.sum(), one * 4, one * 0, one * 5, one * alpha, 0.95
        )
        assert ratio[0] == 0.0 and r_low[0] == 0.0 and 0 < r_high[0] < np.inf
        ratio, r_low, r_high = negbin_profile_ratio(
            one * 0, one * 5, one * some.sum(), one * 4, one * alpha, 0.95
        )
        assert ratio[0] == np.inf and 0 < r_low[0] < np.inf and r_high[0] == np.inf
        ratio, r_low, r_high = negbin_profile_ratio(
            one * 0, one * 5, one * 0, one * 4, one * alpha, 0.95
        )
        assert np.isnan([ratio[0], r_low[0], r_high[0]]).all()


def test_periodization_reports_alpha_and_its_profile_intervals():
    y = np.array([5.0, 9, 2, 7, 4, 8, 1, 6, 0, 2, 1, 0, 3, 1, 0, 2])
    result = pz.test_periodization(y, (8,), model="negbin", n_sim=99, rng=0)
    mean, var = y.mean(), y.var(ddof=1)
    alpha = (var - mean) / mean**2  # method of moments, by hand
    assert result.dispersion.iloc[0] == pytest.approx(alpha)
    assert "NB2 alpha" in str(result) and "profile-likelihood" in str(result)
    table = result.to_frame()
    ratio = table.iloc[1]
    expected = ratio_bounds_by_statsmodels(y[:8], y[8:], alpha)
    np.testing.assert_allclose([ratio["ratio_lower"], ratio["ratio_upper"]], expected, rtol=1e-6)
    expected = mean_bounds_by_statsmodels(y[8:], alpha)
    np.testing.assert_allclose([ratio["lower"], ratio["upper"]], expected, rtol=1e-7)


def scipy_loglik(total, length, mean, alpha):
    """NB2 (Poisson for alpha 0) log-likelihood of ``length`` periods holding ``total``
    events in one period, from scipy's pmfs; depends on the data only through the total."""
    y = np.zeros(int(length))
    y[0] = total
    if alpha == 0:
        return stats.poisson.logpmf(y, mean).sum()
    return stats.nbinom.logpmf(y, 1 / alpha, 1 / (1 + alpha * mean)).sum()


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(0, 400),
    length=st.integers(1, 60),
    alpha=st.one_of(st.just(0.0), st.floats(0.01, 5.0)),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_mean_bounds_sit_on_the_cutoff(total, length, alpha, level):
    low, high = negbin_profile(
        np.array([float(total)]), np.array([float(length)]), np.array([alpha]), level
    )
    estimate = total / length
    assert low[0] <= estimate <= high[0]
    cutoff = stats.chi2.ppf(level, 1)
    best = scipy_loglik(total, length, estimate, alpha)
    bounds = [high[0]] + ([low[0]] if total > 0 else [])
    for bound in bounds:
        deviance = 2 * (best - scipy_loglik(total, length, bound, alpha))
        assert deviance == pytest.approx(cutoff, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    first=st.integers(1, 200),
    second=st.integers(1, 200),
    lengths=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    alpha=st.one_of(st.just(0.0), st.floats(0.01, 3.0)),
)
def test_ratio_bounds_sit_on_the_cutoff(first, second, lengths, alpha):
    m1, m2 = lengths
    one = np.ones(1)
    ratio, low, high = negbin_profile_ratio(
        one * first, one * m1, one * second, one * m2, one * alpha, 0.95
    )
    assert low[0] <= ratio[0] <= high[0]
    best = scipy_loglik(first, m1, first / m1, alpha)
    best += scipy_loglik(second, m2, second / m2, alpha)

    def profile(r):
        fit = optimize.minimize_scalar(
            lambda log_mu: (
                -(
                    scipy_loglik(first, m1, np.exp(log_mu), alpha)
                    + scipy_loglik(second, m2, r * np.exp(log_mu), alpha)
                )
            ),
            bracket=(np.log(first / m1) - 1, np.log(first / m1) + 1),
            tol=1e-12,
        )
        return -fit.fun

    for bound in (low[0], high[0]):
        assert 2 * (best - profile(bound)) == pytest.approx(CUTOFF, rel=1e-5)
