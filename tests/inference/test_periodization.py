"""test_periodization: statistics against statsmodels, intervals against closed forms,
Monte Carlo calibration, reproducibility, and bad input."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

import periodize as pz
from periodize.exceptions import ParameterError, PeriodizeTypeError
from periodize.inference.tests import periodization
from periodize.inference.tests.agreement import hausdorff, rand_index
from periodize.inference.tests.boundary_sets import credible_set
from periodize.inference.tests.intervals import garwood, rate_ratio

YEARS = pd.RangeIndex(1992, 2026, name="year")


@pytest.fixture(scope="module")
def counts():
    return pz.intensity(pz.datasets.mongolia_kazakhstan())


def dummies(positions, n):
    segment = np.searchsorted(positions, np.arange(n), side="right")
    return np.eye(len(positions) + 1)[segment]


def test_lr_equals_statsmodels_poisson_glm(counts):
    y = counts.data["KAZ-MNG"].to_numpy()
    result = pz.test_periodization(counts, (2009, 2019), n_sim=99, rng=0)
    full = sm.GLM(y, dummies([17, 27], 34), family=sm.families.Poisson()).fit()
    none = sm.GLM(y, np.ones((34, 1)), family=sm.families.Poisson()).fit()
    test = result.tests["hypothesis_vs_none"]
    assert test.statistic == pytest.approx(2 * (full.llf - none.llf), rel=1e-8)
    assert test.pvalue_asymptotic == pytest.approx(stats.chi2.sf(test.statistic, 2))


def test_lr_equals_statsmodels_negbin_glm_with_the_same_alpha():
    rng = np.random.default_rng(2)
    y = rng.negative_binomial(2, 2 / (2 + np.repeat([2.0, 7.0, 3.0], 10))).astype(float)
    result = pz.test_periodization(y, (10, 20), model="negbin", n_sim=99, rng=0)
    alpha = (y.var(ddof=1) - y.mean()) / y.mean() ** 2
    family = sm.families.NegativeBinomial(alpha=alpha)
    full = sm.GLM(y, dummies([10, 20], 30), family=family).fit()
    none = sm.GLM(y, np.ones((30, 1)), family=family).fit()
    statistic = result.tests["hypothesis_vs_none"].statistic
    assert statistic == pytest.approx(2 * (full.llf - none.llf), rel=1e-7)


def test_lr_equals_ols_for_the_normal_model():
    rng = np.random.default_rng(3)
    y = rng.normal(np.repeat([0.0, 1.0], 12), 1.0)
    result = pz.test_periodization(y, (12,), model="normal", n_sim=99, rng=0)
    full = sm.OLS(y, dummies([12], 24)).fit()
    none = sm.OLS(y, np.ones((24, 1))).fit()
    assert result.tests["hypothesis_vs_none"].statistic == pytest.approx(2 * (full.llf - none.llf))
    assert "difference" in result.periods.columns


def test_garwood_equals_statsmodels_exact():
    totals = np.array([0.0, 1.0, 3.0, 16.0, 40.0])
    lengths = np.array([10.0, 6.0, 10.0, 17.0, 7.0])
    low, high = garwood(totals, lengths, 0.95)
    for t, m, lo, hi in zip(totals, lengths, low, high, strict=True):
        expected = confint_poisson(t, m, method="exact-c", alpha=0.05)
        assert (lo, hi) == pytest.approx(expected, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(("s1", "m1", "s2", "m2"), [(16, 17, 3, 10), (3, 10, 7, 7), (5, 5, 0, 6)])
def test_rate_ratio_interval_inverts_the_exact_conditional_test(s1, m1, s2, m2):
    ratio, low, high = (
        v[0]
        for v in rate_ratio(
            np.array([s1.__float__()]), np.array([m1]), np.array([float(s2)]), np.array([m2]), 0.95
        )
    )
    assert ratio == pytest.approx((s2 / m2) / (s1 / m1))
    # Clopper-Pearson for p = P(event in period 2 | total), mapped to the ratio
    p_low, p_high = proportion_confint(s2, s1 + s2, alpha=0.05, method="beta")
    assert low == pytest.approx(p_low / (1 - p_low) * m1 / m2, rel=1e-8)
    if s1 > 0:
        assert high == pytest.approx(p_high / (1 - p_high) * m1 / m2, rel=1e-8)
    # at the bounds the one-sided exact conditional tail is alpha / 2
    if s2 > 0:
        p = m2 * low / (m1 + m2 * low)
        assert stats.binom.sf(s2 - 1, s1 + s2, p) == pytest.approx(0.025, rel=1e-6)


def test_period_table_and_boundaries(counts):
    result = pz.test_periodization(counts, (2009, 2019), n_sim=199, rng=0)
    periods = result.periods.loc["KAZ-MNG"]
    assert periods["total"].tolist() == [16, 3, 7]  # counted by hand from the dataset
    assert periods["n"].tolist() == [17, 10, 7]
    assert periods["estimate"].tolist() == pytest.approx([16 / 17, 3 / 10, 7 / 7])
    bounds = result.boundaries.loc["KAZ-MNG"]
    assert bounds["hypothesised"].tolist() == [2009, 2019]
    assert bounds["estimated"].tolist() == list(pz.segment(counts, n_breaks=2).boundaries)
    for row in bounds.itertuples():
        assert set(row.bootstrap_90) <= set(row.bootstrap_95)
        assert row.estimated in row.profile_set


def test_profile_set_by_hand_for_one_break():
    """The set is every break year whose Poisson log-likelihood, profiled by hand, is within
    Hansen's (2000, Table 1) 95% critical value 7.35 of the best."""
    y = pd.Series([3.0, 5, 2, 4, 6, 3, 1, 0, 2, 1, 0, 1, 2, 0], index=range(2000, 2014))
    result = pz.test_periodization(y, (2007,), n_sim=99, rng=0, min_size=3)
    values = y.to_numpy()

    def loglik(segment):
        return stats.poisson.logpmf(segment, segment.mean()).sum()

    profile = {
        2000 + t: loglik(values[:t]) + loglik(values[t:]) for t in range(3, len(values) - 2)
    }
    top = max(profile.values())
    assert all(abs(2 * (top - v) - 7.35) > 0.01 for v in profile.values())  # no ties at 7.35
    expected = [year for year, v in profile.items() if 2 * (top - v) <= 7.35]
    assert result.boundaries.iloc[0]["profile_set"] == expected


