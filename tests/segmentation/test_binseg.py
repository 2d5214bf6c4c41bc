"""Binary segmentation, the first search of the default rule on long records: equal to
ruptures' Binseg and to a plain recursion, and the default's breaks on a long record equal
to the rule carried out by hand (binary segmentation, the noise within its periods, an
exact optimum by optimal partitioning written here)."""

import numpy as np
import pytest
import ruptures as rpt
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.segmentation.api import PELT_LENGTH
from periodize.segmentation.costs import COSTS
from periodize.segmentation.noise import count_dispersion, noise_scale
from periodize.segmentation.search.binseg import binseg_breaks


def poisson_cost(part, dispersion):
    s, m = part.sum(), len(part)
    return -2 * (s * np.log(s / m) - s) / dispersion if s > 0 else 0.0


def recursive_binseg(y, cost, penalty, min_size, s=0, e=None):
    """Split [s, e) at its best cut while the cut lowers the cost by more than the
    penalty; both halves the same way."""
    e = len(y) if e is None else e
    if e - s < 2 * min_size:
        return []
    splits = range(s + min_size, e - min_size + 1)
    totals = [cost(y[s:t]) + cost(y[t:e]) for t in splits]
    best = int(np.argmin(totals))
    if cost(y[s:e]) - totals[best] <= penalty:
        return []
    t = splits[best]
    left = recursive_binseg(y, cost, penalty, min_size, s, t)
    return [*left, t, *recursive_binseg(y, cost, penalty, min_size, t, e)]


def optimal_partitioning(y, cost, penalty, min_size):
    """The exact penalised optimum, F(t) = min_s F(s) + penalty + C(s, t), every segment
    at least ``min_size`` long (O(n²), prefix sums; ``cost`` prices arrays of segments)."""
    n = len(y)
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=int)
    for t in range(min_size, n + 1):
        starts = np.r_[0, np.arange(min_size, t - min_size + 1)]
        totals = best[starts] + penalty + cost(starts, t)
        i = int(np.argmin(totals))
        best[t], last[t] = totals[i], starts[i]
    cuts, t = [], n
    while t > 0:
        t = last[t]
        cuts.append(t)
    return sorted(cuts)[1:]


def normal_costs(y, sigma2):
    c1, c2 = np.r_[0, np.cumsum(y)], np.r_[0, np.cumsum(y * y)]

    def cost(starts, t):
        m = t - starts
        s1 = c1[t] - c1[starts]
        return (c2[t] - c2[starts] - s1 * s1 / m) / sigma2

    return cost


def poisson_costs(y, dispersion):
    c1 = np.r_[0, np.cumsum(y)]

    def cost(starts, t):
        m, s = t - starts, c1[t] - c1[starts]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, -2 * (s * np.log(s / m) - s), 0.0) / dispersion

    return cost


