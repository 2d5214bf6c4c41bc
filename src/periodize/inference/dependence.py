r"""Serial dependence in the Monte Carlo nulls: a latent Gaussian AR sieve.

Every Monte Carlo test draws replicate series from a fitted null. With
``dependence="independent"`` the periods are drawn independently (Poisson, quasi-Poisson,
NB2 or normal, as the model says). Event series are rarely independent, and a likelihood
ratio computed as if they were is far larger on autocorrelated noise: the tests then find
periods that are not there. The dependent null (``"auto"``, the default) keeps each
period's fitted distribution and adds the data's serial dependence through a Gaussian
copula:

.. math::  y_t = F_t^{-1}(\Phi(z_t)), \qquad z \sim \text{stationary Gaussian AR}(p),\
           \operatorname{Var} z_t = 1,

with :math:`F_t` the fitted distribution of period :math:`t` (Masarotto & Varin 2012,
"Gaussian copula marginal regression", *Electronic Journal of Statistics* 6): for counts a
parameter-driven latent process in the sense of Zeger (1988, *Biometrika* 75) with the
model's own margins. For the normal models :math:`F_t^{-1}` is the empirical quantile
function of the standardised residuals, scaled and shifted by the fitted period: an AR
sieve bootstrap (Bühlmann 1997, *Bernoulli* 3) whose innovations keep the residuals' tails.

The AR is estimated per series from the fit of a periodization (the hypothesised periods,
so a shift between them is not mistaken for dependence):

1. normal scores :math:`z_t = \Phi^{-1}(u_t)` of the observations: standardised residuals
   for the normal models, the mid-distribution value :math:`u_t = F(y_t - 1) + P(y_t)/2`
   for counts;
2. the latent AR. **Normal models**: Yule–Walker partial autocorrelations (Levinson–Durbin)
   up to :func:`max_order` lags (⌊10 log10 n⌋, at most n/10: 12 lags for 120 periods), the
   order chosen by BIC among 1..max_order (:func:`sieve_order`). The standardised residuals
   of a normal model are the latent process itself, and a short autoregression chosen by a
   criterion describes it with little noise: the fixed order's twelve bias-corrected
   coefficients gave independent Gaussian series nulls whose long-run variance factor
   ranged from 0.3 to 30 (5%–95%), and the test of the hypothesis against no change
   rejected 6.5–9.4% of true nulls at 5% (120 periods); with BIC, 5.6–6.1%. Never order 0:
   a pretest keeps the independent null exactly on the dependent series it misses.
   **Counts**: an AR(1) signal plus independent noise (:func:`signal_plus_noise`: the
   autocorrelations ``share * phi**k`` closest to the scores' first max_order ones in least
   squares), drawn as the AR(max_order) with the same first max_order autocorrelations. A
   count's normal score is a latent process seen through Poisson noise, which is this
   model (Zeger 1988's parameter-driven process; the AR(1) plus noise of DeCAFS, Romano et
   al. 2022): its autocorrelations start low and decay slowly. BIC's short autoregressions
   miss most of that long-run variance (counts with latent φ = 0.8: the tests rejected
   15–22% of true nulls at 5%, 120 periods), and the full sieve's twelve free coefficients
   are noise that the searched statistics turn into strength: the best segmentation finds
   whichever time scale a noisy null happens to favour, so the test of the best
   segmentation against no change rejected only 2.4–3.8% of true nulls on 120 and 400
   periods (docs/validity.md before this model); with two parameters and the median rule
   of step 3, 4.2–4.9% (120 periods, 2,000 series per design);
3. bias: Yule–Walker on short series, on residuals of fitted means and on discrete counts
   is biased towards 0, which would make the null too weak. The partial autocorrelations
   are corrected by indirect inference (Gouriéroux, Monfort & Renault 1993; Kilian 1998 for
   the AR bootstrap): the value :math:`\theta` whose simulated series, refitted exactly as
   the data were, give the data's estimates on average (normal models) or in median
   (counts), found by :data:`BIAS_ITERATIONS` fixed-point iterations :math:`\theta
   \leftarrow \theta + (\hat\kappa - \bar\kappa^*(\theta))` on :data:`BIAS_REPLICATES`
   series, each partial autocorrelation kept within ±:data:`MAX_PARTIAL`. The counts'
   two-parameter estimate is skewed (the signal's share is bounded by 0 and 1, its
   coefficient by ±:data:`MAX_PARTIAL`), and matched on average it left the nulls too weak:
   on 120 periods with a latent φ = 0.8 the median long-run variance factor of the nulls
   was 3.5 against 4.3 for the scores' process, and the test of the hypothesis against no
   change rejected 7.7% of 1,000 true nulls at 5%; matched in median (median-unbiased,
   Andrews 1993, *Econometrica* 61), 4.6 and 7.0% on the same series (6.1% on the 2,000
   of docs/validity.md).

The tests then refer a **studentized** statistic to its replicates: each likelihood ratio
divided by :func:`long_run_scale`, the long-run variance factor of the Pearson residuals of
the fit under its alternative, computed the same way on the data and on every replicate.
That makes the Monte Carlo statistic nearly pivotal (Beran 1987), so the error in the fitted
dependence moves the p-value far less. The reported ``statistic`` stays the likelihood
ratio. On a record too short for an AR (under 10 periods) ``"auto"`` keeps independent
periods and ``"ar"`` is refused.

The replicates keep the independent null's stream layout (:mod:`.streams`), so results do
not depend on chunking; the bias simulations use their own simulation ids.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd
from scipy import special, stats

from .._kernels import frozen
from .._validation import check_choice
from ..exceptions import ParameterError
from .streams import block_generator, series_keys

#: The ``dependence`` options of every Monte Carlo test.
DEPENDENCE = ("auto", "independent", "ar")
#: How the dependent null is built, in one line (for provenance and reports).
METHOD = (
    "latent Gaussian AR sieve copula keeping each period's fitted distribution (the "
    "residuals' empirical distribution for normal models), fitted to the normal scores of "
    "the hypothesised periods' fit (order by BIC from 1 for normal models; for counts an "
    "AR(1) signal plus noise), partial autocorrelations bias-corrected by indirect "
    "inference; "
    "likelihood ratios studentized by the long-run variance factor of their residuals"
)
#: The models whose normal scores are standardised residuals (the others are counts).
NORMAL_MODELS = ("normal", "normal_meanvar")
#: Partial autocorrelations are kept within ± this (stationary, far from a unit root).
MAX_PARTIAL = 0.98
#: Fewest effectively independent periods a fitted null may leave in the record.
MIN_EFFECTIVE = 4
#: Simulated series per fixed-point iteration of the bias correction.
BIAS_REPLICATES = 64
#: Fixed-point iterations of the bias correction.
BIAS_ITERATIONS = 8
#: Simulation ids of the bias correction (the tests use 0-31).
BIAS_SIMULATION = 64


def check_dependence(option: Any, null: str, func: str, n_periods: int | None = None) -> str:
    """The ``dependence`` option checked against the null (a permutation null assumes
    exchangeable periods, so ``"auto"`` becomes ``"independent"`` and ``"ar"`` is refused)
    and the record (``"ar"`` needs at least 10 periods)."""
    check_choice(option, DEPENDENCE, name="dependence", func=func)
    if option == "ar" and n_periods is not None and max_order(n_periods) == 0:
        raise ParameterError(
            f"The 'dependence' parameter of {func} cannot be 'ar' on {n_periods} periods: an "
            "autoregression needs at least 10. Use dependence='auto' (independent periods on "
            "so short a record) or dependence='independent'."
        )
    if null == "permutation":
        if option == "ar":
            raise ParameterError(
                f"The 'dependence' parameter of {func} cannot be 'ar' with null='permutation': "
                "permuting periods destroys their serial dependence. Use null='parametric'."
            )
        return "independent"
    return str(option)


def max_order(n: int) -> int:
    """The sieve's AR order: R's ``ar()`` largest order ``⌊10 log10 n⌋``, at most one
    coefficient per ten periods (0 below 10 periods: too short to estimate any).

    Examples
    --------
    >>> [max_order(n) for n in (9, 34, 120, 400)]
    [0, 3, 12, 26]
    """
    if n < 10:
        return 0
    return int(min(math.floor(10 * math.log10(n)), n // 10))


def sieve_order(model: str, variance: np.ndarray, n: int) -> np.ndarray:
    """The AR order of each series: for the normal models the BIC choice among 1..P
    (``n log v_p + p log n``, ``variance`` the relative innovation variances of orders 0..P
    from :func:`levinson`), for count models P (the AR(P) of their signal-plus-noise fit,
    see the module notes).

    Examples
    --------
    >>> v = np.array([[1.0, 0.75, 0.74, 0.74], [1.0, 1.0, 1.0, 0.99]])
    >>> sieve_order("normal", v, 120).tolist(), sieve_order("poisson", v, 120).tolist()
    ([1, 1], [3, 3])
    """
    rows, width = variance.shape
    if model not in NORMAL_MODELS:
        return np.full(rows, width - 1, dtype=np.int64)
    with np.errstate(divide="ignore"):
        criterion = n * np.log(variance[:, 1:]) + math.log(n) * np.arange(1, width)
    return (np.argmin(criterion, axis=1) + 1).astype(np.int64)


def autocorrelations(z: np.ndarray, lags: int) -> np.ndarray:
    """Sample autocorrelations ``r_0..r_lags`` of each row (mean removed, divided by ``n``:
    the ``statsmodels.tsa.stattools.acf`` convention); rows with no variation get 0."""
    n = z.shape[1]
    centred = z - z.mean(axis=1, keepdims=True)
    out = np.empty((z.shape[0], lags + 1))
    for k in range(lags + 1):
        out[:, k] = np.einsum("ij,ij->i", centred[:, : n - k], centred[:, k:]) / n
    c0 = out[:, :1]
    return np.divide(out, c0, out=np.zeros_like(out), where=c0 > 0)


def levinson(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial autocorrelations ``(rows, P)`` and relative innovation variances
    ``(rows, P + 1)`` (order 0 to P, ``v_0 = 1``) from autocorrelations ``(rows, P + 1)``
    by the Levinson–Durbin recursion (the Yule–Walker fits of every order at once)."""
    rows, width = r.shape
    order = width - 1
    partial = np.zeros((rows, order))
    variance = np.ones((rows, width))
    phi = np.zeros((rows, order))
    for k in range(1, order + 1):
        previous = phi[:, : k - 1]
        numerator = r[:, k] - np.einsum("ij,ij->i", previous, r[:, k - 1 : 0 : -1])
        with np.errstate(divide="ignore", invalid="ignore"):
            kappa = np.where(variance[:, k - 1] > 0, numerator / variance[:, k - 1], 0.0)
        kappa = np.clip(kappa, -MAX_PARTIAL, MAX_PARTIAL)
        phi[:, : k - 1] = previous - kappa[:, None] * previous[:, ::-1]
        phi[:, k - 1] = kappa
        partial[:, k - 1] = kappa
        variance[:, k] = variance[:, k - 1] * (1 - kappa**2)
    return partial, variance


