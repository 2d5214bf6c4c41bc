"""The compiled scanner gives what the pyarrow reader gives, on every format it serves and
on awkward files (CRLF, no final newline, lines longer than a block, bad UTF-8)."""

from __future__ import annotations

import random

import archive_files as af
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.adapters import lines as lines_module
from periodize.adapters import pipeline, read_gdelt, read_icews, read_phoenix, row_account
from periodize.adapters import scan as scan_module
from periodize.exceptions import PeriodizeError

G = af.gdelt_row
CODES = ["042", "043", "044", "190", "0874", ""]
ACTORS = ["MNGGOV", "KAZGOV", "KAZ", "ROMMIL", "USABUS", "AFRGOV", "XYZGOV", "", "MNG"]
DATES = ["20190310", "20190229", "2019031", "", "19991231", "20200101", "2019-03-10",
         "00000101", "2019031x"]  # fmt: skip


def both_ways(monkeypatch, read, *args, **kwargs):
    fast = read(*args, **kwargs)
    monkeypatch.setattr(pipeline, "COMPILED", False)
    slow = read(*args, **kwargs)
    monkeypatch.setattr(pipeline, "COMPILED", True)
    return fast, slow


def assert_same(fast, slow):
    pd.testing.assert_frame_equal(fast, slow)
    a, b = row_account(fast).to_dict(), row_account(slow).to_dict()
    assert a == b


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from([None, ("MNG", "KAZ")]))
def test_compiled_equals_pyarrow_on_random_gdelt_files(tmp_path_factory, rnd: random.Random, dyad):
    rows = [
        G(i, rnd.choice(DATES), rnd.choice(ACTORS), rnd.choice(ACTORS), rnd.choice(CODES),
          rnd.choice(["u1", "u2", ""]))
        for i in range(rnd.randint(1, 60))
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("scan")
    lines = af.lines(af.column_list("gdelt2_61"), rows)
    if rnd.random() < 0.5:
        lines.insert(rnd.randint(1, len(lines)), "short\tline")  # the first line sets the layout
    path = af.write(folder / "a.CSV", lines)
    mp = pytest.MonkeyPatch()
    try:
        try:
            fast, slow = both_ways(mp, read_gdelt, path, dyad=dyad, start=2000)
        except Exception as error:  # both must refuse the same way (e.g. nothing kept)
            mp.setattr(pipeline, "COMPILED", False)
            with pytest.raises(type(error)) as refused:
                read_gdelt(path, dyad=dyad, start=2000)
            assert str(refused.value) == str(error)
            return
        assert_same(fast, slow)
    finally:
        mp.undo()


ENDS = [b"\n", b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n", b"\n\r"]


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_both_readers_agree_on_damaged_bytes(tmp_path_factory, rnd: random.Random):
    """Line ends of every kind, empty lines, bytes that are not UTF-8, NUL bytes, tabs and
    lines over the limit anywhere in a GDELT file: the compiled scanner and pyarrow give the
    same events and account, or refuse with the same message."""
    rows = [
        G(i, rnd.choice(DATES[:2]), rnd.choice(ACTORS[:4]), rnd.choice(ACTORS[:4]),
          rnd.choice(CODES[:3]), f"u{i}")
        for i in range(rnd.randint(1, 30))
    ]  # fmt: skip
    lines = [line.encode() for line in af.lines(af.column_list("gdelt2_61"), rows)]
    for _ in range(rnd.randint(0, 4)):
        at = rnd.randrange(len(lines))
        line = bytearray(lines[at])
        where = rnd.randrange(len(line) + 1)
        line[where:where] = rnd.choice([b"\xff", b"\xc3", b"\x00", b"\t", b"\r", b"x" * 3000])
        lines[at] = bytes(line)
    data = b"".join(line + rnd.choice(ENDS) for line in lines)
    if rnd.random() < 0.3:
        data = data.rstrip(b"\r\n")
    path = tmp_path_factory.mktemp("bytes") / "a.CSV"
    path.write_bytes(data)
    mp = pytest.MonkeyPatch()
    mp.setattr(lines_module, "MAX_LINE_BYTES", 2500)  # the 3000-byte insertions are over it
    try:
        outcomes = []
        for compiled in (True, False):
            mp.setattr(pipeline, "COMPILED", compiled)
            try:
                events = read_gdelt(path)
                outcomes.append((events, row_account(events).to_dict()))
            except PeriodizeError as error:
                outcomes.append(str(error))
        (fast, slow) = outcomes
        if isinstance(fast, str) or isinstance(slow, str):
            assert fast == slow
        else:
            pd.testing.assert_frame_equal(fast[0], slow[0])
            assert fast[1] == slow[1]
    finally:
        mp.undo()


def test_crlf_no_final_newline_and_long_lines(tmp_path, monkeypatch):
    rows = [G(i, "20190310", "MNGGOV", "KAZ", "042", "u" * (i * 300)) for i in range(1, 40)]
    text = "\r\n".join(af.lines(af.column_list("gdelt2_61"), rows))  # no final newline
    path = tmp_path / "a.CSV"
    path.write_bytes(text.encode())
    monkeypatch.setattr(scan_module, "BLOCK_BYTES", 1000)  # lines longer than a block
    fast, slow = both_ways(monkeypatch, read_gdelt, path)
    assert_same(fast, slow)
    assert len(fast) == 39 and fast["story"].str.len().max() == 39 * 300


def test_icews_header_na_and_malformed_line_numbers(tmp_path, monkeypatch):
    row = {
        "Event ID": "1",
        "Event Date": "2016-06-01",
        "Source Name": "Mongolia",
        "Source Country": "Mongolia",
        "CAMEO Code": "042",
        "Target Name": "Kazakhstan",
        "Target Country": "Kazakhstan",
        "Story ID": "9",
    }
    names = af.column_list("icews")
    lines = ["\t".join(names), *af.lines(names, [row], empty="NA"), "broken", "x\ty"]
    lines += af.lines(names, [row | {"Event ID": "2", "Event Date": "NA"}], empty="NA")
    path = af.write(tmp_path / "events.tab", lines)
    fast, slow = both_ways(monkeypatch, read_icews, path)
    assert_same(fast, slow)
    account = row_account(fast)
    assert [m[1] for m in account.malformed] == [3, 4]
    assert account.values["bad_date"] == {"<missing>": 1}
    assert pd.isna(fast["publisher"].iloc[0])  # NA is missing


def test_phoenix_and_zip_and_bad_utf8(tmp_path, monkeypatch):
    names = af.column_list("phoenix")
    row = {"EventID": "p1", "Date": "20150301", "SourceActorFull": "ROMGOV",
           "SourceActorEntity": "ROM", "SourceActorRole": "GOV", "TargetActorFull": "MNG",
           "TargetActorEntity": "MNG", "EventCode": "042", "URLs": "http://x/\udcff"}  # fmt: skip
    line = "\t".join(row.get(n, "") for n in names).encode("utf-8", "surrogateescape")
    (tmp_path / "raw.txt").write_bytes(line + b"\n")
    fast = read_phoenix(tmp_path / "raw.txt")
    assert fast["story"].iloc[0] == "http://x/\ufffd"
    af.phoenix(tmp_path / "z.txt.zip", [row | {"URLs": "u"}], zipped=True)
    fast, slow = both_ways(monkeypatch, read_phoenix, tmp_path / "z.txt.zip")
    assert_same(fast, slow)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["parquet", "csv", "jsonl"]))
