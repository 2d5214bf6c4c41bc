"""Which archive rows are state-to-state events, and one event per real-world event: state
names, international organisations, mirrored reports, merge order, each archive's own
Goldstein table and country codes, and the archives' own faults (issue fixtures written in
the exact published layouts; expectations derived by hand from the rules)."""

from __future__ import annotations

import archive_files as af
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.adapters import (
    MERGE_REASONS,
    REASONS,
    cameo_to_iso,
    goldstein_values,
    iso_to_cow,
    iso_to_gw,
    read_gdelt,
    read_icews,
    row_account,
    state_name_to_iso,
)
from periodize.adapters import pipeline as pipeline_module
from periodize.adapters.mapping import igo_from_sectors, level_from_sectors

G = af.gdelt_row


def icews_row(i, date, source, target, code="042", story="s", **kw):
    row = {
        "Event ID": str(i),
        "Event Date": date,
        "Source Name": source,
        "Source Sectors": "NA",
        "Source Country": source,
        "CAMEO Code": code,
        "Intensity": "1.9",
        "Target Name": target,
        "Target Sectors": "NA",
        "Target Country": target,
        "Story ID": story,
        "Publisher": "Wire",
    }
    row.update(kw)
    return row


# -- 1. state actors: names from tables, not string equality -------------------------------


def test_icews_state_names_that_differ_from_the_country_column_are_the_state(tmp_path):
    rows = [
        icews_row(1, "2018-03-01", "Germany", "Russia",
                  **{"Target Country": "Russian Federation"}),
        icews_row(2, "2018-03-02", "Macedonia", "Greece",
                  **{"Source Country": "the former Yugoslav Republic of Macedonia"}),
        icews_row(3, "2018-03-03", "Palestinian Territory, Occupied", "Jordan",
                  **{"Source Country": "Occupied Palestinian Territory"}),
        icews_row(4, "2018-03-04", "Italy", "Holy See (Vatican City State)",
                  **{"Target Country": "Holy See"}),
        # a name of another state is not this side's state: Georgia the US state
        icews_row(5, "2018-03-05", "Georgia", "Canada", **{"Source Country": "United States"}),
        icews_row(6, "2018-03-06", "Citizen (Russia)", "Germany",
                  **{"Source Country": "Russian Federation"}),
    ]  # fmt: skip
    events = read_icews(af.icews(tmp_path / "events.2018.tab", rows))
    account = row_account(events)
    assert events[["actor", "target"]].values.tolist() == [
        ["DEU", "RUS"],
        ["MKD", "GRC"],
        ["PSE", "JOR"],
        ["ITA", "VAT"],
    ]
    assert account.dropped == {"non_state_actor": 2}
    assert list(state_name_to_iso(["Russia", "Georgia", "Atlantis"])) == ["RUS", "GEO", None]


def test_polecat_actor_named_as_its_state_is_the_state(tmp_path):
    def row(i, actor_name, sector):
        return {
            "Event ID": f"e{i}", "Event Date": "2023-01-03", "Event Type": "consult",
            "Event Mode": "visit", "Actor Name": actor_name, "Actor Country": "MNG",
            "Primary Actor Sector": sector, "Recipient Name": "Kazakhstan",
            "Recipient Country": "KAZ", "Primary Recipient Sector": "", "Story ID": f"s{i}",
        }  # fmt: skip

    rows = [row(1, "Mongolia", ""), row(2, "Mongolian herders", "")]
    events = pz.read_polecat(af.polecat(tmp_path / "ngecEvents.txt", rows))
    assert events["event_id"].tolist() == ["polecat-e1"]
    assert row_account(events).dropped == {"non_state_actor": 1}


# -- 2. international organisations are never a state -----------------------------------


