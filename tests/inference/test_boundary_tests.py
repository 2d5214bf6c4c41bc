"""The test of each hypothesised boundary: statistic against statsmodels refits, Holm against
statsmodels, level under its null in simulation, and p-values that do not depend on the
series' names or order."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

import periodize as pz
from periodize.inference.tests.multiple import holm

YEARS = np.arange(1980, 2010)


def glm_loglik(y, edges, family):
    """Log-likelihood and Pearson dispersion of a GLM with one level per period."""
    period = np.searchsorted(np.asarray(edges), np.arange(len(y)), side="right")
    design = pd.get_dummies(period).to_numpy(dtype=float)
    fit = sm.GLM(y, design, family=family).fit()
    return fit.llf, fit.pearson_chi2 / fit.df_resid


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_poisson_statistic_equals_statsmodels_refits(seed):
    rng = np.random.default_rng(seed)
    y = rng.poisson(np.where(YEARS < 1992, 2.0, np.where(YEARS < 2001, 5.0, 3.0)))
    frame = pd.DataFrame({"y": y}, index=YEARS)
    result = pz.test_periodization(frame, (1992, 2001), n_sim=99, rng=0)
    full, _ = glm_loglik(y, [12, 21], sm.families.Poisson())
    for boundary, reduced_edges in ((1992, [21]), (2001, [12])):
        reduced, _ = glm_loglik(y, reduced_edges, sm.families.Poisson())
        expected = 2 * (full - reduced)
        got = result.boundary_tests.loc[("y", boundary), "statistic"]
        assert got == pytest.approx(expected, rel=1e-8, abs=1e-10)


def test_quasipoisson_statistic_is_scaled_by_the_pearson_dispersion():
    rng = np.random.default_rng(5)
    y = rng.gamma(2.0, np.where(YEARS < 1995, 1.5, 4.0))
    result = pz.test_periodization(
        pd.DataFrame({"w": y}, index=YEARS), (1995,), model="quasipoisson", n_sim=99
    )
    full, phi = glm_loglik(y, [15], sm.families.Poisson())
    none, _ = glm_loglik(y, [], sm.families.Poisson())
    # the quasi-log-likelihoods differ from statsmodels' Poisson llf by terms that cancel
    assert result.boundary_tests.iloc[0]["statistic"] == pytest.approx(
        2 * (full - none) / phi, rel=1e-8
    )


def test_ratio_across_a_boundary_is_the_period_table_ratio():
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    result = pz.test_periodization(counts, (2009, 2019), n_sim=99)
    periods = result.periods.loc["KAZ-MNG"]
    tests = result.boundary_tests.loc["KAZ-MNG"]
    assert tests.loc[2009, "ratio"] == pytest.approx(periods.loc[1, "ratio"])
    assert tests.loc[2019, "ratio_upper"] == pytest.approx(periods.loc[2, "ratio_upper"])
    assert (tests["n_sim"] == 99).all()
    assert set(result.to_dict()["series"][0]["boundary_tests"][0]) >= {
        "boundary",
        "pvalue_holm",
        "ratio_lower",
    }
    assert "Each boundary" in result.summary()


def test_holm_equals_statsmodels():
    rng = np.random.default_rng(3)
    for m in (1, 2, 5, 12):
        p = rng.uniform(0, 0.2, m)
        assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])


@pytest.mark.parametrize(
    ("model", "null"),
    [("poisson", "parametric"), ("poisson", "permutation"), ("normal", "parametric")],
)
@pytest.mark.parametrize(
    "dependence",
    # the dependent null's level on these 400 series takes ~15 s: with the long checks
    ["independent", pytest.param("auto", marks=pytest.mark.slow)],
)
def test_level_under_the_null_of_each_boundary(model, null, dependence):
    """Truth: a change at 1992 only. The test of the hypothesised 2001 boundary (absent in
    truth) rejects at 5% about 5% of the time; the true one nearly always (95%; 85% with the
    dependent null, which pays for fitting a dependence these 30 periods do not have)."""
    rng = np.random.default_rng(11)
    n_series = 400
    rate = np.where(YEARS < 1992, 2.0, 6.0)
    values = (
        rng.poisson(rate, size=(n_series, YEARS.size))
        if model == "poisson"
        else rate + rng.standard_normal((n_series, YEARS.size))
    )
    frame = pd.DataFrame(values.T, index=YEARS, columns=[f"s{i}" for i in range(n_series)])
    result = pz.test_periodization(
        frame, (1992, 2001), model=model, n_sim=199, rng=4, null=null, dependence=dependence
    )
    p = result.boundary_tests["pvalue"].unstack()
    rejected = (p[2001] <= 0.05).mean()
    se = np.sqrt(0.05 * 0.95 / n_series)
    assert abs(rejected - 0.05) < 3.5 * se, rejected
    assert (p[1992] <= 0.05).mean() > (0.95 if dependence == "independent" else 0.85)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), order=st.permutations(range(4)))
def test_pvalues_do_not_depend_on_names_or_order(seed, order):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.poisson(2.0, size=(YEARS.size, 4)), index=YEARS, columns=["a", "b", "c", "d"]
    )
    first = pz.test_periodization(frame, (1990, 2000), n_sim=99, rng=7)
    shuffled = frame.iloc[:, list(order)]
    shuffled.columns = [f"renamed{i}" for i in range(4)]
    second = pz.test_periodization(shuffled, (1990, 2000), n_sim=99, rng=7)
    for position, column in enumerate(order):
        old, new = frame.columns[column], f"renamed{position}"
        for test in ("hypothesis_vs_none", "best_vs_hypothesis"):
            assert first.pvalues[old, test] == second.pvalues[new, test]
        assert (
            first.boundary_tests.loc[old, "pvalue"].to_numpy()
            == second.boundary_tests.loc[new, "pvalue"].to_numpy()
        ).all()