#: Grid of the signal's AR(1) coefficient in :func:`signal_plus_noise` (steps of 0.005).
SIGNAL_GRID = np.linspace(-MAX_PARTIAL, MAX_PARTIAL, 393)
#: Rows fitted at once by :func:`signal_plus_noise` (bounds its working memory).
SIGNAL_ROWS = 4096


def signal_plus_noise(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(share, phi)`` per row: the stationary AR(1) signal plus independent noise whose
    autocorrelations ``share * phi**k`` (k = 1..P; ``share`` the signal's part of the
    variance, in [0, 1]) are closest in least squares to the sample autocorrelations ``r``
    (rows, P + 1), ``phi`` on :data:`SIGNAL_GRID` and ``share`` exact given it.

    Examples
    --------
    >>> r = np.array([[1.0, 0.48, 0.384, 0.3072]])  # 0.6 * 0.8**k
    >>> share, phi = signal_plus_noise(r)
    >>> round(float(share[0]), 3), round(float(phi[0]), 3)
    (0.6, 0.8)
    """
    lags = np.arange(1, r.shape[1])
    powers = SIGNAL_GRID[:, None] ** lags[None, :]
    energy = (powers**2).sum(axis=1)
    share, phi = np.zeros(len(r)), np.zeros(len(r))
    for first in range(0, len(r), SIGNAL_ROWS):
        rows = slice(first, first + SIGNAL_ROWS)
        cross = r[rows, 1:] @ powers.T
        ratio = np.divide(cross, energy, out=np.zeros_like(cross), where=energy > 0)
        shares = np.clip(ratio, 0.0, 1.0)
        best = np.argmin(shares**2 * energy - 2 * shares * cross, axis=1)
        share[rows] = shares[np.arange(len(best)), best]
        phi[rows] = np.where(share[rows] > 0, SIGNAL_GRID[best], 0.0)
    return share, phi


def signal_autocorrelations(share: np.ndarray, phi: np.ndarray, lags: int) -> np.ndarray:
    """Autocorrelations ``r_0..r_lags`` (rows, lags + 1) of an AR(1) signal with
    coefficient ``phi`` plus independent noise, the signal ``share`` of the variance."""
    r = share[:, None] * phi[:, None] ** np.arange(lags + 1)[None, :]
    r[:, 0] = 1.0
    return r


def latent_partials(model: str, scores: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Partial autocorrelations ``(rows, top)`` and relative innovation variances
    ``(rows, top + 1)`` of the latent process, estimated from normal scores (rows ×
    periods): Yule–Walker for the normal models; for counts those of the AR(``top``)
    sharing the first ``top`` autocorrelations of the :func:`signal_plus_noise` fit (see
    the module notes)."""
    r = autocorrelations(scores, top)
    if model not in NORMAL_MODELS:
        share, phi = signal_plus_noise(r)
        r = signal_autocorrelations(share, phi, top)
    return levinson(r)


def predictors(partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For one series' partial autocorrelations ``(p,)``: the best linear predictor of
    every order ``k = 0..p`` (row ``k`` of a ``(p + 1, p)`` table holds its ``k``
    coefficients) and the standard deviation of its error, for a unit-variance process."""
    p = partial.size
    table = np.zeros((p + 1, max(p, 1)))
    scale = np.ones(p + 1)
    for k in range(1, p + 1):
        kappa = partial[k - 1]
        table[k, : k - 1] = table[k - 1, : k - 1] - kappa * table[k - 1, : k - 1][::-1]
        table[k, k - 1] = kappa
        scale[k] = scale[k - 1] * math.sqrt(1 - kappa**2)
    return table, scale


@numba.njit(cache=True, parallel=True)
def _stationary_ar(
    noise: np.ndarray, tables: np.ndarray, scales: np.ndarray, member: np.ndarray
) -> None:
    """Turn standard normal ``noise`` (rows × n) into stationary unit-variance AR(p) paths,
    in place, row ``i`` with the predictors of ``member[i]`` (``tables`` (members, p + 1,
    p), ``scales`` (members, p + 1), from :func:`predictors`): period ``t`` uses the
    order-``min(t, p)`` predictor, so the first values come from the stationary law exactly
    (no burn-in)."""
    rows, n = noise.shape
    p = tables.shape[1] - 1
    for i in numba.prange(rows):
        table = tables[member[i]]
        scale = scales[member[i]]
        for t in range(n):
            k = min(t, p)
            value = scale[k] * noise[i, t]
            for j in range(k):
                value += table[k, j] * noise[i, t - 1 - j]
            noise[i, t] = value


def latent(
    partial: np.ndarray,
    out: np.ndarray,
    generator: np.random.Generator | None,
    member: np.ndarray | None = None,
) -> None:
    """Fill ``out`` (rows × n) with stationary unit-variance Gaussian AR paths whose partial
    autocorrelations are ``partial`` (one row ``(p,)``, or ``(members, p)`` with ``member``
    giving each row's); the noise is drawn from ``generator`` unless it is ``None`` (then
    ``out`` holds it already)."""
    if generator is not None:
        generator.standard_normal(out=out)
    rows_partial = np.atleast_2d(partial)
    built = [predictors(row) for row in rows_partial]
    tables = np.stack([table for table, _ in built])
    scales = np.stack([scale for _, scale in built])
    which = np.zeros(len(out), dtype=np.int64) if member is None else member
    _stationary_ar(out, tables, scales, which)


#: Counts are inverted and scored by recursion over the probability function up to this
#: mean (``exp(-mean)`` stays far from underflow); scipy's functions take larger ones.
RECURSION_LIMIT = 500.0


@numba.njit(cache=True)
def _first_probability(mean: float, r: float) -> float:
    """P(Y = 0) for a Poisson (``r = inf``) or NB2 with size ``r``."""
    if math.isinf(r):
        return math.exp(-mean)
    return math.exp(r * math.log(r / (r + mean)))


@numba.njit(cache=True)
def _step(mean: float, r: float, k: int) -> float:
    """P(Y = k) / P(Y = k - 1)."""
    if math.isinf(r):
        return mean / k
    return (k - 1 + r) / k * (mean / (r + mean))


@numba.njit(cache=True, parallel=True)
def _quantiles(uniforms: np.ndarray, means: np.ndarray, sizes: np.ndarray) -> None:
    """Replace uniforms (rows × n) in place by the count quantile of each cell's law (mean
    ``means[i, t]``, NB2 size ``sizes[i]``, infinite for Poisson): the smallest ``k`` with
    ``F(k) >= u``; NaN where the mean is beyond the recursion limit or ``u`` beyond the last
    representable probability."""
    rows, n = uniforms.shape
    for i in numba.prange(rows):
        r = sizes[i]
        for t in range(n):
            mean = means[i, t]
            u = uniforms[i, t]
            if mean > RECURSION_LIMIT:
                uniforms[i, t] = np.nan
                continue
            p = _first_probability(mean, r)
            cumulative = p
            k = 0
            while u > cumulative:
                k += 1
                p *= _step(mean, r, k)
                if p <= cumulative * 1e-17:  # the rest of the tail is below rounding
                    k = -1
                    break
                cumulative += p
            uniforms[i, t] = k if k >= 0 else np.nan


@numba.njit(cache=True, parallel=True)
def _mid_distribution(values: np.ndarray, means: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``F(y - 1) + P(y) / 2`` of each count under its fitted mean (rows × n) and the row's
    NB2 dispersion (0: Poisson), interpolated linearly between the neighbouring integers for a
    value that is not one (quasi-Poisson's ``y/φ``); NaN beyond the recursion limit."""
    rows, n = values.shape
    out = np.empty((rows, n))
    for i in numba.prange(rows):
        r = 1.0 / alpha[i] if alpha[i] > 0 else np.inf
        for t in range(n):
            mean = means[i, t]
            y = int(values[i, t])
            fraction = values[i, t] - y
            if mean > RECURSION_LIMIT:
                out[i, t] = np.nan
                continue
            p = _first_probability(mean, r)
            below = 0.0
            for k in range(1, y + 1):
                below += p
                p *= _step(mean, r, k)
            out[i, t] = below + 0.5 * p
            if fraction > 0:  # the same at y + 1, weighted by the fraction
                following = below + p + 0.5 * p * _step(mean, r, y + 1)
                out[i, t] = (1 - fraction) * out[i, t] + fraction * following
    return out


def count_quantiles(uniforms: np.ndarray, means: np.ndarray, alpha: np.ndarray | float) -> None:
    """Replace uniforms (rows × n) in place by Poisson (``alpha`` 0) or NB2 quantiles of each
    period's mean (``means`` ``(n,)`` or rows × n; ``alpha`` one or per row), scipy's quantile
    function where the recursion stops."""
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (len(uniforms),))
    sizes = np.where(alpha > 0, 1.0 / np.where(alpha > 0, alpha, 1.0), np.inf)
    cell_means = frozen(np.broadcast_to(means, uniforms.shape))
    original = uniforms.copy()
    _quantiles(uniforms, cell_means, frozen(sizes))
    missing = np.isnan(uniforms)
    if missing.any():
        rows = np.nonzero(missing)[0]
        mu, r = cell_means[missing], sizes[rows]
        finite = np.isfinite(r)
        safe = np.where(finite, r, 1.0)
        uniforms[missing] = np.where(
            finite,
            stats.nbinom.ppf(original[missing], safe, safe / (safe + mu)),
            stats.poisson.ppf(original[missing], mu),
        )


