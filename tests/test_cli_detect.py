"""periodize detect: JSON contract, long format, and input errors."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import periodize as pz
from periodize.cli import main

YEARS = list(range(1992, 2026))
VALUES = [2] * 17 + [0] * 10 + [3] * 7


@pytest.fixture
def one(tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"year": YEARS, "visits": VALUES}).to_csv(path, index=False)
    return path


def run_json(args, capsys):
    assert main(args) == 0
    out = capsys.readouterr().out
    return json.loads(out)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_json_document_for_one_series(one, capsys):
    doc = run_json(
        ["detect", str(one), "--time", "year", "--value", "visits", "--breaks", "2", "--json"],
        capsys,
    )
    assert doc["boundaries"] == [2009, 2019] and doc["last_years"] == [2008, 2018]
    assert doc["model"] == "poisson" and doc["min_size"] == 3 and doc["n_breaks"] == 2
    # loglik with all constants, as statsmodels reports it for the same partition
    dummies = pd.get_dummies(pd.cut(YEARS, [0, 2008, 2018, 3000])).to_numpy(float)
    llf = sm.GLM(VALUES, dummies, family=sm.families.Poisson()).fit().llf
    assert doc["loglik"] == pytest.approx(llf)
    assert isinstance(doc["cost"], float)


def test_long_format_with_series(tmp_path, capsys):
    path = tmp_path / "long.csv"
    frame = pd.DataFrame(
        {"year": YEARS * 2, "dyad": ["A"] * 34 + ["B"] * 34, "v": VALUES + VALUES[::-1]}
    )
    frame.sample(frac=1, random_state=0).to_csv(path, index=False)
    doc = run_json(
        [
            "detect",
            str(path),
            "--time",
            "year",
            "--value",
            "v",
            "--series",
            "dyad",
            "--penalty",
            "bic",
            "--json",
        ],
        capsys,
    )
    assert [s["name"] for s in doc["series"]] == ["A", "B"]
    assert doc["series"][0]["boundaries"] == [2009, 2019]
    assert doc["series"][1]["boundaries"] == [1999, 2009]


def test_dates_as_time(tmp_path, capsys):
    path = tmp_path / "dates.csv"
    dates = pd.date_range("1992-01-01", periods=34, freq="YS").strftime("%Y-%m-%d")
    pd.DataFrame({"t": dates, "v": VALUES}).to_csv(path, index=False)
    doc = run_json(
        ["detect", str(path), "--time", "t", "--value", "v", "--penalty", "7", "--json"], capsys
    )
    assert doc["boundaries"] == ["2009-01-01 00:00:00", "2019-01-01 00:00:00"]


@pytest.mark.parametrize(
    ("years", "series", "message"),
    [
        (YEARS[:10] + YEARS[11:], None, "2001 is followed by 2003"),
        ([*YEARS[:10], YEARS[9], *YEARS[11:]], None, "two rows for year 2001 (lines 11 and 12)"),
    ],
)
def test_gaps_and_duplicates_exit_2(tmp_path, capsys, years, series, message):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"year": years, "v": VALUES[: len(years)]}).to_csv(path, index=False)
    assert main(["detect", str(path), "--time", "year", "--value", "v", "--breaks", "1"]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            {"year": [2000, 2001, 2001, 2002], "s": ["a", "a", "a", "b"], "v": [1, 2, 3, 4]},
            "series 'a' has two rows for year 2001",
        ),
        (
            {"year": [2000, 2001, 2000], "s": ["a", "a", "b"], "v": [1, 2, 3]},
            "series 'b' has no row for year 2001",
        ),
    ],
)
def test_long_format_errors(tmp_path, capsys, rows, message):
    path = tmp_path / "long.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    args = ["detect", str(path), "--time", "year", "--value", "v", "--series", "s"]
    assert main([*args, "--breaks", "0", "--min-size", "1"]) == 2
    assert message in capsys.readouterr().err


def test_missing_column_and_file(one, capsys):
    assert main(["detect", str(one), "--time", "yr", "--value", "visits", "--breaks", "1"]) == 2
    assert "no column ['yr']" in capsys.readouterr().err
    assert main(["detect", "nope.csv", "--time", "t", "--value", "v", "--breaks", "1"]) == 2


@pytest.mark.parametrize(
    ("values", "model"),
    [
        ([1, 2, 1, 2, 1, 7, 8, 7, 9, 8], "poisson"),  # counts
        ([0.5, 1.5, 1, 2, 1, 7.5, 8, 7, 9, 8], "quasipoisson"),  # a weighted intensity
        ([-1.9, 0.5, -1, 0, -1, 7.5, 8, 7, 9, 8], "normal"),  # Goldstein-scaled, negative
    ],
)
def test_detect_picks_the_model_a_file_of_series_needs(tmp_path, capsys, values, model):
    path = tmp_path / "series.csv"
    path.write_text("year,v\n" + "".join(f"{2000 + i},{v}\n" for i, v in enumerate(values)))
    code = main(["detect", str(path), "--time", "year", "--value", "v", "--breaks", "1"])
    out = capsys.readouterr().out
    assert code == 0 and f"model: {model};" in out and "new periods start in 2005" in out


def test_without_breaks_or_penalty_the_default_rule_chooses(one, tmp_path, capsys):
    """The same answer as pz.segment with nothing given, and the output says what chose it."""
    import periodize as pz

    doc = run_json(["detect", str(one), "--time", "year", "--value", "visits", "--json"], capsys)
    expected = pz.segment(pd.Series(VALUES, index=YEARS))
    assert doc["boundaries"] == list(expected.boundaries) and doc["penalty"]["name"] == "auto"
    assert doc["model"] == "quasipoisson" and doc["choice"]["by_data"]
    assert main(["detect", str(one), "--time", "year", "--value", "visits"]) == 0
    out = capsys.readouterr().out
    assert "chosen: periodize detect chose a count model (constant or log-linear rates): " in out
    assert "(--model fixes it); model 'auto' chose 'quasipoisson'" in out


def test_an_empty_value_cell_is_refused_or_skipped(tmp_path, capsys):
    path = tmp_path / "gaps.csv"
    values = [str(v) for v in VALUES]
    values[5] = ""
    pd.DataFrame({"year": YEARS, "visits": values}).to_csv(path, index=False)
    args = ["detect", str(path), "--time", "year", "--value", "visits"]
    assert main(args) == 2
    assert "line 7: the 'visits' cell is empty (--missing skip" in capsys.readouterr().err
    doc = run_json([*args, "--missing", "skip", "--breaks", "2", "--json"], capsys)
    assert doc["model"] == "poisson" and 1997 not in doc["periods"]
    assert doc["choice"]["skipped"] == [1997] and doc["boundaries"] == [2009, 2019]


def test_joint_shares_one_set_of_boundaries(tmp_path, capsys):
    """--joint: both series get the boundaries of their summed costs, which differ from
    what each gets alone (A alone breaks at 2009 and 2019, B, reversed, elsewhere)."""
    path = tmp_path / "long.csv"
    rows = {"year": YEARS * 2, "dyad": ["A"] * 34 + ["B"] * 34, "v": VALUES + VALUES[::-1]}
    pd.DataFrame(rows).to_csv(path, index=False)
    base = ["detect", str(path), "--time", "year", "--value", "v", "--series", "dyad"]
    alone = run_json([*base, "--breaks", "2", "--json"], capsys)
    joint = run_json([*base, "--breaks", "2", "--joint", "--json"], capsys)
    separate = {s["name"]: s["boundaries"] for s in alone["series"]}
    shared = {s["name"]: s["boundaries"] for s in joint["series"]}
    assert separate["A"] != separate["B"]
    assert shared["A"] == shared["B"]
    assert joint["provenance"]["parameters"]["joint"] is True
    assert main([*base, "--breaks", "2", "--joint", "--method", "pelt"]) == 2
    assert "Use --method exact" in capsys.readouterr().err
    mixed = run_json([*base, "--breaks", "2", "--joint", "--model", "A=poisson,B=normal",
                      "--json"], capsys)  # fmt: skip
    assert mixed["choice"]["model"] == {"A": "poisson", "B": "normal"}
    assert len({tuple(s["boundaries"]) for s in mixed["series"]}) == 1
    assert main([*base, "--breaks", "2", "--model", "A=poisson,B=normal"]) == 2
    assert "--joint" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "--joint", "--model", "A=gauss"])
    assert "SERIES=MODEL" in capsys.readouterr().err


def test_errors_name_the_flags_not_the_python_parameters(tmp_path, capsys):
    """A library message reaches the command line in its terms: flags for parameters,
    the data by name, no advice only a Python caller could follow."""
    path = tmp_path / "scores.csv"
    pd.DataFrame({"year": range(1990, 2010), "score": np.linspace(0.5, 3.1, 20)}).to_csv(
        path, index=False
    )
    words = ["detect", str(path), "--time", "year", "--value", "score", "--model", "poisson"]
    assert main(words) == 2
    err = capsys.readouterr().err
    assert "for --model poisson (for weighted intensities use --model quasipoisson)" in err
    assert "parameter of" not in err and "IntensitySeries" not in err
    assert err.count("\n") == 1 and err.startswith("periodize detect: error: The series ")
    assert main([*words[:-2], "--breaks", "2", "--joint", "--method", "fpop"]) == 2
    assert "--method" in capsys.readouterr().err


def test_the_model_the_command_chose_is_not_called_given(tmp_path, capsys):
    """Without --model, detect chooses the model from the values and says so; with it, the
    choice is the user's."""
    path = tmp_path / "counts.csv"
    pd.DataFrame({"year": range(2000, 2012), "v": [1, 2, 1, 0, 2, 1, 6, 5, 7, 6, 5, 6]}).to_csv(
        path, index=False
    )
    base = ["detect", str(path), "--time", "year", "--value", "v", "--breaks", "1", "--json"]
    chosen = run_json(base, capsys)["choice"]["model_reason"]
    assert chosen.startswith("periodize detect chose model 'poisson': every value is a ")
    assert "as given" not in chosen
    given = run_json([*base, "--model", "poisson"], capsys)["choice"]["model_reason"]
    assert given == "model 'poisson' as given"


