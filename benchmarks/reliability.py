"""Hostile inputs and faults against the CLI and the API, classified.

``python -m benchmarks.reliability [--out docs/reliability.md]`` runs every case of
:data:`CASES` and writes the table of outcomes:

- **clear error**: a :class:`~periodize.exceptions.PeriodizeError` whose message holds the
  expected fragment (API), or exit code 2 with one line on stderr holding it (CLI);
- **correct result**: a case that must succeed did, and its check passed;
- **traceback**: any other exception, exit code 1, or a traceback on stderr;
- **other message**: a periodize error, but not the expected one (or not on one line);
- **silent wrong**: a case that must fail succeeded, or a result failed its check;
- **hang**: no answer within the time limit.

The same table drives ``tests/test_reliability.py``, so every case is also a test.

The "before" rows of ``docs/reliability.md`` are the cases run on the commit before the
work that added them, from a checkout of it: groups 1-10 on 832e5aa, the last before the
first reliability work, and groups 11-18 (archives, Dask, panel, numbers, outputs, code,
special files, signals) on 69c7146, the last before the second::

    git worktree add /tmp/old 832e5aa
    (ulimit -v 12000000; PYTHONPATH=/tmp/old/src:. python -m benchmarks.reliability \
        --csv benchmarks/reliability-832e5aa.csv)

and the same with 69c7146, keeping the rows of groups 11-18 in
``benchmarks/reliability-69c7146.csv`` (the address-space limit makes large allocations
fail with MemoryError, counted as tracebacks, instead of exhausting the machine). The
signal cases run the installed ``periodize`` command, whose launcher is today's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import periodize as pz
from periodize.exceptions import PeriodizeError
from periodize.study import OUTPUT_FILES

from .hostile import Case, CliRun, run_cli
from .hostile import case_file as _file
from .reliability_surfaces import SURFACE_CASES, SURFACE_SLOW_CASES

HEADER = "date,actor,target,level,kind"
ROW = "2001,FRA,DEU,minister,other"
OUTCOMES = ("clear error", "correct result", "other message", "traceback", "silent wrong", "hang")


def _events_csv(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _series_frame(values: list[float], index: Any) -> pd.DataFrame:
    return pd.DataFrame({"x": values}, index=index)


def _step(n: int = 34, first: int = 1992, change: int = 2009) -> pd.DataFrame:
    years = np.arange(first, first + n)
    return _series_frame(list(np.where(years >= change, 3.0, 0.0)), years)


def _cli_detect(folder: Path, text: str, *options: str) -> CliRun:
    return run_cli(
        "detect", _file(folder, "series.csv", text), "--time", "year", "--value", "v", *options
    )


def _long_csv(years: Any, values: Any) -> str:
    return "year,v\n" + "".join(f"{y},{v}\n" for y, v in zip(years, values, strict=True))


def _study(folder: Path, *options: str, events: str | None = None) -> CliRun:
    source = ["--events", events] if events is not None else []
    return run_cli(
        "study", *source, "--n-sim", "99", "--envelope-draws", "50", "--quiet", *options
    )


def _write_previous(out: Path, name: str, text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(text)


def _own_study_events(folder: Path, extra: str = "") -> str:
    rows = [f"{y},FRA,DEU,minister,other" for y in range(2000, 2012)] + [
        f"{y},DEU,FRA,minister,other" for y in range(2006, 2012)
    ]
    return _file(folder, "own.csv", _events_csv(rows + ([extra] if extra else [])))


def _kept(path: Path, text: str) -> bool:
    return path.read_text() == text


# --- the cases -------------------------------------------------------------------------


def _time_cases() -> list[Case]:
    years = list(range(1992, 2026))
    values = [0 if y < 2009 else 3 for y in years]
    return [
        Case(
            "1 time",
            "detect: rows newest first are sorted, boundary 2009",
            lambda f: _cli_detect(f, _long_csv(years[::-1], values[::-1]), "--breaks", "1"),
            lambda r, f: r.code == 0 and "new periods start in 2009" in r.out,
        ),
        Case(
            "1 time",
            "segment: index newest first",
            lambda f: pz.segment(_step().iloc[::-1], n_breaks=1),
            "runs backwards",
        ),
        Case(
            "1 time",
            "segment: index out of order",
            lambda f: pz.segment(_step().iloc[[0, 2, 1, *range(3, 34)]], n_breaks=1),
            "out of order",
        ),
        Case(
            "1 time",
            "segment: every second year (RangeIndex step 2)",
            lambda f: pz.segment(
                _series_frame([0.0] * 4 + [3.0] * 4, pd.RangeIndex(2000, 2016, 2)), n_breaks=1
            ),
            "step other than one year",
        ),
        Case(
            "1 time",
            "segment: dates every second year",
            lambda f: pz.segment(
                _series_frame([0.0] * 4 + [3.0] * 4, pd.date_range("2000", periods=8, freq="2YS")),
                n_breaks=1,
            ),
            "multiple of its unit",
        ),
        Case(
            "1 time",
            "segment: dates newest first",
            lambda f: pz.segment(
                _series_frame(
                    [0.0] * 4 + [3.0] * 4, pd.date_range("2000", periods=8, freq="YS")[::-1]
                ),
                n_breaks=1,
            ),
            "runs backwards",
        ),
        Case(
            "1 time",
            "posterior: periods with a gap",
            lambda f: pz.posterior(
                _series_frame(
                    [1.0] * 8,
                    pd.PeriodIndex(
                        ["2000", "2001", "2002", "2003", "2005", "2006", "2007", "2008"], freq="Y"
                    ),
                ),
                max_breaks=1,
            ),
            "has a gap",
        ),
        Case(
            "1 time",
            "detect: every second year in a file",
            lambda f: _cli_detect(f, _long_csv(range(1992, 2026, 2), [1] * 17), "--breaks", "1"),
            "1992 is followed by 1994",
        ),
        Case(
            "1 time",
            "test_periodization: unsorted index",
            lambda f: pz.test_periodization(
                _step().sample(frac=1, random_state=1), (2009,), n_sim=99
            ),
            "sort it oldest first",
        ),
    ]


def _output_cases() -> list[Case]:
    def user_file(f: Path) -> tuple[CliRun, Path]:
        _write_previous(f / "out", "report.md", "my notes")
        return _study(f, "--out", str(f / "out")), f / "out" / "report.md"

    def foreign_with_force(f: Path) -> CliRun:
        _write_previous(f / "out", "notes.txt", "mine")
        return _study(f, "--out", str(f / "out"), "--force")

    def folder_named_figure(f: Path) -> CliRun:
        (f / "out" / "figure.png").mkdir(parents=True)
        return _study(f, "--out", str(f / "out"), "--force")

    def symlink_inside(f: Path) -> tuple[CliRun, Path]:
        elsewhere = f / "elsewhere.json"
        elsewhere.write_text("keep me")
        (f / "out").mkdir()
        (f / "out" / "result.json").symlink_to(elsewhere)
        return _study(f, "--out", str(f / "out"), "--force"), elsewhere

    def rerun_with_force(f: Path) -> CliRun:
        first = _study(f, "--out", str(f / "out"))
        assert first.code == 0, first.err
        return _study(f, "--out", str(f / "out"), "--force")

    def write_events_twice(f: Path) -> None:
        events = pz.datasets.mongolia_kazakhstan()
        pz.write_events(events, f / "e.csv")
        pz.write_events(events, f / "e.csv")

    return [
        Case(
            "2 output",
            "study --out over a user's report.md",
            user_file,
            lambda r, f: r[0].code == 2 and "is not empty" in r[0].err and _kept(r[1], "my notes"),
        ),
        Case(
            "2 output",
            "study --force over a folder with other files",
            foreign_with_force,
            "did not write",
        ),
        Case(
            "2 output",
            "study --out is a file",
            lambda f: _study(f, "--out", _file(f, "out", "x")),
            "is a file",
        ),
        Case(
            "2 output",
            "study --force over a folder named figure.png",
            folder_named_figure,
            "as folders, not plain files",
        ),
        Case(
            "2 output",
            "study --out in a folder that cannot be created",
            lambda f: _study(f, "--out", "/proc/periodize/out"),
            "Cannot create",
        ),
        Case(
            "2 output",
            "study --force replaces a symlink, never writes through it",
            symlink_inside,
            lambda r, f: (
                r[0].code == 0
                and _kept(r[1], "keep me")
                and not (f / "out" / "result.json").is_symlink()
            ),
        ),
        Case(
            "2 output",
            "study --force replaces a previous study",
            rerun_with_force,
            lambda r, f: (
                r.code == 0
                and sorted(p.name for p in (f / "out").iterdir()) == sorted(OUTPUT_FILES)
            ),
        ),
        Case(
            "2 output",
            "write_events over an existing file",
            write_events_twice,
            "exists; pass overwrite=True",
        ),
    ]


def _number_cases() -> list[Case]:
    def read(f: Path, name: str, text: str) -> pd.DataFrame:
        return pz.read_events(_file(f, name, text))

    big = "9007199254740993"
    jsonl = (
        '{"date": "2001", "actor": "FRA", "target": "DEU", "level": "minister", '
        '"kind": "other", "documents_signed": %s}\n'
    )
    return [
        Case(
            "3 numbers",
            "CSV documents_signed beyond int64",
            lambda f: read(
                f,
                "e.csv",
                _events_csv([ROW + ",99999999999999999999"], HEADER + ",documents_signed"),
            ),
            "'99999999999999999999'",
        ),
        Case(
            "3 numbers",
            "JSONL documents_signed 1e300",
            lambda f: read(f, "e.jsonl", jsonl % "1e300"),
            "(line 1), column 'documents_signed'",
        ),
        Case(
            "3 numbers",
            "JSONL documents_signed 2**53 + 1 kept exactly",
            lambda f: read(f, "e.jsonl", jsonl % big),
            lambda r, f: int(r["documents_signed"].iat[0]) == int(big),
        ),
        Case(
            "3 numbers",
            "CSV documents_signed 2**53 + 1 kept exactly",
            lambda f: read(
                f, "e.csv", _events_csv([ROW + "," + big], HEADER + ",documents_signed")
            ),
            lambda r, f: int(r["documents_signed"].iat[0]) == int(big),
        ),
        Case(
            "3 numbers",
            "documents_signed -1",
            lambda f: read(f, "e.csv", _events_csv([ROW + ",-1"], HEADER + ",documents_signed")),
            "non-negative integer",
        ),
        Case(
            "3 numbers",
            "documents_signed as superscript two",
            lambda f: read(f, "e.csv", _events_csv([ROW + ",²"], HEADER + ",documents_signed")),
            "non-negative integer",
        ),
        Case(
            "3 numbers",
            "JSONL documents_signed 2.5",
            lambda f: read(f, "e.jsonl", jsonl % "2.5"),
            "non-negative integer",
        ),
    ]


def _resource_cases() -> list[Case]:
    def year_9999(f: Path) -> CliRun:
        events = _own_study_events(f, "9999,FRA,DEU,minister,other")
        return _study(f, "--events", events, "--hypothesis", "2005", "--out", str(f / "o"))

    return [
        Case(
            "4 resources",
            "simulate_events: more dyads than codes (stream)",
            lambda f: pz.simulate_events(10**6, range(2000, 2010), (), columnar=True, stream=True),
            "at most 595,686",
        ),
        Case(
            "4 resources",
            "simulate_events: 10**9 dyads",
            lambda f: pz.simulate_events(10**9, range(2000, 2010), ()),
            "at most 595,686",
        ),
        Case(
            "4 resources",
            "simulate_events: 10**7 events as a table",
            lambda f: pz.simulate_events(10**5, range(1990, 2020), (2005,), base_rate=100.0),
            "budget",
        ),
        Case(
            "4 resources",
            "study: one event in year 9999 (8,008-year window)",
            year_9999,
            "posterior",
        ),
        Case(
            "4 resources",
            "intensity: start=-10**9",
            lambda f: pz.intensity(pz.datasets.mongolia_kazakhstan(), start=-(10**9)),
            "calendar year in 1..9999",
        ),
        Case(
            "4 resources",
            "posterior: 4,000 periods",
            lambda f: pz.posterior(np.ones(4000), max_breaks=3),
            "budget",
        ),
        Case(
            "4 resources",
            "intensity: monthly series of 10**5 dyads × 120,000 months",
            lambda f: pz.intensity(
                pd.DataFrame(
                    {
                        "date": ["0001-01", "9999-12"],
                        "actor": ["FRA", "DEU"],
                        "target": ["DEU", "ITA"],
                        "level": ["minister"] * 2,
                        "kind": ["other"] * 2,
                    }
                ),
                freq="month",
            ),
            lambda r, f: r.data.shape == (119988, 2),
        ),
    ]


def _traceback_cases() -> list[Case]:
    def events(f: Path, name: str, content: str | bytes) -> CliRun:
        return run_cli("describe", "--events", _file(f, name, content))

    scheme_events = pz.datasets.mongolia_kazakhstan()
    latin = (
        _events_csv(["2001,FRA,DEU,minister,other"]).replace("other", "autre é").encode("latin-1")
    )
    utf16 = _events_csv([ROW, "2003,DEU,FRA,minister,other"]).encode("utf-16")
    twelve = pd.DataFrame(
        {
            "date": [str(y) for y in range(2000, 2012)],
            "actor": "FRA",
            "target": "DEU",
            "level": "minister",
            "kind": "other",
        }
    )
    weighted = pd.DataFrame({"x": [2.5] * 12}, index=range(2000, 2012))
    return [
        Case("5 tracebacks", "empty file", lambda f: events(f, "e.csv", ""), "is empty"),
        Case(
            "5 tracebacks",
            "header only, blank lines",
            lambda f: events(f, "e.csv", "\n\n"),
            "is empty",
        ),
        Case(
            "5 tracebacks",
            "Latin-1 file",
            lambda f: events(f, "e.csv", latin),
            "byte 0xE9 at line 2",
        ),
        Case(
            "5 tracebacks",
            "UTF-16 with a byte-order mark is read",
            lambda f: events(f, "e.csv", utf16),
            lambda r, f: r.code == 0 and "2 events" in r.out,
        ),
        Case(
            "5 tracebacks",
            "UTF-16 without a byte-order mark",
            lambda f: events(f, "e.csv", utf16[2:]),
            "UTF-16 without a byte-order mark",
        ),
        Case(
            "5 tracebacks",
            "binary file",
            lambda f: events(f, "e.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "binary",
        ),
        Case(
            "5 tracebacks",
            "row with extra fields",
            lambda f: events(f, "e.csv", _events_csv([ROW, ROW + ",extra"])),
            "line 3; expected 5 fields",
        ),
        Case(
            "5 tracebacks",
            "unterminated quote",
            lambda f: events(f, "e.csv", _events_csv([ROW, '2002,FRA,DEU,"minister,other'])),
            "malformed CSV",
        ),
        Case(
            "5 tracebacks",
            "a folder as input",
            lambda f: run_cli("describe", "--events", str(Path(_file(f, "d.csv", "")).parent)),
            "must end in one of",
        ),
        Case(
            "5 tracebacks",
            "a folder named like a table",
            lambda f: (f / "d.csv").mkdir() or run_cli("describe", "--events", str(f / "d.csv")),
            "is a folder",
        ),
        Case(
            "5 tracebacks",
            "a missing file",
            lambda f: run_cli("describe", "--events", str(f / "none.csv")),
            "no such file",
        ),
        Case(
            "5 tracebacks",
            "JSONL: bad JSON",
            lambda f: events(f, "e.jsonl", '{"date": "2001",\n'),
            "line 1; expected valid JSON",
        ),
        Case(
            "5 tracebacks",
            "JSONL: an array",
            lambda f: events(f, "e.jsonl", "[1, 2]\n"),
            "one JSON object per line; got list",
        ),
        Case(
            "5 tracebacks", "JSONL: a scalar", lambda f: events(f, "e.jsonl", "\n\n3\n"), "line 3"
        ),
        Case(
            "5 tracebacks",
            "Arabic-Indic digits in a date",
            lambda f: events(f, "e.csv", _events_csv(["٢٠٠١,FRA,DEU,minister,other"])),
            "column 'date'",
        ),
        Case(
            "5 tracebacks",
            "full-width digits in a date",
            lambda f: events(f, "e.csv", _events_csv(["２００１,FRA,DEU,minister,other"])),
            "column 'date'",
        ),
        Case(
            "5 tracebacks",
            "scheme file: malformed JSON",
            lambda f: pz.intensity(scheme_events, _file(f, "s.json", '{"kind": ')),
            "not valid JSON",
        ),
        Case(
            "5 tracebacks",
            "scheme file: malformed TOML",
            lambda f: pz.intensity(scheme_events, _file(f, "s.toml", "kind = [")),
            "not valid TOML",
        ),
        Case(
            "5 tracebacks",
            "scheme file: kind as a list",
            lambda f: pz.intensity(scheme_events, _file(f, "s.json", '{"kind": ["a"]}')),
            "must map each kind to a weight",
        ),
        Case(
            "5 tracebacks",
            "scheme file: an override without kind",
            lambda f: pz.intensity(
                scheme_events,
                _file(f, "s.json", '{"overrides": [{"level": "minister", "weight": 2}]}'),
            ),
            "keys level, kind and weight",
        ),
        Case(
            "5 tracebacks",
            "CLI scheme file: a JSON array",
            lambda f: _study(f, "--scheme", _file(f, "s.json", "[1]"), "--out", str(f / "o")),
            "must be a mapping",
        ),
        Case(
            "5 tracebacks",
            "--hypothesis ''",
            lambda f: _study(f, "--events", _own_study_events(f), "--hypothesis", ""),
            "usage",
        ),
        Case(
            "5 tracebacks",
            "test_periodization(counts, ())",
            lambda f: pz.test_periodization(_step(), ()),
            "at least one period",
        ),
        Case(
            "5 tracebacks",
            "study with four boundaries",
            lambda f: _study(f, "--hypothesis", "1996,2001,2009,2019", "--out", str(f / "o")),
            lambda r, f: r.code == 0,
        ),
        Case(
            "5 tracebacks",
            "posterior(max_breaks=1, hypothesis=(2009, 2019))",
            lambda f: pz.posterior(_step(), max_breaks=1, hypothesis=(2009, 2019)),
            "Raise max_breaks to at least 2",
        ),
        Case(
            "5 tracebacks",
            "constant weighted series under quasi-Poisson",
            lambda f: pz.test_periodization(weighted, (2004,), model="quasipoisson", n_sim=99),
            lambda r, f: r.tests["hypothesis_vs_none"].pvalue == 1.0,
        ),
        Case(
            "5 tracebacks",
            "study: 12 events one a year, protocol scheme",
            lambda f: pz.study(twelve, (2004,), scheme="protocol", n_sim=99),
            lambda r, f: r.test.n_sim == 99,
        ),
        Case(
            "5 tracebacks",
            "--rng -1",
            lambda f: _study(f, "--rng", "-1", "--out", str(f / "o")),
            "usage",
        ),
        Case(
            "5 tracebacks",
            "rng=-1 in the API",
            lambda f: pz.test_periodization(_step(), (2009,), rng=-1),
            "non-negative",
        ),
    ]


def _acceptance_cases() -> list[Case]:
    def read(f: Path, text: str, name: str = "e.csv", **options: Any) -> pd.DataFrame:
        return pz.read_events(_file(f, name, text), **options)

    raw = {
        "date": ["2001", "2002"],
        "actor": ["FRA", "DEU"],
        "target": ["DEU", "FRA"],
        "level": ["minister"] * 2,
        "kind": ["other"] * 2,
    }
    return [
        Case(
            "6 acceptance",
            "CSV weight 1.5 is accepted",
            lambda f: read(f, _events_csv([ROW + ",1.5"], HEADER + ",weight")),
            lambda r, f: r["weight"].tolist() == [1.5],
        ),
        Case(
            "6 acceptance",
            "duplicated CSV header",
            lambda f: read(f, _events_csv([ROW + ",2002"], HEADER + ",date")),
            "unique column names",
        ),
        Case(
            "6 acceptance",
            "categorical level outside the vocabulary",
            lambda f: pz.validate_events(
                pd.DataFrame(raw).assign(level=pd.Categorical(["emperor", "minister"]))
            ),
            "column 'level'",
        ),
        Case(
            "6 acceptance",
            "ids 1 and '1'",
            lambda f: pz.validate_events(pd.DataFrame(raw).assign(event_id=[1, "1"])),
            "a unique id (same as row 0)",
        ),
        Case(
            "6 acceptance",
            "date '1995\\n'",
            lambda f: pz.validate_events(pd.DataFrame(raw).assign(date=["1995\n", "1996"])),
            "column 'date'",
        ),
        Case(
            "6 acceptance",
            "complex series values",
            lambda f: pz.segment(np.array([1 + 2j] * 10), n_breaks=1),
            "real numbers",
        ),
        Case(
            "6 acceptance",
            "extra_codes='XKX'",
            lambda f: pz.validate_events(pd.DataFrame(raw), extra_codes="XKX"),
            "['XKX']",
        ),
        Case(
            "6 acceptance",
            "extra_codes=['XKX'] is accepted",
            lambda f: pz.validate_events(
                pd.DataFrame(raw).assign(actor=["XKX", "DEU"]), extra_codes=["XKX"]
            ),
            lambda r, f: r["actor"].tolist() == ["XKX", "DEU"],
        ),
    ]


def _line_cases() -> list[Case]:
    def read(f: Path, name: str, text: str) -> pd.DataFrame:
        return pz.read_events(_file(f, name, text))

    bad = "2001-02-30,FRA,DEU,minister,other"
    quoted = (
        HEADER + ",note\n" + ROW + ',"two\nlines"\n' + ROW + ',"three\n\nlines"\n' + bad + ",x\n"
    )
    jsonl = (
        '\n\n{"date": "2001-02-30", "actor": "FRA", "target": "DEU", "level": '
        '"minister", "kind": "other"}\n'
    )
    return [
        Case(
            "7 lines",
            "blank lines before a bad row",
            lambda f: read(f, "e.csv", HEADER + "\n" + ROW + "\n\n\n" + ROW + "\n\n" + bad + "\n"),
            "row 2 (line 7)",
        ),
        Case(
            "7 lines",
            "multi-line quoted cells before a bad row",
            lambda f: read(f, "e.csv", quoted),
            "row 2 (line 7)",
        ),
        Case(
            "7 lines",
            "JSONL: blank lines before a bad record",
            lambda f: read(f, "e.jsonl", jsonl),
            "row 0 (line 3)",
        ),
    ]


def _message_cases() -> list[Case]:
    nine = pd.DataFrame(
        {
            "date": [str(y) for y in range(2000, 2009)] * 2,
            "actor": "FRA",
            "target": "DEU",
            "level": "minister",
            "kind": "other",
        }
    )

    class DaskLike:
        def compute(self) -> None:
            return None

    DaskLike.__module__ = "dask.dataframe.core"
    DaskLike.__qualname__ = "DataFrame"
    return [
        Case(
            "8 messages",
            "study on a 9-year window",
            lambda f: pz.study(nine, (2003,), n_sim=99),
            lambda r, f: r.posterior.max_breaks == 2,
        ),
        Case(
            "8 messages",
            "segment(y, n_breaks=0, min_size=100)",
            lambda f: pz.segment(_step(), n_breaks=0, min_size=100),
            "fewer than min_size=100",
        ),
        Case(
            "8 messages",
            "detect: an empty cell",
            lambda f: _cli_detect(f, "year,v\n2000,1\n2001,\n2002,3\n", "--breaks", "0"),
            "line 3: the 'v' cell is empty",
        ),
        Case(
            "8 messages",
            "a Dask DataFrame",
            lambda f: pz.validate_events(DaskLike()),
            "dask.dataframe.core.DataFrame",
        ),
        Case(
            "8 messages",
            "a Dask DataFrame as a series",
            lambda f: pz.segment(DaskLike(), n_breaks=1),
            "call .compute()",
        ),
    ]


def _meaning_cases() -> list[Case]:
    def injected(f: Path) -> str:
        rows = [f"{y},FRA,DEU,minister,other" for y in range(2000, 2012)]
        text = (
            "event_id,"
            + HEADER
            + "\n"
            + "".join(
                f'"{i if i else chr(10).join(["x", "# injected", "<script>"])}",{r}\n'
                for i, r in enumerate(rows)
            )
        )
        out = f / "o"
        result = _study(
            f, "--events", _file(f, "e.csv", text), "--hypothesis", "2005", "--out", str(out)
        )
        assert result.code == 0, result.err
        return (out / "report.md").read_text()

    return [
        Case(
            "9 meaning",
            "detect: all-zero series with 2 breaks",
            lambda f: _cli_detect(f, _long_csv(range(1995, 2010), [0] * 15), "--breaks", "2"),
            lambda r, f: r.code == 0 and "not identified" in r.out,
        ),
        Case(
            "9 meaning",
            "segment: constant series is flagged",
            lambda f: pz.segment(np.ones(12), n_breaks=1),
            lambda r, f: r.identified is False,
        ),
        Case(
            "9 meaning",
            "event id with a newline and HTML in report.md",
            injected,
            lambda r, f: "\n# injected" not in r and "<script>" not in r,
        ),
    ]


def _bench_cases() -> list[Case]:
    return [
        Case(
            "10 bench",
            "python -m benchmarks --quick keeps RESULTS.md",
            lambda f: _bench_quick_keeps_results(),
            lambda r, f: r,
        ),
    ]


def _bench_quick_keeps_results() -> bool:
    import benchmarks.__main__ as bench

    recorded = bench.HERE / "RESULTS.md"
    before = recorded.read_bytes()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        bench.main(["--quick"])
    return recorded.read_bytes() == before


CASES: list[Case] = [
    *_time_cases(),
    *_output_cases(),
    *_number_cases(),
    *_resource_cases(),
    *_traceback_cases(),
    *_acceptance_cases(),
    *_line_cases(),
    *_message_cases(),
    *_meaning_cases(),
]
SLOW_CASES: list[Case] = _bench_cases()
CASES += SURFACE_CASES  # the surfaces added later: archives, Dask, panel, signals
SLOW_CASES += SURFACE_SLOW_CASES


def classify(case: Case, folder: Path, timeout: int = 120) -> tuple[str, str]:
    """Run one case; return its outcome (one of :data:`OUTCOMES`) and what was seen."""

    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    try:
        result = case.run(folder)
    except TimeoutError:
        return "hang", f"no answer in {timeout} s"
    except PeriodizeError as error:
        message = str(error)
        if isinstance(case.expect, str) and case.expect in message:
            return "clear error", message.splitlines()[0][:160]
        return "other message", message[:160]
    except Exception as error:
        return "traceback", f"{type(error).__name__}: {str(error)[:160]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if isinstance(result, CliRun) and isinstance(case.expect, str):
        return _classify_cli(result, case.expect)
    if isinstance(case.expect, str):
        return "silent wrong", f"succeeded; expected an error with {case.expect!r}"
    first = result[0] if isinstance(result, tuple) else result
    if isinstance(first, CliRun) and (first.code not in (0, 2, 130) or "Traceback" in first.err):
        return "traceback", first.err.strip()[:160]
    try:
        good = bool(case.expect(result, folder))
    except Exception as error:
        return "silent wrong", f"check failed: {type(error).__name__}: {error}"
    return ("correct result", "as expected") if good else ("silent wrong", "check failed")


def _classify_cli(result: CliRun, fragment: str) -> tuple[str, str]:
    err = result.err.strip()
    if "Traceback" in err or result.code not in (0, 2):
        return "traceback", err.splitlines()[-1][:160] if err else f"exit {result.code}"
    if result.code == 0:
        return "silent wrong", f"exit 0; expected an error with {fragment!r}"
    lines = err.splitlines()
    one_line = len(lines) == 1 or (lines[0].startswith("usage:") and fragment == "usage")
    if fragment in err and one_line:
        return "clear error", lines[-1][:160]
    return "other message", err[:160]


def run_all(cases: list[Case]) -> pd.DataFrame:
    """Every case in a fresh folder; one row per case."""
    rows = []
    for case in cases:
        with tempfile.TemporaryDirectory() as folder:
            outcome, seen = classify(case, Path(folder))
        rows.append({"group": case.group, "case": case.name, "outcome": outcome, "seen": seen})
    return pd.DataFrame(rows)


RULES = """\
## The rules these cases check

