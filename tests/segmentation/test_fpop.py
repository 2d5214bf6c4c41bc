"""FPOP finds the same penalised optimum as PELT and optimal partitioning (the numpy
references), for every model it takes, min_size 1-5, ties, constant series and exposure."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.segmentation.costs import COSTS
from periodize.segmentation.search.fpop import MODELS, fpop
from periodize.segmentation.search.pelt import optimal_partitioning, pelt


def data(kind, model, n, rng):
    if kind == "shifts":
        means = np.repeat(rng.uniform(0.5, 6.0, 4), -(-n // 4))[:n]
    elif kind == "constant":
        means = np.full(n, 2.0)
    else:  # "ties": few distinct values
        means = np.full(n, 1.0)
    if model == "normal":
        values = means + rng.standard_normal(n) * (0 if kind == "constant" else 1.0)
        if kind == "ties":
            values = np.round(values)
    else:
        values = rng.poisson(means).astype(float) if kind != "constant" else means.copy()
        if model == "quasipoisson":
            values = values * 1.5
    return values[None, :]


@settings(max_examples=120, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(2, 120),
    min_size=st.integers(1, 5),
    penalty=st.floats(0.5, 30.0),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["shifts", "constant", "ties"]),
    exposed=st.booleans(),
)
def test_fpop_equals_pelt_and_optimal_partitioning(
    model, n, min_size, penalty, seed, kind, exposed
):
    if n < min_size:
        n = min_size
    rng = np.random.default_rng(seed)
    values = data(kind, model, n, rng)
    options = {}
    if exposed and model != "normal":
        options["exposure"] = rng.uniform(0.3, 3.0, (1, n))
    cost = COSTS[model](values, **options)
    (optimum,), (last,), _ = fpop(cost, penalty, min_size)
    reference, _ = pelt(cost, penalty, min_size, compiled=False)
    assert optimum == pytest.approx(reference, rel=1e-9, abs=1e-8)
    partitioned, _ = optimal_partitioning(cost, penalty, min_size)
    assert optimum == pytest.approx(partitioned[0], rel=1e-9, abs=1e-8)
    # the segmentation it returns costs its optimum
    breaks, position = [], n
    while position > 0:
        position = int(last[position])
        if position > 0:
            breaks.append(position)
    edges = np.array([[0, *breaks[::-1], n]])
    assert np.diff(edges).min() >= min_size
    priced = cost.total_cost(edges)[0] + penalty * (edges.shape[1] - 2)
    assert priced == pytest.approx(optimum, rel=1e-9, abs=1e-8)


def test_fpop_keeps_few_pieces_on_a_long_series():
    rng = np.random.default_rng(0)
    y = np.repeat(rng.normal(0, 3, 50), 400) + rng.standard_normal(20000)
    cost = COSTS["normal"](y[None])
    _, _, (most,) = fpop(cost, 2 * np.log(20000), 1)
    assert most < 200  # without pruning it would keep up to 20,000


@pytest.mark.parametrize(
    "model, shape",
    [
        ("normal", "offset"),  # large values: the pieces' constants grow like n * 1e12
        ("normal", "rounded"),  # many tied segmentations
        ("poisson", "many"),
        ("poisson", "sparse"),  # mostly zeros: roots near a rate of 0
        ("quasipoisson", "exposed"),
    ],
)
@pytest.mark.parametrize("min_size", [1, 3])
def test_fpop_equals_pelt_on_long_series(model, shape, min_size):
    rng = np.random.default_rng(min_size)
    n = 3000
    means = np.repeat(rng.uniform(0.0, 5.0, 30), 100)
    options = {}
    if shape == "offset":
        values = 1e6 + means + rng.standard_normal(n)
    elif shape == "rounded":
        values = np.round(means + 0.3 * rng.standard_normal(n))
    else:
        scale = {"many": 50.0, "sparse": 0.1, "exposed": 1.0}[shape]
        values = rng.poisson(means * scale).astype(float)
        if shape == "exposed":
            values *= 1.5
            options["exposure"] = rng.uniform(0.2, 5.0, (1, n))
    cost = COSTS[model](values[None], **options)
    penalty = 3 * np.log(n)
    (optimum,), (last,), _ = fpop(cost, penalty, min_size)
    reference, _ = pelt(cost, penalty, min_size)
    assert optimum == pytest.approx(reference, rel=1e-10)
    found, position = [], n
    while (position := int(last[position])) > 0:
        found.append(position)
    edges = np.array([[0, *found[::-1], n]])
    priced = cost.total_cost(edges)[0] + penalty * (edges.shape[1] - 2)
    assert priced == pytest.approx(reference, rel=1e-10)


def test_fpop_refuses_other_models():
    with pytest.raises(ValueError, match="FPOP takes"):
        fpop(COSTS["negbin"](np.ones((1, 5))), 1.0, 1)


@pytest.mark.parametrize("model", MODELS)
def test_segment_uses_fpop_on_long_series_with_the_pelt_optimum(model):
    import periodize as pz

    rng = np.random.default_rng(3)
    means = np.repeat(rng.uniform(1.0, 6.0, 6), 500)
    y = rng.poisson(means).astype(float) if model != "normal" else means + rng.normal(size=3000)
    fast = pz.segment(y, penalty="bic", model=model, min_size=3)
    slow = pz.segment(y, penalty="bic", model=model, min_size=3, method="pelt")
    assert fast.method == "exact (fpop)" and slow.method == "exact (pelt)"
    assert fast.break_indices == slow.break_indices


@pytest.mark.parametrize(
    ("options", "message"),
    [({"model": "negbin"}, "takes the models"), ({"penalty": "mbic"}, "with mbic")],
)
def test_fpop_refuses_what_it_cannot_prune(options, message):
    import periodize as pz
    from periodize.exceptions import ParameterError

    y = np.random.default_rng(0).poisson(2.0, 3000).astype(float)
    with pytest.raises(ParameterError, match=message):
        pz.segment(y, **{"penalty": "bic", **options}, method="fpop")


def test_labels_and_a_long_segment_stay_in_linear_memory():
    """10^6 periods and 999 breaks: an (n × k) intermediate would need about 1 GB."""
    import tracemalloc

    import periodize as pz
    from periodize.segmentation.costs.base import segment_of_each_period

    n = 10**6
    breaks = np.arange(1000, n, 1000)
    edges = np.concatenate([[0], breaks, [n]])[None, :]
    tracemalloc.start()
    labels = segment_of_each_period(edges, n)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 40 * 2**20
    assert labels[0, 999] == 0 and labels[0, 1000] == 1 and labels[0, -1] == 999
    y = np.repeat(np.tile([0.0, 4.0], 500), 1000) + np.tile([0.3, -0.3], n // 2)
    tracemalloc.start()
    fit = pz.segment(y, penalty="bic", model="normal")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert list(fit.break_indices[0]) == breaks.tolist()
    assert peak < 300 * 2**20


@pytest.mark.parametrize("min_size", [1, 4])
def test_fpop_grows_its_piece_table(min_size):
    # a steady trend under a large penalty leaves many candidates each cheapest for a
    # narrow band of means: more pieces than the table's first 64 rows
    rng = np.random.default_rng(3)
    values = np.linspace(0.0, 100.0, 3000) + rng.standard_normal(3000)
    cost = COSTS["normal"](values[None])
    (optimum,), _, (most,) = fpop(cost, 1e6, min_size)
    assert most > 64
    assert optimum == pytest.approx(pelt(cost, 1e6, min_size)[0], rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    n=st.integers(2, 80),
    rows=st.integers(2, 6),
    min_size=st.integers(1, 4),
    exposed=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_fpop_on_many_series_equals_one_at_a_time(model, n, rows, min_size, exposed, seed):
    n = max(n, min_size)
    rng = np.random.default_rng(seed)
    values = np.vstack([data("shifts", model, n, rng) for _ in range(rows)])
    options = {}
    if exposed and model != "normal":
        options["exposure"] = rng.uniform(0.3, 3.0, (rows, n))
    optima, last, most = fpop(COSTS[model](values, **options), 5.0, min_size)
    for i in range(rows):
        single = {k: v[i : i + 1] for k, v in options.items()}
        one, table, kept = fpop(COSTS[model](values[i : i + 1], **single), 5.0, min_size)
        assert optima[i] == one[0] and most[i] == kept[0]
        np.testing.assert_array_equal(last[i], table[0])


@pytest.mark.parametrize(
    "model, method, exposed",
    [("normal", "fpop", False), ("quasipoisson", "pelt", True), ("negbin", "pelt", True)],
)
def test_segment_searches_long_panels_in_blocks_of_series(monkeypatch, model, method, exposed):
    # blocks of 3 series (the last one shorter): every series as if segmented alone
    import periodize.segmentation.api as api

    rng = np.random.default_rng(11)
    n, rows = 400, 7
    values = rng.poisson(np.repeat(rng.uniform(1.0, 9.0, (rows, 5)), n // 5, axis=1))
    values = values.astype(float)
    exposure = rng.uniform(0.5, 2.0, (rows, n)) if exposed else None
    monkeypatch.setattr(api, "SEARCH_BLOCK_BYTES", 3 * 8 * (n + 1))
    options = {"penalty": "bic", "model": model, "method": method, "min_size": 2}
    whole = pz.segment(values.T, exposure=None if exposure is None else exposure.T, **options)
    for i in range(rows):
        alone = pz.segment(
            values[i], exposure=None if exposure is None else exposure[i], **options
        )
        assert whole.break_indices[i] == alone.break_indices[0]
    assert whole.method == f"exact ({method})"
