"""Synthetic event sets with known boundaries: ``simulate_events`` and its columnar core."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._typing import RandomState
from .._validation import check_int
from ..events.vocabulary import KINDS, LEVELS
from ..exceptions import ParameterError
from ..inference.streams import root_seed
from .codes import MAX_DYADS

#: The largest expected number of events per dyad and year a simulation draws.
MAX_RATE = 1e7

#: Dyads drawn from one random stream; chunks are whole blocks, so results do not depend on
#: the chunk size.
DYAD_BLOCK = 64

DEFAULT_LEVEL_MIX = {
    "head_of_state": 0.15,
    "head_of_government": 0.2,
    "speaker": 0.1,
    "foreign_minister": 0.25,
    "minister": 0.3,
}
DEFAULT_KIND_MIX = {
    "state_visit": 0.1,
    "official_visit": 0.4,
    "working_visit": 0.3,
    "multilateral_meeting": 0.2,
}


@dataclass(frozen=True)
class EventColumns:
    """Events as integer-coded numpy arrays (the benchmarks' fast path)."""

    dyad: np.ndarray  # int32, 0..n_dyads-1
    period: np.ndarray  # int16/int32, 0..n_years-1
    level: np.ndarray  # int8 codes into LEVELS
    kind: np.ndarray  # int8 codes into KINDS
    documents: np.ndarray  # int16

    def __len__(self) -> int:
        return int(self.dyad.size)


@dataclass(frozen=True)
class Design:
    years: np.ndarray
    boundaries: tuple[int, ...]
    rates: np.ndarray  # (n_dyads, n_segments)
    level_p: np.ndarray
    kind_p: np.ndarray
    documents: float
    seed: int

    @property
    def period_rates(self) -> np.ndarray:
        """Rate of every dyad in every year, ``(n_dyads, n_years)``."""
        segment = np.searchsorted(np.asarray(self.boundaries), self.years, side="right")
        return self.rates[:, segment]


def _mix(
    mix: Mapping[str, float] | None,
    default: Mapping[str, float],
    vocabulary: Sequence[str],
    name: str,
) -> np.ndarray:
    chosen = dict(default if mix is None else mix)
    unknown = sorted(set(chosen) - set(vocabulary))
    values = np.array([chosen.get(v, 0.0) for v in vocabulary], dtype=float)
    if unknown or np.any(values < 0) or values.sum() <= 0:
        raise ParameterError(
            f"The {name!r} parameter must map values of {list(vocabulary)} "
            f"to non-negative shares. Got {mix!r} instead."
        )
    return values / values.sum()


def design(
    n_dyads: int,
    years: Sequence[int],
    boundaries: Sequence[int],
    base_rate: float,
    rate_ratios: Sequence[float] | None,
    rates: Sequence[float] | None,
    level_mix: Mapping[str, float] | None,
    kind_mix: Mapping[str, float] | None,
    documents: float,
    rng: RandomState,
    func: str = "simulate_events",
) -> Design:
    """Check the parameters of a simulation and fix its random seed (errors name ``func``)."""
    n_dyads = check_int(n_dyads, name="n_dyads", func=func, minimum=1)
    if n_dyads > MAX_DYADS:
        raise ParameterError(
            f"The 'n_dyads' parameter of {func} must be at most {MAX_DYADS:,} (the dyads the "
            f"user-assigned country codes can name). Got {n_dyads:,} instead."
        )
    year_array = np.asarray(list(years), dtype=np.int64)
    if year_array.size < 2 or np.any(np.diff(year_array) != 1):
        raise ParameterError(f"The 'years' parameter of {func} must be consecutive years.")
    bounds = tuple(int(b) for b in boundaries)
    if any(not year_array[0] < b <= year_array[-1] for b in bounds) or list(bounds) != sorted(
        set(bounds)
    ):
        raise ParameterError(
            f"The 'boundaries' parameter of {func} must be increasing years in "
            f"{year_array[0] + 1}..{year_array[-1]}. Got {list(bounds)} instead."
        )
    if rates is not None:
        per_segment = np.asarray(rates, dtype=float)
    else:
        ratios = np.ones(len(bounds)) if rate_ratios is None else np.asarray(rate_ratios, float)
        if ratios.size != len(bounds):
            raise ParameterError(
                f"The 'rate_ratios' parameter of {func} needs one ratio per boundary "
                f"({len(bounds)}). Got {list(ratios)} instead."
            )
        per_segment = base_rate * np.concatenate([[1.0], np.cumprod(ratios)])
    if (
        per_segment.size != len(bounds) + 1
        or np.any(per_segment < 0)
        or not np.all(np.isfinite(per_segment))
    ):
        raise ParameterError(
            f"{func} needs one non-negative finite rate per period "
            f"({len(bounds) + 1}); got {per_segment.tolist()}."
        )
    if np.any(per_segment > MAX_RATE):
        raise ParameterError(
            f"{func} simulates at most {MAX_RATE:,.0f} events per dyad and year (each one "
            f"is drawn and held); got rates {per_segment.tolist()}."
        )
    if documents < 0:
        raise ParameterError(f"The 'documents' parameter of {func} must be >= 0.")
    return Design(
        year_array,
        bounds,
        np.tile(per_segment, (n_dyads, 1)),
        _mix(level_mix, DEFAULT_LEVEL_MIX, LEVELS, "level_mix"),
        _mix(kind_mix, DEFAULT_KIND_MIX, KINDS, "kind_mix"),
        float(documents),
        root_seed(rng, func),
    )


def column_chunks(d: Design, chunk_dyads: int) -> Iterator[EventColumns]:
    """Yield events in chunks of whole dyad blocks (at least ``chunk_dyads`` dyads each)."""
    n_dyads = d.rates.shape[0]
    blocks_per_chunk = max(1, -(-chunk_dyads // DYAD_BLOCK))
    rates = d.period_rates
    for first_block in range(0, -(-n_dyads // DYAD_BLOCK), blocks_per_chunk):
        parts = []
        for block in range(first_block, first_block + blocks_per_chunk):
            lo, hi = block * DYAD_BLOCK, min((block + 1) * DYAD_BLOCK, n_dyads)
            if lo >= hi:
                break
            parts.append(_block(d, rates[lo:hi], lo, block))
        yield EventColumns(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("dyad", "period", "level", "kind", "documents")
            )
        )


def _block(d: Design, rates: np.ndarray, first_dyad: int, block: int) -> EventColumns:
    generator = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(d.seed, spawn_key=(block,)))
    )
    counts = generator.poisson(rates)  # (dyads, years)
    cells = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    dyad = (cells // counts.shape[1] + first_dyad).astype(np.int32)
    period = (cells % counts.shape[1]).astype(np.int32)
    level = generator.choice(len(LEVELS), size=cells.size, p=d.level_p).astype(np.int8)
    kind = generator.choice(len(KINDS), size=cells.size, p=d.kind_p).astype(np.int8)
    documents = generator.poisson(d.documents, size=cells.size).astype(np.int16)
    return EventColumns(dyad, period, level, kind, documents)
