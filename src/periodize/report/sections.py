"""The sections of a study report, shared by the Markdown and the HTML renderings, so both
say the same things in the same order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..inference.robust.robustness_result import DISPLAY_COLUMNS
from .answer import answer
from .verdict import verdict_table


@dataclass(frozen=True)
class Section:
    """A heading with, in this order, bullets, paragraphs, a table and a code block.
    Paragraphs use two marks only: ``**bold**`` and ```code```."""

    title: str
    bullets: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    code: str | None = None


def sections(study: Any, escape: Callable[[Any], str]) -> list[Section]:
    """Every section of the report of ``study``; text from the data goes through ``escape``."""

    test, post, robust = study.test, study.posterior, study.robustness
    name = test.names[0]
    top = post.boundary_probabilities().nlargest(8).round(3).to_frame()
    provenance = "\n".join(
        f"{k}: {' '.join(str(v).split())}" for k, v in study.provenance_lines().items()
    )
    return [
        Section("Answer", bullets=answer(study, escape)),
        Section(
            "Verdict table",
            text=[
                "Every claim above with its evidence (p-values are Monte Carlo; `decision` at "
                "5%, by Holm's adjusted p-value for single boundaries)."
            ],
            table=verdict_table(study).set_index("claim"),
        ),
        *_joint(study.joint, study.jointly),
        Section("Events per period (descriptive)", table=study.period_table()),
        Section(
            f"Rates per hypothesised period ({test.periods.attrs.get('method', '')})",
            table=test.periods.loc[name],
        ),
        Section(
            f"Each boundary ({test.boundary_tests.attrs.get('method', '')})",
            table=test.boundary_tests.loc[name],
        ),
        Section(
            "Competing periodizations",
            text=[
                "AIC/BIC weights and the exact posterior (normalised over the distinct "
                "partitions listed; `posterior_given_k`: share among all partitions with as "
                "many breaks); `p_vs_none`, `p_vs_best`: Monte Carlo likelihood-ratio tests "
                "against no change and against the best segmentation with as many breaks "
                f"({study.comparison.n_sim} replicates)."
            ],
            table=_compared(study.comparison.to_frame().loc[name]),
        ),
        Section("Tests", table=test.test_table().loc[name]),
        Section(
            "Serial dependence",
            text=[
                "Autocorrelation of the hypothesised periods' Pearson residuals with the "
                "Ljung–Box test, and the serial dependence the Monte Carlo replicates were "
                f"drawn with (`dependence={test.dependence.attrs.get('dependence', '')}`: "
                "a latent AR order above 0 means the replicates keep the data's dependence)."
            ],
            table=dependence_table(test, name),
        ),
        Section("Boundaries", table=test.boundaries.loc[name].astype(object)),
        Section(
            "Exact posterior",
            text=["P(number of breaks = k):"],
            table=post.k_probabilities.to_frame().T,
        ),
        Section(
            "Years most likely to start a new period",
            text=["Posterior probability, marginal over the number of breaks."],
            table=top,
        ),
        Section(
            "Credible sets",
            text=["Each boundary's mode and the smallest set of years with the stated mass."],
            table=post.credible_sets.astype(object),
        ),
        Section("Robustness", table=robust.table[list(DISPLAY_COLUMNS)].astype(object)),
        Section(
            "Free segmentation (number of breaks chosen by the default rule, penalty 'auto')",
            code=study.free.summary(),
        ),
        Section(
            "How this was made",
            text=[f"Command: {_code(study.command)}"],
            code=provenance,
        ),
    ]


def _joint(joint: Any, jointly: str = "directions") -> list[Section]:
    """The directions (or ``jointly``: the series, with indicators) tested jointly: each
    shared boundary, and each series' part."""
    if joint is None:
        return []
    one = "direction" if jointly == "directions" else "series"
    return [
        Section(
            f"The {jointly} jointly: each boundary",
            text=[
                f"One periodization shared by {', '.join(joint.names)}, each with its own "
                f"rates; {joint.boundary_tests.attrs.get('method', '')}. The replicates keep "
                f"the correlation between the {jointly} ({joint.n_sim} replicates). The "
                "sections after this one analyse the pooled count (both directions added)."
                + ("" if jointly == "directions" else f" Models: {joint.model}.")
            ],
            table=joint.boundary_tests,
        ),
        Section(
            f"The {jointly} jointly: which {one} carries each boundary",
            text=[
                f"Each {one}'s likelihood ratio for the boundary, its share of their sum, "
                "and the ratio of its rates across the boundary with its interval"
                + (
                    "."
                    if jointly == "directions"
                    else " (for a normal series the difference of its means)."
                )
            ],
            table=joint.contributions,
        ),
    ]


def dependence_table(test: Any, name: str) -> pd.DataFrame:
    """One row: the residual diagnostics and the replicates' null of series ``name``."""
    checks = test.diagnostics.loc[[name]]
    drawn = test.dependence.loc[[name]]
    table = pd.concat(
        [
            checks[["n", "lags", "acf_1", "ljung_box", "pvalue", "dispersion"]].rename(
                columns={"acf_1": "lag-1 autocorrelation", "pvalue": "Ljung–Box p"}
            ),
            drawn[["order", "latent_lag1", "null"]].rename(
                columns={"order": "latent AR order", "latent_lag1": "latent lag-1"}
            ),
        ],
        axis=1,
    )
    return table.dropna(axis=1, how="all").round(4).astype(object)


def _code(value: Any) -> str:
    """Text as one inline code span, whatever backticks it holds."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _compared(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as shown: ``same_as`` only where a row repeats another's
    partition, empty where it does not."""
    if table["same_as"].isna().all():
        return table.drop(columns="same_as")
    return table.assign(same_as=table["same_as"].fillna(""))
