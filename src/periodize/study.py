"""``study``: from an event table to a citable report (answer, tables, figure, JSON)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ._typing import PathLike, RandomState
from .events.schema import validate_events
from .inference import PeriodizationTest, Posterior, Robustness, posterior, robustness
from .inference import test_periodization as _test
from .inference.streams import root_seed
from .intensity import IntensitySeries, intensity, period_summary
from .report.describe import describe_events, scheme_table
from .results import ResultMixin, frame_sha256, plain, versions
from .segmentation import Segmentation, segment


@dataclass(frozen=True, eq=False)
class Study(ResultMixin):
    """Everything periodize says about one event table and one hypothesised periodization.

    ``write(out_dir)`` produces ``report.md``, ``result.json``, ``figure.png`` and
    ``figure.svg``.
    """

    title: str
    events: pd.DataFrame
    hypothesis: tuple[int, ...]
    series: IntensitySeries
    by_direction: pd.DataFrame
    schemes: pd.DataFrame
    free: Segmentation
    test: PeriodizationTest
    posterior: Posterior
    robustness: Robustness
    command: str
    seed: int

    @property
    def n_events(self) -> int:
        return len(self.events)

    def period_table(self) -> pd.DataFrame:
        """Events per hypothesised period by direction, level and kind (descriptive)."""
        table = period_summary(
            self.events, self.hypothesis, start=int(self.series.start), end=int(self.series.end)
        )
        table.columns = [
            b if a in ("direction", "level", "kind") else f"{a} {b}".strip()
            for a, b in table.columns
        ]
        return table

    def provenance_lines(self) -> dict[str, str]:
        return {
            "periodize": versions()["periodize"],
            "versions": ", ".join(f"{k} {v}" for k, v in versions().items()),
            "events SHA-256": frame_sha256(self.events, sort_by="event_id"),
            "seed": str(self.seed),
            "hypothesis": ", ".join(map(str, self.hypothesis)),
            "scheme": self.series.scheme.name,
            "model": self.test.model,
            "min_size": str(self.test.min_size),
            "Monte Carlo replicates": str(self.test.n_sim),
        }

    def summary(self) -> str:
        from .report.markdown import answer

        return "\n".join(
            [
                f"Periodization study: {self.title}",
                "",
                describe_events(self.events, "events"),
                "",
                *[f"- {line}" for line in answer(self)],
            ]
        ).replace("**", "")

    def to_dict(self) -> dict[str, Any]:
        from .report.markdown import answer

        return {
            "title": self.title,
            "answer": [line.replace("**", "") for line in answer(self)],
            "hypothesis": list(self.hypothesis),
            "command": self.command,
            "intensity": self.series.to_dict(),
            "schemes": {c: self.schemes[c].tolist() for c in self.schemes.columns},
            "periods": [
                {k: plain(v) for k, v in row.items()}
                for row in self.period_table().reset_index().to_dict("records")
            ],
            "free_segmentation": self.free.to_dict(),
            "test": self.test.to_dict(),
            "posterior": self.posterior.to_dict(),
            "robustness": self.robustness.to_dict(),
            "provenance": self.provenance_lines(),
        }

    def figure(self) -> Any:
        """The study figure (matplotlib Figure)."""
        from .report.figure import study_figure

        name = self.test.names[0]
        bounds = self.test.boundaries.loc[name]
        return study_figure(
            self.by_direction,
            self.hypothesis,
            tuple(bounds["estimated"]),
            list(bounds["profile_set"]),
            self.posterior.boundary_probabilities(),
            f"{self.title}: events per year, hypothesised and estimated boundaries",
        )

    def write(self, out_dir: PathLike) -> dict[str, Path]:
        """Write ``report.md``, ``result.json``, ``figure.png`` and ``figure.svg``."""
        from .report.markdown import report

        out = Path(os.fspath(out_dir))
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            name: out / name for name in ("report.md", "result.json", "figure.png", "figure.svg")
        }
        paths["report.md"].write_text(report(self) + "\n![figure](figure.png)\n", encoding="utf-8")
        paths["result.json"].write_text(self.to_json() + "\n", encoding="utf-8")
        import matplotlib

        fig = self.figure()
        fig.savefig(paths["figure.png"], dpi=120)
        with matplotlib.rc_context({"svg.hashsalt": "periodize"}):  # stable SVG ids
            fig.savefig(paths["figure.svg"], metadata={"Date": None})
        return paths


def study(
    events: pd.DataFrame,
    hypothesis: Sequence[int] = (2009, 2019),
    *,
    scheme: Any = "count",
    model: str = "poisson",
    min_size: int = 3,
    n_sim: int = 9999,
    max_breaks: int = 3,
    rng: RandomState = 0,
    title: str = "event table",
    command: str = "periodize.study(...)",
    progress: Callable[[str], None] | None = None,
) -> Study:
    """Run the whole analysis: validation, intensity under the chosen and every built-in
    scheme, the period summary, the free segmentation, the hypothesis tests, the exact
    posterior and the robustness table.

    Examples
    --------
    >>> import periodize as pz
    >>> s = pz.study(pz.datasets.mongolia_kazakhstan(), n_sim=99)  # doctest: +SKIP
    >>> print(s)  # doctest: +SKIP
    """
    say = progress or (lambda message: None)
    seed = root_seed(rng, "study")
    clock = time.perf_counter()
    table = validate_events(events)
    series = intensity(table, scheme, by=None)
    counts = intensity(table, "count", by="direction", start=series.start, end=series.end)
    schemes, _ = scheme_table(table)
    say("intensity and period tables")
    free = segment(series, penalty="bic", model=model, min_size=min_size)
    tested = _test(series, hypothesis, model=model, min_size=min_size, n_sim=n_sim, rng=seed)
    say(f"hypothesis tests ({n_sim} replicates)")
    count_series = series if series.is_count else intensity(table, "count", by=None)
    post = posterior(count_series, max_breaks=max_breaks, min_size=min_size, hypothesis=hypothesis)
    say("exact posterior")
    robust = robustness(
        table,
        hypothesis,
        scheme=scheme,
        model=model,
        min_size=min_size,
        n_sim=min(n_sim, 999),
        rng=seed,
    )
    say(f"robustness table ({time.perf_counter() - clock:.1f} s in all)")
    return Study(
        title=title,
        events=table,
        hypothesis=tuple(int(h) for h in hypothesis),
        series=series,
        by_direction=counts.data,
        schemes=schemes,
        free=free,
        test=tested,
        posterior=post,
        robustness=robust,
        command=command,
        seed=seed,
    )


def stderr_progress(message: str) -> None:
    """Print a progress line on stderr."""
    print(f"periodize study: {message}", file=sys.stderr, flush=True)
