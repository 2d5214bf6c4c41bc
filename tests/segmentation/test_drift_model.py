"""The drift model (``segment(..., model="normal_drift")``): its likelihood equals the dense
GLS formula, its parameters are the grid's maximum of that formula, its level path is the
least-squares minimiser of its objective, its change points are the exact optimum for the
parameters it reports, and the bad inputs it cannot take are refused by name."""

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.segmentation.costs.drift import (
    PHI_GRID,
    Q_GRID,
    DriftCost,
    DriftParameters,
    drift_parameters,
    segment_costs,
)
from periodize.segmentation.search.drift import drift_search, joint_drift_search


def dense_gls(y, changes, sd, phi, sd_drift):
    """Log-likelihood, GLS levels and their covariance with the covariance matrix written
    out: AR(1) noise plus a random walk from 0 that does not step at a change."""
    n = len(y)
    t = np.arange(n)
    noise = phi ** np.abs(t[:, None] - t[None, :]) / (1 - phi**2)
    steps = np.cumsum([0 if (u == 0 or u in changes) else 1 for u in range(n)])
    walk = (sd_drift / sd) ** 2 * steps[np.minimum.outer(t, t)]
    omega = (noise + walk) * sd**2
    edges = [0, *sorted(changes), n]
    design = np.zeros((n, len(edges) - 1))
    for j, (a, b) in enumerate(itertools.pairwise(edges)):
        design[a:b, j] = 1
    inverse = np.linalg.inv(omega)
    cov = np.linalg.inv(design.T @ inverse @ design)
    beta = cov @ design.T @ inverse @ y
    r = y - design @ beta
    loglik = -0.5 * (np.linalg.slogdet(2 * np.pi * omega)[1] + r @ inverse @ r)
    return loglik, beta, cov


def least_squares_path(y, changes, sd, phi, sd_drift, covariance=False):
    """The levels minimising the model's objective, by a least-squares solve over all
    levels, and the minimum (``covariance``: also the path's posterior covariance, the
    inverse of the whitened design's cross-product)."""
    n = len(y)
    eye = np.eye(n)
    rows = [np.sqrt(1 - phi**2) * eye[0]] + [eye[t] - phi * eye[t - 1] for t in range(1, n)]
    rhs = [np.sqrt(1 - phi**2) * y[0]] + [y[t] - phi * y[t - 1] for t in range(1, n)]
    rows += [(eye[t] - eye[t - 1]) * sd / sd_drift for t in range(1, n) if t not in changes]
    rhs += [0.0] * (len(rows) - len(rhs))
    design, target = np.array(rows) / sd, np.array(rhs) / sd
    path = np.linalg.lstsq(design, target, rcond=None)[0]
    minimum = np.sum((target - design @ path) ** 2)
    if covariance:
        return path, minimum, np.linalg.inv(design.T @ design)
    return path, minimum


@pytest.mark.parametrize(
    ("sd", "phi", "sd_drift", "changes"),
    [(1.3, 0.4, 0.5, [20]), (0.8, 0.0, 0.0, [10, 25]), (2.0, 0.7, 0.1, []), (1.0, 0.9, 2.0, [5])],
)
def test_likelihood_levels_and_path_equal_the_dense_formulas(sd, phi, sd_drift, changes):
    rng = np.random.default_rng(2)
    y = np.cumsum(0.4 * rng.normal(size=40)) + rng.normal(size=40) + 1e3
    y[20:] += 4
    cost = DriftCost(y[None], scale=np.array([[sd, phi, sd_drift]]))
    edges = np.array([[0, *changes, 40]])
    loglik, beta, cov = dense_gls(y, set(changes), sd, phi, sd_drift)
    np.testing.assert_allclose(cost.loglik(edges)[0], loglik, rtol=1e-9)
    columns = cost.segment_columns(edges[:, :-1], edges[:, 1:])
    np.testing.assert_allclose(columns["jump"][0, 1:], np.diff(beta), rtol=1e-7, atol=1e-9)
    jump_var = np.diag(cov)[1:] + np.diag(cov)[:-1] - 2 * np.diag(cov, 1)
    np.testing.assert_allclose(columns["jump_se"][0, 1:], np.sqrt(jump_var), rtol=1e-7)
    if sd_drift > 0:  # the mean level of a period: the average of the path, its posterior sd
        path, minimum, path_cov = least_squares_path(y, set(changes), sd, phi, sd_drift, True)
        np.testing.assert_allclose(cost.fitted_means(edges)[0], path, rtol=1e-9)
        np.testing.assert_allclose(cost.total_cost(edges)[0], minimum, rtol=1e-8)
        estimate, se = cost.estimates(edges[:, :-1], edges[:, 1:])
        averages = np.zeros((40, len(changes) + 1))
        for j, (a, b) in enumerate(itertools.pairwise(edges[0])):
            averages[a:b, j] = 1 / (b - a)
        np.testing.assert_allclose(estimate[0], averages.T @ path, rtol=1e-9)
        np.testing.assert_allclose(se[0], np.sqrt(np.diag(averages.T @ path_cov @ averages)),
                                   rtol=1e-7)  # fmt: skip
    else:  # constant levels: the GLS ones, with their standard errors
        estimate, se = cost.estimates(edges[:, :-1], edges[:, 1:])
        np.testing.assert_allclose(estimate[0], beta, rtol=1e-9)
        np.testing.assert_allclose(se[0], np.sqrt(np.diag(cov)), rtol=1e-7)