- **Time runs forward.** A series' index must be sorted, without duplicates, and step by
  one unit of its frequency (integer labels are years; a `PeriodIndex` steps by one period;
  dates need a regular one-unit frequency). Anything else is refused with the first
  offending pair, everywhere a series enters. `periodize detect` reads long tables in any
  row order and sorts them by the time column; gaps and empty cells are refused by line.
- **Outputs are all-or-nothing and never over your files.** `periodize study` checks
  `--out` before the analysis: it must be new or empty, or, with `--force`
  (`Study.write(..., overwrite=True)`), hold only a previous study's files. The files are
  written in a hidden staging folder beside it and swapped in with one rename (an atomic
  exchange on Linux): a reader, or a process killed at any moment, sees the previous set
  or the new one. A symlink in the folder is replaced, never written through. A killed
  run may leave a hidden `.NAME.periodize-*` staging folder beside `--out`; it is safe to
  delete. `write_events` writes through a temporary file and refuses an existing path
  unless `overwrite=True`.
- **Files are read exactly.** Text must be UTF-8 (a byte-order mark, and UTF-16/32 with
  one, are recognised; `read_events(..., encoding=...)` for others); binary files,
  duplicated or empty column names, rows with the wrong number of fields, unterminated
  quotes and JSON lines that are not objects are refused with their line. Line numbers
  count blank lines and cells that span lines. Dates and numbers take ASCII digits only.