def test_igo_sectors_and_types_are_not_a_government(tmp_path):
    eu = "International Government Organization,Regional Diplomatic IGOs,Government"
    rows = [
        icews_row(1, "2018-05-02", "Wang Yi", "Federica Mogherini",
                  **{"Source Country": "China", "Source Sectors": "Government,Foreign Ministry",
                     "Target Country": "Italy", "Target Sectors": eu}),
        icews_row(2, "2018-05-03", "Wang Yi", "Italy",
                  **{"Source Country": "China", "Source Sectors": "Government,Foreign Ministry"}),
    ]  # fmt: skip
    events = read_icews(af.icews(tmp_path / "events.2018.tab", rows))
    assert events["event_id"].tolist() == ["icews-2"]
    assert row_account(events).dropped == {"igo_actor": 1}
    assert list(level_from_sectors(pd.Series([eu, "Government,Foreign Ministry"]))) == [
        "government",  # its own "Government" sector, not the IGO's name
        "foreign_ministry",
    ]
    assert level_from_sectors(pd.Series(["International Government Organization"]))[0] == (
        "unknown"
    )
    assert igo_from_sectors(pd.Series([eu, "Government", None])).tolist() == [True, False, False]
    gdelt = [
        G(1, "20180502", "CHNGOV", "BELIGO", "042", "u1"),  # type IGO
        G(2, "20180502", "CHNGOV", "IGOEEC", "042", "u2", Actor2CountryCode="BEL"),  # code
        G(3, "20180502", "CHNGOV", "BELGOV", "042", "u3"),
    ]
    read = read_gdelt(af.gdelt(tmp_path / "g.CSV", gdelt))
    assert read["event_id"].tolist() == ["gdelt-3"]
    assert row_account(read).dropped == {"igo_actor": 2}
    everyone = read_gdelt(af.gdelt(tmp_path / "h.CSV", gdelt), states_only=False)
    assert len(everyone) == 3 and "igo_actor" not in row_account(everyone).dropped


# -- 3-4. one event per real-world event, whatever the report order ----------------------


def mirror_rows() -> list[dict]:
    return [
        # a third-location meeting reported from both sides, same story and day
        G(21, "20190405", "KAZGOV", "MNGGOV", "044", "m1"),
        G(20, "20190405", "MNGGOV", "KAZGOV", "044", "m1"),
        # the same pair meets again, another story: another event
        G(22, "20190406", "KAZGOV", "MNGGOV", "044", "m2"),
        # a visit reported by host (lower id) and visitor: 043 first in the file
        G(30, "20190501", "KAZGOV", "MNGGOV", "043", "v1", GoldsteinScale="2.8"),
        G(31, "20190501", "MNGGOV", "KAZGOV", "042", "v1"),
        # another visit, 042 first in the file and with the lower id
        G(40, "20190601", "MNGGOV", "KAZGOV", "042", "v2"),
        G(41, "20190601", "KAZGOV", "MNGGOV", "043", "v2", GoldsteinScale="2.8"),
        # two 042 reports of one visit by the same side
        G(50, "20190701", "MNGGOV", "KAZGOV", "042", "v3"),
        G(51, "20190701", "MNGGOV", "KAZGOV", "042", "v3"),
    ]


def test_mirrored_meetings_merge_and_a_merged_visit_keeps_the_visitors_code(tmp_path):
    events = read_gdelt(af.gdelt(tmp_path / "m.CSV", mirror_rows()))
    account = row_account(events)
    table = events.set_index("event_id")
    # the meeting: represented by the lower id's report, MNG meets KAZ
    assert table.loc["gdelt-20", ["actor", "target", "kind", "n_reports"]].tolist() == [
        "MNG", "KAZ", "third_location_meeting", 2,
    ]  # fmt: skip
    assert table.loc["gdelt-22", "n_reports"] == 1
    # both visits: 042 (the visitor's report) whatever came first, Goldstein 1.9
    columns = ["actor", "cameo_code", "archive_goldstein", "n_reports"]
    for visit in ("gdelt-31", "gdelt-40"):
        assert table.loc[visit, columns].tolist() == ["MNG", "042", 1.9, 2]
    assert table.loc["gdelt-50", "n_reports"] == 2
    assert len(events) == 5
    assert account.merged_by == {"mirrored_report": 3, "same_story": 1}
    assert account.merged == 4 and set(account.merged_by) <= set(MERGE_REASONS)
    series = pz.intensity(events[events["kind"] == "visit"], "goldstein", freq="month")
    assert series.data.iloc[:, 0].tolist() == [1.9, 1.9, 1.9]  # May, June, July 2019


