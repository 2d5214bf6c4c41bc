"""Archive readers on files written in the exact published layouts."""

from __future__ import annotations

import random
import zipfile

import archive_files as af
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.adapters import (
    MACHINE_KINDS,
    MACHINE_LEVELS,
    REASONS,
    read_gdelt,
    read_icews,
    read_phoenix,
    read_polecat,
    row_account,
)
from periodize.adapters import files as files_module
from periodize.adapters import scan as scan_module
from periodize.exceptions import ParameterError

G = af.gdelt_row


def every_reason_rows() -> list[dict]:
    """One GDELT 2.0 row per drop reason, plus a mirrored visit and a duplicate record."""
    return [
        G(1, "20190310", "MNGGOV", "KAZ", "042", "u1"),  # kept
        G(2, "20190310", "KAZ", "MNGGOV", "043", "u1"),  # mirrored: merged into 1
        G(1, "20190310", "MNGGOV", "KAZ", "042", "u1"),  # duplicate record: merged
        G(3, "2019031", "MNGGOV", "KAZ", "042"),  # bad_date
        G(4, "20190229", "MNGGOV", "KAZ", "042"),  # bad_date (no 29 Feb in 2019)
        G(5, "18990101", "MNGGOV", "KAZ", "042"),  # outside_window
        G(6, "20190311", "USAGOV", "KAZ", "042"),  # other_countries
        G(7, "20190311", "MNGGOV", "KAZ", "190"),  # code_not_mapped
        G(8, "20190311", "MNGGOV", "KAZGOV", "044", Actor2CountryCode=""),  # missing_country
        G(9, "20190311", "XYZGOV", "KAZGOV", "044"),  # unmapped_country
        G(10, "20190311", "AFRGOV", "KAZGOV", "044"),  # not_a_state
        G(11, "20190311", "KAZGOV", "KAZMIL", "042"),  # domestic
        G(12, "20190311", "MNGBUS", "KAZGOV", "042"),  # non_state_actor
    ]


def test_every_reason_is_counted_and_rows_add_up(tmp_path):
    path = af.gdelt(tmp_path / "a.export.CSV", every_reason_rows())
    with open(path, "a") as handle:
        handle.write("too\tfew\tfields\n")  # malformed
    events = read_gdelt(path, start=1990, end=2020)
    account = row_account(events)
    assert account.read == 14
    assert account.kept == 2 and account.merged == 2
    expected = {
        "malformed": 1,
        "bad_date": 2,
        "outside_window": 1,
        "code_not_mapped": 1,
        "missing_country": 1,
        "unmapped_country": 1,
        "not_a_state": 1,
        "domestic": 1,
        "non_state_actor": 1,
        "other_countries": 1,
    }
    # without a countries filter, USA->KAZ is a kept visit instead of other_countries
    expected.pop("other_countries")
    assert account.dropped == expected
    assert account.values["unmapped_country"] == {"XYZ": 1}
    assert account.values["not_a_state"] == {"AFR": 1}
    assert sorted(account.values["bad_date"]) == ["20190229", "2019031"]
    assert account.malformed == [(str(path), 14, 3)]
    assert set(account.dropped) <= set(REASONS)
    assert len(events) == 2  # MNG->KAZ (merged from three rows) and USA->KAZ
    visit = events.set_index("event_id").loc["gdelt-1"]
    assert (visit["actor"], visit["target"], visit["kind"], visit["n_reports"]) == (
        "MNG",
        "KAZ",
        "visit",
        2,  # records 1 and 2; the second copy of record 1 is not another report
    )
    dyad = row_account(read_gdelt(path, dyad=("KAZ", "MNG"), start=1990, end=2020))
    # USA, XYZ, AFR and the missing country are all outside the dyad, which is tested first
    assert dyad.dropped["other_countries"] == 4
    assert "unmapped_country" not in dyad.dropped
    assert dyad.read == dyad.kept + dyad.merged + sum(dyad.dropped.values())


