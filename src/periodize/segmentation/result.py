"""Segmentation: the result of :func:`periodize.segment`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ParameterError
from ..results import Provenance, ResultMixin, plain, several_series_warning
from .search.dynamic import identified

#: Most series ``Segmentation.plot`` draws at once, one panel each.
MAX_PANELS = 12


def _python(value: Any) -> Any:
    """A numpy scalar as its Python value (tuples and plain values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True, eq=False, repr=False)
class Segmentation(ResultMixin):
    """Change points of one or many series, with estimates and fit statistics.

    Conventions (DESIGN §2): ``boundaries`` are the first periods of new segments,
    ``last_years`` the last period of each closed segment, ``indices`` the 0-based
    positions of the first observation of each new segment.

    Attributes
    ----------
    index : Index
        The periods.
    names : tuple of str
        Series names.
    model : str
        Model used (``poisson`` becomes ``quasipoisson`` for weighted intensities).
    min_size : int
        Minimum segment length.
    method : str
        Search used.
    penalty : dict or None
        Penalty name, value per break and formula, for penalised searches.
    break_indices : tuple of tuple of int
        Per series, the 0-based index of the first period of each new segment.
    costs : DataFrame
        Optimal cost (deviance scale) per series (rows) and number of breaks k (columns);
        NaN where not computed or impossible (built from ``cost_table`` when first asked
        for, as are ``loglik`` and ``nuisance``).
    bic : DataFrame
        BIC per series and k, ``-2 loglik_k + n_par(k) log n`` with
        ``n_par(k) = (k + 1) p + k + shared`` (computed when first asked for).
    loglik : Series
        Full log-likelihood of the chosen segmentation of each series.
    estimates : DataFrame
        One row per series and segment: ``first``, ``last``, ``n``, ``estimate``, ``se``
        (and ``slope``, ``slope_se`` for ``normal_trend``: the estimate is then the line at
        the segment's middle) (computed when first asked for: on 10,000 series it is most
        of the cost of a result).
    nuisance : DataFrame
        Per-series quantities fixed before the search (dispersion, variance).
    values : ndarray
        The observed series, ``(n_series, n_periods)``.
    provenance : Provenance
    breaks : ndarray or list of lists
        The break indices as the search returned them (``break_indices`` as tuples).
    diagnostics : DataFrame
        Serial-dependence checks of the segments' residuals (built when first asked for).
    details : callable
        Builds ``(estimates, bic, diagnostics)``; called once, on first use.
    choice : dict
        What chose the model and the number of breaks, and why: ``model``,
        ``model_reason``, ``rule`` (words a report can print) and ``by_data`` (whether the
        data chose either, rather than the caller).
    """

    index: pd.Index
    names: tuple[str, ...]
    model: str
    min_size: int
    method: str
    penalty: dict[str, Any] | None
    breaks: np.ndarray | list[list[int]]
    cost_table: np.ndarray
    loglik_values: np.ndarray
    nuisance_values: dict[str, np.ndarray]
    values: np.ndarray
    provenance: Provenance
    details: Callable[[], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]
    choice: dict[str, Any] | None = None

    @cached_property
    def break_indices(self) -> tuple[tuple[int, ...], ...]:
        """Per series, the 0-based index of the first period of each new segment."""
        rows = self.breaks.tolist() if isinstance(self.breaks, np.ndarray) else self.breaks
        return tuple(tuple(int(i) for i in row) for row in rows)

    @cached_property
    def _series_index(self) -> pd.Index:
        return pd.Index(self.names, name="series")

    @cached_property
    def costs(self) -> pd.DataFrame:
        """Optimal cost per series (rows) and number of breaks k (columns)."""
        k = pd.Index(range(self.cost_table.shape[1]), name="k")
        return pd.DataFrame(self.cost_table, index=self._series_index, columns=k)

    @cached_property
    def loglik(self) -> pd.Series:
        """Full log-likelihood of the chosen segmentation of each series."""
        return pd.Series(self.loglik_values, index=self._series_index, name="loglik")

    @cached_property
    def nuisance(self) -> pd.DataFrame:
        """Per-series quantities fixed before the search (dispersion, variance)."""
        return pd.DataFrame(self.nuisance_values, index=self._series_index)

    @cached_property
    def _details(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return self.details()

    @property
    def diagnostics(self) -> pd.DataFrame:
        """Per series: autocorrelation of the segments' Pearson residuals, Ljung–Box test,
        dispersion and a plain ``verdict``
        (:func:`periodize.segmentation.diagnostics.serial_diagnostics`; built when first
        asked for)."""
        return self._details[2]

    @property
    def estimates(self) -> pd.DataFrame:
        """One row per series and segment: ``first``, ``last``, ``n``, ``estimate``, ``se``
        (and ``slope``, ``slope_se`` for ``normal_trend``) (built when first asked for)."""
        return self._details[0]

    @property
    def bic(self) -> pd.DataFrame:
        """BIC per series and k (built when first asked for)."""
        return self._details[1]

    @property
    def by_series(self) -> pd.DataFrame:
        """One row per series, whatever their number: ``n_breaks``, ``boundaries`` (first
        periods of the new segments), ``last_years`` (last periods of the closed ones),
        ``indices`` (0-based positions), ``identified`` and ``loglik``.

        Examples
        --------
        >>> import periodize as pz
        >>> fit = pz.segment([2, 3, 2, 9, 8, 9], n_breaks=1, model="poisson")
        >>> fit.by_series.loc["series", "boundaries"]
        (3,)
        """
        rows = {
            "n_breaks": [len(b) for b in self.break_indices],
            "boundaries": [tuple(plain(self.index[i]) for i in b) for b in self.break_indices],
            "last_years": [tuple(plain(self.index[i - 1]) for i in b) for b in self.break_indices],
            "indices": list(self.break_indices),
            "identified": self._identified_rows,
            "loglik": self.loglik_values,
        }
        return pd.DataFrame(rows, index=self._series_index)

    def _per_series(self, column: str) -> Any:
        """One series' value of a ``by_series`` column; for several, the dict by series
        that these attributes return until they become one series' only."""
        values = self.by_series[column]
        if len(self.names) == 1:
            return _python(values.iloc[0])
        several_series_warning(
            f"Segmentation.{column}", "a dict by series", f"fit.by_series[{column!r}]"
        )
        return {name: _python(value) for name, value in values.items()}

    @property
    def n_breaks(self) -> Any:
        """Number of breaks of a one-series fit (``by_series`` for several)."""
        return self._per_series("n_breaks")

    @property
    def indices(self) -> Any:
        """0-based index of the first observation of each new segment (one series)."""
        return self._per_series("indices")

    @property
    def boundaries(self) -> Any:
        """First period of each new segment of a one-series fit (``by_series`` for
        several)."""
        return self._per_series("boundaries")

    @property
    def last_years(self) -> Any:
        """Last period of each closed segment (the strucchange/changepoint convention)."""
        return self._per_series("last_years")

    @property
    def identified(self) -> Any:
        """Whether the breaks fit better than no change (one series; ``by_series`` for
        several).

        ``False`` where the series is constant (for instance all zero) or the optimal cost
        with the breaks equals the cost without: every placement fits equally well, so the
        boundaries reported are an arbitrary choice among ties, not an estimate.
        """
        return self._per_series("identified")

    def _identified(self, i: int) -> bool:
        return bool(self._identified_rows[i])

    @cached_property
    def _identified_rows(self) -> np.ndarray:
        """Whether each series' breaks fit better than none (no breaks: identified), for
        every series in one call."""
        counts = np.array([len(b) for b in self.break_indices], dtype=np.intp)
        chosen = self.cost_table[np.arange(counts.size), counts]
        return (counts == 0) | identified(self.values, self.cost_table[:, 0], chosen)

    def to_frame(self) -> pd.DataFrame:
        """The per-segment estimates table (one row per series and segment)."""
        return self.estimates.copy()

    @property
    def params(self) -> pd.Series:
        """Each segment's rate (or mean), indexed by (series, segment)."""
        return self.estimates["estimate"].copy()

    @property
    def bse(self) -> pd.Series:
        """Each segment's Wald standard error, indexed by (series, segment) (for counts
        near zero, prefer the exact intervals of :func:`periodize.test_periodization`)."""
        return self.estimates["se"].copy()

    def summary(self) -> str:
        """A readable account of the fit."""
        how = (
            f"penalty {self.penalty['name']} = {self.penalty['per_break']:.4g} per break "
            f"({self.penalty['formula']})"
            if self.penalty
            else "fixed number of breaks"
        )
        lines = [
            f"Segmentation: {len(self.names)} series × {len(self.index)} periods "
            f"({self.index[0]}–{self.index[-1]})",
            f"model: {self.model}; search: {self.method}; min_size: {self.min_size}; {how}",
        ]
        if self.choice and self.choice.get("by_data"):
            lines += [f"chosen: {self.choice['model_reason']}; {self.choice['rule']}"]
        for i, name in enumerate(self.names):
            bounds = [str(plain(self.index[j])) for j in self.break_indices[i]]
            lines.append(
                f"{name}: {len(bounds)} break(s); new periods start in "
                f"{', '.join(bounds) if bounds else '(none)'}; loglik {self.loglik.iloc[i]:.3f}"
                + (
                    ""
                    if self._identified(i)
                    else " (not identified: no segmentation fits better than none, so these "
                    "boundaries are an arbitrary choice among ties)"
                )
            )
        table = self.estimates.drop(columns=["first_index"]).to_string(
            float_format=lambda v: f"{v:.4g}"
        )
        lines += ["", table]
        if not self.nuisance.empty:
            lines += ["", "fixed before the search:", self.nuisance.to_string()]
        lines += ["", "Serial dependence (residuals of the segments):"]
        lines += [f"  {name}: {row.verdict}" for name, row in self.diagnostics.iterrows()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON types; keys are stable."""
        series = []
        for i, name in enumerate(self.names):
            b = self.break_indices[i]
            rows = self.estimates.loc[name]
            series.append(
                {
                    "name": name,
                    "n_breaks": len(b),
                    "boundaries": [plain(self.index[j]) for j in b],
                    "last_years": [plain(self.index[j - 1]) for j in b],
                    "indices": list(b),
                    "loglik": float(self.loglik.iloc[i]),
                    "identified": self._identified(i),
                    "cost": _finite(self.costs.iloc[i, len(b)]),
                    "costs_by_k": [_finite(v) for v in self.costs.iloc[i]],
                    "bic_by_k": [_finite(v) for v in self.bic.iloc[i]],
                    "segments": [
                        {
                            "first": plain(r.first),
                            "last": plain(r.last),
                            "n": int(r.n),
                            "estimate": float(r.estimate),
                            "se": float(r.se),
                            **{
                                column: float(getattr(r, column))
                                for column in ("slope", "slope_se")
                                if column in rows.columns and np.isfinite(getattr(r, column))
                            },
                        }
                        for r in rows.itertuples()
                    ],
                    "nuisance": {k: float(v) for k, v in self.nuisance.loc[name].items()}
                    if not self.nuisance.empty
                    else {},
                    "diagnostics": {k: plain(v) for k, v in self.diagnostics.loc[name].items()},
                }
            )
        return {
            "model": self.model,
            "method": self.method,
            "min_size": self.min_size,
            "penalty": self.penalty,
            "choice": self.choice,
            "periods": [plain(p) for p in self.index],
            "series": series,
            "provenance": self.provenance.to_dict(),
        }

    def plot(self, ax: Any = None, series: str | None = None) -> Any:
        """Plot the series with their fitted segment estimates and boundaries.

        One series, or ``series=name``: one panel. Several series: one panel each, stacked
        on a shared time axis (up to :data:`MAX_PANELS`; pick one with ``series=`` beyond
        that). Returns the Figure, or the Axes when ``ax`` is given (one series only).

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import periodize as pz
        >>> fit = pz.segment(pz.intensity(pz.datasets.mongolia_kazakhstan()), n_breaks=2)
        >>> fit.plot().axes[0].get_title()
        'KAZ-MNG (quasipoisson): new periods from 2009, 2015'
        """
        import matplotlib.pyplot as plt

        if series is not None and series not in self.names:
            raise ParameterError(
                f"The 'series' parameter of plot must be one of the fit's series "
                f"{list(self.names)[:10]}. Got {series!r}."
            )
        names = [series] if series is not None else list(self.names)
        if ax is not None:
            if len(names) > 1:
                raise ParameterError(
                    f"plot(ax=...) draws one series on the Axes given; this fit has "
                    f"{len(names)}. Pass series= (one of {names[:5]}), or no ax for a panel "
                    "each."
                )
            self._draw(ax, names[0])
            return ax
        if len(names) > MAX_PANELS:
            raise ParameterError(
                f"plot draws at most {MAX_PANELS} series, one panel each; this fit has "
                f"{len(names)}. Pass series= to draw one (such as {names[0]!r})."
            )
        fig, axes = plt.subplots(
            len(names), 1, figsize=(8, 1.0 + 2.4 * len(names)), sharex=True, squeeze=False
        )
        for axis, name in zip(axes[:, 0], names, strict=True):
            self._draw(axis, name)
        for axis in axes[:-1, 0]:
            axis.set_xlabel("")
        fig.tight_layout()
        return fig

    def _draw(self, ax: Any, name: str) -> None:
        """One series on ``ax``: observed bars, segment estimates, dashed boundaries."""
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        i = self.names.index(name)
        x = np.arange(len(self.index))
        ax.bar(x, self.values[i], color="0.75", label="observed")
        for r in self.estimates.loc[name].itertuples():
            ends = np.array([r.first_index - 0.4, r.first_index + r.n - 0.6])
            slope = getattr(r, "slope", np.nan)  # a line's; none for a level
            half = (ends - (r.first_index + (r.n - 1) / 2)) * (slope if np.isfinite(slope) else 0)
            ax.plot(
                ends,
                r.estimate + half,  # a trend's line; a level otherwise
                color="C0",
                label="segment estimate" if r.first_index == 0 else None,
            )
        for j in self.break_indices[i]:
            ax.axvline(j - 0.5, color="C3", linestyle="--")
        labels = [str(plain(p)) for p in self.index]
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))  # labels never crowd
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: labels[int(v)] if 0 <= v < len(labels) else "")
        )
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.set_xlabel(self.index.name or "period")
        ax.set_ylabel("intensity")
        starts = ", ".join(str(plain(self.index[j])) for j in self.break_indices[i])
        chosen = (self.choice or {}).get("model")
        model = chosen[name] if isinstance(chosen, dict) else self.model  # a model per series
        ax.set_title(f"{name} ({model}): new periods from {starts or '(no break)'}")
        ax.legend(loc="upper right", fontsize="small")


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
