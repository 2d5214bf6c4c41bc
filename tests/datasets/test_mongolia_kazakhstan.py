"""The bundled dataset against counts read by hand off the paper's tables and text.

Expected values below are transcribed from the paper (Shugatai; Tables 1-3 and the text),
not computed by periodize.
"""

import pandas as pd
import pytest

import periodize as pz

#: Table 1, read by hand: (year, actor, level) of each named visit.
TABLE_1 = {
    (1992, "KAZ", "head_of_government"),
    (1993, "KAZ", "head_of_state"),
    (1993, "MNG", "speaker"),
    (1994, "MNG", "head_of_government"),
    (1998, "MNG", "head_of_state"),
    (1999, "KAZ", "head_of_state"),
    (2003, "MNG", "speaker"),
    (2007, "MNG", "head_of_state"),
    (2008, "KAZ", "head_of_state"),
    (2016, "KAZ", "head_of_government"),
    (2019, "MNG", "head_of_government"),
    (2024, "KAZ", "head_of_state"),
    (2025, "MNG", "speaker"),
}
#: Table 2 (1992-2008), read by hand.
TABLE_2 = {
    (1993, "KAZ", "head_of_state"),
    (1998, "MNG", "head_of_state"),
    (1999, "KAZ", "head_of_state"),
    (2007, "MNG", "head_of_state"),
    (2008, "KAZ", "head_of_state"),
    (1992, "KAZ", "head_of_government"),
    (1993, "MNG", "foreign_minister"),
    (1994, "MNG", "head_of_government"),
    (1997, "KAZ", "deputy_head_of_government"),
    (2003, "MNG", "speaker"),
    (2005, "KAZ", "state_secretary"),
    (2006, "KAZ", "foreign_minister"),
}
#: Table 3 (since 2019), read by hand.
TABLE_3 = {
    (2024, "KAZ", "head_of_state"),
    (2019, "MNG", "head_of_government"),
    (2021, "MNG", "foreign_minister"),
    (2025, "KAZ", "foreign_minister"),
    (2025, "MNG", "speaker"),
}


@pytest.fixture(scope="module")
def events():
    return pz.datasets.mongolia_kazakhstan()


def rows_from(events, key):
    return events[events["source"].str.split(";").map(lambda keys: key in keys)]


def triples(frame):
    return set(zip(frame["year"], frame["actor"], frame["level"].astype(str), strict=True))


def visits(events):
    return events[events["kind"] != "multilateral_meeting"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [("shugatai:table1", TABLE_1), ("shugatai:table2", TABLE_2), ("shugatai:table3", TABLE_3)],
)
def test_each_table_is_encoded_row_for_row(events, key, expected):
    rows = rows_from(events, key)
    assert len(rows) == len(expected)
    assert triples(rows) == expected


def test_table_2_counts(events):
    rows = rows_from(events, "shugatai:table2")
    assert len(rows) == 12
    assert rows["actor"].value_counts().to_dict() == {"KAZ": 7, "MNG": 5}
    presidential = rows[rows["level"] == "head_of_state"]
    assert len(presidential) == 5
    assert presidential["actor"].value_counts().to_dict() == {"KAZ": 3, "MNG": 2}
    assert rows["year"].between(1992, 2008).all()


def test_table_3_counts(events):
    rows = rows_from(events, "shugatai:table3")
    assert len(rows) == 5
    assert (rows["year"] >= 2019).all()
    assert len(visits(events)[visits(events)["year"] >= 2019]) == 5


def test_text_totals_by_level_over_all_years(events):
    # "six mutual visits ... Heads of State: two by Mongolia, four by Kazakhstan"; "four at
    # the Prime Minister level, two from each"; "three ... Speaker, two ... First Deputy Prime
    # Minister, and four ... Minister of Foreign Affairs".
    counts = visits(events).groupby(["level", "actor"], observed=True).size()
    assert counts[("head_of_state", "MNG")] == 2
    assert counts[("head_of_state", "KAZ")] == 4
    assert counts[("head_of_government", "MNG")] == 2
    assert counts[("head_of_government", "KAZ")] == 2
    levels = visits(events)["level"].value_counts()
    assert levels["speaker"] == 3
    assert levels["deputy_head_of_government"] == 2
    assert levels["foreign_minister"] == 4