def test_joint_dyad_shares_boundaries_within_every_dyad(tmp_path, capsys):
    events, _ = pz.simulate_events(
        n_dyads=2, years=range(1980, 2020), boundaries=(2000,), rates=(1.0, 3.0), rng=3
    )
    path = tmp_path / "events.csv"
    pz.write_events(events, path)
    codes = ",".join(sorted(set(events["actor"]) | set(events["target"])))
    words = ["detect", "--events", str(path), "--extra-codes", codes, "--by", "direction"]
    document = run_json([*words, "--breaks", "1", "--joint", "dyad", "--json"], capsys)
    found = {s["name"]: tuple(s["boundaries"]) for s in document["series"]}
    for name, boundaries in found.items():
        actor, target = name.split("->")
        assert found[f"{target}->{actor}"] == boundaries
    assert document["provenance"]["parameters"]["joint"] == "dyad"
    with pytest.raises(SystemExit):
        main([*words, "--joint", "pairs"])


def detect_rise(tmp_path, capsys, name, values):
    """detect's JSON on a yearly file of ``values`` (a steady rise, no change), the
    command's arguments, and segment()'s default on the same series."""
    years = range(2021 - len(values), 2021)
    path = tmp_path / f"{name}.csv"
    pd.DataFrame({"year": years, name: values}).to_csv(path, index=False)
    args = ["detect", str(path), "--time", "year", "--value", name, "--json"]
    return run_json(args, capsys), args, pz.segment(pd.Series(values, index=years, name=name))


