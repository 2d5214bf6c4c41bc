"""A trend null: is there a shift at the hypothesised boundaries beyond a smooth trend?

Visits can grow or shrink for reasons outside the dyad (how often leaders travel at all, how
much an archive covers). Against that, a constant rate is the wrong null. Here the null is a
log-linear trend, ``log μ_t = log E_t + a + b τ_t`` (``τ_t`` the period, centred and scaled),
and the alternative adds a level shift at each hypothesised boundary on top of it
(segmented Poisson regression): ``+ Σ_j δ_j 1[t ≥ t_j]``. The likelihood ratio of the two
GLMs is referred to replicates drawn from the fitted null and refitted, all series and
replicates at once by batched iteratively reweighted least squares.

Models: ``poisson``; ``quasipoisson`` (the statistic divided by the Pearson dispersion of
the alternative's fit, replicates ``φ · Poisson(μ/φ)`` with the null fit's dispersion);
``negbin`` (NB2 with ``alpha`` fixed at its moment estimate, as in the rest of periodize);
``normal`` (Gaussian with a common variance: ordinary least squares). Every fit equals
statsmodels' GLM with the same design, offset and ``alpha`` (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import gammaln, xlogy

from ...segmentation.costs.negbin import moment_alpha
from ...segmentation.diagnostics import pearson_residuals
from ...segmentation.inputs import SeriesMatrix
from ..dependence import SerialDependence, fit_dependence, long_run_scale
from ..fits import NO_DISPERSION
from ..simulate import count_at_least, repeat_rows, replicates

#: Simulation id of the trend null (the other tests use 0-2 and 16 upwards).
TREND_SIMULATION = 8
_ITERATIONS, _TOLERANCE = 100, 1e-10


def design(n: int, positions: np.ndarray) -> np.ndarray:
    """Columns: intercept, centred and scaled time, one step per boundary position."""
    t = np.arange(n)
    columns = [np.ones(n), (t - (n - 1) / 2) / n]
    columns += [(t >= p).astype(float) for p in positions]
    return np.column_stack(columns)


@dataclass(frozen=True)
class GlmFit:
    """Fits of one design to many rows: log-likelihood, fitted means, Pearson dispersion and
    coefficients (rows × columns)."""

    loglik: np.ndarray
    means: np.ndarray
    pearson: np.ndarray
    coefficients: np.ndarray


def fit(
    model: str,
    values: np.ndarray,
    x: np.ndarray,
    offset: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
) -> GlmFit:
    """Maximum-likelihood fit of ``x`` (periods × columns) to every row of ``values``."""
    rows, n = values.shape
    p = x.shape[1]
    if model == "normal":
        beta, *_ = np.linalg.lstsq(x, values.T, rcond=None)
        means = (x @ beta).T
        rss = np.maximum(((values - means) ** 2).sum(axis=1), 1e-300)
        loglik = -n / 2 * (np.log(2 * np.pi * rss / n) + 1)
        return GlmFit(loglik, means, rss / max(n - p, 1), beta.T)
    off = np.zeros((rows, n)) if offset is None else offset
    a = np.zeros(rows) if alpha is None else alpha
    eta = np.log(values + 0.5) - off
    beta, *_ = np.linalg.lstsq(x, eta.T, rcond=None)
    beta = beta.T
    loglik = _count_loglik(model, values, np.exp(beta @ x.T + off), a)
    for _ in range(_ITERATIONS):
        eta = beta @ x.T + off
        mu = np.exp(eta)
        weight = mu / (1 + a[:, None] * mu)
        working = eta - off + (values - mu) / mu
        gram = np.einsum("tp,rt,tq->rpq", x, weight, x) + 1e-12 * np.eye(p)
        step = np.linalg.solve(gram, np.einsum("tp,rt->rp", x, weight * working)[..., None])
        proposal = step[..., 0]
        # step halving keeps every iteration an ascent (all-zero periods push a level to -inf)
        for _ in range(30):
            candidate = _count_loglik(model, values, np.exp(proposal @ x.T + off), a)
            worse = candidate < loglik - 1e-12
            if not worse.any():
                break
            proposal = np.where(worse[:, None], (proposal + beta) / 2, proposal)
        change = np.abs(candidate - loglik).max()
        beta, loglik = proposal, candidate
        if change < _TOLERANCE:
            break
    means = np.exp(beta @ x.T + off)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(means > 0, (values - means) ** 2 / means, 0.0)
    pearson = terms.sum(axis=1) / max(n - p, 1)
    return GlmFit(loglik, means, np.where(pearson > NO_DISPERSION, pearson, 1.0), beta)


def _count_loglik(model: str, y: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    if model == "negbin":
        a = alpha[:, None]
        safe = np.where(a > 0, a, 1.0)
        r = 1 / safe
        nb = (
            gammaln(y + r)
            - gammaln(r)
            - gammaln(y + 1)
            + xlogy(y, safe * mu / (1 + safe * mu))
            - r * np.log1p(safe * mu)
        )
        poisson = xlogy(y, mu) - mu - gammaln(y + 1)
        return np.where(a > 0, nb, poisson).sum(axis=1)
    return (xlogy(y, mu) - mu - gammaln(y + 1)).sum(axis=1)


def lr_over_trend(
    model: str,
    values: np.ndarray,
    full: np.ndarray,
    reduced: np.ndarray,
    offset: np.ndarray | None,
    alpha: np.ndarray | None,
    orders: np.ndarray | None = None,
) -> np.ndarray:
    """``2 (ℓ(full) − ℓ(reduced))`` per row (over the full fit's dispersion for
    quasi-Poisson), for designs ``full`` and ``reduced`` that both hold the trend; with
    ``orders`` (AR orders per row) also over the long-run variance factor of the full fit's
    Pearson residuals (:func:`periodize.inference.dependence.long_run_scale`)."""
    family = "poisson" if model == "quasipoisson" else model
    big = fit(family, values, full, offset, alpha)
    small = fit(family, values, reduced, offset, alpha)
    lr = 2 * (big.loglik - small.loglik)
    if model == "quasipoisson":
        lr = lr / big.pearson
    if orders is not None and np.any(orders):
        residuals = pearson_residuals(model, values, big.means, alpha=alpha)
        lr = lr / long_run_scale(residuals, orders)
    return np.maximum(lr, 0.0)


def _spread(
    model: str, values: np.ndarray, fitted: GlmFit, alpha: np.ndarray | None
) -> np.ndarray:
    """The replicates' second parameter per period (see ``simulate.draw``) for a GLM fit."""
    n = values.shape[1]
    if model == "poisson":
        return np.ones_like(fitted.means)
    if model == "quasipoisson":
        return np.repeat(fitted.pearson[:, None], n, axis=1)
    if model == "negbin":
        return np.repeat(np.asarray(alpha)[:, None], n, axis=1)
    sigma = np.sqrt(((values - fitted.means) ** 2).mean(axis=1))
    return np.repeat(sigma[:, None], n, axis=1)