def dense_restricted(y, changes, phi, q):
    """-2 × the restricted log-likelihood, the variance profiled out (its REML estimate),
    up to a constant: (n − d) log σ² + log|Ω| + log|X'Ω⁻¹X| + (n − d)."""
    n = len(y)
    _, beta, cov = dense_gls(y, changes, 1.0, phi, np.sqrt(q))
    t = np.arange(n)
    noise = phi ** np.abs(t[:, None] - t[None, :]) / (1 - phi**2)
    steps = np.cumsum([0 if (u == 0 or u in changes) else 1 for u in range(n)])
    omega = noise + q * steps[np.minimum.outer(t, t)]
    edges = [0, *sorted(changes), n]
    design = np.zeros((n, len(edges) - 1))
    for j, (a, b) in enumerate(itertools.pairwise(edges)):
        design[a:b, j] = 1
    r = y - design @ beta
    free = n - design.shape[1]
    variance = r @ np.linalg.solve(omega, r) / free
    return free * np.log(variance) + np.linalg.slogdet(omega)[1] - np.linalg.slogdet(cov)[1] + free


def test_parameters_are_the_grid_maximum_of_the_dense_restricted_likelihood():
    rng = np.random.default_rng(5)
    y = np.cumsum(0.5 * rng.normal(size=30)) + rng.normal(size=30)
    y[15:] += 3
    fitted = drift_parameters(y[None], [[15]])
    grid = [(phi, q) for phi in PHI_GRID for q in Q_GRID]
    values = [dense_restricted(y, {15}, phi, q) for phi, q in grid]
    phi, q = grid[int(np.argmin(values))]
    assert fitted.phi[0] == phi
    assert (fitted.sd_drift[0] / fitted.sd_noise[0]) ** 2 == pytest.approx(q)
    # the variance is the REML one at the grid's maximum, r'Ω⁻¹r / (n − d)
    _, beta, _ = dense_gls(y, {15}, 1.0, phi, np.sqrt(q))
    t = np.arange(30)
    walk = np.cumsum([0 if u in (0, 15) else 1 for u in range(30)])[np.minimum.outer(t, t)]
    omega = phi ** np.abs(t[:, None] - t[None, :]) / (1 - phi**2) + q * walk
    r = y - np.repeat(beta, 15)
    assert fitted.sd_noise[0] ** 2 == pytest.approx(r @ np.linalg.solve(omega, r) / 28, rel=1e-9)
    loglik, _, _ = dense_gls(y, {15}, fitted.sd_noise[0], phi, np.sqrt(q) * fitted.sd_noise[0])
    assert -fitted.deviance[0] / 2 == pytest.approx(loglik, rel=1e-9)


def test_parameters_recovered_on_a_long_record():
    rng = np.random.default_rng(9)
    n = 5000
    noise = np.zeros(n)
    innovations = rng.normal(size=n)
    noise[0] = innovations[0] / np.sqrt(1 - 0.5**2)
    for t in range(1, n):
        noise[t] = 0.5 * noise[t - 1] + innovations[t]
    y = np.cumsum(0.3 * rng.normal(size=n)) + noise
    fitted = drift_parameters(y[None], [[]])
    assert fitted.phi[0] == pytest.approx(0.5, abs=0.1)
    assert fitted.sd_drift[0] == pytest.approx(0.3, rel=0.3)
    assert fitted.sd_noise[0] == pytest.approx(1.0, rel=0.15)