- **Numbers are checked before conversion.** Counts must be integers in 0..2^63-1 (a
  float above 2^53 cannot say which integer it meant); weights are finite decimals, in a
  CSV as text such as `1.5`.
- **Work that would exhaust memory is refused first.** One call may plan at most 4 GiB
  (`PERIODIZE_MEMORY_GB` changes it): the exact posterior (about (17 + 8K) × 8 bytes per
  pair of positions), intensity series, simulated event sets; windows lie in years
  1..9999; simulations name at most 595,686 dyads.
- **The command line never shows a traceback for your mistakes.** Exit 2 with one line for
  bad input or usage, 1 with "internal error, please report" for a bug (the traceback
  with `--debug`), 130 on Ctrl-C, with nothing written: also while the library imports and
  while the panel's local workers start (they start ignoring Ctrl-C, and the command holds
  one pressed meanwhile until they run, then stops them), and when Python drops the
  Ctrl-C where it raised it (inside numba's compiler, a ctypes callback): the command
  records every Ctrl-C and raises it again at its next step or write. A data error raised
  on a worker is the same one line, without the workers' log of it.
- **Archive files are read by one rule on both readers.** A line ends at LF, CRLF or a
  lone CR; empty lines are skipped; bytes that are not UTF-8 become U+FFFD; a line over
  4 MiB refuses the file before it is held (a small zip can unpack to one huge line); a
  damaged zip member or one compressed with a method Python lacks (Deflate64) is named;
  pipes, devices, folders and symlink loops are refused before opening.
- **The Dask reader gives the in-memory answers.** Every Parquet footer is read when the
  lazy frame is built, so a damaged file or another format under a `.parquet` name is
  named before any worker starts; folder names such as `year=2009` are checked against the
  dates, never trusted; the same events in two files are refused, not counted twice;
  `countries=` and `start=`/`end=` follow the in-memory rules whatever the column types.
- **The panel checks before it sends work.** The hypothesis, `min_size`, the model and the
  number of local workers (memory) are checked before any batch runs; checkpoints are
  Parquet with a SHA-256 manifest (no pickle: a planted file cannot run code), and an
  edited or damaged batch is computed again with a warning.
- **Numbers at the edge.** Normal models refuse deviations outside 1e-100..1e100; a series
  no segmentation fits better than none (constant, all zero) has no estimated boundary on
  any path; infinities and NaNs in JSON are `null`.
"""


def markdown(table: pd.DataFrame, command: str, before: str = "") -> str:
    counts = table["outcome"].value_counts().reindex(list(OUTCOMES), fill_value=0)
    lines = [
        "# Reliability under bad input",
        "",
        f"Regenerated by `{command}`; the same cases run as tests in "
        "`tests/test_reliability.py`, beside a fuzz test of random malformed CSV and JSON "
        "Lines tables, a test that kills a study while it writes, byte-level fuzzing of the "
        "two archive readers against each other (`tests/adapters/test_scan.py`) and of the "
        "Dask reader against the in-memory rules (`tests/distributed/test_dask.py`).",
        "",
        "| inputs tried | clear errors | correct results | other messages | tracebacks "
        "| silent wrong | hangs |",
        "|---|---|---|---|---|---|---|",
        f"| {len(table)} | " + " | ".join(str(int(counts[o])) for o in OUTCOMES) + " |",
        *([before] if before else []),
        "",
        *(
            [
                "The rows below the first are the same cases on the commit before the work "
                "that added them (how: the docstring of `benchmarks/reliability.py`): the "
                "first 80 cases (groups 1-10) on 832e5aa, the cases of the archive, Dask, "
                "panel, signal and special-file surfaces (groups 11-18) on 69c7146. Of the "
                "five of the latter that pass there, two run today's code beside it (the "
                "command's launcher: Ctrl-C while importing; the benchmark runner: bench "
                "--out), two are the errors test_periodization gave then (on a cluster, from "
                "the workers, after their tracebacks), and one (a folder without Parquet "
                "files) was right.",
                "",
            ]
            if before
            else []
        ),
        "Targets: tracebacks 0, silent wrong results 0, hangs 0.",
        "",
        RULES,
        "## Every case",
        "",
        "| group | case | outcome | what was seen |",
        "|---|---|---|---|",
    ]
    for row in table.itertuples():
        seen = " ".join(str(row.seen).split()).replace("|", "\\|")
        lines.append(f"| {row.group} | {row.case} | {row.outcome} | {seen} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reliability")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument(
        "--before",
        type=Path,
        action="append",
        default=[],
        help="a CSV of cases run on an earlier version (python -m benchmarks.reliability "
        "--csv FILE with that version first on PYTHONPATH); repeat for several",
    )
    parser.add_argument("--csv", type=Path, help="also write the table as CSV")
    args = parser.parse_args(argv)
    table = run_all([*CASES, *SLOW_CASES])
    command = "python -m benchmarks.reliability " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    rows = []
    for path in args.before:
        earlier = pd.read_csv(path)["outcome"].value_counts()
        counts = " | ".join(str(int(earlier.get(o, 0))) for o in OUTCOMES)
        rows.append(f"| {int(earlier.sum())} on `{path.stem}` (before) | {counts} |")
    before = "\n".join(rows)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
    text = markdown(table, command, before)
    if args.out is not None:
        from periodize._output import write_file

        write_file(args.out, text.encode(), overwrite=True)
    print(json.dumps(table.to_dict("records"), indent=1) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
