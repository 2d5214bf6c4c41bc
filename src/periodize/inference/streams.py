"""Seeded random streams that do not depend on how work is chunked.

Replicate ``r`` of a series in simulation set ``s`` is drawn from the stream
``SeedSequence(seed, spawn_key=(s, key, r // BLOCK))`` where ``key`` is the CRC-32 of the
series' values (float64 bytes), never of its name or position: the numbers are the same
whatever the series are called, the order they come in, the number processed together or
the memory chunks used.
"""

from __future__ import annotations

import zlib

import numpy as np

from .._typing import RandomState
from ..exceptions import ParameterError, PeriodizeTypeError

#: Replicates drawn from one stream.
BLOCK = 1024


def root_seed(rng: RandomState, func: str) -> int:
    """The integer seed behind an ``rng`` argument (drawn once from a Generator)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            raise ParameterError(
                f"The 'rng' parameter of {func} must be a non-negative int seed. "
                f"Got {int(rng)} instead."
            )
        return int(rng)
    raise PeriodizeTypeError(
        f"The 'rng' parameter of {func} must be an int seed, a numpy Generator or None. "
        f"Got {type(rng).__name__} instead."
    )


def series_keys(values: np.ndarray) -> list[int]:
    """The stream key of each row of ``values``: the CRC-32 of its float64 bytes.

    Examples
    --------
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> series_keys(a) == series_keys(a[::-1])[::-1]
    True
    """
    rows = np.ascontiguousarray(np.atleast_2d(values), dtype=np.float64)
    return [zlib.crc32(row.tobytes()) for row in rows]


def block_generator(seed: int, simulation: int, series: int, block: int) -> np.random.Generator:
    """The generator for one block of replicates."""
    sequence = np.random.SeedSequence(seed, spawn_key=(simulation, series, block))
    return np.random.Generator(np.random.PCG64(sequence))