def test_import_write_read_round_trip(tmp_path_factory, rnd: random.Random, suffix):
    import periodize as pz
    from periodize.adapters import MACHINE_KINDS, MACHINE_LEVELS

    good = ["MNGGOV", "KAZ", "ROMMIL", "CHNLEG"]  # four countries: never a domestic pair
    rows = [
        G(i, f"20{rnd.randint(10, 19)}0{rnd.randint(1, 9)}1{rnd.randint(0, 9)}",
          *rnd.sample(good, 2), rnd.choice(["042", "043", "044"]), rnd.choice(["u1", "u2"]))
        for i in range(rnd.randint(1, 40))
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("trip")
    events = read_gdelt(af.gdelt(folder / "a.CSV", rows))
    path = pz.write_events(events, folder / f"events.{suffix}")
    back = pz.read_events(path, levels=MACHINE_LEVELS, kinds=MACHINE_KINDS, extra_codes=["XKX"])
    pd.testing.assert_frame_equal(
        back[["event_id", "date", "actor", "target", "level", "kind"]],
        events[["event_id", "date", "actor", "target", "level", "kind"]],
        check_dtype=False,
        check_categorical=False,
    )
    assert back["cameo_code"].tolist() == events["cameo_code"].tolist()  # "042" stays "042"
