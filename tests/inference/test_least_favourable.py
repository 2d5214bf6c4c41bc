"""The null of ``best_vs_hypothesis``: the likelihood ratio of dropping each hypothesised
boundary against closed forms and statsmodels, the merged levels against a loop, and the
joint and single-series rules agreeing on one series."""

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.inference.fits import build_cost, edges_of, fitted
from periodize.inference.least_favourable import (
    dropped_boundary_lr,
    least_favourable,
    merged_means,
    supported,
)
from periodize.inference.tests.joint import _least_favourable, joint_statistics
from periodize.segmentation.diagnostics import serial_diagnostics


def _poisson_merge_lr(y: np.ndarray, a: int, b: int, c: int) -> float:
    """LR of two Poisson levels on ``y[a:b]``, ``y[b:c]`` against one on ``y[a:c]``."""

    def part(s: float, m: int) -> float:
        return s * np.log(s / m) if s > 0 else 0.0

    s1, s2 = y[a:b].sum(), y[b:c].sum()
    return 2 * (part(s1, b - a) + part(s2, c - b) - part(s1 + s2, c - a))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(12, 40),
    k=st.integers(1, 3),
)
def test_poisson_drop_lr_is_the_merge_of_the_two_neighbours(seed, n, k):
    rng = np.random.default_rng(seed)
    y = rng.poisson(rng.uniform(0.5, 6), size=(2, n)).astype(float)
    positions = np.sort(rng.choice(np.arange(3, n - 2), size=k, replace=False))
    got = dropped_boundary_lr("poisson", y, positions)
    edges = np.concatenate([[0], positions, [n]])
    for row in range(2):
        for j in range(k):
            expected = _poisson_merge_lr(y[row], edges[j], edges[j + 1], edges[j + 2])
            assert got[row, j] == pytest.approx(expected, abs=1e-9, rel=1e-9)


def test_normal_drop_lr_is_n_log_of_the_rss_ratio():
    rng = np.random.default_rng(3)
    n = 30
    y = rng.normal(size=(3, n)) + np.where(np.arange(n) >= 10, 1.5, 0.0)
    positions = np.array([10, 20])

    def rss(row: np.ndarray, cuts: list[int]) -> float:
        pieces = np.split(row, cuts)
        return sum(float(((p - p.mean()) ** 2).sum()) for p in pieces)

    got = dropped_boundary_lr("normal", y, positions)
    for row in range(3):
        full = rss(y[row], [10, 20])
        assert got[row, 0] == pytest.approx(n * np.log(rss(y[row], [20]) / full), rel=1e-10)
        assert got[row, 1] == pytest.approx(n * np.log(rss(y[row], [10]) / full), rel=1e-10)


def test_negbin_drop_lr_equals_statsmodels_glm_with_the_same_alpha():
    rng = np.random.default_rng(4)
    n = 36
    mean = np.where(np.arange(n) >= 12, 9.0, 4.0)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + mean), size=(1, n)).astype(float)
    positions = np.array([12, 24])
    alpha = float(build_cost("negbin", y).nuisance()["alpha"][0])
    period = np.searchsorted(positions, np.arange(n), side="right")

    def llf(labels: np.ndarray) -> float:
        design = (labels[:, None] == np.unique(labels)[None, :]).astype(float)
        family = sm.families.NegativeBinomial(alpha=alpha)
        return sm.GLM(y[0], design, family=family).fit(tol=1e-12).llf

    full = llf(period)
    got = dropped_boundary_lr("negbin", y, positions)[0]
    assert got[0] == pytest.approx(2 * (full - llf(np.where(period == 0, 1, period))), rel=1e-6)
    assert got[1] == pytest.approx(2 * (full - llf(np.where(period == 2, 1, period))), rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(6, 30),
    k=st.integers(1, 4),
    exposed=st.booleans(),
)
def test_merged_means_equal_a_loop_over_the_merged_periods(seed, n, k, exposed):
    rng = np.random.default_rng(seed)
    k = min(k, n - 1)
    positions = np.sort(rng.choice(np.arange(1, n), size=k, replace=False))
    values = rng.poisson(4.0, size=(3, n)).astype(float)
    kept = rng.random((3, k)) < 0.5
    exposure = rng.uniform(0.5, 2.0, size=(3, n)) if exposed else None
    got = merged_means(values, positions, kept, exposure)
    for row in range(3):
        cuts = [0, *(int(p) for p, keep in zip(positions, kept[row], strict=True) if keep), n]
        for a, b in itertools.pairwise(cuts):
            extent = np.ones(b - a) if exposure is None else exposure[row, a:b]
            rate = values[row, a:b].sum() / extent.sum()
            np.testing.assert_allclose(got[row, a:b], rate * extent, rtol=1e-12)


