"""``explore``: an explicitly exploratory look at an event table, when no periodization is
hypothesised. It segments and computes the exact posterior, and tests nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .events.schema import validate_events
from .events.seal import events_sha256
from .inference import Posterior, posterior
from .inference.bayes.posterior import check_posterior_size
from .intensity import IntensitySeries, intensity
from .results import ResultMixin, versions
from .segmentation import Segmentation, segment
from .segmentation.models import free_model

#: Said by every exploratory result.
NOTHING_TESTED = (
    "Exploratory: no periodization was hypothesised, so none was tested. Boundaries read off "
    "this record and then tested on it give optimistic p-values; state a hypothesis from "
    "other evidence and run `study` to test it."
)


@dataclass(frozen=True, eq=False, repr=False)
class Exploration(ResultMixin):
    """The segmentations and the exact posterior of one event table; no test."""

    title: str
    series: IntensitySeries
    chosen: Segmentation
    by_breaks: dict[int, Segmentation]
    posterior: Posterior
    events_sha256: str

    def summary(self) -> str:
        post = self.posterior
        top = post.boundary_probabilities().nlargest(5)
        lines = [
            f"Exploratory run: {self.title}",
            f"- {NOTHING_TESTED}",
            f"- The default rule (penalty 'auto', {self.chosen.model}) finds "
            f"{self.chosen.n_breaks} break(s)"
            + (
                f", new periods from {_years(self.chosen.boundaries)}"
                if self.chosen.n_breaks
                else ""
            )
            + ".",
            *[
                f"- The best segmentation with {k} break(s) starts new periods in "
                f"{_years(fit.boundaries)} (log-likelihood {float(fit.loglik.iloc[0]):.2f})."
                for k, fit in self.by_breaks.items()
            ],
            "- The exact posterior gives "
            + ", ".join(
                f"P({k} break{'' if k == 1 else 's'}) = {p:.2f}"
                for k, p in post.k_probabilities.items()
            )
            + "; the years most likely to start a new period: "
            + ", ".join(f"{year} ({p:.2f})" for year, p in top.items())
            + ".",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "tested": False,
            "note": NOTHING_TESTED,
            "chosen": self.chosen.to_dict(),
            "by_breaks": {str(k): fit.to_dict() for k, fit in self.by_breaks.items()},
            "posterior": self.posterior.to_dict(),
            "provenance": {"events_sha256": self.events_sha256, "versions": versions()},
        }


def _years(boundaries: Any) -> str:
    return ", ".join(map(str, boundaries))


def explore(
    events: pd.DataFrame,
    *,
    scheme: Any = "count",
    model: str = "poisson",
    min_size: int = 3,
    max_breaks: int = 3,
    start: int | None = None,
    end: int | None = None,
    title: str = "event table",
) -> Exploration:
    """Segment an event table without a hypothesis: the number of breaks the default rule
    finds (penalty ``"auto"``), the best segmentation with each number of breaks up to
    ``max_breaks``, and the exact posterior (on counts). Nothing is tested, and the result
    says so.

    Examples
    --------
    >>> import periodize as pz
    >>> events, _ = pz.simulate_events(1, range(1990, 2020), (2005,), rates=(0.5, 3.0), rng=0)
    >>> result = pz.explore(events, max_breaks=2)
    >>> result.by_breaks[1].boundaries
    (2005,)
    """
    table = validate_events(events)
    series = intensity(table, scheme, by=None, start=start, end=end)
    check_posterior_size(1, len(series.data), max_breaks)
    counts = series if series.is_count else intensity(table, "count", start=start, end=end)
    fits = {
        k: segment(series, n_breaks=k, model=model, min_size=min_size)
        for k in range(1, max_breaks + 1)
        if (k + 1) * min_size <= len(series.data)
    }
    return Exploration(
        title=title,
        series=series,
        chosen=segment(series, model=free_model(model), min_size=min_size),  # the default rule
        by_breaks=fits,
        posterior=posterior(counts, max_breaks=max_breaks, min_size=min_size),
        events_sha256=events_sha256(table),
    )
