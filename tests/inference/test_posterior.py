"""The exact posterior against brute-force enumeration, numerical integration and its own
probability laws; bad input."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats
from scipy.special import gammaln, logsumexp

import periodize as pz
from periodize.exceptions import ParameterError


def poisson_gamma_segment(y, a, b):
    """log ∫ Π Poisson(y_t | λ) Gamma(λ | a, b) dλ, from the slice (closed form)."""
    s, m = y.sum(), len(y)
    return (
        a * np.log(b)
        - gammaln(a)
        + gammaln(a + s)
        - (a + s) * np.log(b + m)
        - gammaln(y + 1).sum()
    )


def nig_segment(y, mu0, kappa0, alpha0, beta0):
    m, ybar = len(y), y.mean()
    kn, an = kappa0 + m, alpha0 + m / 2
    bn = beta0 + ((y - ybar) ** 2).sum() / 2 + kappa0 * m * (ybar - mu0) ** 2 / (2 * kn)
    return (
        gammaln(an)
        - gammaln(alpha0)
        + alpha0 * np.log(beta0)
        - an * np.log(bn)
        + 0.5 * np.log(kappa0 / kn)
        - m / 2 * np.log(2 * np.pi)
    )


def test_poisson_gamma_marginal_by_numerical_integration():
    y, a, b = np.array([2.0, 0.0, 3.0]), 1.5, 0.8
    value, _ = integrate.quad(
        lambda lam: np.prod(stats.poisson.pmf(y, lam)) * stats.gamma.pdf(lam, a, scale=1 / b),
        0,
        50,
    )
    assert poisson_gamma_segment(y, a, b) == pytest.approx(np.log(value), rel=1e-8)


def test_nig_marginal_by_numerical_integration():
    y, mu0, k0, a0, b0 = np.array([0.3, -0.4, 1.1]), 0.1, 2.0, 2.0, 1.5
    mu = np.linspace(-8, 8, 1601)[:, None]
    log_var = np.linspace(np.log(1e-4), np.log(200.0), 2001)[None, :]
    var = np.exp(log_var)
    density = (
        stats.invgamma.pdf(var, a0, scale=b0)
        * var  # d(var) = var d(log var)
        * stats.norm.pdf(mu, mu0, np.sqrt(var / k0))
        * np.prod(stats.norm.pdf(y[:, None, None], mu, np.sqrt(var)), axis=0)
    )
    value = integrate.simpson(integrate.simpson(density, x=log_var[0], axis=1), x=mu[:, 0])
    assert nig_segment(y, mu0, k0, a0, b0) == pytest.approx(np.log(value), rel=1e-6)


def enumerate_posterior(y, max_breaks, min_size, segment_log_marginal):
    """P(k), P(boundary at t) and posterior mean rates by listing every segmentation."""
    n = len(y)
    by_k = {}
    for k in range(max_breaks + 1):
        entries = []
        for breaks in itertools.combinations(range(1, n), k):
            edges = (0, *breaks, n)
            if min(np.diff(edges)) < min_size:
                continue
            entries.append(
                (breaks, sum(segment_log_marginal(y[a:b]) for a, b in itertools.pairwise(edges)))
            )
        by_k[k] = entries
    log_k = np.array(
        [logsumexp([v for _, v in by_k[k]]) - np.log(len(by_k[k])) for k in range(max_breaks + 1)]
    )
    p_k = np.exp(log_k - logsumexp(log_k))
    boundary = np.zeros(n)
    for k, entries in by_k.items():
        weights = np.exp(np.array([v for _, v in entries]) - logsumexp([v for _, v in entries]))
        for (breaks, _), w in zip(entries, weights, strict=True):
            for t in breaks:
                boundary[t] += p_k[k] * w
    return p_k, boundary


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("min_size", "max_breaks"), [(1, 3), (2, 2), (2, 3)])
def test_poisson_posterior_equals_enumeration(seed, min_size, max_breaks):
    y = np.random.default_rng(seed).poisson(np.repeat([1.0, 4.0], 4)).astype(float)
    a, b = 1.0, 1.0 / max(y.mean(), 1e-12)
    post = pz.posterior(y, max_breaks, prior={"shape": a, "rate": b}, min_size=min_size)
    p_k, boundary = enumerate_posterior(
        y, max_breaks, min_size, lambda s: poisson_gamma_segment(s, a, b)
    )
    np.testing.assert_allclose(post.k_probabilities.to_numpy(), p_k, rtol=1e-9)
    np.testing.assert_allclose(
        post.boundary_probabilities().to_numpy(), boundary, rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("seed", range(3))
def test_normal_posterior_equals_enumeration(seed):
    y = np.random.default_rng(seed).normal(np.repeat([0.0, 2.0], 4), 1.0)
    prior = {"mean": 0.5, "kappa": 1.0, "shape": 2.0, "scale": 1.0}
    post = pz.posterior(y, 2, model="normal", prior=prior, min_size=2)
    p_k, boundary = enumerate_posterior(y, 2, 2, lambda s: nig_segment(s, 0.5, 1.0, 2.0, 1.0))
    np.testing.assert_allclose(post.k_probabilities.to_numpy(), p_k, rtol=1e-9)
    np.testing.assert_allclose(post.boundary_probabilities().to_numpy(), boundary, atol=1e-12)


def test_probabilities_add_up():
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    post = pz.posterior(counts, 3, hypothesis=(2009, 2019))
    assert post.k_probabilities.sum() == pytest.approx(1.0)
    for k in range(4):
        assert post.boundary_probabilities(k=k).sum() == pytest.approx(k)
    expected = sum(k * p for k, p in post.k_probabilities.items())
    assert post.boundary_probabilities().sum() == pytest.approx(expected)
    rates = post.rate_frame()
    assert (rates["lower"] <= rates["mean"]).all() and (rates["mean"] <= rates["upper"]).all()
    sets = post.credible_sets
    assert (sets["mass"] >= 0.95).all() and (sets["given_k"] == 2).all()


def test_posterior_mean_rate_by_enumeration_for_one_break():
    y = np.array([4.0, 5.0, 3.0, 1.0, 0.0, 1.0])
    a, b = 2.0, 1.0
    post = pz.posterior(y, 1, prior={"shape": a, "rate": b}, min_size=2)
    weights, means = [], []
    for k, edges_list in ((0, [(0, 6)]), *[(1, [(0, t), (t, 6)]) for t in (2, 3, 4)]):
        log_w = sum(poisson_gamma_segment(y[s:e], a, b) for s, e in edges_list)
        count = 1 if k == 0 else 3
        weights.append(log_w - np.log(count) + np.log(0.5))
        rate = np.empty(6)
        for s, e in edges_list:
            rate[s:e] = (a + y[s:e].sum()) / (b + e - s)
        means.append(rate)
    w = np.exp(np.array(weights) - logsumexp(weights))
    np.testing.assert_allclose(post.rate_frame()["mean"].to_numpy(), w @ np.array(means))


def gamma_posterior(y, a, b):
    """Posterior of a Poisson rate under Gamma(a, b)."""
    return stats.gamma(a + y.sum(), scale=1 / (b + len(y)))


def nig_mean_posterior(y, mu0, kappa0, alpha0, beta0):
    """Marginal posterior of a normal mean under Normal-inverse-gamma: Student t."""
    m, ybar = len(y), y.mean()
    kn, an = kappa0 + m, alpha0 + m / 2
    bn = beta0 + ((y - ybar) ** 2).sum() / 2 + kappa0 * m * (ybar - mu0) ** 2 / (2 * kn)
    return stats.t(2 * an, loc=(kappa0 * mu0 + m * ybar) / kn, scale=np.sqrt(bn / (an * kn)))


BAND_CASES = {
    "poisson": (
        np.array([4.0, 5.0, 3.0, 1.0, 0.0, 1.0, 0.0]),
        {"shape": 2.0, "rate": 1.0},
        lambda y: poisson_gamma_segment(y, 2.0, 1.0),
        lambda y: gamma_posterior(y, 2.0, 1.0),
    ),
    "normal": (
        np.array([0.1, -0.3, 0.2, 2.9, 3.2, 2.8, 3.1]),
        {"mean": 1.0, "kappa": 1.0, "shape": 1.0, "scale": 1.0},
        lambda y: nig_segment(y, 1.0, 1.0, 1.0, 1.0),
        lambda y: nig_mean_posterior(y, 1.0, 1.0, 1.0, 1.0),
    ),
}


@pytest.mark.parametrize("model", ["poisson", "normal"])
def test_rate_band_is_the_mixture_quantile_by_root_finding(model):
    """Each period's band: quantiles of the mixture of the posteriors of the segments that
    cover it, weighted by enumeration, solved with brentq (not on a grid)."""
    y, prior, log_marginal, segment_posterior = BAND_CASES[model]
    n = len(y)
    post = pz.posterior(y, 2, model=model, prior=prior, min_size=2)
    segmentations = [[0, n]] + [
        [0, *cut, n]
        for k in (1, 2)
        for cut in itertools.combinations(range(2, n - 1), k)
        if all(e - s >= 2 for s, e in itertools.pairwise([0, *cut, n]))
    ]
    counts = {k: sum(len(e) - 2 == k for e in segmentations) for k in range(3)}
    log_w = np.array(
        [
            sum(log_marginal(y[s:e]) for s, e in itertools.pairwise(edges))
            - np.log(counts[len(edges) - 2])
            for edges in segmentations
        ]
    )
    w = np.exp(log_w - logsumexp(log_w))
    bands = post.rate_frame()
    for t in range(n):
        parts = []
        for weight, edges in zip(w, segmentations, strict=True):
            s, e = next((s, e) for s, e in itertools.pairwise(edges) if s <= t < e)
            parts.append((weight, segment_posterior(y[s:e])))

        def mixture_cdf(x, parts=parts):
            return sum(weight * dist.cdf(x) for weight, dist in parts)

        exact = [
            optimize.brentq(lambda x, q=q: mixture_cdf(x) - q, -50.0, 50.0, xtol=1e-12)
            for q in (0.025, 0.975)
        ]
        width = exact[1] - exact[0]
        assert bands["lower"].iloc[t] == pytest.approx(exact[0], abs=1e-3 * width)
        assert bands["upper"].iloc[t] == pytest.approx(exact[1], abs=1e-3 * width)


@pytest.mark.parametrize("model", ["poisson", "normal"])
def test_batched_equals_looped(model):
    """Twenty series at once (their bands computed in two groups of series) give
    what each gives alone."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        rng.poisson(np.repeat([[2.0], [0.7]], 15, axis=0), size=(30, 20)).astype(float),
        index=range(1990, 2020),
        columns=[f"s{i}" for i in range(20)],
    )
    batched = pz.posterior(frame, 2, model=model, min_size=2)
    for name in frame.columns:
        alone = pz.posterior(frame[name], 2, model=model, min_size=2)
        np.testing.assert_allclose(
            batched.k_probabilities_table.loc[name], alone.k_probabilities, rtol=1e-10
        )
        np.testing.assert_allclose(
            batched.boundary_probabilities(series=name), alone.boundary_probabilities()
        )
        np.testing.assert_allclose(
            batched.rate_frame(name).to_numpy(), alone.rate_frame().to_numpy(), rtol=1e-9
        )


