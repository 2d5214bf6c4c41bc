"""Text description of an event table and its intensity under every built-in scheme."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..exceptions import EventSchemaError
from ..intensity import SCHEMES, intensity, period_summary

__all__ = ["describe_data", "describe_events", "scheme_table"]


def _counts(values: pd.Series) -> str:
    counts = values.astype(str).value_counts()
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def describe_events(events: pd.DataFrame, name: str = "event table") -> str:
    """A plain-text summary of a validated event table.

    Examples
    --------
    >>> import periodize as pz
    >>> print(describe_events(pz.datasets.mongolia_kazakhstan()).splitlines()[0])
    event table: 26 events, 1992–2025 (34 years), 1 dyad, 2 directions
    """
    years = events["year"]
    directions = events["actor"] + "->" + events["target"]
    dyads = {tuple(sorted(p)) for p in zip(events["actor"], events["target"], strict=True)}
    first, last = int(years.min()), int(years.max())
    lines = [
        f"{name}: {len(events)} events, {first}–{last} ({last - first + 1} years), "
        f"{len(dyads)} dyad{'s' if len(dyads) != 1 else ''}, "
        f"{directions.nunique()} direction{'s' if directions.nunique() != 1 else ''}",
        f"  direction:  {_counts(directions)}",
        f"  level:      {_counts(events['level'])}",
        f"  kind:       {_counts(events['kind'])}",
        f"  precision:  {_counts(events['precision'])}",
    ]
    if "confidence" in events:
        lines.append(f"  confidence: {_counts(events['confidence'].dropna())}")
    if "note" in events:
        conflicts = events["note"].fillna("").str.contains("CONFLICT")
        if conflicts.any():
            ids = ", ".join(events.loc[conflicts, "event_id"])
            lines.append(f"  rows marked CONFLICT ({int(conflicts.sum())}): {ids}")
    return "\n".join(lines)


def scheme_table(
    events: pd.DataFrame, start: int | None = None, end: int | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Yearly intensity of all events under every built-in scheme, plus counts by direction,
    over the window ``start``..``end`` (default the span of the events).

    Returns the table and a note for each scheme that does not apply to these events.
    """
    columns: dict[str, pd.Series] = {}
    notes = []
    for name in SCHEMES:
        try:
            columns[name] = intensity(events, name, by=None, start=start, end=end).data["all"]
        except EventSchemaError as error:
            notes.append(f"{name}: not computed: {error.problems[0].expected}")
    by_direction = intensity(events, "count", by="direction", start=start, end=end).data
    for column in by_direction:
        columns[f"count {column}"] = by_direction[column]
    return pd.DataFrame(columns), notes


def describe_text(events: pd.DataFrame, name: str, boundaries: Sequence[int] | None) -> str:
    """The text ``periodize describe`` prints."""
    parts = [describe_events(events, name)]
    if boundaries:
        summary = period_summary(events, boundaries)
        flat = summary.copy()
        flat.columns = [
            b if a in ("direction", "level", "kind") and b else (f"{a} {b}".strip())
            for a, b in summary.columns
        ]
        parts += [
            "",
            f"Events per period at the boundaries {', '.join(map(str, boundaries))} "
            "(descriptive counts; no test):",
            flat.T.to_string(float_format=lambda v: f"{v:g}"),
        ]
    table, notes = scheme_table(events)
    parts += [
        "",
        "Yearly intensity under every built-in scheme (zero-filled; by dyad total, and "
        "counts by direction):",
        table.to_string(float_format=lambda v: f"{v:g}"),
        *notes,
    ]
    return "\n".join(parts)


def describe_data(
    events: pd.DataFrame, name: str, boundaries: Sequence[int] | None
) -> dict[str, object]:
    """What ``periodize describe --json`` prints: the counts of :func:`describe_events`,
    the events per period at ``boundaries`` and the yearly intensity under every scheme."""
    directions = events["actor"] + "->" + events["target"]
    table, notes = scheme_table(events)
    data: dict[str, object] = {
        "name": name,
        "n_events": len(events),
        "first_year": int(events["year"].min()),
        "last_year": int(events["year"].max()),
        "counts": {
            "direction": directions.value_counts().to_dict(),
            **{c: events[c].astype(str).value_counts().to_dict() for c in ("level", "kind")},
        },
        "intensity": {
            column: {str(year): float(v) for year, v in table[column].items()}
            for column in table.columns
        },
        "notes": notes,
    }
    if boundaries:
        summary = period_summary(events, boundaries)
        data["periods"] = {
            str(period): {" ".join(map(str, k)).strip(): float(v) for k, v in row.items()}
            for period, row in summary.iterrows()
        }
    return data
