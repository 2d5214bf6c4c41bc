"""The negative binomial's dispersion rule: estimated once from the data and held fixed for
every replicate, so a dispersion of 0 gives the Poisson model's numbers exactly."""

import numpy as np
import pandas as pd
import pytest

import periodize as pz
from periodize.inference.fits import build_cost, statistics
from periodize.segmentation.costs.negbin import moment_alpha


@pytest.fixture(scope="module")
def underdispersed() -> pd.Series:
    """Binomial counts (variance below the mean): the moment alpha is clipped to 0."""
    values = np.random.default_rng(3).binomial(6, 0.5, size=40).astype(float)
    assert moment_alpha(values[None])[0] == 0.0
    return pd.Series(values, index=pd.RangeIndex(1980, 2020, name="year"))


@pytest.mark.parametrize("null", ["parametric", "permutation", "trend"])
def test_alpha_zero_gives_the_poisson_test(underdispersed, null):
    poisson = pz.test_periodization(
        underdispersed, (1995, 2005), model="poisson", n_sim=199, rng=4, null=null
    )
    negbin = pz.test_periodization(
        underdispersed, (1995, 2005), model="negbin", n_sim=199, rng=4, null=null
    )
    for name, test in poisson.tests.items():
        assert negbin.tests[name].pvalue == test.pvalue, name
        assert negbin.tests[name].statistic == pytest.approx(test.statistic, rel=1e-9)
    columns = ["statistic", "pvalue", "pvalue_holm", "ratio", "ratio_lower", "ratio_upper"]
    pd.testing.assert_frame_equal(
        negbin.boundary_tests[columns], poisson.boundary_tests[columns], rtol=1e-9
    )
    rates = ["estimate", "lower", "upper", "ratio_lower", "ratio_upper"]
    pd.testing.assert_frame_equal(negbin.periods[rates], poisson.periods[rates], rtol=1e-9)


def test_alpha_zero_gives_the_poisson_comparison(underdispersed):
    candidates = {"a": (1995, 2005), "b": (2000,)}
    poisson = pz.compare_periodizations(
        underdispersed, candidates, model="poisson", n_sim=199, rng=2
    )
    negbin = pz.compare_periodizations(
        underdispersed, candidates, model="negbin", n_sim=199, rng=2
    )
    columns = ["p_vs_none", "p_vs_best"]
    pd.testing.assert_frame_equal(negbin.table[columns], poisson.table[columns])


def test_replicates_are_priced_with_the_data_alpha():
    """A replicate's statistic uses the alpha it was drawn with, not its own estimate: the
    same numbers as pricing it with that alpha by hand, different from re-estimating."""
    rng = np.random.default_rng(0)
    replicates = rng.negative_binomial(2.0, 2.0 / 7.0, size=(5, 30)).astype(float)
    alpha = np.full(5, 0.5)
    fixed = statistics("negbin", replicates, np.array([10, 20]), 3, alpha=alpha)
    cost = build_cost("negbin", replicates, alpha=alpha)
    assert np.array_equal(cost.nuisance()["alpha"], alpha)
    none = cost.partial_loglik(np.array([[0, 30]] * 5))
    hypothesis = cost.partial_loglik(np.array([[0, 10, 20, 30]] * 5))
    np.testing.assert_allclose(fixed.hypothesis_vs_none, 2 * (hypothesis - none))
    estimated = statistics("negbin", replicates, np.array([10, 20]), 3)
    assert not np.allclose(estimated.hypothesis_vs_none, fixed.hypothesis_vs_none)
