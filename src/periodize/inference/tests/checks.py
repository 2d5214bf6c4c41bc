"""Model checks for count models: overdispersion against the Poisson assumption."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import gammaln, xlogy

from ...segmentation.inputs import as_matrix, check_values
from ..fits import edges_of, pearson_dispersion
from ..hypothesis import boundary_positions


def _nb_loglik(alpha: float, y: np.ndarray, mu: np.ndarray) -> float:
    if alpha <= 0:
        return float(np.sum(xlogy(y, mu) - mu - gammaln(y + 1)))
    r = 1.0 / alpha
    return float(
        np.sum(
            gammaln(y + r)
            - gammaln(r)
            - gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + xlogy(y, mu / (r + mu))
        )
    )


def overdispersion(
    series: Any, boundaries: Sequence[Any] = (), *, min_size: int = 1
) -> pd.DataFrame:
    """Is a Poisson model adequate for these counts, given a periodization?

    For each series, with segment rates fitted at ``boundaries`` (none: one rate):

    - ``pearson_dispersion`` = Pearson χ² / (n − p), and the p-value of the Pearson χ²
      against χ²(n − p) (large dispersion: overdispersed);
    - ``alpha`` the NB2 dispersion by maximum likelihood (segment means fixed at their
      averages, which is their MLE for any alpha), and the likelihood-ratio test of NB2
      against Poisson with its p-value from the ½χ²₀ + ½χ²₁ mixture (alpha = 0 lies on the
      boundary of the parameter space; Self & Liang 1987).

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> overdispersion(counts, (2009, 2019)).round(3).iloc[0]["alpha"]
    np.float64(0.0)
    """
    func = "overdispersion"
    matrix = as_matrix(series, func)
    check_values(matrix, "poisson", func)
    values = matrix.values
    n_series, n = values.shape
    positions = (
        boundary_positions(matrix.index, boundaries, min_size, func)
        if len(boundaries)
        else np.empty(0, dtype=np.int64)
    )
    edges = edges_of(np.broadcast_to(positions, (n_series, positions.size)), n)
    segment = np.searchsorted(positions, np.arange(n), side="right")
    totals = np.add.reduceat(values, edges[0, :-1], axis=1)
    means = (totals / np.diff(edges[0]))[:, segment]
    p = positions.size + 1
    phi = pearson_dispersion(values, means, p)
    rows = []
    for i, name in enumerate(matrix.names):
        y, mu = values[i], means[i]
        found = optimize.minimize_scalar(
            lambda a, y=y, mu=mu: -_nb_loglik(a, y, mu), bounds=(0.0, 50.0), method="bounded"
        )
        alpha = float(found.x) if -found.fun > _nb_loglik(0.0, y, mu) else 0.0
        lr = max(2 * (_nb_loglik(alpha, y, mu) - _nb_loglik(0.0, y, mu)), 0.0)
        rows.append(
            {
                "series": name,
                "pearson_dispersion": float(phi[i]),
                "pearson_pvalue": float(stats.chi2.sf(phi[i] * max(n - p, 1), max(n - p, 1))),
                "alpha": alpha,
                "lr_negbin_vs_poisson": lr,
                "lr_pvalue": float(0.5 * stats.chi2.sf(lr, 1)) if lr > 0 else 1.0,
            }
        )
    return pd.DataFrame(rows).set_index("series")
