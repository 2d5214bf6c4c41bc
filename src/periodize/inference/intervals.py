"""Confidence intervals for segment rates and for the ratio of consecutive rates."""

from __future__ import annotations

import numpy as np
from scipy import stats


def garwood(total: np.ndarray, length: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact (Garwood 1936) interval for a Poisson rate from ``total`` events in ``length``
    periods: :math:`[\chi^2_{2S,\,a/2}/2m,\ \chi^2_{2S+2,\,1-a/2}/2m]`, lower bound 0 when
    :math:`S = 0`. Non-integer totals (scaled counts) use the same gamma quantiles.

    Examples
    --------
    >>> lo, hi = garwood(np.array([0.0, 10.0]), np.array([10.0, 10.0]), 0.95)
    >>> lo.round(4), hi.round(4)
    (array([0.    , 0.4795]), array([0.3689, 1.839 ]))
    """
    alpha = 1 - level
    safe = np.where(total > 0, total, 1.0)
    lower = np.where(total > 0, stats.gamma.ppf(alpha / 2, safe) / length, 0.0)
    upper = stats.gamma.ppf(1 - alpha / 2, total + 1) / length
    return lower, upper


def rate_ratio(
    first: np.ndarray,
    first_length: np.ndarray,
    second: np.ndarray,
    second_length: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Ratio of the second rate to the first, with the exact conditional interval.

    Given :math:`S_1 + S_2`, :math:`S_2` is binomial with
    :math:`p = m_2 r / (m_1 + m_2 r)`; the Clopper–Pearson interval for :math:`p` maps to
    :math:`r = (p / (1 - p))(m_1 / m_2)`. The bounds are 0 or infinite where the data allow
    no more (no events in one of the periods); with no events in both the ratio is undefined
    (NaN).
    """
    alpha = 1 - level
    total = first + second
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (second / second_length) / (first / first_length)
        p_low = np.where(second > 0, stats.beta.ppf(alpha / 2, second, first + 1), 0.0)
        p_high = np.where(first > 0, stats.beta.ppf(1 - alpha / 2, second + 1, first), 1.0)
        scale = first_length / second_length
        low = p_low / (1 - p_low) * scale
        high = np.where(p_high < 1, p_high / (1 - p_high) * scale, np.inf)
    undefined = total == 0
    return (
        np.where(undefined, np.nan, ratio),
        np.where(undefined, np.nan, low),
        np.where(undefined, np.nan, high),
    )


def t_interval(
    mean: np.ndarray, se: np.ndarray, dof: int, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean ± t_{dof} se``."""
    q = stats.t.ppf(0.5 + level / 2, max(dof, 1))
    return mean - q * se, mean + q * se
