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
from periodize.segmentation.costs.mixed import mixed_cost
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
        ({"joint": "yes"}, "'joint' parameter of segment must be True, False, 'dyad' or a"),
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
    model=st.sampled_from(
        ["poisson", "quasipoisson", "normal", "normal_meanvar", "negbin", "mixed"]
    ),
    min_size=st.integers(1, 3),
)
def test_compiled_joint_programme_equals_the_numpy_reference(
    seed, groups, size, k, model, min_size
):
    """The compiled joint kernel gives the numpy programme's optimal costs on the summed
    cost for every k, group by group (and its breaks cost what the optimum costs); also
    for members of different models ("mixed": every group's members cycle through
    poisson, normal, negbin and normal_meanvar, each row with its own model's code)."""
    rng = np.random.default_rng(seed)
    n = 18
    values = rng.poisson(rng.uniform(0.5, 6, size=(groups * size, 1)), (groups * size, n))
    cycle = ("poisson", "normal", "negbin", "normal_meanvar")
    kinds = [cycle[i % size] if model == "mixed" else model for i in range(groups * size)]
    gaussian = np.array(["normal" in kind for kind in kinds])
    values = values.astype(float)
    values[gaussian] += rng.normal(0, 1, values[gaussian].shape)
    classes = tuple(COSTS[kind] for kind in kinds)
    cost = mixed_cost(classes)(values) if model == "mixed" else COSTS[model](values)
    summed = SummedCost(cost, size)
    width = max(min_size, *(c.min_size for c in classes))
    top = min(k, n // width - 1)
    fast = joint_path(summed, top, width)
    slow = joint_path(summed, top, width, compiled=False)
    np.testing.assert_allclose(fast.costs, slow.costs, rtol=1e-9, atol=1e-9)
    for j in range(top + 1):
        edges = np.column_stack([np.zeros(groups, int), fast.breaks[j], np.full(groups, n)])
        member_edges = np.repeat(edges, size, axis=0)
        priced = summed.members.total_cost(member_edges).reshape(groups, size).sum(axis=1)
        np.testing.assert_allclose(priced, slow.costs[:, j], rtol=1e-9, atol=1e-9)


# A model per series (model={...}): each series priced by its own model.


def indicators(seed: int, n: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = np.arange(n)
    return pd.DataFrame(
        {
            "visits": rng.poisson(np.where(periods < 7, 1.0, 4.0)).astype(float),
            "goldstein": rng.normal(np.where(periods < 9, 0.0, 1.2), 0.6),
        },
        index=pd.RangeIndex(1990, 1990 + n),
    )


MODELS = {"visits": "poisson", "goldstein": "normal"}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_mixed_breaks_are_the_brute_force_optimum_of_each_series_own_cost(k):
    frame = indicators(k)
    fit = pz.segment(frame, n_breaks=k, model=MODELS, min_size=2, joint=True)
    visits, goldstein = frame["visits"].to_numpy(), frame["goldstein"].to_numpy()
    totals = {
        b: poisson_deviance(visits, b) + normal_cost(goldstein, b)
        for b in segmentations(len(frame), k, 2)
    }
    best = min(totals, key=totals.get)
    assert fit.break_indices == (best, best)
    assert fit.costs[k].sum() == pytest.approx(totals[best], rel=1e-9)
    found = fit.costs[0].sum() - fit.costs[k].sum()
    nothing = poisson_deviance(visits, ()) + normal_cost(goldstein, ())
    assert found == pytest.approx(nothing - totals[best], rel=1e-9)
    assert fit.choice["model"] == MODELS
    assert fit.model == "mixed (visits: poisson, goldstein: normal)"


def test_each_series_keeps_its_own_models_estimates_and_likelihood():
    frame = indicators(5)
    fit = pz.segment(frame, n_breaks=1, model=MODELS, joint=True)
    (boundary,) = fit.by_series.loc["visits", "boundaries"]
    compared = 0
    for name, model in MODELS.items():
        cut = frame.index.get_loc(boundary)
        means = [frame[name].iloc[:cut].mean(), frame[name].iloc[cut:].mean()]
        np.testing.assert_allclose(fit.estimates.loc[name, "estimate"], means, rtol=1e-12)
        alone = pz.segment(frame[name], n_breaks=1, model=model)
        if alone.boundaries == (boundary,):  # the same periods: the same fit
            pd.testing.assert_frame_equal(fit.estimates.loc[[name]], alone.estimates)
            assert fit.loglik[name] == pytest.approx(alone.loglik[name])
            compared += 1
    assert compared >= 1  # the data make at least one series' own break the joint one
    assert np.isnan(fit.nuisance.loc["visits", "sigma2"])
    assert fit.nuisance.loc["goldstein", "sigma2"] > 0


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    models=st.lists(
        st.sampled_from(["poisson", "quasipoisson", "negbin", "normal", "normal_meanvar"]),
        min_size=1,
        max_size=4,
    ),
    cuts=st.sets(st.integers(2, 10), max_size=3),
)
def test_mixed_cost_of_every_row_is_its_own_models(seed, models, cuts):
    rng = np.random.default_rng(seed)
    gaussian = np.array([m.startswith("normal") for m in models])[:, None]
    shape = (len(models), 12)
    values = rng.poisson(3.0, size=shape) + gaussian * rng.normal(0, 0.3, shape)
    edges = np.tile(np.array([0, *sorted(cuts), 12]), (len(models), 1))
    mixed = mixed_cost(tuple(COSTS[m] for m in models))(values)
    for i, model in enumerate(models):
        alone = COSTS[model](values[i : i + 1])
        row = edges[i : i + 1]
        np.testing.assert_allclose(mixed.cost(edges[:, :-1], edges[:, 1:])[i],
                                   alone.cost(row[:, :-1], row[:, 1:])[0], rtol=1e-12)  # fmt: skip
        for method in ("total_cost", "loglik", "partial_loglik", "fitted_means"):
            np.testing.assert_allclose(
                getattr(mixed, method)(edges)[i], getattr(alone, method)(row)[0], rtol=1e-12
            )
        np.testing.assert_allclose(
            mixed.estimates(edges[:, :-1], edges[:, 1:])[0][i],
            alone.estimates(row[:, :-1], row[:, 1:])[0][0],
            rtol=1e-12,
        )
        assert mixed.n_params[i] == COSTS[model].n_params


@pytest.mark.parametrize("other, params", [("normal", 1), ("normal_meanvar", 2)])
def test_penalty_counts_each_series_own_parameters(other, params):
    frame = indicators(7)
    fit = pz.segment(frame, penalty="bic", model={"visits": "poisson", "goldstein": other},
                     joint=True)  # fmt: skip
    assert fit.penalty["per_break"] == pytest.approx((1 + params + 1) * np.log(len(frame)))


def test_auto_per_series_chooses_counts_or_gaussian_and_the_default_rule_runs():
    frame = indicators(3, n=40)
    fit = pz.segment(frame, model={"visits": "auto", "goldstein": "auto"}, joint=True)
    assert fit.choice["model"] == {"visits": "quasipoisson", "goldstein": "normal"}
    assert fit.choice["by_data"] is True
    assert fit.by_series["boundaries"].nunique() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"model": MODELS}, "pass joint=True"),
        ({"model": {"visits": "poisson"}, "joint": True}, "no model for goldstein"),
        ({"model": {**MODELS, "trade": "normal"}, "joint": True}, "trade is not a series"),
        ({"model": {"visits": "poisson", "goldstein": "gauss"}, "joint": True}, "goldstein"),
        ({"model": {"visits": "poisson", "goldstein": "poisson"}, "joint": True},
         "series goldstein"),
        ({"model": {"visits": "poisson", "goldstein": 3}, "joint": True}, "model name"),
        ({"model": MODELS, "joint": True, "exposure": np.ones(16)}, "not taken with a model"),
    ],
)  # fmt: skip
def test_mixed_refusals_name_the_series_and_the_way_out(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        pz.segment(indicators(1), n_breaks=1, **kwargs)


# Groups (joint="dyad" or a mapping): one set of boundaries per group, all groups at once.


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_groups=st.integers(1, 4),
    size=st.integers(1, 3),
    model=st.sampled_from(["poisson", "normal", "mixed"]),
    rule=st.sampled_from([{"n_breaks": 1}, {"n_breaks": 2}, {"penalty": "bic"}, {}]),
)
def test_groups_searched_together_equal_each_group_alone(seed, n_groups, size, model, rule):
    """Also with a model per series ("mixed": within every group a count member, then a
    Gaussian one, and so on): every group's boundaries and log-likelihoods are those of
    the group segmented alone."""
    rng = np.random.default_rng(seed)
    n = 24
    shifts = rng.integers(4, 20, size=n_groups)
    rates = np.where(np.arange(n)[None, :] < np.repeat(shifts, size)[:, None], 2.0, 5.0)
    values = rng.poisson(rates).astype(float)
    labels = {f"s{i}": f"g{i % n_groups}" for i in range(len(values))}  # equal sizes
    member = {f"s{i}": i // n_groups for i in range(len(values))}  # place in its group
    models = {
        name: "normal" if model == "normal" or (model == "mixed" and j % 2) else "poisson"
        for name, j in member.items()
    }
    gaussian = np.array([models[f"s{i}"] == "normal" for i in range(len(values))])
    values[gaussian] += rng.normal(0, 0.5, values[gaussian].shape)
    series = frame(values)
    given = models if model == "mixed" else model
    together = pz.segment(series, model=given, joint=labels, **rule)
    for g in range(n_groups):
        members = [name for name, label in labels.items() if label == f"g{g}"]
        own = {name: models[name] for name in members} if model == "mixed" else model
        alone = pz.segment(series[members], model=own, joint=True, **rule)
        for name in members:
            assert (
                together.by_series.loc[name, "boundaries"]
                == alone.by_series.loc[name, "boundaries"]
            )
            assert together.loglik[name] == pytest.approx(alone.loglik[name], rel=1e-12)


def test_dyad_groups_the_two_directions_of_every_dyad():
    events, _ = pz.simulate_events(
        n_dyads=3, years=range(1980, 2020), boundaries=(2000,), rates=(1.0, 3.0), rng=1
    )
    directions = pz.intensity(events, by="direction")
    fit = pz.segment(directions, joint="dyad", n_breaks=1, model="poisson")
    found = fit.by_series["boundaries"]
    for name in directions.data.columns:
        actor, target = name.split("->")
        assert found[name] == found[f"{target}->{actor}"]
        alone = pz.segment(directions.data[[name, f"{target}->{actor}"]], n_breaks=1,
                           model="poisson", joint=True)  # fmt: skip
        assert found[name] == alone.by_series.loc[name, "boundaries"]
    assert fit.provenance.parameters["joint"] == "dyad"
    assert "within each of 3 groups of 2 series (joint by dyad)" in fit.choice["rule"]


@pytest.mark.parametrize(
    "joint, message",
    [
        ("dyad", "'s0' is not"),
        ({"s0": "a", "s1": "a", "s2": "b"}, "a 2, b 1"),
        ({"s0": "a", "s1": "b"}, "no group for s2"),
        ({"s0": "a", "s1": "a", "s2": "b", "s3": "b", "s9": "c"}, "s9 is not a series"),
    ],
)
def test_group_refusals_name_the_series(joint, message):
    values = frame(np.ones((4 if isinstance(joint, dict) and "s3" in joint else 3, 10)))
    with pytest.raises(ParameterError, match=message):
        pz.segment(values, n_breaks=1, model="poisson", joint=joint)


def test_groups_with_a_model_per_series_hold_the_same_models():
    values = frame(np.ones((2, 10)))
    with pytest.raises(ParameterError, match="group a has \\['poisson'\\], group b has"):
        pz.segment(values, n_breaks=1, model={"s0": "poisson", "s1": "normal"},
                   joint={"s0": "a", "s1": "b"})  # fmt: skip