@pytest.mark.slow
def test_profile_set_covers_the_true_break_at_its_level():
    """A coarse coverage check (800 series, one break of rate 2 -> 1 in 34 years): the
    inverted-LR set with Hansen's critical values covers at or above its level, where a
    chi2_1 cut-off covers about 0.68 at 90% and 0.80 at 95%."""
    rng = np.random.default_rng(11)
    truth = 17
    rates = np.repeat([2.0, 1.0], [truth, 34 - truth])
    values = rng.poisson(rates, size=(800, 34)).astype(float)
    frame = pd.DataFrame(values.T, index=range(1990, 2024), columns=[f"s{i}" for i in range(800)])
    for level in (0.90, 0.95):
        result = pz.test_periodization(frame, (2007,), n_sim=99, rng=0, level=level)
        covered = [2007 in row.profile_set for row in result.boundaries.itertuples()]
        assert np.mean(covered) >= level - 0.03


def test_planted_change_is_found_and_covered():
    rng = np.random.default_rng(4)
    y = pd.Series(rng.poisson(np.repeat([1.0, 6.0], 15)), index=range(2000, 2030), dtype=float)
    result = pz.test_periodization(y, (2015,), n_sim=499, rng=1)
    assert result.tests["hypothesis_vs_none"].pvalue < 0.01
    assert result.tests["best_vs_hypothesis"].pvalue > 0.05
    row = result.boundaries.iloc[0]
    assert row["estimated"] == 2015 and 2015 in row["bootstrap_95"]


def test_pvalues_are_close_to_uniform_under_a_true_null():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        rng.poisson(1.5, size=(20, 300)).astype(float), columns=[f"s{i}" for i in range(300)]
    )
    result = pz.test_periodization(frame, (7, 14), n_sim=99, rng=2)
    table = result.test_table().xs("hypothesis_vs_none", level="test")["pvalue"]
    assert 0.04 <= (table <= 0.10).mean() <= 0.17
    assert 0.42 <= table.mean() <= 0.58
    sup = result.test_table().xs("best_vs_none", level="test")["pvalue"]
    assert 0.04 <= (sup <= 0.10).mean() <= 0.17


