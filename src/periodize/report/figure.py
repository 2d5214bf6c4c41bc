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


def study_figure(
    by_direction: pd.DataFrame,
    hypothesis: tuple[Any, ...],
    estimated: tuple[Any, ...],
    confidence_sets: list[list[Any]],
    boundary_probability: pd.Series,
    title: str,
) -> Any:
    """Two panels sharing the year axis; returns the matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = np.asarray(by_direction.index)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]}
    )
    bottom_stack = np.zeros(len(years))
    for i, column in enumerate(by_direction.columns):
        top.bar(
            years,
            by_direction[column],
            bottom=bottom_stack,
            color=f"C{i}",
            width=0.8,
            label=f"events {column}",
        )
        bottom_stack += by_direction[column].to_numpy()
    peak = max(1.0, float(bottom_stack.max()))
    for j, members in enumerate(confidence_sets):
        height = peak * (1.12 + 0.1 * j)
        for first, last in runs(members):
            top.hlines(
                height,
                first - 0.45,
                last + 0.45,
                color=f"C{4 + j}",
                linewidth=5,
                label=f"95% likelihood-ratio set, boundary {j + 1}"
                if first == members[0]
                else None,
            )
    for j, year in enumerate(estimated):
        top.axvline(
            year - 0.5,
            color="C3",
            linewidth=2.5,
            zorder=3,
            label="estimated boundary" if j == 0 else None,
        )
    for j, year in enumerate(hypothesis):
        top.axvline(
            year - 0.5,
            color="black",
            linestyle=(0, (4, 3)),
            linewidth=1.5,
            zorder=4,
            label="hypothesised boundary" if j == 0 else None,
        )
    top.set_ylabel("events per year")
    top.set_title(title)
    top.set_ylim(0, peak * (1.55 + 0.1 * len(confidence_sets)))
    top.legend(loc="upper left", ncol=3, fontsize=8, frameon=False)
    top.yaxis.get_major_locator().set_params(integer=True)
    bottom.bar(years, boundary_probability.to_numpy(), color="C2", width=0.8)
    for year in hypothesis:
        bottom.axvline(year - 0.5, color="black", linestyle="--", linewidth=1.5)
    bottom.set_ylabel("P(new period\nstarts this year)")
    bottom.set_xlabel("year (a boundary is the first year of a new period)")
    bottom.set_xticks(years[:: max(1, len(years) // 17)])
    bottom.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig
