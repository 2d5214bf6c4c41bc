"""Concordance of a hand-coded event list with a machine-coded archive: which hand-coded
events have a machine-coded counterpart and which machine-coded events the hand list
lacks, with recall and precision by year.

Two events correspond when they are between the same countries (in the same direction,
unless ``either_direction``), of corresponding kinds, and their dates lie within
``window_days`` of each other. A date known only to the month or year spans that month or
year, and ``date_end`` extends it. Recall is the share of hand-coded events with at least
one counterpart; precision the share of machine-coded events (of the hand list's dyads and
years) with at least one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..events.dates import earliest_key, latest_key, parse_dates
from ..events.schema import _validate
from ..exceptions import ParameterError

__all__ = ["DEFAULT_KIND_PAIRS", "Concordance", "concordance"]

#: Which machine-coded kinds count as the counterpart of each hand-coded kind.
DEFAULT_KIND_PAIRS: dict[str, tuple[str, ...]] = {
    "state_visit": ("visit",),
    "official_visit": ("visit",),
    "working_visit": ("visit",),
    "multilateral_meeting": ("third_location_meeting", "multilateral_meeting", "visit"),
}


@dataclass(frozen=True)
class Concordance:
    """Result of :func:`concordance`.

    Attributes
    ----------
    pairs : DataFrame
        One row per corresponding pair: ``hand_id``, ``machine_id``, ``days_apart`` (0 when
        the machine date lies inside the hand-coded span).
    hand, machine : DataFrame
        Each event with ``matched`` (has a counterpart) and ``n_matches``.
    by_year : DataFrame
        Per year: hand-coded events, those matched, recall; machine-coded events, those
        matched, precision.
    parameters : dict
        ``window_days``, ``either_direction`` and the kind pairs used.
    """

    pairs: pd.DataFrame
    hand: pd.DataFrame
    machine: pd.DataFrame
    by_year: pd.DataFrame
    parameters: dict[str, Any]

    @property
    def recall(self) -> float:
        """Share of hand-coded events with a machine-coded counterpart."""
        return float(self.hand["matched"].mean()) if len(self.hand) else float("nan")

    @property
    def precision(self) -> float:
        """Share of machine-coded events with a hand-coded counterpart."""
        return float(self.machine["matched"].mean()) if len(self.machine) else float("nan")

    def missing_from_hand(self) -> pd.DataFrame:
        """Machine-coded events with no hand-coded counterpart."""
        return self.machine[~self.machine["matched"]]

    def unmatched_hand(self) -> pd.DataFrame:
        """Hand-coded events the archive does not report."""
        return self.hand[~self.hand["matched"]]

    def to_frame(self) -> pd.DataFrame:
        """Recall and precision by year."""
        return self.by_year

    def summary(self) -> str:
        """Recall, precision and the years, as text."""
        p = self.parameters
        lines = [
            f"Concordance: {len(self.hand)} hand-coded and {len(self.machine)} machine-coded "
            f"events, dates within {p['window_days']} days, "
            + ("either direction" if p["either_direction"] else "same direction"),
            f"  recall {self.recall:.2f} ({int(self.hand['matched'].sum())} of "
            f"{len(self.hand)} hand-coded events found in the archive)",
            f"  precision {self.precision:.2f} ({int(self.machine['matched'].sum())} of "
            f"{len(self.machine)} machine-coded events are on the hand list)",
            "",
            self.by_year.to_string(float_format=lambda x: f"{x:.2f}"),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "parameters": self.parameters,
            "recall": self.recall,
            "precision": self.precision,
            "by_year": self.by_year.reset_index().to_dict(orient="records"),
            "pairs": self.pairs.to_dict(orient="records"),
        }


def concordance(
    hand_coded: pd.DataFrame,
    machine_coded: pd.DataFrame,
    *,
    window_days: int = 3,
    either_direction: bool = False,
    kind_pairs: Mapping[str, Sequence[str]] | None = None,
) -> Concordance:
    """Match a hand-coded event list against machine-coded events.

    Parameters
    ----------
    hand_coded, machine_coded : DataFrame
        Event tables (validated here if they have not been; a machine table keeps the
        vocabularies its reader gave it).
    window_days : int
        Largest gap, in days, between corresponding dates.
    either_direction : bool
        Let an A→B hand-coded event match a B→A machine-coded one.
    kind_pairs : mapping, optional
        Hand-coded kind → machine-coded kinds that correspond (default
        :data:`DEFAULT_KIND_PAIRS`; a hand kind not listed matches any kind).

    Returns
    -------
    Concordance

    Examples
    --------
    >>> import pandas as pd, periodize as pz
    >>> hand = pd.DataFrame({"date": ["2019-10", "2022-08-17"], "actor": ["MNG", "KAZ"],
    ...     "target": ["KAZ", "MNG"], "level": ["head_of_state"] * 2,
    ...     "kind": ["official_visit", "state_visit"]})
    >>> machine = pd.DataFrame({"date": ["2019-10-24", "2021-03-01"],
    ...     "actor": ["MNG", "MNG"], "target": ["KAZ", "KAZ"], "level": ["executive"] * 2,
    ...     "kind": ["visit", "visit"]})
    >>> c = pz.concordance(hand, machine.assign(level="other_official", kind="other"),
    ...                    kind_pairs={"official_visit": ["other"], "state_visit": ["other"]})
    >>> c.recall, c.precision
    (0.5, 0.5)
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise ParameterError(f"'window_days' must be a whole number of days; got {window_days!r}.")
    if window_days < 0:
        raise ParameterError(f"'window_days' must be 0 or more; got {window_days!r}.")
    pairs_of_kinds = dict(DEFAULT_KIND_PAIRS if kind_pairs is None else kind_pairs)
    hand = _spans(_validate(hand_coded))
    machine = _spans(_validate(machine_coded))
    years = (hand["year"].min(), hand["year"].max())
    dyads = set(_dyad(hand, either_direction=True))
    machine = machine[
        machine["year"].between(*years) & _dyad(machine, either_direction=True).isin(dyads)
    ].reset_index(drop=True)
    pairs = _pairs(hand, machine, window_days, either_direction, pairs_of_kinds)
    hand_out = _flag(hand, pairs["hand_id"])
    machine_out = _flag(machine, pairs["machine_id"])
    by_year = _by_year(hand_out, machine_out)
    parameters = {
        "window_days": int(window_days),
        "either_direction": bool(either_direction),
        "kind_pairs": {k: list(v) for k, v in pairs_of_kinds.items()},
    }
    return Concordance(pairs, hand_out, machine_out, by_year, parameters)