def test_bayes_factor_against_no_change_by_hand():
    y = pd.Series([3.0, 4.0, 5.0, 0.0, 1.0, 0.0], index=range(2000, 2006))
    prior = {"shape": 1.0, "rate": 0.5}
    post = pz.posterior(y, 1, prior=prior, min_size=2, hypothesis=(2003,))
    by_hand = (
        poisson_gamma_segment(y.to_numpy()[:3], 1.0, 0.5)
        + poisson_gamma_segment(y.to_numpy()[3:], 1.0, 0.5)
        - poisson_gamma_segment(y.to_numpy(), 1.0, 0.5)
    ) / np.log(10)
    assert post.bayes_factors["log10_bf_vs_none"].iloc[0] == pytest.approx(by_hand)


def test_sensitivity_grid_and_output():
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    post = pz.posterior(counts, 2, hypothesis=(2009, 2019))
    assert len(post.sensitivity) == 9
    assert np.allclose(post.sensitivity[["p_k0", "p_k1", "p_k2"]].sum(axis=1), 1.0)
    text = str(post)
    assert "Prior sensitivity" in text and "Bayes factors" in text
    assert post.to_json() == pz.posterior(counts, 2, hypothesis=(2009, 2019)).to_json()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prior": {"shape": 0.0, "rate": 1.0}}, "finite positive 'shape'"),
        ({"prior": {"shape": 1.0, "rate": -2.0}}, "finite positive 'rate'"),
        ({"prior": {"shape": 1.0}}, "keys \\['shape', 'rate'\\]"),
        ({"max_breaks": 11}, "'max_breaks' parameter of posterior must be at most 10"),
        ({"model": "negbin"}, "'model' parameter of posterior"),
        ({"hypothesis": (2009, 2010)}, "shorter than min_size"),
    ],
)
def test_bad_input(kwargs, match):
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    with pytest.raises(ParameterError, match=match):
        pz.posterior(counts, **{"max_breaks": 3, **kwargs})


