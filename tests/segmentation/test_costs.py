"""Costs and likelihoods against independent computations (scipy, statsmodels)."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from periodize.segmentation.costs import (
    COSTS,
    NegativeBinomialCost,
    NormalCost,
    NormalMeanVarCost,
    PoissonCost,
)

RNG = np.random.default_rng(7)
COUNTS = RNG.poisson(np.repeat([2.0, 6.0, 3.0], 8))[None, :].astype(float)
OVERDISPERSED = RNG.negative_binomial(2, 2 / (2 + np.repeat([3.0, 9.0], 12)))[None, :].astype(
    float
)
GAUSS = RNG.normal(np.repeat([0.0, 2.0, -1.0], 8), 1.3)[None, :]
EDGES = [
    np.array([[0, 24]]),
    np.array([[0, 8, 24]]),
    np.array([[0, 8, 16, 24]]),
    np.array([[0, 5, 13, 24]]),
]


def dummies(edges, n):
    segment = np.searchsorted(edges[0, 1:-1], np.arange(n), side="right")
    return np.eye(edges.shape[1] - 1)[segment]


def slices(y, edges):
    return [y[a:b] for a, b in zip(edges[0, :-1], edges[0, 1:], strict=True)]


def poisson_loglik(y, edges):
    return sum(stats.poisson.logpmf(s, s.mean()).sum() for s in slices(y, edges))


@pytest.mark.parametrize("edges", EDGES)
def test_poisson_loglik_equals_statsmodels_glm(edges):
    y = COUNTS[0]
    glm = sm.GLM(y, dummies(edges, len(y)), family=sm.families.Poisson()).fit()
    cost = PoissonCost(COUNTS)
    assert cost.loglik(edges)[0] == pytest.approx(glm.llf, rel=1e-10)
    rate, se = cost.estimates(edges[:, :-1], edges[:, 1:])
    np.testing.assert_allclose(rate[0], np.exp(glm.params), rtol=1e-8)
    np.testing.assert_allclose(se[0], np.exp(glm.params) * glm.bse, rtol=1e-5)  # delta method


@pytest.mark.parametrize("edges", EDGES)
def test_negbin_loglik_equals_statsmodels_glm_with_fixed_alpha(edges):
    y = OVERDISPERSED[0]
    cost = NegativeBinomialCost(OVERDISPERSED)
    alpha = cost.alpha[0]
    assert alpha > 0
    family = sm.families.NegativeBinomial(alpha=alpha)
    glm = sm.GLM(y, dummies(edges, len(y)), family=family).fit()
    assert cost.loglik(edges)[0] == pytest.approx(glm.llf, rel=1e-9)
    mean, _ = cost.estimates(edges[:, :-1], edges[:, 1:])
    np.testing.assert_allclose(mean[0], np.exp(glm.params), rtol=1e-7)


def test_negbin_alpha_is_the_moment_estimator():
    y = OVERDISPERSED[0]
    expected = (y.var(ddof=1) - y.mean()) / y.mean() ** 2
    assert NegativeBinomialCost(OVERDISPERSED).alpha[0] == pytest.approx(expected)
    under = np.array([[1.0, 1.0, 1.0, 2.0]])  # variance below the mean: alpha 0, Poisson
    assert NegativeBinomialCost(under).alpha[0] == 0
    np.testing.assert_allclose(
        NegativeBinomialCost(under).cost(np.array([0, 1]), np.array([2, 4])),
        PoissonCost(under).cost(np.array([0, 1]), np.array([2, 4])),
    )


@pytest.mark.parametrize("edges", EDGES)
def test_normal_loglik_and_se_equal_ols(edges):
    y = GAUSS[0]
    ols = sm.OLS(y, dummies(edges, len(y))).fit()
    cost = NormalCost(GAUSS)
    assert cost.loglik(edges)[0] == pytest.approx(ols.llf, rel=1e-10)
    mean, se = cost.estimates(edges[:, :-1], edges[:, 1:])
    np.testing.assert_allclose(mean[0], ols.params, rtol=1e-10)
    np.testing.assert_allclose(se[0], ols.bse, rtol=1e-10)


@pytest.mark.parametrize("edges", EDGES)
def test_normal_meanvar_loglik_by_hand(edges):
    y = GAUSS[0]
    expected = sum(stats.norm.logpdf(s, s.mean(), s.std()).sum() for s in slices(y, edges))
    assert NormalMeanVarCost(GAUSS).loglik(edges)[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("name", sorted(COSTS))
@pytest.mark.parametrize("data", [COUNTS, GAUSS + 5])
def test_cost_differences_are_deviance_differences(name, data):
    """Costs drop only terms that do not depend on the segmentation."""
    if name == "poisson" and not np.allclose(data, np.round(data)):
        data = np.round(data)
    cost = COSTS[name](data)
    scale = {
        "quasipoisson": cost.nuisance().get("dispersion"),
        "quasipoisson_trend": cost.nuisance().get("dispersion"),
        "normal": cost.nuisance().get("sigma2"),
        "normal_trend": cost.nuisance().get("sigma2"),
    }.get(name)
    scale = 1.0 if scale is None else scale[0]
    a, b = EDGES[1], EDGES[3]
    difference = cost.total_cost(a)[0] - cost.total_cost(b)[0]
    if name in ("normal", "normal_trend"):  # the variance is profiled in loglik; cost RSS/σ²
        degree = int(name == "normal_trend")  # a level, or a line, per segment

        def rss(s):
            t = np.arange(len(s))
            return ((s - np.polyval(np.polyfit(t, s, degree), t)) ** 2).sum()

        totals = [sum(rss(s) for s in slices(data[0], e)) for e in (a, b)]
        assert difference == pytest.approx((totals[0] - totals[1]) / scale)
    else:
        assert difference * scale == pytest.approx(-2 * (cost.loglik(a)[0] - cost.loglik(b)[0]))


def test_quasipoisson_dispersion_and_se():
    y = COUNTS * 2.5  # a weighted intensity: variance 2.5 times the mean
    cost = COSTS["quasipoisson"](y)
    diffs = np.diff(y[0])
    phi = np.mean(diffs**2) / (2 * y[0].mean())
    assert cost.nuisance()["dispersion"][0] == pytest.approx(phi)
    rate, se = cost.estimates(np.array([0]), np.array([24]))
    assert se[0, 0] == pytest.approx(np.sqrt(phi * rate[0, 0] / 24))


def test_segments_are_priced_for_many_series_at_once():
    data = np.vstack([COUNTS, COUNTS[:, ::-1], COUNTS * 0])
    cost = PoissonCost(data)
    starts, ends = np.array([0, 3, 10]), np.array([5, 20, 24])
    batched = cost.cost(starts, ends)
    for i in range(3):
        np.testing.assert_allclose(batched[i], PoissonCost(data[i : i + 1]).cost(starts, ends)[0])
    assert np.all(batched[2] == 0)


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["poisson", "quasipoisson", "normal"]),
    seed=st.integers(0, 2**32 - 1),
    exposed=st.booleans(),
    constant=st.booleans(),
)
def test_loglik_from_segment_sums_equals_the_sum_over_periods(model, seed, exposed, constant):
    """Poisson and normal costs compute the log-likelihood from segment sums; it equals the
    per-period log-densities summed (the base class's way), exposures and ties included."""
    from periodize.segmentation.costs.base import Cost

    rng = np.random.default_rng(seed)
    values = np.full((4, 24), 2.0) if constant else rng.poisson(2.5, (4, 24)).astype(float)
    if model == "quasipoisson":
        values = values * 1.5
    exposure = rng.uniform(0.3, 3.0, (4, 24)) if exposed and model != "normal" else None
    cost = COSTS[model](values, exposure=exposure)
    edges = np.array([[0, 5, 12, 24]] * 4)
    np.testing.assert_allclose(cost.loglik(edges), Cost.loglik(cost, edges), rtol=1e-12)


def test_negbin_partial_loglik_differences_equal_full_loglik_differences():
    """The segment-sum shortcut differs from the full NB2 log-likelihood by terms free of
    the segmentation: every difference between two segmentations is the same."""
    from periodize.segmentation.costs import COSTS

    values = np.random.default_rng(5).negative_binomial(2.0, 0.3, size=(4, 25)).astype(float)
    cost = COSTS["negbin"](values)
    one = np.array([[0, 10, 25]] * 4)
    two = np.array([[0, 5, 17, 25]] * 4)
    np.testing.assert_allclose(
        cost.partial_loglik(one) - cost.partial_loglik(two),
        cost.loglik(one) - cost.loglik(two),
        rtol=1e-9,
    )