def test_host_a_visit_makes_the_visitor_the_actor(tmp_path):
    rows = [G(1, "20200105", "KAZGOV", "MNGGOV", "043", "story-a")]
    events = read_gdelt(af.gdelt(tmp_path / "x.CSV", rows))
    assert events[["actor", "target", "kind", "cameo_code"]].iloc[0].tolist() == [
        "MNG",
        "KAZ",
        "visit",
        "043",
    ]
    assert events[["actor_code", "target_code"]].iloc[0].tolist() == ["MNGGOV", "KAZGOV"]


def test_leading_zeros_and_types_are_kept(tmp_path):
    events = read_gdelt(af.gdelt(tmp_path / "x.CSV", [G(1, "20200105", "MNGGOV", "KAZ", "042")]))
    assert events["cameo_code"].iloc[0] == "042"
    assert events["archive_goldstein"].iloc[0] == 1.9
    assert events["quad_class"].iloc[0] == 1
    assert events["level"].iloc[0] == "government"
    assert list(events.attrs["periodize_vocabularies"]["kind"][: len(MACHINE_KINDS)]) == list(
        MACHINE_KINDS
    )


@pytest.mark.parametrize("layout", ["gdelt1_57", "gdelt1_58", "gdelt2_61"])
def test_gdelt_layout_is_chosen_from_the_field_count(tmp_path, layout):
    rows = [G(1, "20200105", "MNGGOV", "KAZ", "042", "u")]
    if layout == "gdelt1_57":
        rows[0].pop("SOURCEURL")
    events = read_gdelt(af.gdelt(tmp_path / "x.CSV", rows, layout=layout))
    assert events["actor"].tolist() == ["MNG"]


def test_zipped_equals_plain_and_globs_read_every_file(tmp_path):
    rows = every_reason_rows()
    plain = read_gdelt(af.gdelt(tmp_path / "a.CSV", rows))
    zipped = read_gdelt(af.gdelt(tmp_path / "b.CSV.zip", rows, zipped=True))
    columns = [c for c in plain.columns]
    pd.testing.assert_frame_equal(plain[columns], zipped[columns])
    both = read_gdelt(str(tmp_path / "*.CSV*"))
    assert row_account(both).read == 2 * row_account(plain).read
    assert len(both) == len(plain)  # the same events twice are duplicates: merged


def test_chunked_reading_equals_whole_file(tmp_path, monkeypatch):
    rows = [
        G(i, f"2019{1 + i % 12:02d}{1 + i % 28:02d}", "MNGGOV", "KAZGOV", "042", f"s{i % 7}")
        for i in range(400)
    ]
    path = af.gdelt(tmp_path / "a.CSV", rows)
    whole = read_gdelt(path)
    monkeypatch.setattr(files_module, "BLOCK_SIZE", 4096)  # the pyarrow reader's blocks
    monkeypatch.setattr(scan_module, "BLOCK_BYTES", 4096)  # the compiled scanner's
    chunked = read_gdelt(path)
    pd.testing.assert_frame_equal(whole, chunked)
    assert row_account(whole).to_dict() == row_account(chunked).to_dict()


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_event_order_does_not_matter(tmp_path_factory, rnd: random.Random):
    rows = every_reason_rows()
    rnd.shuffle(rows)
    folder = tmp_path_factory.mktemp("order")
    shuffled = read_gdelt(af.gdelt(folder / "a.CSV", rows))
    reference = read_gdelt(af.gdelt(folder / "b.CSV", every_reason_rows()))
    pd.testing.assert_frame_equal(shuffled, reference)