def test_weighted_intensity_needs_counts_or_normal():
    series = pz.intensity(pz.datasets.mongolia_kazakhstan(), "goldstein")
    with pytest.raises(ParameterError, match="needs counts"):
        pz.posterior(series, 2)
    assert pz.posterior(series, 2, model="normal").k_probabilities.sum() == pytest.approx(1)


@settings(max_examples=40, deadline=None)
@given(
    y=st.lists(st.integers(0, 8), min_size=4, max_size=9),
    min_size=st.integers(1, 3),
    max_breaks=st.integers(1, 3),
    shape=st.floats(0.3, 3.0),
    rate=st.floats(0.1, 3.0),
)
def test_poisson_posterior_equals_enumeration_for_any_counts(y, min_size, max_breaks, shape, rate):
    y = np.array(y, dtype=float)
    assume(len(y) >= (max_breaks + 1) * min_size)
    post = pz.posterior(y, max_breaks, prior={"shape": shape, "rate": rate}, min_size=min_size)
    p_k, boundary = enumerate_posterior(
        y, max_breaks, min_size, lambda s: poisson_gamma_segment(s, shape, rate)
    )
    np.testing.assert_allclose(post.k_probabilities.to_numpy(), p_k, rtol=1e-8)
    np.testing.assert_allclose(post.boundary_probabilities().to_numpy(), boundary, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 3),
    st.sampled_from([(1, 2), (2, 2), (2, 3)]),
    st.sampled_from(["poisson", "normal"]),
)
def test_joint_posterior_equals_enumeration_of_shared_partitions(seed, members, sizes, model):
    """joint=True: the posterior over partitions shared by all series, each segment's
    marginal likelihood the product of the series' own (each with its own prior), found by
    listing every shared segmentation."""
    min_size, max_breaks = sizes
    rng = np.random.default_rng(seed)
    n = 8
    if model == "poisson":
        y = rng.poisson(np.repeat([1.0, 3.0], 4)[:, None] * rng.uniform(0.5, 2, members))
        y = y.astype(float)
        priors = [{"shape": 1.0 + j, "rate": 0.5 + j} for j in range(members)]

        def segment(s, j):
            return poisson_gamma_segment(s, priors[j]["shape"], priors[j]["rate"])

        prior = {k: [p[k] for p in priors] for k in priors[0]}
    else:
        y = rng.normal(np.repeat([0.0, 1.5], 4)[:, None], 1.0, size=(n, members))
        prior = {"mean": 0.2, "kappa": 1.0, "shape": 2.0, "scale": 1.0}

        def segment(s, j):
            return nig_segment(s, 0.2, 1.0, 2.0, 1.0)

    frame = pd.DataFrame(y, columns=[f"s{j}" for j in range(members)], index=range(2000, 2008))
    post = pz.posterior(frame, max_breaks, model=model, prior=prior, min_size=min_size, joint=True)
    p_k, boundary = enumerate_posterior(
        y, max_breaks, min_size, lambda s: sum(segment(s[:, j], j) for j in range(members))
    )
    for name in frame.columns:
        np.testing.assert_allclose(post.k_probabilities_table.loc[name], p_k, rtol=1e-9)
        np.testing.assert_allclose(
            post.boundary_probabilities(series=name).to_numpy(), boundary, atol=1e-12
        )
    assert post.joint and post.to_dict()["joint"] and "joint" in post.summary()


