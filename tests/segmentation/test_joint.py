"""Joint segmentation: one set of boundaries for several series, checked against brute force
over every segmentation, statsmodels GLM deviances and the single-series search."""

from itertools import combinations, pairwise

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.segmentation import api
from periodize.segmentation.costs import COSTS
from periodize.segmentation.joint import SummedCost
from periodize.segmentation.search.joint import joint_path


def segmentations(n: int, k: int, min_size: int):
    """Every set of k break indices leaving segments of at least min_size periods."""
    for breaks in combinations(range(min_size, n - min_size + 1), k):
        edges = (0, *breaks, n)
        if all(b - a >= min_size for a, b in pairwise(edges)):
            yield breaks


def poisson_deviance(y: np.ndarray, breaks: tuple[int, ...]) -> float:
    """-2 × the Poisson log-likelihood with one rate per segment (terms in y alone dropped)."""
    total = 0.0
    for part in np.split(y, breaks):
        s = part.sum()
        if s > 0:
            total += -2 * (s * np.log(s / part.size) - s)
    return total


def normal_cost(y: np.ndarray, breaks: tuple[int, ...]) -> float:
    """Residual sum of squares over the difference-based variance of the series."""
    sigma2 = np.sum(np.diff(y) ** 2) / (2 * (y.size - 1))
    return sum(((part - part.mean()) ** 2).sum() for part in np.split(y, breaks)) / sigma2


def frame(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        values.T,
        index=pd.RangeIndex(1990, 1990 + values.shape[1]),
        columns=[f"s{i}" for i in range(len(values))],
    )


@pytest.mark.parametrize("model, price", [("poisson", poisson_deviance), ("normal", normal_cost)])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_joint_breaks_are_the_brute_force_optimum_of_the_summed_costs(model, price, k):
    rng = np.random.default_rng(k)
    n, min_size = 14, 2
    rates = np.where(np.arange(n) < 6, 2.0, 6.0) * np.array([[1.0], [0.5], [2.0]])
    values = rng.poisson(rates).astype(float)
    if model == "normal":
        values = values + rng.normal(0, 0.5, values.shape)
    fit = pz.segment(frame(values), n_breaks=k, model=model, min_size=min_size, joint=True)
    totals = {b: sum(price(row, b) for row in values) for b in segmentations(n, k, min_size)}
    best = min(totals, key=totals.get)
    assert fit.break_indices == (best,) * 3
    found = fit.costs[k].sum() - fit.costs[0].sum()
    assert found == pytest.approx(totals[best] - sum(price(row, ()) for row in values))


def test_joint_penalty_counts_every_series_parameters():
    """BIC: the k minimising the brute-force optimum plus k·(m·p + 1)·log n."""
    rng = np.random.default_rng(5)
    n, m = 16, 3
    values = rng.poisson(np.where(np.arange(n) < 8, 1.5, 3.5), size=(m, n)).astype(float)
    fit = pz.segment(frame(values), penalty="bic", model="poisson", min_size=2, joint=True)
    scores = {}
    for k in range(4):
        best = min(sum(poisson_deviance(row, b) for row in values) for b in segmentations(n, k, 2))
        scores[k] = best + k * (m * 1 + 1) * np.log(n)
    assert len(fit.break_indices[0]) == min(scores, key=scores.get)
    assert fit.penalty["per_break"] == pytest.approx((m + 1) * np.log(n))


def test_joint_likelihood_ratio_equals_summed_glm_deviances():
    """The joint fit's drop in deviance from no change equals the sum over series of the
    Poisson GLM deviance drop with period dummies at the joint boundaries."""
    rng = np.random.default_rng(9)
    n = 30
    values = rng.poisson(np.where(np.arange(n) < 18, 2.0, 5.0), size=(2, n)).astype(float)
    fit = pz.segment(frame(values), n_breaks=2, model="poisson", joint=True)
    (breaks,) = {tuple(b) for b in fit.break_indices}
    period = np.searchsorted(np.array(breaks), np.arange(n), side="right")
    dummies = sm.add_constant(np.eye(len(breaks) + 1)[period][:, 1:])
    expected = 0.0
    for row in values:
        full = sm.GLM(row, dummies, family=sm.families.Poisson()).fit()
        none = sm.GLM(row, np.ones((n, 1)), family=sm.families.Poisson()).fit()
        expected += none.deviance - full.deviance
    assert fit.costs[0].sum() - fit.costs[2].sum() == pytest.approx(expected, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    copies=st.integers(1, 3),
    k=st.integers(0, 3),
    model=st.sampled_from(["poisson", "normal"]),
)
def test_joint_of_copies_is_the_single_series_optimum(seed, copies, k, model):
    """Copies of one series share its own optimal breaks (the summed cost is the single
    cost times the number of copies), and one series alone is the ordinary search."""
    rng = np.random.default_rng(seed)
    y = rng.poisson(3.0, 20).astype(float) + (rng.normal(0, 1, 20) if model == "normal" else 0)
    alone = pz.segment(frame(y[None, :]), n_breaks=k, model=model)
    joint = pz.segment(frame(np.tile(y, (copies, 1))), n_breaks=k, model=model, joint=True)
    assert joint.costs[k].sum() == pytest.approx(copies * alone.costs[k].iloc[0])
    if alone.identified is True:
        cost = COSTS[model](y[None, :])
        edges = np.array([[0, *joint.break_indices[0], 20]])
        assert cost.total_cost(edges)[0] == pytest.approx(alone.costs[k].iloc[0])


