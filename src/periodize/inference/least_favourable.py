r"""The null that ``best_vs_hypothesis`` draws its replicates from.

The test asks whether some other ``k`` boundaries fit better than the hypothesised ones.
Its null, "the hypothesised periodization is the true one", leaves the periods' levels
free: it holds when the levels differ at every hypothesised boundary and equally when they
do not differ at all (no change is a periodization with any boundaries). The gap between
the best segmentation and the hypothesis is largest when the levels do not differ: the
search is then free to put its boundaries anywhere, whereas real shifts at the hypothesised
boundaries pull it there. Replicates drawn from the hypothesised fit carry the shifts of
its estimated levels, which are never exactly zero (about one standard error by chance), so
on a record with no change they hold the search at the hypothesised boundaries more than
the data do, and the test rejected too often: 7.0–7.3% at 5% on independent Student t
series of 120 periods, 5.5–5.9% on Gaussian ones (docs/validity.md).

This is a bootstrap under a composite null whose nuisance parameter (the shifts) may lie
at its least favourable value, and the remedy is generalised moment selection (Andrews &
Soares 2010, *Econometrica* 78): a hypothesised boundary keeps its shift in the null only
if the data support it, its studentized likelihood ratio against dropping it (each other
boundary kept) at least :math:`\log n` (their :math:`\kappa_n = \sqrt{\log n}`, the BIC's
price of a parameter); the levels of the periods it separates are otherwise merged. A real
shift is kept (its ratio grows with ``n``), a chance one is merged with probability
tending to one. Merging only moves the replicates towards the least favourable null, so a
shift merged by mistake makes the test conservative, never liberal.
"""

from __future__ import annotations

import numpy as np

from .fits import build_cost, edges_of


def dropped_boundary_lr(
    model: str,
    values: np.ndarray,
    positions: np.ndarray,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
) -> np.ndarray:
    """Likelihood ratio of the hypothesised breaks ``positions`` against each of them
    dropped alone, ``(series, k)``: ``2 (ℓ(hypothesis) − ℓ(hypothesis without j))`` under
    the likelihood of the tests' statistics (``alpha``: a fixed NB2 dispersion per row).

    Examples
    --------
    >>> values = np.array([[1.0, 1, 1, 5, 5, 5, 5, 5, 5]])
    >>> dropped_boundary_lr("poisson", values, np.array([3, 6])).round(2)
    array([[8.73, 0.  ]])
    """
    rows, n = values.shape
    k = positions.size
    cost = build_cost(model, values, exposure, alpha)

    def loglik(breaks: np.ndarray) -> np.ndarray:
        return cost.partial_loglik(edges_of(np.broadcast_to(breaks, (rows, breaks.size)), n))

    full = loglik(positions)
    dropped = np.empty((rows, k))
    for j in range(k):  # a loop over the hypothesised boundaries, every series at once
        dropped[:, j] = 2 * (full - loglik(np.delete(positions, j)))
    return dropped


def supported(studentized_lr: np.ndarray, n: int) -> np.ndarray:
    """Which hypothesised boundaries keep their shift in the null (``(series, k)``
    booleans): those whose studentized likelihood ratio against dropping them is at least
    ``log n``."""
    return studentized_lr >= np.log(n)


def merged_means(
    values: np.ndarray,
    positions: np.ndarray,
    kept: np.ndarray,
    exposure: np.ndarray | None = None,
) -> np.ndarray:
    """Each period's fitted mean (series × periods) when the hypothesised periods on
    either side of every boundary not ``kept`` are one: the merged period's total over its
    length, or over its exposure times the period's exposure (the maximum-likelihood level
    of every level model).

    Examples
    --------
    >>> values = np.array([[1.0, 3, 2, 4, 10, 12]])
    >>> merged_means(values, np.array([2, 4]), np.array([[False, True]]))
    array([[ 2.5,  2.5,  2.5,  2.5, 11. , 11. ]])
    """
    rows, n = values.shape
    k = positions.size
    period = np.searchsorted(positions, np.arange(n), side="right")
    merged = np.concatenate([np.zeros((rows, 1), dtype=np.int64), np.cumsum(kept, axis=1)], 1)
    cell = merged[:, period] + (k + 1) * np.arange(rows)[:, None]
    extent = np.ones_like(values) if exposure is None else exposure
    totals = np.bincount(cell.ravel(), values.ravel(), rows * (k + 1))
    sizes = np.bincount(cell.ravel(), extent.ravel(), rows * (k + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(sizes > 0, totals / sizes, 0.0)
    return rates[cell] * extent


def least_favourable_fit(
    hypothesis_fit: tuple[np.ndarray, np.ndarray],
    values: np.ndarray,
    positions: np.ndarray,
    kept: np.ndarray,
    exposure: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The fit ``best_vs_hypothesis`` draws from: the hypothesised fit's spread (its noise
    scale, dispersion or per-period deviations) with the levels of :func:`merged_means`."""
    return merged_means(values, positions, kept, exposure), hypothesis_fit[1]


def least_favourable(
    model: str,
    values: np.ndarray,
    positions: np.ndarray,
    hypothesis_fit: tuple[np.ndarray, np.ndarray],
    scale: np.ndarray,
    omega: np.ndarray,
    exposure: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`least_favourable_fit` of every series, each boundary kept where its likelihood
    ratio against dropping it, divided by the statistics' ``scale`` (quasi-Poisson's
    dispersion) and studentizer ``omega`` of the hypothesised fit, is :func:`supported`."""
    lr = dropped_boundary_lr(model, values, positions, exposure)
    kept = supported(lr / (scale * omega)[:, None], values.shape[1])
    return least_favourable_fit(hypothesis_fit, values, positions, kept, exposure)
