"""compare_periodizations: likelihoods and criteria against statsmodels, posterior partition
probabilities against enumeration, p-values equal to test_periodization's, many series equal
to looping, and the post-hoc note."""

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln, logsumexp

import periodize as pz
from periodize.exceptions import ParameterError, PeriodizeTypeError

YEARS = np.arange(1990, 2012)
CANDIDATES = {"two": (1997, 2004), "one": (2004,), "three": (1995, 2000, 2006)}


def step_counts(seed, n_series=1):
    rng = np.random.default_rng(seed)
    rate = np.where(YEARS < 1997, 1.0, np.where(YEARS < 2004, 4.0, 2.0))
    values = rng.poisson(rate, size=(n_series, YEARS.size)).T
    return pd.DataFrame(values, index=YEARS, columns=[f"d{i}" for i in range(n_series)])


def test_loglik_and_criteria_equal_statsmodels():
    frame = step_counts(1)
    y = frame["d0"].to_numpy()
    table = pz.compare_periodizations(frame, CANDIDATES, n_sim=99).table.loc["d0"]
    for name, boundaries in CANDIDATES.items():
        period = np.searchsorted(np.asarray(boundaries), YEARS, side="right")
        design = pd.get_dummies(period).to_numpy(dtype=float)
        fit = sm.GLM(y, design, family=sm.families.Poisson()).fit()
        row = table.loc[name]
        assert row["loglik"] == pytest.approx(fit.llf, rel=1e-9)
        assert row["n_params"] == design.shape[1]
        assert row["aic"] == pytest.approx(fit.aic, rel=1e-9)
        assert row["bic"] == pytest.approx(-2 * fit.llf + design.shape[1] * np.log(len(y)))
    best = table.loc["best with 2 breaks"]
    assert best["n_params"] == 3 + 2  # the two estimated boundaries count
    assert table["aic_weight"].sum() == pytest.approx(1.0)
    assert table["bic_weight"].sum() == pytest.approx(1.0)


def poisson_gamma_log_marginal(y, a, b):
    """Closed-form log marginal likelihood of one segment under Gamma(a, b)."""
    total, n = y.sum(), y.size
    return (
        a * np.log(b)
        - gammaln(a)
        + gammaln(a + total)
        - (a + total) * np.log(b + n)
        - gammaln(y + 1).sum()
    )


