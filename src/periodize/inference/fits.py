"""Likelihood-ratio statistics of periodizations, vectorised over series (rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..segmentation.costs import COSTS, Cost
from ..segmentation.costs.base import segment_of_each_period
from ..segmentation.costs.negbin import NegativeBinomialCost
from ..segmentation.diagnostics import pearson_residuals
from ..segmentation.search.dynamic import exact_path, identified
from .dependence import long_run_scale


def edges_of(breaks: np.ndarray, n: int) -> np.ndarray:
    """``(rows, k + 2)`` edges ``0, breaks..., n`` from ``(rows, k)`` break indices."""
    rows = breaks.shape[0]
    return np.column_stack([np.zeros(rows, dtype=np.int64), breaks, np.full(rows, n)])


#: Dispersions below this are rounding error of an exact fit (a constant series), not data.
NO_DISPERSION = 1e-8


def pearson_dispersion(values: np.ndarray, means: np.ndarray, n_params: int) -> np.ndarray:
    """Pearson dispersion per row, ``sum((y - mu)^2 / mu) / (n - p)`` (periods with a zero
    fitted mean have ``y = 0`` and add nothing); 1 where it is 0 (a series the fit matches
    exactly, up to rounding: below :data:`NO_DISPERSION`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(means > 0, (values - means) ** 2 / means, 0.0)
    phi = terms.sum(axis=1) / max(values.shape[1] - n_params, 1)
    return np.where(phi > NO_DISPERSION, phi, 1.0)


def build_cost(
    model: str,
    values: np.ndarray,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
) -> Cost:
    """The cost of ``model`` on ``values``; for ``negbin`` with ``alpha`` given (one per row)
    that dispersion is held fixed instead of estimated from ``values``.

    The rule for replicates: every Monte Carlo replicate of a negative-binomial test is priced
    with the NB2 dispersion estimated once from the data (the one it was drawn with), never
    re-estimated, so a dispersion of 0 gives the Poisson model's numbers exactly.
    """
    if model == "negbin" and alpha is not None:
        return NegativeBinomialCost(values, alpha=alpha, exposure=exposure)
    return COSTS[model](values, exposure=exposure)


def replicate_alpha(
    model: str, fit: tuple[np.ndarray, np.ndarray], members: np.ndarray | range, n_sim: int
) -> np.ndarray | None:
    """The fixed NB2 dispersion of each replicate row drawn from ``fit`` (``None`` for other
    models): the ``alpha`` of the series it was drawn from."""
    alpha = fixed_alpha(model, fit)
    return None if alpha is None else np.repeat(alpha[np.asarray(members)], n_sim)


def fixed_alpha(model: str, fit: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """The NB2 dispersion per series of a :func:`fitted` fit (``None`` for other models)."""
    return fit[1][:, 0] if model == "negbin" else None


@dataclass(frozen=True)
class Statistics:
    """Log-likelihoods of no change, the hypothesis and the best K-break segmentation (up to
    the terms free of the segmentation, which cancel in every statistic)."""

    loglik_none: np.ndarray
    loglik_hypothesis: np.ndarray
    loglik_best: np.ndarray
    best_breaks: np.ndarray
    scale: np.ndarray
    #: studentizers (:func:`periodize.inference.dependence.long_run_scale`) of the residuals
    #: of the hypothesised fit and of the best fit; 1 under independence
    omega_hypothesis: np.ndarray
    omega_best: np.ndarray

    def studentized(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``hypothesis_vs_none``, ``best_vs_none`` and ``best_vs_hypothesis`` divided by
        the long-run variance factor of the residuals of the fit under their alternative
        (the hypothesis, the best segmentation, the best segmentation): the statistics
        whose Monte Carlo distribution gives the p-values."""
        return (
            self.hypothesis_vs_none / self.omega_hypothesis,
            self.best_vs_none / self.omega_best,
            self.best_vs_hypothesis / self.omega_best,
        )

    def identified(self, values: np.ndarray) -> np.ndarray:
        """Series whose best segmentation fits better than no change (see
        :func:`periodize.segmentation.search.dynamic.identified`)."""
        return identified(values, -self.loglik_none, -self.loglik_best)

    @property
    def hypothesis_vs_none(self) -> np.ndarray:
        return 2 * (self.loglik_hypothesis - self.loglik_none) / self.scale

    @property
    def best_vs_none(self) -> np.ndarray:
        return 2 * (self.loglik_best - self.loglik_none) / self.scale

    @property
    def best_vs_hypothesis(self) -> np.ndarray:
        return np.maximum(2 * (self.loglik_best - self.loglik_hypothesis) / self.scale, 0.0)


def statistics(
    model: str,
    values: np.ndarray,
    hypothesis: np.ndarray,
    min_size: int,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
    orders: np.ndarray | None = None,
) -> Statistics:
    """LR statistics for every row of ``values`` against the hypothesised break indices.

    For ``quasipoisson`` the statistics are divided by the Pearson dispersion of the
    hypothesised fit; otherwise the scale is 1. ``exposure`` has the rows of ``values``;
    ``alpha`` (negbin) a fixed dispersion per row (see :func:`build_cost`); ``orders`` the
    AR order of each row's studentizers (none without).
    """
    rows, n = values.shape
    k = hypothesis.size
    cost = build_cost(model, values, exposure, alpha)
    hyp_edges = edges_of(np.broadcast_to(hypothesis, (rows, k)), n)
    fixed = None if model != "negbin" else {"alpha": np.asarray(cost.nuisance()["alpha"])}
    path = exact_path(COSTS[model], values, k, min_size, exposure=exposure, row_params=fixed)
    scale = np.ones(rows)
    if model == "quasipoisson":
        scale = pearson_dispersion(values, cost.fitted_means(hyp_edges), k + 1)
    best_edges = edges_of(path.breaks[k], n)
    return Statistics(
        loglik_none=cost.partial_loglik(edges_of(np.empty((rows, 0), dtype=np.int64), n)),
        loglik_hypothesis=cost.partial_loglik(hyp_edges),
        loglik_best=cost.partial_loglik(best_edges),
        best_breaks=path.breaks[k],
        scale=scale,
        omega_hypothesis=studentizer(model, cost, values, hyp_edges, orders),
        omega_best=studentizer(model, cost, values, best_edges, orders),
    )


def studentizer(
    model: str, cost: Cost, values: np.ndarray, edges: np.ndarray, orders: np.ndarray | None
) -> np.ndarray:
    """The long-run variance factor of the Pearson residuals of the fit of ``edges`` (AR of
    each row's order; 1 everywhere without ``orders``)."""
    if orders is None or not np.any(orders):
        return np.ones(len(values))
    residuals = pearson_residuals(
        "normal" if model == "normal_meanvar" else model,  # raw residuals: one scale per row
        values,
        cost.fitted_means(edges),
        alpha=cost.nuisance().get("alpha"),
    )
    return long_run_scale(residuals, orders)


def fitted(
    model: str,
    values: np.ndarray,
    edges: np.ndarray,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-period mean and spread of the fit of ``edges`` to each row (for simulation);
    ``alpha`` (negbin) a fixed dispersion per row, estimated from each row otherwise."""
    cost: Cost = build_cost(model, values, exposure, alpha)
    means = cost.fitted_means(edges)
    n_params = edges.shape[1] - 1
    if model == "poisson":
        spread = np.ones_like(means)
    elif model == "quasipoisson":
        spread = np.repeat(pearson_dispersion(values, means, n_params)[:, None], means.shape[1], 1)
    elif model == "negbin":
        spread = np.repeat(cost.nuisance()["alpha"][:, None], means.shape[1], 1)
    elif model == "normal":
        sigma = np.sqrt(np.mean((values - means) ** 2, axis=1))
        spread = np.repeat(sigma[:, None], means.shape[1], 1)
    else:
        _mean, se = cost.estimates(edges[:, :-1], edges[:, 1:])
        sigma = se * np.sqrt(np.diff(edges, axis=1))
        spread = np.take_along_axis(sigma, segment_of_each_period(edges, means.shape[1]), axis=1)
    return means, spread


def refit_periods(
    model: str, edges: np.ndarray, exposure: np.ndarray | None, alpha: np.ndarray | None
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``refit(simulated, owner)``: the fit of each series' periods (``edges`` rows) to
    simulated rows imitating series ``owner``, with that series' exposure and fixed NB2
    dispersion (the refit a dependence estimate's bias correction needs)."""

    def refit(simulated: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return fitted(
            model,
            simulated,
            edges[owner],
            None if exposure is None else exposure[owner],
            None if alpha is None else alpha[owner],
        )

    return refit


def refit_best(
    model: str,
    k: int,
    min_size: int,
    exposure: np.ndarray | None,
    alpha: np.ndarray | None,
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``refit(simulated, owner)``: the best ``k``-break segmentation of each simulated row,
    searched again, and its fit (with series ``owner``'s exposure and fixed dispersion)."""

    def refit(simulated: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows_exposure = None if exposure is None else exposure[owner]
        rows_alpha = None if alpha is None else alpha[owner]
        path = exact_path(
            COSTS[model],
            simulated,
            k,
            min_size,
            exposure=rows_exposure,
            row_params=None if rows_alpha is None else {"alpha": rows_alpha},
        )
        edges = edges_of(path.breaks[k], simulated.shape[1])
        return fitted(model, simulated, edges, rows_exposure, rows_alpha)

    return refit


def profile_scale(
    model: str,
    values: np.ndarray,
    edges: np.ndarray,
    orders: np.ndarray | None,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """How much wider a break date's likelihood-ratio set must be under serial dependence:
    the long-run variance of the residuals of the fit of ``edges`` over the variance the
    cost assumes (mean squared residual standardised by the cost's variance, times the
    long-run variance factor of an AR of each row's order), as strucchange's
    ``confint(..., vcov = sandwich)`` scales break-date intervals (Bai 1997); never below 1
    (an estimate from a short record is too noisy to make the sets narrower than under
    independence). 1 everywhere without ``orders``."""
    if orders is None or not np.any(orders):
        return np.ones(len(values))
    cost = COSTS[model](values, exposure=exposure)
    means = cost.fitted_means(edges)
    nuisance = cost.nuisance()
    if model == "normal":
        variance = np.broadcast_to(np.asarray(nuisance["sigma2"])[:, None], means.shape)
    elif model == "quasipoisson":
        variance = np.asarray(nuisance["dispersion"])[:, None] * means
    elif model == "negbin":
        variance = means + np.asarray(nuisance["alpha"])[:, None] * means**2
    elif model == "poisson":
        variance = means
    else:  # normal_meanvar prices each segment with its own variance: dependence only
        return np.maximum(long_run_scale(values - means, orders), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        residuals = np.where(variance > 0, (values - means) / np.sqrt(variance), 0.0)
    return np.maximum(np.mean(residuals**2, axis=1) * long_run_scale(residuals, orders), 1.0)
