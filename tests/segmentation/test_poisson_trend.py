"""Counts with a log-linear rate per period (``model="poisson_trend"``): every segment's
cost, growth and its error equal statsmodels' Poisson GLM on a level and a trend; the
exact searches equal a brute force over every segmentation priced by that GLM; the limits
and the bad inputs."""

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.segmentation.costs import PoissonTrendCost, QuasiPoissonTrendCost
from periodize.segmentation.costs.poisson_trend import growth, tilted


def glm(y):
    """statsmodels' Poisson GLM of a segment on a level and a trend in its position:
    the cost without the log y! terms, the growth and its standard error."""
    u = np.arange(len(y), dtype=float)
    fit = sm.GLM(y, sm.add_constant(u), family=sm.families.Poisson()).fit(tol=1e-13)
    return -2 * (fit.llf + gammaln(y + 1).sum()), fit.params[1], fit.bse[1], fit.fittedvalues


def glm_mean_rate(y):
    """The segment's mean fitted rate and its delta-method error from the GLM."""
    u = np.arange(len(y), dtype=float)
    fit = sm.GLM(y, sm.add_constant(u), family=sm.families.Poisson()).fit(tol=1e-13)
    gradient = np.array([fit.fittedvalues.sum(), (u * fit.fittedvalues).sum()]) / len(y)
    return fit.fittedvalues.mean(), np.sqrt(gradient @ fit.cov_params() @ gradient)


def test_tilted_moments_equal_direct_sums():
    for m in (2, 3, 7, 40, 300):
        u = np.arange(m)
        for x in (-3.0, -0.2, -1e-5, 0.0, 1e-7, 1e-3, 0.05, 0.9, 4.0):
            w = np.exp(x * u - np.max(x * u))
            log_g = np.log(w.sum()) + np.max(x * u)
            mean = (u * w).sum() / w.sum()
            var = ((u - mean) ** 2 * w).sum() / w.sum()
            got = tilted(np.array([x]), np.array([float(m)]))
            np.testing.assert_allclose(
                [g[0] for g in got], [log_g, mean, var], rtol=1e-8, atol=1e-10
            )
    targets = np.array([0.01, 1.0, 2.5, 3.99])
    b = growth(targets, np.full(4, 5.0))
    np.testing.assert_allclose(tilted(b, np.full(4, 5.0))[1], targets, rtol=1e-10)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), m=st.integers(3, 40), rate=st.floats(0.3, 30.0))
def test_segment_cost_growth_and_error_equal_the_glm(seed, m, rate):
    rng = np.random.default_rng(seed)
    y = rng.poisson(rate * np.exp(rng.normal(0, 0.05) * np.arange(m))).astype(float)
    u = np.arange(m)
    if y.sum() == 0 or (y * u).sum() in (0, (m - 1) * y.sum()):
        return  # at a limit: tested below
    cost = PoissonTrendCost(np.r_[[0.0, 5.0], y][None])  # the segment away from position 0
    expected, slope, se, fitted = glm(y)
    assert cost.cost(2, 2 + m)[0, 0] == pytest.approx(expected, rel=1e-8, abs=1e-8)
    b, b_se = cost.slopes(np.array([2]), np.array([2 + m]))
    assert b[0, 0] == pytest.approx(slope, rel=1e-6, abs=1e-9)
    assert b_se[0, 0] == pytest.approx(se, rel=1e-6)
    edges = np.array([[0, 2, 2 + m]])
    np.testing.assert_allclose(cost.fitted_means(edges)[0, 2:], fitted, rtol=1e-6)
    estimate, error = cost.estimates(np.array([2]), np.array([2 + m]))
    np.testing.assert_allclose([estimate[0, 0], error[0, 0]], glm_mean_rate(y), rtol=1e-6)


