"""periodize import, periodize intensity and periodize detect --events."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import periodize as pz
from periodize.cli import main

sys.path.insert(0, str(Path(__file__).parent / "adapters"))
import archive_files as af

G = af.gdelt_row


@pytest.fixture
def gdelt_files(tmp_path):
    years = [2015] * 5 + [2016] * 3 + [2017] * 9 + [2018] * 2 + [2019] * 12
    pairs = [("MNGGOV", "KAZGOV") if i % 2 else ("KAZGOV", "MNGGOV") for i in range(len(years))]
    rows = [
        G(i, f"{y}0{1 + i % 9}1{i % 9}", *pairs[i], "042" if i % 3 else "043", f"s{i}")
        for i, y in enumerate(years)
    ]
    rows.append(G(99, "20170101", "USAGOV", "KAZGOV", "042", "x"))
    af.gdelt(tmp_path / "a.export.CSV", rows)
    af.gdelt(tmp_path / "b.export.CSV.zip", rows[:3], zipped=True)
    return tmp_path


def test_import_writes_the_table_and_prints_the_account(gdelt_files, capsys):
    out = gdelt_files / "events.parquet"
    glob = str(gdelt_files / "*.CSV*")
    assert main(["import", "--format", "gdelt", glob, "--dyad", "MNG,KAZ", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "35 rows read from 2 file(s)" in text and "kept 31 events; merged 3" in text
    assert "dropped 1: other_countries" in text
    events = pz.read_events(out)
    assert len(events) == 31 and set(events["actor"]) == {"MNG", "KAZ"}
    assert main(["import", "--format", "gdelt", glob, "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    code = main(
        [
            "import",
            "--format",
            "gdelt",
            glob,
            "-o",
            str(out),
            "--force",
            "--json",
            "--start",
            "2018",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["account"]["kept"] == 14
    assert document["account"]["dropped"]["outside_window"] == 21  # 18 + 3 (zip) before 2018


def test_import_errors_are_one_line_with_exit_2(gdelt_files, capsys):
    out = str(gdelt_files / "x.parquet")
    for argv in (
        ["import", "--format", "icews", str(gdelt_files / "a.export.CSV"), "-o", out],
        ["import", "--format", "gdelt", str(gdelt_files / "none*.CSV"), "-o", out],
        [
            "import",
            "--format",
            "gdelt",
            str(gdelt_files / "a.export.CSV"),
            "--dyad",
            "MNG",
            "-o",
            out,
        ],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not Path(out).exists()


def test_intensity_file_is_what_detect_reads_and_equals_the_api(gdelt_files, capsys):
    events_path = gdelt_files / "events.parquet"
    pz.write_events(pz.read_gdelt(str(gdelt_files / "*.CSV*")), events_path)
    series_path = gdelt_files / "series.csv"
    argv = ["intensity", str(events_path), "--by", "direction", "-o", str(series_path)]
    assert main(argv) == 0
    table = pd.read_csv(series_path)
    expected = pz.intensity(pz.read_events(events_path), by="direction").data
    wide = table.pivot(index="period", columns="series", values="value")
    pd.testing.assert_frame_equal(wide, expected, check_names=False)
    capsys.readouterr()
    argv = [
        "detect", str(series_path), "--time", "period", "--value", "value", "--series", "series",
        "--breaks", "1", "--min-size", "2", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    from_file = json.loads(capsys.readouterr().out)
    argv = ["detect", "--events", str(events_path), "--by", "direction", "--breaks", "1",
            "--min-size", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    from_events = json.loads(capsys.readouterr().out)
    assert [s["boundaries"] for s in from_file["series"]] == [
        s["boundaries"] for s in from_events["series"]
    ]
    direct = pz.segment(expected, n_breaks=1, min_size=2)
    assert [s["boundaries"] for s in from_events["series"]] == [
        list(b) for b in direct.by_series["boundaries"]
    ]


def test_monthly_series_and_detect_argument_errors(gdelt_files, capsys):
    events_path = gdelt_files / "events.parquet"
    pz.write_events(pz.read_gdelt(str(gdelt_files / "a.export.CSV")), events_path)
    out = gdelt_files / "monthly.csv"
    argv = ["intensity", str(events_path), "--freq", "month", "--by", "all", "-o", str(out)]
    assert main(argv) == 0
    table = pd.read_csv(out)
    assert table["period"].iloc[0] == "2015-01-01" and table["label"].iloc[0] == "2015-01"
    assert table["value"].sum() == 32  # 31 MNG-KAZ events and one USA->KAZ
    for argv in (
        ["detect", "--breaks", "1"],
        ["detect", str(out), "--events", str(events_path), "--breaks", "1"],
        ["detect", "--events", str(events_path), "--time", "period", "--breaks", "1"],
        ["detect", str(out), "--breaks", "1"],
        ["intensity", str(events_path), "-o", str(gdelt_files / "s.txt")],
        ["intensity", str(events_path), "--start", "last year", "-o", str(out) + "x.csv"],
    ):
        capsys.readouterr()
        assert main(argv) == 2, argv
        assert "Traceback" not in capsys.readouterr().err


def test_an_output_never_replaces_its_own_input_even_with_force(gdelt_files, capsys, tmp_path):
    source = gdelt_files / "a.export.CSV"
    before = source.read_bytes()
    link = tmp_path / "link.CSV"
    link.symlink_to(source)
    for out in (source, link):  # the same file under its name or another
        argv = ["import", "--format", "gdelt", str(gdelt_files / "*.CSV*"), "-o", str(out)]
        assert main([*argv, "--force"]) == 2
        err = capsys.readouterr().err
        assert "is an input of this command" in err and len(err.strip().splitlines()) == 1
    assert source.read_bytes() == before
    events = gdelt_files / "events.csv"
    assert main(["import", "--format", "gdelt", str(source), "-o", str(events)]) == 0
    kept = events.read_bytes()
    argv = ["intensity", str(events), "-o", str(events), "--force"]
    assert main(argv) == 2 and "is an input of this command" in capsys.readouterr().err
    assert events.read_bytes() == kept