def test_joint_posterior_of_one_series_is_its_posterior_and_bayes_factor_by_hand():
    rng = np.random.default_rng(2)
    y = rng.poisson(np.repeat([1.0, 4.0], 10)).astype(float)
    z = rng.poisson(np.repeat([2.0, 2.5], 10)).astype(float)
    alone = pz.posterior(y, 2, hypothesis=(10,))
    one = pz.posterior(y, 2, hypothesis=(10,), joint=True)
    np.testing.assert_allclose(one.k_probabilities.to_numpy(), alone.k_probabilities.to_numpy())
    pd.testing.assert_frame_equal(one.bayes_factors, alone.bayes_factors)
    both = pz.posterior(np.column_stack([y, z]), 2, hypothesis=(10,), joint=True)
    prior = both.prior
    log_h = sum(
        poisson_gamma_segment(v[a:b], prior["shape"][j], prior["rate"][j])
        for j, v in enumerate((y, z))
        for a, b in ((0, 10), (10, 20))
    )
    log_none = sum(
        poisson_gamma_segment(v, prior["shape"][j], prior["rate"][j]) for j, v in enumerate((y, z))
    )
    expected = (log_h - log_none) / np.log(10)
    assert both.bayes_factors["log10_bf_vs_none"].to_numpy() == pytest.approx([expected] * 2)
    # the rate bands stay each series' own
    assert not np.allclose(both.rate_frame("series0")["mean"], both.rate_frame("series1")["mean"])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([(1, 2), (2, 2), (2, 3)]))
