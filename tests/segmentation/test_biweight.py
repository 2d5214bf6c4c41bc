"""The robust biweight model: its segment cost by brute force, R-FPOP against optimal
partitioning, the robust scale, and what it does with outliers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.segmentation.costs.biweight import BiweightCost, robust_sd, segment_fit
from periodize.segmentation.search.pelt import optimal_partitioning
from periodize.segmentation.search.rfpop import rfpop, rfpop_breaks

VALUES = st.lists(
    st.one_of(st.floats(-6, 6, allow_nan=False), st.integers(-40, 40).map(float)),
    min_size=1,
    max_size=14,
)


def brute_segment(z, bound=3.0):
    """min over mu of sum(min((z - mu)^2, bound^2)): the minimiser is the mean of the
    observations within ``bound`` of it, a run of the sorted values, so trying the mean of
    every run (and no inlier at all) finds it."""
    v = np.sort(np.asarray(z, dtype=float))
    m = len(v)

    def loss(mu):
        return float(np.minimum((v - mu) ** 2, bound**2).sum())

    candidates = [v[i : j + 1].mean() for i in range(m) for j in range(i, m)]
    return min([loss(mu) for mu in candidates] + [m * bound**2])


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_the_segment_cost_is_the_brute_force_minimum(values):
    z = np.array(values)
    cost, mu, inliers = segment_fit(z, 3.0)
    expected = brute_segment(z)
    assert cost == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert float(np.minimum((z - mu) ** 2, 9.0).sum()) == pytest.approx(cost, rel=1e-9, abs=1e-9)
    assert inliers == int(np.sum(np.abs(z - mu) <= 3.0 + 1e-12))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=22),
    st.lists(st.sampled_from([0.0, 12.0, -20.0]), min_size=22, max_size=22),
    st.sampled_from([0.0, 1.0, 4.0, 15.0]),
    st.integers(1, 3),
    st.booleans(),
)
def test_rfpop_equals_optimal_partitioning(noise, jumps, beta, min_size, rounded):
    """Outliers and shifts (``jumps``), ties (``rounded``), every penalty and min_size:
    R-FPOP's optimum is optimal partitioning's over the exact segment costs, and its
    breaks price to it."""
    y = np.array(noise) + np.array(jumps[: len(noise)])
    y = np.round(y) if rounded else y
    if len(y) < min_size:
        return
    cost = BiweightCost(y[None])
    expected, _ = optimal_partitioning(cost, beta, min_size)
    optimum, _, _ = rfpop(cost, beta, min_size)
    # R-FPOP's pieces hold squares of the standardised values: its rounding error grows
    # with the largest of them (1e12 where most differences are 0 and one value is 1e6
    # noise sd away, as hypothesis found: 5e-5 off then, with the right breaks)
    variance = cost.nuisance()["sigma2"][0]
    largest = float(np.max(y**2) / variance) if variance > 0 else 0.0
    tolerance = max(1e-9, 1e-15 * largest * len(y))
    assert optimum[0] == pytest.approx(expected[0], rel=1e-9, abs=tolerance)
    breaks = rfpop_breaks(cost, beta, min_size)[0]
    edges = np.array([[0, *breaks, len(y)]])
    assert (np.diff(edges) >= min_size).all()
    priced = cost.total_cost(edges)[0] + beta * len(breaks)
    assert priced == pytest.approx(expected[0], rel=1e-9, abs=tolerance)


def test_many_series_at_once_equal_each_alone():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, 200)) + 3.0 * (np.arange(200) >= 120)
    values[rng.random(values.shape) < 0.03] += 25.0
    together = rfpop_breaks(BiweightCost(values), 10.0, 3)
    for i in range(5):
        assert together[i] == rfpop_breaks(BiweightCost(values[i : i + 1]), 10.0, 3)[0]


def test_the_robust_scale_ignores_shifts_and_outliers():
    rng = np.random.default_rng(5)
    noise = rng.normal(0.0, 2.0, (1, 3000))
    spoilt = noise + 50.0 * (np.arange(3000) >= 1500)  # a shift
    spoilt[0, ::100] += 80.0  # and 1% outliers (each spoils two differences)
    assert robust_sd(spoilt)[0] == pytest.approx(robust_sd(noise)[0], rel=0.04)
    assert robust_sd(noise)[0] == pytest.approx(2.0, rel=0.08)
    assert robust_sd(np.zeros((1, 5)))[0] == 1.0


def test_estimates_and_pseudo_likelihood_by_hand():
    y = np.array([0.0, 0.2, -0.2, 0.1, 25.0, -0.1, 6.0, 6.2, 5.8, 6.1, 5.9, 6.0])
    fit = pz.segment(y, model="biweight", n_breaks=1)
    assert fit.indices == (6,)
    sigma = np.median(np.abs(np.diff(y))) / (0.6744897501960817 * np.sqrt(2))
    first = y[:6][np.abs(y[:6] - y[:6].mean()) < 10]  # the 25 is out of the band
    assert fit.estimates["estimate"].iloc[0] == pytest.approx(first.mean(), rel=1e-9)
    assert fit.estimates["se"].iloc[0] == pytest.approx(sigma / np.sqrt(5), rel=1e-9)
    levels = np.repeat(fit.estimates["estimate"].to_numpy(), [6, 6])
    loss = np.minimum(((y - levels) / sigma) ** 2, 9.0)
    expected = -0.5 * np.sum(np.log(2 * np.pi * sigma**2) + loss)
    assert fit.loglik.iloc[0] == pytest.approx(expected, rel=1e-9)


def test_outliers_are_not_periods():
    """Two shifts of 1.5–2 sd and 5% outliers of 8 sd (the accuracy benchmark's design):
    the biweight finds two breaks far more often than the quadratic cost with the same
    penalty."""
    rng = np.random.default_rng(11)
    n, rows = 120, 150
    mean = np.repeat([0.0, 2.0, 0.5], 40)
    noise = rng.standard_normal((rows, n))
    outliers = rng.random((rows, n)) < 0.05
    values = mean + np.where(outliers, rng.choice([-8.0, 8.0], (rows, n)), noise)
    robust = pz.segment(values.T, model="biweight", penalty="bic")
    plain = pz.segment(values.T, model="normal", penalty="bic")
    right = np.mean([len(b) == 2 for b in robust.break_indices])
    assert right >= 0.7 and right > np.mean([len(b) == 2 for b in plain.break_indices]) + 0.2


def test_refusals_name_the_way_out():
    y = pd.Series(np.r_[np.zeros(10), np.ones(10)] + 0.1 * np.arange(20) % 3)
    with pytest.raises(ParameterError, match="not mbic"):
        pz.segment(y, model="biweight", penalty="mbic")
    with pytest.raises(ParameterError, match="Use method='exact'"):
        pz.segment(y, model="biweight", penalty="bic", method="fpop")
    with pytest.raises(ParameterError, match=r"at most 500 periods.*Pass a penalty"):
        pz.segment(np.arange(600.0) % 7, model="biweight", n_breaks=1)
    with pytest.raises(ParameterError, match="is for segment"):
        pz.test_periodization(y, (10,), model="biweight", n_sim=99)


def test_the_penalty_auto_measures_the_robust_long_run_variance():
    """On AR(1) noise the band is K marginal sd (the difference scale over sqrt(1 - phi))
    and the costs are in the long-run variance; the scale given back gives the same cost."""
    from periodize.segmentation.costs.biweight import LongRunBiweightCost
    from periodize.segmentation.noise import noise_scale

    rng = np.random.default_rng(8)
    e = np.zeros((3, 400))
    for t in range(1, 400):
        e[:, t] = 0.6 * e[:, t - 1] + rng.normal(size=3)
    phi = noise_scale(e).phi
    cost = LongRunBiweightCost(e)
    np.testing.assert_allclose(cost.sigma, robust_sd(e) / np.sqrt(1 - phi), rtol=1e-12)
    np.testing.assert_allclose(cost.factor, (1 + phi) / (1 - phi), rtol=1e-12)
    z = (e - np.median(e, axis=1, keepdims=True)) / cost.sigma[:, None]
    by_hand = [segment_fit(z[i], 3.0)[0] / cost.factor[i] for i in range(3)]
    np.testing.assert_allclose(cost.cost(0, 400)[:, 0], by_hand, rtol=1e-12)
    given = LongRunBiweightCost(e, scale=robust_sd(e) ** 2 * (1 + phi) / (1 - phi) ** 2)
    np.testing.assert_allclose(given.cost(5, 300), cost.cost(5, 300), rtol=1e-9)


def test_autocorrelated_noise_without_change_is_one_period():
    rng = np.random.default_rng(9)
    z = rng.normal(size=(150, 120))
    e = np.empty_like(z)
    e[:, 0] = z[:, 0]
    for t in range(1, 120):
        e[:, t] = 0.5 * e[:, t - 1] + np.sqrt(0.75) * z[:, t]
    auto = pz.segment(e.T, model="biweight")
    named = pz.segment(e.T, model="biweight", penalty="bic")
    assert np.mean([len(b) == 0 for b in auto.break_indices]) >= 0.85
    assert np.mean([len(b) for b in named.break_indices]) > 2  # iid units: bursts cut


def test_a_scale_finer_than_the_costs_resolve_is_raised_to_their_resolution():
    """Near-zeros and one 1 (found by the property test above): the robust scale of the
    differences is about 1e-93, on which the 1's squared distance to its own level is
    lost to rounding and priced as an outlier (9). The scale is never below a millionth of
    the range, so a point alone costs 0 and R-FPOP equals optimal partitioning."""
    y = np.array([9.730714501118992e-80, 3.3122881315622104e-93, 0.0, 0.0, 0.0, 1.0])
    cost = BiweightCost(y[None])
    assert cost.nuisance()["sigma2"][0] == pytest.approx(1e-12)
    assert cost.cost(np.array([5]), np.array([6]))[0, 0] == 0.0
    expected, _ = optimal_partitioning(cost, 0.0, 1)
    assert rfpop(cost, 0.0, 1)[0][0] == pytest.approx(expected[0], abs=1e-9)
