"""The subcommands beyond study and detect: explore, simulate, power, and one JSON document
from every subcommand with --json."""

import json

import pandas as pd
import pytest

import periodize as pz
from periodize.cli import main


def run(capsys, *words):
    code = main(list(words))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def own_events(tmp_path_factory):
    path = tmp_path_factory.mktemp("own") / "events.csv"
    events, _ = pz.simulate_events(1, range(1990, 2020), (2005,), rates=(0.5, 3.0), rng=4)
    pz.write_events(events, path)
    return path


def test_simulate_writes_events_and_prints_the_truth(tmp_path, capsys):
    out = tmp_path / "sim.csv"
    words = ["simulate", "--dyads", "3", "--years", "1995-2020", "--boundaries", "2004,2012"]
    code, text, _ = run(capsys, *words, "--rates", "1,0.4,2", "--rng", "5", "-o", str(out))
    assert code == 0 and f"written: {out}" in text
    events, truth = pz.simulate_events(
        3, range(1995, 2021), (2004, 2012), rates=(1, 0.4, 2), rng=5
    )
    written = pz.read_events(out, extra_codes=["AAA", "AAB", "AAC", "AAD", "AAE", "AAF"])
    assert "--extra-codes AAA,AAB" in text
    assert len(written) == len(events)
    assert sorted(written["event_id"]) == sorted(events["event_id"])
    # an existing file is kept unless --force
    code, _, err = run(capsys, *words, "--rates", "1,0.4,2", "-o", str(out))
    assert code == 2 and "exists" in err and len(err.strip().splitlines()) == 1
    again = [*words, "--rates", "1,0.4,2", "--rng", "5", "-o", str(out), "--force", "--json"]
    code, text, _ = run(capsys, *again)
    document = json.loads(text)
    assert document["n_events"] == len(events) and len(document["truth"]) == len(truth)
    assert set(document["extra_codes"]) == set(events["actor"]) | set(events["target"])


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--years", "2000-1990"], "the last year must follow the first"),
        (["--years", "1990-2000", "--rates", "1,-2"], "expected positive numbers"),
        (["--years", "1990-2000", "--rate-ratios", "2", "--base-rate", "1,2"], "one positive"),
    ],
)
def test_simulate_refuses_bad_designs(tmp_path, capsys, words, message):
    base = ["simulate", "--dyads", "1", "--boundaries", "1995", "-o", str(tmp_path / "x.csv")]
    if "--rates" not in words and "--rate-ratios" not in words:
        words = [*words, "--rates", "1,2"]
    with pytest.raises(SystemExit) as stop:
        main([*base, *words])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_power_text_and_json_agree(capsys):
    words = ["power", "--years", "1990-2015", "--boundaries", "2003", "--base-rates", "1,3"]
    words += ["--rate-ratios", "3", "--n-rep", "100", "--rng", "2"]
    code, text, _ = run(capsys, *words)
    assert code == 0
    code, doc, _ = run(capsys, *words, "--json")
    direct = pz.power(range(1990, 2016), (2003,), (1, 3), (3,), n_rep=100, rng=2)
    assert json.loads(doc) == json.loads(direct.to_json())
    assert text.strip() == direct.summary().strip()


def test_explore_tests_nothing_and_says_so(own_events, capsys):
    codes = ("--extra-codes", "AAA,AAB")
    code, text, _ = run(
        capsys, "explore", "--events", str(own_events), *codes, "--max-breaks", "2"
    )
    assert code == 0 and "no periodization was hypothesised, so none was tested" in text
    assert "p = " not in text and "significant" not in text
    assert "P(0 breaks) = " in text and "P(1 break) = " in text and "P(2 breaks) = " in text
    code, doc, _ = run(capsys, "explore", "--events", str(own_events), *codes, "--json")
    document = json.loads(doc)
    assert document["tested"] is False
    events = pz.read_events(own_events, extra_codes=["AAA", "AAB"])
    expected = pz.segment(pz.intensity(events), n_breaks=1).boundaries
    assert tuple(document["by_breaks"]["1"]["series"][0]["boundaries"]) == expected


def test_study_without_a_hypothesis_points_to_explore(own_events, capsys):
    code, _, err = run(capsys, "study", "--events", str(own_events), "--out", "unused")
    assert code == 2 and "periodize explore --events FILE" in err


@pytest.mark.parametrize(
    "words",
    [
        ["describe", "--json"],
        ["describe", "--boundaries", "2009,2019", "--json"],
    ],
)
def test_describe_json(capsys, words):
    code, doc, _ = run(capsys, *words)
    document = json.loads(doc)
    assert code == 0 and document["n_events"] == 26
    assert sum(document["intensity"]["count"].values()) == 26


def test_study_json_is_the_result_and_files_go_to_stderr(tmp_path, own_events, capsys):
    out = tmp_path / "s"
    words = [
        "study",
        "--events",
        str(own_events),
        "--hypothesis",
        "2005",
        "--n-sim",
        "99",
        "--envelope-draws",
        "50",
    ]
    words += ["--extra-codes", "AAA,AAB"]
    code, doc, err = run(capsys, *words, "--out", str(out), "--json", "--quiet")
    document = json.loads(doc)
    assert code == 0 and "written:" in err
    written = json.loads((out / "result.json").read_text())
    assert document == {k: v for k, v in written.items() if k != "periodize_restore"}


