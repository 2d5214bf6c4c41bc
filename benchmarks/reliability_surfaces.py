"""Hostile inputs against the surfaces added after the first reliability pass: archive
files and zips, the Dask reader (Parquet files and hive folders), the panel and its
checkpoints, numbers at the edge of the models, outputs beside their inputs, code that a
file could run, and Ctrl-C. Part of the table of :mod:`benchmarks.reliability`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import periodize as pz
from benchmarks.hostile import Case, CliRun, case_file, run_cli
from periodize.adapters import column_list, pipeline, read_gdelt

GDELT = column_list("gdelt2_61")
VISIT = {"EventCode": "042", "EventRootCode": "04", "QuadClass": "1", "GoldsteinScale": "1.9"}


def _gdelt_rows(n: int = 3, url: str = "u{i}") -> list[bytes]:
    """Lines of a GDELT 2.0 file: visits of Mongolia's government to Kazakhstan's."""
    rows = []
    for i in range(1, n + 1):
        row = {"GLOBALEVENTID": str(i), "SQLDATE": f"2019031{i % 10}", "Actor1Code": "MNGGOV",
               "Actor1CountryCode": "MNG", "Actor1Type1Code": "GOV", "Actor2Code": "KAZGOV",
               "Actor2CountryCode": "KAZ", "Actor2Type1Code": "GOV",
               "SOURCEURL": url.format(i=i), **VISIT}  # fmt: skip
        rows.append("\t".join(row.get(name, "") for name in GDELT).encode())
    return rows


def _gdelt_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _zip(folder: Path, member: str, data: bytes) -> Path:
    path = folder / "day.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return path


def _damaged_zip(folder: Path) -> Path:
    path = _zip(folder, "20190310.export.CSV", b"\n".join(_gdelt_rows(200)) * 20)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64  # inside the compressed member
    path.write_bytes(bytes(data))
    return path


def _deflate64_zip(folder: Path) -> Path:
    """A zip whose member says it is compressed with Deflate64 (method 9)."""
    path = folder / "day.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("20190310.export.CSV", b"\n".join(_gdelt_rows()) + b"\n")
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local, central
        at = data.find(signature)
        data[at + offset : at + offset + 2] = (9).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def _both_readers(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events of a GDELT file by the compiled scanner and by pyarrow's reader."""
    read = []
    for compiled in (True, False):
        previous, pipeline.COMPILED = pipeline.COMPILED, compiled
        try:
            read.append(read_gdelt(path))
        finally:
            pipeline.COMPILED = previous
    return read[0], read[1]


def _same_events(result: tuple[pd.DataFrame, pd.DataFrame], n: int) -> bool:
    fast, slow = result
    return fast.equals(slow) and len(fast) == n


def _polecat_short_second_line(folder: Path) -> CliRun:
    from periodize.adapters.readers import POLECAT_REQUIRED

    header = "\t".join(POLECAT_REQUIRED)
    path = case_file(folder, "ngec.tsv", header + "\nshort\n")
    return run_cli("import", "--format", "polecat", path, "-o", str(folder / "e.jsonl"))


def _archive_cases() -> list[Case]:
    def import_gdelt(folder: Path, path: Path, *options: str, out: str = "e.jsonl") -> CliRun:
        return run_cli("import", "--format", "gdelt", str(path), "-o", str(folder / out),
                       *options)  # fmt: skip

    lf = b"\n".join(_gdelt_rows()) + b"\n"
    return [
        Case("11 archives", "import: a zip whose member is damaged",
             lambda f: import_gdelt(f, _damaged_zip(f)), "is damaged"),
        Case("11 archives", "import: a Deflate64 zip member",
             lambda f: import_gdelt(f, _deflate64_zip(f)), "cannot be unpacked here"),
        Case("11 archives", "import: a POLECAT file whose second line is short",
             _polecat_short_second_line, "line 2"),
        Case("11 archives", "import --start 0000",
             lambda f: import_gdelt(f, _gdelt_file(f, "a.CSV", lf), "--start", "0000"),
             "year from 1 to 9999"),
        Case("11 archives", "import --start=-5",
             lambda f: import_gdelt(f, _gdelt_file(f, "a.CSV", lf), "--start=-5"),
             "year from 1 to 9999"),
        Case("11 archives", "a zip holding one 64 MiB line (read as it unpacks)",
             lambda f: read_gdelt(_zip(f, "a.CSV", lf + b"u" * 2**26 + b"\n")),
             "holds a line longer than 4 MiB"),
        Case("11 archives", "CR line ends: both readers, the events of LF",
             lambda f: _both_readers(_gdelt_file(f, "a.CSV", lf.replace(b"\n", b"\r"))),
             lambda r, f: _same_events(r, 3)),
        Case("11 archives", "bytes that are not UTF-8: both readers, U+FFFD",
             lambda f: _both_readers(_gdelt_file(f, "a.CSV", lf.replace(b"u2", b"u\xff2"))),
             lambda r, f: _same_events(r, 3) and r[0]["story"].iloc[1] == "u\ufffd2"),
        Case("11 archives", "import: an empty file",
             lambda f: import_gdelt(f, _gdelt_file(f, "a.CSV", b"")), "The files hold no rows"),
        Case("11 archives", "import -o onto its own input, with --force",
             lambda f: import_gdelt(f, _gdelt_file(f, "a.jsonl", lf), "--force", out="a.jsonl"),
             "is an input of this command"),
        Case("11 archives", "import -o x.csv of a story holding NUL",
             lambda f: import_gdelt(f, _gdelt_file(f, "a.CSV", lf.replace(b"u2", b"u\x002")),
                                    out="e.csv"),
             "NUL character"),
        Case("11 archives", "read_gdelt of a FIFO", lambda f: read_gdelt(_fifo(f, "a.CSV")),
             "not a regular file"),
        Case("11 archives", "read_gdelt of /dev/zero", lambda f: read_gdelt("/dev/zero"),
             "not a regular file"),
        Case("11 archives", "read_gdelt of a symlink loop",
             lambda f: read_gdelt(_loop(f)), "Too many levels of symbolic links"),
    ]  # fmt: skip


def _fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def _loop(folder: Path) -> Path:
    (folder / "a.CSV").symlink_to(folder / "b.CSV")
    (folder / "b.CSV").symlink_to(folder / "a.CSV")
    return folder / "a.CSV"


# --- the Dask reader ---------------------------------------------------------------------


def _events(n: int = 200) -> pd.DataFrame:
    rows = [(f"e{i}", f"{1990 + i % 30}-03-01", ("FRA", "ESP")[i % 2], ("DEU", "ITA")[i % 2])
            for i in range(n)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["event_id", "date", "actor", "target"])
    return pz.validate_events(frame.assign(level="minister", kind="other"))


def _dask(paths: Any, **options: Any) -> pd.DataFrame:
    lazy = pz.read_events(paths, engine="dask", **options)
    return lazy.compute(scheduler="synchronous")


def _parquet(folder: Path, name: str, events: pd.DataFrame) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return pz.write_events(events, path)


def _misfiled(folder: Path) -> pd.DataFrame:
    events = _events()
    _parquet(folder, "data/year=2010/part0.parquet", events[events["year"] == 2009])
    return _dask(str(folder / "data"), start=2009)


def _twice(folder: Path) -> Any:
    events = _events()
    _parquet(folder, "a.parquet", events)
    _parquet(folder, "b.parquet", events)
    return pz.intensity(pz.read_events(str(folder / "*.parquet"), engine="dask"))


def _cut_short(folder: Path) -> pd.DataFrame:
    path = _parquet(folder, "a.parquet", _events())
    path.write_bytes(path.read_bytes()[:-300])
    return _dask(str(path))


def _csv_named_parquet(folder: Path) -> pd.DataFrame:
    pz.write_events(_events(), folder / "a.csv")
    (folder / "a.parquet").write_bytes((folder / "a.csv").read_bytes())
    return _dask(str(folder / "a.parquet"), start=2000)


def _junk_in_hive(folder: Path) -> pd.DataFrame:
    events = _events()
    _parquet(folder, "data/year=2001/part0.parquet", events[events["year"] == 2001])
    (folder / "data/year=2001/notes.txt").write_text("not a .parquet file: not read")
    (folder / "data/year=2001/part1.parquet").write_text("junk")
    return _dask(str(folder / "data"))


def _other_dates(folder: Path, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    events = _events()
    frame = events.drop(columns=["year", "month", "day", "precision"])
    dates = events["year"] if kind == "int" else pd.to_datetime(events["date"])
    frame.assign(date=dates).to_parquet(folder / "a.parquet")
    got = _dask(str(folder / "a.parquet"), start=2000, end=2004, countries=["FRA", "DEU"])
    return got, events


def _window_kept(result: tuple[pd.DataFrame, pd.DataFrame]) -> bool:
    got, events = result
    kept = events["year"].between(2000, 2004) & (events["actor"] == "FRA")
    return sorted(got["event_id"]) == sorted(events.loc[kept, "event_id"]) and kept.any()


def _dask_cases() -> list[Case]:
    one = _events()
    return [
        Case("12 dask", "read_events(engine='dask', countries='FRA')",
             lambda f: _dask(str(_parquet(f, "a.parquet", one)), countries="FRA"),
             "only domestic events"),
        Case("12 dask", "start after end",
             lambda f: _dask(str(_parquet(f, "a.parquet", one)), start=2010, end=2000),
             "precedes 'start'"),
        Case("12 dask", "2009 events filed under year=2010", _misfiled,
             "year=2010 but holds events dated 2009"),
        Case("12 dask", "the same events in two files", _twice,
             "occur in more than one partition"),
        Case("12 dask", "a Parquet file cut short", _cut_short,
             "is not a readable Parquet file"),
        Case("12 dask", "a CSV named .parquet, with start", _csv_named_parquet,
             "is not a readable Parquet file"),
        Case("12 dask", "junk among a hive folder's files", _junk_in_hive,
             "part1.parquet is not a readable Parquet file"),
        Case("12 dask", "integer-year dates with start and countries",
             lambda f: _other_dates(f, "int"), lambda r, f: _window_kept(r)),
        Case("12 dask", "timestamp dates with start and countries",
             lambda f: _other_dates(f, "timestamp"), lambda r, f: _window_kept(r)),
        Case("12 dask", "a FIFO among the files",
             lambda f: _dask([str(_parquet(f, "a.parquet", one)), str(_fifo(f, "b.csv"))]),
             "not a regular file"),
        Case("12 dask", "a folder without .parquet files",
             lambda f: (f / "data").mkdir() or _dask(str(f / "data")), "no .parquet files"),
    ]  # fmt: skip


# --- the panel and its checkpoints -------------------------------------------------------


def _series(n_dyads: int = 6) -> pz.IntensitySeries:
    rng = np.random.default_rng(5)
    rows = []
    for d in range(n_dyads):
        actor, target = f"A{d:02d}", f"B{d:02d}"
        for year in range(1990, 2020):
            rate = 2.0 if year < 2005 else 6.0
            rows += [(f"{actor}-{year}-{k}", str(year), actor, target)
                     for k in range(rng.poisson(rate))]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["event_id", "date", "actor", "target"])
    codes = sorted(set(frame["actor"]) | set(frame["target"]))
    events = pz.validate_events(frame.assign(level="minister", kind="other"), extra_codes=codes)
    return pz.intensity(events)


def _panel(
    series: pz.IntensitySeries, hypothesis: tuple[int, ...] = (2005,), **options: Any
) -> Any:
    from periodize.distributed import panel

    return panel(series, hypothesis, n_sim=99, rng=1, **options)