def copula_block(
    model: str,
    means: np.ndarray,
    spread: np.ndarray,
    partial: np.ndarray,
    out: np.ndarray,
    generator: np.random.Generator | None,
    margin: np.ndarray | None = None,
    member: np.ndarray | None = None,
) -> None:
    """Fill ``out`` (rows × periods) with replicates: margins of the independent null
    (``means``, ``spread`` as in :func:`periodize.inference.simulate.draw`), serial
    dependence of the latent AR with ``partial`` autocorrelations. For the normal models a
    ``margin`` (the sorted standardised residuals) replaces the Gaussian margin:
    ``y_t = μ_t + σ_t Q(Φ(z_t))`` with ``Q`` their empirical quantile function.

    One series: ``means``/``spread`` ``(n,)``, ``partial`` ``(p,)``, ``margin`` ``(n,)``.
    Many at once: each ``(members, ·)`` with ``member`` giving every row's, ``out`` holding
    the standard normal noise already (``generator`` ``None``).
    """
    latent(partial, out, generator, member)
    rows = slice(None) if member is None else member
    cell_means = means if member is None else means[rows]
    cell_spread = spread if member is None else spread[rows]
    if model in NORMAL_MODELS:
        if margin is not None:
            np.clip(special.ndtr(out, out=out), 0.0, 1.0 - 1e-15, out=out)
            index = (out * margin.shape[-1]).astype(np.int64)
            if member is None:
                out[:] = margin[index]
            else:
                out[:] = np.take_along_axis(margin[member], index, axis=1)
        out *= cell_spread
        out += cell_means
        return
    np.clip(special.ndtr(out, out=out), 0.0, 1.0 - 1e-15, out=out)
    if model == "quasipoisson":
        count_quantiles(out, cell_means / cell_spread, 0.0)
        out *= cell_spread
    elif model == "negbin":
        alpha = spread[..., 0] if member is None else spread[member, 0]
        count_quantiles(out, cell_means, alpha)
    else:
        count_quantiles(out, cell_means, 0.0)