def test_same_seed_gives_byte_identical_json_and_chunks_do_not_matter(counts, monkeypatch):
    first = pz.test_periodization(counts, (2009, 2019), n_sim=300, rng=7).to_json()
    assert first == pz.test_periodization(counts, (2009, 2019), n_sim=300, rng=7).to_json()
    monkeypatch.setattr(periodization, "BATCH_BYTES", 4096)
    assert first == pz.test_periodization(counts, (2009, 2019), n_sim=300, rng=7).to_json()
    other = pz.test_periodization(counts, (2009, 2019), n_sim=300, rng=8).to_json()
    assert other != first
    data = json.loads(first)
    assert set(data["series"][0]["tests"]) == {
        "hypothesis_vs_none",
        "best_vs_none",
        "best_vs_hypothesis",
    }
    for test in data["series"][0]["tests"].values():
        assert {"statistic", "pvalue", "method", "null_hypothesis", "alternative"} <= set(test)


def test_batched_equals_looped():
    direction = pz.intensity(pz.datasets.mongolia_kazakhstan(), by="direction").data
    together = pz.test_periodization(direction, (2009, 2019), n_sim=199, rng=3)
    for name in direction:
        alone = pz.test_periodization(direction[[name]], (2009, 2019), n_sim=199, rng=3)
        columns = ["statistic", "pvalue", "pvalue_asymptotic"]  # q-values depend on the set
        pd.testing.assert_frame_equal(
            together.test_table().loc[[name], columns], alone.test_table()[columns]
        )


def test_weighted_series_use_quasipoisson_and_permutation_runs():
    series = pz.intensity(pz.datasets.mongolia_kazakhstan(), "protocol")
    result = pz.test_periodization(series, (2009, 2019), n_sim=199, rng=0)
    assert result.model == "quasipoisson" and result.dispersion.iloc[0] > 0
    assert "dispersion" in result.tests["hypothesis_vs_none"].method
    permuted = pz.test_periodization(series, (2009, 2019), n_sim=199, rng=0, null="permutation")
    assert "permutation" in permuted.tests["best_vs_none"].method
    assert 0 < permuted.tests["hypothesis_vs_none"].pvalue <= 1
    assert "Pearson" in str(result)


def test_summary_is_readable(counts):
    text = str(pz.test_periodization(counts, (2009, 2019), n_sim=99, rng=0))
    for part in (
        "hypothesis_vs_none",
        "best_vs_hypothesis",
        "Garwood",
        "bootstrap_95",
        "rand_index",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"boundaries": (1990, 2019)}, ParameterError, "1990 is not one of them"),
        ({"boundaries": (2019, 2009)}, ParameterError, "strictly increasing"),
        ({"boundaries": (2009, 2010)}, ParameterError, "shorter than min_size=3"),
        ({"boundaries": (1992,)}, ParameterError, "after the first period"),
        ({"boundaries": "2009"}, ParameterError, "a sequence of periods .*Got '2009'"),
        ({"boundaries": (2024,)}, ParameterError, "shorter than min_size=3"),
        ({"n_sim": 50}, ParameterError, "'n_sim' parameter.*>= 99"),
        ({"level": 1.5}, ParameterError, "'level'"),
        ({"null": "bootstrap"}, ParameterError, "'null' parameter"),
        ({"rng": "seed"}, PeriodizeTypeError, "'rng' parameter"),
        ({"model": "binomial"}, ParameterError, "'model' parameter"),
    ],
)
def test_bad_input(counts, kwargs, error, match):
    arguments = {"boundaries": (2009, 2019), "n_sim": 99, **kwargs}
    with pytest.raises(error, match=match):
        pz.test_periodization(counts, **arguments)


def test_agreement_metrics_by_hand():
    assert hausdorff([17, 27], [17, 23]) == 4
    assert hausdorff([5], [5]) == 0
    # 5 periods split after 2 vs after 3: pairs (0..4); they disagree on pairs (2, 0), (2, 1),
    # (2, 3), (2, 4): 4 of 10
    assert rand_index([2], [3], 5) == pytest.approx(0.6)


