"""Comparison: the result of :func:`periodize.compare_periodizations`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...results import Provenance, ResultMixin, plain

#: Columns of :attr:`Comparison.table` in the order they are shown.
COLUMNS = (
    "boundaries",
    "breaks",
    "loglik",
    "n_params",
    "aic",
    "aic_weight",
    "bic",
    "bic_weight",
    "posterior",
    "posterior_given_k",
    "p_vs_none",
    "p_vs_best",
    "n_sim",
    "residual_lag1",
    "ljung_box_p",
    "ar_order",
    "same_as",
)


@dataclass(frozen=True, eq=False, repr=False)
class Comparison(ResultMixin):
    """Named periodizations of the same series, ranked by likelihood, information criteria,
    exact posterior probability and Monte Carlo tests.

    Attributes
    ----------
    names, index : series names and periods
    model, min_size, n_sim, null : the options used
    candidates : the named periodizations, by their boundaries
    table : DataFrame indexed by (series, name); see
        :func:`periodize.compare_periodizations` for the columns
    provenance : Provenance
    members : the series whose shared periodizations were compared (``joint=True``; the
        table's one series is their group, ``"a + b"``); empty otherwise
    """

    names: tuple[str, ...]
    index: pd.Index
    model: str
    min_size: int
    n_sim: int
    null: str
    candidates: dict[str, tuple[Any, ...]]
    table: pd.DataFrame

    provenance: Provenance
    members: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The comparison table (one row per series and periodization)."""
        return self.table[[c for c in COLUMNS if c in self.table]].copy()

    def notes(self, series: str | None = None) -> list[str]:
        """Plain-language cautions: candidates within one period of the best segmentation
        with as many breaks (their tests are optimistic if read off the same record)."""
        name = series if series is not None else self.names[0]
        rows = self.table.loc[name]
        notes = []
        for candidate, boundaries in self.candidates.items():
            k = len(boundaries)
            best_name = f"best with {k} break{'s' if k != 1 else ''}"
            if k == 0 or best_name not in rows.index:
                continue
            best = rows.loc[best_name, "boundaries"]
            if best is None:  # not identified
                continue
            gap = max(
                abs(self.index.get_loc(a) - self.index.get_loc(b))
                for a, b in zip(boundaries, best, strict=True)
            )
            if gap <= 1:
                notes.append(
                    f"{candidate!r} lies within one period of the best segmentation with {k} "
                    f"break(s) ({', '.join(map(str, best))}): if its boundaries were read off "
                    "this record, its p-values are optimistic; the test of the best "
                    f"segmentation against no change (p = {rows.loc[best_name, 'p_vs_none']:.3f}"
                    f", {self.n_sim} replicates) accounts for the search."
                )
        return notes

    def summary(self) -> str:
        shown = self.to_frame().copy()
        if shown["same_as"].isna().all():
            shown = shown.drop(columns="same_as")
        shown["boundaries"] = [
            "not identified" if b is None else ", ".join(map(str, b)) or "–"
            for b in shown["boundaries"]
        ]
        lines = [
            f"Comparison of {len(self.candidates)} "
            f"periodization{'' if len(self.candidates) == 1 else 's'}"
            + (
                f" shared by {len(self.members)} series (joint; each keeps its own rates)"
                if self.members
                else ""
            )
            + f": {len(self.members) or len(self.names)} series × "
            f"{len(self.index)} periods ({self.index[0]}–{self.index[-1]}); model "
            f"{self.model}; min_size {self.min_size}; {self.n_sim} Monte Carlo replicates "
            f"({self.null}); seed {self.provenance.seed}",
            "posterior: exact, normalised over the rows of each series; posterior_given_k: "
            "share among all partitions with that many breaks; p_vs_none / p_vs_best: "
            "likelihood-ratio tests against no change / the best segmentation with as many "
            "breaks; residual_lag1, ljung_box_p: serial dependence of each fit's residuals; "
            "ar_order: the latent AR its replicates were drawn with (0: independent periods); "
            "same_as: the row whose partition this one repeats (it takes no share of the "
            "weights or of the posterior)",
            "",
            shown.to_string(float_format=lambda v: f"{v:.4g}"),
        ]
        for name in self.names:
            for note in self.notes(name):
                lines.append(f"note ({name}): {note}" if len(self.names) > 1 else f"note: {note}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        series = []
        for name in self.names:
            rows = self.to_frame().loc[name]
            series.append(
                {
                    "name": name,
                    "periodizations": [
                        {"name": label, **{k: plain(v) for k, v in row.items()}}
                        for label, row in rows.iterrows()
                    ],
                    "notes": self.notes(name),
                }
            )
        return {
            "candidates": {k: [plain(b) for b in v] for k, v in self.candidates.items()},
            "model": self.model,
            "min_size": self.min_size,
            "n_sim": self.n_sim,
            "null": self.null,
            "joint": bool(self.members),
            "members": list(self.members),
            "series": series,
            "provenance": self.provenance.to_dict(),
        }
