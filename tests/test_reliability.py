"""Bad input and faults: every hostile case of benchmarks/reliability.py ends in a clear error
or a correct result; random malformed tables never end in anything but a PeriodizeError or a
valid table; a study killed while writing leaves the previous set of files or the new one."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import periodize as pz
from benchmarks import reliability
from periodize._output import OutputFolder
from periodize.exceptions import PeriodizeError

ROOT = Path(__file__).resolve().parents[1]


#: Cases of whole studies (two, or one with a posterior over four boundaries), run with
#: the slow checks (``make test-slow``); other cases run a study through the same paths.
_LONG_STUDIES = {"study --force replaces a previous study", "study with four boundaries"}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.slow) if case.name in _LONG_STUDIES else case
        for case in reliability.CASES
    ],
    ids=lambda c: f"{c.group}: {c.name}",
)
def test_hostile_case(case, tmp_path):
    outcome, seen = reliability.classify(case, tmp_path, timeout=60)
    assert outcome in ("clear error", "correct result"), seen


@pytest.mark.slow
@pytest.mark.parametrize("case", reliability.SLOW_CASES, ids=lambda c: f"{c.group}: {c.name}")
def test_slow_hostile_case(case, tmp_path):
    """Cases that run the benchmarks or whole processes (Ctrl-C, a local cluster)."""
    outcome, seen = reliability.classify(case, tmp_path)
    assert outcome in ("clear error", "correct result"), seen


def test_classifier_tells_the_outcomes_apart(tmp_path):
    """The harness itself: a traceback, a silent success and a wrong message are caught."""

    def case(run, expect):
        return reliability.Case("test", "test", run, expect)

    assert reliability.classify(case(lambda f: 1 / 0, "x"), tmp_path)[0] == "traceback"
    assert reliability.classify(case(lambda f: 1, "x"), tmp_path)[0] == "silent wrong"
    wrong = case(lambda f: pz.segment([1.0] * 10, n_breaks=99), "nothing like it")
    assert reliability.classify(wrong, tmp_path)[0] == "other message"
    assert reliability.classify(case(lambda f: 1, lambda r, f: r == 2), tmp_path)[0] == (
        "silent wrong"
    )
    slow = case(lambda f: time.sleep(5), "x")
    assert reliability.classify(slow, tmp_path, timeout=1)[0] == "hang"


# --- fuzzing: malformed tables ---------------------------------------------------------

CELLS = st.sampled_from(
    [
        "2001",
        "2001-02",
        "2001-02-30",
        "１９９５",
        "FRA",
        "DEU",
        "minister",
        "other",
        "head_of_state",
        "",
        '"',
        '"a,b"',
        "a\nb",
        "1e300",
        "-1",
        "99999999999999999999",
        "\x00",
        "é",
        "NaN",
        " ",
    ]
)
HEADERS = st.lists(
    st.sampled_from(
        ["date", "actor", "target", "level", "kind", "event_id", "documents_signed", "weight"]
    ),
    min_size=0,
    max_size=7,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=HEADERS,
    rows=st.lists(st.lists(CELLS, max_size=8), max_size=6),
    separator=st.sampled_from(["\n", "\r\n", "\n\n"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_random_csv_is_a_table_or_a_periodize_error(
    tmp_path_factory, header, rows, separator, encoding
):
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path = tmp_path_factory.mktemp("fuzz") / "e.csv"
    path.write_bytes(separator.join(lines).encode(encoding, errors="replace"))
    _read_or_clear_error(path)


JSON_LINES = st.sampled_from(
    [
        '{"date": "2001", "actor": "FRA", "target": "DEU", "level": "minister", "kind": "other"}',
        '{"date": 2001, "actor": "FRA", "target": "DEU", "level": "minister", "kind": "other"}',
        '{"date": "2001", "actor": "FRA", "target": "DEU", "level": ["minister"], '
        '"kind": "other"}',
        '{"date": "2001", "actor": "FRA", "actor": "DEU"}',
        '{"date": "2001", "actor": "FRA", "target": "DEU", "level": "minister", '
        '"kind": "other", "documents_signed": 1e400}',
        '{"event_id": 1, "date": "2001", "actor": "FRA", "target": "DEU", '
        '"level": "minister", "kind": "other", "weight": NaN}',
        '{"event_id": {"a": 1}, "date": null}',
        "[1, 2]",
        "3",
        '"text"',
        "{",
        "",
        "null",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(JSON_LINES, max_size=6))
def test_random_jsonl_is_a_table_or_a_periodize_error(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "e.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    _read_or_clear_error(path)


def _read_or_clear_error(path: Path) -> None:
    try:
        table = pz.read_events(path)
    except PeriodizeError as error:
        assert str(path) in str(error) or "line" in str(error) or "problem" in str(error)
        return
    assert len(table) > 0
    assert table["year"].notna().all()
    pz.intensity(table)  # a valid table aggregates


# --- faults while writing --------------------------------------------------------------

NAMES = ("report.md", "result.json", "figure.png", "figure.svg")


def _publish_slowly(out: Path) -> None:
    """In a forked child: publish a new set, each fsync slowed so kills land inside."""
    real_fsync = os.fsync

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.01)
        real_fsync(descriptor)

    os.fsync = slow_fsync
    try:
        folder = OutputFolder(out, NAMES, overwrite=True)
        folder.publish({name: (f"new {name}").encode() * 5000 for name in NAMES})
    finally:
        os._exit(0)


def _state(out: Path) -> str:
    contents = {p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else {}
    if set(contents) != set(NAMES):
        return f"mixed: {sorted(contents)}"
    for version in ("old", "new"):
        if all(contents[n] == (f"{version} {n}").encode() * 5000 for n in NAMES):
            return version
    return "mixed contents"


def test_killed_while_writing_leaves_the_old_set_or_the_new(tmp_path):
    chooser = random.Random(20261129)
    seen = set()
    for attempt in range(25):
        out = tmp_path / f"out{attempt}"
        out.mkdir()
        for name in NAMES:
            (out / name).write_bytes((f"old {name}").encode() * 5000)
        child = os.fork()
        if child == 0:
            _publish_slowly(out)
        time.sleep(chooser.uniform(0, 0.1))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        state = _state(out)
        assert state in ("old", "new"), f"attempt {attempt}: {state}"
        seen.add(state)
    assert seen == {"old", "new"}  # the kill points covered both sides of the switch


def test_a_file_size_limit_keeps_the_previous_set(tmp_path):
    """A write that fails part-way (here: a 20 kB file-size limit) loses nothing."""
    out = tmp_path / "out"
    out.mkdir()
    for name in NAMES:
        (out / name).write_bytes((f"old {name}").encode() * 5000)
    child = os.fork()
    if child == 0:
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
            folder = OutputFolder(out, NAMES, overwrite=True)
            folder.publish({name: (f"new {name}").encode() * 5000 for name in NAMES})
        except OSError:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 3  # the write failed ...
    assert _state(out) == "old"  # ... and the previous set is whole
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_interrupted_study_exits_130_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-m", "periodize.cli", "study", "--n-sim", "99999", "--out", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        # a run started in the background inherits SIGINT ignored; Ctrl-C reaches a
        # foreground process, which is what this test stands for
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert child.stderr is not None
    child.stderr.readline()  # the first progress line: the analysis is running
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130, err[-3000:]  # what the command said, should it finish
    assert "Traceback" not in err and "interrupted" in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


class _Finalized:
    """An object whose finalizer meets the Ctrl-C: Python drops the exception there (as in
    a ctypes callback of numba's compiler) and hands it to ``sys.unraisablehook``."""

    def __del__(self):
        from periodize import _interrupt

        _interrupt.handler(signal.SIGINT, None)


def _swallowing(real, then=None):
    """``real`` preceded by a Ctrl-C raised and dropped in a finalizer; ``then``: an error
    that follows."""

    def wrapped(*args, **kwargs):
        _Finalized()  # collected at once: "Exception ignored in ..." unless the CLI hears it
        if then is not None:
            raise then
        return real(*args, **kwargs)

    return wrapped


@pytest.mark.parametrize("then", [None, RuntimeError("no compiled object yet")])
def test_a_ctrl_c_swallowed_on_the_way_still_stops_the_study(tmp_path, monkeypatch, capsys, then):
    """A Ctrl-C dropped where it was raised (measured: a cold numba compile then failed with
    "no compiled object yet", exit 1, or the study finished and wrote its files) stops the
    study at its next step with exit 130, writes nothing, and is reported as the
    interruption, not as an internal error."""
    from periodize.cli import main

    module = sys.modules["periodize.study"]  # (pz.study is the function)
    monkeypatch.setattr(module, "segment", _swallowing(module.segment, then))
    out = tmp_path / "out"
    assert main(["study", "--n-sim", "99", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "interrupted; nothing was written" in err and "internal error" not in err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    later = []  # a later step of the study: --quiet stops before it too
    monkeypatch.setattr(module, "robustness", lambda *a, **k: later.append(1) or 1 / 0)
    assert main(["study", "--n-sim", "99", "--out", str(out), "--quiet"]) == 130  # no progress
    assert not later
    assert not out.exists()
    monkeypatch.undo()
    from periodize._interrupt import happened

    assert not happened()  # the process goes on clean: the command line writes again
    written = tmp_path / "events.csv"
    simulate = ["simulate", "--dyads", "1", "--years", "2000-2009", "--boundaries", "2005"]
    assert main([*simulate, "--rates", "1,3", "-o", str(written)]) == 0 and written.exists()


def test_output_folder_checks_happen_before_any_work(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("x")
    with pytest.raises(PeriodizeError, match="is not empty"):
        OutputFolder(tmp_path / "taken", NAMES)
    folder = OutputFolder(tmp_path / "new", NAMES)
    folder.discard()
    assert sorted(os.listdir(tmp_path)) == ["taken"]  # no staging folder left behind


@pytest.mark.slow
def test_installed_command_runs_benchmarks_from_the_repository_root(tmp_path):
    command = Path(sys.executable).with_name("periodize")
    result = subprocess.run(
        [str(command), "bench", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "RESULTS.md").exists()


def test_staging_folders_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(gone.stdout)  # that process has exited: its staging folder is stale
    stale = tmp_path / f".study.periodize-{dead}-x1y2"
    live = tmp_path / f".study.periodize-{os.getppid()}-a3b4"  # a running process's
    for folder in (stale, live):
        folder.mkdir()
        (folder / "report.md").write_text("half written")
    OutputFolder(tmp_path / "study", ["report.md"]).publish({"report.md": b"done"})
    assert not stale.exists() and live.exists()
    assert (tmp_path / "study" / "report.md").read_bytes() == b"done"


def test_a_command_started_ignoring_ctrl_c_keeps_ignoring_it():
    """A background job of a shell script starts with SIGINT ignored: the launcher's relay,
    which would hear a blocked SIGINT, is not started then."""
    command = Path(sys.executable).with_name("periodize")
    child = subprocess.Popen(
        [str(command), "describe"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0 and err == ""
