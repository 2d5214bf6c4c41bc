"""Scaling curves: exact search time against the number of series and the series length."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from periodize.segmentation.costs import PoissonCost
from periodize.segmentation.search.dynamic import exact_path

from .harness import timed

SIZES = {
    "quick": {"series": [100, 300], "lengths": [34, 68]},
    "default": {
        "series": [1_000, 3_000, 10_000, 30_000, 100_000],
        "lengths": [34, 68, 136, 272, 544],
    },
    "large": {"series": [1_000, 10_000, 100_000, 300_000], "lengths": [34, 136, 544, 1_088]},
}


def scaling(size: str, rng: np.random.Generator, out: Path) -> dict[str, Any]:
    sizes = SIZES[size]
    by_series = [
        _time_search(rng.poisson(2.0, size=(c, 34)).astype(float)) for c in sizes["series"]
    ]
    by_length = [
        _time_search(rng.poisson(2.0, size=(1_000, n)).astype(float)) for n in sizes["lengths"]
    ]
    path = out / "scaling.png"
    _plot(sizes, by_series, by_length, path)
    return {
        "case": "scaling of the exact K=2 Poisson search (min_size 3)",
        "seconds_by_number_of_series_(34_years)": dict(
            zip(sizes["series"], by_series, strict=True)
        ),
        "seconds_by_series_length_(1,000_series)": dict(
            zip(sizes["lengths"], by_length, strict=True)
        ),
        "figure": path.name,
        "agree": "not a comparison: time grows linearly in series and quadratically in length",
    }


def _time_search(values: np.ndarray) -> float:
    return timed(lambda: exact_path(PoissonCost, values, 2, 3))[0]


def _plot(
    sizes: dict[str, list[int]], by_series: list[float], by_length: list[float], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.loglog(sizes["series"], by_series, marker="o")
    left.set_xlabel("number of series (34 years each)")
    left.set_ylabel("seconds")
    left.set_title("linear in the number of series")
    right.loglog(sizes["lengths"], by_length, marker="o", color="C1")
    right.set_xlabel("series length (1,000 series)")
    right.set_title("quadratic in the length")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    with matplotlib.rc_context({"svg.hashsalt": "periodize"}):
        fig.savefig(path, dpi=110)
    plt.close(fig)
