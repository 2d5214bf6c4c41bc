"""The compiled dynamic programme equals the numpy reference for every cost: the same
optimal cost for every k (and the same breaks, or breaks that cost the same where the
optimum ties), with min_size 1-5, ties and constant series, exposures, a per-segment
penalty and the kept table of prefix costs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.segmentation.costs import COSTS
from periodize.segmentation.costs.compiled import kernel_inputs
from periodize.segmentation.search.compiled import compiled_pelt
from periodize.segmentation.search.dynamic import exact_path
from periodize.segmentation.search.pelt import pelt


def same_optimum(cost_class, values, max_breaks, min_size, exposure=None, penalty=None):
    options = {"exposure": exposure} if exposure is not None else {}
    fast = exact_path(
        cost_class, values, max_breaks, min_size, penalty, True, compiled=True, **options
    )
    slow = exact_path(
        cost_class, values, max_breaks, min_size, penalty, True, compiled=False, **options
    )
    np.testing.assert_allclose(fast.costs, slow.costs, rtol=1e-10, atol=1e-9)
    finite = np.isfinite(slow.table)
    assert (np.isfinite(fast.table) == finite).all()
    np.testing.assert_allclose(fast.table[finite], slow.table[finite], rtol=1e-10, atol=1e-9)
    cost = cost_class(values, **options)
    n = values.shape[1]
    for k in range(max_breaks + 1):
        if not np.isfinite(slow.costs[:, k]).all():
            continue
        differ = np.any(fast.breaks[k] != slow.breaks[k], axis=1)
        if differ.any():  # a tie: the compiled breaks must cost the optimum too
            edges = np.column_stack(
                [np.zeros(differ.sum(), int), fast.breaks[k][differ], np.full(differ.sum(), n)]
            )
            priced = cost_class(
                values[differ], **({"exposure": exposure[differ]} if exposure is not None else {})
            ).total_cost(edges)
            if penalty is not None:
                priced = priced + penalty(np.diff(edges, axis=1)).sum(axis=1)
            np.testing.assert_allclose(priced, slow.costs[differ, k], rtol=1e-10, atol=1e-9)
    return cost


#: The models the compiled kernels price (the biweight has its own search, R-FPOP).
MODELS = sorted(m for m in COSTS if kernel_inputs(COSTS[m](np.ones((1, 4)))) is not None)


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(4, 30),
    rows=st.integers(1, 6),
    min_size=st.integers(1, 5),
    max_breaks=st.integers(0, 4),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["counts", "ties", "constant", "sparse"]),
)
def test_compiled_equals_reference(model, n, rows, min_size, max_breaks, seed, kind):
    min_size = max(min_size, COSTS[model].min_size)
    if (max_breaks + 1) * min_size > n:
        max_breaks = max(n // min_size - 1, 0)
    rng = np.random.default_rng(seed)
    if kind == "counts":
        values = rng.poisson(3.0, (rows, n)).astype(float)
    elif kind == "ties":
        values = np.tile(rng.integers(0, 3, (rows, 1)), (1, n)).astype(float)
        values[:, n // 2 :] += 1
    elif kind == "constant":
        values = np.full((rows, n), 2.0)
    else:
        values = (rng.random((rows, n)) < 0.1).astype(float)
    if model == "quasipoisson":
        values = values * 1.5
    same_optimum(COSTS[model], values, max_breaks, min_size)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), model=st.sampled_from(["poisson", "quasipoisson"]))
def test_compiled_with_exposure_equals_reference(seed, model):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.2, 3.0, (4, 20))
    values = rng.poisson(1.5 * exposure).astype(float)
    same_optimum(COSTS[model], values, 3, 2, exposure=exposure)


def test_compiled_with_a_segment_penalty_equals_reference():
    rng = np.random.default_rng(1)
    values = rng.poisson(2.0, (10, 25)).astype(float)
    same_optimum(COSTS["poisson"], values, 4, 2, penalty=lambda m: 2.0 * np.log(m))


def test_negbin_with_exposure_runs_the_reference_programme():
    """Its segment rates are fitted per segment, so no kernel knows it: both settings give
    the reference's answer."""
    rng = np.random.default_rng(3)
    exposure = rng.uniform(0.2, 3.0, (4, 18))
    values = rng.negative_binomial(2.0, 2.0 / (2.0 + 1.5 * exposure)).astype(float)
    same_optimum(COSTS["negbin"], values, 3, 2, exposure=exposure)


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(6, 80),
    min_size=st.integers(1, 5),
    penalty=st.floats(0.5, 20.0),
    seed=st.integers(0, 2**32 - 1),
    segment_term=st.booleans(),
)
def test_compiled_pelt_equals_reference(model, n, min_size, penalty, seed, segment_term):
    min_size = max(min_size, COSTS[model].min_size)
    rng = np.random.default_rng(seed)
    rate = np.where(np.arange(n) < n // 2, 1.0, 4.0)
    values = rng.poisson(rate)[None, :].astype(float)
    if model == "quasipoisson":
        values = values * 1.5
    term = (lambda m: np.log(m)) if segment_term else None
    cost = COSTS[model](values)
    fast = pelt(cost, penalty, min_size, term, compiled=True)
    slow = pelt(cost, penalty, min_size, term, compiled=False)
    assert fast[0] == pytest.approx(slow[0], rel=1e-10, abs=1e-9)
    if fast[1] != slow[1]:  # a tie: the compiled breaks must reach the same optimum
        edges = np.array([[0, *fast[1], n]])
        priced = cost.total_cost(edges)[0] + penalty * len(fast[1])
        if term is not None:
            priced += term(np.diff(edges[0])).sum()
        assert priced == pytest.approx(slow[0], rel=1e-10, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(3, 40),  # at least one segment of every model's min_size
    rows=st.integers(1, 5),
    breaks=st.integers(0, 4),
    exposed=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_compiled_total_cost_equals_prefix_sums(model, n, rows, breaks, exposed, seed):
    rng = np.random.default_rng(seed)
    values = rng.poisson(2.0, (rows, n)).astype(float)
    if model == "quasipoisson":
        values = values * 0.7
    options = {}
    if exposed and COSTS[model].supports_exposure:
        options["exposure"] = rng.uniform(0.2, 3.0, (rows, n))
    size = COSTS[model].min_size
    if n < (breaks + 1) * size:
        breaks = n // size - 1
    edges = []
    for _ in range(rows):  # random breaks leaving every segment at least `size` long
        cuts = np.sort(rng.choice(n - (breaks + 1) * size + 1, breaks, replace=True))
        edges.append([0, *(cuts + size * np.arange(1, breaks + 1)), n])
    edges = np.array(edges)
    cost = COSTS[model](values, **options)
    np.testing.assert_allclose(
        cost.total_cost(edges), cost.total_cost(edges, compiled=False), rtol=1e-10, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(6, 60),
    rows=st.integers(2, 6),
    min_size=st.integers(1, 4),
    exposed=st.booleans(),
    segment_term=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_compiled_pelt_on_many_series_equals_one_at_a_time(
    model, n, rows, min_size, exposed, segment_term, seed
):
    min_size = max(min_size, COSTS[model].min_size)
    rng = np.random.default_rng(seed)
    values = rng.poisson(rng.uniform(0.5, 6.0, (rows, 1)) * (1 + (np.arange(n) >= n // 2)))
    values = values.astype(float)
    options = {}
    if exposed and model in ("poisson", "quasipoisson"):
        options["exposure"] = rng.uniform(0.3, 3.0, (rows, n))
    term = (lambda m: np.log(m)) if segment_term else None
    optima, last = compiled_pelt(COSTS[model](values, **options), 4.0, min_size, term)
    for i in range(rows):
        single = {k: v[i : i + 1] for k, v in options.items()}
        one, table = compiled_pelt(COSTS[model](values[i : i + 1], **single), 4.0, min_size, term)
        assert optima[i] == one[0]
        np.testing.assert_array_equal(last[i], table[0])


@settings(max_examples=25, deadline=None)
@given(
    model=st.sampled_from(["poisson_trend", "quasipoisson_trend"]),
    n=st.integers(6, 40),
    rows=st.integers(1, 5),
    min_size=st.integers(3, 6),
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from(["flat", "shifts", "rising", "sparse", "non-integer"]),
    penalised=st.booleans(),
)
def test_count_lines_priced_through_their_bounds_equal_the_reference(
    model, n, rows, min_size, seed, shape, penalised
):
    """The exact search of count lines prices a segment only where its lower bound could
    beat a layer's best: every k's optimum, the table of prefixes, and the first of tied
    optima equal the numpy programme that prices every segment."""
    rng = np.random.default_rng(seed)
    rate = {
        "flat": np.full(n, 3.0),
        "shifts": np.repeat(rng.uniform(0.2, 9.0, 3), -(-n // 3))[:n],
        "rising": np.exp(np.linspace(0.0, rng.uniform(-3, 3), n)),
        "sparse": np.full(n, 0.1),
        "non-integer": np.full(n, 2.0),
    }[shape]
    values = rng.poisson(rate, (rows, n)).astype(float)
    if shape == "non-integer":
        values = values + rng.uniform(0, 1, values.shape)
    max_breaks = n // min_size - 1
    penalty = (lambda m: 0.5 * np.log(m)) if penalised else None
    same_optimum(COSTS[model], values, max_breaks, min_size, penalty=penalty)


@settings(max_examples=100, deadline=None)
@given(
    m=st.integers(1, 400),
    total=st.one_of(st.integers(1, 10**6).map(float), st.floats(1e-3, 1e4)),
    position=st.floats(0.0, 1.0),
    p=st.sampled_from([1.0, 0.3, 7.0]),
)
def test_the_count_line_bound_never_exceeds_the_cost(m, total, position, p):
    """The bound the search prunes with (the constant rate's cost less a chord of the
    convex rate function) stays below the segment's computed cost, at the limits too."""
    from periodize.segmentation.costs.compiled import (
        _trend_poisson_cost,
        line_cost_bound,
        rate_table,
    )

    within = position * (m - 1) * total
    slogs = total * np.log(total)
    cost = _trend_poisson_cost(total, within, float(m), slogs) / p
    bound = line_cost_bound(total, within, m, slogs, p, rate_table(400))
    assert bound <= cost
    constant = -2.0 * (slogs - total - total * np.log(m)) / p
    assert cost <= constant + 1e-9 * (1 + abs(constant))  # a slope never costs more