def test_limits_and_empty_segments():
    cost = PoissonTrendCost(np.array([[4.0, 0.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0]]))
    limit = -2 * (4 * np.log(4) - 4)
    assert cost.cost(0, 5)[0, 0] == pytest.approx(limit)  # every count in the first period
    assert cost.cost(1, 5)[0, 0] == 0.0  # no count
    assert cost.cost(3, 6)[0, 0] == pytest.approx(-2 * (7 * np.log(7) - 7))  # in the last
    slope, se = cost.slopes(np.array([0, 5]), np.array([5, 9]))
    assert slope[0, 0] == -np.inf and slope[0, 1] == -np.inf and np.isinf(se).all()
    fitted = cost.fitted_means(np.array([[0, 5, 9]]))[0]
    np.testing.assert_allclose(fitted, cost.values[0])
    levels = pz.segment(cost.values[0], n_breaks=1, model="poisson")
    assert cost.cost(0, 9)[0, 0] <= levels.cost_table[0, 0] + 1e-9  # a line never fits worse


def glm_total(y, edges):
    return sum(glm(y[a:b])[0] for a, b in itertools.pairwise(edges))


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@pytest.mark.parametrize("seed", range(4))
def test_exact_searches_equal_a_brute_force_priced_by_the_glm(seed):
    rng = np.random.default_rng(seed)
    n = 14
    rate = np.r_[np.exp(np.linspace(0.5, 2.0, 7)), np.full(7, 2.0)]
    y = rng.poisson(rate).astype(float)
    y[[0, 7]] += 1  # no segment at a limit
    candidates = {}
    for k in range(3):
        for cuts in itertools.combinations(range(3, n - 2), k):
            edges = (0, *cuts, n)
            if min(np.diff(edges)) >= 3:
                candidates[cuts] = glm_total(y, edges)
    for k in (1, 2):
        best = min((c for c in candidates if len(c) == k), key=candidates.get)
        fit = pz.segment(y, n_breaks=k, model="poisson_trend")
        assert fit.break_indices[0] == best
        assert fit.cost_table[0, k] == pytest.approx(candidates[best], rel=1e-7)
    penalty = 4.0
    best = min(candidates, key=lambda c: candidates[c] + penalty * len(c))
    assert pz.segment(y, penalty=penalty, model="poisson_trend").break_indices[0] == best


def test_a_steady_rise_is_one_period():
    rng = np.random.default_rng(5)
    rate = np.exp(np.linspace(np.log(2.0), np.log(8.0), 120))
    y = rng.poisson(rate, (200, 120))
    trend = pz.segment(y.T, model="poisson_trend", penalty="bic")
    levels = pz.segment(y.T, model="poisson", penalty="bic")
    assert np.mean([len(b) == 0 for b in trend.break_indices]) >= 0.85
    assert np.mean([len(b) == 0 for b in levels.break_indices]) <= 0.05
    slopes = trend.estimates["slope"].to_numpy()
    assert np.median(slopes) == pytest.approx(np.log(4) / 119, rel=0.1)


def test_bad_inputs_are_refused():
    with pytest.raises(ParameterError, match="integer counts for the poisson_trend model"):
        pz.segment([1.5, 2, 3, 4, 5, 6], n_breaks=1, model="poisson_trend")
    with pytest.raises(ParameterError, match="non-negative values"):
        pz.segment([-1, 2, 3, 4, 5, 6], n_breaks=1, model="poisson_trend")
    with pytest.raises(ParameterError, match="exposure"):
        pz.segment([1, 2, 3, 4, 5, 6], n_breaks=1, model="poisson_trend", exposure=np.ones(6))
    with pytest.raises(ParameterError, match="null='trend'"):
        pz.test_periodization([1, 2, 3, 4, 5, 6, 7, 8], boundaries=(4,), model="poisson_trend")


