"""Robustness: the result of :func:`periodize.robustness`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...results import Provenance, ResultMixin, plain

#: The columns a reader needs, in the order reports show them.
DISPLAY_COLUMNS = (
    "window",
    "model",
    "min_size",
    "estimated",
    "breaks_found",
    "p_hypothesis_vs_none",
    "p_best_vs_hypothesis",
    "n_sim",
    "moved",
    "flips",
    "note",
)


@dataclass(frozen=True, eq=False, repr=False)
class Robustness(ResultMixin):
    """The periodization test re-run under every variation.

    Attributes
    ----------
    table : DataFrame
        One row per (group, variant): the window, model, min_size, the estimated boundaries
        of the best segmentation with as many breaks as the hypothesis, the number of breaks
        the default rule finds (``breaks_found``), the three test p-values, ``moved`` (an
        estimated boundary lies outside the baseline's likelihood-ratio confidence set for
        it), ``flips`` (the test
        against no change falls on the other side of ``alpha`` than the baseline's), and a
        note where a variant could not be computed.
    influential : DataFrame
        Leave-one-event-out rows that move or flip.
    envelope : DataFrame
        One row per draw of the protocol weight envelope: the weights drawn, the estimated
        boundaries and the p-values.
    """

    hypothesis: tuple[int, ...]
    scheme: str
    model: str
    min_size: int
    n_sim: int
    alpha: float
    table: pd.DataFrame
    influential: pd.DataFrame
    envelope: pd.DataFrame
    provenance: Provenance

    def envelope_summary(self) -> pd.DataFrame:
        """Share of envelope draws under which each periodization is the best one, and share
        of all draws in which the hypothesis is rejected against the best alternative."""
        if self.envelope.empty:
            return pd.DataFrame()
        shares = self.envelope["estimated"].value_counts(normalize=True).rename("share_optimal")
        frame = shares.to_frame()
        frame.index.name = "estimated"
        frame.attrs["share_rejected"] = float(self.envelope["hypothesis_rejected"].mean())
        return frame

    def changing(self) -> pd.DataFrame:
        """The variants (of every group) that move a boundary out of the baseline's
        likelihood-ratio set or flip the verdict at ``alpha``."""
        return self.table[self.table["moved"] | self.table["flips"]]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        fmt = lambda v: f"{v:.3g}"  # noqa: E731
        base = self.table.loc[("baseline", "baseline")]
        loo = self.table.loc["leave_one_out"]
        columns = list(DISPLAY_COLUMNS[3:])
        lines = [
            f"Robustness of the periodization {self.hypothesis} (scheme {self.scheme}, model "
            f"{self.model}, min_size {self.min_size}, {self.n_sim} replicates per test)",
            f"baseline: best {len(self.hypothesis)}-break segmentation starts new periods in "
            f"{base['estimated']}; the default rule finds {base['breaks_found']} break(s); "
            "p-values: "
            f"hypothesis vs none {base['p_hypothesis_vs_none']:.3g}, best vs hypothesis "
            f"{base['p_best_vs_hypothesis']:.3g}",
            "",
            f"Leave one event out ({len(loo)} events): without {len(self.influential)} of them "
            "a boundary leaves the baseline's likelihood-ratio set (moved) or the test against "
            f"no change falls on the other side of {self.alpha} (flips):",
            self.influential[columns[:-1]].to_string(float_format=fmt)
            if len(self.influential)
            else "  (none)",
            f"p-value hypothesis vs none ranges {loo['p_hypothesis_vs_none'].min():.3g}–"
            f"{loo['p_hypothesis_vs_none'].max():.3g} over the leave-one-out tables.",
            "",
            "Other variations:",
            self.table.drop(index="leave_one_out", level="group")[columns].to_string(
                float_format=fmt
            ),
        ]
        summary = self.envelope_summary()
        if not summary.empty:
            lines += [
                "",
                f"Protocol weight envelope ({len(self.envelope)} weight vectors within the "
                "declared order): share of draws in which each periodization is the best",
                summary.head(8).to_string(float_format=fmt),
                f"the hypothesis is rejected against the best alternative (p <= {self.alpha}) "
                f"in {summary.attrs['share_rejected']:.1%} of the draws",
            ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        rows = self.table.reset_index().to_dict("records")
        summary = self.envelope_summary()
        return {
            "hypothesis": list(self.hypothesis),
            "scheme": self.scheme,
            "model": self.model,
            "min_size": self.min_size,
            "n_sim": self.n_sim,
            "alpha": self.alpha,
            "table": [{k: plain(v) for k, v in row.items()} for row in rows],
            "influential_events": list(self.influential.index),
            "changing_variants": [
                {
                    "group": group,
                    "variant": variant,
                    "moved": bool(row.moved),
                    "flips": bool(row.flips),
                }
                for (group, variant), row in self.changing().iterrows()
            ],
            "envelope": {
                "draws": len(self.envelope),
                "share_optimal": {str(k): float(v) for k, v in summary["share_optimal"].items()}
                if not summary.empty
                else {},
                "share_rejected": summary.attrs.get("share_rejected"),
                "note": self.envelope.attrs.get("note"),
            },
            "provenance": self.provenance.to_dict(),
        }