def test_multilateral_list_has_six_meetings(events):
    rows = rows_from(events, "shugatai:multilateral-list")
    assert len(rows) == 6
    assert (rows["kind"] == "multilateral_meeting").all()
    assert rows["multilateral_context"].notna().all()
    assert sorted(rows["year"]) == [2005, 2005, 2008, 2017, 2022, 2024]


def test_documents_where_the_paper_gives_them(events):
    documents = events.set_index("event_id")["documents_signed"].dropna().to_dict()
    assert documents == {
        "mk-1993-nazarbayev": 1,
        "mk-1994-jasrai": 4,
        "mk-2007-enkhbayar": 5,
        "mk-2024-tokayev": 11,
    }


def test_levels_at_the_date_of_the_event(events):
    khurelsukh = events[events["person"] == "U. Khurelsukh"].set_index("year")["level"]
    assert khurelsukh[2019] == "head_of_government"
    assert khurelsukh[2024] == "head_of_state"


def test_every_row_is_sourced_and_every_doubt_explained(events):
    sources = pz.datasets.mongolia_kazakhstan_sources()
    keys = set(sources["key"])
    used = {k for cell in events["source"] for k in cell.split(";")}
    assert used <= keys
    assert sources["citation"].notna().all()
    doubtful = events[events["confidence"] != "high"]
    assert doubtful["note"].notna().all()


# --- documented discrepancies of the paper (docs/data.md) ---------------------------------


def test_c1_bagabandi_speaker_and_gombosuren_both_in_1993(events):
    rows = events[(events["year"] == 1993) & (events["actor"] == "MNG")]
    assert set(rows["level"].astype(str)) == {"speaker", "foreign_minister"}
    assert (rows["confidence"] == "medium").all()
    assert rows["note"].str.contains("CONFLICT C1").all()


def test_c2_kazakh_presidential_visit_years(events):
    rows = visits(events)
    years = rows[(rows["actor"] == "KAZ") & (rows["level"] == "head_of_state")]["year"]
    assert sorted(years) == [1993, 1999, 2008, 2024]  # Table 1; the text's list says 1998
    row = events.set_index("event_id").loc["mk-1999-nazarbayev"]
    assert row["confidence"] == "medium" and "CONFLICT C2" in row["note"]


def test_c3_speaker_count_in_first_period(events):
    early = visits(events)[visits(events)["year"] <= 2008]
    # Text: 12 visits including 2 at speaker level; Table 2: 12 visits with 1 speaker.
    assert (early["level"] == "speaker").sum() == 2
    assert (rows_from(early, "shugatai:table2")["level"] == "speaker").sum() == 1
    assert len(early) == 13  # both the text's second speaker and Table 2's state secretary


def test_c4_prime_minister_visit_in_the_quiet_period(events):
    quiet = visits(events)[visits(events)["year"].between(2009, 2018)]
    assert (quiet["level"] == "head_of_government").sum() == 1
    row = events.set_index("event_id").loc["mk-2016-masimov"]
    assert "CONFLICT C4" in row["note"]


def test_eighty_five_percent_claim(events):
    # Text: "85 percent of the presidential visits ... have taken place during this period".
    presidential = visits(events)[visits(events)["level"] == "head_of_state"]
    share = (presidential["year"] <= 2008).mean()
    assert share == pytest.approx(5 / 6)
    assert round(100 * share) != 85


def test_dataset_is_in_the_package_as_csv():
    from importlib import resources

    files = {p.name for p in resources.files("periodize.datasets").iterdir()}
    assert {"mongolia_kazakhstan.csv", "mongolia_kazakhstan_sources.csv"} <= files
    assert isinstance(pz.datasets.mongolia_kazakhstan(), pd.DataFrame)
