"""Many dyads: Benjamini–Hochberg against statsmodels, the shared-boundary test's level
and power, and uniform placement of boundaries."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.inference.tests.multiple import uniform_segmentations


def test_benjamini_hochberg_equals_statsmodels():
    p = np.random.default_rng(0).uniform(size=50) ** 3
    expected = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(pz.benjamini_hochberg(p), expected, rtol=1e-12)


def test_benjamini_hochberg_rejects_bad_input():
    with pytest.raises(ParameterError, match="p-values in \\[0, 1\\]"):
        pz.benjamini_hochberg([0.5, 1.2])


def test_q_values_in_the_test_table():
    direction = pz.intensity(pz.datasets.mongolia_kazakhstan(), by="direction").data
    table = pz.test_periodization(direction, (2009, 2019), n_sim=99, rng=0).test_table()
    for _, group in table.groupby(level="test"):
        expected = multipletests(group["pvalue"], method="fdr_bh")[1]
        np.testing.assert_allclose(group["qvalue_bh"], expected)


def test_uniform_segmentations_are_uniform():
    # 10 periods, 2 breaks, min_size 3: (3, 6), (3, 7), (4, 7) are the only segmentations
    draws = uniform_segmentations(10, 2, 3, 30_000, np.random.default_rng(1))
    pairs, counts = np.unique(draws, axis=0, return_counts=True)
    assert pairs.tolist() == [[3, 6], [3, 7], [4, 7]]
    np.testing.assert_allclose(counts / counts.sum(), 1 / 3, atol=0.015)


def independent_series(rng, n_series, n, common=None):
    columns = {}
    for i in range(n_series):
        b = common if common is not None else rng.integers(3, n - 2)
        columns[f"s{i}"] = rng.poisson(np.where(np.arange(n) < b, 1.0, 6.0)).astype(float)
    return pd.DataFrame(columns)


def test_shared_boundary_test_holds_its_level_on_independent_series():
    rng = np.random.default_rng(2)
    p = np.array(
        [
            pz.shared_boundary_test(
                independent_series(rng, 10, 30), n_breaks=1, n_sim=99, rng=r
            ).pvalue
            for r in range(120)
        ]
    )
    assert (p <= 0.05).mean() <= 0.08
    assert (p <= 0.10).mean() <= 0.15


def test_shared_boundary_test_detects_a_planted_common_boundary():
    frame = independent_series(np.random.default_rng(3), 10, 30, common=15)
    result = pz.shared_boundary_test(frame, n_sim=999, rng=0)
    assert result.statistic >= 8 and result.pvalue < 0.01
    assert "reached at 14" in result.method or "reached at 15" in result.method


@pytest.mark.parametrize(
    "value, model, message",
    [
        (np.nan, "poisson", "'series' parameter of shared_boundary_test must hold finite values"),
        (-1.0, "poisson", "shared_boundary_test must hold non-negative values for 'poisson': "
         "series 's1' has -1 at 4"),
        (np.inf, "auto", "'series' parameter of shared_boundary_test must hold finite values"),
        (1.0, "negbin2", "The 'model' parameter of shared_boundary_test must be one of"),
    ],
)  # fmt: skip
def test_shared_boundary_test_refuses_bad_values_in_its_own_name(value, model, message):
    frame = independent_series(np.random.default_rng(4), 3, 20).astype(float)
    frame.iloc[4, 1] = value
    with pytest.raises(ParameterError) as refused:
        pz.shared_boundary_test(frame, model=model, n_sim=99)
    assert message in str(refused.value)
    assert "missing=" not in str(refused.value)  # an option segment has, not this test


def test_shared_boundary_test_reads_poisson_on_weighted_intensities_as_segment_does():
    events = pz.simulate_events(4, range(1990, 2020), (2005,), base_rate=2.0, rng=3)[0]
    weighted = pz.intensity(events, scheme="protocol", by="dyad")
    assert (weighted.data % 1 != 0).to_numpy().any()  # not integer counts
    result = pz.shared_boundary_test(weighted, model="poisson", n_sim=99)
    assert 0 < result.pvalue <= 1
