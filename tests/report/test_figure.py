"""The study figure stays readable: 1, 2 and 12 stacked series, 5, 34 and 120 years, no
layout warnings, the legend outside the plots, the verdict written in it."""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from periodize.report.figure import _ticks, study_figure


def inputs(n_series, n_years, rng):
    years = np.arange(2000, 2000 + n_years)
    stacks = pd.DataFrame(
        rng.poisson(1.0, (n_years, n_series)),
        index=years,
        columns=[f"AAA->A{chr(65 + i)}{chr(65 + i)}" for i in range(n_series)],
    )
    cut = years[n_years // 2]

    def rates(boundary):
        return pd.DataFrame(
            {
                "first": [years[0], boundary],
                "last": [boundary - 1, years[-1]],
                "estimate": [1.0, 2.0],
                "lower": [0.5, 1.2],
                "upper": [1.8, np.inf],
            }
        )

    sets = [list(range(cut - 1, cut + 2))]
    probability = pd.Series(rng.random(n_years) / n_years, index=years)
    return stacks, (cut,), rates(cut), (cut + 1,), rates(cut + 1), sets, probability


@pytest.mark.parametrize("n_series", [1, 2, 12])
@pytest.mark.parametrize("n_years", [5, 34, 120])
def test_figure_without_overlap(n_series, n_years):
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(n_series * 1000 + n_years)
    verdict = ["hypothesis against no change: p = 0.104 (999 replicates)"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = study_figure(*inputs(n_series, n_years, rng), verdict, "a dyad")
        fig.canvas.draw()
    top, strip, bottom = fig.axes
    renderer = fig.canvas.get_renderer()
    legend = top.get_legend().get_window_extent(renderer)
    for ax in fig.axes:
        assert not legend.overlaps(ax.get_window_extent(renderer))
    assert verdict[0] in top.get_title(loc="left")
    assert len(strip.patches) == 1  # the boundary set: in its own strip, not on the counts
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert 2 <= len(labels) <= 15
    plt.close(fig)


def test_ticks_are_round_years():
    assert list(_ticks(np.arange(1992, 2026))) == list(range(1995, 2026, 5))
    assert list(_ticks(np.arange(2000, 2005))) == list(range(2000, 2005))
