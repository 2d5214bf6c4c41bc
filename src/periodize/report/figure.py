"""The study figure: intensity by direction with boundaries, and posterior boundary
probabilities. matplotlib is imported only here, when a figure is drawn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def runs(members: list[Any]) -> list[tuple[Any, Any]]:
    """Consecutive runs of integer periods, as (first, last) pairs.

    Examples
    --------
    >>> runs([1995, 1996, 1997, 2002, 2003, 2009])
    [(1995, 1997), (2002, 2003), (2009, 2009)]
    """
    out: list[tuple[Any, Any]] = []
    for value in sorted(members):
        if out and value == out[-1][1] + 1:
            out[-1] = (out[-1][0], value)
        else:
            out.append((value, value))
    return out


def _ticks(years: np.ndarray) -> np.ndarray:
    """About a dozen readable year ticks, on round years when the span allows."""
    span = len(years)
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 14), span)
    first = years[0] + (-years[0]) % step if step > 1 else years[0]
    return np.arange(first, years[-1] + 1, step)


def _rate_steps(ax: Any, rates: pd.DataFrame, color: str, label: str, style: Any) -> None:
    """Each period's rate as a step with its interval as a band (one row per period:
    first, last, estimate, lower, upper)."""
    for j, row in enumerate(rates.itertuples()):
        left, right = row.first - 0.5, row.last + 0.5
        ax.fill_between([left, right], row.lower, row.upper, color=color, alpha=0.15, lw=0)
        ax.hlines(
            row.estimate,
            left,
            right,
            color=color,
            lw=2.2,
            linestyle=style,
            label=label if j == 0 else None,
            zorder=5,
        )


def study_figure(
    stacks: pd.DataFrame,
    hypothesis: tuple[Any, ...],
    hypothesis_rates: pd.DataFrame,
    estimated: tuple[Any, ...],
    estimated_rates: pd.DataFrame,
    confidence_sets: list[list[Any]],
    boundary_probability: pd.Series,
    verdict: list[str],
    title: str,
    unit: str = "events per year",
) -> Any:
    """The study figure; returns the matplotlib Figure.

    Three panels share the year axis: ``stacks`` (periods × parts, e.g. the two directions)
    as stacked bars with the fitted period rates of the hypothesis and of the best
    segmentation as steps with their intervals; a strip with the likelihood-ratio
    confidence set of each boundary (its own axis, so sets are never read as data); the
    posterior probability that a new period starts in each year. ``verdict`` lines are
    written above the panels and the legend sits outside them, right of the plots.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = np.asarray(stacks.index, dtype=int)
    n_sets = max(len(confidence_sets), 1)
    fig, (top, strip, bottom) = plt.subplots(
        3,
        1,
        figsize=(11, 7.2 + 0.25 * n_sets),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 0.35 + 0.3 * n_sets, 1.3]},
        layout="constrained",
    )
    width = 0.8 if len(years) < 80 else 1.0
    base = np.zeros(len(years))
    palette = plt.get_cmap("tab20" if stacks.shape[1] > 10 else "tab10")
    for i, column in enumerate(stacks.columns):
        values = stacks[column].to_numpy(dtype=float)
        top.bar(
            years,
            values,
            bottom=base,
            width=width,
            color=palette(i % palette.N),
            alpha=0.55,
            label=str(column),
        )
        base += values
    _rate_steps(
        top, hypothesis_rates, "black", "rate, hypothesised periods (95% interval)", (0, (4, 2))
    )
    _rate_steps(top, estimated_rates, "C3", "rate, best segmentation (95% interval)", "-")
    high = max(
        1.0,
        float(base.max()),
        float(hypothesis_rates["upper"].replace(np.inf, np.nan).max()),
        float(estimated_rates["upper"].replace(np.inf, np.nan).max()),
    )
    top.set_ylim(0, high * 1.05)
    top.set_ylabel(unit)
    for ax in (top, strip, bottom):
        for j, year in enumerate(hypothesis):
            ax.axvline(
                year - 0.5,
                color="black",
                linestyle=(0, (4, 2)),
                lw=1.2,
                zorder=7,
                label="hypothesised boundary" if (j == 0 and ax is top) else None,
            )
        for j, year in enumerate(estimated):
            ax.axvline(
                year - 0.5,
                color="C3",
                lw=1.6,
                zorder=6,
                label="estimated boundary" if (j == 0 and ax is top) else None,
            )
    for j, members in enumerate(confidence_sets):
        for first, last in runs(members):
            strip.add_patch(
                matplotlib.patches.Rectangle(
                    (first - 0.5, j + 0.2), last - first + 1, 0.6, color="C4", alpha=0.6, lw=0
                )
            )
    strip.set_ylim(len(confidence_sets), 0)
    strip.set_yticks(
        np.arange(len(confidence_sets)) + 0.5,
        [f"boundary {j + 1}" for j in range(len(confidence_sets))],
        fontsize=8,
    )
    strip.set_ylabel("95% LR\nsets", fontsize=8)
    bottom.bar(years, boundary_probability.to_numpy(), color="C2", width=width)
    bottom.set_ylabel("P(new period\nstarts this year)")
    bottom.set_xlabel("year (a boundary is the first year of a new period)")
    bottom.set_xticks(_ticks(years))
    bottom.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    top.set_title(title + "\n" + "\n".join(verdict), fontsize=9, loc="left")
    top.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        ncol=1 if stacks.shape[1] <= 12 else 2,
    )
    return fig
