"""``posterior``: the exact Bayesian posterior over segmentations, without MCMC."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, special, stats
from scipy.special import logsumexp

from ..._limits import check_memory, posterior_bytes
from ..._validation import check_choice, check_int, check_probability
from ...exceptions import ParameterError
from ...results import Provenance, matrix_sha256
from ...segmentation.inputs import as_matrix, check_values, exposure_sha256, with_exposure
from ..hypothesis import boundary_positions
from ..tests.boundary_sets import credible_set
from .marginals import log_marginals, posterior_means, resolve_prior, sensitivity_grid
from .posterior_result import Posterior
from .recursions import Sums, boundary_probabilities, segment_probabilities, sums

MODELS = ("poisson", "normal")


def posterior(
    series: Any,
    max_breaks: int = 3,
    *,
    model: str = "poisson",
    prior: Mapping[str, Any] | None = None,
    min_size: int = 3,
    hypothesis: Sequence[Any] | None = None,
    level: float = 0.95,
    exposure: Any = None,
) -> Posterior:
    """Exact posterior over all segmentations with at most ``max_breaks`` breaks.

    Conjugate marginal likelihoods (Poisson–Gamma for counts, Normal with a
    Normal-inverse-gamma prior) summed over every admissible segmentation by forward–backward
    recursions (Fearnhead 2006). Prior: uniform over the number of breaks k = 0..max_breaks,
    and uniform over the admissible positions given k (every segment at least ``min_size``
    long).

    Time and memory grow with the square of the series length: about
    ``(17 + 8·max_breaks) × 8`` bytes per pair of positions and series (300 MB for 1,000
    series of 34 years or one series of 1,000 periods with three breaks). A call that would
    exceed the memory budget (4 GiB, ``PERIODIZE_MEMORY_GB``) is refused before it starts.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
    max_breaks : int
        Largest number of breaks with prior mass.
    model : {"poisson", "normal"}
    prior : mapping, optional
        ``{"shape": a, "rate": b}`` (Poisson–Gamma) or ``{"mean", "kappa", "shape",
        "scale"}`` (Normal-inverse-gamma); scalars apply to every series. Default: see
        :func:`periodize.inference.bayes.marginals.default_prior`.
    min_size : int
        Minimum segment length.
    hypothesis : sequence, optional
        Hypothesised boundaries, for Bayes factors and boundary credible sets given their
        number of breaks.
    level : float
        Mass of credible sets and bands.
    exposure : Series, DataFrame or array, optional
        Exposure of every period (Poisson only): the rate of a segment multiplies each
        period's exposure, the Gamma prior stays conjugate, and rates are per unit of
        exposure.

    Returns
    -------
    Posterior

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> post = pz.posterior(counts, max_breaks=3, hypothesis=(2009, 2019))
    >>> post.k_probabilities.round(3).to_dict()
    {0: 0.408, 1: 0.203, 2: 0.193, 3: 0.196}
    """
    func = "posterior"
    matrix = as_matrix(series, func)
    check_choice(model, MODELS, name="model", func=func)
    if model == "poisson" and matrix.weighted:
        raise ParameterError(
            "The Poisson–Gamma posterior needs counts; this IntensitySeries is weighted. "
            "Use scheme='count' (or a stratified count), or model='normal'."
        )
    check_values(matrix, model, func)
    matrix = with_exposure(matrix, exposure, model, func)
    values, index, exposure = matrix.values, matrix.index, matrix.exposure
    n_series, n = values.shape
    min_size = check_int(min_size, name="min_size", func=func, minimum=1)
    most = n // min_size - 1
    max_breaks = check_int(max_breaks, name="max_breaks", func=func, minimum=0)
    if max_breaks > most:
        raise ParameterError(
            f"The 'max_breaks' parameter of {func} must be at most {max(most, 0)} for {n} "
            f"periods with min_size={min_size}. Got {max_breaks} instead."
        )
    level = check_probability(level, name="level", func=func)
    check_posterior_size(n_series, n, max_breaks)
    resolved = resolve_prior(model, prior, values, func, exposure)
    positions = (
        None if hypothesis is None else boundary_positions(index, hypothesis, min_size, func)
    )
    if positions is not None and len(positions) > max_breaks:
        raise ParameterError(
            f"The 'hypothesis' parameter of {func} has {len(positions)} boundaries, more than "
            f"max_breaks={max_breaks}: the prior gives it no mass. Raise max_breaks to at "
            f"least {len(positions)}."
        )
    log_m = log_marginals(model, values, resolved, min_size, exposure)
    s = sums(log_m, max_breaks)
    log_post_k = _k_posterior(s)
    k_probabilities = np.exp(log_post_k)
    by_k = boundary_probabilities(s)  # (series, k, j, t)
    given_k = by_k.sum(axis=2)
    marginal = np.einsum("ik,ikt->it", k_probabilities, given_k)
    segments = np.einsum("ik,ikab->iab", k_probabilities, segment_probabilities(s, log_m))
    k_star = (
        np.full(n_series, len(positions))
        if positions is not None
        else k_probabilities.argmax(axis=1)
    )
    names = pd.Index(matrix.names, name="series")
    return Posterior(
        names=matrix.names,
        index=index,
        model=model,
        min_size=min_size,
        max_breaks=max_breaks,
        level=level,
        prior={k: v.tolist() for k, v in resolved.items()},
        k_probabilities_table=pd.DataFrame(
            k_probabilities, index=names, columns=pd.Index(range(max_breaks + 1), name="k")
        ),
        boundary_by_k=given_k,
        boundary_marginal=marginal,
        boundary_by_position=by_k,
        rate_inputs=(model, values.copy(), resolved, segments, level, exposure),
        credible_sets=_credible_sets(matrix.names, index, by_k, k_star, level),
        bayes_factors=None if positions is None else _bayes_factors(names, log_m, s, positions),
        sensitivity=_sensitivity(model, values, names, min_size, max_breaks, positions, exposure),
        hypothesis=None if positions is None else tuple(index[p] for p in positions),
        provenance=Provenance(
            function=func,
            parameters={
                "max_breaks": max_breaks,
                "model": model,
                "min_size": min_size,
                "prior": {k: v.tolist() for k, v in resolved.items()},
                "hypothesis": None if hypothesis is None else [str(h) for h in hypothesis],
                "exposure_sha256": exposure_sha256(matrix),
                "level": level,
                "k_prior": "uniform over 0..max_breaks",
            },
            input_sha256=matrix_sha256(values, index, matrix.names),
        ),
    )


def check_posterior_size(n_series: int, n_periods: int, max_breaks: int) -> None:
    """Refuse an exact posterior whose O(n²) tables would exceed the memory budget."""
    check_memory(
        posterior_bytes(n_series, n_periods, max_breaks),
        f"The exact posterior of {n_series} series × {n_periods} periods with max_breaks="
        f"{max_breaks}",
        "it grows with the square of the series length, so shorten the window (start/end), "
        "aggregate to a coarser frequency, pass fewer series per call or lower max_breaks",
    )


def _k_posterior(s: Sums) -> np.ndarray:
    """log P(k | y) with a uniform prior over k and over positions given k."""
    log_marginal_k = s.evidence - s.log_count[None, :]
    return log_marginal_k - logsumexp(log_marginal_k, axis=1, keepdims=True)


#: Most and fewest points of the grid on which each period's mixture CDF is evaluated.
BAND_GRID = (513, 129)
#: CDF evaluations (segments × grid points) above which the grid is made coarser.
BAND_BUDGET = 10_000_000
#: Segments per block when evaluating their CDFs (bounds memory).
BAND_BLOCK = 2000
#: Probability mass of a period's mixture that a segment may leave outside the grid.
BAND_TAIL = 1e-7


def posterior_rates(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    segments: np.ndarray,
    level: float,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Posterior mean and equal-tailed band of each period's rate: ``(series, n, 3)``.

    The rate of period ``t`` is a mixture over the segments ``[a, b)`` that cover ``t``,
    weighted by their posterior probability. Sums over covering segments are difference
    arrays (add at ``a``, subtract at ``b``, cumulate over periods), so memory is O(n²) in
    the series length, not O(n³). Bands are computed for groups of series at once, each
    group holding at most ``BAND_BUDGET / BAND_GRID[0]`` segments with probability (one
    long series may exceed it alone; its grid is then coarsened, down to ``BAND_GRID[1]``
    points).
    """
    n_series, n = values.shape
    weighted = segments * np.nan_to_num(posterior_means(model, values, prior, exposure))
    out = np.empty((n_series, n, 3))
    out[:, :, 0] = np.cumsum(weighted.sum(axis=2) - weighted.sum(axis=1), axis=1)[:, :n]
    carrying = (segments > 1e-12).reshape(n_series, -1).sum(axis=1)
    group_of = np.cumsum(carrying) // (BAND_BUDGET // BAND_GRID[0])
    bounds = [0, *(np.flatnonzero(np.diff(group_of)) + 1).tolist(), n_series]
    for first, last in itertools.pairwise(bounds):
        group = slice(first, last)
        out[group, :, 1:] = _bands(
            model,
            values[group],
            {k: v[group] for k, v in prior.items()},
            segments[group],
            level,
            None if exposure is None else exposure[group],
        )
    return out


