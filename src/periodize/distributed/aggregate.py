"""Intensity of a Dask DataFrame of events: every partition is aggregated where it lies
(validated, weighted and summed by :func:`periodize.intensity` itself, so the rules are the
in-memory ones), and only the small per-partition sums travel to be added up.

The window, by default the span of the events, and the series, those with at least one
event, are decided from all partitions together, so the result does not depend on how the
events are partitioned or ordered (tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._limits import check_memory
from .._typing import By, Freq, PathLike, Stratify
from ..events.digest import cell_hashes, combine, has_repeat, partial_digest
from ..events.seal import remembered_hashes
from ..exceptions import EventSchemaError, ParameterError
from ..intensity.compute import provenance_parameters
from ..intensity.schemes import WeightingScheme, get_scheme
from ..intensity.series import IntensitySeries
from ..periods import period_index, window_ordinal
from ..results import Provenance

__all__ = ["dask_intensity", "is_dask"]

_COLUMNS = ["series", "period", "value", "events"]


def is_dask(frame: Any) -> bool:
    """True for a Dask DataFrame (checked without importing Dask)."""
    return type(frame).__module__.split(".")[0] in ("dask", "dask_expr")


def _partial(frame: pd.DataFrame, *options: Any, partition_info: dict | None = None) -> Any:
    """One partition's sums per (series, period ordinal), its number and row-hash digest
    (``options``: scheme, freq, by, stratify, as :func:`_partial_and_ids` takes them)."""
    return _partial_and_ids(frame, *options, partition_info=partition_info)[0]


def _partial_and_ids(
    frame: pd.DataFrame,
    scheme: WeightingScheme,
    freq: Freq,
    by: By,
    stratify: Stratify,
    *,
    partition_info: dict | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`_partial`, and the 64-bit hashes of the partition's event ids (the ones
    validation computed, where it kept them; none without ids)."""
    from ..intensity.compute import _aggregate

    number = -1 if partition_info is None else int(partition_info["number"])
    if len(frame) == 0:
        return pd.DataFrame(
            {"series": pd.Series(dtype=object), "period": pd.Series(dtype=np.int64),
             "value": pd.Series(dtype=float), "events": pd.Series(dtype=np.int64),
             "partition": pd.Series(dtype=np.int64), "rows": pd.Series(dtype=np.int64),
             "digest_sum": pd.Series(dtype=np.uint64),
             "digest_xor": pd.Series(dtype=np.uint64),
             "unreported": pd.Series(dtype=np.int64)}
        ), _NO_IDS  # fmt: skip
    try:
        weighted, cells, table = _aggregate(
            frame, scheme, freq, None, None, by, stratify, True, False
        )
    except EventSchemaError as error:  # rows of a raw partition: say which partition
        raise EventSchemaError(error.problems, error.source or f"partition {number}") from None
    ordinals = _ordinals(weighted.data.index, freq)
    value = weighted.data.to_numpy()
    events = np.asarray(cells).astype(np.int64)
    rows, cols = np.nonzero(events)
    coded, known = remembered_hashes(table)  # the validated table's, its seal checked
    if "event_id" in table.columns and "event_id" not in known:
        known["event_id"] = cell_hashes(table["event_id"])
    n_rows, digest_sum, digest_xor = partial_digest(table, known, coded)
    sums = pd.DataFrame(
        {
            "series": np.asarray(weighted.data.columns, dtype=object)[cols],
            "period": ordinals[rows],
            "value": value[rows, cols],
            "events": events[rows, cols],
            "partition": np.full(rows.size, number, dtype=np.int64),
            "rows": np.full(rows.size, n_rows, dtype=np.int64),
            "digest_sum": np.full(rows.size, digest_sum, dtype=np.uint64),
            "digest_xor": np.full(rows.size, digest_xor, dtype=np.uint64),
            "unreported": np.full(rows.size, weighted.n_unreported_documents, dtype=np.int64),
        }
    )
    return sums, known.get("event_id", _NO_IDS)


_NO_IDS = np.zeros(0, dtype=np.uint64)