def test_icews_duplicates_mirrors_and_na(tmp_path):
    def row(i, date, source, target, code, story, **kw):
        base = {
            "Event ID": str(i),
            "Event Date": date,
            "Source Name": source,
            "Source Sectors": "Government,Executive,Executive Office",
            "Source Country": source,
            "CAMEO Code": code,
            "Intensity": "1.9",
            "Target Name": target,
            "Target Sectors": "Government",
            "Target Country": target,
            "Story ID": story,
            "Publisher": "Xinhua",
        }
        base.update(kw)
        return base

    rows = [
        row(10, "2016-06-01", "Mongolia", "Kazakhstan", "042", "55"),
        row(10, "2016-06-01", "Mongolia", "Kazakhstan", "042", "55"),  # whole duplicate
        row(11, "2016-06-01", "Kazakhstan", "Mongolia", "043", "55"),  # mirrored
        row(11, "2016-06-02", "Kazakhstan", "Mongolia", "043", "56"),  # same id, new date
        row(12, "2016-06-03", "North Korea", "Kazakhstan", "042", "57"),
        row(13, "2016-06-03", "Bavaria", "Kazakhstan", "042", "58"),
        row(14, "2016-06-03", "Kazakhstan", "Kazakhstan", "042", "59"),
        row(15, "2016-06-03", "Citizen (Mongolia)", "Kazakhstan", "042", "60",
            **{"Source Country": "Mongolia", "Source Sectors": "NA"}),
    ]  # fmt: skip
    path = af.icews(tmp_path / "events.2016.tab", rows)
    events = read_icews(path)
    account = row_account(events)
    # 10 twice: a duplicate row; 11 on 06-01 is the host's report of 10's visit; 11 again
    # on 06-02 is another version of the id (the earliest date is kept)
    assert account.read == 8 and account.kept == 2 and account.merged == 3
    assert account.merged_by == {"duplicate_row": 1, "duplicate_id": 1, "mirrored_report": 1}
    assert account.dropped == {"not_a_state": 1, "domestic": 1, "non_state_actor": 1}
    assert events["event_id"].tolist() == ["icews-10", "icews-12"]
    assert events["actor"].tolist() == ["MNG", "PRK"]
    assert events["level"].tolist() == ["executive", "executive"]
    assert events["n_reports"].tolist() == [2, 1]
    with pytest.raises(ParameterError, match="not an ICEWS event file"):
        read_icews(af.gdelt(tmp_path / "g.CSV", [G(1, "20200105", "MNGGOV", "KAZ", "042")]))


def test_phoenix_and_one_per_day(tmp_path):
    def row(i, a, b, code="042", day="20150301"):
        return {
            "EventID": f"p{i}",
            "Date": day,
            "Year": day[:4],
            "Month": day[4:6],
            "Day": day[6:],
            "SourceActorFull": a + "GOV",
            "SourceActorEntity": a,
            "SourceActorRole": "GOV",
            "TargetActorFull": b,
            "TargetActorEntity": b,
            "EventCode": code,
            "EventRootCode": code[:2],
            "QuadClass": "1",
            "GoldsteinScore": "1.9",
            "URLs": f"http://x/{i}",
        }

    rows = [row(1, "ROM", "MNG"), row(2, "ROM", "MNG"), row(3, "ROM", "MNG", "044")]
    path = af.phoenix(tmp_path / "events.full.20150301.txt", rows)
    assert read_phoenix(path)["actor"].tolist() == ["ROU", "ROU", "ROU"]
    once = read_phoenix(path, one_per_day=True)
    assert len(once) == 2 and row_account(once).merged == 1


def test_polecat_tolerates_trailing_tabs_and_a_second_header(tmp_path):
    def row(i, a, b, mode="visit"):
        return {
            "Event ID": f"e{i}",
            "Event Date": "2023-01-03",
            "Event Type": "consult",
            "Event Mode": mode,
            "Actor Name": "Government of " + a,
            "Actor Country": a,
            "Primary Actor Sector": "Government",
            "Recipient Name": b,
            "Recipient Country": b,
            "Primary Recipient Sector": "Executive",
            "Quad Code": "1",
            "Intensity": "1",
            "Story ID": f"s{i}",
        }

    names = list(af.POLECAT_COLUMNS)
    good = af.lines(names, [row(1, "MNG", "KAZ"), row(2, "KAZ", "MNG", "phone")])
    text = ["\t".join(names) + "\t\t", *(line + "\t\t" for line in good)]
    text.insert(2, "\t".join(names) + "\t\t")  # a second header inside the file
    events = read_polecat(af.write(tmp_path / "ngecEvents.txt", text))
    account = row_account(events)
    assert events[["actor", "target", "kind", "plover_mode"]].values.tolist() == [
        ["MNG", "KAZ", "visit", "visit"]
    ]
    assert account.dropped == {"repeated_header": 1, "code_not_mapped": 1}
    both = read_polecat(af.write(tmp_path / "n2.txt", text), kinds="diplomacy")
    assert both[["actor", "kind"]].values.tolist() == [["KAZ", "telephone"], ["MNG", "visit"]]


