"""The noise scale of the penalty "auto": a loop reference, invariances and simulations."""

from contextlib import nullcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.segmentation import noise
from periodize.segmentation.noise import (
    count_dispersion,
    line_count_dispersion,
    line_noise_scale,
    n_lags,
    noise_scale,
)


def reference(y, segments=None, max_pairs=2**14, order=1):
    """One series, written out: the robust mean square of the lag-k differences (``order``
    1: ``y[t+k] - y[t]``, over 2; ``order`` 2: ``y[t+2k] - 2 y[t+k] + y[t]``, over 6) within
    segments (every stride-th one of a lag on a long record), then phi by trying every grid
    value against the AR(1) shape of that order."""
    n = len(y)
    lags = min(max(3, min(10, n // 10)), max(1, (n - 1) // order))
    stride = -(-(n - 1) // max_pairs)
    divisor = 2.0 if order == 1 else 6.0

    def difference(t, k):
        if order == 1:
            return y[t + k] - y[t]
        return y[t + 2 * k] - 2 * y[t + k] + y[t]

    def shape(phi, k):
        return 1 - phi**k if order == 1 else (6 - 8 * phi**k + 2 * phi ** (2 * k)) / 6

    half = []
    for k in range(1, lags + 1):
        d = [
            difference(t, k)
            for t in range(0, n - order * k, stride)
            if segments is None or segments[t] == segments[t + order * k]
        ]
        if not d:
            half.append(None)
            continue
        med = float(np.median(np.abs(d))) / 0.6744897501960817
        half.append((med**2 if med > 0 else float(np.mean(np.square(d)))) / divisor)
    if all(h is None for h in half):
        return reference(y, None, max_pairs, order)
    grid = np.linspace(0, 0.99, 100) if lags >= 5 else [0.0]
    best = None
    for phi in grid:
        pairs = [(shape(phi, k + 1), h) for k, h in enumerate(half) if h is not None]
        gamma = sum(s * h for s, h in pairs) / sum(s * s for s, _ in pairs)
        tiny = np.finfo(float).tiny
        misfit = sum((np.log(max(gamma * s, tiny)) - np.log(max(h, tiny))) ** 2 for s, h in pairs)
        if best is None or misfit < best[0]:
            best = (misfit, phi)
    phi = best[1]
    first = [
        difference(t, 1)
        for t in range(n - order)
        if segments is None or segments[t] == segments[t + order]
    ]
    level = float(np.mean(np.square(first))) / divisor if first else 0.0
    gamma = level / shape(phi, 1) if level > 0 else 1.0
    return phi, gamma * (1 + phi) / (1 - phi)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 80),
    st.integers(0, 4),
    st.booleans(),
    st.sampled_from([2**14, 7]),
    st.integers(0, 2**32 - 1),
)
def test_batched_scale_equals_the_written_out_loop(n, n_cuts, integers, max_pairs, seed):
    """(A small ``MAX_PAIRS`` makes short records take every stride-th pair too.)"""
    noise.MAX_PAIRS, default = max_pairs, noise.MAX_PAIRS
    try:
        check_against_reference(n, n_cuts, integers, max_pairs, seed)
    finally:
        noise.MAX_PAIRS = default


def check_against_reference(n, n_cuts, integers, max_pairs, seed):
    rng = np.random.default_rng(seed)
    values = rng.poisson(2.0, size=(3, n)).astype(float) if integers else rng.normal(size=(3, n))
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n_cuts, n - 1), replace=False))
    segments = np.tile(np.searchsorted(cuts, np.arange(n), side="right"), (3, 1))
    for given_segments in (None, segments):
        for order, measure in ((1, noise_scale), (2, line_noise_scale)):  # levels, lines
            scale = measure(values, given_segments)
            for i in range(3):
                phi, lrv = reference(
                    values[i], None if given_segments is None else segments[i], max_pairs, order
                )
                assert scale.phi[i] == pytest.approx(phi)
                assert scale.long_run_variance[i] == pytest.approx(lrv, rel=1e-9)
            alone = measure(values[:1], None if given_segments is None else segments[:1])
            assert alone.phi[0] == scale.phi[0]  # one row: medians by selection, not a sort
            assert alone.long_run_variance[0] == pytest.approx(scale.long_run_variance[0])


