"""Draw replicate series from a fitted segmentation model (parametric bootstrap) or by
permutation, in blocks from :mod:`periodize.inference.streams`, into one preallocated array.

Poisson variates with means up to :data:`INVERSION_LIMIT` are drawn by inversion
(sequential search of the cumulative distribution from one uniform per variate, the method
R's ``rpois`` uses for small means): compiled, about eight times faster than numpy's
``Generator.poisson`` at mean 1. Larger means use ``Generator.poisson`` from the same
stream, after the uniforms.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .dependence import SerialDependence, copula_block
from .streams import BLOCK, block_generator, series_keys

#: Poisson means up to this are drawn by inversion (``exp(-mean)`` stays far from 0).
INVERSION_LIMIT = 30.0


@numba.njit(cache=True)
def _cumulative(means: np.ndarray) -> np.ndarray:
    """The Poisson distribution function of each mean at 0, 1, ..., (periods × K), up to
    where the tail falls below rounding; 2 (never reached by a uniform) after that."""
    width = int(INVERSION_LIMIT + 12.0 * math.sqrt(INVERSION_LIMIT) + 40.0)
    table = np.full((means.size, width), 2.0)
    for t in range(means.size):
        mean = means[t]
        if mean > INVERSION_LIMIT:
            continue
        p = math.exp(-mean)
        cumulative = p
        table[t, 0] = cumulative
        for k in range(1, width - 1):
            p *= mean / k
            if p <= cumulative * 1e-17:  # the rest of the tail is below rounding
                break
            cumulative += p
            table[t, k] = cumulative
    return table


@numba.njit(cache=True, parallel=True)
def _invert_poisson(block: np.ndarray, means: np.ndarray) -> None:
    """Replace the uniforms in ``block`` (rows × periods) by Poisson variates with the
    period's mean, in place; periods whose mean exceeds the limit are left alone."""
    table = _cumulative(means)
    rows, n = block.shape
    for i in numba.prange(rows):
        for t in range(n):
            if means[t] > INVERSION_LIMIT:
                continue
            u = block[i, t]
            k = 0
            while u > table[t, k]:
                k += 1
            block[i, t] = k


def poisson_block(means: np.ndarray, out: np.ndarray, generator: np.random.Generator) -> None:
    """Fill ``out`` (rows × periods) with Poisson variates, period ``t`` with mean
    ``means[t]``.

    Examples
    --------
    >>> out = np.empty((20000, 2))
    >>> poisson_block(np.array([0.5, 40.0]), out, np.random.default_rng(0))
    >>> out.mean(axis=0).round(1)
    array([ 0.5, 39.9])
    """
    generator.random(out=out)
    _invert_poisson(out, means)
    large = means > INVERSION_LIMIT
    if large.any():
        out[:, large] = generator.poisson(means[large], size=(out.shape[0], int(large.sum())))


def draw(
    model: str,
    means: np.ndarray,
    spread: np.ndarray,
    out: np.ndarray,
    seed: int,
    simulation: int,
    series: int,
    partial: np.ndarray | None = None,
    margin: np.ndarray | None = None,
) -> None:
    """Fill ``out`` (``n_sim × n``) with replicates of one series.

    ``means`` is the fitted mean of every period; ``spread`` the model's other parameter
    per period: dispersion ``phi`` (quasi-Poisson: ``phi × Poisson(mean / phi)``), ``alpha``
    (NB2), or the standard deviation (normal models). Unused for Poisson. ``partial``: the
    partial autocorrelations of a latent AR (:mod:`.dependence`); periods are independent
    without one (or when it is all zero). ``margin``: sorted standardised residuals whose
    empirical distribution replaces the normal models' Gaussian margin.
    """
    dependent = (partial is not None and np.any(partial)) or margin is not None
    partial = np.zeros(0) if partial is None else np.trim_zeros(partial, "b")
    for block, first in enumerate(range(0, len(out), BLOCK)):
        rows = out[first : first + BLOCK]
        generator = block_generator(seed, simulation, series, block)
        if dependent:
            copula_block(model, means, spread, partial, rows, generator, margin)
        elif model == "poisson":
            poisson_block(means, rows, generator)
        elif model == "quasipoisson":
            poisson_block(means / spread, rows, generator)
            rows *= spread
        elif model == "negbin" and not np.any(spread):
            poisson_block(means, rows, generator)  # alpha 0: the Poisson model's own draws
        elif model == "negbin":
            rows[:] = _negative_binomial(means, spread, rows.shape, generator)
        else:
            rows[:] = means + spread * generator.standard_normal(size=rows.shape)