def _ordinals(index: pd.Index, freq: str) -> np.ndarray:
    if freq == "year":
        return index.to_numpy(dtype=np.int64)
    return np.array([window_ordinal(str(p), freq, "period", "intensity") for p in index])


def dask_intensity(
    events: Any,
    scheme: str | Mapping[str, Any] | WeightingScheme | PathLike = "count",
    *,
    freq: Freq = "year",
    start: Any = None,
    end: Any = None,
    by: By = "dyad",
    stratify: Stratify = None,
    lazy: bool = False,
) -> Any:
    """:func:`periodize.intensity` of a Dask DataFrame of events (see that function).

    With ``lazy=True`` the result stays on the cluster: a Dask DataFrame in long format
    (``series``, ``period`` ordinal, ``value``, ``events``), for panels too large to bring
    back as one periods × series table.

    Examples
    --------
    >>> import dask.dataframe as dd, periodize as pz
    >>> events = pz.datasets.mongolia_kazakhstan()
    >>> lazy = dd.from_pandas(events, npartitions=3)
    >>> dask_intensity(lazy).data.equals(pz.intensity(events).data)
    True
    """
    import dask

    resolved = get_scheme(scheme)
    if lazy:
        meta = _partial(events._meta, resolved, freq, by, stratify)
        partials = events.map_partitions(_partial, resolved, freq, by, stratify, meta=meta)
        return partials.groupby(["series", "period"])[["value", "events"]].sum().reset_index()
    # one task per partition: its sums and its ids' hashes, split into buckets by value;
    # one task per bucket then looks for a hash two partitions share (compiled, one pass)
    buckets = max(1, events.npartitions // PARTITIONS_PER_BUCKET)
    summaries = [
        dask.delayed(_summary, nout=1 + buckets)(
            part, resolved, freq, by, stratify, number, buckets
        )
        for number, part in enumerate(events.to_delayed())
    ]
    shared = [
        dask.delayed(_shares_a_hash)(*(summary[1 + b] for summary in summaries))
        for b in range(buckets)
    ]
    parts, flags = dask.compute([summary[0] for summary in summaries], shared)
    sums = pd.concat(parts, ignore_index=True)
    if any(flags):  # the rare case: which ids, how many (a hash shared may be a collision)
        hashes = events.map_partitions(_id_hashes, meta=("event_id", "u8"))
        counts = hashes.value_counts(split_out=buckets)
        n_repeated = int((counts > 1).sum().compute())
        example = _repeated_id(events, counts)
        if example is not None:
            raise ParameterError(
                f"{int(n_repeated):,} event ids occur in more than one partition (file), "
                f"such as {example!r}: the same events would be counted twice. Read each "
                "file once, or give the events of different files different ids (the "
                "in-memory reader refuses repeated ids likewise)."
            )
    return _assemble(
        sums, resolved, freq, by, stratify, start, end, events.npartitions, list(events.columns)
    )


#: Partitions whose id hashes one bucket gathers: with files of about two million events,
#: some eight million ids per bucket, whose check holds about 40 bytes per id at once (the
#: hashes, their concatenation and the set); 64 made one bucket of 10^8 ids hold 4 GB.
PARTITIONS_PER_BUCKET = 4


def _summary(
    frame: pd.DataFrame,
    scheme: WeightingScheme,
    freq: Freq,
    by: By,
    stratify: Stratify,
    number: int,
    buckets: int,
) -> tuple[Any, ...]:
    """One partition's sums (:func:`_partial`), then its ids' 64-bit hashes in ``buckets``
    arrays by value (none without ids); the hashes are computed once, for both."""
    sums, ids = _partial_and_ids(
        frame, scheme, freq, by, stratify, partition_info={"number": number}
    )
    bucket = ids % np.uint64(buckets)
    return (sums, *(ids[bucket == b] for b in range(buckets)))


def _shares_a_hash(*hashes: np.ndarray) -> bool:
    """Whether a hash occurs twice among the partitions' (each partition's ids are
    distinct, as validation made them)."""
    return bool(has_repeat(np.concatenate([np.zeros(0, np.uint64), *hashes])))


def _id_hashes(frame: pd.DataFrame) -> pd.Series:
    """64-bit hashes of a partition's event ids (what travels to find ids shared by
    partitions); none for a partition that kept no events."""
    none = pd.Series(np.array([], dtype=np.uint64), name="event_id")
    if "event_id" not in frame.columns:
        return none
    hashes = cell_hashes(frame["event_id"])  # compiled, from the text's bytes
    return pd.Series(hashes, index=frame.index, name="event_id")


def _repeated_id(events: Any, counts: Any) -> str | None:
    """One event id that really occurs twice, read back from the rows whose 64-bit hash
    occurs twice (a second pass, only when there are such rows), or None where every such
    hash is two different ids (a collision, likely only among billions of ids). At most
    :data:`_CHECKED` hashes are read back; if none of them is a real repeat, the ids are
    taken as repeated (that many collisions do not happen)."""
    targets = counts[counts > 1].head(_CHECKED, npartitions=-1).index.to_numpy()
    rows = events.map_partitions(_with_hash, targets, meta={"event_id": object}).compute()
    ids = rows["event_id"].astype(object)
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        return str(repeated.iloc[0])
    return None if len(targets) < _CHECKED else str(ids.iloc[0])


#: The most repeated hashes read back to find a repeated id.
_CHECKED = 1000


def _with_hash(frame: pd.DataFrame, targets: np.ndarray) -> pd.DataFrame:
    """The partition's rows whose event id hashes to one of ``targets`` (their ids only)."""
    if "event_id" not in frame.columns:
        return pd.DataFrame({"event_id": pd.Series(dtype=object)})
    keep = np.isin(_id_hashes(frame).to_numpy(), targets)
    return frame.loc[keep, ["event_id"]].astype({"event_id": object})


def _assemble(
    sums: pd.DataFrame,
    scheme: WeightingScheme,
    freq: str,
    by: str | None,
    stratify: str | None,
    start: Any,
    end: Any,
    n_partitions: int,
    columns: list[str],
) -> IntensitySeries:
    func = "intensity"
    if sums.empty:
        raise ParameterError(
            "The Dask DataFrame holds no events: every partition is empty (the files hold "
            "none, or none in the years, countries, levels and kinds read)."
        )
    first = sums["period"].min() if start is None else window_ordinal(start, freq, "start", func)
    last = sums["period"].max() if end is None else window_ordinal(end, freq, "end", func)
    outside = sums[(sums["period"] < first) | (sums["period"] > last)]
    if len(outside):
        index = period_index(first, last, freq)
        raise ParameterError(
            f"{int(outside['events'].sum())} events fall outside the window "
            f"{index[0]}–{index[-1]}: widen start/end, or keep only the window's events when "
            "reading them (read_events(..., engine='dask', start=..., end=...))."
        )
    table = sums.groupby(["series", "period"], sort=True)[["value", "events"]].sum()
    n_series = table.index.get_level_values("series").nunique()
    check_memory(
        3 * 8 * (last - first + 1) * n_series,
        f"Intensity series of {n_series} series × {last - first + 1} periods",
        "keep the panel on the cluster with periodize.distributed.dask_intensity(..., "
        "lazy=True), narrow the window, or use a coarser freq",
    )
    wide = table["value"].unstack("series", fill_value=0.0)
    index = period_index(first, last, freq)
    data = wide.reindex(np.arange(first, last + 1), fill_value=0.0)
    data = data.reindex(columns=sorted(data.columns))
    data.index = index
    data.columns = pd.Index(list(data.columns), name="series")
    n_events = int(sums["events"].sum())
    per_partition = sums.drop_duplicates("partition")
    parts = [
        (int(r.rows), int(r.digest_sum), int(r.digest_xor)) for r in per_partition.itertuples()
    ]
    provenance = Provenance(
        function="intensity",
        parameters={
            **provenance_parameters(scheme, freq, index, by, stratify),
            "engine": "dask",
            "partitions": int(n_partitions),
        },
        input_sha256=combine(columns, parts),
    )
    return IntensitySeries(
        data=data.astype(float),
        scheme=scheme,
        freq=freq,
        by=by,
        stratify=stratify,
        n_events=n_events,
        n_unreported_documents=int(per_partition["unreported"].sum()),
        provenance=provenance,
    )
