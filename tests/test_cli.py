"""The ``periodize`` command line: output, exit codes, messages."""

import subprocess
import sys
from pathlib import Path

from periodize.cli import main


def test_describe_bundled_dataset(capsys):
    assert main(["describe"]) == 0
    out = capsys.readouterr().out
    assert "26 events, 1992–2025 (34 years)" in out
    assert "Yearly intensity under every built-in scheme" in out
    for scheme in ("count", "goldstein", "copdab", "protocol"):
        assert scheme in out
    assert "descriptive counts; no test" in out


def test_describe_user_file_with_a_scheme_that_does_not_apply(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(
        "date,actor,target,level,kind\n2001,FRA,DEU,minister,other\n2003,DEU,FRA,minister,other\n"
    )
    assert main(["describe", "--events", str(path), "--boundaries", "2002"]) == 0
    out = capsys.readouterr().out
    assert "goldstein: not computed" in out
    assert "2001–2001" in out


def test_bad_input_exits_2_with_location(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("date,actor,target,level,kind\n2001-02-30,FRA,DEU,minister,other\n")
    assert main(["describe", "--events", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 0 (line 2), column 'date'" in err


def test_bad_boundaries_exit_2(capsys):
    assert main(["describe", "--boundaries", "2019,2009"]) == 2
    assert "strictly increasing" in capsys.readouterr().err


def test_installed_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "periodize.cli", "describe"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "Mongolia–Kazakhstan" in result.stdout


def test_a_reader_that_closes_the_output_stops_the_command_quietly():
    """``periodize explore ... | head -1``: the closed pipe is not an error to report."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before anything was written
    example = Path(__file__).resolve().parents[1] / "examples" / "data" / "example_dyad.csv"
    child = subprocess.Popen(
        [sys.executable, "-m", "periodize.cli", "explore", "--events", str(example),
         "--extra-codes", "XAA,XBB"],
        stdout=write_end, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(write_end)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 141 and err == ""
