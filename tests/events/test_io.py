"""Reading and writing event tables: CSV, JSON Lines, Parquet; errors carry line numbers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import EventSchemaError, ParameterError

CSV = (
    "event_id,date,actor,target,level,kind,cameo_code,note\n"
    "a,1993-10,KAZ,MNG,head_of_state,official_visit,042,NA\n"
    "b,2019-10-10,MNG,KAZ,head_of_government,official_visit,,\n"
)


def test_csv_reads_cells_as_text(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CSV)
    events = pz.read_events(path)
    assert events.loc[0, "cameo_code"] == "042"
    assert events.loc[0, "note"] == "NA"
    assert events["note"].isna().tolist() == [False, True]


def test_csv_errors_give_file_lines(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CSV.replace("2019-10-10", "2019-02-30"))
    with pytest.raises(EventSchemaError) as info:
        pz.read_events(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.line, problem.column) == (1, 3, "date")
    assert "row 1 (line 3)" in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_round_trip(tmp_path, suffix):
    source = tmp_path / "events.csv"
    source.write_text(CSV)
    events = pz.read_events(source)
    target = tmp_path / f"copy{suffix}"
    pz.write_events(events, target)
    pd.testing.assert_frame_equal(pz.read_events(target), events)


def test_jsonl_keeps_numbers_as_numbers(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"date": "1993", "actor": "KAZ", "target": "MNG", "level": "head_of_state", '
        '"kind": "official_visit", "documents_signed": 1}\n'
        '{"date": "1994", "actor": "MNG", "target": "KAZ", "level": "head_of_state", '
        '"kind": "official_visit", "documents_signed": -2}\n'
    )
    with pytest.raises(EventSchemaError) as info:
        pz.read_events(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.value) == (2, "documents_signed", -2)


def test_parquet_round_trip_or_clear_error(tmp_path):
    events = pz.datasets.mongolia_kazakhstan()
    path = tmp_path / "events.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1")
        with pytest.raises(ParameterError, match="needs pyarrow"):
            pz.read_events(path)
        return
    pz.write_events(events, path)
    pd.testing.assert_frame_equal(pz.read_events(path), events)


def test_unknown_file_type(tmp_path):
    with pytest.raises(ParameterError, match=r"must end in one of \['.csv'"):
        pz.read_events(tmp_path / "events.xlsx")


def test_read_events_engine_options_are_checked(tmp_path):
    import periodize as pz
    from periodize.exceptions import ParameterError

    path = pz.write_events(pz.datasets.mongolia_kazakhstan(), tmp_path / "events.csv")
    with pytest.raises(ParameterError, match="'engine' parameter of read_events"):
        pz.read_events(path, engine="spark")
    with pytest.raises(ParameterError, match="filter while reading with engine='dask'"):
        pz.read_events(path, start=2000)
    with pytest.raises(ParameterError, match="reads one file; pass engine='dask'"):
        pz.read_events([path, path])


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_a_pipe_or_device_is_refused_before_it_is_opened(tmp_path, engine):
    import os

    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(ParameterError, match=r"not a regular file"):
        pz.read_events(fifo, engine=engine)
    device = tmp_path / "zero.csv"
    device.symlink_to("/dev/zero")  # never ends
    with pytest.raises(ParameterError, match=r"not a regular file"):
        pz.read_events(device, engine=engine)


def test_a_csv_is_read_through_a_map_of_its_bytes_or_as_bytes_when_empty(tmp_path):
    import mmap

    from periodize._textfiles import map_bytes

    text = b"event_id,date,actor,target,level,kind\na,2009,KAZ,MNG,minister,state_visit\n"
    path = tmp_path / "events.csv"
    path.write_bytes(text)
    mapped = map_bytes(path)
    assert isinstance(mapped, mmap.mmap) and mapped[:] == text
    mapped.close()
    assert pz.read_events(path)["actor"].tolist() == ["KAZ"]
    path.write_bytes(text.replace(b"\n", b"\r\n"))  # line ends replaced in a copy
    assert pz.read_events(path)["kind"].tolist() == ["state_visit"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert map_bytes(empty) == b""  # no map of nothing
    with pytest.raises(ParameterError, match=r"empty\.csv is empty"):
        pz.read_events(empty)
    with pytest.raises(ParameterError, match=r"missing\.csv"):
        pz.read_events(tmp_path / "missing.csv")


def test_json_lines_nested_too_deep_or_with_huge_integers_name_the_line(tmp_path):
    head = '{"date": "2010", "actor": "MNG", "target": "KAZ", "level": "ambassador", '
    deep = tmp_path / "deep.jsonl"
    deep.write_text(head + '"x": ' + "[" * 100000 + "]" * 100000 + "}\n")
    with pytest.raises(EventSchemaError, match=r"line 1; expected JSON nested less deeply"):
        pz.read_events(deep)
    big = tmp_path / "big.jsonl"
    big.write_text(head + '"x": ' + "9" * 5000 + "}\n")
    with pytest.raises(EventSchemaError, match=r"line 1; expected valid JSON values"):
        pz.read_events(big)


def test_thousands_of_extra_columns_are_kept_in_order(tmp_path):
    extra = [f"x{i}" for i in range(5000)]
    path = tmp_path / "wide.csv"
    header = ["date", "actor", "target", "level", "kind", *extra]
    row = ["2010", "MNG", "KAZ", "minister", "official_visit", *map(str, range(5000))]
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    events = pz.read_events(path)
    assert list(events.columns[-5000:]) == extra
    assert events["x4999"].iloc[0] == "4999"


def test_csv_cells_that_cannot_be_read_back_are_refused_when_writing(tmp_path):
    import csv

    events = pz.datasets.mongolia_kazakhstan()
    long = events.assign(source=["x" * 200_000, *events["source"].iloc[1:]])
    back = pz.read_events(pz.write_events(long, tmp_path / "long.csv"))
    assert back["source"].iloc[0] == "x" * 200_000  # over the csv module's default limit
    assert csv.field_size_limit() == 131072  # the process-wide limit is restored
    nul = events.assign(source=list(events["source"].iloc[:2]) + ["a\x00b"] * (len(events) - 2))
    with pytest.raises(ParameterError, match=r"Column 'source', row 2 \(and \d+ more rows\) "
                       "holds a NUL character.*nul.jsonl or nul.parquet"):  # fmt: skip
        pz.write_events(nul, tmp_path / "nul.csv")
    assert not (tmp_path / "nul.csv").exists()
    kept = pz.read_events(pz.write_events(nul, tmp_path / "nul.jsonl"))["source"]
    assert kept.tolist() == nul["source"].tolist()


_CELL = st.one_of(
    st.just(""),
    st.sampled_from(["2009-03-04", "2009", "2009-13", "KAZ", "MNG", "XAA", "minister"]),
    st.sampled_from(["head_of_state", "state_visit", "official_visit", "1", " 2", "x"]),
    st.text(alphabet="ab ,\r\n\t\u00e9;", max_size=4),
)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.lists(_CELL, min_size=7, max_size=7), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.integers(0, 2),
)
def test_the_arrow_csv_reader_equals_the_general_reader(rows, newline, trailing, ragged):
    """Arrow reads plain CSVs (no quote, no blank line); whatever it reads, validation gives
    exactly what the line-by-line reader gives: the same table or the same error, lines
    included. Cells with commas or newlines make rows ragged or blank lines appear: those
    files go to the general reader."""
    from periodize._textfiles import read_csv_text
    from periodize.events import io as events_io
    from periodize.events.schema import _validate

    header = ["event_id", "date", "actor", "target", "level", "kind", "comment"]
    records = [",".join(header)] + [",".join(row) for row in rows]
    if ragged == 1:
        records[-1] += ",extra"
    text = newline.join(records) + (newline if trailing else "")
    fast = events_io._read_plain_csv(text.encode())
    slow = None
    try:
        slow = read_csv_text(Path("t.csv"), text)
    except (EventSchemaError, ParameterError) as error:
        assert fast is None, error  # the general reader refuses what Arrow must not take
    event("read by arrow" if fast is not None else "general reader only")
    if fast is None or slow is None:
        return
    np.testing.assert_array_equal(fast[1], slow[1])
    assert list(fast[0].columns) == list(slow[0].columns)
    for name in header:
        assert fast[0][name].astype(object).where(fast[0][name].notna(), None).tolist() == (
            slow[0][name].tolist()
        )
    outcomes = []
    for frame, lines in (fast, slow):
        try:
            outcomes.append(_validate(frame, lines=lines, source="t.csv", extra_codes=["XAA"]))
        except EventSchemaError as error:
            outcomes.append(str(error))
    if isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
    else:
        pd.testing.assert_frame_equal(outcomes[0], outcomes[1])


def test_a_plain_csv_is_read_by_arrow_and_other_files_by_the_general_reader():
    from periodize.events import io as events_io

    plain = "event_id,date,actor,target,level,kind\na,2009,KAZ,MNG,minister,state_visit\n"
    frame, lines = events_io._read_plain_csv(plain.encode())
    assert str(frame["actor"].dtype) == "category" and lines.tolist() == [2]  # coded once
    assert str(frame["event_id"].dtype) == "string" and frame["actor"].tolist() == ["KAZ"]
    crlf = plain.replace("\n", "\r\n")
    assert events_io._read_plain_csv(crlf.encode())[1].tolist() == [2]
    for other in (
        plain.replace("a,2009", '"a",2009'),
        plain + "\n",
        plain.replace("\na,", "\n\na,"),  # a blank line inside: Arrow reads an empty row
        plain + ",,,,,\n",  # a row of empty cells: the general reader says which line
        "\n" + plain,
        plain + "b,1\n",
        crlf + "\r\n",
        plain.replace(",KAZ", "\r,KAZ"),
    ):
        assert events_io._read_plain_csv(other.encode()) is None


def test_a_written_table_reads_back_the_same_by_either_reader(tmp_path):
    from periodize._textfiles import read_csv_text
    from periodize.events import io as events_io
    from periodize.events.schema import _validate

    events, _ = pz.simulate_events(n_dyads=3, years=range(1990, 2000), boundaries=(1995,))
    path = pz.write_events(events.assign(note="plain text"), tmp_path / "events.csv")
    text = path.read_text()
    codes = events.attrs["periodize_extra_codes"]
    plain = events_io._read_plain_csv(text.encode())
    assert plain is not None, text[:200]
    fast = _validate(plain[0], lines=plain[1], extra_codes=codes)
    frame, lines = read_csv_text(path, text)
    pd.testing.assert_frame_equal(fast, _validate(frame, lines=lines, extra_codes=codes))
    pd.testing.assert_frame_equal(pz.read_events(path, extra_codes=codes), fast)


def _mostly(valid, hostile):
    """Valid cells far more often than hostile ones, so both outcomes are explored."""
    return st.sampled_from([*valid * 12, *hostile])


_COLUMN_CELLS = {
    "event_id": _mostly([f"e{i}" for i in range(30)], ["", None]),
    "date": _mostly(["2009", "2009-03", "2009-03-04"], ["2009-13", "2009-02-30", "x", "", None]),
    "actor": _mostly(["KAZ", "MNG", "XAA", "RUS", "USA", "TUR"], ["kaz", "", None]),
    "target": _mostly(["KAZ", "MNG", "CHN", "IND", "JPN", "FRA"], ["", None]),
    "level": _mostly(["minister", "head_of_state"], ["x", "", None]),
    "kind": _mostly(["state_visit", "other"], ["visit", None]),
}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries(_COLUMN_CELLS), min_size=1, max_size=5), st.booleans())
def test_coded_columns_validate_as_their_values(tmp_path_factory, rows, with_ids):
    """Columns that arrive coded (pandas categoricals from a Parquet file's dictionaries,
    or a user's own, unused categories included) validate exactly as the same values in
    plain columns: the same table or the same error."""
    from periodize.events.schema import _validate

    plain = pd.DataFrame(rows, dtype=object)
    if not with_ids:
        plain = plain.drop(columns="event_id")
    path = tmp_path_factory.mktemp("coded") / "events.parquet"
    plain.astype("string").to_parquet(path)
    coded = plain.astype("category")
    for name in ("date", "actor"):  # a category no row uses is never checked
        coded[name] = coded[name].cat.add_categories(["zz-unused"])

    def outcome(read):
        try:
            return read()
        except EventSchemaError as error:
            return str(error)

    reference = outcome(lambda: _validate(plain, extra_codes=["XAA"], source=str(path)))
    event("an error" if isinstance(reference, str) else "a table")
    for got in (
        outcome(lambda: _validate(coded, extra_codes=["XAA"], source=str(path))),
        outcome(lambda: pz.read_events(path, extra_codes=["XAA"])),
    ):
        if isinstance(reference, str):
            assert got == reference
        else:
            pd.testing.assert_frame_equal(got, reference)
            _aggregates_as_its_text(got)


def _aggregates_as_its_text(table):
    """A validated table's dyad-year counts and provenance digest (which reuse the codes
    validation found) equal those of its cells as plain text: pandas' crosstab, and the
    digest of every text column hashed cell by cell."""
    from periodize.events.digest import table_digest
    from periodize.events.seal import events_sha256

    text = table.astype({c: object for c in table.columns if c not in ("year", "month", "day")})
    assert events_sha256(table) == table_digest(text)
    pair = np.sort(table[["actor", "target"]].to_numpy(dtype=object), axis=1)
    dyad = pd.Series(pair[:, 0] + "-" + pair[:, 1], name="series")
    expected = pd.crosstab(table["year"].to_numpy(), dyad).astype(float)
    got = pz.intensity(table, by="dyad").data
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert list(got.columns) == list(expected.columns)
