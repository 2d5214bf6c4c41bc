"""Many series at once: false-discovery-rate control and a test for shared boundaries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..._typing import RandomState
from ..._validation import check_int
from ...exceptions import ParameterError
from ...segmentation import segment
from ...segmentation.inputs import as_matrix, check_values, resolve_model
from ...segmentation.models import chosen_model
from ..results import HypothesisTestResult
from ..streams import root_seed


def benjamini_hochberg(pvalues: ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values), in the input order.

    ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the sorted p-values; rejecting the
    hypotheses with ``q <= alpha`` controls the false-discovery rate at ``alpha`` for
    independent (or positively dependent) tests.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)) or np.any(~np.isfinite(p)):
        raise ParameterError(
            f"benjamini_hochberg needs a 1-D array of p-values in [0, 1]; got {pvalues!r}."
        )
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def holm(pvalues: ArrayLike) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values, in the input order.

    ``p_adj(i) = max_{j <= i} min(1, (m − j + 1) p_(j))`` over the sorted p-values;
    rejecting ``p_adj <= alpha`` controls the family-wise error rate at ``alpha`` under any
    dependence.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)) or np.any(~np.isfinite(p)):
        raise ParameterError(f"holm needs a 1-D array of p-values in [0, 1]; got {pvalues!r}.")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(p[order] * (m - np.arange(m)), 1.0)
    out = np.empty(m)
    out[order] = np.maximum.accumulate(scaled)
    return out


def _segmentation_counts(n: int, max_segments: int, min_size: int) -> np.ndarray:
    """``count[j, t]``: number of ways to cut ``[0, t)`` into ``j`` segments of length
    ``>= min_size`` (floats, exact for the sizes used here)."""
    count = np.zeros((max_segments + 1, n + 1))
    count[0, 0] = 1.0
    for j in range(1, max_segments + 1):
        for t in range(j * min_size, n + 1):
            count[j, t] = count[j - 1, : t - min_size + 1].sum()
    return count


def uniform_segmentations(
    n: int, k: int, min_size: int, size: int, generator: np.random.Generator
) -> np.ndarray:
    """``size`` break sets drawn uniformly among all admissible ``k``-break segmentations
    of ``n`` periods, shape ``(size, k)``."""
    breaks = np.empty((size, k), dtype=np.int64)
    if k == 0:
        return breaks
    count = _segmentation_counts(n, k + 1, min_size)
    end = np.full(size, n)
    for j in range(k, 0, -1):
        # the last of the j + 1 segments starts at s: j segments before it
        starts = np.arange(n + 1)
        weights = count[j][None, :] * (end[:, None] - starts[None, :] >= min_size)
        cumulative = np.cumsum(weights, axis=1)
        u = generator.random(size) * cumulative[:, -1]
        chosen = (cumulative < u[:, None]).sum(axis=1)
        breaks[:, j - 1] = chosen
        end = chosen
    return breaks


def _alignment(draws: list[np.ndarray], n: int, window: int) -> np.ndarray:
    """Per replicate (rows of each ``draws[i]``, shape ``(reps, k_i)``) and period: the
    number of series with a boundary within ±window, shape ``(reps, n)``."""
    reps = draws[0].shape[0]
    rows = np.arange(reps)[:, None]
    total = np.zeros((reps, n), dtype=np.int64)
    for positions in draws:
        hits = np.zeros((reps, n), dtype=bool)
        for offset in range(-window, window + 1):
            hits[rows, np.clip(positions + offset, 0, n - 1)] = True
        total += hits
    return total


def shared_boundary_test(
    series: Any,
    *,
    window: int = 1,
    n_breaks: int | None = None,
    penalty: str | float = "auto",
    model: str = "poisson",
    min_size: int = 3,
    n_sim: int = 9999,
    rng: RandomState = 0,
) -> HypothesisTestResult:
    """Do the series start new periods near a common period more often than chance?

    Each series is segmented (``n_breaks`` fixed, or chosen by ``penalty``). The statistic
    is the largest number of series having a boundary within ``±window`` periods of one
    common period. Its null distribution is simulated by placing every series' boundaries
    (as many as it has) uniformly at random among the admissible segmentations, independently
    across series: the null is "no alignment beyond what independent placement gives".

    Returns
    -------
    HypothesisTestResult
        ``statistic`` (the number of aligned series) and its Monte Carlo ``pvalue``; the
        ``method`` text names the common period.
    """
    func = "shared_boundary_test"
    window = check_int(window, name="window", func=func, minimum=0)
    n_sim = check_int(n_sim, name="n_sim", func=func, minimum=99)
    matrix = as_matrix(series, func)  # refused in this function's name, not segment's
    named = chosen_model(matrix)[0] if model == "auto" else model
    check_values(matrix, resolve_model(named, matrix.weighted), func)
    how = {"n_breaks": n_breaks} if n_breaks is not None else {"penalty": penalty}
    fit = segment(series, model=model, min_size=min_size, **how)
    observed = [np.asarray(b, dtype=np.int64)[None, :] for b in fit.break_indices]
    n = len(fit.index)
    aligned = _alignment(observed, n, window)[0]
    statistic, where = int(aligned.max()), int(aligned.argmax())
    generator = np.random.Generator(np.random.PCG64(root_seed(rng, func)))
    # one independent uniform placement per series and replicate
    draws = [uniform_segmentations(n, b.shape[1], min_size, n_sim, generator) for b in observed]
    exceed = int(np.sum(_alignment(draws, n, window).max(axis=1) >= statistic))
    label = pd.Index(fit.index)[where]
    return HypothesisTestResult(
        name="shared_boundary",
        statistic=float(statistic),
        pvalue=(1 + exceed) / (n_sim + 1),
        method=(
            f"largest number of the {len(observed)} series with a boundary within "
            f"±{window} of one period (reached at {label}); Monte Carlo p-value from "
            f"{n_sim} placements of each series' boundaries uniformly among admissible "
            f"segmentations, independently across series"
        ),
        null_hypothesis="boundaries are placed independently across series",
        alternative="series start new periods near a common period",
        n_sim=n_sim,
    )