def test_a_gaussian_file_gets_levels_or_lines_as_segment_chooses(tmp_path, capsys):
    """Negative values: detect leaves levels or lines to the default rule, as segment()
    does, and says the choice of a Gaussian model was its own; --model normal keeps levels."""
    rng = np.random.default_rng(1)
    score = -3 + 0.2 * np.arange(40) + rng.normal(size=40)
    doc, args, alone = detect_rise(tmp_path, capsys, "score", score)
    assert doc["model"] == alone.model == "normal_trend" and doc["boundaries"] == []
    assert doc["segments"][0]["slope"] == pytest.approx(np.polyfit(np.arange(40), score, 1)[0])
    assert doc["choice"]["model_reason"].startswith("periodize detect chose a Gaussian model")
    levels = run_json([*args, "--model", "normal"], capsys)
    assert levels["model"] == "normal" and levels["boundaries"]  # a staircase


def test_a_count_file_gets_levels_or_lines_as_segment_chooses(tmp_path, capsys):
    """Counts: under the default rule detect weighs a log-linear rate against levels, as
    segment() does; --breaks or a named penalty keep the Poisson levels."""
    counts = np.random.default_rng(3).poisson(np.linspace(1.0, 15.0, 50))
    doc, args, alone = detect_rise(tmp_path, capsys, "visits", counts)
    assert doc["model"] == alone.model == "quasipoisson_trend" and doc["boundaries"] == []
    assert doc["choice"]["model_reason"].startswith("periodize detect chose a count model")
    named = run_json([*args, "--penalty", "bic"], capsys)
    assert named["model"] == "poisson" and named["boundaries"]  # a staircase
    assert run_json([*args, "--breaks", "1"], capsys)["model"] == "poisson"


