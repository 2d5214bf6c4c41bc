"""The negative binomial (NB2, dispersion fixed) with an exposure offset, checked against
statsmodels GLM with ``exposure`` and scipy's negative binomial."""

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import periodize as pz
from periodize.segmentation.costs import COSTS
from periodize.segmentation.costs.negbin import moment_alpha
from periodize.segmentation.search.dynamic import exact_path

YEARS = np.arange(1990, 2014)


def data(seed):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.3, 4.0, YEARS.size)
    rate = np.where(YEARS < 1998, 1.5, np.where(YEARS < 2006, 0.5, 3.0))
    mean = rate * exposure
    counts = rng.negative_binomial(2.0, 2.0 / (2.0 + mean))
    return pd.Series(counts, index=YEARS, name="y"), pd.Series(exposure, index=YEARS)


def glm(y, exposure, boundaries, alpha):
    period = np.searchsorted(np.asarray(boundaries), YEARS, side="right")
    design = pd.get_dummies(period).to_numpy(dtype=float)
    family = sm.families.NegativeBinomial(alpha=alpha)
    return sm.GLM(y, design, family=family, exposure=exposure).fit(tol=1e-13, maxiter=200)


def nb_loglik(y, mean, alpha):
    r = 1 / alpha
    return stats.nbinom.logpmf(y, r, r / (r + mean)).sum()


def test_moment_alpha_with_unit_exposure_is_the_variance_formula():
    rng = np.random.default_rng(0)
    y = rng.negative_binomial(1.5, 0.3, (6, 15)).astype(float)
    expected = np.maximum((y.var(axis=1, ddof=1) - y.mean(axis=1)) / y.mean(axis=1) ** 2, 0)
    assert moment_alpha(y, np.ones_like(y)) == pytest.approx(expected, rel=1e-12)
    assert moment_alpha(y) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.01, 100.0))
def test_moment_alpha_does_not_depend_on_the_unit_of_exposure(seed, scale):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.2, 5.0, (3, 12))
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + 1.3 * exposure)).astype(float)
    assert moment_alpha(y, exposure * scale) == pytest.approx(moment_alpha(y, exposure), 1e-9)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # statsmodels, one row
@pytest.mark.parametrize("alpha", [0.0, 0.2, 1.5])
def test_segment_rates_and_logliks_equal_glm(alpha):
    rng = np.random.default_rng(1)
    exposure = rng.uniform(0.1, 6.0, (1, 20))
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + 2.0 * exposure)).astype(float)
    y[0, 12:15] = 0
    cost = COSTS["negbin"](y, alpha=np.array([alpha]), exposure=exposure)
    for start, end in [(0, 20), (0, 5), (5, 12), (12, 15), (12, 20), (19, 20)]:
        rate, se = cost.estimates(np.array([start]), np.array([end]))
        ys, es = y[0, start:end], exposure[0, start:end]
        if ys.sum() == 0:
            assert rate[0, 0] == 0
            continue
        family = sm.families.NegativeBinomial(alpha=alpha) if alpha else sm.families.Poisson()
        ref = sm.GLM(ys, np.ones((ys.size, 1)), family=family, exposure=es).fit(tol=1e-13)
        assert rate[0, 0] == pytest.approx(np.exp(ref.params[0]), rel=1e-7)
        assert se[0, 0] == pytest.approx(np.exp(ref.params[0]) * ref.bse[0], rel=1e-5)
    edges = np.array([[0, 5, 12, 20]])
    mean = cost.fitted_means(edges)[0]
    direct = nb_loglik(y[0], mean, alpha) if alpha else stats.poisson.logpmf(y[0], mean).sum()
    assert cost.loglik(edges)[0] == pytest.approx(direct, rel=1e-10)