def test_a_real_shift_is_kept_and_a_chance_one_merged():
    rng = np.random.default_rng(5)
    n = 90
    y = rng.poisson(np.where(np.arange(n) >= 30, 12.0, 3.0), size=(1, n)).astype(float)
    positions = np.array([30, 60])  # a shift at 30, none at 60
    lr = dropped_boundary_lr("poisson", y, positions)
    assert supported(lr, n).tolist() == [[True, False]]
    hypothesis = fitted("poisson", y, edges_of(positions[None, :], n))
    means, spread = least_favourable("poisson", y, positions, hypothesis, np.ones(1), np.ones(1))
    assert np.allclose(means[0, :30], y[0, :30].mean())
    assert np.allclose(means[0, 30:], y[0, 30:].mean())  # 30-59 and 60-89 merged
    assert spread is hypothesis[1]
    # a studentizer twice the shift's ratio over log n leaves it unsupported: one level
    omega = np.full(1, 2 * lr[0, 0] / np.log(n))
    means, _ = least_favourable("poisson", y, positions, hypothesis, np.ones(1), omega)
    assert np.allclose(means, y.mean())


@pytest.mark.parametrize("model", ["poisson", "quasipoisson", "normal"])
def test_the_joint_rule_on_one_series_is_the_single_series_rule(model):
    rng = np.random.default_rng(6)
    n = 40
    y = rng.poisson(np.where(np.arange(n) >= 20, 6.0, 4.0), size=(1, n)).astype(float)
    positions = np.array([10, 20, 30])
    hypothesis = fitted(model, y, edges_of(positions[None, :], n))
    observed = joint_statistics((model,), y, 1, positions, 3)
    joint = _least_favourable(np.array([model], dtype=object), y, positions, hypothesis,
                              observed, None)  # fmt: skip
    single = least_favourable(model, y, positions, hypothesis, observed.scale,
                              observed.omega_hypothesis)  # fmt: skip
    np.testing.assert_array_equal(joint[0], single[0])


def test_the_joint_rule_sums_the_members():
    n = 40
    step = np.where(np.arange(n) >= 20, 1.0, 0.0)
    # each member's shift alone is under log n, the two together above it
    base = np.tile(np.array([4.0, 5.0, 4.0, 5.0]), n // 4)
    y = np.vstack([base + 1.3 * step, base + 1.3 * step])
    positions = np.array([20])
    single = dropped_boundary_lr("poisson", y, positions)
    assert np.all(single < np.log(n)) and single.sum() >= np.log(n)
    hypothesis = fitted("poisson", y, edges_of(np.repeat(positions[None, :], 2, 0), n))
    observed = joint_statistics(("poisson",), y, 2, positions, 3)
    means, _ = _least_favourable(np.array(["poisson"] * 2, dtype=object), y, positions,
                                 hypothesis, observed, None)  # fmt: skip
    np.testing.assert_allclose(means, hypothesis[0])  # kept: the levels are the hypothesis'


def test_the_diagnostics_stay_those_of_the_hypothesised_periods():
    """The replicates of best_vs_hypothesis come from merged levels; the residual
    diagnostics the result reports are still those of the hypothesised periods."""
    rng = np.random.default_rng(7)
    n = 30
    y = rng.poisson(5.0, size=n).astype(float)
    series = pd.Series(y, index=pd.RangeIndex(1990, 1990 + n))
    result = pz.test_periodization(series, (2000, 2010), n_sim=99, rng=1)
    hypothesis_means = np.concatenate([np.full(10, y[i : i + 10].mean()) for i in (0, 10, 20)])
    expected = serial_diagnostics("poisson", y[None, :], hypothesis_means[None, :], ("y",), 3)
    got = result.diagnostics.iloc[0]
    assert got["dispersion"] == pytest.approx(expected["dispersion"].iloc[0], rel=1e-12)
    assert got["acf_1"] == pytest.approx(expected["acf_1"].iloc[0], rel=1e-12)