def test_a_shift_between_given_segments_changes_nothing():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(1, 200))
    segments = (np.arange(200) >= 120).astype(int)[None]
    shifted = y + np.where(segments == 1, 1e6, 0.0)
    a, b = noise_scale(y, segments), noise_scale(shifted, segments)
    assert a.phi == b.phi and a.long_run_variance == pytest.approx(b.long_run_variance)


@pytest.mark.parametrize("phi", [0.0, 0.6])
def test_ar1_noise_is_measured_on_a_long_record(phi):
    """Closed forms: an AR(1) with unit innovations has marginal variance 1/(1-phi^2) and
    long-run variance 1/(1-phi)^2; three shifts of 5 marginal sd do not move them."""
    rng = np.random.default_rng(7)
    n = 20_000
    z = rng.normal(size=n)
    e = np.empty(n)
    e[0] = z[0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        e[t] = phi * e[t - 1] + z[t]
    steps = np.repeat([0.0, 5.0, -5.0, 0.0], n // 4) / np.sqrt(1 - phi**2)
    scale = noise_scale((e + steps)[None])
    assert scale.phi[0] == pytest.approx(phi, abs=0.05)
    assert scale.long_run_variance[0] == pytest.approx(1 / (1 - phi) ** 2, rel=0.15)


def test_short_records_are_taken_as_independent():
    rng = np.random.default_rng(1)
    y = np.cumsum(rng.normal(size=(5, 49)), axis=1)  # a random walk, but only 49 periods
    assert (noise_scale(y).phi == 0).all() and n_lags(49) < noise.MIN_AR_LAGS
    assert (noise_scale(np.cumsum(rng.normal(size=(5, 400)), axis=1)).phi >= 0.85).all()


def test_constant_and_sparse_series_keep_a_finite_scale():
    constant = noise_scale(np.full((1, 60), 4.0))
    assert constant.long_run_variance[0] == 1.0
    sparse = np.zeros((1, 60))
    sparse[0, [5, 30, 31]] = [1, 2, 1]  # most differences exactly 0: the median says nothing
    dispersion = count_dispersion(sparse)
    assert np.isfinite(dispersion).all() and dispersion[0] >= 1.0


def test_count_dispersion_is_the_counts_variance_over_mean():
    """Independent counts: Poisson gives about 1; NB2 with mean 6 and alpha 0.5 gives
    Var/mean = 1 + alpha * mean = 4 (the square-root scale's variance is dispersion/4)."""
    rng = np.random.default_rng(11)
    poisson = rng.poisson(6.0, size=(1, 5000))
    negbin = rng.poisson(rng.gamma(2.0, 3.0, size=(1, 5000)))
    assert count_dispersion(poisson)[0] == pytest.approx(1.0, abs=0.15)
    assert count_dispersion(negbin)[0] == pytest.approx(4.0, rel=0.25)


def test_the_noise_around_lines_ignores_lines_and_boundaries_between_periods():
    rng = np.random.default_rng(21)
    noise = rng.normal(size=(4, 300))
    t = np.arange(300)
    drifting = noise + 5.0 - 0.3 * t  # a drift of 90 sd: levels see it, lines do not
    around = line_noise_scale(noise).long_run_variance
    np.testing.assert_allclose(line_noise_scale(drifting).long_run_variance, around, rtol=1e-9)
    assert (noise_scale(drifting).long_run_variance > 10 * around).all()
    segments = np.repeat(np.array([[0, 1]]), 150, axis=1).repeat(4, axis=0)
    jump = noise + 20.0 * (t >= 150) + 0.1 * t * (t >= 150)  # a new line from period 150
    np.testing.assert_allclose(
        line_noise_scale(jump, segments).long_run_variance,
        line_noise_scale(noise, segments).long_run_variance,
        rtol=1e-9,
    )


def test_the_robust_noise_around_lines_is_not_moved_by_outliers():
    """``robust=True``: the level from the median of the squared second differences
    (consistent for Gaussian noise: unit variance, 300 series of 400 periods). 5% outliers
    of 10 sd touch 15% of the second differences, so the median is the rest's 0.5/0.85
    quantile of |Z|: (0.821/0.674)² = 1.48 unit variances; the plain mean square takes each
    outlier's 100 + 400 + 100: (6 + 0.05 × 600)/6 = 6."""
    rng = np.random.default_rng(22)
    noise = rng.normal(size=(300, 400)) + np.linspace(0.0, 10.0, 400)
    bursts = np.where(rng.random((300, 400)) < 0.05, rng.choice([-10.0, 10.0], (300, 400)), 0.0)
    clean = line_noise_scale(noise, robust=True)
    assert abs(np.median(clean.variance) - 1.0) < 0.05
    robust = line_noise_scale(noise + bursts, robust=True).variance
    plain = line_noise_scale(noise + bursts).variance
    assert 1.35 < np.median(robust) < 1.65 and 5.4 < np.median(plain) < 6.6
    segments = np.repeat(np.array([[0, 1]]), 200, axis=1).repeat(300, axis=0)
    t = np.arange(400)
    jump = noise + 20.0 * (t >= 200) + 0.1 * t * (t >= 200)  # a new line: left out within
    np.testing.assert_allclose(
        line_noise_scale(jump, segments, robust=True).variance,
        line_noise_scale(noise, segments, robust=True).variance,
        rtol=1e-9,
    )


def test_the_robust_count_dispersion_around_lines_is_not_inflated_by_bursts():
    """Counts of mean 100 and variance 400 (dispersion 4; rounded Gaussian, so the median
    is consistent), 1,000 series of 40 periods (taken as independent). Bursts of 400
    events at periods 5, 15, 25, 35 touch 12 of the 38 second differences: the robust
    level is then the rest's 0.5/(26/38) quantile of |Z|, (1.107/0.674)² = 2.70 times the
    variance, over the mean 140: 1.92 times the clean dispersion; the plain mean square
    takes each burst's 400² (1 + 4 + 1): (2,400 + 4 × 960,000/38)/6/140 = 123."""
    rng = np.random.default_rng(23)
    counts = np.round(rng.normal(100.0, 20.0, (1000, 40)))
    bursts = np.zeros(40)
    bursts[[5, 15, 25, 35]] = 400.0
    clean = line_count_dispersion(counts, robust=True)
    assert 3.7 < np.median(clean) < 4.3
    robust = line_count_dispersion(counts + bursts, robust=True)
    assert 1.7 < np.median(robust / clean) < 2.1
    assert 115 < np.median(line_count_dispersion(counts + bursts)) < 131


@pytest.mark.parametrize(("phi", "low", "high"), [(0.0, 0.8, 1.25), (0.5, 2.4, 3.75)])
def test_the_noise_around_lines_is_the_long_run_variance_of_ar1_noise(phi, low, high):
    """AR(1) noise of unit marginal variance: long-run variance (1 + φ)/(1 − φ), whatever
    line it rides on (the median over 300 series of 400 periods)."""
    rng = np.random.default_rng(int(phi * 10) + 5)
    z = rng.normal(size=(300, 400))
    e = np.empty_like(z)
    e[:, 0] = z[:, 0]
    for t in range(1, 400):
        e[:, t] = phi * e[:, t - 1] + np.sqrt(1 - phi**2) * z[:, t]
    scale = line_noise_scale(e + np.linspace(0.0, 10.0, 400))
    assert low < np.median(scale.long_run_variance) < high
    assert abs(np.median(scale.phi) - phi) < 0.1


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 4), st.integers(1, 9), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_robust_mean_square_equals_numpys_nan_median(rows, width, left_out, seed):
    """Medians by selection (one row) or one sort (many), NaN left out, against
    ``np.nanmedian`` and ``np.nanmean``; a row with nothing left is NaN."""
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(rows, width)) * rng.integers(0, 2, size=(rows, width))  # zeros too
    d[rng.uniform(size=d.shape) < left_out] = np.nan
    with (
        np.errstate(invalid="ignore"),
        pytest.warns() if np.isnan(d).all(axis=1).any() else nullcontext(),
    ):
        median = np.nanmedian(np.abs(d), axis=1) / 0.6744897501960817
        square = np.nanmean(d * d, axis=1)
    expected = np.where(median > 0, median**2, square)
    np.testing.assert_allclose(noise.robust_mean_square(d), expected, rtol=1e-12)