@settings(max_examples=12, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shuffling_a_files_rows_changes_no_event_and_no_score(tmp_path_factory, rnd):
    rows = [
        *mirror_rows(),
        G(60, "20190801", "MNGGOV", "KAZGOV", "042", "d"),
        G(60, "20190801", "MNGGOV", "KAZGOV", "042", "d"),  # a duplicate row
        G(61, "20190802", "SUNGOV", "MNGGOV", "042", "h"),  # a former state after its end
        G(62, "20190802", "MNGGOV", "KAZGOV", "13y", "x"),  # not a CAMEO code
    ]
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    folder = tmp_path_factory.mktemp("shuffle")
    reference = read_gdelt(af.gdelt(folder / "a.CSV", rows))
    other = read_gdelt(af.gdelt(folder / "b.CSV", shuffled))
    pd.testing.assert_frame_equal(reference, other)
    assert row_account(reference).merged_by == row_account(other).merged_by
    scores = [pz.intensity(e, "goldstein", freq="month").data for e in (reference, other)]
    pd.testing.assert_frame_equal(*scores)


def test_icews_ids_published_twice_keep_the_earliest_date_in_any_order(tmp_path):
    rows = [
        icews_row(7, "2014-01-01", "Mongolia", "Kazakhstan", story="a"),
        icews_row(7, "2013-11-12", "Mongolia", "Kazakhstan", story="a"),
        icews_row(8, "2013-11-12", "Mongolia", "Kazakhstan", story="b"),
        icews_row(8, "2013-11-12", "Mongolia", "Kazakhstan", story="b"),  # a full duplicate
    ]
    for order in (rows, rows[::-1]):
        events = read_icews(af.icews(tmp_path / "events.tab", order))
        assert events[["event_id", "date"]].values.tolist() == [
            ["icews-7", "2013-11-12"],
            ["icews-8", "2013-11-12"],
        ]
        account = row_account(events)
        assert account.merged_by == {"duplicate_row": 1, "duplicate_id": 1}
        assert account.read == account.kept + account.merged + sum(account.dropped.values())


# -- 5. each archive's own tables ---------------------------------------------------------


#: The four codes on which GDELT's published Goldstein values differ from ICEWS's.
DIFFERING = {"016": (-2.0, -5.0), "022": (3.2, 3.4), "164": (-7.0, -6.5), "165": (-6.5, -7.0)}


def test_gdelt_rows_are_scored_with_gdelts_goldstein_values_and_icews_rows_with_icews(tmp_path):
    kinds = {code: "other" for code in DIFFERING}
    day = {"016": "01", "022": "02", "164": "03", "165": "04"}
    gdelt = [G(i, f"201901{day[c]}", "MNGGOV", "KAZGOV", c, c) for i, c in enumerate(DIFFERING)]
    icews = [
        icews_row(i, f"2019-01-{day[c]}", "Mongolia", "Kazakhstan", c, c)
        for i, c in enumerate(DIFFERING)
    ]
    for archive, events, position in (
        ("gdelt", read_gdelt(af.gdelt(tmp_path / "g.CSV", gdelt), kinds=kinds), 0),
        ("icews", read_icews(af.icews(tmp_path / "i.tab", icews), kinds=kinds), 1),
    ):
        series = pz.intensity(events, "goldstein", freq="day").data.iloc[:, 0]
        expected = [DIFFERING[c][position] for c in DIFFERING]
        assert series[series != 0].tolist() == expected, archive
        assert [goldstein_values(archive)[c] for c in DIFFERING] == expected


def test_phoenix_rows_are_scored_with_the_phoenix_pipelines_values(tmp_path):
    row = {"EventID": "p1", "Date": "20150301", "SourceActorFull": "MNGGOV",
           "SourceActorEntity": "MNG", "SourceActorRole": "GOV", "TargetActorFull": "KAZ",
           "TargetActorEntity": "KAZ", "EventCode": "016", "URLs": "u"}  # fmt: skip
    events = pz.read_phoenix(af.phoenix(tmp_path / "events.txt", [row]), kinds={"016": "other"})
    assert pz.intensity(events, "goldstein").data.iloc[0, 0] == 3.4  # GDELT -2.0, ICEWS -5.0


def test_gdelt_actor_name_is_the_name_and_actor_code_the_code(tmp_path):
    row = G(1, "20200105", "MNGGOV", "KAZ", "042", Actor1Name="MONGOLIA", Actor2Name="KAZAKHSTAN")
    events = read_gdelt(af.gdelt(tmp_path / "x.CSV", [row]))
    assert events.loc[0, ["actor_name", "target_name", "actor_code", "target_code"]].tolist() == [
        "MONGOLIA", "KAZAKHSTAN", "MNGGOV", "KAZ",
    ]  # fmt: skip


#: Every code of GDELT's CAMEO.country.txt (gdeltproject.org/data/lookups), codes only.
GDELT_COUNTRY_CODES = """
WSB BAG GZS AFR ASA BLK CRB CAU CFR CAS CEU EIN EAF EEU EUR LAM MEA MDT NAF NMR PGS SCN SAM
SAS SEA SAF WAF WST AFG ALA ALB DZA ASM AND AGO AIA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD
BRB BLR BEL BLZ BEN BMU BTN BOL BIH BWA BRA VGB BRN BGR BFA BDI KHM CMR CAN CPV CYM CAF TCD
CHL CHN COM COD COG COK CRI CIV HRV CUB CYP CZE DNK DJI DMA DOM TMP ECU EGY SLV GNQ ERI EST
ETH FRO FLK FJI FIN FRA GUF PYF GAB GMB GEO DEU GHA GIB GRC GRL GRD GLP GUM GTM GIN GNB GUY
HTI VAT HND HUN ISL IND IDN IRN IRQ IRL IMY ISR ITA JAM JPN JOR KAZ KEN KIR PRK KOR KWT KGZ
LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MKD MDG MWI MYS MDV MLI MLT MHL MTQ MRT MUS MYT MEX
FSM MDA MCO MNG MTN MSR MAR MOZ MMR NAM NRU NPL NLD ANT NCL NZL NIC NER NGA NIU NFK MNP NOR
PSE OMN PAK PLW PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROM RUS RWA SHN KNA LCA SPM VCT
WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF ESP LKA SDN SUR SJM SWZ SWE CHE SYR
TWN TJK TZA THA TGO TKL TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA VIR URY UZB VUT VEN
VNM WLF ESH YEM ZMB ZWE
""".split()


def test_every_gdelt_country_code_maps_to_a_state_or_has_a_reason():
    iso, why = cameo_to_iso(GDELT_COUNTRY_CODES)
    unmapped = [c for c, w in zip(GDELT_COUNTRY_CODES, why, strict=True) if w == "unmapped"]
    assert unmapped == []
    table = dict(zip(GDELT_COUNTRY_CODES, iso, strict=True))
    assert (table["WSB"], table["GZS"], table["BAG"], table["ANT"]) == ("PSE", "PSE", "IRQ", None)
    assert why[GDELT_COUNTRY_CODES.index("ANT")].startswith("dissolved territory")
    assert sum(i is None for i in iso) == 26  # the 25 regions and ANT


# -- 6. the archives' own faults ----------------------------------------------------------


@pytest.mark.parametrize("compiled", [True, False])
def test_invalid_codes_have_their_own_reason(tmp_path, monkeypatch, compiled):
    monkeypatch.setattr(pipeline_module, "COMPILED", compiled)
    rows = [
        G(1, "20170104", "MNGGOV", "KAZGOV", "13y"),
        G(2, "20170104", "MNGGOV", "KAZGOV", "190"),  # a CAMEO code, not a visit
        G(3, "20170104", "MNGGOV", "KAZGOV", "0999"),  # four digits, no such code
        G(4, "20170104", "MNGGOV", "KAZGOV", "042"),
    ]
    account = row_account(read_gdelt(af.gdelt(tmp_path / "x.CSV", rows)))
    assert account.dropped == {"invalid_code": 2, "code_not_mapped": 1}
    assert set(account.dropped) <= set(REASONS)


def test_former_states_hold_while_they_existed(tmp_path):
    rows = [
        G(1, "19850311", "SUNGOV", "USAGOV", "042"),  # Soviet Union: RUS (COW 365)
        G(2, "19950101", "SUNGOV", "USAGOV", "042"),  # after 1991: a coding error
        G(3, "19891109", "DDRGOV", "POLGOV", "042"),  # GDR, kept as itself
        G(4, "19910601", "CSKGOV", "HUNGOV", "042"),  # Czechoslovakia
        G(5, "19990324", "YUGGOV", "RUSGOV", "042"),  # FR Yugoslavia: SRB (345)
        G(6, "19920101", "DDRGOV", "POLGOV", "042"),  # after unification
    ]
    events = read_gdelt(af.gdelt(tmp_path / "h.CSV", rows))
    assert events[["event_id", "actor"]].values.tolist() == [
        ["gdelt-1", "RUS"], ["gdelt-3", "DDR"], ["gdelt-4", "CSK"], ["gdelt-5", "SRB"],
    ]  # fmt: skip
    account = row_account(events)
    assert account.dropped == {"historical_state": 2}
    assert account.values["historical_state"] == {"SUN": 1, "DDR": 1}
    assert iso_to_cow(["DDR", "CSK"], date="1989-11-09").tolist() == [265, 315]
    assert iso_to_gw(["DDR"], date="1995-01-01").tolist() == [None]
    # a dyad filter finds a former state's rows under its code or its continuing state's
    path = tmp_path / "h.CSV"
    assert read_gdelt(path, dyad=("CSK", "HUN"))["event_id"].tolist() == ["gdelt-4"]
    assert read_gdelt(path, dyad=("RUS", "USA"))["event_id"].tolist() == ["gdelt-1"]
    # the events validate again downstream (CSK and DDR are known codes)
    pz.validate_events(events)
    series = pz.intensity(events, by="dyad")
    assert np.isclose(series.data.to_numpy().sum(), 4)