def test_every_subcommand_has_json():
    from periodize.cli.parser import build

    parser = build()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    for name, command in commands.items():
        options = {o for action in command._actions for o in action.option_strings}
        assert "--json" in options, name


@pytest.mark.slow
def test_bench_json(tmp_path, capsys):
    code, doc, err = run(capsys, "bench", "--quick", "--out", str(tmp_path), "--json")
    document = json.loads(doc)
    assert code == 0 and document["preset"] == "quick" and document["results"]
    assert "Benchmark results" in err
    assert isinstance(pd.DataFrame(document["results"]), pd.DataFrame)


def test_describe_reads_simulated_codes_when_told(own_events, capsys):
    code, _, err = run(capsys, "describe", "--events", str(own_events))
    assert code == 2 and "ISO 3166-1 alpha-3" in err and len(err.strip().splitlines()) == 1
    code, doc, _ = run(
        capsys, "describe", "--events", str(own_events), "--extra-codes", "AAA,AAB", "--json"
    )
    events = pz.read_events(own_events, extra_codes=["AAA", "AAB"])
    assert code == 0 and json.loads(doc)["n_events"] == len(events)
    code, _, err = run(capsys, "describe", "--extra-codes", "AAA")
    assert code == 2 and "bundled dataset needs none" in err


def test_bench_never_replaces_results_in_out_without_force(tmp_path, capsys):
    (tmp_path / "RESULTS.md").write_text("my notes\n")
    code, _, err = run(capsys, "bench", "--quick", "--out", str(tmp_path))
    assert code == 2 and "already holds RESULTS.md" in err and "--force" in err
    assert (tmp_path / "RESULTS.md").read_text() == "my notes\n"


def test_bench_runs_the_checkouts_benchmarks_not_the_current_folders(tmp_path):
    import subprocess
    import sys

    planted = tmp_path / "benchmarks"
    planted.mkdir()
    marker = tmp_path / "ran"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (planted / "__main__.py").write_text("def main(argv):\n    return 0\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "RESULTS.md").write_text("keep\n")  # so the real benchmarks refuse at once
    code = "import sys; from periodize.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "bench", "--quick", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert not marker.exists()
    assert done.returncode == 2 and "already holds RESULTS.md" in done.stderr


def test_describe_and_explore_read_an_own_vocabulary(tmp_path, capsys):
    rows = ["date,actor,target,level,kind"] + [
        f"{year},CHL,ARG,{'ambassador' if year % 2 else 'minister'},phone_call"
        for year in range(2000, 2012)
    ]
    events = tmp_path / "own.csv"
    events.write_text("\n".join(rows) + "\n")
    vocabulary = ("--levels", "minister,ambassador", "--kinds", "phone_call")
    code, text, _ = run(capsys, "describe", "--events", str(events), *vocabulary)
    assert code == 0 and "ambassador 6" in text and "minister 6" in text
    assert "1 dyad, 1 direction\n" in text
    code, text, _ = run(capsys, "explore", "--events", str(events), *vocabulary)
    assert code == 0 and "Exploratory run" in text
    code, _, err = run(capsys, "describe", "--events", str(events))  # the default vocabulary
    assert code == 2 and "'ambassador'" in err
    code, _, err = run(capsys, "describe", "--levels", "a,b")
    assert code == 2 and "--levels describes the table given with --events" in err


def test_the_api_options_reach_the_function(own_events, capsys):
    """The flags added for parity (power's, explore's --model/--title) give what the
    function gives with the same arguments."""
    words = ["power", "--years", "1990-2015", "--boundaries", "2003", "--base-rates", "2"]
    words += ["--rate-ratios", "3", "--n-rep", "60", "--n-null", "150", "--alpha", "0.1"]
    code, doc, _ = run(capsys, *words, "--window", "2", "--min-size", "4", "--json")
    direct = pz.power(
        range(1990, 2016), (2003,), (2,), (3,), min_size=4, n_rep=60, n_null=150, alpha=0.1,
        window=2, rng=0,
    )  # fmt: skip
    assert code == 0 and json.loads(doc) == json.loads(direct.to_json())
    codes = ("--extra-codes", "AAA,AAB")
    code, doc, _ = run(capsys, "explore", "--events", str(own_events), *codes, "--model",
                       "negbin", "--title", "own dyad", "--json")  # fmt: skip
    document = json.loads(doc)
    assert code == 0 and document["title"] == "own dyad"
    assert document["by_breaks"]["1"]["model"] == "negbin"
    with pytest.raises(SystemExit) as stop:
        main([*words, "--alpha", "1.5"])
    assert stop.value.code == 2
    assert "expected a number between 0 and 1; got '1.5'" in capsys.readouterr().err


def test_panel_compare_is_checked_before_any_worker_starts(own_events, tmp_path, capsys):
    from periodize.cli.cluster import _competing

    assert _competing([("paper", (2009, 2019)), (None, (2012,))]) == {
        "paper": [2009, 2019],
        "periodization 2": [2012],
    }
    out = tmp_path / "panel.parquet"
    code, _, err = run(capsys, "panel", str(own_events), "--hypothesis", "2005", "--compare",
                       "late=2015,2010", "-o", str(out))  # fmt: skip
    assert code == 2 and not out.exists() and err.count("\n") == 1
    assert "2015" in err and "dashboard" not in err
