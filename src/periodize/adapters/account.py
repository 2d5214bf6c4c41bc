"""The row account of an archive reader: every row read is kept, merged or dropped for a
named reason, and ``read = kept + merged + dropped`` is checked before it is returned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .._engines import dask_engine
from ..exceptions import PeriodizeError

__all__ = ["MERGE_REASONS", "REASONS", "RowAccount", "combine", "row_account"]

#: Why a row is dropped, in the order the reader applies them (a row counts under the
#: first reason that drops it).
REASONS: dict[str, str] = {
    "malformed": "the line does not have the format's number of fields",
    "repeated_header": "a second header line inside the file",
    "bad_date": "the date is missing or not a calendar date",
    "outside_window": "dated outside start..end",
    "other_countries": "neither side is in the countries or dyad asked for",
    "invalid_code": "its event code is not a code of the archive's codebook (such as '13y')",
    "code_not_mapped": "its event code is not in the kind mapping (not a visit, say)",
    "missing_country": "an actor or target has no country",
    "unmapped_country": "a country value the tables do not know",
    "not_a_state": "a region, sub-national unit or dissolved territory",
    "historical_state": "a former state's code on a date after the state ended",
    "domestic": "actor and target are the same country",
    "igo_actor": "an actor or target is an international organisation",
    "non_state_actor": "an actor or target is not the state or one of its organs",
}
_ACCOUNT = "periodize_account"


#: Why a row is merged into another event, in the order the rules apply.
MERGE_REASONS: dict[str, str] = {
    "duplicate_row": "an identical copy of another row",
    "duplicate_id": "another version of the same archive id (the earliest date is kept)",
    "mirrored_report": "the other side's report of the same event (043 host a visit of a "
    "042 visit; B meets A of A meets B), same story and day",
    "same_story": "another report of the same event by the same side, same story and day",
    "one_per_day": "one event per day, dyad, direction and code (one_per_day=True)",
}


@dataclass
class RowAccount:
    """What happened to every row an archive reader read.

    Attributes
    ----------
    archive : str
        ``"icews"``, ``"polecat"``, ``"gdelt"`` or ``"phoenix"``.
    files : list of str
        Files (and zip members) read, in order.
    read, kept, merged : int
        Rows read, events kept, rows merged into a kept event.
    merged_by : dict
        Rows merged, per reason (:data:`MERGE_REASONS`).
    dropped : dict
        Rows dropped, per reason (:data:`REASONS`).
    values : dict
        For value-level reasons, the dropped values and their counts (``{"unmapped_country":
        {"Atlantis": 3}}``).
    malformed : list
        ``(file, line, number of fields)`` of malformed lines (the first 100).
    exposure : dict
        Rows with a valid date per day (``"YYYY-MM-DD"``), before any filter: the archive's
        own volume, for exposure offsets.
    exposure_by_country : dict
        With ``exposure_by="country"``: rows per day in which each country (the archive's
        own value) is actor or target, before any filter.

    Examples
    --------
    >>> a = RowAccount("gdelt", read=5, kept=2, merged=1, dropped={"domestic": 2})
    >>> a.check(); a.to_frame()["rows"].tolist()
    [5, 2, 1, 2]
    """

    archive: str
    files: list[str] = field(default_factory=list)
    read: int = 0
    kept: int = 0
    merged: int = 0
    merged_by: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    values: dict[str, dict[str, int]] = field(default_factory=dict)
    malformed: list[tuple[str, int, int]] = field(default_factory=list)
    exposure: dict[str, int] = field(default_factory=dict)
    exposure_by_country: dict[str, dict[str, int]] = field(default_factory=dict)

    def drop(self, reason: str, count: int, values: Any = None) -> None:
        """Record ``count`` rows dropped for ``reason`` (and which values, if given)."""
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)
        if values is not None and len(values):
            tally = Counter(self.values.get(reason, {}))
            if isinstance(values, Mapping):
                tally.update({str(k): int(v) for k, v in values.items()})
            else:
                tally.update(pd.Series(values, dtype=object).fillna("<missing>").astype(str))
            self.values[reason] = dict(tally.most_common())

    def merge(self, reason: str, count: int) -> None:
        """Record ``count`` rows merged into another event for ``reason``."""
        if count:
            self.merged += int(count)
            self.merged_by[reason] = self.merged_by.get(reason, 0) + int(count)

    def check(self) -> None:
        """Raise if the rows do not add up (a bug, never a user error)."""
        total = self.kept + self.merged + sum(self.dropped.values())
        if total != self.read:
            raise PeriodizeError(
                f"Row account of {self.archive} does not add up: read {self.read} but kept "
                f"{self.kept} + merged {self.merged} + dropped {sum(self.dropped.values())} "
                f"= {total}. Please report this."
            )

    def to_frame(self) -> pd.DataFrame:
        """One line per outcome: read, kept, merged, then each drop reason."""
        rows = [("read", self.read, ""), ("kept", self.kept, ""), ("merged", self.merged, "")]
        rows += [(f"merged: {r}", n, MERGE_REASONS.get(r, "")) for r, n in self.merged_by.items()]
        rows += [(f"dropped: {r}", n, REASONS.get(r, "")) for r, n in sorted(self.dropped.items())]
        return pd.DataFrame(rows, columns=["outcome", "rows", "meaning"]).set_index("outcome")

    def summary(self) -> str:
        """The account as text, with the most frequent dropped values."""
        lines = [f"{self.archive}: {self.read:,} rows read from {len(self.files)} file(s)"]
        lines.append(f"  kept {self.kept:,} events; merged {self.merged:,} duplicate reports")
        if self.merged_by:
            lines[-1] += " (" + ", ".join(f"{n:,} {r}" for r, n in self.merged_by.items()) + ")"
        for reason, n in sorted(self.dropped.items(), key=lambda item: -item[1]):
            top = list(self.values.get(reason, {}).items())[:5]
            shown = "; ".join(f"{v!r} ×{c}" for v, c in top)
            lines.append(f"  dropped {n:,}: {reason}" + (f" ({shown})" if shown else ""))
        for name, line, fields in self.malformed[:5]:
            lines.append(f"  malformed: {name}, line {line}: {fields} fields")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (stored in the event table's ``attrs``)."""
        return {
            "archive": self.archive,
            "files": list(self.files),
            "read": self.read,
            "kept": self.kept,
            "merged": self.merged,
            "merged_by": dict(self.merged_by),
            "dropped": dict(self.dropped),
            "values": {k: dict(v) for k, v in self.values.items()},
            "malformed": [list(m) for m in self.malformed],
            "exposure": dict(self.exposure),
            "exposure_by_country": {k: dict(v) for k, v in self.exposure_by_country.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowAccount:
        """Read back :meth:`to_dict`."""
        fields = dict(data)
        fields["malformed"] = [tuple(m) for m in fields.get("malformed", [])]
        return cls(**fields)


def combine(accounts: list[RowAccount]) -> RowAccount:
    """One account of many reads of the same archive (for example one per file)."""
    total = RowAccount(accounts[0].archive if accounts else "")
    for account in accounts:
        total.files += account.files
        total.read += account.read
        total.kept += account.kept
        total.merged += account.merged - sum(account.merged_by.values())
        for reason, n in account.merged_by.items():
            total.merge(reason, n)
        for reason, n in account.dropped.items():
            total.drop(reason, n, account.values.get(reason))
        total.malformed += account.malformed[: max(0, 100 - len(total.malformed))]
        for day, n in account.exposure.items():
            total.exposure[day] = total.exposure.get(day, 0) + n
        for country, days in account.exposure_by_country.items():
            into = total.exposure_by_country.setdefault(country, {})
            for day, n in days.items():
                into[day] = into.get(day, 0) + n
    return total


def row_account(events: Any) -> RowAccount:
    """The row account an archive reader attached to its event table (also after a Parquet
    round trip).

    Raises
    ------
    PeriodizeError
        If the table did not come from an archive reader.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame()
    >>> table.attrs[_ACCOUNT] = RowAccount("icews", read=3, kept=3).to_dict()
    >>> row_account(table).kept
    3
    """
    if type(events).__module__.split(".")[0] in ("dask", "dask_expr"):
        accounts = dask_engine("partition_accounts")(events)
        return combine([RowAccount.from_dict(a) for a in accounts])
    data = events.attrs.get(_ACCOUNT)
    if data is None:
        raise PeriodizeError(
            "This event table carries no row account: it was not read by read_icews, "
            "read_polecat, read_gdelt or read_phoenix (or its attrs were dropped)."
        )
    return RowAccount.from_dict(data)
