"""``study``: from an event table to a citable report (answer, tables, figure, JSON)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._interrupt import check as check_interrupt
from ._output import OutputFolder
from ._typing import PathLike, RandomState
from ._validation import check_choice, check_int
from .events.schema import validate_events
from .events.seal import events_sha256
from .exceptions import ParameterError, PeriodizeTypeError
from .inference import (
    Comparison,
    PeriodizationTest,
    Posterior,
    Robustness,
    compare_periodizations,
    posterior,
    robustness,
)
from .inference import test_periodization as _test
from .inference.bayes.posterior import check_posterior_size
from .inference.streams import root_seed
from .inference.tests.boundary_sets import estimated_text
from .inference.tests.comparison import check_candidate_name
from .inference.tests.joint_result import JointPeriodizationTest
from .intensity import IntensitySeries, intensity, period_summary
from .intensity.schemes import get_scheme
from .report.describe import describe_events, scheme_table
from .results import ResultMixin, plain, versions
from .saved import saved_json
from .segmentation import Segmentation, segment
from .segmentation.inputs import resolve_model
from .segmentation.models import free_model

#: What a study analyses: the directions jointly (with the pooled count), or the pooled count.
ANALYSES = ("joint", "pooled")

#: The files :meth:`Study.write` produces.
OUTPUT_FILES = ("report.md", "report.html", "result.json", "figure.png", "figure.svg")


@dataclass(frozen=True, eq=False, repr=False)
class Study(ResultMixin):
    """Everything periodize says about one event table and one hypothesised periodization.

    ``write(out_dir)`` produces ``report.md``, ``report.html`` (one self-contained page),
    ``result.json``, ``figure.png`` and ``figure.svg``; in a notebook the study shows as
    that page.
    """

    title: str
    events: pd.DataFrame
    hypothesis: tuple[int, ...]
    hypotheses: dict[str, tuple[int, ...]]
    series: IntensitySeries
    by_direction: pd.DataFrame
    schemes: pd.DataFrame
    free: Segmentation
    test: PeriodizationTest
    comparison: Comparison
    posterior: Posterior
    robustness: Robustness
    command: str
    seed: int
    #: the directions tested jointly (one shared periodization, each direction with its own
    #: rates); ``None`` for the pooled analysis or a dyad with events in one direction only
    joint: JointPeriodizationTest | None = None
    #: ``"joint"`` or ``"pooled"``: what the study was asked to analyse
    analysis: str = "pooled"
    #: extra indicator series tested jointly with the directions: each name with its
    #: scheme and model, and why that model (see :func:`study`)
    indicators: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def n_events(self) -> int:
        return len(self.events)

    @property
    def posterior_data(self) -> str:
        """What the exact posterior was computed on (it needs counts)."""
        if self.series.is_count:
            return "the event counts analysed by the tests"
        return (
            f"raw event counts (every event counts 1): the Poisson–Gamma posterior needs "
            f"counts, so the {self.series.scheme.name!r} weights used by the tests are not "
            "applied to it"
        )

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

    def verdict(self) -> pd.DataFrame:
        """Every claim of the study with its evidence (see
        :func:`periodize.report.verdict.verdict_table`)."""
        from .report.verdict import verdict_table

        return verdict_table(self)

    def provenance(self) -> dict[str, Any]:
        """Where the study came from, as typed JSON values under snake_case keys (what
        ``result.json`` holds; :meth:`provenance_lines` is the report's text of it)."""
        return {
            "periodize": versions()["periodize"],
            "versions": versions(),
            "events_sha256": events_sha256(self.events),
            "seed": self.seed,
            "hypothesis": [plain(y) for y in self.hypothesis],
            "compared": {name: [plain(y) for y in b] for name, b in self.hypotheses.items()},
            "posterior_on": "counts" if self.series.is_count else "raw counts (unweighted)",
            "scheme": self.series.scheme.name,
            "model": self.test.model,
            "min_size": int(self.test.min_size),
            "n_sim": int(self.test.n_sim),
            "envelope_draws": int(self.robustness.provenance.parameters["envelope_draws"]),
            "dependence": self.test.dependence.attrs.get("dependence", ""),
            "analysis": self.analysis_text(),
            "indicators": self.indicators,
        }

    @property
    def jointly(self) -> str:
        """What the joint test covers, in words: ``directions``, or ``series`` when
        indicators joined them."""
        return "series" if self.indicators else "directions"

    def analysis_text(self) -> str:
        """What the study analysed, in words: the directions (and any indicators) jointly
        and the pooled count besides, or the pooled count alone and why."""
        if self.joint is not None:
            extra = "".join(
                f"; {name}: {about['scheme']} under the {about['model']} model ({about['why']})"
                for name, about in self.indicators.items()
            )
            shared = "both" if len(self.joint.names) == 2 else "all"
            return (
                f"the {self.jointly} jointly ({', '.join(self.joint.names)}: one periodization "
                f"shared by {shared}, each with its own rates{extra}); the pooled count besides"
            )
        if self.analysis == "joint":
            return "the pooled count (the events go in one direction only)"
        return "the pooled count (both directions added), as asked"

    def provenance_lines(self) -> dict[str, str]:
        """The provenance as the report prints it (words and text values)."""
        return {
            "periodize": versions()["periodize"],
            "versions": ", ".join(f"{k} {v}" for k, v in versions().items()),
            "events SHA-256": events_sha256(self.events),
            "seed": str(self.seed),
            "hypothesis": ", ".join(map(str, self.hypothesis)),
            "compared": "; ".join(
                f"{name}: {', '.join(map(str, b))}" for name, b in self.hypotheses.items()
            ),
            "posterior on": "counts" if self.series.is_count else "raw counts (unweighted)",
            "scheme": self.series.scheme.name,
            "model": self.test.model,
            "min_size": str(self.test.min_size),
            "Monte Carlo replicates": str(self.test.n_sim),
            "serial dependence": self.test.dependence.attrs.get("dependence", ""),
            "analysis": self.analysis_text(),
        }

    def summary(self) -> str:
        from .report.answer import answer

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
        from .report.answer import answer

        return {
            "title": self.title,
            "answer": [line.replace("**", "") for line in answer(self)],
            "verdict": [
                {k: plain(v) for k, v in row.items()} for row in self.verdict().to_dict("records")
            ],
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
            "joint_test": None if self.joint is None else self.joint.to_dict(),
            "comparison": self.comparison.to_dict(),
            "posterior": self.posterior.to_dict(),
            "posterior_data": self.posterior_data,
            "robustness": self.robustness.to_dict(),
            "provenance": self.provenance(),
        }

    def figure(self) -> Any:
        """The study figure (matplotlib Figure): the tested intensity by direction with the
        fitted period rates of the hypothesis and of the best segmentation, the boundaries'
        likelihood-ratio sets in their own strip, the posterior boundary probabilities, and
        the verdict in the title."""
        from .report.figure import study_figure

        name = self.test.names[0]
        bounds = self.test.boundaries.loc[name]
        columns = ["first", "last", "estimate", "lower", "upper"]
        return study_figure(
            self.by_direction,
            self.hypothesis,
            self.test.periods.loc[name][columns],
            tuple(bounds["estimated"].dropna()),  # none where the series ties everywhere
            self._estimated_rates()[columns],
            list(bounds["profile_set"]),
            self.posterior.boundary_probabilities(),
            self._verdict_lines(),
            self.title,
            "events per year"
            if self.series.is_count
            else f"{self.series.scheme.name} intensity per year",
        )

    def _estimated_rates(self) -> pd.DataFrame:
        """Rates with intervals for the periods of the best segmentation (same model; one
        period where no segmentation fits better than none)."""
        from .inference.fits import edges_of
        from .inference.tests.period_table import period_table
        from .segmentation.inputs import as_matrix

        matrix = as_matrix(self.series, "study")
        found = self.test.boundaries["estimated"].dropna()
        positions = [self.test.index.get_loc(b) for b in found]
        edges = edges_of(np.array([positions], dtype=np.int64), len(self.test.index))
        scale = np.ones(1) if self.test.dispersion is None else self.test.dispersion.to_numpy()
        if self.test.model != "quasipoisson":
            scale = np.ones(1)
        table = period_table(self.test.model, matrix, edges, scale, self.test.level)
        return table.loc[self.test.names[0]]

    def _verdict_lines(self) -> list[str]:
        tests = self.test.tests_by_series[0]
        none, best, searched = (
            tests["hypothesis_vs_none"],
            tests["best_vs_hypothesis"],
            tests["best_vs_none"],
        )
        estimated = estimated_text(self.test.boundaries["estimated"])
        lines = [
            f"hypothesis ({', '.join(map(str, self.hypothesis))}) against no change: "
            f"likelihood ratio {none.statistic:.2f}, p = {none.pvalue:.3f} ({self.test.n_sim} "
            f"replicates), {'' if none.pvalue <= 0.05 else 'not '}significant at 5%",
            f"best segmentation ({estimated}) against no change p = {searched.pvalue:.3f}, "
            f"against the hypothesis p = {best.pvalue:.3f}",
        ]
        if self.joint is not None:
            shared = self.joint.tests["hypothesis_vs_none"]
            lines = [
                f"directions jointly: likelihood ratio {shared.statistic:.2f}, p = "
                f"{shared.pvalue:.3f}, {'' if shared.pvalue <= 0.05 else 'not '}significant "
                f"at 5%; pooled count below",
                *lines,
            ]
        post = self.posterior
        text = f"exact posterior: P(no break) = {post.k_probabilities.iloc[0]:.2f}"
        if post.bayes_factors is not None:
            text += f", Bayes factor {10 ** post.bayes_factors.iloc[0, 0]:.2f} (hypothesis/none)"
        return [*lines, text]

    def files(self) -> dict[str, bytes]:
        """The contents of every output file, by name (nothing is written)."""
        import io

        import matplotlib

        from .report.html import html_report
        from .report.markdown import report

        fig = self.figure()
        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", dpi=120)
        with matplotlib.rc_context({"svg.hashsalt": "periodize"}):  # stable SVG ids
            fig.savefig(svg, format="svg", metadata={"Date": None})
        import matplotlib.pyplot as plt

        plt.close(fig)
        return {
            "report.md": (report(self) + "\n![figure](figure.png)\n").encode("utf-8"),
            "report.html": html_report(self, svg.getvalue()).encode("utf-8"),
            "result.json": (saved_json(self) + "\n").encode("utf-8"),
            "figure.png": png.getvalue(),
            "figure.svg": svg.getvalue(),
        }

    def _repr_html_(self) -> str:
        """The report page's body, for notebooks."""
        page = self.files()["report.html"].decode("utf-8")
        return page[page.index("<body>") + len("<body>") : page.index("</body>")]

    def write(self, out_dir: PathLike, *, overwrite: bool = False) -> dict[str, Path]:
        """Write ``report.md``, ``report.html``, ``result.json``, ``figure.png`` and
        ``figure.svg``.

        All five appear at once (see :class:`periodize._output.OutputFolder`): a folder that
        is not empty is refused unless ``overwrite=True``, and even then it may hold only
        these files.
        """
        return OutputFolder(out_dir, OUTPUT_FILES, overwrite=overwrite).publish(self.files())


def study(
    events: pd.DataFrame,
    hypothesis: Sequence[int] | Mapping[str, Sequence[int]],
    *,
    scheme: Any = "count",
    model: str = "poisson",
    min_size: int = 3,
    n_sim: int = 9999,
    max_breaks: int | None = None,
    rng: RandomState = 0,
    title: str = "event table",
    command: str = "periodize.study(...)",
    progress: Callable[[str], None] | None = None,
    start: int | None = None,
    end: int | None = None,
    dependence: str = "auto",
    dyad: Sequence[str] | None = None,
    analysis: str = "joint",
    indicators: Mapping[str, Any] | None = None,
    envelope_draws: int = 500,
) -> Study:
    """Run the whole analysis: validation, intensity under the chosen and every built-in
    scheme, the period summary, the free segmentation (the default rule of ``segment``: for
    a count ``model``, constant or log-linear rates in each period, whichever the BIC
    prefers), the hypothesis tests, the exact posterior and the robustness table.

    ``hypothesis`` (the first years of the hypothesised new periods) has no default: a
    periodization is the question the study answers. Give several as a mapping of names to
    boundaries (``{"paper": (2009, 2019), "2009 only": (2009,)}``): the first is tested in
    full, and all are ranked by :func:`periodize.compare_periodizations`. ``max_breaks``
    (the exact posterior's largest number of breaks) defaults to 3, fewer when the window
    cannot hold four periods
    of ``min_size``, and never fewer than the hypothesis has. Work that would exceed the
    memory budget (see :mod:`periodize._limits`) is refused before it starts. ``start`` and
    ``end`` fix the observation window (default the span of the events; an event outside
    it is an error). ``dependence`` is the serial dependence of every Monte Carlo test's
    replicates (see :func:`periodize.test_periodization`); the report shows the residual
    diagnostics and which null ran. A study analyses one dyad (both directions): a table of
    several is refused unless ``dyad=("CHL", "ARG")`` picks one (pooling dyads into one
    series would be a different question, asked by filtering the table yourself).
    ``analysis="joint"`` (the default) also tests the hypothesis as one periodization
    shared by the two directions, each with its own rates
    (``test_periodization(..., joint=True)``), and reports each direction's share of every
    boundary; the pooled count (both directions added) is analysed in every case, and is
    all that ``analysis="pooled"`` (or a dyad with events in one direction only) gets.
    ``indicators`` adds series to the joint test: a mapping of names to weighting schemes
    (anything :func:`periodize.intensity` takes, such as ``WeightingScheme("documents",
    weight_column="documents_signed")`` or a built-in name), each the dyad's yearly total
    under that scheme (both directions), tested under its own model: the study's ``model``
    for counts, quasi-Poisson for other non-negative totals, normal for totals that go
    below zero (a conflict–cooperation score). ``envelope_draws`` is the number of weight
    vectors of the robustness table's protocol envelope (see
    :func:`periodize.robustness`; 0 leaves the envelope out).

    Examples
    --------
    >>> import periodize as pz
    >>> s = pz.study(pz.datasets.mongolia_kazakhstan(), (2009, 2019), n_sim=99)  # doctest: +SKIP
    >>> print(s)  # doctest: +SKIP
    """
    say = progress or (lambda message: None)
    seed = root_seed(rng, "study")
    clock = time.perf_counter()
    min_size = check_int(min_size, name="min_size", func="study", minimum=1)
    envelope_draws = check_int(envelope_draws, name="envelope_draws", func="study", minimum=0)
    check_choice(analysis, ANALYSES, name="analysis", func="study")
    if indicators and analysis != "joint":
        raise ParameterError(
            "The 'indicators' of study are tested jointly with the directions: pass "
            "analysis='joint' (the default), or drop the indicators."
        )
    hypotheses = _hypotheses(hypothesis)
    hypothesis = next(iter(hypotheses.values()))
    table = _one_dyad(validate_events(events), dyad)
    series = intensity(table, scheme, by=None, start=start, end=end)
    if not np.any(series.data.to_numpy()):  # the scheme gives every event weight 0
        raise ParameterError(
            f"The intensity under the {series.scheme.name!r} scheme is 0 in every period "
            f"({series.data.index[0]}–{series.data.index[-1]}): no periodization can be "
            "estimated or tested from it. Choose a scheme that weights these events (such as "
            "'count'), or check the scheme's weights."
        )
    max_breaks = _max_breaks(max_breaks, len(series.data), min_size, hypothesis)
    check_posterior_size(1, len(series.data), max_breaks)
    # the input is checked (a bad one is one line of error); each step is announced as it
    # starts
    say("intensity and period tables")
    counts = intensity(table, scheme, by="direction", start=series.start, end=series.end)
    extra, about = _indicators(indicators or {}, table, series, counts, model)
    schemes, _ = scheme_table(table, int(series.start), int(series.end))
    say(f"free segmentation and hypothesis tests ({n_sim} replicates)")
    free = segment(series, model=free_model(model), min_size=min_size)  # the default rule
    options: dict[str, Any] = {
        "model": model, "min_size": min_size, "n_sim": n_sim, "rng": seed,
        "dependence": dependence,
    }  # fmt: skip
    tested = _test(series, hypothesis, **options)
    joint = None
    if analysis == "joint" and counts.data.shape[1] + len(about) > 1:
        say(f"the {'series' if about else 'directions'} jointly ({n_sim} replicates)")
        if about:  # each series under its own model
            frame = pd.concat([counts.data, extra], axis=1)
            models = dict.fromkeys(counts.data.columns, resolve_model(model, not counts.is_count))
            models.update({name: info["model"] for name, info in about.items()})
            joint = _test(frame, hypothesis, joint=True, **{**options, "model": models})
        else:
            joint = _test(counts, hypothesis, joint=True, **options)
    say(f"comparison of {len(hypotheses)} periodization{'' if len(hypotheses) == 1 else 's'}")
    compared = compare_periodizations(
        series,
        hypotheses,
        model=model,
        min_size=min_size,
        n_sim=n_sim,
        rng=seed,
        dependence=dependence,
    )
    say("exact posterior")
    count_series = (
        series
        if series.is_count
        else intensity(table, "count", by=None, start=series.start, end=series.end)
    )
    post = posterior(count_series, max_breaks=max_breaks, min_size=min_size, hypothesis=hypothesis)
    say(f"robustness table ({min(n_sim, 999)} replicates per variant)")
    robust = robustness(
        table,
        hypothesis,
        scheme=scheme,
        model=model,
        min_size=min_size,
        n_sim=min(n_sim, 999),
        rng=seed,
        dependence=dependence,
        start=int(series.start),
        end=int(series.end),
        envelope_draws=envelope_draws,
    )
    say(f"done in {time.perf_counter() - clock:.1f} s")
    return Study(
        title=title,
        events=table,
        hypothesis=tuple(int(h) for h in hypothesis),
        hypotheses=hypotheses,
        series=series,
        by_direction=counts.data,
        schemes=schemes,
        free=free,
        test=tested,
        comparison=compared,
        posterior=post,
        robustness=robust,
        command=command,
        seed=seed,
        joint=joint,
        analysis=analysis,
        indicators=about,
    )


def _indicators(
    indicators: Mapping[str, Any],
    table: pd.DataFrame,
    series: IntensitySeries,
    counts: IntensitySeries,
    model: str,
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """The indicator series (the dyad's yearly total under each named scheme, over the
    study's window) and, per name, its scheme, model and why."""
    if not isinstance(indicators, Mapping):
        raise ParameterError(
            "The 'indicators' parameter of study must be a mapping of names to weighting "
            f"schemes, such as {{'documents': 'count'}}. Got {indicators!r} instead."
        )
    columns, about = {}, {}
    for name, scheme in indicators.items():
        if not isinstance(name, str) or not name.strip() or name in counts.data.columns:
            raise ParameterError(
                f"An indicator of study needs a name of its own (not empty, not a direction "
                f"such as {counts.data.columns[0]!r}). Got {name!r}."
            )
        scheme = get_scheme(scheme, f"The scheme of the indicator {name!r} of study")
        total = intensity(table, scheme, by=None, start=series.start, end=series.end)
        values = total.data.iloc[:, 0]
        if total.is_count:
            used, why = model, "counts: the study's model"
        elif (values >= 0).all():
            used, why = "quasipoisson", "non-negative weighted totals"
        else:
            used, why = "normal", "totals that go below zero"
        columns[name] = values.to_numpy(dtype=float)
        about[name] = {"scheme": total.scheme.name, "model": used, "why": why}
    return pd.DataFrame(columns, index=counts.data.index), about


def _one_dyad(table: pd.DataFrame, dyad: Sequence[str] | None) -> pd.DataFrame:
    """The events of one dyad: the table's only one, or the one ``dyad`` names."""
    actor, target = table["actor"].astype(str), table["target"].astype(str)
    first = actor <= target
    keys = actor.where(first, target) + "–" + target.where(first, actor)
    found = sorted(set(keys))
    if dyad is None:
        if len(found) > 1:
            shown = ", ".join(found[:5]) + (
                f" and {len(found) - 5} more" if len(found) > 5 else ""
            )
            a, b = found[0].split("–")
            raise ParameterError(
                f"The events hold {len(found)} dyads ({shown}); a study analyses one. Pick it "
                f"with dyad=({a!r}, {b!r}) (periodize study --dyad {a},{b}), or filter the "
                "table first."
            )
        return table
    codes = [str(c) for c in dyad] if not isinstance(dyad, str) else [dyad]
    if len(codes) != 2 or codes[0] == codes[1]:
        raise ParameterError(
            f"The 'dyad' parameter of study must name two different codes such as "
            f"('CHL', 'ARG'). Got {dyad!r}."
        )
    key = "–".join(sorted(codes))
    if key not in found:
        raise ParameterError(
            f"No event of the table is between {codes[0]} and {codes[1]}; its dyads are "
            f"{', '.join(found[:5])}{' and more' if len(found) > 5 else ''}."
        )
    return table[(keys == key).to_numpy()]


def _hypotheses(
    hypothesis: Sequence[int] | Mapping[str, Sequence[int]],
) -> dict[str, tuple[int, ...]]:
    """Named periodizations; a plain sequence of years is one, named "hypothesis"."""
    if isinstance(hypothesis, Mapping):
        if not hypothesis:
            raise ParameterError(
                "The 'hypothesis' parameter of study must name at least one periodization."
            )
        for name in hypothesis:  # before any work: the comparison refuses it at the end
            check_candidate_name(str(name), "study")
        return {str(k): tuple(v) for k, v in hypothesis.items()}
    if isinstance(hypothesis, str):
        raise PeriodizeTypeError(
            "The 'hypothesis' parameter of study must be years such as (2009, 2019) or a "
            f"mapping of names to years. Got {hypothesis!r} instead."
        )
    return {"hypothesis": tuple(hypothesis)}


def _max_breaks(
    given: int | None, n_periods: int, min_size: int, hypothesis: Sequence[int]
) -> int:
    """The posterior's largest number of breaks: as given, or 3 capped by the window."""
    if given is not None:
        return given
    fits = max(n_periods // max(int(min_size), 1) - 1, 0)
    return max(min(3, fits), len(tuple(hypothesis)))


def stderr_progress(message: str) -> None:
    """Print a progress line on stderr (first raising a Ctrl-C swallowed since the last)."""
    check_interrupt()
    print(f"periodize study: {message}", file=sys.stderr, flush=True)


def quiet_progress(message: str) -> None:
    """Print nothing, but raise a Ctrl-C swallowed since the last step (``--quiet`` stops
    at the same steps as a study that prints its progress)."""
    check_interrupt()
