"""IntensitySeries: periods × series of event intensity, with how it was made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..results import Provenance, ResultMixin
from .schemes import WeightingScheme


@dataclass(frozen=True, eq=False, repr=False)
class IntensitySeries(ResultMixin):
    """Zero-filled intensity of events per period and series.

    Attributes
    ----------
    data : DataFrame
        Index: periods of the window (``year`` integers, or a ``PeriodIndex`` for quarters
        and months); columns: one per series (``"all"``, a dyad ``"KAZ-MNG"``, a direction
        ``"KAZ->MNG"``, with ``":<stratum>"`` appended when stratified).
    scheme : WeightingScheme
        The weighting used.
    freq, by, stratify : str or None
        The options it was made with.
    n_events : int
        Number of events aggregated.
    n_unreported_documents : int
        Events without a document count, which add no document weight.
    provenance : Provenance
        Parameters, input hash and versions.
    """

    data: pd.DataFrame
    scheme: WeightingScheme
    freq: str
    by: str | None
    stratify: str | None
    n_events: int
    n_unreported_documents: int
    provenance: Provenance

    @property
    def start(self) -> Any:
        """First period of the window."""
        return self.data.index[0]

    @property
    def end(self) -> Any:
        """Last period of the window."""
        return self.data.index[-1]

    @property
    def is_count(self) -> bool:
        """True when the values are event counts (integer weights), False when weighted."""
        return self.scheme.integer_valued

    @property
    def columns(self) -> list[str]:
        """Names of the series."""
        return list(self.data.columns)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the periods × series table."""
        return self.data.copy()

    def summary(self) -> str:
        """A readable account: window, scheme, totals per series."""
        kind = "counts" if self.is_count else "weighted intensity"
        lines = [
            f"IntensitySeries: {len(self.data.columns)} series × {len(self.data)} "
            f"{self.freq} periods ({self.start}–{self.end}), zero-filled",
            f"scheme: {self.scheme.name} (v{self.scheme.version}; {kind}); "
            f"by: {self.by}; stratify: {self.stratify}",
            f"events: {self.n_events}",
        ]
        if self.scheme.per_document and self.n_unreported_documents:
            lines.append(
                f"note: {self.n_unreported_documents} events have no document count and add "
                "no document weight"
            )
        totals = self.data.sum().to_frame("total").T
        lines.append(totals.to_string(float_format=lambda v: f"{v:g}"))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Values, options and provenance as plain JSON types."""
        return {
            "index": [str(p) for p in self.data.index],
            "series": {c: self.data[c].tolist() for c in self.data.columns},
            "scheme": self.scheme.to_dict(),
            "freq": self.freq,
            "by": self.by,
            "stratify": self.stratify,
            "n_events": self.n_events,
            "n_unreported_documents": self.n_unreported_documents,
            "provenance": self.provenance.to_dict(),
        }
