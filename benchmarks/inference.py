"""Inference benchmarks: the Monte Carlo periodization test and the exact posterior."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import periodize as pz
from periodize.inference.fits import statistics

from .harness import peak_memory, timed

SIZES = {
    "quick": {"n_sim": 999, "loop_sample": 50, "months": 240, "series": 50, "compared": 20},
    "default": {
        "n_sim": 9999,
        "loop_sample": 200,
        "months": 1344,
        "series": 1000,
        "compared": 10000,
    },
    "large": {
        "n_sim": 99999,
        "loop_sample": 500,
        "months": 2688,
        "series": 10000,
        "compared": 10000,
    },
}
#: Five competing periodizations of 34 years (1992-2025).
CANDIDATES = {
    "paper": (2009, 2019),
    "2009 only": (2009,),
    "2015 only": (2015,),
    "read off the data": (2009, 2015),
    "three": (2000, 2009, 2019),
}


def monte_carlo_test(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """test_periodization on the bundled 34-year series: batched replicates against the
    same statistics computed one replicate at a time."""
    n_sim = SIZES[size]["n_sim"]
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    elapsed, result = timed(
        lambda: pz.test_periodization(counts, (2009, 2019), n_sim=n_sim, rng=0), repeat=2
    )
    y = counts.data.to_numpy().T
    replicates = rng.poisson(y.mean(), size=(SIZES[size]["loop_sample"], y.shape[1])).astype(float)
    positions = np.array([17, 27])
    batched_time, batched = timed(lambda: statistics("poisson", replicates, positions, 3))
    loop_time, looped = timed(
        lambda: [statistics("poisson", r[None, :], positions, 3) for r in replicates]
    )
    if not np.allclose(batched.best_vs_none, [s.best_vs_none[0] for s in looped]):
        raise AssertionError("batched and looped replicate statistics differ")
    per_replicate_ratio = loop_time / batched_time
    return {
        "case": f"test_periodization, 34 years, (2009, 2019), {n_sim:,} replicates for each "
        "of the three simulated fits (no change, hypothesis, best segmentation)",
        "periodize_s": elapsed,
        "batched_vs_looped_speedup": per_replicate_ratio,
        "note": f"the speedup compares the replicate statistics batched and looped one "
        f"replicate at a time, on {len(replicates)} replicates",
        "pvalues": {k: round(v.pvalue, 4) for k, v in result.tests.items()},
        "agree": "batched and looped statistics identical",
    }


def many_tests(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """test_periodization on many 34-year series at once (999 replicates), against the
    same call one series at a time on a sample."""
    n_series = SIZES[size]["series"]
    frame = pd.DataFrame(
        rng.poisson(1.0, size=(34, n_series)).astype(float),
        index=pd.RangeIndex(1992, 2026, name="year"),
        columns=[f"s{i}" for i in range(n_series)],
    )
    pz.test_periodization(frame.iloc[:, :2], (2009, 2019), n_sim=999, rng=0)  # compile
    elapsed, result = timed(lambda: pz.test_periodization(frame, (2009, 2019), n_sim=999, rng=0))
    sample = list(frame.columns[:5])
    loop_time, looped = timed(
        lambda: [pz.test_periodization(frame[[c]], (2009, 2019), n_sim=999, rng=0) for c in sample]
    )
    table = result.test_table()
    for name, alone in zip(sample, looped, strict=True):
        columns = ["statistic", "pvalue", "n_sim"]  # q-values adjust across the series given
        pd.testing.assert_frame_equal(table.loc[[name], columns], alone.test_table()[columns])
    return {
        "case": f"test_periodization, {n_series:,} series × 34 years, (2009, 2019), "
        "999 replicates",
        "periodize_s": elapsed,
        "per_series_looped_s": loop_time / len(sample),
        "speedup_vs_looped": loop_time / len(sample) * n_series / elapsed,
        "target": f"<= 5 s for 1,000 series: {'met' if elapsed <= 5 else 'NOT met'}"
        if n_series == 1000
        else "target set for 1,000 series",
        "agree": f"batched equals one series at a time on {len(sample)} series",
    }


def exact_posterior(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """The exact posterior over all segmentations with up to 3 breaks (34 years)."""
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    elapsed, post = timed(lambda: pz.posterior(counts, 3, hypothesis=(2009, 2019)), repeat=2)
    return {
        "case": "posterior, 34 years, up to 3 breaks, with credible sets, Bayes factors and "
        "the 9-prior sensitivity table",
        "periodize_s": elapsed,
        "k_probabilities": [round(float(p), 4) for p in post.k_probabilities],
        "agree": "k probabilities sum to one",
    }


def long_posterior(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """The exact posterior on a long monthly series (112 years by default), up to 2 breaks.

    Rate bands sum over the segments covering each period with difference arrays: before
    that change the same call on 1,344 months with one break took 81 s (O(n³) memory)."""
    months = SIZES[size]["months"]
    rate = np.where(np.arange(months) < months // 3, 0.3, 0.1)
    series = pd.Series(
        rng.poisson(rate).astype(float),
        index=pd.period_range("1851-01", periods=months, freq="M", name="month"),
    )

    def with_bands() -> pz.Posterior:
        post = pz.posterior(series, 2, min_size=1)
        _ = post.rates  # the bands are computed when first asked for
        return post

    elapsed, peak, post = peak_memory(with_bands)
    sums = post.boundary_probabilities().sum()
    expected = sum(k * p for k, p in post.k_probabilities.items())
    if not np.isclose(sums, expected):
        raise AssertionError("boundary probabilities do not add up to E[k]")
    return {
        "case": f"posterior, {months:,} monthly counts, up to 2 breaks, min_size 1, with rate "
        "bands and the 9-prior sensitivity table",
        "periodize_s": elapsed,
        "peak_mib": peak,
        "mode": str(post.boundary_probabilities(k=1).idxmax()),
        "true_boundary": str(series.index[months // 3]),
        "agree": "boundary probabilities add up to E[k]",
    }


def many_posteriors(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """The exact posterior for many 34-year series at once, up to 3 breaks, against the
    same call one series at a time on a sample."""
    n_series = SIZES[size]["series"]
    rates = np.repeat([[1.0], [0.4]], 17, axis=0)
    frame = pd.DataFrame(
        rng.poisson(rates, size=(34, n_series)).astype(float),
        index=pd.RangeIndex(1990, 2024, name="year"),
        columns=[f"s{i}" for i in range(n_series)],
    )
    elapsed, peak, post = peak_memory(lambda: pz.posterior(frame, 3))
    bands_time, _ = timed(lambda: post.rates)
    sample = frame.columns[:10]
    loop_time, looped = timed(lambda: [pz.posterior(frame[name], 3) for name in sample])
    for name, alone in zip(sample, looped, strict=True):
        if not np.allclose(post.rate_frame(name), alone.rate_frame()):
            raise AssertionError("batched and looped posteriors differ")
    return {
        "case": f"posterior, {n_series:,} series × 34 years, up to 3 breaks, with the 9-prior "
        "sensitivity table; the rate bands when asked for",
        "periodize_s": elapsed,
        "rate_bands_s": bands_time,
        "peak_mib": peak,
        "per_series_batched_s": elapsed / n_series,
        "per_series_looped_s": loop_time / len(sample),
        "target": f"posterior() <= 3 s for 1,000 series: {'met' if elapsed <= 3 else 'NOT met'}"
        if n_series == 1000
        else "target set for 1,000 series",
        "agree": f"batched equals one series at a time on {len(sample)} series",
    }


def comparison_one_series(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """compare_periodizations with five candidates on the bundled series, against looping
    test_periodization over the candidates (the same p-values)."""
    n_sim = SIZES[size]["n_sim"]
    counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    elapsed, table = timed(
        lambda: pz.compare_periodizations(counts, CANDIDATES, n_sim=n_sim, rng=0).table,
        repeat=2,
    )
    loop_time, looped = timed(
        lambda: [pz.test_periodization(counts, b, n_sim=n_sim, rng=0) for b in CANDIDATES.values()]
    )
    for name, tested in zip(CANDIDATES, looped, strict=True):
        if table.loc[("KAZ-MNG", name), "p_vs_none"] != tested.tests["hypothesis_vs_none"].pvalue:
            raise AssertionError("compare_periodizations and test_periodization differ")
    return {
        "case": f"compare_periodizations, 34 years, 5 candidates (+ no change and 3 best "
        f"segmentations), {n_sim:,} replicates",
        "periodize_s": elapsed,
        "looped_test_periodization_s": loop_time,
        "ratio_vs_looped": loop_time / elapsed,
        "target": "< 1 s at 9,999 replicates",
        "agree": "p-values equal test_periodization's for every candidate",
    }


def comparison_many_series(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """compare_periodizations with five candidates on many 34-year series (999 replicates),
    against the same call one series at a time on a sample."""
    n_series = SIZES[size]["compared"]
    frame = pd.DataFrame(
        rng.poisson(1.0, size=(34, n_series)).astype(float),
        index=pd.RangeIndex(1992, 2026, name="year"),
        columns=[f"s{i}" for i in range(n_series)],
    )
    elapsed, peak, result = peak_memory(
        lambda: pz.compare_periodizations(frame, CANDIDATES, n_sim=999, rng=0)
    )
    sample = list(frame.columns[:3])
    loop_time, looped = timed(
        lambda: [
            pz.compare_periodizations(frame[[name]], CANDIDATES, n_sim=999, rng=0).table
            for name in sample
        ]
    )
    for name, alone in zip(sample, looped, strict=True):
        pd.testing.assert_frame_equal(result.table.loc[[name]], alone)
    return {
        "case": f"compare_periodizations, {n_series:,} series × 34 years, 5 candidates, "
        "999 replicates",
        "periodize_s": elapsed,
        "peak_mib": peak,
        "per_series_batched_s": elapsed / n_series,
        "per_series_looped_s": loop_time / len(sample),
        "target": "< 60 s for 10,000 series: "
        + (
            ("met" if elapsed < 60 else "NOT met")
            if n_series == 10000
            else f"{elapsed / n_series * 10000:.0f} s extrapolated from {n_series:,} series"
        ),
        "agree": f"batched equals one series at a time on {len(sample)} series",
    }


def dependent_null(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """test_periodization with the dependent null (the default) against the independent
    null, on the same monthly count series with no change (latent AR(1) log-rate, φ = 0.6,
    innovation sd 0.4), model negbin; the share rejected at 5% is their size there."""
    n_series = SIZES[size]["series"] if size != "quick" else 10
    n_sim = 999 if size != "quick" else 99
    n = 120
    latent = np.zeros((n_series, n))
    for t in range(1, n):
        latent[:, t] = 0.6 * latent[:, t - 1] + 0.4 * rng.standard_normal(n_series)
    frame = pd.DataFrame(
        rng.poisson(3.0 * np.exp(latent)).T.astype(float),
        index=pd.period_range("2015-01", periods=n, freq="M"),
        columns=[f"s{i}" for i in range(n_series)],
    )
    boundaries = ("2020-01", "2023-07")

    def run(dependence: str) -> pz.PeriodizationTest:
        return pz.test_periodization(
            frame, boundaries, model="negbin", n_sim=n_sim, rng=0, dependence=dependence
        )

    pz.test_periodization(frame.iloc[:, :2], boundaries, model="negbin", n_sim=99)  # compile
    independent_s, alone = timed(lambda: run("independent"))
    auto_s, dependent = timed(lambda: run("auto"))
    ratio = auto_s / independent_s
    statistics = [r.test_table()["statistic"].to_numpy() for r in (alone, dependent)]
    if not np.allclose(statistics[0], statistics[1], rtol=1e-12):
        raise AssertionError("the likelihood ratios differ between the two nulls")
    rejected = {
        name: float(
            (result.test_table()["pvalue"].xs("hypothesis_vs_none", level="test") <= 0.05).mean()
        )
        for name, result in (("independent", alone), ("auto", dependent))
    }
    return {
        "case": f"test_periodization (negbin), {n_series:,} count series × {n} months, "
        f"{n_sim} replicates: dependence='auto' (default) against 'independent'",
        "independent_s": independent_s,
        "auto_s": auto_s,
        "ratio": ratio,
        "target": f"auto <= 4x independent: {'met' if ratio <= 4 else 'NOT met'}",
        "rejected_at_5pct_no_change": rejected,
        "agree": "the same likelihood ratios under both nulls (only the p-values differ)",
    }


CASES = (
    monte_carlo_test,
    many_tests,
    dependent_null,
    exact_posterior,
    long_posterior,
    many_posteriors,
    comparison_one_series,
    comparison_many_series,
)