def test_summed_cost_batches_groups_like_a_loop():
    rng = np.random.default_rng(2)
    values = rng.poisson(3.0, size=(6, 12)).astype(float)
    members = COSTS["poisson"](values)
    grouped = SummedCost(members, 3)
    starts, ends = np.array([0, 2, 5]), 9
    for g in range(2):
        alone = SummedCost(COSTS["poisson"](values[3 * g : 3 * g + 3]), 3)
        np.testing.assert_allclose(grouped.cost(starts, ends)[g], alone.cost(starts, ends)[0])
    per_group = np.array([[0, 1, 4], [3, 0, 2]])
    for g in range(2):
        np.testing.assert_allclose(
            grouped.cost(per_group, 10)[g],
            members.cost(per_group[g], 10)[3 * g : 3 * g + 3].sum(0),
        )
    with pytest.raises(ValueError, match="groups of 4"):
        SummedCost(members, 4)


def test_long_joint_records_use_pelt_on_the_summed_costs(monkeypatch):
    """Beyond the path budget the penalised joint search is PELT on the summed costs; it
    finds what dynamic programming over every k finds."""
    rng = np.random.default_rng(4)
    n = 150
    level = np.where(np.arange(n) < 60, 2.0, np.where(np.arange(n) < 110, 6.0, 3.0))
    values = frame(rng.poisson(level, size=(2, n)).astype(float))
    dp_fit = pz.segment(values, penalty="bic", model="poisson", joint=True)
    monkeypatch.setattr(api, "PATH_BUDGET", 0)
    pelt_fit = pz.segment(values, penalty="bic", model="poisson", joint=True)
    assert pelt_fit.method == "exact (pelt), joint"
    assert dp_fit.method == "exact (dp over all k), joint"
    assert pelt_fit.break_indices == dp_fit.break_indices
    assert len(dp_fit.break_indices[0]) == 2


def test_default_joint_choice_says_it_shares_the_boundaries():
    rng = np.random.default_rng(3)
    values = rng.normal(np.where(np.arange(80) < 40, 0.0, 3.0), 1.0, size=(2, 80))
    fit = pz.segment(frame(values), joint=True)
    assert fit.break_indices == ((40,), (40,))
    assert "one set of boundaries shared by the 2 series" in fit.choice["rule"]
    assert fit.provenance.parameters["joint"] is True


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"joint": "yes"}, "'joint' parameter of segment must be True or False. Got 'yes'"),
        ({"joint": True, "method": "pelt"}, "method 'pelt' searches one series at a time"),
        ({"joint": True, "method": "ruptures.Binseg"}, "Use method='exact'"),
    ],
)
def test_joint_refusals_name_the_way_out(kwargs, message):
    values = frame(np.ones((2, 10)))
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pz.segment(values, n_breaks=1, model="poisson", **kwargs)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    groups=st.integers(1, 4),
    size=st.integers(1, 3),
    k=st.integers(0, 3),
    model=st.sampled_from(["poisson", "quasipoisson", "normal", "normal_meanvar", "negbin"]),
    min_size=st.integers(1, 3),
)
def test_compiled_joint_programme_equals_the_numpy_reference(
    seed, groups, size, k, model, min_size
):
    """The compiled joint kernel gives the numpy programme's optimal costs on the summed
    cost for every k, group by group (and its breaks cost what the optimum costs)."""
    rng = np.random.default_rng(seed)
    n = 18
    values = rng.poisson(rng.uniform(0.5, 6, size=(groups * size, 1)), (groups * size, n))
    values = values.astype(float) + (rng.normal(0, 1, values.shape) if "normal" in model else 0)
    summed = SummedCost(COSTS[model](values), size)
    top = min(k, n // max(min_size, COSTS[model].min_size) - 1)
    width = max(min_size, COSTS[model].min_size)
    fast = joint_path(summed, top, width)
    slow = joint_path(summed, top, width, compiled=False)
    np.testing.assert_allclose(fast.costs, slow.costs, rtol=1e-9, atol=1e-9)
    for j in range(top + 1):
        edges = np.column_stack([np.zeros(groups, int), fast.breaks[j], np.full(groups, n)])
        member_edges = np.repeat(edges, size, axis=0)
        priced = summed.members.total_cost(member_edges).reshape(groups, size).sum(axis=1)
        np.testing.assert_allclose(priced, slow.costs[:, j], rtol=1e-9, atol=1e-9)
