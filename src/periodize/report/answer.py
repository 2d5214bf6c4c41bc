"""The Answer of the report: plain-language findings, each sentence tied to a number in
the report (shared by the Markdown and HTML reports and the study's summary)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..inference.tests.boundary_sets import estimated_text
from ..segmentation.diagnostics import LEVEL, MIN_PERIODS


def _span(members: list[Any]) -> str:
    """A set of periods as runs: ``1995–1997, 2002–2009``."""
    from .figure import runs

    if not members:
        return "–"
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs(members))


def answer(study: Any, escape: Callable[[Any], str] = str) -> list[str]:
    """The plain-language findings, each sentence tied to a number in the report.

    Text from the data (event ids) goes through ``escape`` (:func:`inline` for Markdown).
    """
    test, post, robust = study.test, study.posterior, study.robustness
    name = test.names[0]
    tests = test.tests_by_series[0]
    hyp = ", ".join(str(b) for b in study.hypothesis)
    k = len(study.hypothesis)
    none, best = tests["hypothesis_vs_none"], tests["best_vs_hypothesis"]
    searched = tests["best_vs_none"]
    bounds = test.boundaries.loc[name]
    estimated = estimated_text(bounds["estimated"])
    years = len(test.index)
    lines = [
        f"The record has {study.n_events} events in {years} years "
        f"({test.index[0]}–{test.index[-1]}), {study.n_events / years:.2f} per year; the "
        f"hypothesis starts new periods in {hyp}.",
        *([] if study.joint is None else [_joint(study.joint, study.jointly)]),
        _pooled(study, _against_none(none.statistic, none.pvalue, test.n_sim)),
        (
            f"The best segmentation with {k} break(s) starts new periods in {estimated}"
            if bounds["estimated"].notna().all()
            else f"No segmentation with {k} break(s) fits better than no change (every "
            "placement fits equally well: the best is not identified)"
        )
        + f"; searched for among all of them, it is {_significance(searched.pvalue)} against "
        f"no change (p = {searched.pvalue:.3f}, {test.n_sim} replicates), and "
        + (
            "the data **favour it over the hypothesis**"
            if best.pvalue <= 0.05
            else "the data **cannot tell it apart from the hypothesis**"
        )
        + f" (p = {best.pvalue:.3f}, {test.n_sim} replicates).",
        f"{test.level:.0%} likelihood-ratio confidence sets for the boundaries: "
        + "; ".join(
            f"boundary {j + 1} (hypothesised {h}): {_span(s)}"
            for j, (h, s) in enumerate(
                zip(bounds["hypothesised"], bounds["profile_set"], strict=True)
            )
        )
        + _bootstrap_note(bounds, test.level),
    ]
    lines.append(_dependence(test, name))
    lines.append(_each_boundary(test.boundary_tests.loc[name], test.n_sim))
    lines.append(_ranking(study.comparison, name, escape))
    lines.extend(test.notes(name))
    pk = post.k_probabilities
    on = "" if study.series.is_count else " (on raw event counts; it needs counts)"
    bayes = ""
    if post.bayes_factors is not None:
        grid = 10 ** post.sensitivity["log10_bf_vs_none"]
        bayes = (
            "; the Bayes factor of the hypothesis against no change is "
            f"{10 ** post.bayes_factors.iloc[0, 0]:.2f} ({grid.min():.2f}–{grid.max():.2f} over "
            f"the {len(grid)} priors of the sensitivity grid)"
        )
    lines.append(
        f"The exact Bayesian posterior{on} gives "
        + ", ".join(f"P({i} break{'s' if i != 1 else ''}) = {p:.2f}" for i, p in pk.items())
        + bayes
        + "; it assumes independent periods"
        + (
            ", which the residuals reject: with positive dependence its probabilities of "
            "breaks are overconfident."
            if _rejects_independence(test, name)
            else "."
        )
    )
    lines.append(_robustness(robust, escape))
    positions = [[test.index.get_loc(m) for m in members] for members in bounds["profile_set"]]
    spans = [max(p) - min(p) + 1 for p in positions if p]
    widest = (
        f"the {test.level:.0%} likelihood-ratio sets span up to {max(spans)} periods"
        if spans
        else "the boundaries are not located"
    )
    lines.append(
        f"With {study.n_events} events in {years} years {widest}; "
        + (
            "a significant test against no change does not by itself single out these boundaries."
            if none.pvalue <= 0.05
            else "a periodization the data do not reject is not thereby confirmed."
        )
    )
    return lines


def _pooled(study: Any, sentence: str) -> str:
    """A sentence on the pooled count, saying so where the directions were also tested
    jointly."""
    if study.joint is None:
        return sentence
    return f"Pooled count (both directions added): {sentence[0].lower()}{sentence[1:]}"


def _joint(joint: Any, jointly: str = "directions") -> str:
    """The directions (or ``jointly``: the series, with indicators) tested jointly: the
    shared periodization against no change and against the best shared one, and each
    boundary with the series that carries it."""
    none, searched, best = (
        joint.tests[name] for name in ("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis")
    )
    boundaries = "; ".join(
        f"{boundary}: p = {row.pvalue:.3f} (Holm {row.pvalue_holm:.3f}), "
        + joint.carried_text(boundary)
        for boundary, row in joint.boundary_tests.iterrows()
    )
    return (
        f"The {len(joint.names)} {jointly} jointly ({', '.join(joint.names)}; one "
        f"periodization shared by {'both' if len(joint.names) == 2 else 'all'}, each with its "
        "own rates, the study's default analysis): "
        f"against no change the hypothesised periods give a summed likelihood ratio of "
        f"{none.statistic:.2f}, {_significance(none.pvalue)} at the 5% level (Monte Carlo "
        f"p = {none.pvalue:.3f}, {joint.n_sim} replicates keeping the {jointly}' "
        f"correlation); the best shared segmentation ({', '.join(map(str, joint.best))}) is "
        f"{_significance(searched.pvalue)} against no change (p = {searched.pvalue:.3f}) and "
        + (
            "the data **favour it over the hypothesis**"
            if best.pvalue <= 0.05
            else "the data **cannot tell it apart from the hypothesis**"
        )
        + f" (p = {best.pvalue:.3f}). Each boundary jointly: {boundaries}."
    )


def _rejects_independence(test: Any, name: str) -> bool:
    row = test.diagnostics.loc[name]
    return bool(row["n"] >= MIN_PERIODS and row["pvalue"] < LEVEL)


def _dependence(test: Any, name: str) -> str:
    """Serial dependence: what the residuals show and which null the p-values used."""
    verdict = test.diagnostics.loc[name, "verdict"]
    drawn = test.dependence.loc[name]
    if drawn["order"] > 0:
        null = (
            f"the Monte Carlo replicates are drawn with the dependence fitted to them "
            f"({drawn['null']}, latent lag-1 autocorrelation {drawn['latent_lag1']:.2f})"
        )
    else:
        null = "the Monte Carlo replicates draw the periods independently"
    return f"Serial dependence: {verdict[0].upper()}{verdict[1:]}; {null}."


def _each_boundary(table: pd.DataFrame, n_sim: int) -> str:
    """One clause per hypothesised boundary: its own test and the change across it."""
    change = "ratio" if "ratio" in table.columns else "difference"
    what = "rate ratio" if change == "ratio" else "difference in means"
    clauses = [
        f"{boundary}: likelihood ratio {row.statistic:.2f}, p = {row.pvalue:.3f} (Holm "
        f"{row.pvalue_holm:.3f}), {what} {row[change]:.2f} "
        f"({row[f'{change}_lower']:.2f}–{row[f'{change}_upper']:.2f})"
        for boundary, row in table.iterrows()
    ]
    return (
        "Each boundary against the same periods without it ("
        f"{n_sim} replicates each): " + "; ".join(clauses) + "."
    )


def _ranking(comparison: Any, name: str, escape: Callable[[Any], str]) -> str:
    """The compared periodizations by BIC weight, with their exact posterior shares."""
    table = comparison.table.loc[name]
    repeats = table[table["same_as"].notna()]
    rows = table[table["same_as"].isna()].sort_values("bic_weight", ascending=False)
    exact = bool(rows["posterior"].notna().all())
    shown = []
    for label, row in rows.iterrows():
        years = "not identified" if row.boundaries is None else ", ".join(map(str, row.boundaries))
        what = escape(label) if not years else f"{escape(label)} ({years})"
        same = [escape(r) for r, _ in repeats[repeats["same_as"] == label].iterrows()]
        what += "".join(f" = {r}" for r in same)  # the same partition, counted once
        shown.append(f"{what} {row.bic_weight:.2f}" + (f" / {row.posterior:.2f}" if exact else ""))
    most = int(table["breaks"].max())
    prior = (
        f" (prior: 0 to {most} breaks equally likely, and every placement of a number of "
        "breaks equally likely, so a partition shares its number's mass with all others of "
        "that size)"
    )
    return (
        "Compared periodizations, by BIC weight"
        + (f" / exact posterior probability within the set{prior}" if exact else "")
        + ": "
        + "; ".join(shown)
        + "."
    )


def _bootstrap_note(bounds: pd.DataFrame, level: float) -> str:
    """How the bootstrap sets of the table at the same level compare with the
    likelihood-ratio sets, in sizes read off the table."""
    column = f"bootstrap_{level * 100:.0f}"
    if column not in bounds.columns:
        return "."
    sizes = [
        f"{len(b)} against {len(p)} years"
        for b, p in zip(bounds[column], bounds["profile_set"], strict=True)
        if b is not None  # none where the series is not identified
    ]
    if not sizes:
        return "."
    return (
        f" (the {level:.0%} bootstrap sets in the table hold {'; '.join(sizes)}; with small "
        "changes bootstrap sets cover less than their level)."
    )


def _significance(pvalue: float) -> str:
    return "**significant**" if pvalue <= 0.05 else "**not significant**"


def _robustness(robust: Any, escape: Callable[[Any], str]) -> str:
    """How often the variants move a boundary beyond its likelihood-ratio set or flip the
    verdict, with the variants named."""
    from .verdict import variant_name

    table = robust.table
    computed = table[table["p_hypothesis_vs_none"].notna()]  # the variants that ran
    env = robust.envelope_summary()
    changing = robust.changing()
    named = "; ".join(
        f"{escape(variant_name(group, variant))}: p = {row.p_hypothesis_vs_none:.3f}"
        + (" (a boundary moves)" if row.moved else "")
        for (group, variant), row in changing.iterrows()
    )
    kinds = {
        "leave_one_out": "each event left out",
        "scheme": "other weighting schemes",
        "window": "shorter windows",
        "min_size": "other minimum period lengths",
        "model": "the negative binomial model",
        "dependence": "the other serial-dependence null",
        "multilateral": "without multilateral meetings",
    }
    present = computed.index.get_level_values("group")
    tried = ", ".join(text for group, text in kinds.items() if group in present)
    return (
        f"Robustness ({robust.n_sim} replicates per variant): of {len(computed)} variants "
        f"({tried}), "
        f"{int(computed['moved'].sum())} move a boundary outside its "
        f"95% likelihood-ratio set and {int(computed['flips'].sum())} flip the test "
        f"against no change at the {robust.alpha:.0%} level"
        + (f" ({named})" if named else "")
        + f"; p ranges from {computed['p_hypothesis_vs_none'].min():.3f} to "
        f"{computed['p_hypothesis_vs_none'].max():.3f}"
        + (
            f"; in {env.attrs['share_rejected']:.0%} of {len(robust.envelope)} protocol weight "
            "vectors the hypothesis was rejected against the best alternative"
            if not env.empty
            else ""
        )
        + (
            f"; the protocol weight envelope is {robust.envelope.attrs['note']}"
            if robust.envelope.attrs.get("note")
            else ""
        )
        + "."
    )


def _against_none(statistic: float, pvalue: float, n_sim: int) -> str:
    """The hypothesis-vs-no-change sentence, its words chosen by the numbers."""
    evidence = f"Monte Carlo p = {pvalue:.3f}, {n_sim} replicates"
    if not statistic > 1e-9:
        return (
            "The hypothesised periods fit no better than a single constant rate (likelihood "
            f"ratio {statistic:.2f}; {evidence})."
        )
    verdict = _significance(pvalue)
    return (
        "Against a single constant rate, the hypothesised periods raise the likelihood "
        f"(likelihood ratio {statistic:.2f}); the improvement is {verdict} at the 5% level "
        f"({evidence})."
    )