def trend_dependence(
    option: str,
    model: str,
    values: np.ndarray,
    x: np.ndarray,
    offset: np.ndarray | None,
    alpha: np.ndarray | None,
    seed: int,
) -> SerialDependence:
    """The serial dependence of the replicates, fitted to the residuals of design ``x``
    (the trend with every hypothesised shift), refitted the same way in the bias correction."""
    family = "poisson" if model == "quasipoisson" else model
    full_fit = fit(family, values, x, offset, alpha)

    def refit(simulated: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows_alpha = None if alpha is None else alpha[owner]
        rows_offset = None if offset is None else offset[owner]
        again = fit(family, simulated, x, rows_offset, rows_alpha)
        return again.means, _spread(model, simulated, again, rows_alpha)

    return fit_dependence(
        option,
        model,
        values,
        (full_fit.means, _spread(model, values, full_fit, alpha)),
        refit,
        seed,
    )


def trend_pvalues(
    model: str,
    matrix: SeriesMatrix,
    full: np.ndarray,
    reduced: np.ndarray,
    *,
    n_sim: int,
    seed: int,
    simulation: int,
    batch_bytes: int,
    dependence: str = "independent",
) -> tuple[np.ndarray, np.ndarray]:
    """Statistic and Monte Carlo p-value per series of ``full`` against ``reduced`` (both
    with the trend), replicates drawn from the fit of ``reduced`` with the serial
    ``dependence`` fitted to the residuals of ``full`` (the statistic then studentized by
    their long-run variance factor for the p-value)."""
    values, exposure = matrix.values, matrix.exposure
    n_series, n = values.shape
    family = "poisson" if model == "quasipoisson" else model
    offset = None if exposure is None else np.log(exposure)
    alpha = moment_alpha(values, exposure) if model == "negbin" else None
    observed = lr_over_trend(model, values, full, reduced, offset, alpha)
    serial = trend_dependence(dependence, model, values, full, offset, alpha, seed)
    pivot = lr_over_trend(model, values, full, reduced, offset, alpha, serial.order)
    null = fit(family, values, reduced, offset, alpha)
    spread = _spread(model, values, null, alpha)
    exceed = np.zeros(n_series)
    per_group = max(1, batch_bytes // (n_sim * n * 8 * 8))
    zeros = np.zeros(n)
    for first in range(0, n_series, per_group):
        members = np.arange(first, min(first + per_group, n_series))
        drawn = replicates(
            model,
            values,
            (null.means, spread),
            members,
            n_sim,
            seed,
            simulation,
            "parametric",
            zeros,
            serial,
        )
        rep_exposure = repeat_rows(exposure, members, n_sim)
        simulated = lr_over_trend(
            model,
            drawn,
            full,
            reduced,
            None if rep_exposure is None else np.log(rep_exposure),
            None if alpha is None else np.repeat(alpha[members], n_sim),  # held fixed
            np.repeat(serial.order[members], n_sim),
        )
        exceed[members] = count_at_least(simulated, pivot[members], n_sim)
    return observed, (1 + exceed) / (n_sim + 1)


def shifts(
    model: str, matrix: SeriesMatrix, x: np.ndarray, columns: list[int], level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate and Wald interval of the level shift in each of ``columns`` of design ``x``
    (on the rate-ratio scale for count models, a difference in means for ``normal``), per
    series: three ``(n_series, len(columns))`` arrays."""
    values, exposure = matrix.values, matrix.exposure
    family = "poisson" if model == "quasipoisson" else model
    offset = None if exposure is None else np.log(exposure)
    alpha = moment_alpha(values, exposure) if model == "negbin" else None
    fitted_model = fit(family, values, x, offset, alpha)
    mu = fitted_model.means
    if model == "normal":
        weight = np.ones_like(mu) / fitted_model.pearson[:, None]
    else:
        a = np.zeros(len(values)) if alpha is None else alpha
        weight = mu / (1 + a[:, None] * mu)
        if model == "quasipoisson":
            weight = weight / fitted_model.pearson[:, None]
    gram = np.einsum("tp,rt,tq->rpq", x, weight, x) + 1e-12 * np.eye(x.shape[1])
    covariance = np.linalg.inv(gram)
    coefficients = fitted_model.coefficients
    z = stats.norm.ppf((1 + level) / 2)
    estimate = coefficients[:, columns]
    se = np.sqrt(np.maximum(covariance[:, columns, columns], 0))
    low, high = estimate - z * se, estimate + z * se
    if model == "normal":
        return estimate, low, high
    return np.exp(estimate), np.exp(low), np.exp(high)