@settings(max_examples=30, deadline=None)
@given(
    st.integers(6, 90),
    st.integers(1, 5),
    st.floats(0.1, 30.0),
    st.integers(0, 2**32 - 1),
)
def test_binseg_equals_ruptures_binseg_on_the_normal_mean(n, min_size, penalty, seed):
    rng = np.random.default_rng(seed)
    y = np.repeat(rng.normal(0, 3, 4), -(-n // 4))[:n] + rng.normal(size=n)
    cost = COSTS["normal"](y[None])
    sigma2 = float(cost.sigma2[0])
    expected = []
    if n >= 2 * min_size:
        algo = rpt.Binseg(model="l2", min_size=min_size, jump=1).fit(y)
        expected = algo.predict(pen=penalty * sigma2)[:-1]
    assert binseg_breaks(cost, penalty, min_size) == [sorted(expected)]


@settings(max_examples=40, deadline=None)
@given(st.integers(6, 70), st.integers(1, 4), st.floats(0.5, 20.0), st.integers(0, 2**32 - 1))
def test_binseg_equals_the_recursion_on_counts_with_a_dispersion(n, min_size, penalty, seed):
    rng = np.random.default_rng(seed)
    rates = np.repeat(rng.uniform(0.2, 15, 3), -(-n // 3))[:n]
    y = rng.poisson(rates).astype(float)
    both = np.vstack([y, 1.7 * y])  # integer counts (look-up tables) and weighted totals
    for model, rows in (("poisson", both[:1]), ("quasipoisson", both)):
        cost = COSTS[model](rows)
        dispersion = getattr(cost, "scale", np.ones(len(rows)))
        found = binseg_breaks(cost, penalty, min_size)
        for row, phi, breaks in zip(
            rows, np.broadcast_to(dispersion, len(rows)), found, strict=True
        ):
            expected = recursive_binseg(
                row, lambda p, phi=phi: poisson_cost(p, phi), penalty, min_size
            )
            assert breaks == expected


def test_binseg_prices_only_the_one_parameter_means():
    y = np.arange(30, dtype=float)[None] % 7
    assert binseg_breaks(COSTS["negbin"](y), 5.0, 3) is None
    assert binseg_breaks(COSTS["normal_trend"](y), 5.0, 3) is None
    assert binseg_breaks(COSTS["normal_meanvar"](y), 5.0, 3) is None


def labels(cuts, n):
    return np.searchsorted(np.asarray(cuts, dtype=int), np.arange(n), side="right")[None]


def by_hand(y, counts, min_size=3):
    """The default rule on a long record, step by step: the noise from all differences,
    binary segmentation, the noise within its periods, the exact optimum; where binary
    segmentation finds nothing and the optimum has breaks, the noise within the optimum's
    periods and the optimum once more."""
    n = len(y)
    beta = 2 * np.log(n)

    def scale(cuts):
        segments = None if cuts is None else labels(cuts, n)
        if counts:
            return count_dispersion(y[None], None, segments)[0]
        return noise_scale(y[None], segments).long_run_variance[0]

    def exact(unit):
        costs = poisson_costs(y, unit) if counts else normal_costs(y, unit)
        return optimal_partitioning(y, costs, beta, min_size)

    unit = scale(None)
    if counts:
        first = recursive_binseg(y, lambda p: poisson_cost(p, unit), beta, min_size)
    else:
        algo = rpt.Binseg(model="l2", min_size=min_size, jump=1).fit(y)
        first = algo.predict(pen=beta * unit)[:-1]
    if first:
        return exact(scale(first)), True
    found = exact(unit)
    return (exact(scale(found)) if found else found), False


@pytest.mark.parametrize(
    ("design", "counts", "binary_cuts"),
    [
        ("shifts", False, True),
        ("shifts", True, True),
        ("burst", False, False),  # a short burst: no single cut pays, the pair does
        ("none", False, False),
    ],
)
def test_the_default_on_a_long_record_follows_its_rule(design, counts, binary_cuts):
    rng = np.random.default_rng(7)
    n = PELT_LENGTH + 300
    level = np.zeros(n)
    if design == "shifts" and counts:
        level[700:] += 1.5
        level[1500:] -= 2.5
        level[1510:1900] += 0.8
    elif design == "shifts":  # two steps so large that the noise must be measured within
        level[700:] += 30.0
        level[1500:] -= 30.0
        level[1510:1900] += 0.5
    elif design == "burst":
        level[1200:1220] += 3.0
    if counts:
        y = rng.poisson(np.exp(1.5 + 0.5 * level)).astype(float)
    else:
        noise = np.zeros(n)
        shocks = rng.normal(size=n)
        for t in range(1, n):  # AR(1) noise: the noise within periods matters
            noise[t] = 0.4 * noise[t - 1] + shocks[t]
        y = level + noise
    expected, cut_first = by_hand(y, counts)
    assert cut_first == binary_cuts
    fit = pz.segment(y, model="auto" if counts else "normal")  # (levels: no lines weighed)
    assert fit.model == ("quasipoisson" if counts else "normal")
    assert list(fit.break_indices[0]) == expected
    if design != "none":
        assert expected  # the design is not trivially empty
    if design == "shifts" and not counts:  # the noise within periods changes the answer
        everywhere = noise_scale(y[None]).long_run_variance[0]
        assert optimal_partitioning(y, normal_costs(y, everywhere), 2 * np.log(n), 3) != expected
    assert "binary segmentation" in fit.choice["rule"]


def test_a_short_record_keeps_the_exact_first_search():
    y = np.r_[np.zeros(60), np.full(60, 3.0)] + np.random.default_rng(1).normal(size=120)
    assert "binary segmentation" not in pz.segment(y).choice["rule"]


def test_long_series_searched_together_equal_each_alone():
    """Batched equals looped on long records: the first search, the noise within its
    periods and the exact search are per series (counts and Gaussian series, some cut by
    binary segmentation, some by the exact search only, some not at all)."""
    rng = np.random.default_rng(3)
    n = PELT_LENGTH + 100
    level = np.zeros((4, n))
    level[0, 900:] += 2.0
    level[1, 1000:1020] += 3.0  # a burst: binary segmentation finds nothing
    level[3, 400:] -= 1.0
    level[3, 1700:] += 2.5
    gaussian = level + rng.normal(size=(4, n))
    counts = rng.poisson(np.exp(1.0 + 0.4 * level)).astype(float)
    for values in (gaussian, counts):
        together = pz.segment(values.T, model="auto" if values is counts else "normal")
        for i, row in enumerate(values):
            alone = pz.segment(row, model="auto" if values is counts else "normal")
            assert list(together.break_indices[i]) == list(alone.break_indices[0])
