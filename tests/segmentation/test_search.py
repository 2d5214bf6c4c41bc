"""Searches against brute force over all segmentations, and against ruptures."""

import itertools

import numpy as np
import pandas as pd
import pytest
import ruptures as rpt
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.segmentation.costs import COSTS, NormalCost
from periodize.segmentation.search.dynamic import exact_path
from periodize.segmentation.search.pelt import optimal_partitioning, pelt


def all_segmentations(n, k, min_size):
    """Every break set with k breaks and segments of at least min_size, as edges."""
    for breaks in itertools.combinations(range(1, n), k):
        edges = (0, *breaks, n)
        if min(np.diff(edges)) >= min_size:
            yield edges


def brute_force(model, values, k, min_size, term=None):
    """Optimal cost per series by pricing every admissible segmentation."""
    n = values.shape[1]
    candidates = np.array(list(all_segmentations(n, k, min_size)))
    if len(candidates) == 0:
        return np.full(len(values), np.inf)
    # one row per (series, candidate): each copy keeps its own series' nuisance estimates
    cost = COSTS[model](np.repeat(values, len(candidates), axis=0))
    edges = np.tile(candidates, (len(values), 1))
    totals = cost.total_cost(edges)
    if term is not None:
        totals = totals + term(np.diff(edges, axis=1)).sum(axis=1)
    return totals.reshape(len(values), len(candidates)).min(axis=1)


MODELS = sorted(COSTS)