def _bands(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    segments: np.ndarray,
    level: float,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Equal-tailed band of each period's rate for a group of series: ``(series, n, 2)``.

    Each period's mixture CDF is evaluated on a grid per series spanning its segments'
    posteriors; quantiles are interpolated linearly between grid points.
    """
    n_series, n = values.shape
    bands = np.full((n_series, n, 2), np.nan)
    series, starts, ends = np.nonzero(segments > 1e-12)
    if series.size == 0:
        return bands
    params = _component_posteriors(model, values, prior, series, starts, ends, exposure)
    dist = _frozen(model, params)
    # The grid spans each segment's posterior up to tails of mass BAND_TAIL / probability:
    # what lies beyond moves no period's CDF by more than BAND_TAIL per covering segment,
    # and improbable short segments with wide posteriors do not stretch the grid.
    tail = np.minimum(0.5, BAND_TAIL / segments[series, starts, ends])
    low, high = np.full(n_series, np.inf), np.full(n_series, -np.inf)
    np.minimum.at(low, series, dist.ppf(tail))
    np.maximum.at(high, series, dist.ppf(1 - tail))
    found = np.isfinite(low)
    low, high = np.where(found, low, 0.0), np.where(found, high, 1.0)
    size = int(np.clip(BAND_BUDGET // series.size, BAND_GRID[1], BAND_GRID[0]))
    grid = low[:, None] + (high - low)[:, None] * np.linspace(0.0, 1.0, size)
    diff = np.zeros((n_series * (n + 1), size))
    for first in range(0, series.size, BAND_BLOCK):
        block = slice(first, first + BAND_BLOCK)
        weights = segments[series[block], starts[block], ends[block]]
        columns = np.arange(weights.size)
        shape = (n_series * (n + 1), weights.size)
        row = series[block] * (n + 1)
        signed = sparse.csr_array((weights, (row + starts[block], columns)), shape=shape)
        signed -= sparse.csr_array((weights, (row + ends[block], columns)), shape=shape)
        part = {k: v[block] for k, v in params.items()}
        diff += signed @ _cdf(model, part, grid[series[block]])
    cdf = np.cumsum(diff.reshape(n_series, n + 1, size), axis=1)[:, :n].reshape(-1, size)
    cdf = np.maximum.accumulate(cdf / np.maximum(cdf[:, -1:], 1e-300), axis=1)
    per_row_grid = np.repeat(grid, n, axis=0)
    for col, q in enumerate(((1 - level) / 2, (1 + level) / 2)):
        bands[:, :, col] = _interpolated_quantile(cdf, per_row_grid, q).reshape(n_series, n)
    bands[~found] = np.nan
    return bands


def _interpolated_quantile(cdf: np.ndarray, grid: np.ndarray, q: float) -> np.ndarray:
    """Per row of ``cdf`` (non-decreasing on that row of ``grid``), the ``x`` where it
    reaches ``q``: a cubic Hermite interpolant between the two grid points that bracket
    ``q`` (tangents from central differences), solved by bisection."""
    size = cdf.shape[1]
    rows = np.arange(len(cdf))
    right = np.clip((cdf < q).sum(axis=1), 1, size - 1)  # first index with cdf >= q
    left = right - 1
    before, after = np.maximum(left - 1, 0), np.minimum(right + 1, size - 1)
    f0, f1 = cdf[rows, left], cdf[rows, right]
    d0 = (f1 - cdf[rows, before]) / (right - before)
    d1 = (cdf[rows, after] - f0) / (after - left)
    low, high = np.zeros(len(cdf)), np.ones(len(cdf))
    for _ in range(40):
        u = (low + high) / 2
        value = (
            (2 * u**3 - 3 * u**2 + 1) * f0
            + (u**3 - 2 * u**2 + u) * d0
            + (3 * u**2 - 2 * u**3) * f1
            + (u**3 - u**2) * d1
        )
        below = value < q
        low, high = np.where(below, u, low), np.where(below, high, u)
    share = (low + high) / 2
    return grid[rows, left] + share * (grid[rows, right] - grid[rows, left])


def _component_posteriors(
    model: str,
    values: np.ndarray,
    prior: Mapping[str, np.ndarray],
    series: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    exposure: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Parameters of the posterior of the rate (Gamma: ``shape``, ``rate``) or mean
    (Student t: ``df``, ``loc``, ``scale``) of segments ``[start, end)`` of the given series."""
    cumulative = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=cumulative[:, 1:])
    total = cumulative[series, ends] - cumulative[series, starts]
    length = (ends - starts).astype(float)
    p = {k: np.asarray(v, dtype=float)[series] for k, v in prior.items()}
    if model == "poisson":
        extent = length
        if exposure is not None:
            exposed = np.zeros_like(cumulative)
            np.cumsum(exposure, axis=1, out=exposed[:, 1:])
            extent = exposed[series, ends] - exposed[series, starts]
        return {"shape": p["shape"] + total, "rate": p["rate"] + extent}
    squares = np.zeros_like(cumulative)
    np.cumsum(values**2, axis=1, out=squares[:, 1:])
    q = squares[series, ends] - squares[series, starts]
    mean = total / length
    kappa_n = p["kappa"] + length
    alpha_n = p["shape"] + length / 2
    beta_n = (
        p["scale"]
        + np.maximum(q - total * mean, 0) / 2
        + p["kappa"] * length * (mean - p["mean"]) ** 2 / (2 * kappa_n)
    )
    return {
        "df": 2 * alpha_n,
        "loc": (p["kappa"] * p["mean"] + total) / kappa_n,
        "scale": np.sqrt(beta_n / (alpha_n * kappa_n)),
    }


