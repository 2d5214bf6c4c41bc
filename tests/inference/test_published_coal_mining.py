"""``pz.posterior`` against a published analysis of a real event-count series.

The British coal-mining disasters 1851–1962 (Jarrett 1979) and the single change point of
Raftery & Akman (1986), whose figures are reported by Green (1995, §4.1). Citation,
provenance and checksum: ``tests/fixtures/coal_mining_disasters/README.md``.
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

import periodize as pz

FIXTURE = (
    Path(__file__).parents[1] / "fixtures" / "coal_mining_disasters" / "jarrett1979_intervals.csv"
)
SHA256 = "79f2838c87c018c44a72a08e5c0b5b30875351a360cfa32a50735606c6137c0f"
FIRST_EXPLOSION = pd.Timestamp("1851-03-15")
DAY_ZERO = pd.Timestamp("1851-01-01")  # Raftery & Akman's origin
WINDOW_DAYS = (pd.Timestamp("1962-12-31") - DAY_ZERO).days

# Published (Raftery & Akman 1986, as reported by Green 1995): the posterior mode of the
# time of change, and the printed 95% credible interval.
PUBLISHED_MODE = pd.Timestamp("1890-03-10")
PUBLISHED_INTERVAL = (pd.Timestamp("1887-05-15"), pd.Timestamp("1895-08-03"))

# Yearly counts of R's boot::coal dates (Hand et al. 1994), an independent copy of the record;
# years not listed had no explosion.
BOOT_COAL_YEARLY = {
    1851: 4, 1852: 5, 1853: 4, 1854: 1, 1856: 4, 1857: 3, 1858: 4, 1860: 6, 1861: 3,
    1862: 3, 1863: 4, 1865: 2, 1866: 6, 1867: 3, 1868: 3, 1869: 5, 1870: 4, 1871: 5,
    1872: 3, 1873: 1, 1874: 4, 1875: 4, 1876: 1, 1877: 5, 1878: 5, 1879: 3, 1880: 4,
    1881: 2, 1882: 5, 1883: 2, 1884: 2, 1885: 3, 1886: 4, 1887: 2, 1888: 1, 1889: 3,
    1890: 2, 1891: 2, 1892: 1, 1893: 1, 1894: 1, 1895: 1, 1896: 3, 1899: 1, 1901: 1,
    1902: 1, 1905: 3, 1906: 1, 1908: 3, 1909: 2, 1910: 2, 1912: 1, 1913: 1, 1914: 1,
    1916: 1, 1918: 1, 1922: 2, 1923: 1, 1927: 1, 1928: 1, 1930: 2, 1931: 3, 1932: 3,
    1933: 1, 1934: 1, 1935: 2, 1936: 1, 1937: 1, 1938: 1, 1939: 1, 1940: 2, 1941: 3,
    1942: 3, 1946: 1, 1947: 4, 1951: 1, 1957: 1, 1960: 1, 1962: 1,
}  # fmt: skip


@pytest.fixture(scope="module")
def explosions() -> pd.DatetimeIndex:
    intervals = pd.read_csv(FIXTURE)["interval_days"].to_numpy()
    offsets = np.concatenate([[0], np.cumsum(intervals)])
    return FIRST_EXPLOSION + pd.to_timedelta(offsets, unit="D")


@pytest.fixture(scope="module")
def monthly_posterior(explosions):
    months = pd.period_range("1851-01", "1962-12", freq="M", name="month")
    counts = explosions.to_period("M").value_counts().reindex(months, fill_value=0)
    # Raftery & Akman's improper Gamma(1/2, 0) priors as the limit rate -> 0; given one break
    # the prior's normalising constants cancel.
    post = pz.posterior(counts, 1, min_size=1, prior={"shape": 0.5, "rate": 1e-9})
    return post.boundary_probabilities(k=1)


def test_fixture_is_the_published_record(explosions):
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == SHA256
    # Jarrett (1979): 191 explosions, 15 March 1851 to 22 March 1962, 40,550 days inclusive.
    assert len(explosions) == 191
    assert explosions[-1] == pd.Timestamp("1962-03-22")
    assert (explosions[-1] - explosions[0]).days + 1 == 40_550
    assert explosions.year.value_counts().sort_index().to_dict() == BOOT_COAL_YEARLY


def test_posterior_mode_is_the_published_10_march_1890(explosions, monthly_posterior):
    mode = monthly_posterior.idxmax()
    # A boundary names the first month of the new period: the published change falls right
    # after the explosion of 10 March 1890, the last of the old period.
    assert mode == pd.Period("1890-04", freq="M")
    assert PUBLISHED_MODE in explosions
    last_old = explosions[explosions.to_period("M") < mode][-1]
    assert last_old == PUBLISHED_MODE


def raftery_akman_density(explosions, shape=0.5):
    """Closed-form posterior of the change time on a quarter-day grid: with ``N(τ)`` events
    before ``τ`` out of ``N`` in ``[0, L]``, p(τ | y) ∝ Γ(N(τ) + a) τ^-(N(τ) + a)
    Γ(N - N(τ) + a) (L - τ)^-(N - N(τ) + a)."""
    days = (explosions - DAY_ZERO).days.to_numpy()
    grid = np.arange(1, 4 * WINDOW_DAYS) / 4.0
    before = np.searchsorted(days, grid, side="right")
    after = len(days) - before
    log_p = (
        gammaln(before + shape)
        - (before + shape) * np.log(grid)
        + gammaln(after + shape)
        - (after + shape) * np.log(WINDOW_DAYS - grid)
    )
    p = np.exp(log_p - log_p.max())
    return grid, p / p.sum()


@pytest.mark.parametrize("shape", [0.25, 0.5, 1.0, 2.0])
def test_closed_form_reproduces_the_published_mode(explosions, shape):
    grid, p = raftery_akman_density(explosions, shape)
    assert DAY_ZERO + pd.Timedelta(days=grid[p.argmax()]) == PUBLISHED_MODE


def test_published_interval_has_the_same_mass_in_closed_form_and_periodize(
    explosions, monthly_posterior
):
    """The printed 95% interval holds 0.90 of the posterior under the closed form; the
    monthly posterior of periodize agrees (see the fixture's README)."""
    grid, p = raftery_akman_density(explosions)
    start, end = ((day - DAY_ZERO).days for day in PUBLISHED_INTERVAL)
    closed_form = p[(grid >= start) & (grid <= end)].sum()
    # Boundaries at the starts of June 1887 .. August 1895 lie inside the interval.
    index = monthly_posterior.index
    inside = (index >= pd.Period("1887-06", freq="M")) & (index <= pd.Period("1895-08", freq="M"))
    assert monthly_posterior[inside].sum() == pytest.approx(closed_form, abs=0.01)
    assert closed_form == pytest.approx(0.899, abs=0.001)