def test_segment_reports_the_exact_optimum_for_its_parameters():
    rng = np.random.default_rng(11)
    walks = np.cumsum(0.2 * rng.normal(size=(5, 200)), axis=1) + rng.normal(size=(5, 200))
    walks[:, 100:] += np.array([0, 3, 5, -4, 6])[:, None]
    fit = pz.segment(walks.T, model="normal_drift")
    parameters = pd.DataFrame(fit.choice["drift"]).T
    found, optima, _ = drift_search(
        walks, parameters["sd_noise"], parameters["phi"], parameters["sd_drift"],
        fit.penalty["per_break"], fit.min_size,
    )  # fmt: skip
    assert [list(b) for b in fit.break_indices] == found
    edges = [np.array([0, *b, 200]) for b in found]
    k = np.array([len(b) for b in found])
    totals = fit.cost_table[np.arange(5), k]
    np.testing.assert_allclose(totals + fit.penalty["per_break"] * k, optima, rtol=1e-8)
    cost = DriftCost(walks, scale=parameters.to_numpy())
    np.testing.assert_allclose(fit.loglik_values, cost.loglik(edges), rtol=1e-10)
    assert all(min(abs(np.array(b) - 100)) <= 2 for b in found[1:])  # shifts of 3-6 noise sd
    assert fit.model == "normal_drift" and fit.penalty["name"] == "auto"
    assert set(fit.nuisance.columns) == {"sigma2", "phi", "drift_sd"}
    assert {"jump", "jump_se", "level_first", "level_last"} <= set(fit.estimates.columns)


def test_drift_is_not_a_staircase_and_shifts_are_still_found():
    rng = np.random.default_rng(12)
    t = np.arange(400)
    rise = 4.0 / (1.0 + np.exp(-(t - 200) / 40)) + rng.normal(size=(40, 400))
    drift = pz.segment(rise.T, model="normal_drift")
    levels = pz.segment(rise.T, model="normal")
    assert np.mean([len(b) == 0 for b in drift.break_indices]) >= 0.6
    assert np.mean([len(b) == 0 for b in levels.break_indices]) <= 0.2
    shifts = rng.normal(size=(40, 120)) + np.repeat([0.0, 2.0, 0.5], 40)
    found = pz.segment(shifts.T, model="normal_drift").break_indices
    assert np.mean([len(b) == 2 for b in found]) >= 0.8


def test_the_better_start_is_kept_per_series():
    # a shift alone and a walk alone, searched together: each series keeps its own start
    rng = np.random.default_rng(13)
    shift = rng.normal(size=150) + np.r_[np.zeros(75), np.full(75, 2.5)]
    walk = np.cumsum(0.4 * rng.normal(size=150)) + rng.normal(size=150)
    together = pz.segment(np.column_stack([shift, walk]), model="normal_drift")
    for i, y in enumerate((shift, walk)):
        alone = pz.segment(y, model="normal_drift")
        assert alone.break_indices[0] == together.break_indices[i]
        assert alone.choice["drift"]["series"] == together.choice["drift"][together.names[i]]


def test_result_serialises_saves_and_draws(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(14)
    y = pd.Series(
        np.cumsum(0.3 * rng.normal(size=60)) + rng.normal(size=60) + np.repeat([0.0, 5.0], 30),
        index=range(1960, 2020),
    )
    fit = pz.segment(y, model="normal_drift")
    json.dumps(fit.to_dict())
    assert "normal_drift" in fit.summary()
    fit.plot()
    loaded = pz.load(fit.save(tmp_path / "fit.json"))
    assert loaded.break_indices == fit.break_indices
    assert loaded.summary() == fit.summary()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_breaks": 1}, "pass penalty="),
        ({"method": "pelt"}, "method='exact'"),
        ({"penalty": "mbic"}, "not mbic"),
        ({"exposure": np.ones(40)}, "takes no exposure"),
    ],
)
def test_refusals_name_the_way_out(kwargs, message):
    y = np.random.default_rng(1).normal(size=(40, 2))
    with pytest.raises(ParameterError, match=message):
        pz.segment(y, model="normal_drift", **kwargs)


