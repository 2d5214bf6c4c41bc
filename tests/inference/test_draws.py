"""Poisson replicates drawn by inversion follow the Poisson law."""

import numpy as np
import pytest
from scipy import stats

from periodize.inference.simulate import INVERSION_LIMIT, poisson_block


@pytest.mark.parametrize("mean", [0.0, 0.01, 0.7, 3.0, 12.5, INVERSION_LIMIT, 30.5, 400.0])
def test_poisson_block_matches_the_poisson_distribution(mean):
    out = np.empty((200_000, 2))
    poisson_block(np.array([mean, 1.0]), out, np.random.default_rng(12))
    draws = out[:, 0]
    assert np.array_equal(draws, np.round(draws)) and draws.min() >= 0
    if mean == 0:
        assert not draws.any()
        return
    # chi-square goodness of fit: one bin per value expected at least 20 times, tails pooled
    support = np.arange(int(draws.max()) + 1)
    expected = stats.poisson.pmf(support, mean) * draws.size
    observed = np.bincount(draws.astype(int))
    common = np.flatnonzero(expected >= 20)
    low, high = common[0], common[-1]
    observed_bins = np.r_[
        observed[:low].sum(), observed[low : high + 1], observed[high + 1 :].sum()
    ]
    expected_bins = np.r_[
        stats.poisson.cdf(low - 1, mean) * draws.size,
        expected[low : high + 1],
        stats.poisson.sf(high, mean) * draws.size,
    ]
    keep = expected_bins > 0
    p = stats.chisquare(observed_bins[keep], expected_bins[keep]).pvalue
    assert p > 1e-4
    assert draws.mean() == pytest.approx(mean, rel=6 * np.sqrt(1 / (mean * draws.size)))


def test_poisson_block_depends_only_on_the_generator():
    means = np.array([0.5, 2.0, 45.0])
    a, b = np.empty((100, 3)), np.empty((100, 3))
    poisson_block(means, a, np.random.default_rng(5))
    poisson_block(means, b, np.random.default_rng(5))
    assert np.array_equal(a, b)