@settings(max_examples=20, deadline=None)
@given(
    y=st.lists(st.integers(0, 6), min_size=8, max_size=11),
    min_size=st.integers(1, 2),
    shape=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_posterior_of_each_partition_equals_enumeration(y, min_size, shape):
    y = np.asarray(y, dtype=float)
    n = y.size
    index = np.arange(2000, 2000 + n)
    candidates = {"a": (2000 + n // 2,), "b": (2000 + 2, 2000 + n - 2)}
    prior = {"shape": shape, "rate": 1.0}
    table = pz.compare_periodizations(
        pd.Series(y, index=index, name="y"),
        candidates,
        n_sim=99,
        min_size=min_size,
        prior=prior,
        include_best=False,
    ).table.loc["y"]

    def log_like(edges):
        return sum(
            poisson_gamma_log_marginal(y[a:b], shape, 1.0) for a, b in itertools.pairwise(edges)
        )

    k_max = 2
    by_k = {}
    for k in range(k_max + 1):
        partitions = [
            (0, *c, n)
            for c in itertools.combinations(range(1, n), k)
            if min(np.diff((0, *c, n))) >= min_size
        ]
        by_k[k] = [log_like(p) for p in partitions]
    rows = {"no change": (0, n), "a": (0, n // 2, n), "b": (0, 2, n - 2, n)}
    scores = {}
    for name, edges in rows.items():
        k = len(edges) - 2
        ll = log_like(edges)
        assert table.loc[name, "posterior_given_k"] == pytest.approx(
            np.exp(ll - logsumexp(by_k[k])), rel=1e-7
        )
        scores[name] = ll - np.log(len(by_k[k])) - np.log(k_max + 1)
    total = logsumexp(list(scores.values()))
    for name, score in scores.items():
        assert table.loc[name, "posterior"] == pytest.approx(np.exp(score - total), rel=1e-7)


@pytest.mark.parametrize(
    ("model", "null"),
    [
        ("poisson", "parametric"),
        ("poisson", "permutation"),
        ("quasipoisson", "parametric"),
        ("normal", "parametric"),
    ],
)
@pytest.mark.parametrize("dependence", ["auto", "independent"])
def test_pvalues_equal_test_periodization(model, null, dependence):
    """A named candidate's p-values equal test_periodization's (its dependence is fitted
    to its own periods in both); the best segmentation's against no change too when the
    periods are drawn independently (with dependence, its replicates take the dependence
    fitted around the best segmentation, test_periodization's that around the hypothesis)."""
    frame = step_counts(2, n_series=3).astype(float)
    if model == "quasipoisson":
        frame = frame * 1.5 + 0.25
    options = {"model": model, "n_sim": 199, "rng": 9, "null": null, "dependence": dependence}
    if null == "permutation" and dependence == "auto":
        options["dependence"] = "independent"
    comparison = pz.compare_periodizations(frame, CANDIDATES, **options)
    for name, boundaries in CANDIDATES.items():
        tested = pz.test_periodization(frame, boundaries, **options)
        for series in frame.columns:
            row = comparison.table.loc[(series, name)]
            tests = tested.tests_by_series[tested.names.index(series)]
            assert row["p_vs_none"] == tests["hypothesis_vs_none"].pvalue
            assert row["p_vs_best"] == tests["best_vs_hypothesis"].pvalue
            k = len(boundaries)
            best = comparison.table.loc[(series, f"best with {k} break{'s' * (k != 1)}")]
            if model != "quasipoisson":  # there the sup-LR is scaled by the best fit's
                # dispersion, in test_periodization by the hypothesis fit's
                if options["dependence"] == "independent":
                    assert best["p_vs_none"] == tests["best_vs_none"].pvalue


def test_many_series_equal_looping():
    frame = step_counts(3, n_series=5)
    together = pz.compare_periodizations(frame, CANDIDATES, n_sim=99, rng=2).table
    for series in frame.columns:
        alone = pz.compare_periodizations(frame[[series]], CANDIDATES, n_sim=99, rng=2).table
        pd.testing.assert_frame_equal(together.loc[[series]], alone)


def test_post_hoc_note_and_outputs():
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    result = pz.compare_periodizations(
        counts, {"paper": (2009, 2019), "read off the data": (2009, 2015)}, n_sim=99
    )
    notes = result.notes()
    assert len(notes) == 1 and "'read off the data'" in notes[0] and "optimistic" in notes[0]
    document = result.to_dict()
    assert document["series"][0]["notes"] == notes
    names = [p["name"] for p in document["series"][0]["periodizations"]]
    assert names == ["no change", "paper", "read off the data", "best with 2 breaks"]
    assert "note:" in result.summary()


def test_bad_candidates():
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    with pytest.raises(PeriodizeTypeError, match="non-empty mapping"):
        pz.compare_periodizations(counts, {})
    with pytest.raises(PeriodizeTypeError, match="non-empty mapping"):
        pz.compare_periodizations(counts, [(2009,)])
    with pytest.raises(ParameterError, match="same periodization"):
        pz.compare_periodizations(counts, {"a": (2009,), "b": [2009]})
    with pytest.raises(ParameterError, match="not one of them"):
        pz.compare_periodizations(counts, {"a": (1900,)})


@pytest.mark.parametrize("name", ["no change", "best with 1 break", "best with 2 breaks"])
def test_a_candidate_named_as_a_row_the_comparison_adds_is_refused(name):
    """Named 'no change' or 'best with k breaks', a candidate replaced the added row (or was
    replaced by it), and one of the two left the table without a word."""
    counts = np.random.default_rng(3).poisson(3.0, 30).astype(float)
    series = pd.Series(counts, index=range(1990, 2020))
    with pytest.raises(ParameterError, match=f"Candidate '{name}' of compare_periodizations"):
        pz.compare_periodizations(series, {name: (2000,)})  # the name alone is refused
    renamed = pz.compare_periodizations(series, {"paper": (2000,)}, n_sim=99)
    assert renamed.table.loc["series"].index.tolist() == [
        "no change", "paper", "best with 1 break"
    ]  # fmt: skip


def test_a_candidate_that_is_the_best_segmentation_counts_once():
    """The same partition listed twice (a candidate and the best segmentation with as many
    breaks) takes one share of the weights and of the posterior: both sum to 1 over the
    rows, the repeat names the row it repeats and keeps its own fit and tests."""
    import pandas as pd

    series = pd.DataFrame(
        {"step": [2, 3, 1, 2, 2, 3, 2, 2, 1, 3, 9, 8, 10, 9, 7, 9, 11, 8, 9, 10]},
        index=range(1990, 2010),
    )
    compared = pz.compare_periodizations(series, {"split": [2000], "other": [1995]}, n_sim=99)
    table = compared.table.loc["step"]
    assert table.loc["best with 1 break", "boundaries"] == (2000,)
    assert table.loc["best with 1 break", "same_as"] == "split"
    assert table["same_as"].drop("best with 1 break").isna().all()
    for column in ("aic_weight", "bic_weight", "posterior"):
        assert abs(table[column].sum() - 1) < 1e-12 and pd.isna(
            table.loc["best with 1 break", column]
        )
    assert table.loc["best with 1 break", "n_params"] == table.loc["split", "n_params"] + 1
    assert table.loc["best with 1 break", "p_vs_none"] > 0  # its own test, with the search


def test_a_model_per_series_sums_each_members_likelihood_and_marginals():
    """compare_periodizations(joint=True) with visits under the Poisson model and a score
    under the normal model: each row's log-likelihood is the GLM's plus the OLS fit's
    (statsmodels), its parameters both models' (the normal's variance once), and the
    posterior of a shared partition given its number of breaks is the product of the two
    series' segment marginals (each under its model's default prior), normalised over
    every shared partition with as many breaks (enumerated)."""
    from periodize.inference.bayes.marginals import log_marginals, resolve_prior

    rng = np.random.default_rng(6)
    after = YEARS >= 2004
    frame = pd.DataFrame(
        {
            "visits": rng.poisson(np.where(after, 4.0, 1.5)).astype(float),
            "score": rng.normal(np.where(after, 1.0, 0.0), 1.0),
        },
        index=YEARS,
    )
    models = {"visits": "poisson", "score": "normal"}
    table = pz.compare_periodizations(
        frame, CANDIDATES, joint=True, model=models, n_sim=99, include_best=False
    ).table.loc["visits + score"]
    n = len(YEARS)
    for name, boundaries in {"no change": (), **CANDIDATES}.items():
        period = np.searchsorted(np.asarray(boundaries, dtype=int), YEARS, side="right")
        design = np.eye(len(boundaries) + 1)[period]
        visits = sm.GLM(frame["visits"].to_numpy(), design, family=sm.families.Poisson()).fit()
        score = sm.OLS(frame["score"].to_numpy(), design).fit()
        row = table.loc[name]
        assert row["loglik"] == pytest.approx(visits.llf + score.llf, rel=1e-9)
        assert row["n_params"] == 2 * design.shape[1] + 1
    marginals = sum(
        log_marginals(family, frame[[column]].to_numpy().T, resolved, 3)[0]
        for column, family in models.items()
        for resolved in [resolve_prior(family, None, frame[[column]].to_numpy().T, "test", None)]
    )

    def log_like(edges):
        return sum(marginals[a, b] for a, b in itertools.pairwise(edges))

    for name, boundaries in CANDIDATES.items():
        k = len(boundaries)
        every = [
            log_like((0, *c, n))
            for c in itertools.combinations(range(1, n), k)
            if min(np.diff((0, *c, n))) >= 3
        ]
        edges = (0, *(int(np.searchsorted(YEARS, b)) for b in boundaries), n)
        assert table.loc[name, "posterior_given_k"] == pytest.approx(
            np.exp(log_like(edges) - logsumexp(every)), rel=1e-7
        )


def test_a_model_per_series_takes_no_prior_and_equals_one_model_when_all_agree():
    frame = step_counts(2, n_series=2)
    options = {"joint": True, "n_sim": 99, "rng": 5}
    given = pz.compare_periodizations(frame, CANDIDATES, model=dict.fromkeys(frame, "poisson"),
                                      **options)  # fmt: skip
    plain = pz.compare_periodizations(frame, CANDIDATES, model="poisson", **options)
    pd.testing.assert_frame_equal(given.table, plain.table)
    with pytest.raises(ParameterError, match="with a model per series each series takes"):
        pz.compare_periodizations(
            frame, CANDIDATES, model=dict.fromkeys(frame, "poisson"),
            prior={"shape": 1.0, "rate": 1.0}, **options,
        )  # fmt: skip