def test_short_long_and_missing_records_are_refused():
    rng = np.random.default_rng(2)
    with pytest.raises(ParameterError, match="takes records of 20 to 10,000 periods"):
        pz.segment(rng.normal(size=19), model="normal_drift")
    with pytest.raises(ParameterError, match="the series have 10001"):
        pz.segment(rng.normal(size=10_001), model="normal_drift")
    y = rng.normal(size=40)
    y[7] = np.nan
    with pytest.raises(ParameterError, match="missing='skip'"):
        pz.segment(y, model="normal_drift")
    skipped = pz.segment(y, model="normal_drift", missing="skip")
    assert skipped.choice["skipped"] == [7]


def test_parameters_dataclass_stacks_in_the_cost_order():
    fitted = DriftParameters(np.array([1.0]), np.array([0.5]), np.array([0.2]), np.array([3.0]))
    assert fitted.stacked().tolist() == [[1.0, 0.5, 0.2]]


def test_an_offset_and_an_exact_staircase_are_handled():
    rng = np.random.default_rng(3)
    y = rng.normal(size=60) + np.repeat([0.0, 3.0], 30)
    near, far = (pz.segment(y + offset, model="normal_drift") for offset in (0.0, 1e12))
    assert near.break_indices == far.break_indices == ((30,),)
    assert near.choice["drift"]["series"]["phi"] == far.choice["drift"]["series"]["phi"]
    np.testing.assert_allclose(near.loglik_values, far.loglik_values, rtol=1e-6)
    staircase = pz.segment(np.repeat([1.0, 2.0, 1.5], 20), model="normal_drift")
    assert staircase.break_indices == ((20, 40),)  # no noise: the floor keeps it finite
    assert np.isfinite(staircase.loglik_values).all()


def test_the_tests_refuse_it_by_name():
    y = np.random.default_rng(0).normal(size=40)
    with pytest.raises(ParameterError, match="'normal_drift' is for segment alone"):
        pz.test_periodization(y, boundaries=(20,), model="normal_drift")


# --- joint: shared change points, each series its own drifting level, independent noise


def independent_least_cost(y, sd_drift):
    """The least cost of ``y`` as one segment (noise sd 1, no dependence), by least squares
    over its levels."""
    if len(y) == 1:
        return 0.0
    return (
        least_squares_path(y, set(), 1.0, 0.0, sd_drift)[1]
        if sd_drift > 0
        else (np.sum((y - y.mean()) ** 2))
    )


@pytest.mark.parametrize("sd_drift", [0.0, 0.3, 2.0])
def test_segment_costs_are_least_squares_minima(sd_drift):
    rng = np.random.default_rng(21)
    y = np.cumsum(0.3 * rng.normal(size=15)) + rng.normal(size=15) + 50.0
    fitted = DriftParameters(np.ones(1), np.zeros(1), np.full(1, sd_drift), np.zeros(1))
    table = segment_costs(y[None], fitted)[0]
    for s, e in [(0, 15), (0, 1), (3, 9), (7, 15), (14, 15)]:
        assert table[s, e] == pytest.approx(independent_least_cost(y[s:e], sd_drift), abs=1e-9)
    assert np.isinf(table[5, 5]) and np.isinf(table[6, 2])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(3, 8),
    min_size=st.integers(1, 3),
    penalty=st.floats(0.5, 8.0),
)
def test_joint_search_equals_brute_force_over_shared_change_sets(seed, n, min_size, penalty):
    rng = np.random.default_rng(seed)
    if n < min_size:
        return
    values = rng.normal(size=(2, n)) * [[1.0], [2.0]]
    values[:, n // 2 :] += rng.normal(size=(2, 1)) * 4
    sd_noise, sd_drift = np.array([1.0, 2.0]), np.array([0.0, 0.7])
    fitted = DriftParameters(sd_noise, np.zeros(2), sd_drift, np.zeros(2))
    summed = segment_costs(values, fitted).sum(axis=0)[None]
    found, optimum = joint_drift_search(summed, penalty, min_size)
    best = (np.inf, None)
    for k in range(n):
        for changes in itertools.combinations(range(1, n), k):
            edges = (0, *changes, n)
            if min(np.diff(edges)) < min_size:
                continue
            total = penalty * k + sum(
                independent_least_cost(values[j, a:b] / sd_noise[j], sd_drift[j] / sd_noise[j])
                for j in range(2)
                for a, b in itertools.pairwise(edges)
            )
            if total < best[0]:
                best = (total, list(changes))
    assert optimum[0] == pytest.approx(best[0], rel=1e-9, abs=1e-9)
    assert found[0] == best[1]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10**6), min_size=st.integers(1, 4), sd_drift=st.sampled_from([0.0, 0.4])
)
def test_one_series_joint_search_is_the_functional_pruning(seed, min_size, sd_drift):
    rng = np.random.default_rng(seed)
    y = np.cumsum(0.3 * rng.normal(size=60)) + rng.normal(size=60) + np.repeat([0, 3.0], 30)
    fitted = DriftParameters(np.ones(1), np.zeros(1), np.full(1, sd_drift), np.zeros(1))
    found, optimum = joint_drift_search(segment_costs(y[None], fitted), 9.0, min_size)
    pruned, optima, _ = drift_search(y[None], 1.0, 0.0, sd_drift, 9.0, min_size)
    assert found == pruned
    assert optimum[0] == pytest.approx(optima[0], rel=1e-9)