def test_parquet_round_trip_keeps_vocabularies_and_account(tmp_path):
    events = read_gdelt(af.gdelt(tmp_path / "a.CSV", every_reason_rows()))
    path = pz.write_events(events, tmp_path / "events.parquet")
    back = pz.read_events(path)
    pd.testing.assert_frame_equal(back, events, check_dtype=False)
    assert row_account(back).to_dict() == row_account(events).to_dict()
    csv = pz.write_events(events, tmp_path / "events.csv")
    again = pz.read_events(csv, levels=MACHINE_LEVELS, kinds=MACHINE_KINDS)
    assert again["actor"].tolist() == events["actor"].tolist()


def test_reader_errors_name_the_problem(tmp_path):
    path = af.gdelt(tmp_path / "a.CSV", [G(1, "20200105", "MNGGOV", "KAZ", "042")])
    with pytest.raises(ParameterError, match="two different countries"):
        read_gdelt(path, dyad=("MNG", "MNG"))
    with pytest.raises(ParameterError, match="ISO 3166-1 alpha-3"):
        read_gdelt(path, dyad=("Mongolia", "KAZ"))
    with pytest.raises(ParameterError, match="No events kept from 1 rows read"):
        read_gdelt(path, start=2021)
    with pytest.raises(ParameterError, match="No such file or directory"):
        read_gdelt(tmp_path / "missing.CSV")
    with pytest.raises(ParameterError, match="No file matches"):
        read_gdelt(str(tmp_path / "nothing*.CSV"))
    (tmp_path / "odd.CSV").write_text("a\tb\tc\n")
    with pytest.raises(ParameterError, match="has 3 tab-separated fields"):
        read_gdelt(tmp_path / "odd.CSV")
    with pytest.raises(ParameterError, match="'kinds' parameter must be one of"):
        read_gdelt(path, kinds="visit")


def test_user_kind_mapping_and_country_map(tmp_path):
    rows = [G(1, "20200105", "KSVGOV", "MNGGOV", "057"), G(2, "20200105", "MNGGOV", "KAZ", "042")]
    path = af.gdelt(tmp_path / "a.CSV", rows)
    events = read_gdelt(path, kinds={"057": "agreement"}, country_map={"KSV": "XKX"})
    assert events[["actor", "target", "kind"]].values.tolist() == [["XKX", "MNG", "agreement"]]
    assert np.all(events["cameo_code"] == "057")


def test_exposure_counts_every_dated_row_before_filters(tmp_path):
    rows = every_reason_rows()
    path = af.gdelt(tmp_path / "a.CSV", rows)
    events = read_gdelt(path, dyad=("MNG", "KAZ"), exposure_by="country")
    # dated rows: all but the two bad dates (the malformed line is not a row of dates)
    by_day = pz.adapters.exposure(events, freq="day", start="2019-03-10", end="2019-03-11")
    assert by_day.tolist() == [3, 7]
    yearly = pz.adapters.exposure(events)
    assert yearly.index[0] == 1899 and yearly.loc[2019] == 10 and yearly.sum() == 11
    kaz = pz.adapters.exposure(events, country="KAZ", start=2019, end=2019)
    # rows of 2019 with a calendar date in which KAZ is actor or target, counted directly
    expected = sum(
        1
        for r in rows
        if r["SQLDATE"].startswith("2019")
        and len(r["SQLDATE"]) == 8
        and r["SQLDATE"] != "20190229"
        and "KAZ" in (r["Actor1CountryCode"], r["Actor2CountryCode"])
    )
    assert kaz.tolist() == [expected]
    with pytest.raises(ParameterError, match="exposure_by='country'"):
        pz.adapters.exposure(read_gdelt(path), country="KAZ")