def _frozen(model: str, params: Mapping[str, np.ndarray]) -> Any:
    """The segment posteriors as frozen scipy distributions (for their quantiles)."""
    if model == "poisson":
        return stats.gamma(params["shape"], scale=1.0 / params["rate"])
    return stats.t(params["df"], loc=params["loc"], scale=params["scale"])


def _cdf(model: str, params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """CDF of segment ``i``'s posterior at ``x[i, :]``: ``(segments, points)``; the special
    functions directly, without scipy.stats' argument checks."""
    if model == "poisson":
        return special.gammainc(params["shape"][:, None], params["rate"][:, None] * x)
    z = (x - params["loc"][:, None]) / params["scale"][:, None]
    return special.stdtr(params["df"][:, None], z)


def _credible_sets(
    names: Sequence[str], index: pd.Index, by_k: np.ndarray, k_star: np.ndarray, level: float
) -> pd.DataFrame:
    rows = []
    for i, name in enumerate(names):
        k = int(k_star[i])
        for j in range(1, k + 1):
            p = by_k[i, k, j - 1]
            members = credible_set(p, level)
            rows.append(
                {
                    "series": name,
                    "boundary": j,
                    "given_k": k,
                    "mode": index[int(p.argmax())],
                    "p_mode": float(p.max()),
                    "credible_set": [index[t] for t in members],
                    "mass": float(p[members].sum()),
                }
            )
    columns = ["series", "boundary", "given_k", "mode", "p_mode", "credible_set", "mass"]
    return pd.DataFrame(rows, columns=columns).set_index(["series", "boundary"])


def _bayes_factors(
    names: pd.Index, log_m: np.ndarray, s: Sums, positions: np.ndarray
) -> pd.DataFrame:
    """log10 Bayes factors of the hypothesised partition."""
    n = log_m.shape[1] - 1
    edges = [0, *positions.tolist(), n]
    log_h = sum(log_m[:, a, b] for a, b in itertools.pairwise(edges))
    k = len(positions)
    free_k = s.evidence[:, k] - s.log_count[k]
    free = logsumexp(s.evidence - s.log_count[None, :], axis=1) - np.log(s.log_count.size)
    ln10 = np.log(10)
    return pd.DataFrame(
        {
            "log10_bf_vs_none": (log_h - log_m[:, 0, n]) / ln10,
            f"log10_bf_vs_free_{k}": (log_h - free_k) / ln10,
            "log10_bf_vs_free": (log_h - free) / ln10,
        },
        index=names,
    )


def _sensitivity(
    model: str,
    values: np.ndarray,
    names: pd.Index,
    min_size: int,
    max_breaks: int,
    positions: np.ndarray | None,
    exposure: np.ndarray | None = None,
) -> pd.DataFrame:
    rows = []
    for label, prior in sensitivity_grid(model, values, exposure):
        log_m = log_marginals(model, values, prior, min_size, exposure)
        s = sums(log_m, max_breaks)
        pk = np.exp(_k_posterior(s))
        bf = None if positions is None else _bayes_factors(names, log_m, s, positions)
        for i, name in enumerate(names):
            row = {"series": name, "prior": label, "map_k": int(pk[i].argmax())}
            row.update({f"p_k{k}": float(pk[i, k]) for k in range(max_breaks + 1)})
            if bf is not None:
                row["log10_bf_vs_none"] = float(bf.iloc[i, 0])
            rows.append(row)
    return pd.DataFrame(rows).set_index(["series", "prior"])