def test_joint_segment_shares_changes_and_reports_their_optimum():
    rng = np.random.default_rng(22)
    n = 150
    walks = np.cumsum(0.2 * rng.normal(size=(4, n)), axis=1) + rng.normal(size=(4, n))
    walks[:2, 90:] += 3.0  # dyad A-B changes in 90; C-D does not change
    names = ["A->B", "B->A", "C->D", "D->C"]
    frame = pd.DataFrame(walks.T, columns=names)
    fit = pz.segment(frame, joint="dyad", model="normal_drift")
    breaks = fit.by_series["boundaries"]
    assert breaks["A->B"] == breaks["B->A"] and breaks["C->D"] == breaks["D->C"]
    assert any(abs(b - 90) <= 2 for b in breaks["A->B"])
    parameters = pd.DataFrame(fit.choice["drift"]).T.loc[names]
    assert (parameters["phi"] == 0).all()
    fitted = DriftParameters(*parameters.to_numpy().T, np.zeros(4))
    tables = segment_costs(walks, fitted)
    per_break = fit.penalty["per_break"]
    assert per_break == pytest.approx(3 * np.log(n))  # two series' levels and a location
    for rows in ([0, 1], [2, 3]):
        shared, _ = joint_drift_search(tables[rows].sum(axis=0)[None], per_break, fit.min_size)
        assert [fit.break_indices[i] for i in rows] == [tuple(shared[0])] * 2
        alone = pz.segment(frame.iloc[:, rows], joint=True, model="normal_drift")
        assert alone.break_indices == tuple(fit.break_indices[i] for i in rows)


def test_joint_limits_are_refused_with_the_remedy(monkeypatch):
    from periodize.segmentation import drifting

    rng = np.random.default_rng(23)
    with pytest.raises(ParameterError, match="20 to 2,000 periods with joint"):
        pz.segment(rng.normal(size=(2_001, 2)), joint=True, model="normal_drift")
    monkeypatch.setattr("periodize.segmentation.api.JOINT_TABLE_BYTES", 1000)
    assert drifting.JOINT_TABLE_BYTES == 2**30
    with pytest.raises(ParameterError, match="pass fewer series per call"):
        pz.segment(rng.normal(size=(40, 2)), joint=True, model="normal_drift")


def test_every_group_keeps_one_start_for_all_its_members():
    # dyads of every kind (a shift in one direction, in both, walks, noise): each group
    # chooses between its two starts by its summed criterion, so its members never part
    rng = np.random.default_rng(24)
    n, dyads = 80, 12
    values = np.cumsum(rng.uniform(0, 0.4, (2 * dyads, 1)) * rng.normal(size=(2 * dyads, n)), 1)
    values += rng.normal(size=(2 * dyads, n))
    values[::3, 40:] += rng.uniform(1.0, 3.0, (len(values[::3]), 1))
    names = [f"{a}{i}->{b}{i}" for i in range(dyads) for a, b in (("A", "B"), ("B", "A"))]
    fit = pz.segment(pd.DataFrame(values.T, columns=names), joint="dyad", model="normal_drift")
    pairs = np.array(fit.break_indices, dtype=object).reshape(dyads, 2)
    assert all(a == b for a, b in pairs)


def test_penalty_path_refuses_it_by_name():
    y = np.random.default_rng(0).normal(size=40)
    with pytest.raises(ParameterError, match="'normal_drift' is for segment alone"):
        pz.penalty_path(y, model="normal_drift")