@st.composite
def problems(draw):
    model = draw(st.sampled_from(MODELS))
    n = draw(st.integers(4, 11))
    min_size = draw(st.integers(max(1, COSTS[model].min_size), 3))
    series = draw(st.integers(1, 3))
    counts = draw(st.lists(st.integers(0, 9), min_size=n * series, max_size=n * series))
    values = np.array(counts, dtype=float).reshape(series, n)
    if model in ("quasipoisson", "normal", "normal_meanvar"):
        values = values * 1.37 + draw(st.floats(0, 1)) * (model != "quasipoisson")
    return model, values, min_size


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(0, 3))
def test_exact_search_equals_brute_force(problem, k_max):
    model, values, min_size = problem
    n = values.shape[1]
    k_max = min(k_max, n // min_size - 1)
    path = exact_path(COSTS[model], values, k_max, min_size)
    for k in range(k_max + 1):
        expected = brute_force(model, values, k, min_size)
        np.testing.assert_allclose(path.costs[:, k], expected, rtol=1e-9, atol=1e-9)
        edges = np.column_stack(
            [np.zeros(len(values), int), path.breaks[k], np.full(len(values), n)]
        )
        assert (np.diff(edges, axis=1) >= min_size).all()
        np.testing.assert_allclose(
            COSTS[model](values).total_cost(edges), expected, rtol=1e-9, atol=1e-9
        )


@settings(max_examples=60, deadline=None)
@given(problems(), st.sampled_from([0.0, 0.5, 2.0, 7.0, 50.0]), st.booleans())
def test_penalised_searches_equal_brute_force(problem, beta, mbic):
    model, values, min_size = problem
    n = values.shape[1]
    term = (lambda length: np.log(np.asarray(length) / n)) if mbic else None
    expected = np.min(
        [brute_force(model, values, k, min_size, term) + k * beta for k in range(n // min_size)],
        axis=0,
    )
    value, _ = optimal_partitioning(COSTS[model](values), beta, min_size, term)
    np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-9)
    for i in range(len(values)):
        single, found = pelt(COSTS[model](values[i : i + 1]), beta, min_size, term)
        assert single == pytest.approx(expected[i], rel=1e-9, abs=1e-9)
        edges = np.array([[0, *found, n]])
        again = COSTS[model](values[i : i + 1]).total_cost(edges)[0] + beta * len(found)
        if term is not None:
            again += term(np.diff(edges[0])).sum()
        assert again == pytest.approx(expected[i], rel=1e-9, abs=1e-9)


def test_pelt_is_exact_where_ruptures_pelt_is_not():
    """min_size > 1: ruptures' Pelt prunes too early (its PR #383); ours keeps candidates."""
    y = np.array([2.0, 0.2, 0.9, 2.3, -5.7, -2.1, -1.7, -1.2, -1.5, 0.4, 0.2, 2.3, -3.7, -3.3])
    beta, min_size = 2.0, 3

    def l2(edges):
        return sum(y[a:b].var() * (b - a) for a, b in itertools.pairwise(edges))

    exact = min(
        l2(e) + beta * (len(e) - 2)
        for k in range(4)
        for e in all_segmentations(len(y), k, min_size)
    )
    bkps = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(y).predict(pen=beta)
    theirs = l2([0, *bkps]) + beta * (len(bkps) - 1)
    cost = NormalCost(y[None, :])
    _, ours = pelt(cost, beta / cost.sigma2[0], min_size)  # our normal cost is RSS / sigma2
    assert l2([0, *ours, len(y)]) + beta * len(ours) == pytest.approx(exact)
    assert theirs > exact + 0.1  # ruptures 1.1.10: 43.85 against the optimum 43.71


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_size", [1, 2, 3, 5])
def test_normal_boundaries_equal_ruptures_dynp_l2(seed, min_size):
    rng = np.random.default_rng(seed)
    y = rng.normal(np.repeat(rng.normal(0, 2, 3), 12), 1.0)
    k = 2
    expected = rpt.Dynp(model="l2", jump=1, min_size=min_size).fit(y).predict(n_bkps=k)[:-1]
    fit = pz.segment(y, n_breaks=k, model="normal", min_size=min_size)
    assert list(fit.indices) == expected


@pytest.mark.parametrize("model", ["poisson", "negbin"])
def test_periodize_costs_run_inside_ruptures(model):
    rng = np.random.default_rng(3)
    y = rng.poisson(np.repeat([1.0, 5.0, 2.0], 10)).astype(float)
    algo = rpt.Dynp(custom_cost=pz.ruptures_cost(model), min_size=3, jump=1).fit(y)
    assert algo.predict(n_bkps=2)[:-1] == list(pz.segment(y, n_breaks=2, model=model).indices)


def test_ruptures_binseg_is_reachable():
    rng = np.random.default_rng(4)
    y = rng.poisson(np.repeat([1.0, 8.0], 30)).astype(float)
    fit = pz.segment(y, n_breaks=1, method="ruptures.Binseg")
    assert fit.method == "ruptures.Binseg" and fit.indices == (30,)
    penalised = pz.segment(y, penalty="bic", method="ruptures.BottomUp")
    assert penalised.n_breaks >= 1


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=3 * 15, max_size=3 * 15),
    st.sampled_from(["poisson", "negbin", "normal", "normal_meanvar"]),
    st.sampled_from([{"n_breaks": 2}, {"penalty": "bic"}, {"penalty": 3.0}]),
)
def test_batched_equals_looped(counts, model, how):
    frame = pd.DataFrame(
        np.array(counts, float).reshape(15, 3),
        columns=["a", "b", "c"],
        index=pd.RangeIndex(2000, 2015, name="year"),
    )
    together = pz.segment(frame, model=model, **how)
    for name in frame:
        alone = pz.segment(frame[[name]], model=model, **how)
        assert together.by_series.loc[name, "boundaries"] == alone.boundaries
        assert together.loglik[name] == pytest.approx(alone.loglik.iloc[0])


@pytest.mark.parametrize("how", [{"n_breaks": 2}, {"penalty": "bic"}, {"penalty": "mbic"}])
@pytest.mark.parametrize(("a", "b"), [(3.0, 10.0), (-0.5, 1.0), (1e4, -7.0)])
def test_normal_boundaries_are_invariant_to_affine_rescaling(how, a, b):
    rng = np.random.default_rng(11)
    y = rng.normal(np.repeat([0.0, 1.5, 0.2], 10), 0.7)
    base = pz.segment(y, model="normal", **how).indices
    assert pz.segment(a * y + b, model="normal", **how).indices == base
    assert (
        pz.segment(a * y + b, model="normal_meanvar", **how).indices
        == pz.segment(y, model="normal_meanvar", **how).indices
    )


def test_penalty_path_matches_penalised_search():
    rng = np.random.default_rng(5)
    y = rng.poisson(np.repeat([1.0, 4.0, 1.5, 6.0], 8)).astype(float)
    path = pz.penalty_path(y)
    assert path["penalty_high"].iloc[0] == np.inf and path["penalty_low"].iloc[-1] == 0
    for row in path.itertuples():
        inside = row.penalty_low + 0.5 * (
            min(row.penalty_high, row.penalty_low + 20) - row.penalty_low
        )
        assert pz.segment(y, penalty=inside, model="poisson").boundaries == row.boundaries
