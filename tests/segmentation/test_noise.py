"""The noise scale of the penalty "auto": a loop reference, invariances and simulations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.segmentation import noise
from periodize.segmentation.noise import count_dispersion, n_lags, noise_scale


def reference(y, segments=None, max_pairs=2**14):
    """One series, written out: the robust half mean square of the lag-k differences
    within segments (every stride-th pair of a lag on a long record), then phi by trying
    every grid value."""
    n = len(y)
    lags = max(3, min(10, n // 10))
    stride = -(-(n - 1) // max_pairs)
    half = []
    for k in range(1, lags + 1):
        d = [
            y[t + k] - y[t]
            for t in range(0, n - k, stride)
            if segments is None or segments[t] == segments[t + k]
        ]
        if not d:
            half.append(None)
            continue
        med = float(np.median(np.abs(d))) / 0.6744897501960817
        half.append((med**2 if med > 0 else float(np.mean(np.square(d)))) / 2)
    if all(h is None for h in half):
        return reference(y, None, max_pairs)
    grid = np.linspace(0, 0.99, 100) if lags >= 5 else [0.0]
    best = None
    for phi in grid:
        pairs = [(1 - phi ** (k + 1), h) for k, h in enumerate(half) if h is not None]
        gamma = sum(s * h for s, h in pairs) / sum(s * s for s, _ in pairs)
        tiny = np.finfo(float).tiny
        misfit = sum((np.log(max(gamma * s, tiny)) - np.log(max(h, tiny))) ** 2 for s, h in pairs)
        if best is None or misfit < best[0]:
            best = (misfit, phi)
    phi = best[1]
    first = [
        y[t + 1] - y[t] for t in range(n - 1) if segments is None or segments[t] == segments[t + 1]
    ]
    level = float(np.mean(np.square(first))) / 2 if first else 0.0
    gamma = level / (1 - phi) if level > 0 else 1.0
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
        scale = noise_scale(values, given_segments)
        for i in range(3):
            phi, lrv = reference(
                values[i], None if given_segments is None else segments[i], max_pairs
            )
            assert scale.phi[i] == pytest.approx(phi)
            assert scale.long_run_variance[i] == pytest.approx(lrv, rel=1e-9)


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