def test_credible_set_is_the_smallest_high_mass_set():
    counts = np.array([0, 5, 50, 30, 10, 5, 0], dtype=float)
    assert credible_set(counts, 0.5).tolist() == [2]
    assert credible_set(counts, 0.8).tolist() == [2, 3]
    assert credible_set(counts, 0.9).tolist() == [2, 3, 4]


def test_overdispersion_alpha_and_lr_equal_statsmodels_negative_binomial():
    rng = np.random.default_rng(6)
    y = rng.negative_binomial(1.5, 1.5 / (1.5 + 3.0), 60).astype(float)
    checks = pz.overdispersion(y)
    nb = sm.NegativeBinomial(y, np.ones((60, 1))).fit(disp=0)
    poisson = sm.Poisson(y, np.ones((60, 1))).fit(disp=0)
    row = checks.iloc[0]
    assert row["alpha"] == pytest.approx(nb.params[-1], rel=1e-3)
    assert row["lr_negbin_vs_poisson"] == pytest.approx(2 * (nb.llf - poisson.llf), rel=1e-4)
    assert row["pearson_dispersion"] == pytest.approx(y.var(ddof=1) / y.mean())
    assert row["lr_pvalue"] < 0.01


def test_model_checks_in_the_test_result(counts):
    result = pz.test_periodization(counts, (2009, 2019), n_sim=99, rng=0)
    assert list(result.model_checks.columns[:2]) == ["pearson_dispersion", "pearson_pvalue"]
    assert "overdispersion" in str(result)


def test_model_checks_in_json(counts):
    data = json.loads(pz.test_periodization(counts, (2009, 2019), n_sim=99, rng=0).to_json())
    assert set(data["series"][0]["model_checks"]) >= {"pearson_dispersion", "alpha"}


def test_a_monte_carlo_too_large_for_memory_is_refused_before_it_starts():
    y = np.random.default_rng(0).poisson(3, 30)
    with pytest.raises(ParameterError, match=r"1,000,000,000,000 replicates.*GiB budget"):
        pz.test_periodization(y, boundaries=[15], n_sim=10**12, rng=0)
    with pytest.raises(ParameterError, match=r"fewer replicates"):
        pz.compare_periodizations(y, {"a": [10], "b": [15]}, n_sim=10**12, rng=0)


def test_infinite_and_missing_numbers_are_json_null():
    from periodize.results import to_json

    document = json.loads(
        to_json({"a": np.float64("inf"), "b": float("-inf"), "c": np.nan, "d": np.float32(1.5)})
    )
    assert document == {"a": None, "b": None, "c": None, "d": 1.5}
    y = np.r_[np.zeros(12), np.random.default_rng(0).poisson(4, 12)]  # a period without events
    test = pz.test_periodization(y, boundaries=[12], n_sim=99, rng=0)
    assert np.isinf(test.periods["ratio"]).any()  # 46 events after none: an infinite ratio
    json.loads(test.to_json())  # strict JSON: no Infinity


def test_statsmodels_style_accessors():
    """params, pvalues and conf_int read the same numbers as the tables; a Poisson rate is
    the period's events over its years (statsmodels' GLM with one dummy per period gives
    exp(coefficient) = the same)."""
    events, _ = pz.simulate_events(1, range(1990, 2016), (2003,), rates=(1.0, 3.0), rng=4)
    series = pz.intensity(events)
    tested = pz.test_periodization(series, boundaries=(2003,), n_sim=99)
    y = series.data.iloc[:, 0].to_numpy()
    dummies = np.column_stack([series.data.index < 2003, series.data.index >= 2003]).astype(float)
    glm = sm.GLM(y, dummies, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(tested.params.to_numpy(), np.exp(glm.params))
    assert tested.pvalues.index.names == ["series", "test"]
    assert tested.pvalues.loc[(tested.names[0], "hypothesis_vs_none")] == (
        tested.tests["hypothesis_vs_none"].pvalue
    )
    assert (tested.conf_int(alpha=0.05).columns == ["lower", "upper"]).all()
    with pytest.raises(pz.ParameterError, match=r"level 0.95 .* level=0.9"):
        tested.conf_int(alpha=0.1)
    fit = pz.segment(series, n_breaks=1)
    assert fit.params.to_dict() == fit.estimates["estimate"].to_dict()
    assert (fit.bse == fit.estimates["se"]).all()