def _edited_checkpoint(folder: Path) -> tuple[Any, Any, list[str]]:
    series = _series()
    first = _panel(series, batch_size=3, checkpoint=folder / "ck")
    edited = sorted((folder / "ck").glob("batch-*.tests.parquet"))[0]
    table = pd.read_parquet(edited)
    table["pvalue"] = 0.0
    table.to_parquet(edited, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = _panel(series, batch_size=3, checkpoint=folder / "ck")
    return first, again, [str(w.message) for w in caught]


def _planted_pickle(folder: Path) -> bool:
    """A pickle that would write a file when loaded, put in place of every file of the
    checkpoint folder (a checkpoint that unpickles its batches runs it)."""
    import pickle

    series = _series()
    _panel(series, batch_size=3, checkpoint=folder / "ck")
    marker = folder / "ran"

    class Payload:
        def __reduce__(self) -> tuple:
            return (Path.write_text, (marker, "code ran"))

    for kept in (folder / "ck").iterdir():
        kept.write_bytes(pickle.dumps(Payload()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each batch is damaged: computed again, with a note
        _panel(series, batch_size=3, checkpoint=folder / "ck")
    return not marker.exists()


def _panel_cli(folder: Path, *options: str) -> CliRun:
    events = pz.write_events(_events(), folder / "events.parquet")
    return run_cli("panel", str(events), *options, "-o", str(folder / "p.parquet"))


def _panel_cases() -> list[Case]:
    return [
        Case("13 panel", "a panel of one dyad", lambda f: _panel(_series(1)),
             lambda r, f: r.table["series"].nunique() == 1),
        Case("13 panel", "hypothesis outside the data (checked before any batch)",
             lambda f: _panel(_series(), (2030,)), "2030"),
        Case("13 panel", "min_size 1000", lambda f: _panel(_series(), min_size=1000),
             "min_size"),
        Case("13 panel", "checkpoint= a file",
             lambda f: _panel(_series(), checkpoint=case_file(f, "ck.txt", "mine")),
             "is a file; give a folder"),
        Case("13 panel", "an edited checkpoint batch is computed again, with a warning",
             _edited_checkpoint,
             lambda r, f: r[0].table.equals(r[1].table)
             and any("damaged or edited" in m for m in r[2])),
        Case("13 panel", "a pickle planted in the checkpoint folder is never loaded",
             _planted_pickle, lambda r, f: r),
        Case("13 panel", "periodize panel --hypothesis 2010,2005 (one line, no worker started)",
             lambda f: _panel_cli(f, "--hypothesis", "2010,2005"), "strictly increasing"),
        Case("13 panel", "periodize panel --n-sim 10 (one line, no worker started)",
             lambda f: _panel_cli(f, "--hypothesis", "2005", "--n-sim", "10"), "--n-sim"),
        Case("13 panel", "periodize panel --workers 100000",
             lambda f: run_cli("panel", str(_parquet(f, "a.parquet", _events())),
                               "--hypothesis", "2005", "--workers", "100000",
                               "-o", str(f / "p.parquet")),
             "worker processes"),
    ]  # fmt: skip


# --- numbers at the edge of the models ---------------------------------------------------


def _strict_json(text: str) -> bool:
    """JSON without NaN or Infinity, which strict parsers refuse."""

    def refuse(token: str) -> None:
        raise ValueError(token)

    json.loads(text, parse_constant=refuse)
    return True


def _empty_period(folder: Path) -> Any:
    values = pd.Series([0] * 10 + [3, 4, 2, 5, 3, 4, 6, 2, 3, 4], index=range(1990, 2010))
    return pz.test_periodization(values, [2000], n_sim=99, rng=1)


def _number_cases() -> list[Case]:
    zeros = pd.Series(np.zeros(20, dtype=int), index=range(1990, 2010))
    twin = pd.DataFrame(np.ones((20, 2)), index=range(1990, 2010), columns=["x", "x"])
    huge = pd.Series(np.r_[np.full(10, 1e200), np.full(10, 3e200)], index=range(1990, 2010))
    tiny = pd.Series(np.r_[np.full(10, 1e-200), np.full(10, 3e-200)], index=range(1990, 2010))
    return [
        Case("14 numbers", "a period with no events: JSON without Infinity",
             lambda f: _empty_period(f).to_json(), lambda r, f: _strict_json(r)),
        Case("14 numbers", "normal model on values near 1e200",
             lambda f: pz.segment(huge, n_breaks=1, model="normal"), "outside"),
        Case("14 numbers", "normal model on values near 1e-200",
             lambda f: pz.segment(tiny, n_breaks=1, model="normal"), "outside"),
        Case("14 numbers", "an all-zero series: no estimated boundary",
             lambda f: pz.test_periodization(zeros, [2000], n_sim=99, rng=1),
             lambda r, f: r.boundaries["estimated"].isna().all()),
        Case("14 numbers", "an all-zero series compared: best not identified",
             lambda f: pz.compare_periodizations(zeros, {"a": [2000]}, n_sim=99, rng=1),
             lambda r, f: r.table.xs("best with 1 break", level="name")["boundaries"]
             .isna().all()),
        Case("14 numbers", "a frame with two columns of one name",
             lambda f: pz.segment(twin, n_breaks=1), "'x'"),
        Case("14 numbers", "power --base-rates 1e300",
             lambda f: run_cli("power", "--years", "1990-2020", "--boundaries", "2005",
                               "--base-rates", "1e300", "--rate-ratios", "2"),
             "at most 10,000,000 events"),
        Case("14 numbers", "test_periodization n_sim=10**12",
             lambda f: pz.test_periodization(zeros + 1, [2000], n_sim=10**12), "budget"),
        Case("14 numbers", "power --n-rep 10**9",
             lambda f: run_cli("power", "--years", "1990-2020", "--boundaries", "2005",
                               "--base-rates", "1", "--rate-ratios", "2", "--n-rep", "10" * 5),
             "--n-rep"),
    ]  # fmt: skip


# --- outputs and code --------------------------------------------------------------------


def _stale_staging(folder: Path) -> bool:
    from periodize._output import OutputFolder

    stale = folder / ".out.periodize-999999999-x"  # a run killed long ago (no such pid)
    stale.mkdir()
    (stale / "report.md").write_text("half written")
    OutputFolder(folder / "out", ("report.md",)).publish({"report.md": b"new"})
    return not stale.exists() and (folder / "out" / "report.md").read_bytes() == b"new"


def _planted_benchmarks(folder: Path) -> bool:
    from periodize.cli.commands import _benchmarks

    (folder / "benchmarks").mkdir()
    marker = folder / "ran"
    (folder / "benchmarks" / "__main__.py").write_text(f"open({str(marker)!r}, 'w')\n")
    (folder / "benchmarks" / "__init__.py").write_text(f"open({str(marker)!r}, 'w')\n")
    previous = Path.cwd()
    os.chdir(folder)
    try:
        _, root = _benchmarks()
    finally:
        os.chdir(previous)
    return root != folder and not marker.exists()


def _output_cases() -> list[Case]:
    def intensity_onto_input(folder: Path) -> CliRun:
        path = pz.write_events(_events(), folder / "events.csv")
        return run_cli("intensity", str(path), "-o", str(path), "--force")

    def bench_over_results(folder: Path) -> CliRun:
        (folder / "RESULTS.md").write_text("my results")
        return run_cli("bench", "--quick", "--out", str(folder))

    return [
        Case("15 outputs", "intensity -o onto its own input, with --force",
             intensity_onto_input, "is an input of this command"),
        Case("15 outputs", "bench --quick --out over a folder with RESULTS.md",
             bench_over_results, "RESULTS.md"),
        Case("15 outputs", "a staging folder left by a killed run is removed by the next",
             _stale_staging, lambda r, f: r),
        Case("16 code", "periodize bench never runs ./benchmarks of the current folder",
             _planted_benchmarks, lambda r, f: r),
    ]  # fmt: skip


def _special_file_cases() -> list[Case]:
    def study_with(folder: Path, *options: str) -> CliRun:
        events = pz.write_events(_events(), folder / "events.csv")
        return run_cli("study", "--events", str(events), "--dyad", "FRA,DEU",
                       "--hypothesis", "2005", "--out", str(folder / "out"), *options)  # fmt: skip

    return [
        Case("18 special files", "study --scheme naming a FIFO",
             lambda f: study_with(f, "--scheme", str(_fifo(f, "s.json"))), "not a regular file"),
        Case("18 special files", "study --events naming a FIFO",
             lambda f: run_cli("study", "--events", str(_fifo(f, "e.csv")), "--hypothesis",
                               "2005", "--out", str(f / "out")),
             "not a regular file"),
        Case("18 special files", "detect /dev/zero",
             lambda f: run_cli("detect", "/dev/zero", "--time", "year", "--value", "v",
                               "--breaks", "1"),
             "not a regular file"),
    ]  # fmt: skip


SURFACE_CASES: list[Case] = [
    *_archive_cases(),
    *_dask_cases(),
    *_panel_cases(),
    *_number_cases(),
    *_output_cases(),
    *_special_file_cases(),
]


# --- signals and the cluster (slow: processes) -------------------------------------------


def _foreground(command: list[str]) -> subprocess.Popen:
    """A command as a terminal runs it: its own process group, SIGINT at its default."""
    return subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        process_group=0, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _command() -> str:
    return str(Path(sys.executable).with_name("periodize"))


def _ctrl_c_while_importing(folder: Path) -> CliRun:
    child = _foreground([_command(), "describe"])
    time.sleep(0.3)
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    return CliRun(child.returncode, "", err)


def _ctrl_c_on_a_panel(folder: Path, moment: str) -> CliRun:
    """Ctrl-C while the workers start (the command ignores SIGINT only then) or once they
    run (the progress bar has started)."""
    events = pz.write_events(_events(), folder / "events.csv")
    out = str(folder / "p.parquet")
    child = _foreground([_command(), "panel", str(events), "--hypothesis", "2005",
                         "--n-sim", "99999", "--workers", "2", "-o", out])  # fmt: skip
    assert child.stderr is not None
    if moment == "start":
        deadline = time.monotonic() + 60
        while not _ignores_sigint(child.pid) and child.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
    else:
        child.stderr.readline()  # dashboard: the workers run
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=120)
    return CliRun(child.returncode, "", err)


def _ignores_sigint(pid: int) -> bool:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        mask = next(line for line in status if line.startswith("SigIgn:"))
        return bool(int(mask.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def _bad_row_on_a_worker(folder: Path) -> CliRun:
    events = case_file(folder, "e.csv", "event_id,date,actor,target,level,kind\n"
                   "e1,2001-13-45,FRA,DEU,minister,other\n")  # fmt: skip
    result = subprocess.run(
        [_command(), "panel", events, "--hypothesis", "2005", "--workers", "1", "-o",
         str(folder / "p.parquet")], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return CliRun(result.returncode, result.stdout, result.stderr)


def _interrupted(result: CliRun, folder: Path, last: str) -> bool:
    lines = result.err.strip().splitlines()
    quiet = "Traceback" not in result.err and "Error" not in result.err
    return result.code == 130 and quiet and lines[-1] == last


SURFACE_SLOW_CASES: list[Case] = [
    Case("17 signals", "Ctrl-C while the command imports", _ctrl_c_while_importing,
         lambda r, f: _interrupted(r, f, "periodize: interrupted while starting; nothing was "
                                   "done.")),
    Case("17 signals", "Ctrl-C while the panel's workers start",
         lambda f: _ctrl_c_on_a_panel(f, "start"),
         lambda r, f: _interrupted(r, f, "periodize panel: interrupted; nothing was written.")
         and not (f / "p.parquet").exists()),
    Case("17 signals", "Ctrl-C once the panel's workers run",
         lambda f: _ctrl_c_on_a_panel(f, "running"),
         lambda r, f: _interrupted(r, f, "periodize panel: interrupted; nothing was written.")
         and not (f / "p.parquet").exists()),
    Case("17 signals", "a bad row read on a worker", _bad_row_on_a_worker,
         lambda r, f: r.code == 2 and "Traceback" not in r.err and "Compute Failed" not in r.err
         and "'2001-13-45'" in r.err.splitlines()[-1]),
]  # fmt: skip

__all__ = ["SURFACE_CASES", "SURFACE_SLOW_CASES"]