def test_detect_with_the_drift_model(tmp_path, capsys):
    rng = np.random.default_rng(3)
    level = np.cumsum(0.2 * rng.normal(size=60)) + np.repeat([0.0, 4.0], 30)
    path = tmp_path / "drift.csv"
    pd.DataFrame({"year": range(1960, 2020), "v": level + rng.normal(size=60)}).to_csv(
        path, index=False
    )
    args = ["detect", str(path), "--time", "year", "--value", "v", "--model", "normal_drift"]
    doc = run_json([*args, "--json"], capsys)
    expected = pz.segment(pd.read_csv(path).set_index("year")["v"], model="normal_drift")
    assert doc["model"] == "normal_drift"
    assert doc["boundaries"] == list(expected.boundaries)
    assert main([*args, "--breaks", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pass penalty=" in err[0]


def test_a_negative_weighted_intensity_gets_the_gaussian_default(tmp_path, capsys):
    """--events under a scheme that scores conflict below zero: a Gaussian model (levels
    or lines), as segment() chooses for the same series, and the command says why."""
    years = [str(y) for y in range(1990, 2020) for _ in range(2)]
    codes = ["042", "190"] * 15 + ["042", "057"] * 15  # fighting, then visits and treaties
    events = pd.DataFrame(
        {"date": years, "actor": "MNG", "target": "KAZ", "level": "minister", "kind": "other",
         "cameo_code": codes}
    )  # fmt: skip
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    doc = run_json(["detect", "--events", str(path), "--scheme", "goldstein", "--json"], capsys)
    alone = pz.segment(pz.intensity(events, "goldstein"))
    assert doc["model"] == alone.model == "biweight"  # robust levels
    assert doc["boundaries"] == list(alone.boundaries) == [2005]
    reason = doc["choice"]["model_reason"]
    assert reason.startswith("periodize detect chose a Gaussian model (robust levels or lines): ")


def test_a_record_shorter_than_min_size_is_refused_in_flags(tmp_path, capsys):
    path = tmp_path / "two.csv"
    pd.DataFrame({"year": [2000, 2001], "v": [1, 2]}).to_csv(path, index=False)
    assert main(["detect", str(path), "--time", "year", "--value", "v"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "fewer than --min-size 3" in error
    assert "min_size" not in error  # every name the command line does not have is a flag