def test_a_read_that_would_exhaust_memory_is_refused_with_the_remedy(tmp_path, monkeypatch):
    rows = [G(i, "20190310", "MNGGOV", "KAZGOV", "042", f"s{i}") for i in range(2000)]
    path = af.gdelt(tmp_path / "a.CSV", rows)
    monkeypatch.setenv("PERIODIZE_MEMORY_GB", "0.0001")  # about 100 kB
    with pytest.raises(ParameterError, match=r"filter while reading .* engine='dask'"):
        read_gdelt(path)


def test_a_byte_order_mark_before_the_header_is_not_part_of_it(tmp_path):
    path = af.icews(tmp_path / "events.tab", [])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + "\t".join(
        ["1", "2016-06-01", "Mongolia", "Government", "Mongolia", "visit", "042", "1.9",
         "Kazakhstan", "Government", "Kazakhstan", "9", "1", "P", "", "", "", "", "", ""]
    ).encode() + b"\n")  # fmt: skip
    assert read_icews(path)["actor"].tolist() == ["MNG"]


def test_a_window_given_as_year_text_spans_the_whole_year(tmp_path):
    rows = [G(1, "20191231", "MNGGOV", "KAZ", "042"), G(2, "20200101", "MNGGOV", "KAZ", "042")]
    path = af.gdelt(tmp_path / "a.CSV", rows)
    assert read_gdelt(path, end="2019")["date"].tolist() == ["2019-12-31"]
    assert read_gdelt(path, start="2019-12-31", end="2019-12-31")["date"].tolist() == [
        "2019-12-31"
    ]


@pytest.mark.parametrize("bound", [0, "0000", -5, "-5", 10000, "2009-13-01", "x"])
def test_a_window_bound_outside_the_calendar_is_a_clear_error(tmp_path, bound):
    path = af.gdelt(tmp_path / "x.CSV", [G(1, "20200105", "MNGGOV", "KAZ", "042")])
    with pytest.raises(ParameterError, match=r"'start' parameter must be a year from 1 to 9999"):
        read_gdelt(path, start=bound)


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "empty.export.CSV"
    path.write_text("")
    with pytest.raises(
        ParameterError, match=r"No events kept from 0 rows read\. The files hold no rows\.$"
    ):
        read_gdelt(path)


def test_damaged_or_unsupported_zips_are_named_not_internal_errors(tmp_path):
    rows = [G(i, "20190310", "MNGGOV", "KAZ", "042", f"u{i}") for i in range(3000)]
    text = "\n".join(af.lines(af.column_list("gdelt2_61"), rows)) + "\n"
    good = tmp_path / "good.export.CSV.zip"
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("good.export.CSV", text)
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # the first lines read, the middle does not
    damaged = tmp_path / "damaged.export.CSV.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ParameterError, match=r"damaged\.export\.CSV\.zip!.* is damaged"):
        read_gdelt(damaged)
    stored = tmp_path / "stored.export.CSV.zip"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("stored.export.CSV", text)
    raw = bytearray(stored.read_bytes())
    raw[8:10] = (9).to_bytes(2, "little")  # local header: Deflate64, which zipfile lacks
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 10 : central + 12] = (9).to_bytes(2, "little")
    stored.write_bytes(bytes(raw))
    with pytest.raises(ParameterError, match=r"cannot be unpacked here.*unzip it"):
        read_gdelt(stored)


def test_a_polecat_file_whose_second_line_is_short_is_named(tmp_path):
    names = list(af.POLECAT_COLUMNS)
    text = ["\t".join(names), "e1\t2023-01-03\tconsult"]  # three fields only
    with pytest.raises(ParameterError, match=r"line 2 has 3 fields but the header names 40"):
        read_polecat(af.write(tmp_path / "ngecEvents.txt", text))
