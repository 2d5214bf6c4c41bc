"""Intensity series: hand-computed values, properties, options and errors."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.events import KINDS, LEVELS
from periodize.exceptions import EventSchemaError, ParameterError
from periodize.intensity import accumulate, get_scheme


@pytest.fixture(scope="module")
def mk():
    return pz.datasets.mongolia_kazakhstan()


def test_bundled_counts_by_direction(mk):
    data = pz.intensity(mk, by="direction").data
    assert list(data.index) == list(range(1992, 2026))
    # Hand count: Kazakhstan's visitors are Table 1's six, Table 2's 1997, 2005 and 2006,
    # Sagintayev 2015 and Nurtleu 2025.
    assert data["KAZ->MNG"].sum() == 11
    assert data.loc[1993].tolist() == [1.0, 2.0]
    assert data.loc[2009:2014].to_numpy().sum() == 0


def test_bundled_weights_by_hand(mk):
    goldstein = pz.intensity(mk, "goldstein", by=None).data["all"]
    # 2024: Tokayev state visit (1.9 + 2.8 + 11 documents x 8.0) + SCO meeting (2.5).
    assert goldstein[2024] == pytest.approx(4.7 + 88.0 + 2.5)
    copdab = pz.intensity(mk, "copdab", by=None).data["all"]
    assert copdab[1998] == 14 and copdab[2003] == 6 and copdab[2008] == 14 + 6
    protocol = pz.intensity(mk, "protocol", by=None).data["all"]
    assert protocol[1992] == pytest.approx(3 * 1.25)  # head of government, official visit


def test_stratified_counts(mk):
    by_level = pz.intensity(mk, by=None, stratify="level").data
    assert by_level["head_of_state"].sum() == 9
    assert by_level.sum(axis=1).equals(pz.intensity(mk, by=None).data["all"])
    by_kind = pz.intensity(mk, by="dyad", stratify="kind").data
    assert by_kind["KAZ-MNG:multilateral_meeting"].sum() == 6


def test_window_is_zero_filled_and_recorded(mk):
    series = pz.intensity(mk, start=1990, end=2026)
    assert series.start == 1990 and series.end == 2026
    assert series.data.loc[[1990, 1991, 2026]].to_numpy().sum() == 0
    assert series.provenance.parameters["start"] == "1990"


def test_event_outside_the_window_is_an_error(mk):
    with pytest.raises(EventSchemaError) as info:
        pz.intensity(mk, start=1993, end=2024)
    assert {p.value for p in info.value.problems} == {"1992-10-26", "2025-06-25", "2025-09-04"}
    assert "inside the window 1993–2024" in str(info.value)


def test_end_before_start(mk):
    with pytest.raises(ParameterError, match="must not precede"):
        pz.intensity(mk, start=2000, end=1999)


def test_window_bound_of_wrong_type(mk):
    with pytest.raises(ParameterError, match="must be a year"):
        pz.intensity(mk, start="1992")


def test_monthly_and_quarterly():
    events = pd.DataFrame(
        {
            "date": ["2020-01-15", "2020-03", "2020-04-01", "2020-12-31"],
            "actor": ["MNG"] * 4,
            "target": ["KAZ"] * 4,
            "level": ["minister"] * 4,
            "kind": ["working_visit"] * 4,
        }
    )
    quarterly = pz.intensity(events, freq="quarter").data["KAZ-MNG"]
    assert [str(p) for p in quarterly.index] == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    assert quarterly.tolist() == [2, 1, 0, 1]
    monthly = pz.intensity(events, freq="month", start="2019-12").data["KAZ-MNG"]
    assert len(monthly) == 13 and monthly.iloc[0] == 0 and monthly.sum() == 4


def test_coarse_dates_cannot_be_placed_in_months(mk):
    with pytest.raises(EventSchemaError, match="precise to the month") as info:
        pz.intensity(mk, freq="month")
    assert len(info.value.problems) == int((mk["precision"] == "year").sum())


def test_scheme_must_know_every_value():
    events = pd.DataFrame(
        {
            "date": ["2001"],
            "actor": ["MNG"],
            "target": ["KAZ"],
            "level": ["minister"],
            "kind": ["other"],
        }
    )
    with pytest.raises(EventSchemaError, match="the 'goldstein' scheme knows") as info:
        pz.intensity(events, "goldstein")
    assert info.value.problems[0].value == "other"


def test_user_scheme_mapping_and_files(mk, tmp_path):
    mapping = {
        "name": "hos-only",
        "level": {lv: (1.0 if lv == "head_of_state" else 0.0) for lv in LEVELS},
    }
    series = pz.intensity(mk, mapping, by=None)
    assert series.data["all"].sum() == 9
    assert series.scheme.name == "hos-only" and not series.is_count
    (tmp_path / "s.json").write_text(json.dumps(mapping))
    (tmp_path / "s.toml").write_text(
        'name = "toml"\nper_document = 1.0\n[kind]\n' + "".join(f"{k} = 0.0\n" for k in KINDS)
    )
    assert pz.intensity(mk, tmp_path / "s.json", by=None).data.equals(series.data)
    assert pz.intensity(mk, str(tmp_path / "s.toml"), by=None).data["all"].sum() == 21


def test_user_scheme_errors(mk):
    with pytest.raises(ParameterError, match="Unknown keys \\['levels'\\]"):
        pz.intensity(mk, {"levels": {}})
    with pytest.raises(TypeError, match="must be numbers"):
        pz.intensity(mk, {"kind": {"state_visit": "high"}})
    with pytest.raises(ParameterError, match="must be finite"):
        pz.intensity(mk, {"per_document": float("nan")})
    with pytest.raises(ParameterError, match="one of \\['copdab', 'count'"):
        pz.intensity(mk, "goldstien")


def test_weight_column_scheme(good_events):
    events = good_events.assign(weight=[0.5, 2.0, -1.0])
    series = pz.intensity(events, {"name": "mine", "weight_column": "weight"}, by=None)
    assert series.data["all"].sum() == pytest.approx(1.5)
    with pytest.raises(EventSchemaError, match="numeric column 'weight'"):
        pz.intensity(good_events, {"weight_column": "weight"})


@pytest.mark.parametrize(
    "cells, shown",
    [
        ([0.5, np.nan, 1.0], "nan"),
        (["0.5", "high", "1"], "'high'"),
        ([1.0, True, 2.0], "True"),
        ([1.0, np.inf, 2.0], "inf"),
    ],
)
def test_weight_column_cells_that_are_not_finite_numbers_are_named(good_events, cells, shown):
    """A scheme's weight column is summed only when every cell is a finite number (or its
    text, as a CSV's extra columns are): a missing, non-numeric, boolean or infinite cell is
    named by row and event id, never summed into a NaN or counted as 1."""
    events = good_events.assign(tone=pd.Series(cells, dtype=object))
    row = rf"row 1, column 'tone': got {shown}; expected a finite number .*; event '"
    with pytest.raises(EventSchemaError, match=row):
        pz.intensity(events, {"name": "tone", "weight_column": "tone"}, by=None)
    text = good_events.assign(tone=["0.5", " 2 ", "-1e0"])
    series = pz.intensity(text, {"name": "tone", "weight_column": "tone"}, by=None)
    assert series.data["all"].sum() == pytest.approx(1.5)


def test_bad_options(mk):
    with pytest.raises(ParameterError, match="'by' parameter of intensity"):
        pz.intensity(mk, by="pair")
    with pytest.raises(ParameterError, match="'freq' parameter"):
        pz.intensity(mk, freq="fortnight", start=1992)
    with pytest.raises(ParameterError, match="'stratify' parameter"):
        pz.intensity(mk, stratify="person")


def test_summary_and_json(mk):
    series = pz.intensity(mk, "goldstein")
    text = str(series)
    assert "1 series × 34 year periods (1992–2025)" in text
    assert "22 events have no document count" in text
    data = json.loads(series.to_json())
    assert data["series"]["KAZ-MNG"][0] == 4.7
    assert len(data["provenance"]["input_sha256"]) == 64


def test_accumulate_matches_pandas_groupby():
    rng = np.random.default_rng(0)
    periods, series = rng.integers(0, 7, 500), rng.integers(0, 5, 500)
    weights = rng.random(500)
    expected = (
        pd.DataFrame({"p": periods, "s": series, "w": weights})
        .groupby(["p", "s"])["w"]
        .sum()
        .unstack(fill_value=0.0)
        .reindex(index=range(7), columns=range(5), fill_value=0.0)
    )
    np.testing.assert_allclose(accumulate(periods, series, weights, 7, 5), expected.to_numpy())


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=50), st.integers(0, 10**7))
def test_series_codes_by_counting_equal_pandas_factorize(keys, offset):
    """Keys spanning few values are coded by counting, the rest by hashing: both equal
    ``pd.factorize(sort=True)``."""
    from periodize.intensity.compute import _sorted_codes

    for key in (np.array(keys, dtype=np.int64), np.array(keys, dtype=np.int64) % 7 + offset):
        codes, uniques = _sorted_codes(key)
        expected_codes, expected_uniques = pd.factorize(key, sort=True)
        np.testing.assert_array_equal(codes, expected_codes)
        np.testing.assert_array_equal(uniques, expected_uniques)


COUNTRIES = ["KAZ", "MNG", "CHN", "RUS"]


@st.composite
def event_tables(draw):
    n = draw(st.integers(1, 30))
    pairs = draw(st.lists(st.permutations(COUNTRIES).map(lambda p: p[:2]), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "date": [
                str(y) for y in draw(st.lists(st.integers(2000, 2010), min_size=n, max_size=n))
            ],
            "actor": [a for a, _ in pairs],
            "target": [t for _, t in pairs],
            "level": draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n)),
            "kind": draw(st.lists(st.sampled_from(KINDS[:4]), min_size=n, max_size=n)),
            "documents_signed": draw(
                st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n, max_size=n)
            ),
        }
    )


SCHEME_NAMES = st.sampled_from(["count", "goldstein", "copdab", "protocol"])
WINDOW = {"start": 2000, "end": 2010}


@settings(max_examples=40, deadline=None)
@given(
    event_tables(),
    SCHEME_NAMES,
    st.sampled_from(["dyad", "direction", None]),
    st.randoms(use_true_random=False),
)
def test_row_order_never_changes_the_result(events, scheme, by, random):
    order = list(range(len(events)))
    random.shuffle(order)
    a = pz.intensity(events, scheme, by=by, **WINDOW)
    b = pz.intensity(events.iloc[order], scheme, by=by, **WINDOW)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.provenance.input_sha256 == b.provenance.input_sha256


@settings(max_examples=40, deadline=None)
@given(event_tables(), SCHEME_NAMES, st.integers(0, 30))
def test_two_halves_add_up_to_the_whole(events, scheme, cut):
    cut = min(cut, len(events) - 1)
    whole = pz.intensity(events, scheme, by="direction", **WINDOW).data
    parts = [events.iloc[:cut], events.iloc[cut:]]
    total = sum(
        pz.intensity(p, scheme, by="direction", **WINDOW).data.reindex(
            columns=whole.columns, fill_value=0.0
        )
        for p in parts
        if len(p)
    )
    np.testing.assert_allclose(total.to_numpy(), whole.to_numpy())


@settings(max_examples=40, deadline=None)
@given(event_tables(), SCHEME_NAMES)
def test_total_equals_the_sum_of_event_weights(events, scheme):
    resolved = get_scheme(scheme)
    by_hand = sum(
        resolved.base_weight(row.level, row.kind)
        + resolved.per_document * (0 if pd.isna(row.documents_signed) else row.documents_signed)
        for row in events.itertuples()
    )
    series = pz.intensity(events, scheme, by="dyad", **WINDOW)
    assert series.data.to_numpy().sum() == pytest.approx(by_hand)
    assert list(series.data.index) == list(range(2000, 2011))


def test_weeks_and_days_from_day_dated_events():
    events = pd.DataFrame(
        {
            "date": ["2019-03-10", "2019-03-11", "2019-03-17", "2019-03-18", "2020-02-29"],
            "actor": ["MNG", "MNG", "KAZ", "MNG", "MNG"],
            "target": ["KAZ", "KAZ", "MNG", "KAZ", "KAZ"],
            "level": ["minister"] * 5,
            "kind": ["working_visit"] * 5,
        }
    )
    weekly = pz.intensity(events, freq="week", end="2020-03-01").data["KAZ-MNG"]
    # Mon-Sun weeks: 10 March 2019 is a Sunday; 11-17 March is one week; 18 March starts one
    assert weekly.index[0] == pd.Period("2019-03-10", "W-SUN")
    assert weekly.iloc[:3].tolist() == [1.0, 2.0, 1.0]
    assert weekly.sum() == 5 and weekly.iloc[-1] == 1.0
    assert len(weekly) == (pd.Timestamp("2020-03-01") - pd.Timestamp("2019-03-04")).days // 7 + 1
    four = events.iloc[:4]
    daily = pz.intensity(four, freq="day", start="2019-03-09", end="2019-03-19").data
    assert daily["KAZ-MNG"].tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0]
    with pytest.raises(EventSchemaError, match="precise to the day"):
        pz.intensity(events.assign(date=["2019-03"] * 5), freq="day")
    with pytest.raises(ParameterError, match="'start' parameter of intensity must be a day"):
        pz.intensity(events, freq="day", start="March")


def test_quad_class_strata_from_the_column_or_the_code():
    events = pd.DataFrame(
        {
            "date": ["2019", "2019", "2020"],
            "actor": ["MNG", "MNG", "KAZ"],
            "target": ["KAZ", "KAZ", "MNG"],
            "level": ["minister"] * 3,
            "kind": ["other"] * 3,
            "cameo_code": ["042", "1123", "190"],
        }
    )
    data = pz.intensity(events, stratify="quad_class").data
    assert sorted(data.columns) == [
        "KAZ-MNG:material_conflict",
        "KAZ-MNG:verbal_conflict",
        "KAZ-MNG:verbal_cooperation",
    ]
    assert data.sum().tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(EventSchemaError, match="quad class 1-4"):
        pz.intensity(events.drop(columns="cameo_code"), stratify="quad_class")


def test_goldstein_scores_cameo_codes_and_names_a_missing_one():
    events = pd.DataFrame(
        {
            "date": ["2019", "2019", "2020", "2020"],
            "actor": ["MNG", "MNG", "KAZ", "KAZ"],
            "target": ["KAZ", "KAZ", "MNG", "MNG"],
            "level": ["minister"] * 4,
            "kind": ["other", "other", "other", "official_visit"],
            "cameo_code": ["042", "057", "0874", None],
        }
    )
    series = pz.intensity(events, "goldstein").data["KAZ-MNG"]
    # codebook values: 042 make a visit 1.9, 057 sign formal agreement 8.0, 0874 retreat 10;
    # the row without a code is a hand-coded official visit: 1.9 + 2.8
    assert series.tolist() == pytest.approx([1.9 + 8.0, 10.0 + 4.7])
    with pytest.raises(EventSchemaError, match=r"row 1, column 'cameo_code': got '999'"):
        pz.intensity(events.assign(cameo_code=["042", "999", "057", None]), "goldstein")
    # the count scheme ignores codes; a user scheme may ask for the table
    assert pz.intensity(events).data["KAZ-MNG"].tolist() == [2.0, 2.0]
    mine = pz.WeightingScheme.from_mapping({"name": "g", "code_table": "cameo"})
    assert pz.intensity(events, mine).data["KAZ-MNG"].iloc[0] == pytest.approx(9.9)
    assert get_scheme("goldstein").to_dict()["code_table"] == "cameo"
