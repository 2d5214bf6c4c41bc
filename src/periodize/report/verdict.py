"""The verdict table: every claim a study makes, with its evidence, in one table.

The Answer of the report is written from these rows (see :mod:`periodize.report.markdown`),
so no sentence states a finding the table does not hold. A row is a test (statistic,
p-value, replicates, the decision at the level), a probability (the exact posterior) or a
robustness variant that changes the verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: The level at which the report calls a test significant.
LEVEL = 0.05

COLUMNS = ("claim", "evidence", "statistic", "pvalue", "pvalue_holm", "n_sim", "decision")


def decision(pvalue: float, level: float = LEVEL) -> str:
    """``significant at 5%`` or ``not significant at 5%`` (``–`` without a p-value)."""
    if pvalue != pvalue:
        return "–"
    return f"{'' if pvalue <= level else 'not '}significant at {level:.0%}"


def verdict_table(study: Any) -> pd.DataFrame:
    """One row per claim of ``study`` (a :class:`periodize.study.Study`).

    Examples
    --------
    >>> import periodize as pz
    >>> s = pz.study(pz.datasets.mongolia_kazakhstan(), (2009, 2019), n_sim=99)  # doctest: +SKIP
    >>> verdict_table(s)[["claim", "pvalue", "decision"]]  # doctest: +SKIP
    """
    test, name = study.test, study.test.names[0]
    tests = test.tests_by_series[0]
    k = len(study.hypothesis)
    rows: list[dict[str, Any]] = []

    def add(claim: str, evidence: str, row: Any = None, holm: float = np.nan) -> None:
        pvalue = np.nan if row is None else float(row.pvalue)
        rows.append(
            {
                "claim": claim,
                "evidence": evidence,
                "statistic": np.nan if row is None else float(row.statistic),
                "pvalue": pvalue,
                "pvalue_holm": holm,
                "n_sim": test.n_sim if row is not None else np.nan,
                "decision": decision(holm if holm == holm else pvalue),
            }
        )

    hyp = ", ".join(map(str, study.hypothesis))
    joint = study.joint
    if joint is not None:
        jointly = study.jointly
        both = f"the {len(joint.names)} {jointly} jointly"
        add(
            f"the hypothesis ({hyp}) fits {both} better than no change (one shared "
            f"periodization, each {'direction' if jointly == 'directions' else 'series'} with its "
            "own rates)",
            f"Monte Carlo LR test, summed over the {jointly}",
            joint.tests["hypothesis_vs_none"],
        )
        add(
            f"some shared {k}-break segmentation fits {both} better than no change (searched for)",
            f"Monte Carlo sup-LR test, summed over the {jointly}",
            joint.tests["best_vs_none"],
        )
        add(
            f"the best shared {k}-break segmentation fits better than the hypothesis",
            "parametric bootstrap under the hypothesis, "
            + ("both directions" if jointly == "directions" else f"all {jointly}"),
            joint.tests["best_vs_hypothesis"],
        )
        for boundary, row in joint.boundary_tests.iterrows():
            add(
                f"a new period starts in {boundary} in {both} (against the same periods "
                f"without it; {joint.carried_text(boundary)})",
                "Monte Carlo LR test, Holm across boundaries",
                row,
                float(row.pvalue_holm),
            )
    pooled = "pooled count: " if joint is not None else ""
    add(
        f"{pooled}the hypothesis ({hyp}) fits better than no change",
        "Monte Carlo LR test",
        tests["hypothesis_vs_none"],
    )
    add(
        f"{pooled}some {k}-break segmentation fits better than no change (searched for)",
        "Monte Carlo sup-LR test",
        tests["best_vs_none"],
    )
    add(
        f"{pooled}the best {k}-break segmentation fits better than the hypothesis",
        "parametric bootstrap under the hypothesis",
        tests["best_vs_hypothesis"],
    )
    for boundary, row in test.boundary_tests.loc[name].iterrows():
        add(
            f"{pooled}a new period starts in {boundary} (against the same periods without it)",
            "Monte Carlo LR test, Holm across boundaries",
            row,
            float(row.pvalue_holm),
        )
    compared = study.comparison.table.loc[name]
    first = next(iter(study.hypotheses))  # the hypothesis itself: its tests are above
    for label, row in compared[~compared["estimated"]].iterrows():
        if not row.breaks or label == first:
            continue
        years = ", ".join(map(str, row.boundaries))
        for column, against in (
            ("p_vs_none", "no change"),
            ("p_vs_best", "the best segmentation"),
        ):
            rows.append(
                {
                    "claim": f"compared: {label} ({years}) against {against}",
                    "evidence": "Monte Carlo LR test",
                    "statistic": np.nan,
                    "pvalue": float(row[column]),
                    "pvalue_holm": np.nan,
                    "n_sim": study.comparison.n_sim,
                    "decision": decision(float(row[column])),
                }
            )
    post = study.posterior
    rows.append(_probability("no break (exact posterior)", float(post.k_probabilities.iloc[0])))
    if post.bayes_factors is not None:
        grid = 10 ** post.sensitivity["log10_bf_vs_none"].to_numpy()
        rows.append(
            _probability(
                "Bayes factor of the hypothesis against no change",
                float(10 ** post.bayes_factors.iloc[0, 0]),
                f"conjugate priors; {grid.min():.2f}–{grid.max():.2f} over the prior grid",
            )
        )
    robust = study.robustness
    for (group, variant), row in robust.changing().iterrows():
        what = {
            "moved": "a boundary leaves the baseline's likelihood-ratio set",
            "flips": "the test against no change changes side",
        }
        changes = "; ".join(text for key, text in what.items() if row[key])
        rows.append(
            {
                "claim": f"variant {variant_name(group, variant)}: {changes}",
                "evidence": f"robustness ({', '.join(map(str, row.estimated))} estimated)",
                "statistic": np.nan,
                "pvalue": float(row.p_hypothesis_vs_none),
                "pvalue_holm": np.nan,
                "n_sim": int(row.n_sim),
                "decision": decision(float(row.p_hypothesis_vs_none), robust.alpha),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["n_sim"] = table["n_sim"].astype("Int64")  # whole numbers, missing where no test
    return table


def _probability(claim: str, value: float, evidence: str = "conjugate priors") -> dict:
    return {
        "claim": f"{claim}: {value:.2f}",
        "evidence": evidence,
        "statistic": value,
        "pvalue": np.nan,
        "pvalue_holm": np.nan,
        "n_sim": np.nan,
        "decision": "–",
    }


def variant_name(group: str, variant: str) -> str:
    """A robustness variant as a reader names it: ``without mk-2016-masimov``,
    ``copdab weights``, ``drop first 2``."""
    if group == "leave_one_out":
        return f"without {variant}"
    if group == "scheme":
        return f"{variant} weights"
    if group == "model":
        return f"{variant} model"
    if group == "dependence":  # "dependence independent" or "dependence auto"
        return "independent periods" if variant.endswith("independent") else "dependent null"
    return variant
