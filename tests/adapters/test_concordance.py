"""Concordance of hand-coded and machine-coded events on constructed cases."""

from __future__ import annotations

import pandas as pd
import pytest

import periodize as pz
from periodize.adapters import MACHINE_KINDS, MACHINE_LEVELS
from periodize.exceptions import ParameterError


def hand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["h1", "h2", "h3", "h4", "h5"],
            "date": ["2010-05", "2012-03-10", "2012-07-01", "2014", "2014-09-20"],
            "date_end": [None, None, "2012-07-04", None, None],
            "actor": ["MNG", "KAZ", "MNG", "KAZ", "MNG"],
            "target": ["KAZ", "MNG", "KAZ", "MNG", "KAZ"],
            "level": ["head_of_state"] * 5,
            "kind": ["official_visit", "state_visit", "working_visit", "other", "state_visit"],
        }
    )


def machine() -> pd.DataFrame:
    rows = [
        ("m1", "2010-05-31", "MNG", "KAZ", "visit"),  # inside h1's month
        ("m2", "2012-03-13", "KAZ", "MNG", "visit"),  # 3 days after h2: inside the window
        ("m3", "2012-03-14", "KAZ", "MNG", "visit"),  # 4 days after h2: outside
        ("m4", "2012-07-07", "MNG", "KAZ", "visit"),  # 3 days after h3's date_end
        ("m5", "2014-09-20", "KAZ", "MNG", "visit"),  # h5 reversed; inside h4's year
        ("m6", "2014-02-01", "KAZ", "MNG", "telephone"),  # h4 is 'other': any kind matches
        ("m7", "2013-01-01", "MNG", "KAZ", "telephone"),  # no hand event
        ("m8", "2009-01-01", "MNG", "KAZ", "visit"),  # before the hand list's years: ignored
        ("m9", "2012-03-10", "USA", "KAZ", "visit"),  # another dyad: ignored
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "date", "actor", "target", "kind"])
    return pz.validate_events(
        frame.assign(level="executive"), levels=MACHINE_LEVELS, kinds=MACHINE_KINDS
    )


def test_matches_follow_dates_spans_window_direction_and_kinds():
    c = pz.concordance(hand(), machine(), window_days=3)
    assert c.pairs[["hand_id", "machine_id", "days_apart"]].values.tolist() == [
        ["h1", "m1", 0],
        ["h2", "m2", 3],
        ["h3", "m4", 3],
        ["h4", "m5", 0],  # h4 is known only to its year, and 'other' matches any kind
        ["h4", "m6", 0],
    ]
    assert c.unmatched_hand()["event_id"].tolist() == ["h5"]
    assert sorted(c.missing_from_hand()["event_id"]) == ["m3", "m7"]
    assert len(c.machine) == 7  # m8 (before 2010) and m9 (USA-KAZ) are outside the list
    assert c.recall == pytest.approx(4 / 5) and c.precision == pytest.approx(5 / 7)
    years = c.by_year
    assert years.loc[
        2012, ["hand_events", "hand_matched", "machine_events", "machine_matched"]
    ].tolist() == [2, 2, 3, 2]
    assert years.loc[2013, "hand_events"] == 0 and pd.isna(years.loc[2013, "recall"])
    assert years.loc[2014, "recall"] == pytest.approx(0.5)


def test_either_direction_and_a_narrower_window():
    c = pz.concordance(hand(), machine(), window_days=3, either_direction=True)
    assert "h5" in set(c.pairs["hand_id"]) and c.recall == 1.0
    assert set(c.pairs.loc[c.pairs["hand_id"] == "h2", "machine_id"]) == {"m2"}
    tight = pz.concordance(hand(), machine(), window_days=0)
    assert set(tight.pairs["hand_id"]) == {"h1", "h4"}


def test_kind_pairs_restrict_matches_and_bad_windows_are_refused():
    c = pz.concordance(hand(), machine(), kind_pairs={"other": ["agreement"]})
    assert "h4" not in set(c.pairs["hand_id"])
    for bad in (-1, 1.5, True):
        with pytest.raises(ParameterError, match="window_days"):
            pz.concordance(hand(), machine(), window_days=bad)
    text = str(pz.concordance(hand(), machine()))
    assert "recall 0.80 (4 of 5 hand-coded events found in the archive)" in text
