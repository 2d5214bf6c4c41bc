"""A series that no segmentation fits better than none (constant: all zero, or one count
every year) has no estimated boundaries on any path: every placement ties, and the search's
pick among ties is not reported as an estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import periodize as pz

YEARS = range(1971, 1995)


@pytest.fixture
def frame():
    step = np.r_[np.full(12, 2), np.full(12, 11)]
    return pd.DataFrame(
        {"zero": np.zeros(24, dtype=int), "flat": np.full(24, 4), "step": step}, index=YEARS
    )


def test_segmentation_marks_constant_series(frame):
    fit = pz.segment(frame, n_breaks=1)
    assert fit.by_series["identified"].to_dict() == {"zero": False, "flat": False, "step": True}
    assert fit.by_series.loc["step", "boundaries"] == (1983,)


@pytest.mark.parametrize("model", ["poisson", "negbin", "normal"])
def test_a_test_reports_no_estimated_boundary_where_nothing_is_identified(frame, model):
    test = pz.test_periodization(frame, [1983], model=model, n_sim=99, rng=3)
    bounds = test.boundaries.xs(1, level="boundary")
    assert pd.isna(bounds.loc["zero", "estimated"]) and pd.isna(bounds.loc["flat", "estimated"])
    assert pd.isna(bounds.loc["flat", "displacement"])
    assert bounds.loc["flat", "bootstrap_95"] is None
    assert bounds.loc["step", "estimated"] == 1983 and bounds.loc["step", "displacement"] == 0
    # the profile set of a tie is every admissible position (min_size 3: 1974..1992)
    assert bounds.loc["flat", "profile_set"] == list(range(1974, 1993))
    assert np.isnan(test.agreement.loc["zero", "hausdorff"])
    assert test.agreement.loc["step", "hausdorff"] == 0
    assert "not identified" in test.summary()


def test_a_comparison_shows_no_best_boundaries_where_nothing_is_identified(frame):
    compared = pz.compare_periodizations(frame, {"mid": [1983]}, n_sim=99, rng=1)
    best = compared.table.xs("best with 1 break", level="name")["boundaries"]
    assert best["zero"] is None and best["flat"] is None and best["step"] == (1983,)
    assert "not identified" in compared.summary()
    assert '"boundaries": null' in compared.to_json()


def test_a_study_of_one_event_a_year_reports_no_best_segmentation(tmp_path):
    years = range(1980, 1992)
    events = pz.validate_events(
        pd.DataFrame({"date": [str(y) for y in years], "actor": "CHL", "target": "ARG",
                      "level": "minister", "kind": "other"})
    )  # fmt: skip
    from periodize.report.markdown import report as markdown

    done = pz.study(events, [1986], n_sim=99, envelope_draws=50)
    report = markdown(done)
    done.figure()  # draws the one-period fit
    assert "No segmentation with 1 break(s) fits better than no change" in report
    assert "best with 1 break (not identified)" in report
    assert "(None)" not in report and "nan" not in report.lower().split("## ")[0]
