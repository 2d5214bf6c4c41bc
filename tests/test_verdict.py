"""The Answer and the verdict table on dyads that are not the bundled one: significant, not
significant and mixed verdicts, each sentence chosen by its numbers."""

import re

import numpy as np
import pytest

import periodize as pz
from periodize.report.verdict import verdict_table


def study_of(boundaries, rates, hypothesis, seed):
    events, _ = pz.simulate_events(
        n_dyads=1, years=range(1990, 2020), boundaries=boundaries, rates=rates, rng=seed
    )
    return pz.study(
        events, hypothesis, n_sim=199, envelope_draws=50, rng=1, title="synthetic dyad"
    )


@pytest.fixture(scope="module")
def significant():
    return study_of((2005,), (0.5, 4.0), (2005,), 1)


@pytest.fixture(scope="module")
def flat():
    return study_of((2005,), (1.0, 1.0), (2005,), 2)


@pytest.fixture(scope="module")
def mixed():
    # a real change in 2000, none in 2010: the periodization fits, its second boundary not
    return study_of((2000, 2010), (0.4, 3.0, 3.0), (2000, 2010), 3)


def sentences(study):
    return study.to_dict()["answer"]


@pytest.mark.parametrize("name", ["significant", "flat", "mixed"])
def test_no_fixed_connective_and_every_p_value_has_its_replicates(request, name):
    study = request.getfixturevalue(name)
    for line in sentences(study):
        assert not re.search(r"\bbut\b", line), line
        assert "{" not in line and "}" not in line, line  # no unformatted placeholder
        if "p = " in line:
            assert "replicates" in line, line
    table = verdict_table(study)
    k = len(study.hypothesis)
    # the directions jointly first (three tests and each boundary), then the pooled count
    for offset, result in ((0, study.joint), (3 + k, study.test.tests_by_series[0])):
        tests = result.tests if offset == 0 else result
        for row, name in enumerate(("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis")):
            assert table.loc[offset + row, "pvalue"] == tests[name].pvalue
    joint_rows = table.loc[3 : 2 + k, "pvalue"].to_numpy()
    assert list(joint_rows) == list(study.joint.boundary_tests["pvalue"])
    assert table.loc[3 + k :, "claim"].head(3 + k).str.startswith("pooled count: ").all()
    assert (table["n_sim"].dropna() > 0).all()


def pooled_line(study):
    return next(line for line in sentences(study) if line.startswith("Pooled count"))


def test_significant_verdict(significant):
    line = pooled_line(significant)
    assert "the improvement is significant at the 5% level" in line
    table = verdict_table(significant).set_index("claim")
    assert table.loc["pooled count: the hypothesis (2005) fits better than no change",
                     "decision"] == "significant at 5%"  # fmt: skip
    joint = sentences(significant)[1]
    assert joint.startswith("The 2 directions jointly")
    assert "likelihood ratio" in joint and ", significant at the 5% level" in joint
    assert table.iloc[0]["decision"] == "significant at 5%"


def test_not_significant_verdict(flat):
    line = pooled_line(flat)
    assert "not significant" in line or "no better than a single constant rate" in line
    assert verdict_table(flat).loc[0, "decision"] == "not significant at 5%"


def test_pooled_analysis_has_no_joint_part():
    events, _ = pz.simulate_events(
        n_dyads=1, years=range(1990, 2020), boundaries=(2005,), rates=(0.5, 4.0), rng=1
    )
    pooled = pz.study(events, (2005,), n_sim=99, envelope_draws=50, rng=1, analysis="pooled")
    assert pooled.joint is None
    assert not any("jointly" in line for line in sentences(pooled))
    assert not verdict_table(pooled)["claim"].str.startswith("pooled count").any()
    assert "as asked" in pooled.provenance()["analysis"]


def test_mixed_verdict_names_the_boundary_without_support(mixed):
    table = verdict_table(mixed).set_index("claim")
    whole = table.loc["pooled count: the hypothesis (2000, 2010) fits better than no change"]
    first = table.loc[
        "pooled count: a new period starts in 2000 (against the same periods without it)"
    ]
    second = table.loc[
        "pooled count: a new period starts in 2010 (against the same periods without it)"
    ]
    assert whole["decision"] == "significant at 5%"
    assert first["decision"] == "significant at 5%"
    assert second["decision"] == "not significant at 5%"
    assert second["pvalue_holm"] >= second["pvalue"]
    each = next(line for line in sentences(mixed) if line.startswith("Each boundary"))
    assert f"2010: likelihood ratio {second['statistic']:.2f}" in each


def test_verdict_is_in_the_json_and_the_report(mixed):
    data = mixed.to_dict()
    assert [row["claim"] for row in data["verdict"]] == list(verdict_table(mixed)["claim"])
    assert "## Verdict table" in mixed.files()["report.md"].decode()
    bf = next(row for row in data["verdict"] if row["claim"].startswith("Bayes factor"))
    low, high = map(float, re.search(r"([0-9.]+)–([0-9.]+) over", bf["evidence"]).groups())
    grid = 10 ** mixed.posterior.sensitivity["log10_bf_vs_none"].to_numpy()
    assert (low, high) == (round(grid.min(), 2), round(grid.max(), 2))
    assert np.isfinite(bf["statistic"])


def test_robustness_sentence_counts_what_the_table_holds(mixed):
    line = next(line for line in sentences(mixed) if line.startswith("Robustness"))
    table = mixed.robustness.table
    computed = table[table["estimated"].notna()]
    moved, flips = int(computed["moved"].sum()), int(computed["flips"].sum())
    assert f"{moved} move a boundary outside" in line
    assert f"and {flips} flip the test" in line


def test_robustness_sentence_names_only_the_variants_it_ran():
    events, _ = pz.simulate_events(
        n_dyads=1,
        years=range(1990, 2016),
        boundaries=(2003,),
        rates=(0.5, 3.0),
        kind_mix={"official_visit": 1.0},
        rng=4,
    )
    study = pz.study(events, (2003,), n_sim=99, envelope_draws=50, rng=0)
    line = next(line for line in sentences(study) if line.startswith("Robustness"))
    assert "multilateral" not in line
    assert "each event left out" in line