def _spans(table: pd.DataFrame) -> pd.DataFrame:
    """Earliest and latest day each event may have taken place (``date_end`` extends it)."""
    start, _ = parse_dates(table["date"])
    first, last = earliest_key(start), latest_key(start)
    if "date_end" in table:
        ends, _ = parse_dates(table["date_end"])
        given = ends["precision"] >= 0
        last = np.where(given, latest_key(ends), last)
    as_day = lambda key: pd.to_datetime(pd.Series(key).astype(str), format="%Y%m%d")  # noqa: E731
    return table.assign(first=as_day(first).to_numpy(), last=as_day(last).to_numpy()).reset_index(
        drop=True
    )


def _dyad(table: pd.DataFrame, *, either_direction: bool) -> pd.Series:
    a, t = table["actor"].astype(str), table["target"].astype(str)
    if either_direction:
        a, t = a.where(a < t, t), t.where(a < t, a)
    return a + "->" + t


def _pairs(
    hand: pd.DataFrame,
    machine: pd.DataFrame,
    window: int,
    either_direction: bool,
    kind_pairs: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    left = hand.assign(key=_dyad(hand, either_direction=either_direction))
    right = machine.assign(key=_dyad(machine, either_direction=either_direction))
    both = left[["event_id", "key", "kind", "first", "last"]].merge(
        right[["event_id", "key", "kind", "first", "last"]], on="key", suffixes=("_h", "_m")
    )
    slack = pd.Timedelta(days=window)
    overlaps = (both["first_m"] <= both["last_h"] + slack) & (
        both["last_m"] >= both["first_h"] - slack
    )
    allowed = [
        kind_m in kind_pairs[kind_h] if kind_h in kind_pairs else True
        for kind_h, kind_m in zip(
            both["kind_h"].astype(str), both["kind_m"].astype(str), strict=True
        )
    ]
    both = both[overlaps & np.asarray(allowed, dtype=bool)]
    before = (both["first_h"] - both["last_m"]).dt.days.clip(lower=0)
    after = (both["first_m"] - both["last_h"]).dt.days.clip(lower=0)
    return pd.DataFrame(
        {
            "hand_id": both["event_id_h"].astype(str).to_numpy(),
            "machine_id": both["event_id_m"].astype(str).to_numpy(),
            "days_apart": np.maximum(before, after).to_numpy(dtype=int),
        }
    ).sort_values(["hand_id", "days_apart", "machine_id"], ignore_index=True)


def _flag(table: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    counts = ids.value_counts()
    n = table["event_id"].astype(str).map(counts).fillna(0).astype(int)
    columns = ["event_id", "date", "actor", "target", "kind"]
    return table[columns].assign(matched=n > 0, n_matches=n.to_numpy())


def _by_year(hand: pd.DataFrame, machine: pd.DataFrame) -> pd.DataFrame:
    def per_year(table: pd.DataFrame, prefix: str) -> pd.DataFrame:
        year = table["date"].astype(str).str.slice(0, 4).astype(int)
        grouped = table.groupby(year)["matched"]
        return pd.DataFrame(
            {f"{prefix}_events": grouped.size(), f"{prefix}_matched": grouped.sum()}
        )

    out = per_year(hand, "hand").join(per_year(machine, "machine"), how="outer").fillna(0)
    out = out.astype(int)
    out["recall"] = out["hand_matched"] / out["hand_events"].where(out["hand_events"] > 0)
    out["precision"] = out["machine_matched"] / out["machine_events"].where(
        out["machine_events"] > 0
    )
    out.index.name = "year"
    return out[
        ["hand_events", "hand_matched", "recall", "machine_events", "machine_matched", "precision"]
    ]