def test_exact_search_is_exact_by_brute_force():
    rng = np.random.default_rng(2)
    exposure = rng.uniform(0.3, 3.0, (3, 11))
    y = rng.negative_binomial(1.0, 1.0 / (1.0 + 2.0 * exposure)).astype(float)
    path = exact_path(COSTS["negbin"], y, 2, 2, exposure=exposure)
    cost = COSTS["negbin"](y, exposure=exposure)
    for k in range(3):
        candidates = [
            b for b in itertools.combinations(range(2, 10), k) if min(np.diff((0, *b, 11))) >= 2
        ]
        edges = np.array([[0, *b, 11] for b in candidates])
        for i in range(3):
            priced = COSTS["negbin"](
                np.repeat(y[i : i + 1], len(edges), 0),
                alpha=np.repeat(cost.alpha[i], len(edges)),
                exposure=np.repeat(exposure[i : i + 1], len(edges), 0),
            ).total_cost(edges)
            assert path.costs[i, k] == pytest.approx(priced.min(), rel=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segment_and_tests_equal_glm_with_exposure(seed):
    y, exposure = data(seed)
    alpha = float(moment_alpha(y.to_numpy(float)[None], exposure.to_numpy()[None])[0])
    fit = pz.segment(y, n_breaks=2, model="negbin", exposure=exposure)
    reference = glm(y.to_numpy(), exposure.to_numpy(), fit.boundaries, alpha)
    assert fit.loglik.iloc[0] == pytest.approx(reference.llf, rel=1e-9)
    assert fit.estimates["estimate"].to_numpy() == pytest.approx(np.exp(reference.params), 1e-6)

    result = pz.test_periodization(y, (1998, 2006), model="negbin", exposure=exposure, n_sim=99)
    assert result.dispersion.iloc[0] == pytest.approx(alpha, rel=1e-12)
    full = glm(y.to_numpy(), exposure.to_numpy(), (1998, 2006), alpha)
    none = glm(y.to_numpy(), exposure.to_numpy(), (), alpha)
    assert result.tests["hypothesis_vs_none"].statistic == pytest.approx(
        2 * (full.llf - none.llf), rel=1e-7
    )
    ratio = np.exp(full.params[2] - full.params[1])
    assert result.periods.loc[("y", 2), "ratio"] == pytest.approx(ratio, rel=1e-6)
    without = glm(y.to_numpy(), exposure.to_numpy(), (1998,), alpha)
    assert result.boundary_tests.loc[("y", 2006), "statistic"] == pytest.approx(
        2 * (full.llf - without.llf), rel=1e-6
    )
    compared = pz.compare_periodizations(
        y, {"h": (1998, 2006)}, model="negbin", exposure=exposure, n_sim=99
    )
    assert compared.table.loc[("y", "h"), "loglik"] == pytest.approx(full.llf, rel=1e-9)


def test_profile_intervals_reach_the_chi_square_cutoff():
    y, exposure = data(3)
    result = pz.test_periodization(y, (1998, 2006), model="negbin", exposure=exposure, n_sim=99)
    alpha = result.dispersion.iloc[0]
    cutoff = stats.chi2.ppf(0.95, 1)
    yv, ev = y.to_numpy(float), exposure.to_numpy()
    slices = [slice(0, 8), slice(8, 16), slice(16, 24)]
    for j, part in enumerate(slices):
        row = result.periods.loc[("y", j)]
        best = nb_loglik(yv[part], row["estimate"] * ev[part], alpha)
        for bound in (row["lower"], row["upper"]):
            drop = 2 * (best - nb_loglik(yv[part], bound * ev[part], alpha))
            assert drop == pytest.approx(cutoff, rel=1e-6)
    for j in (1, 2):
        row = result.periods.loc[("y", j)]
        pair = (yv[slices[j - 1]], ev[slices[j - 1]], yv[slices[j]], ev[slices[j]], alpha)
        best = profile_loglik(row["ratio"], *pair)
        for bound in (row["ratio_lower"], row["ratio_upper"]):
            assert 2 * (best - profile_loglik(bound, *pair)) == pytest.approx(cutoff, rel=1e-5)


def profile_loglik(ratio, y1, e1, y2, e2, alpha):
    """max over the first rate λ of ℓ(λ; y1, e1) + ℓ(ratio λ; y2, e2), numerically."""

    def minus(t):
        return -nb_loglik(y1, np.exp(t) * e1, alpha) - nb_loglik(y2, np.exp(t) * ratio * e2, alpha)

    found = optimize.minimize_scalar(
        minus, bounds=(-10, 5), method="bounded", options={"xatol": 1e-10}
    )
    return -found.fun


def test_unit_exposure_gives_the_closed_form_results():
    y, _ = data(4)
    ones = pd.Series(1.0, index=YEARS)
    plain = pz.test_periodization(y, (1998, 2006), model="negbin", n_sim=99, rng=3)
    exposed = pz.test_periodization(
        y, (1998, 2006), model="negbin", n_sim=99, rng=3, exposure=ones
    )
    assert exposed.test_table()["statistic"].to_numpy() == pytest.approx(
        plain.test_table()["statistic"].to_numpy(), rel=1e-8
    )
    columns = ["estimate", "lower", "upper", "ratio", "ratio_lower", "ratio_upper"]
    assert exposed.periods[columns].to_numpy() == pytest.approx(
        plain.periods[columns].to_numpy(), rel=1e-6, nan_ok=True
    )


def test_robustness_runs_the_negative_binomial_with_the_exposure():
    y, exposure = data(5)
    rows = np.repeat(YEARS, y.to_numpy())
    events = pd.DataFrame(
        {
            "date": rows.astype(str),
            "actor": "FRA",
            "target": "DEU",
            "level": "minister",
            "kind": "working_visit",
        }
    )
    result = pz.robustness(
        events, (1998, 2006), exposure=exposure, n_sim=99, envelope_draws=0, truncations=()
    )
    row = result.table.loc[("model", "negbin")]
    assert 0 < row["p_hypothesis_vs_none"] <= 1
