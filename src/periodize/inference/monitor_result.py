"""The result of :func:`periodize.monitor`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..results import Provenance, ResultMixin, plain, records
from ..segmentation.result import Segmentation


@dataclass(frozen=True, repr=False)
class Monitoring(ResultMixin):
    """Whether, and when, a new period began after ``since``, per series.

    Attributes
    ----------
    names, index : the series and their periods (history and monitored periods)
    since : the first period monitored
    horizon, level : the false-alarm probability ``level`` is held over ``horizon`` periods
    model : the detector's model (``poisson``, ``quasipoisson`` or ``normal``)
    n_sim : Monte Carlo replicates behind the boundary
    baseline_first : first period of each series' baseline (the history's last period)
    baseline_level, baseline_spread : the baseline's rate and dispersion (counts) or mean
        and standard deviation (normal), per series
    path : ``(series, observed)`` the detector's statistic at every monitored period
    starts : ``(series, observed)`` the start (0-based from ``since``) that maximises it
    boundary : the alarm boundary per series
    pvalue : Monte Carlo p-value of the largest statistic so far, per series
    history : the segmentation of the history the baseline comes from
    values : ``(series, periods)`` the data
    provenance : the call, its parameters, input digest and seed
    dependence : per series, the serial dependence the replicates were drawn with
    """

    names: tuple[str, ...]
    index: pd.Index
    since: Any
    horizon: int
    model: str
    level: float
    n_sim: int
    baseline_first: tuple[Any, ...]
    baseline_level: np.ndarray
    baseline_spread: np.ndarray
    path: np.ndarray
    starts: np.ndarray
    boundary: np.ndarray
    pvalue: np.ndarray
    history: Segmentation
    values: np.ndarray
    provenance: Provenance
    #: per series, the serial dependence the replicates were drawn with (order, latent
    #: lag-1 autocorrelation, null) and ``detector_scale``, the long-run variance factor the
    #: Gaussian detector is divided by (1 for counts), ``last_boundary_doubted`` whether the
    #: series was also calibrated as if its history's last boundary were a chance one,
    #: ``replicates_left_out`` how many replicates the boundary was not calibrated on (a
    #: Gaussian baseline of equal values, which monitor refuses in the data);
    #: ``attrs["dependence"]`` the option
    dependence: pd.DataFrame | None = None

    @property
    def monitored(self) -> pd.Index:
        """The periods observed since ``since``."""
        return self.index[len(self.index) - self.path.shape[1] :]

    def _alarm_position(self, i: int) -> int | None:
        above = np.flatnonzero(self.path[i] > self.boundary[i])
        return int(above[0]) if above.size else None

    @property
    def alarm(self) -> dict[str, Any]:
        """Per series: the first period whose statistic crossed the boundary, or ``None``."""
        found = {}
        for i, name in enumerate(self.names):
            t = self._alarm_position(i)
            found[name] = None if t is None else plain(self.monitored[t])
        return found

    @property
    def start(self) -> dict[str, Any]:
        """Per series: the estimated first period of the new period at the alarm (``None``
        without an alarm)."""
        found = {}
        for i, name in enumerate(self.names):
            t = self._alarm_position(i)
            found[name] = None if t is None else plain(self.monitored[self.starts[i, t]])
        return found

    def to_frame(self) -> pd.DataFrame:
        """One row per series: the baseline, the boundary, the largest statistic so far, its
        p-value, the alarm, the estimated start and the level after it."""
        return pd.DataFrame(self._rows()).set_index("series")

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for i, name in enumerate(self.names):
            t = self._alarm_position(i)
            after = np.nan
            if t is not None:
                first = len(self.index) - self.path.shape[1] + int(self.starts[i, t])
                last = len(self.index) - self.path.shape[1] + t
                after = float(self.values[i, first : last + 1].mean())
            rows.append(
                {
                    "series": name,
                    "baseline_first": plain(self.baseline_first[i]),
                    "baseline_level": float(self.baseline_level[i]),
                    "baseline_spread": float(self.baseline_spread[i]),
                    "observed": self.path.shape[1],
                    "statistic": float(self.path[i].max()),
                    "boundary": float(self.boundary[i]),
                    "pvalue": float(self.pvalue[i]),
                    "alarm": None if t is None else plain(self.monitored[t]),
                    "start": None if t is None else plain(self.monitored[self.starts[i, t]]),
                    "level_after": after,
                }
            )
        return rows

    def summary(self) -> str:
        """Each series' verdict in words, with the boundary and what it holds."""
        what = "rate" if self.model != "normal" else "mean"
        lines = [
            f"Monitoring: {len(self.names)} series since {plain(self.since)}, "
            f"{self.path.shape[1]} of {self.horizon} periods observed; false-alarm "
            f"probability {self.level:g} over the {self.horizon} periods ({self.model}, "
            f"{self.n_sim} replicates, {self._null()})"
        ]
        for row in self._rows():
            name = row["series"]
            base = f"{what} {row['baseline_level']:.3g} per period since {row['baseline_first']}"
            if self._doubted(name):
                base += f" (the boundary allows that {row['baseline_first']} began no new period)"
            elif self.provenance.parameters.get("history_breaks"):
                base += " (the history's periods as given)"
            left_out = self._left_out(name)
            if left_out:
                base += (
                    f"; {left_out} replicates whose baseline held one value left out of the "
                    "boundary"
                )
            if row["alarm"] is None:
                lines.append(
                    f"- {name}: no new period so far (largest statistic {row['statistic']:.3g}, "
                    f"boundary {row['boundary']:.3g}, p = {row['pvalue']:.3g}); {base}"
                )
            else:
                lines.append(
                    f"- {name}: alarm in {row['alarm']} (statistic above the boundary "
                    f"{row['boundary']:.3g}, p = {row['pvalue']:.3g}); the new period is "
                    f"estimated to begin in {row['start']}, {what} {row['level_after']:.3g} "
                    f"against {base}"
                )
        return "\n".join(lines)

    def _doubted(self, name: str) -> bool:
        """Whether the series was also calibrated without its history's last boundary."""
        drawn = self.dependence
        return drawn is not None and bool(drawn.loc[name, "last_boundary_doubted"])

    def _left_out(self, name: str) -> int:
        """Replicates the series' boundary was not calibrated on (0 for older results)."""
        drawn = self.dependence
        if drawn is None or "replicates_left_out" not in drawn:
            return 0
        return int(drawn.loc[name, "replicates_left_out"])

    def _null(self) -> str:
        """What the replicates were drawn with, in words."""
        drawn = self.dependence
        if drawn is None:
            return "independent periods"
        kept = (drawn["order"] > 0) & (drawn["long_run_factor"] != 1.0)  # a fitted AR of 0s
        if not kept.any():
            return "independent periods"
        return "serial dependence of the history kept: " + ", ".join(
            f"{name} latent lag-1 {row['latent_lag1']:.2f}" if kept[name]
            else f"{name} independent"
            for name, row in drawn.iterrows()
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": "monitoring",
            "since": plain(self.since),
            "horizon": self.horizon,
            "level": self.level,
            "model": self.model,
            "n_sim": self.n_sim,
            "series": [
                {**{k: plain(v) for k, v in row.items()}, "path": self.path[i].tolist()}
                for i, row in enumerate(self._rows())
            ],
            "monitored": [plain(p) for p in self.monitored],
            "dependence": None if self.dependence is None else records(self.dependence),
            "provenance": self.provenance.to_dict(),
        }
