"""Exposure offsets (log E_t) in the count models: likelihoods, estimates, rate ratios and LR
statistics against statsmodels GLM with an offset; the posterior against its closed form;
an exposure of ones changes nothing; bad exposures are refused."""

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import gammaln

import periodize as pz
from periodize.exceptions import ParameterError

YEARS = np.arange(1985, 2015)


def data(seed):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.3, 4.0, YEARS.size)
    rate = np.where(YEARS < 1996, 1.2, np.where(YEARS < 2006, 0.4, 2.0))
    counts = rng.poisson(rate * exposure)
    return pd.Series(counts, index=YEARS, name="y"), pd.Series(exposure, index=YEARS)


def glm(y, exposure, boundaries):
    period = np.searchsorted(np.asarray(boundaries), YEARS, side="right")
    design = pd.get_dummies(period).to_numpy(dtype=float)
    return sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(exposure)).fit()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_segment_and_tests_equal_glm_with_offset(seed):
    y, exposure = data(seed)
    fit = pz.segment(y, n_breaks=2, exposure=exposure)
    reference = glm(y.to_numpy(), exposure.to_numpy(), fit.boundaries)
    assert fit.loglik.iloc[0] == pytest.approx(reference.llf, rel=1e-9)
    assert fit.estimates["estimate"].to_numpy() == pytest.approx(np.exp(reference.params), 1e-6)
    # the exact search finds the best partition under the offset: no other is better
    best = max(
        glm(y.to_numpy(), exposure.to_numpy(), b).llf
        for b in itertools.combinations(range(1988, 2013, 4), 2)
        if min(np.diff((1985, *b, 2015))) >= 3
    )
    assert fit.loglik.iloc[0] >= best - 1e-9

    result = pz.test_periodization(y, (1996, 2006), exposure=exposure, n_sim=99)
    full = glm(y.to_numpy(), exposure.to_numpy(), (1996, 2006))
    none = glm(y.to_numpy(), exposure.to_numpy(), ())
    assert result.tests["hypothesis_vs_none"].statistic == pytest.approx(
        2 * (full.llf - none.llf), rel=1e-8
    )
    ratio = np.exp(full.params[1] - full.params[0])
    assert result.periods.loc[("y", 1), "ratio"] == pytest.approx(ratio, rel=1e-6)
    assert result.periods.loc[("y", 1), "exposure"] == pytest.approx(exposure.loc[1996:2005].sum())
    without = glm(y.to_numpy(), exposure.to_numpy(), (2006,))
    assert result.boundary_tests.loc[("y", 1996), "statistic"] == pytest.approx(
        2 * (full.llf - without.llf), rel=1e-8
    )
    compared = pz.compare_periodizations(y, {"h": (1996, 2006)}, exposure=exposure, n_sim=99)
    assert compared.table.loc[("y", "h"), "loglik"] == pytest.approx(full.llf, rel=1e-9)
    assert compared.table.loc[("y", "h"), "p_vs_none"] == result.tests["hypothesis_vs_none"].pvalue


def test_quasipoisson_dispersion_is_scaled_by_exposure():
    y, exposure = data(4)
    weighted = y * 2.5  # a weighted intensity: dispersion 2.5 under a constant rate
    result = pz.test_periodization(
        weighted, (1996, 2006), model="quasipoisson", exposure=exposure, n_sim=99
    )
    reference = glm(weighted.to_numpy(), exposure.to_numpy(), (1996, 2006))
    pearson = reference.pearson_chi2 / reference.df_resid
    assert result.dispersion.iloc[0] == pytest.approx(pearson, rel=1e-8)


def test_unit_exposure_changes_nothing():
    y, _ = data(5)
    ones = pd.Series(1.0, index=YEARS)
    plain = pz.test_periodization(y, (1996, 2006), n_sim=199, rng=3)
    exposed = pz.test_periodization(y, (1996, 2006), n_sim=199, rng=3, exposure=ones)
    assert plain.test_table()["pvalue"].tolist() == exposed.test_table()["pvalue"].tolist()
    a = pz.posterior(y, max_breaks=2)
    b = pz.posterior(y, max_breaks=2, exposure=ones)
    assert a.k_probabilities.to_numpy() == pytest.approx(b.k_probabilities.to_numpy())


def test_posterior_with_exposure_equals_the_closed_form():
    """One series of 7 periods, at most one break: enumerate the closed form
    ∫ Π Poisson(y_t | λ E_t) Gamma(λ | a, b) dλ."""
    y = np.array([1.0, 0.0, 2.0, 5.0, 4.0, 6.0, 3.0])
    e = np.array([0.5, 1.0, 1.5, 2.0, 1.0, 2.5, 1.0])
    a, b = 1.0, 0.8

    def log_marginal(s, t):
        ys, es = y[s:t], e[s:t]
        return (
            a * np.log(b)
            - gammaln(a)
            + gammaln(a + ys.sum())
            - (a + ys.sum()) * np.log(b + es.sum())
            + (ys * np.log(es)).sum()
            - gammaln(ys + 1).sum()
        )

    one = [log_marginal(0, t) + log_marginal(t, 7) for t in range(2, 6)]  # min_size 2
    evidence = [log_marginal(0, 7), np.log(np.mean(np.exp(one)))]
    p_k = np.exp(evidence - np.logaddexp(*evidence))
    post = pz.posterior(y, max_breaks=1, min_size=2, prior={"shape": a, "rate": b}, exposure=e)
    assert post.k_probabilities.to_numpy() == pytest.approx(p_k, rel=1e-10)


def test_robustness_passes_the_exposure():
    events = pz.datasets.mongolia_kazakhstan()
    exposure = pd.Series(np.linspace(0.5, 2.0, 34), index=range(1992, 2026))
    result = pz.robustness(
        events, (2009, 2019), exposure=exposure, n_sim=99, envelope_draws=0, truncations=(1,)
    )
    counts = pz.intensity(events)
    direct = pz.test_periodization(
        counts, (2009, 2019), exposure=exposure, n_sim=99, rng=result.provenance.seed
    )
    baseline = result.table.loc[("baseline", "baseline")]
    assert baseline["p_hypothesis_vs_none"] == direct.tests["hypothesis_vs_none"].pvalue
    negbin = pz.test_periodization(
        counts,
        (2009, 2019),
        model="negbin",
        exposure=exposure,
        n_sim=99,
        rng=result.provenance.seed,
    )
    row = result.table.loc[("model", "negbin")]
    assert row["p_hypothesis_vs_none"] == negbin.tests["hypothesis_vs_none"].pvalue


@pytest.mark.parametrize(
    ("exposure", "options", "message"),
    [
        (np.zeros(30), {}, "finite and positive"),
        (np.ones(29), {}, "must have shape (30,)"),
        (pd.Series(1.0, index=range(1990, 2015)), {}, "no value for periods"),
        (np.ones(30), {"model": "normal"}, "needs a model with an exposure offset"),
        (np.ones(30), {"null": "permutation"}, "not exchangeable"),
    ],
)
def test_bad_exposures(exposure, options, message):
    y, _ = data(6)
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pz.test_periodization(y, (1996, 2006), exposure=exposure, n_sim=99, **options)
