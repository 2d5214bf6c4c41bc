"""Conjugate marginal likelihoods of every segment, and the default and sensitivity priors.

``log_marginals`` returns ``(n_series, n + 1, n + 1)``: entry ``[i, s, e]`` is the log
marginal likelihood of periods ``s..e-1`` of series ``i`` (``-inf`` unless
``e - s >= min_size``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import gammaln

from ...exceptions import ParameterError

PRIOR_KEYS = {"poisson": ("shape", "rate"), "normal": ("mean", "kappa", "shape", "scale")}


def default_prior(
    model: str, values: np.ndarray, exposure: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The default prior per series.

    Poisson–Gamma: shape 1 and rate ``1 / ybar`` (an exponential prior whose mean is the
    series' overall rate; with an exposure, events per unit of exposure). Normal–inverse-
    gamma: mean ``ybar``, ``kappa = 1`` (the prior mean weighs as one observation), shape 1
    and scale the series' variance.
    """
    mean = values.mean(axis=1) if exposure is None else values.sum(axis=1) / exposure.sum(axis=1)
    if model == "poisson":
        return {"shape": np.ones(len(values)), "rate": 1.0 / np.where(mean > 0, mean, 1.0)}
    var = values.var(axis=1)
    return {
        "mean": mean,
        "kappa": np.ones(len(values)),
        "shape": np.ones(len(values)),
        "scale": np.where(var > 0, var, 1.0),
    }


def resolve_prior(
    model: str,
    prior: Mapping[str, Any] | None,
    values: np.ndarray,
    func: str,
    exposure: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Check a user prior (scalars apply to every series) or build the default."""
    if prior is None:
        return default_prior(model, values, exposure)
    keys = PRIOR_KEYS[model]
    if not isinstance(prior, Mapping) or set(prior) != set(keys):
        raise ParameterError(
            f"The 'prior' parameter of {func} must be a mapping with keys {list(keys)} for "
            f"model {model!r}. Got {prior!r} instead."
        )
    out = {}
    for key in keys:
        value = np.broadcast_to(np.asarray(prior[key], dtype=float), (len(values),)).copy()
        positive = key != "mean"
        if not np.all(np.isfinite(value)) or (positive and np.any(value <= 0)):
            raise ParameterError(
                f"The 'prior' parameter of {func} must have a finite"
                f"{' positive' if positive else ''} {key!r}. Got {prior[key]!r} instead."
            )
        out[key] = value
    return out


def sensitivity_grid(
    model: str, values: np.ndarray, exposure: np.ndarray | None = None
) -> list[tuple[str, dict[str, np.ndarray]]]:
    """The documented grid of priors for the sensitivity table (labels and priors).

    Poisson: shape 0.5, 1, 2 times prior mean 0.5, 1, 2 × the overall rate. Normal: kappa
    0.1, 1, 10 times scale 0.5, 1, 2 × the variance.
    """
    base = default_prior(model, values, exposure)
    grid = []
    if model == "poisson":
        mean = 1.0 / base["rate"]
        for shape in (0.5, 1.0, 2.0):
            for factor in (0.5, 1.0, 2.0):
                prior = {"shape": np.full(len(values), shape), "rate": shape / (factor * mean)}
                grid.append((f"shape {shape:g}, mean {factor:g}× rate", prior))
    else:
        for kappa in (0.1, 1.0, 10.0):
            for factor in (0.5, 1.0, 2.0):
                prior = {
                    **base,
                    "kappa": np.full(len(values), kappa),
                    "scale": base["scale"] * factor,
                }
                grid.append((f"kappa {kappa:g}, scale {factor:g}× variance", prior))
    return grid


def pair_sums(values: np.ndarray) -> np.ndarray:
    """Sums of every segment ``[s, e)`` of every row: ``(n_series, n + 1, n + 1)``."""
    cumulative = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=cumulative[:, 1:])
    return cumulative[:, None, :] - cumulative[:, :, None]


def log_marginals(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    min_size: int,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Log marginal likelihood of every segment of every series (see module docstring).

    With an exposure (Poisson only) the rate of a segment multiplies each period's
    exposure: the Gamma prior stays conjugate, the segment's length is replaced by its total
    exposure and ``Σ y_t log E_t`` joins the constant terms.
    """
    n_series, n = values.shape
    total = pair_sums(values)
    length = (np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]).astype(float)
    valid = length >= min_size
    safe_length = np.where(valid, length, 1.0)[None]
    p = {k: np.asarray(v, dtype=float)[:, None, None] for k, v in prior.items()}
    if model == "poisson":
        factorials = np.zeros((n_series, n + 1))
        np.cumsum(gammaln(values + 1), axis=1, out=factorials[:, 1:])
        log_fact = factorials[:, None, :] - factorials[:, :, None]
        a, b = p["shape"], p["rate"]
        extent = safe_length
        if exposure is not None:
            extent = np.where(valid[None], pair_sums(exposure), 1.0)
            log_fact = log_fact - pair_sums(values * np.log(exposure))
        out = (
            a * np.log(b)
            - gammaln(a)
            + gammaln(a + total)
            - (a + total) * np.log(b + extent)
            - log_fact
        )
    else:
        squares = np.zeros((n_series, n + 1))
        np.cumsum(values**2, axis=1, out=squares[:, 1:])
        q = squares[:, None, :] - squares[:, :, None]
        mu0, kappa0, alpha0, beta0 = p["mean"], p["kappa"], p["shape"], p["scale"]
        mean = total / safe_length
        kappa_n = kappa0 + safe_length
        alpha_n = alpha0 + safe_length / 2
        ss = np.maximum(q - total * mean, 0.0)
        beta_n = beta0 + ss / 2 + kappa0 * safe_length * (mean - mu0) ** 2 / (2 * kappa_n)
        out = (
            gammaln(alpha_n)
            - gammaln(alpha0)
            + alpha0 * np.log(beta0)
            - alpha_n * np.log(beta_n)
            + 0.5 * (np.log(kappa0) - np.log(kappa_n))
            - safe_length / 2 * np.log(2 * np.pi)
        )
    return np.where(valid[None], out, -np.inf)


def posterior_means(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Posterior mean of the segment rate (or mean) for every segment ``[s, e)``."""
    n = values.shape[1]
    total = pair_sums(values)
    length = np.maximum(np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None], 0)[None]
    p = {k: np.asarray(v, dtype=float)[:, None, None] for k, v in prior.items()}
    if model == "poisson":
        extent = length if exposure is None else np.maximum(pair_sums(exposure), 0)
        return (p["shape"] + total) / (p["rate"] + extent)
    return (p["kappa"] * p["mean"] + total) / (p["kappa"] + length)