def test_a_model_per_series_multiplies_each_series_own_marginal(seed, sizes):
    """joint=True with a model per series: visits under the Poisson–Gamma model beside a
    score under the normal–inverse-gamma model, each with its default prior (an exponential
    prior on the rate with the series' mean; the score's mean, kappa 1, shape 1 and its
    variance), every shared segmentation listed."""
    min_size, max_breaks = sizes
    rng = np.random.default_rng(seed)
    n = 8
    visits = rng.poisson(np.repeat([1.0, 3.0], 4)).astype(float)
    score = rng.normal(np.repeat([0.0, 1.5], 4), 1.0)
    frame = pd.DataFrame({"visits": visits, "score": score}, index=range(2000, 2000 + n))
    post = pz.posterior(
        frame, max_breaks, model={"visits": "poisson", "score": "normal"}, min_size=min_size,
        joint=True,
    )  # fmt: skip
    rate = 1.0 / visits.mean() if visits.mean() > 0 else 1.0
    variance = score.var() if score.var() > 0 else 1.0

    def segment(s):
        return poisson_gamma_segment(s[:, 0], 1.0, rate) + nig_segment(
            s[:, 1], score.mean(), 1.0, 1.0, variance
        )

    p_k, boundary = enumerate_posterior(frame.to_numpy(), max_breaks, min_size, segment)
    for name in frame.columns:
        np.testing.assert_allclose(post.k_probabilities_table.loc[name], p_k, rtol=1e-9)
        np.testing.assert_allclose(
            post.boundary_probabilities(series=name).to_numpy(), boundary, atol=1e-12
        )
    assert post.model == "mixed (visits: poisson, score: normal)"
    assert post.prior["poisson rate"] == [pytest.approx(rate), None]
    assert post.prior["normal scale"] == [None, pytest.approx(variance)]
    rates = post.rates
    assert np.all(rates[0] >= 0) and np.isfinite(rates).all()
    assert "poisson: shape 0.5" in post.sensitivity.index.get_level_values("prior")[0]


def test_a_model_per_series_is_a_joint_posterior_without_prior_or_exposure():
    frame = pd.DataFrame({"a": [1.0, 2, 0, 5, 6, 7], "b": [0.1, -0.2, 0.0, 1.1, 0.9, 1.3]})
    models = {"a": "poisson", "b": "normal"}
    same = pz.posterior(frame[["a"]].assign(c=[0.0, 1, 1, 4, 5, 3]), 1, min_size=2, joint=True,
                        model={"a": "poisson", "c": "poisson"})  # fmt: skip
    plain = pz.posterior(frame[["a"]].assign(c=[0.0, 1, 1, 4, 5, 3]), 1, min_size=2, joint=True)
    pd.testing.assert_frame_equal(same.k_probabilities_table, plain.k_probabilities_table)
    np.testing.assert_allclose(same.rates, plain.rates)
    for options, message in (
        ({}, "pass joint=True, or call posterior on each series"),
        ({"joint": True, "prior": {"shape": 1.0, "rate": 1.0}}, "'prior' parameter of posterior"),
        ({"joint": True, "exposure": np.ones((6, 2))}, "'exposure' parameter of posterior"),
        ({"joint": True, "model": {"a": "negbin", "b": "normal"}}, "must be one of"),
        ({"joint": True, "model": {"a": "poisson"}}, "no model for b"),
    ):
        with pytest.raises(ParameterError, match=message):
            pz.posterior(frame, 1, min_size=2, **{"model": models, **options})