def normal_scores(
    model: str, values: np.ndarray, means: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """Normal scores ``Φ^{-1}(u_t)`` of the observations under a fit (rows × periods):
    standardised residuals for the normal models; for counts the mid-distribution value
    ``u_t = F(y_t − 1) + P(y_t)/2`` (for quasi-Poisson of ``y/φ`` under mean ``μ/φ``,
    interpolated linearly between integers); 0 where the fitted mean is 0 (the period can
    only be 0)."""
    if model in NORMAL_MODELS:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(spread > 0, (values - means) / spread, 0.0)
    positive = means > 0
    if model == "quasipoisson":  # on the scale of counts: y/φ under mean μ/φ
        values, means = values / spread, means / spread
    alpha = spread[:, 0] if model == "negbin" else np.zeros(len(values))
    u = _mid_distribution(frozen(values), frozen(means), frozen(alpha))
    missing = np.isnan(u)
    if missing.any():
        rows = np.nonzero(missing)[0]
        y, mu, a = values[missing], means[missing], alpha[rows]
        r = 1.0 / np.where(a > 0, a, 1.0)
        law = stats.nbinom(r, r / (r + mu)) if np.all(a > 0) else None

        def mid(k: np.ndarray) -> np.ndarray:
            if law is not None:
                return law.cdf(k - 1) + 0.5 * law.pmf(k)
            poisson = stats.poisson(mu)
            nb = stats.nbinom(r, r / (r + mu))
            return np.where(
                a > 0, nb.cdf(k - 1) + 0.5 * nb.pmf(k), poisson.cdf(k - 1) + 0.5 * poisson.pmf(k)
            )

        whole = np.floor(y)
        fraction = y - whole
        u[missing] = (1 - fraction) * mid(whole) + fraction * mid(whole + 1)
    z = special.ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    return np.where(positive, z, 0.0)


@dataclass(frozen=True)
class SerialDependence:
    """The fitted latent AR of each series (what the dependent null draws with).

    Attributes
    ----------
    option : the ``dependence`` option asked for
    order : AR order per series (0: independent periods)
    partial : partial autocorrelations per series, ``(series, max_order)``, zero beyond the
        order; bias-corrected (what the replicates use)
    estimated : the Yule–Walker partial autocorrelations before the bias correction
    margins : for the normal models, each series' sorted standardised residuals (the
        empirical margin replicates are drawn from); ``None`` for counts (NaN rows for the
        count members of a joint test whose members have different models)
    """

    option: str
    order: np.ndarray
    partial: np.ndarray
    estimated: np.ndarray
    margins: np.ndarray | None = None

    @property
    def lag1(self) -> np.ndarray:
        """Lag-1 autocorrelation of the latent process per series (0 when independent)."""
        if self.partial.shape[1] == 0:
            return np.zeros(len(self.order))
        return self.partial[:, 0].copy()

    def null_name(self, i: int) -> str:
        """Which null series ``i`` is drawn from, in words."""
        p = int(self.order[i])
        empirical = self.margins is not None and bool(np.isfinite(self.margins[i]).all())
        if p == 0:
            return "residual bootstrap" if empirical else "independent periods"
        return f"latent Gaussian AR({p}) copula" + (" of the residuals" if empirical else "")

    def frame(self, names: tuple[str, ...]) -> pd.DataFrame:
        """One row per series: ``order``, the latent lag-1 autocorrelation as drawn
        (``latent_lag1``) and as estimated before the bias correction, the long-run variance
        factor and the ``null`` replicates came from."""
        estimated = self.estimated[:, 0] if self.estimated.shape[1] else np.zeros(len(names))
        frame = pd.DataFrame(
            {
                "order": self.order,
                "latent_lag1": self.lag1,
                "estimated_lag1": estimated,
                "long_run_factor": long_run_factor(self.partial),
                "null": [self.null_name(i) for i in range(len(names))],
            },
            index=pd.Index(names, name="series"),
        )
        frame.attrs["dependence"] = self.option
        return frame

    def summary(self) -> dict[str, object]:
        """What ran, for provenance: the option, the method and how many series got each
        AR order (per-series parameters are in :meth:`frame`)."""
        orders, counts = np.unique(self.order, return_counts=True)
        return {
            "option": self.option,
            "method": METHOD,
            "series_by_order": {str(int(o)): int(c) for o, c in zip(orders, counts, strict=True)},
        }


def independent(n_series: int, option: str = "independent") -> SerialDependence:
    """No dependence for any series."""
    empty = np.zeros((n_series, 0))
    return SerialDependence(option, np.zeros(n_series, dtype=np.int64), empty, empty)


def fit_dependence(
    option: str,
    model: str,
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    refit: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    seed: int,
) -> SerialDependence:
    """Fit the latent AR of every series from the fit ``(means, spread)`` of a periodization.

    ``refit(simulated, owner)`` must fit the same periodization (same rule, same fixed
    nuisance parameters) to simulated rows, ``owner`` giving the series each row imitates;
    it is used by the bias correction. ``option``: ``"auto"`` and ``"ar"`` fit an AR of
    order :func:`sieve_order` to every series (on a record too short for any, under 10
    periods, ``"auto"`` keeps independent periods and ``"ar"`` is refused by
    :func:`check_dependence`); ``"independent"`` fits nothing. Under ``"auto"`` and
    ``"ar"`` the normal models also draw from the empirical distribution of their
    standardised residuals (heavy tails kept), so on a record too short for an AR their
    replicates are a residual bootstrap.

    No pretest decides whether to fit (the order is at least 1): a pretest keeps the
    independent null on the dependent series it fails to detect, and those alone lift the
    size well above the nominal level.
    """
    n_series, n = values.shape
    top = max_order(n)
    if option == "independent":
        return independent(n_series, option)
    means, spread = fit
    scores = normal_scores(model, values, means, spread)
    margins = np.sort(scores, axis=1) if model in NORMAL_MODELS else None
    if top == 0:
        empty = np.zeros((n_series, 0))
        return SerialDependence(option, np.zeros(n_series, dtype=np.int64), empty, empty, margins)
    estimated, variance = latent_partials(model, scores, top)
    order = sieve_order(model, variance, n)
    estimated = np.where(within_order(order, top), estimated, 0.0)
    corrected = _bias_corrected(model, values, fit, refit, seed, estimated, margins, order)
    return SerialDependence(option, order, within_record(corrected, n), estimated, margins)


def within_record(partial: np.ndarray, n: int) -> np.ndarray:
    """Partial autocorrelations shrunk (all by one factor per row, found by bisection) where
    their long-run variance factor exceeds ``n / MIN_EFFECTIVE``: a latent process so
    persistent that the record would hold fewer than :data:`MIN_EFFECTIVE` effectively
    independent periods cannot be told apart from the slow level shifts the tests are about,
    and the bias correction of a short, sparse record can run off to such values.

    Examples
    --------
    >>> within_record(np.array([[0.95], [0.5]]), 34).round(3)
    array([[0.789],
           [0.5  ]])
    """
    ceiling = n / MIN_EFFECTIVE
    over = long_run_factor(partial) > ceiling
    if not over.any():
        return partial
    low, high = np.zeros(int(over.sum())), np.ones(int(over.sum()))
    rows = partial[over]
    for _ in range(40):
        middle = (low + high) / 2
        fits = long_run_factor(rows * middle[:, None]) <= ceiling
        low, high = np.where(fits, middle, low), np.where(fits, high, middle)
    shrunk = partial.copy()
    shrunk[over] = rows * low[:, None]
    return shrunk


def long_run_factor(partial: np.ndarray) -> np.ndarray:
    """Long-run variance over variance of a unit-variance AR with these partial
    autocorrelations (``(rows, p)``): ``v_p / (1 - sum(a))^2``, 1 without dependence. Above 1,
    sums over periods vary more than under independence (positive dependence).

    Examples
    --------
    >>> long_run_factor(np.array([[0.5], [0.0], [-0.5]])).round(3)
    array([3.   , 1.   , 0.333])
    """
    rows, order = partial.shape
    phi = np.zeros((rows, order))
    variance = np.ones(rows)
    for k in range(1, order + 1):
        kappa = partial[:, k - 1]
        previous = phi[:, : k - 1].copy()
        phi[:, : k - 1] = previous - kappa[:, None] * previous[:, ::-1]
        phi[:, k - 1] = kappa
        variance *= 1 - kappa**2
    return variance / (1 - phi.sum(axis=1)) ** 2


def long_run_scale(residuals: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """The studentizer of a likelihood ratio: the long-run variance factor of each row's
    residuals (rows × periods) from a Yule–Walker AR of the row's order in ``orders``; 1
    where the order is 0. Computed the same way on the data and on every replicate, it makes
    the Monte Carlo statistic nearly pivotal, so an error in the fitted dependence moves
    the p-value far less (Beran 1987, prepivoting)."""
    top = int(orders.max()) if orders.size else 0
    if top == 0:
        return np.ones(len(residuals))
    partial, _ = levinson(autocorrelations(residuals, top))
    return long_run_factor(np.where(within_order(orders, top), partial, 0.0))


def within_order(orders: np.ndarray, top: int) -> np.ndarray:
    """``(rows, top)`` mask of the partial autocorrelations each row's order keeps."""
    return np.arange(top)[None, :] < orders[:, None]


def _bias_corrected(
    model: str,
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    refit: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    seed: int,
    estimated: np.ndarray,
    margins: np.ndarray | None,
    order: np.ndarray,
) -> np.ndarray:
    """Partial autocorrelations (up to each series' ``order``, 0 beyond) whose simulated
    Yule–Walker estimates average the data's."""
    members = np.arange(len(values))
    means, spread = fit
    n = values.shape[1]
    top = estimated.shape[1]
    keys = series_keys(values[members])
    owner = np.repeat(members, BIAS_REPLICATES)
    theta = estimated.copy()
    kept = within_order(order, top)
    simulated = np.empty((members.size * BIAS_REPLICATES, n))
    which = np.repeat(np.arange(members.size), BIAS_REPLICATES)
    for iteration in range(BIAS_ITERATIONS):
        for j, key in enumerate(keys):
            generator = block_generator(seed, BIAS_SIMULATION + iteration, key, 0)
            generator.standard_normal(
                out=simulated[j * BIAS_REPLICATES : (j + 1) * BIAS_REPLICATES]
            )
        copula_block(
            model,
            means[members],
            spread[members],
            theta,
            simulated,
            None,
            None if margins is None else margins[members],
            which,
        )
        sim_means, sim_spread = refit(simulated, owner)
        z = normal_scores(model, simulated, sim_means, sim_spread)
        sim_partial, _ = latent_partials(model, z, top)
        simulated_partials = sim_partial.reshape(members.size, BIAS_REPLICATES, top)
        centre = (
            simulated_partials.mean(axis=1)
            if model in NORMAL_MODELS
            else np.median(simulated_partials, axis=1)
        )
        step = np.where(kept, estimated - centre, 0.0)
        theta = np.clip(theta + step, -MAX_PARTIAL, MAX_PARTIAL)
    return theta
