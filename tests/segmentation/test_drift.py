"""The exact search under a drifting level and AR(1) noise (search/drift.py): its optimum
equals a brute force over every set of change points with the levels fitted by least
squares; without drift or dependence it is optimal partitioning on the squared error (and
ruptures' PELT with segments of one period or more); batched
equals looped; and units do not matter."""

import itertools

import numpy as np
import pytest
import ruptures as rpt
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.segmentation.search.drift import drift_search


def cost_given(y, phi, sd_drift, changes):
    """The least cost over the levels for the change points ``changes`` (noise sd 1), as a
    least-squares problem: one row per innovation of the noise and per drift step."""
    n = len(y)
    eye = np.eye(n)
    rows = [np.sqrt(1 - phi**2) * eye[0]]
    rhs = [np.sqrt(1 - phi**2) * y[0]]
    for t in range(1, n):
        rows.append(eye[t] - phi * eye[t - 1])
        rhs.append(y[t] - phi * y[t - 1])
    design = np.array(rows)
    if sd_drift > 0:  # a free level per period, its steps priced (none at a change)
        steps = [(eye[t] - eye[t - 1]) / sd_drift for t in range(1, n) if t not in changes]
        design = np.vstack([design, *steps]) if steps else design
        rhs += [0.0] * len(steps)
    else:  # one level per segment
        segment = np.searchsorted(np.array(sorted(changes), dtype=int), np.arange(n), "right")
        design = design @ np.eye(len(changes) + 1)[segment]
    target = np.array(rhs)
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    residual = target - design @ solution
    return residual @ residual


def brute_force(y, phi, sd_drift, penalty, min_size):
    n = len(y)
    best = (np.inf, None)
    for k in range(n):
        for changes in itertools.combinations(range(1, n), k):
            if min(np.diff((0, *changes, n))) < min_size:
                continue
            total = cost_given(y, phi, sd_drift, set(changes)) + penalty * k
            if total < best[0]:
                best = (total, list(changes))
    return best


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(3, 9),
    min_size=st.integers(1, 3),
    phi=st.sampled_from([0.0, 0.3, 0.8, -0.5]),
    sd_drift=st.sampled_from([0.0, 0.2, 1.0, 4.0]),
    penalty=st.floats(0.5, 8.0),
    offset=st.sampled_from([0.0, 1e4]),
)
def test_optimum_equals_brute_force(seed, n, min_size, phi, sd_drift, penalty, offset):
    rng = np.random.default_rng(seed)
    if n < min_size:
        return
    y = rng.normal(size=n) * rng.choice([0.3, 1.0, 3.0]) + offset
    y[n // 2 :] += rng.normal() * 4
    expected, changes = brute_force(y, phi, sd_drift, penalty, min_size)
    found, optimum, _ = drift_search(y[None], 1.0, phi, sd_drift, penalty, min_size)
    assert optimum[0] == np.float64(expected) or abs(optimum[0] - expected) <= 1e-7 * (
        1 + abs(expected)
    )
    assert found[0] == changes  # continuous data: one optimum


def optimal_partitioning(y, penalty, min_size):
    """Optimal partitioning on the squared error around segment means, by brute force over
    the last change (ruptures' PELT prunes inexactly with min_size > 1)."""
    n = len(y)
    s1, s2 = np.r_[0, np.cumsum(y)], np.r_[0, np.cumsum(y * y)]
    best, last = np.full(n + 1, np.inf), np.zeros(n + 1, dtype=int)
    best[0] = -penalty
    for t in range(min_size, n + 1):
        for s in range(0, t - min_size + 1):
            if s and s < min_size:
                continue
            total = best[s] + penalty + s2[t] - s2[s] - (s1[t] - s1[s]) ** 2 / (t - s)
            if total < best[t]:
                best[t], last[t] = total, s
    changes, t = [], n
    while last[t]:
        changes.append(int(last[t]))
        t = last[t]
    return changes[::-1]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), min_size=st.integers(1, 5), penalty=st.floats(1.0, 30.0))
def test_without_drift_or_dependence_it_is_optimal_partitioning(seed, min_size, penalty):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=80) + np.repeat(rng.normal(size=4) * 3, 20)
    found, _, _ = drift_search(y[None], 1.0, 0.0, 0.0, penalty, min_size)
    assert found[0] == optimal_partitioning(y, penalty, min_size)
    if min_size == 1:
        assert found[0] == rpt.Pelt(model="l2", min_size=1, jump=1).fit(y).predict(penalty)[:-1]


def test_batched_equals_looped_and_units_do_not_matter():
    rng = np.random.default_rng(4)
    y = np.cumsum(0.3 * rng.normal(size=(6, 150)), axis=1) + rng.normal(size=(6, 150))
    y[:, 75:] += np.array([0, 3, -3, 0, 5, 2])[:, None]
    sd_noise = np.array([1.0, 1.0, 0.8, 1.2, 1.0, 1.0])
    phi = np.array([0.0, 0.4, 0.0, 0.6, -0.3, 0.9])
    sd_drift = np.array([0.3, 0.0, 0.3, 0.1, 0.5, 0.2])
    penalty = 2 * np.log(150)
    together, optima, _ = drift_search(y, sd_noise, phi, sd_drift, penalty, 3)
    for i in range(6):
        row = y[i : i + 1]
        alone, optimum, _ = drift_search(row, sd_noise[i], phi[i], sd_drift[i], penalty, 3)
        assert alone[0] == together[i]
        assert optimum[0] == optima[i]
        scaled, optimum, _ = drift_search(
            1e3 * y[i : i + 1] - 5e5, 1e3 * sd_noise[i], phi[i], 1e3 * sd_drift[i], penalty, 3
        )
        assert scaled[0] == together[i]
        np.testing.assert_allclose(optimum[0], optima[i], rtol=1e-7)


def test_drift_is_not_cut_into_periods():
    rng = np.random.default_rng(8)
    walk = np.cumsum(0.3 * rng.normal(size=(200, 120)), axis=1) + rng.normal(size=(200, 120))
    with_drift, _, _ = drift_search(walk, 1.0, 0.0, 0.3, 2 * np.log(120), 3)
    levels, _, _ = drift_search(walk, 1.0, 0.0, 0.0, 2 * np.log(120), 3)
    assert np.mean([len(b) == 0 for b in with_drift]) > 0.8
    assert np.mean([len(b) == 0 for b in levels]) < 0.2


def test_a_segment_longer_than_the_record_is_refused():
    with pytest.raises(ValueError, match="min_size must be between 1 and the 5 periods"):
        drift_search(np.zeros((1, 5)), 1.0, 0.0, 0.0, 1.0, 6)
