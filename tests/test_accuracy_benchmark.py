"""The accuracy benchmark's metrics (TCPD's F1 and cover, written from their definitions)
against closed forms and the published scores of "zero", and a smoke run of the report.
The numbers themselves are measured by `python -m benchmarks.accuracy`, not asserted."""

import pandas as pd
import pytest

from benchmarks import accuracy
from benchmarks.accuracy import cover_score, f1_score

TCPD = accuracy.DEFAULT_TCPD
needs_tcpd = pytest.mark.skipif(
    not (TCPD / "annotations.json").is_file(), reason=f"no TCPD folder at {TCPD}"
)


def test_f1_closed_forms():
    annotations = {"a": [20, 60], "b": [21], "c": []}
    # no prediction: precision 1 (location 0 only), recall the mean of 1/(1 + |T_k|)
    recall = (1 / 3 + 1 / 2 + 1) / 3
    assert f1_score(annotations, [], 100) == pytest.approx(2 * recall / (1 + recall))
    # 25 is 5 from 20 (a match at margin 5); 66 is 6 from 60 (none); 21 then has no
    # prediction left (each prediction matches one point)
    precision = 2 / 3  # {0, 20} of the union matched by {0, 25, 66}: 0 and one of 20/21
    recall = (2 / 3 + 2 / 2 + 1) / 3
    got = f1_score(annotations, [25, 66], 100)
    assert got == pytest.approx(2 * precision * recall / (precision + recall))
    # cleaning: 0, n-1, duplicates and floats; only 1 <= x <= n-2 stays
    assert f1_score(annotations, [0, 99, 20.0, 20], 100) == f1_score(annotations, [20], 100)


def test_cover_closed_forms():
    assert cover_score({"a": [50]}, [], 100) == pytest.approx(0.5)
    assert cover_score({"a": []}, [25], 100) == pytest.approx(0.75)
    # two annotators, one agrees exactly: (1 + 0.5) / 2
    assert cover_score({"a": [50], "b": []}, [50], 100) == pytest.approx(0.75)


@needs_tcpd
def test_the_published_zero_scores_are_reproduced():
    published = pd.read_csv(TCPD / "published_default_scores.csv")
    zero = published[published["method"] == "zero"].set_index("series")
    checked = 0
    for name, values, annotations in accuracy.tcpd_series(TCPD):
        if name in zero.index:
            n_obs = len(values)
            assert f1_score(annotations, [], n_obs) == pytest.approx(
                zero.loc[name, "f1"], abs=5e-5
            )
            assert cover_score(annotations, [], n_obs) == pytest.approx(
                zero.loc[name, "cover"], abs=5e-5
            )
            checked += 1
    assert checked >= 13


@needs_tcpd
def test_the_report_runs_and_never_replaces_a_file(tmp_path):
    out = tmp_path / "accuracy.md"
    few = ["--only", "nile", "uk_coal_employ", "run_log"]  # one with missing values
    assert accuracy.main(["--quick", "--series", "5", *few, "--out", str(out)]) == 0
    text = out.read_text()
    assert "| periodize default |" in text and "## Simulated series (5 per design)" in text
    assert "| nile | 1 |" in text and "uk_coal_employ (2 missing values" in text
    assert "| bank |" not in text
    # the two-dimensional run_log scored by the joint default, outside the univariate means
    assert "run_log (2 dimensions; periodize's default rule" in text
    assert "| periodize default, joint |" in text
    assert accuracy.main(["--quick", *few, "--out", str(out)]) == 2  # exists, no --force
    assert accuracy.main(["--quick", "--only", "nile", "nile_2", "--out", str(out) + "x"]) == 2
    assert (
        accuracy.main(["--quick", "--tcpd", str(tmp_path), "--out", str(tmp_path / "x.md")]) == 2
    )