def _negative_binomial(
    means: np.ndarray, alpha: np.ndarray, size: tuple[int, ...], generator: np.random.Generator
) -> np.ndarray:
    r = 1.0 / np.where(alpha > 0, alpha, 1.0)
    nb = generator.negative_binomial(r, r / (r + means), size=size)
    return np.where(alpha > 0, nb, generator.poisson(means, size=size))


def permute(
    values: np.ndarray,
    groups: np.ndarray,
    out: np.ndarray,
    seed: int,
    simulation: int,
    series: int,
) -> None:
    """Fill ``out`` (``n_sim × n``) with random permutations of one series within each group
    of periods."""
    for block, first in enumerate(range(0, len(out), BLOCK)):
        rows = out[first : first + BLOCK]
        generator = block_generator(seed, simulation, series, block)
        keys = generator.random(rows.shape) + groups[None, :]
        rows[:] = values[np.argsort(keys, axis=1)]


def replicates(
    model: str,
    values: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray],
    members: np.ndarray | range,
    n_sim: int,
    seed: int,
    simulation: int,
    null: str,
    groups: np.ndarray,
    dependence: SerialDependence | None = None,
) -> np.ndarray:
    """``n_sim`` replicates of each series in ``members``, stacked ``(members × n_sim, n)``:
    drawn from ``fit`` (means, spread) with the serial ``dependence`` of each series
    (independent periods without it) or, for ``null="permutation"``, permuted within
    ``groups``; the stream of each series is keyed by its values."""
    members = np.asarray(members)
    means, spread = fit
    keys = series_keys(values[members])
    out = np.empty((members.size * n_sim, values.shape[1]))
    if null != "permutation" and dependence is not None and _all_dependent(dependence, members):
        standard_noise(keys, n_sim, seed, simulation, out)  # draw()'s noise, all at once
        margins = dependence.margins
        copula_block(
            model,
            means[members],
            spread[members],
            dependence.partial[members],
            out,
            None,
            None if margins is None else margins[members],
            np.repeat(np.arange(members.size), n_sim),
        )
        return out
    for j, (i, key) in enumerate(zip(members, keys, strict=True)):
        rows = out[j * n_sim : (j + 1) * n_sim]
        if null == "permutation":
            permute(values[i], groups, rows, seed, simulation, key)
        else:
            partial = None if dependence is None else dependence.partial[i]
            margins = None if dependence is None else dependence.margins
            margin = None if margins is None else margins[i]
            draw(model, means[i], spread[i], rows, seed, simulation, key, partial, margin)
    return out


def standard_noise(
    keys: list[int], n_sim: int, seed: int, simulation: int, out: np.ndarray
) -> None:
    """Fill ``out`` (``len(keys) × n_sim`` rows) with the standard normal noise a dependent
    null transforms: series ``j``'s ``n_sim`` rows from its own stream (key ``keys[j]``), in
    the blocks :func:`draw` uses."""
    for j, key in enumerate(keys):
        for block, first in enumerate(range(0, n_sim, BLOCK)):
            rows = out[j * n_sim + first : j * n_sim + min(first + BLOCK, n_sim)]
            block_generator(seed, simulation, key, block).standard_normal(out=rows)


def _all_dependent(dependence: SerialDependence, members: np.ndarray) -> bool:
    """Whether every member is drawn from the dependent null (a latent AR or an empirical
    margin), so all can go through :func:`copula_block` at once."""
    if dependence.margins is not None:
        return True
    return bool(np.all(np.any(dependence.partial[members] != 0, axis=1)))


def count_at_least(simulated: np.ndarray, observed: np.ndarray, n_sim: int) -> np.ndarray:
    """Replicates per series whose statistic reaches the observed one (ties count; a
    relative tolerance of 1e-9 absorbs rounding). ``simulated`` is ``(series × n_sim,)``."""
    tolerance = 1e-9 * np.maximum(1.0, np.abs(observed))
    return np.sum(simulated.reshape(-1, n_sim) >= (observed - tolerance)[:, None], axis=1)


def repeat_rows(
    exposure: np.ndarray | None, members: np.ndarray | range, n_sim: int
) -> np.ndarray | None:
    """The exposure of each replicate row of :func:`replicates` (``None`` without one)."""
    if exposure is None:
        return None
    return np.repeat(exposure[np.asarray(members)], n_sim, axis=0)
