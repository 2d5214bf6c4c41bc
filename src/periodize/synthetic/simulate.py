"""``simulate_events``: event tables with known periods, as tables or streamed columns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from .._typing import RandomState
from .._validation import check_int
from ..events.schema import validate_events
from ..events.vocabulary import KINDS, LEVELS
from .codes import dyad_codes
from .events import Design, EventColumns, column_chunks, design


def simulate_events(
    n_dyads: int,
    years: Sequence[int],
    boundaries: Sequence[int],
    *,
    base_rate: float = 1.0,
    rate_ratios: Sequence[float] | None = None,
    rates: Sequence[float] | None = None,
    level_mix: Mapping[str, float] | None = None,
    kind_mix: Mapping[str, float] | None = None,
    documents: float = 0.5,
    rng: RandomState = 0,
    stream: bool = False,
    chunk_dyads: int = 1024,
    columnar: bool = False,
) -> Any:
    """Simulate events whose yearly rate changes at known boundaries.

    Every dyad has the same periods: rate ``base_rate`` before the first boundary, then
    multiplied by each of ``rate_ratios`` in turn (or give ``rates``, one per period). Each
    event gets a level and kind drawn from ``level_mix``/``kind_mix`` and a Poisson number of
    signed documents with mean ``documents``. Dyads are pairs of ISO user-assigned codes
    (``XAA``…), which no real country has; tables are validated with those codes allowed.

    Randomness is drawn per block of 64 dyads from ``SeedSequence(seed, spawn_key=(block,))``,
    so the events are the same whatever ``chunk_dyads`` is.

    The design has no defaults: the number of dyads, the consecutive ``years`` and the
    ``boundaries`` (first years of new periods, possibly none) are the question a
    simulation asks.

    Parameters
    ----------
    stream : bool
        Yield chunks (of at least ``chunk_dyads`` dyads) instead of returning everything:
        10^8 events can be generated and aggregated within memory.
    columnar : bool
        Integer-coded :class:`EventColumns` instead of event tables (the fast path used by
        the benchmarks).

    Returns
    -------
    (events, truth)
        ``events`` is a validated DataFrame, an ``EventColumns``, or an iterator of either
        (``stream=True``); ``truth`` is a DataFrame with each dyad's codes, boundaries and
        rate per period.

    Examples
    --------
    >>> events, truth = simulate_events(3, range(2000, 2010), (2005,), base_rate=2.0,
    ...                                 rate_ratios=(0.5,), rng=1)
    >>> truth.iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'dyad': 'AAA-AAB', 'actor': 'AAA', 'target': 'AAB', 'boundaries': (2005,),
     'rates': (2.0, 1.0)}
    """
    d = design(
        n_dyads,
        years,
        boundaries,
        base_rate,
        rate_ratios,
        rates,
        level_mix,
        kind_mix,
        documents,
        rng,
    )
    _check_size(d, stream, chunk_dyads, columnar)
    actors, targets = dyad_codes(n_dyads)
    truth = pd.DataFrame(
        {
            "dyad": [f"{a}-{t}" for a, t in zip(actors, targets, strict=True)],
            "actor": actors,
            "target": targets,
            "boundaries": [d.boundaries] * n_dyads,
            "rates": [tuple(float(r) for r in row) for row in d.rates],
        }
    )
    chunks = column_chunks(d, chunk_dyads if stream else n_dyads)
    convert = (lambda c: c) if columnar else (lambda c: to_table(c, d.years, actors, targets))
    if stream:
        return (convert(c) for c in chunks), truth
    return convert(next(iter(chunks))), truth


#: Measured bytes per simulated event: integer columns, and a validated event table.
BYTES_PER_EVENT = {True: 16, False: 400}


def _check_size(d: Design, stream: bool, chunk_dyads: int, columnar: bool) -> None:
    """Refuse simulations whose dyads cannot be named or whose events would not fit."""
    n_dyads = d.rates.shape[0]
    chunk_dyads = check_int(chunk_dyads, name="chunk_dyads", func="simulate_events", minimum=1)
    segment = np.searchsorted(np.asarray(d.boundaries), d.years, side="right")
    per_dyad = float(d.rates[0, segment].sum())  # every dyad has the same design
    at_once = min(n_dyads, chunk_dyads) if stream else n_dyads
    check_memory(
        # expected events plus six standard deviations, so a chance excess still fits
        (at_once * per_dyad + 6 * (at_once * per_dyad) ** 0.5) * BYTES_PER_EVENT[columnar],
        f"Simulating {n_dyads:,} dyads {'in chunks ' if stream else ''}(about "
        f"{n_dyads * per_dyad:,.0f} events)",
        "use stream=True with a smaller chunk_dyads, columnar=True, or fewer dyads"
        if not stream
        else "lower chunk_dyads",
    )


def to_table(
    columns: EventColumns, years: np.ndarray, actors: list[str], targets: list[str]
) -> pd.DataFrame:
    """Event columns as a validated event table (one row per event)."""
    actor = np.asarray(actors)[columns.dyad]
    target = np.asarray(targets)[columns.dyad]
    flip = (np.arange(len(columns)) % 2).astype(bool)  # both directions occur
    table = pd.DataFrame(
        {
            "event_id": [f"sim{i}" for i in range(len(columns))],
            "date": years[columns.period].astype(str),
            "actor": np.where(flip, target, actor),
            "target": np.where(flip, actor, target),
            "level": np.asarray(LEVELS)[columns.level],
            "kind": np.asarray(KINDS)[columns.kind],
            "documents_signed": columns.documents.astype(np.int64),
            "source": "simulated",
        }
    )
    return validate_events(table, extra_codes=set(actors) | set(targets))


def stream_intensity(
    chunks: Iterator[EventColumns], n_dyads: int, n_years: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Aggregate streamed event columns into a ``(n_years, n_dyads)`` count (or weighted)
    array, one chunk at a time; ``weights`` is a level × kind table."""
    from ..intensity.aggregate import accumulate

    total = np.zeros((n_years, n_dyads))
    for chunk in chunks:
        w = None if weights is None else weights[chunk.level, chunk.kind]
        total += accumulate(chunk.period, chunk.dyad, w, n_years, n_dyads)
    return total
