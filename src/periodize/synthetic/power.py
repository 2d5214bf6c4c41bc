"""``power``: before collecting data, can a design detect the periods one expects?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._typing import RandomState
from .._validation import check_int, check_probability
from ..exceptions import ParameterError
from ..inference.fits import statistics
from ..inference.streams import root_seed
from ..intensity.schemes import get_scheme
from ..results import ResultMixin, plain
from .codes import MAX_DYADS
from .events import column_chunks, design


@dataclass(frozen=True, eq=False, repr=False)
class Power(ResultMixin):
    """Power of the periodization test and accuracy of the free search, per base rate."""

    table: pd.DataFrame
    years: tuple[int, ...]
    boundaries: tuple[int, ...]
    rate_ratios: tuple[float, ...]
    alpha: float
    window: int
    n_rep: int
    n_null: int
    scheme: str

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        lines = [
            f"Power of the test of new periods from {', '.join(map(str, self.boundaries))} "
            f"({self.years[0]}–{self.years[-1]}; rate ratios "
            f"{', '.join(f'{r:g}' for r in self.rate_ratios)}; scheme {self.scheme})",
            f"reject no change at alpha = {self.alpha} (critical value from {self.n_null} "
            f"no-change replicates); boundary found within ±{self.window} year(s) by the "
            f"exact search; {self.n_rep} replicates per row",
            self.table.to_string(float_format=lambda v: f"{v:.3g}"),
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "boundaries": list(self.boundaries),
            "rate_ratios": list(self.rate_ratios),
            "alpha": self.alpha,
            "window": self.window,
            "n_rep": self.n_rep,
            "n_null": self.n_null,
            "scheme": self.scheme,
            "table": [
                {k: plain(v) for k, v in row.items()}
                for row in self.table.reset_index().to_dict("records")
            ],
        }

    def plot(self, ax: Any = None) -> Any:
        """Power and boundary recovery against expected events per year; returns the
        Figure, or the Axes when ``ax`` is given."""
        import matplotlib.pyplot as plt

        given = ax is not None
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 4))
        else:
            fig = ax.figure
        x = self.table["events_per_year"]
        ax.plot(x, self.table["power"], marker="o", label="reject no change")
        for column in self.table.columns:
            if column.startswith("found_"):
                ax.plot(
                    x,
                    self.table[column],
                    marker=".",
                    linestyle="--",
                    label=f"boundary {column[6:]} found within ±{self.window}",
                )
        ax.axhline(0.8, color="0.6", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlabel("expected events per year (whole window)")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.02)
        ax.legend(frameon=False, fontsize=8)
        ax.set_title("Power of the design")
        if given:
            return ax
        fig.tight_layout()
        return fig


def power(
    years: Sequence[int],
    boundaries: Sequence[int],
    base_rates: Sequence[float],
    rate_ratios: Sequence[float],
    *,
    scheme: Any = "count",
    min_size: int = 3,
    n_rep: int = 1000,
    n_null: int = 2000,
    alpha: float = 0.05,
    window: int = 1,
    rng: RandomState = 0,
) -> Power:
    """Simulate the design and report how often the analysis finds its periods.

    For each base rate (events per year in the first period; later periods multiply it by
    ``rate_ratios``), ``n_rep`` event sets are simulated (levels, kinds and documents drawn as
    in :func:`simulate_events`) and weighted by ``scheme``. ``power`` is the share in which
    the likelihood ratio of the hypothesised periods against no change exceeds its
    ``1 - alpha`` quantile under no change (``n_null`` replicates with the same expected total:
    the Monte Carlo test's critical value); ``found_j`` is the share in which the exact
    search with as many breaks places boundary j within ``±window`` years of the truth.
    """
    func = "power"
    n_rep = check_int(n_rep, name="n_rep", func=func, minimum=10)
    n_null = check_int(n_null, name="n_null", func=func, minimum=99)
    for name, value in (("n_rep", n_rep), ("n_null", n_null)):
        if value > MAX_DYADS:  # each replicate is one simulated dyad
            raise ParameterError(
                f"The {name!r} parameter of {func} must be at most {MAX_DYADS:,} (each "
                f"replicate is one simulated dyad). Got {value:,} instead."
            )
    alpha = check_probability(alpha, name="alpha", func=func)
    resolved = get_scheme(scheme)
    model = "poisson" if resolved.integer_valued else "quasipoisson"
    table = resolved.table().to_numpy()
    seed = root_seed(rng, func)
    year_array = np.asarray(list(years))
    positions = np.searchsorted(year_array, np.asarray(list(boundaries)))
    rows = []
    for i, base in enumerate(base_rates):
        alt = design(
            n_rep, years, boundaries, base, rate_ratios, None, None, None, 0.5, seed + 2 * i, func
        )
        mean_rate = float(alt.period_rates[0].mean())
        null = design(
            n_null, years, (), mean_rate, (), None, None, None, 0.5, seed + 2 * i + 1, func
        )
        observed = _series(alt, table, len(year_array))
        critical = np.quantile(
            statistics(
                model, _series(null, table, len(year_array)), positions, min_size
            ).hypothesis_vs_none,
            1 - alpha,
        )
        stats = statistics(model, observed, positions, min_size)
        row = {
            "base_rate": float(base),
            "events_per_year": mean_rate,
            "power": float(np.mean(stats.hypothesis_vs_none > critical)),
        }
        for j, p in enumerate(positions):
            row[f"found_{j + 1}"] = float(np.mean(np.abs(stats.best_breaks[:, j] - p) <= window))
        rows.append(row)
    return Power(
        pd.DataFrame(rows).set_index("base_rate"),
        tuple(int(y) for y in years),
        tuple(int(b) for b in boundaries),
        tuple(float(r) for r in rate_ratios),
        alpha,
        window,
        n_rep,
        n_null,
        resolved.name,
    )


def _series(d: Any, weights: np.ndarray, n_years: int) -> np.ndarray:
    """Replicate series (one simulated dyad each), ``(n_rep, n_years)``."""
    from .simulate import stream_intensity

    return stream_intensity(column_chunks(d, 4096), d.rates.shape[0], n_years, weights).T
