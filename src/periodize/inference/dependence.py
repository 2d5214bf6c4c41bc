r"""Serial dependence in the Monte Carlo nulls: a latent Gaussian AR(p) copula.

Every Monte Carlo test draws replicate series from a fitted null. With
``dependence="independent"`` the periods are drawn independently (Poisson, quasi-Poisson,
NB2 or normal, as the model says). Event series are rarely independent, and a likelihood
ratio computed as if they were is far larger on autocorrelated noise: the tests then find
periods that are not there. The dependent null keeps each period's distribution of the
independent null and adds the data's serial dependence through a Gaussian copula:

.. math::  y_t = F_t^{-1}(\Phi(z_t)), \qquad z \sim \text{stationary Gaussian AR}(p),\
           \operatorname{Var} z_t = 1,

with :math:`F_t` the fitted distribution of period :math:`t` (Masarotto & Varin 2012,
"Gaussian copula marginal regression", *Electronic Journal of Statistics* 6). For the
normal model :math:`y_t = \mu_t + \sigma z_t`: an AR(p) sieve bootstrap with Gaussian
innovations (Bühlmann 1997, *Bernoulli* 3). For counts it is a parameter-driven latent
process in the sense of Zeger (1988, *Biometrika* 75) with the model's own margins. With no
dependence (:math:`p = 0`) the replicates are the independent null's, drawn by the same code.

The AR is estimated per series from the fit of a periodization (the hypothesised periods,
so a shift between them is not mistaken for dependence):

1. normal scores :math:`z_t = \Phi^{-1}(u_t)` of the observations, with :math:`u_t` the
   fitted distribution function at :math:`y_t` (a mid-distribution value
   :math:`\tfrac12[F(y^-) + F(y)]`-like for counts, computed continuously as
   :math:`Q(y + \tfrac12, \mu)` and its negative binomial analogue);
2. Yule–Walker partial autocorrelations (Levinson–Durbin) up to
   :func:`max_order` lags, the order chosen by AIC (0 allowed);
3. bias: Yule–Walker on short series, on residuals of fitted means and on discrete counts
   is biased towards 0, which would make the null too weak. The partial autocorrelations
   are corrected by indirect inference (Gouriéroux, Monfort & Renault 1993; Kilian 1998 for
   the AR bootstrap): the value :math:`\theta` whose simulated series, refitted exactly as
   the data were, give on average the data's estimates, found by fixed-point iterations
   :math:`\theta \leftarrow \theta + (\hat\kappa - \bar\kappa^*(\theta))` on
   :data:`BIAS_REPLICATES` series, each partial autocorrelation kept within
   ±:data:`MAX_PARTIAL`.

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
from scipy import special, stats

from .._validation import check_choice
from ..exceptions import ParameterError
from .streams import block_generator, series_keys

#: The ``dependence`` options of every Monte Carlo test.
DEPENDENCE = ("auto", "independent", "ar")
#: Partial autocorrelations are kept within ± this (stationary, far from a unit root).
MAX_PARTIAL = 0.98
#: Simulated series per fixed-point iteration of the bias correction.
BIAS_REPLICATES = 64
#: Fixed-point iterations of the bias correction.
BIAS_ITERATIONS = 4
#: Simulation ids of the bias correction (the tests use 0-31).
BIAS_SIMULATION = 64


def check_dependence(option: Any, null: str, func: str) -> str:
    """The ``dependence`` option checked against the null (a permutation null assumes
    exchangeable periods, so ``"auto"`` becomes ``"independent"`` and ``"ar"`` is refused)."""
    check_choice(option, DEPENDENCE, name="dependence", func=func)
    if null == "permutation":
        if option == "ar":
            raise ParameterError(
                f"The 'dependence' parameter of {func} cannot be 'ar' with null='permutation': "
                "permuting periods destroys their serial dependence. Use null='parametric'."
            )
        return "independent"
    return str(option)


def max_order(n: int) -> int:
    """Largest AR order tried: R's ``ar()`` default ``⌊10 log10 n⌋``, at most one
    coefficient per ten periods (0 below 10 periods: too short to estimate any).

    Examples
    --------
    >>> [max_order(n) for n in (9, 34, 120, 400)]
    [0, 3, 12, 26]
    """
    if n < 10:
        return 0
    return int(min(math.floor(10 * math.log10(n)), n // 10))


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
def _stationary_ar(noise: np.ndarray, table: np.ndarray, scale: np.ndarray) -> None:
    """Turn standard normal ``noise`` (rows × n) into a stationary unit-variance AR(p)
    process, in place: period ``t`` uses the order-``min(t, p)`` predictor, so the first
    values come from the stationary law exactly (no burn-in)."""
    rows, n = noise.shape
    p = table.shape[0] - 1
    for i in numba.prange(rows):
        for t in range(n):
            k = min(t, p)
            value = scale[k] * noise[i, t]
            for j in range(k):
                value += table[k, j] * noise[i, t - 1 - j]
            noise[i, t] = value


def latent(partial: np.ndarray, out: np.ndarray, generator: np.random.Generator) -> None:
    """Fill ``out`` (rows × n) with stationary unit-variance Gaussian AR paths whose partial
    autocorrelations are ``partial``."""
    generator.standard_normal(out=out)
    table, scale = predictors(partial)
    _stationary_ar(out, table, scale)


@numba.njit(cache=True, parallel=True)
def _invert_table(uniforms: np.ndarray, table: np.ndarray) -> None:
    """Replace uniforms (rows × n) by the smallest ``k`` with ``table[t, k] >= u`` in place;
    ``-1`` where ``u`` lies beyond the table (left to the caller)."""
    rows, n = uniforms.shape
    width = table.shape[1]
    for i in numba.prange(rows):
        for t in range(n):
            u = uniforms[i, t]
            k = 0
            while k < width and u > table[t, k]:
                k += 1
            uniforms[i, t] = k if k < width else -1.0


def count_quantiles(uniforms: np.ndarray, means: np.ndarray, alpha: float) -> None:
    """Replace uniforms (rows × n) in place by Poisson (``alpha == 0``) or NB2 quantiles of
    each period's mean: a table of the distribution function per period, then scipy's
    quantile function for the rare values beyond it."""
    r = 1.0 / alpha if alpha > 0 else np.inf
    sd = np.sqrt(means + alpha * means**2)
    width = int(min(4096, np.max(means + 20 * sd) + 40))
    support = np.arange(width)
    if alpha > 0:
        table = stats.nbinom.cdf(support[None, :], r, (r / (r + means))[:, None])
    else:
        table = stats.poisson.cdf(support[None, :], means[:, None])
    original = uniforms.copy()
    _invert_table(uniforms, table)
    beyond = uniforms < 0
    if beyond.any():
        columns = np.nonzero(beyond)[1]
        if alpha > 0:
            p = r / (r + means[columns])
            uniforms[beyond] = stats.nbinom.ppf(original[beyond], r, p)
        else:
            uniforms[beyond] = stats.poisson.ppf(original[beyond], means[columns])


def copula_block(
    model: str,
    means: np.ndarray,
    spread: np.ndarray,
    partial: np.ndarray,
    out: np.ndarray,
    generator: np.random.Generator,
) -> None:
    """Fill ``out`` (rows × periods) with replicates of one series: margins of the
    independent null (``means``, ``spread`` as in :func:`periodize.inference.simulate.draw`),
    serial dependence of the latent AR with ``partial`` autocorrelations."""
    latent(partial, out, generator)
    if model in ("normal", "normal_meanvar"):
        out *= spread
        out += means
        return
    np.clip(special.ndtr(out, out=out), 0.0, 1.0, out=out)
    if model == "quasipoisson":
        count_quantiles(out, means / spread, 0.0)
        out *= spread
    elif model == "negbin":
        count_quantiles(out, means, float(spread[0]))
    else:
        count_quantiles(out, means, 0.0)


def normal_scores(
    model: str, values: np.ndarray, means: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """Normal scores ``Φ^{-1}(u_t)`` of the observations under a fit (rows × periods):
    standardised residuals for the normal models, continuous mid-distribution values for
    counts; 0 where the fitted mean is 0 (the period can only be 0)."""
    if model in ("normal", "normal_meanvar"):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(spread > 0, (values - means) / spread, 0.0)
    if model == "quasipoisson":
        values, means = values / spread, means / spread
    positive = means > 0
    safe = np.where(positive, means, 1.0)
    if model == "negbin":
        alpha = spread
        r = 1.0 / np.where(alpha > 0, alpha, 1.0)
        nb = special.betainc(r, values + 0.5, r / (r + safe))
        u = np.where(alpha > 0, nb, special.gammaincc(values + 0.5, safe))
    else:
        u = special.gammaincc(values + 0.5, safe)
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
    """

    option: str
    order: np.ndarray
    partial: np.ndarray
    estimated: np.ndarray

    @property
    def lag1(self) -> np.ndarray:
        """Lag-1 autocorrelation of the latent process per series (0 when independent)."""
        if self.partial.shape[1] == 0:
            return np.zeros(len(self.order))
        return self.partial[:, 0].copy()

    def null_name(self, i: int) -> str:
        """Which null series ``i`` is drawn from, in words."""
        p = int(self.order[i])
        if p == 0:
            return "independent periods"
        return f"latent Gaussian AR({p}) copula"

    def rows(self, members: np.ndarray | range) -> np.ndarray:
        """The partial autocorrelations of ``members`` (their rows of :attr:`partial`)."""
        return self.partial[np.asarray(members)]


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
    it is used by the bias correction. ``option`` is ``"auto"`` (order by AIC from 0),
    ``"ar"`` (order by AIC from 1) or ``"independent"``.
    """
    n_series, n = values.shape
    top = max_order(n)
    if option == "independent" or top == 0:
        return independent(n_series, option)
    means, spread = fit
    r = autocorrelations(normal_scores(model, values, means, spread), top)
    partial, variance = levinson(r)
    with np.errstate(divide="ignore"):
        aic = n * np.log(np.maximum(variance, 1e-300)) + 2 * np.arange(top + 1)
    if option == "ar":
        aic[:, 0] = np.inf
    order = np.argmin(aic, axis=1)
    mask = np.arange(top)[None, :] < order[:, None]
    estimated = np.where(mask, partial, 0.0)
    corrected = estimated.copy()
    dependent = np.flatnonzero(order > 0)
    if dependent.size:
        corrected[dependent] = _bias_corrected(
            model, values, fit, refit, seed, dependent, estimated[dependent], mask[dependent]
        )
    if option == "auto":  # never a null less variable than independent periods
        negative = long_run_factor(corrected) <= 1.0
        order = np.where(negative, 0, order)
        corrected = np.where(negative[:, None], 0.0, corrected)
    return SerialDependence(option, order, corrected, estimated)


def long_run_factor(partial: np.ndarray) -> np.ndarray:
    """Long-run variance over variance of a unit-variance AR with these partial
    autocorrelations (``(rows, p)``): ``v_p / (1 - sum(a))^2``, 1 without dependence. Above 1,
    sums over periods vary more than under independence (positive dependence).

    Examples
    --------
    >>> long_run_factor(np.array([[0.5], [0.0], [-0.5]])).round(3)
    array([3.   , 1.   , 0.333])
    """
    factor = np.ones(partial.shape[0])
    for i, row in enumerate(partial):
        table, scale = predictors(row)
        if row.size:
            factor[i] = scale[-1] ** 2 / (1.0 - table[-1].sum()) ** 2
    return factor


def _bias_corrected(
    model: str,
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    refit: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    seed: int,
    members: np.ndarray,
    estimated: np.ndarray,
    mask: np.ndarray,
) -> np.ndarray:
    """Partial autocorrelations whose simulated Yule–Walker estimates average the data's."""
    means, spread = fit
    n = values.shape[1]
    top = estimated.shape[1]
    keys = series_keys(values[members])
    owner = np.repeat(members, BIAS_REPLICATES)
    theta = estimated.copy()
    simulated = np.empty((members.size * BIAS_REPLICATES, n))
    for iteration in range(BIAS_ITERATIONS):
        for j, (i, key) in enumerate(zip(members, keys, strict=True)):
            rows = simulated[j * BIAS_REPLICATES : (j + 1) * BIAS_REPLICATES]
            generator = block_generator(seed, BIAS_SIMULATION + iteration, key, 0)
            copula_block(model, means[i], spread[i], theta[j], rows, generator)
        sim_means, sim_spread = refit(simulated, owner)
        z = normal_scores(model, simulated, sim_means, sim_spread)
        sim_partial, _ = levinson(autocorrelations(z, top))
        average = sim_partial.reshape(members.size, BIAS_REPLICATES, top).mean(axis=1)
        theta = np.where(mask, theta + (estimated - average), 0.0)
        theta = np.clip(theta, -MAX_PARTIAL, MAX_PARTIAL)
    return theta