def test_quasi_poisson_trend_divides_by_the_second_difference_dispersion():
    rng = np.random.default_rng(8)
    y = rng.poisson(rng.gamma(2.0, 3.0, (2, 60))).astype(float)
    quasi, plain = QuasiPoissonTrendCost(y), PoissonTrendCost(y)
    by_hand = np.array([np.mean(np.diff(row, n=2) ** 2) / 6 / row.mean() for row in y])
    np.testing.assert_allclose(quasi.dispersion, by_hand, rtol=1e-12)
    starts, ends = np.array([0, 20]), np.array([20, 60])
    np.testing.assert_allclose(
        quasi.cost(starts, ends), plain.cost(starts, ends) / by_hand[:, None]
    )
    np.testing.assert_allclose(
        quasi.slopes(starts, ends)[1], plain.slopes(starts, ends)[1] * np.sqrt(by_hand)[:, None]
    )
    np.testing.assert_allclose(
        quasi.estimates(starts, ends)[1],
        plain.estimates(starts, ends)[1] * np.sqrt(by_hand)[:, None],
    )
    # a trend in the rate does not move the dispersion; Poisson counts give about 1 (its sd
    # over seeds: 0.03)
    rising = rng.poisson(np.exp(np.linspace(np.log(2.0), np.log(30.0), 5000)))[None]
    assert QuasiPoissonTrendCost(rising.astype(float)).dispersion[0] == pytest.approx(1.0, abs=0.1)
    weighted = pz.segment(y[0] + 0.5, n_breaks=1, model="quasipoisson_trend")
    assert weighted.model == "quasipoisson_trend"
    with pytest.raises(ParameterError, match="null='trend'"):
        pz.test_periodization(y[0], boundaries=(30,), model="quasipoisson_trend")


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(2, 60),
    scale=st.sampled_from([0.05, 3.0, 1e6]),
    breaks=st.integers(0, 5),
)
def test_the_compiled_cost_equals_the_numpy_reference(seed, n, scale, breaks):
    """The searches price segments in scalar compiled code (Newton stopped once its step
    is below 1e-5/m, plus the step's gain; ``S log S`` looked up for integer counts, computed
    for others); the numpy formulas of the module are the reference, limits included (rows
    of zeros, all counts in one period)."""
    rng = np.random.default_rng(seed)
    y = rng.poisson(scale * np.exp(rng.normal(0, 0.1) * np.arange(n)), (4, n)).astype(float)
    y[1] = 0.0
    y[2] = 0.0
    y[2, rng.integers(n)] = 5.0
    cuts = np.sort(rng.choice(np.arange(1, n), min(breaks, n - 1), replace=False))
    edges = np.tile(np.r_[0, cuts, n], (4, 1))
    for cls, values in itertools.product((PoissonTrendCost, QuasiPoissonTrendCost), (y, y + 0.25)):
        cost = cls(values)
        np.testing.assert_allclose(
            cost.total_cost(edges), cost.total_cost(edges, compiled=False), rtol=1e-11, atol=1e-9
        )


def test_a_segment_centred_on_its_middle_has_no_growth_and_the_levels_cost():
    """Counts whose mean position is the segment's middle (symmetric ones) have growth 0:
    the compiled cost is then the constant rate's, ``-2 (S log(S/m) - S)`` (Newton's root
    is its start there; it used to bisect towards it for some 36 steps)."""
    segments = [[3.0, 3.0, 3.0], [1.0, 0.0, 1.0], [2.0, 5.0, 0.0, 5.0, 2.0], [4.0, 1.0, 1.0, 4.0]]
    for y in segments:
        total, m = sum(y), len(y)
        expected = -2.0 * (total * np.log(total / m) - total)
        got = PoissonTrendCost(np.array([y])).total_cost(np.array([[0, m]]))[0]
        assert got == pytest.approx(expected, rel=1e-12)


def test_a_long_penalised_search_of_count_lines_is_compiled_pelt_and_exact():
    """Beyond the exact path's budget (250 periods, K up to 82) count lines are searched
    by compiled PELT, not by numpy's optimal partitioning, whose Newton solves for every
    segment took 20 s on 800 periods: the same optimum as that reference, on a rise with a
    drop in it."""
    from periodize.segmentation.search.pelt import optimal_partitioning

    rng = np.random.default_rng(8)
    t = np.arange(250)
    y = rng.poisson(np.exp(0.5 + 0.01 * t) * np.where(t < 160, 1.0, 0.4)).astype(float)
    fit = pz.segment(y, model="poisson_trend", penalty=12.0)
    assert fit.method == "exact (pelt)"
    _, expected = optimal_partitioning(PoissonTrendCost(y[None]), 12.0, 3)
    assert list(fit.break_indices[0]) == expected[0] and 155 <= expected[0][0] <= 165
