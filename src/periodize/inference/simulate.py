"""Draw replicate series from a fitted segmentation model (parametric bootstrap) or by
permutation, in blocks from :mod:`periodize.inference.streams`."""

from __future__ import annotations

import numpy as np

from .streams import BLOCK, block_generator, series_keys


def draw(
    model: str,
    means: np.ndarray,
    spread: np.ndarray,
    n_sim: int,
    seed: int,
    simulation: int,
    series: int,
) -> np.ndarray:
    """``n_sim`` replicates of one series, shape ``(n_sim, n)``.

    ``means`` is the fitted mean of every period; ``spread`` the model's other parameter
    per period: dispersion ``phi`` (quasi-Poisson: ``phi × Poisson(mean / phi)``), ``alpha``
    (NB2), or the standard deviation (normal models). Unused for Poisson.
    """
    blocks = []
    for block, first in enumerate(range(0, n_sim, BLOCK)):
        size = (min(BLOCK, n_sim - first), means.size)
        generator = block_generator(seed, simulation, series, block)
        blocks.append(_one_block(model, means, spread, size, generator))
    return np.vstack(blocks)


def _one_block(
    model: str,
    means: np.ndarray,
    spread: np.ndarray,
    size: tuple[int, int],
    generator: np.random.Generator,
) -> np.ndarray:
    if model == "poisson":
        return generator.poisson(means, size=size).astype(float)
    if model == "quasipoisson":
        return spread * generator.poisson(means / spread, size=size)
    if model == "negbin":
        alpha = spread
        if np.all(alpha == 0):
            return generator.poisson(means, size=size).astype(float)
        r = 1.0 / np.where(alpha > 0, alpha, 1.0)
        nb = generator.negative_binomial(r, r / (r + means), size=size).astype(float)
        return np.where(alpha > 0, nb, generator.poisson(means, size=size))
    return means + spread * generator.standard_normal(size=size)


def permute(
    values: np.ndarray, groups: np.ndarray, n_sim: int, seed: int, simulation: int, series: int
) -> np.ndarray:
    """``n_sim`` random permutations of one series within each group of periods."""
    blocks = []
    for block, first in enumerate(range(0, n_sim, BLOCK)):
        generator = block_generator(seed, simulation, series, block)
        count = min(BLOCK, n_sim - first)
        keys = generator.random((count, values.size)) + groups[None, :]
        blocks.append(values[np.argsort(keys, axis=1)])
    return np.vstack(blocks)


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
) -> np.ndarray:
    """``n_sim`` replicates of each series in ``members``, stacked ``(members × n_sim, n)``:
    drawn from ``fit`` (means, spread) or, for ``null="permutation"``, permuted within
    ``groups``; the stream of each series is keyed by its values."""
    members = np.asarray(members)
    means, spread = fit
    keys = series_keys(values[members])
    return np.vstack(
        [
            permute(values[i], groups, n_sim, seed, simulation, key)
            if null == "permutation"
            else draw(model, means[i], spread[i], n_sim, seed, simulation, key)
            for i, key in zip(members, keys, strict=True)
        ]
    )


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
