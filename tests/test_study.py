"""The study: one call from events to report, JSON and figure; the CLI; the shipped docs."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import periodize as pz
from periodize.cli import main
from periodize.events.digest import table_digest

ROOT = Path(__file__).resolve().parents[1]


def _small_study() -> pz.Study:
    mk = pz.datasets.mongolia_kazakhstan()
    return pz.study(mk, (2009, 2019), n_sim=199, envelope_draws=50, rng=3, title="MK")


@pytest.fixture(scope="module")
def small_study():
    return _small_study()


def test_write_produces_every_file(small_study, tmp_path):
    paths = small_study.write(tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == [
        "figure.png",
        "figure.svg",
        "report.html",
        "report.md",
        "result.json",
    ]
    report = paths["report.md"].read_text()
    assert report.index("## Answer") < report.index("## Tests") < report.index("## How this")
    for section in (
        "Events per period",
        "Rates per hypothesised period",
        "Boundaries",
        "Exact posterior",
        "Robustness",
        "Command:",
    ):
        assert section in report
    assert paths["figure.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(paths["result.json"].read_text())
    assert set(data) >= {
        "answer",
        "test",
        "posterior",
        "robustness",
        "periods",
        "provenance",
        "free_segmentation",
        "schemes",
        "intensity",
    }


def test_answer_reports_the_test_numbers(small_study):
    answer = "\n".join(small_study.to_dict()["answer"])
    p = small_study.test.tests["hypothesis_vs_none"].pvalue
    assert f"p = {p:.3f}" in answer
    assert "not significant" in answer if p > 0.05 else "significant" in answer


def test_same_seed_same_json(small_study):
    assert _small_study().to_json() == small_study.to_json()


@pytest.mark.slow  # the bundled study through the CLI; test_cli_study_on_own_events runs
# the same path on a file
def test_cli_study_writes_and_prints(tmp_path, capsys):
    out = tmp_path / "study"
    assert (
        main(["study", "--n-sim", "99", "--envelope-draws", "50", "--out", str(out), "--quiet"])
        == 0
    )
    captured = capsys.readouterr()
    assert "Periodization study" in captured.out and captured.err == ""
    assert (out / "report.md").exists() and (out / "figure.svg").exists()


def test_cli_study_on_own_events(tmp_path, capsys):
    path = tmp_path / "events.csv"
    pz.write_events(pz.datasets.mongolia_kazakhstan(), path)
    assert (
        main(
            [
                *("study", "--events", str(path), "--hypothesis", "2009,2019"),
                *("--n-sim", "99", "--envelope-draws", "50", "--out", str(tmp_path / "o")),
            ]
        )
        == 0
    )
    assert "periodize study: exact posterior" in capsys.readouterr().err


@pytest.mark.slow  # the full bundled study, as `make docs-study` runs it
def test_shipped_study_docs_are_current():
    """docs/study is made by `make docs-study`; its findings must match a fresh run."""
    shipped = json.loads((ROOT / "docs" / "study" / "result.json").read_text())
    fresh = pz.study(
        pz.datasets.mongolia_kazakhstan(),
        {"paper": (2009, 2019)},  # what `periodize study` tests on the bundled dataset
        title="Mongolia–Kazakhstan (bundled dataset)",
    )
    assert shipped["answer"] == fresh.to_dict()["answer"]


def test_study_compares_named_periodizations_on_other_data(tmp_path, capsys):
    """Two named hypotheses from the command line, on a dyad that is not the bundled one:
    the first is tested in full, both are ranked, and the report has both tables."""
    rng = np.random.default_rng(3)
    years = np.arange(1990, 2016)
    counts = rng.poisson(np.where(years < 2000, 0.5, 2.5))
    rows = [
        f"{y},{'FRA' if i % 2 else 'DEU'},{'DEU' if i % 2 else 'FRA'},minister,other"
        for y, c in zip(years, counts, strict=True)
        for i in range(c)
    ]
    path = tmp_path / "fra_deu.csv"
    path.write_text("date,actor,target,level,kind\n" + "\n".join(rows) + "\n")
    out = tmp_path / "o"
    code = main(
        [
            *("study", "--events", str(path), "--hypothesis", "truth=2000"),
            *("--hypothesis", "wrong=1995,2008", "--n-sim", "199", "--out", str(out)),
            *("--envelope-draws", "50"),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    document = json.loads((out / "result.json").read_text())
    assert document["hypothesis"] == [2000]
    assert document["comparison"]["candidates"] == {"truth": [2000], "wrong": [1995, 2008]}
    ranked = {p["name"]: p for p in document["comparison"]["series"][0]["periodizations"]}
    assert ranked["truth"]["bic_weight"] > ranked["wrong"]["bic_weight"]
    report = (out / "report.md").read_text()
    assert "Mongolia" not in report and "2009" not in report.split("## How this")[0]
    assert document["joint_test"]["series"] == ["DEU->FRA", "FRA->DEU"]
    pooled = tmp_path / "pooled"
    words = [
        "study",
        "--events",
        str(path),
        "--hypothesis",
        "2000",
        "--n-sim",
        "99",
        "--envelope-draws",
        "50",
    ]
    assert main([*words, "--analysis", "pooled", "--out", str(pooled), "--quiet"]) == 0
    document = json.loads((pooled / "result.json").read_text())
    assert document["joint_test"] is None
    assert document["provenance"]["analysis"].startswith("the pooled count")
    with pytest.raises(SystemExit) as stop:
        main([*words, "--analysis", "both", "--out", str(tmp_path / "x")])
    assert stop.value.code == 2


def test_study_compares_named_periodizations(tmp_path):
    events = pz.datasets.mongolia_kazakhstan()
    result = pz.study(
        events, {"one": (2009,), "two": (2005, 2015)}, n_sim=199, envelope_draws=50, rng=1
    )
    assert result.hypothesis == (2009,)
    assert result.test.hypothesis == (2009,)
    table = result.comparison.table.loc[result.test.names[0]]
    assert {"no change", "one", "two", "best with 1 break", "best with 2 breaks"} == set(
        table.index
    )
    files = result.files()
    report = files["report.md"].decode()
    assert "## Each boundary" in report and "## Competing periodizations" in report
    document = json.loads(files["result.json"])
    assert document["comparison"]["candidates"] == {"one": [2009], "two": [2005, 2015]}
    assert any("Compared periodizations" in line for line in document["answer"])


def test_cli_names_and_repeats_hypotheses(tmp_path):
    out = tmp_path / "o"
    code = main(
        [
            *("study", "--hypothesis", "paper=2009,2019", "--hypothesis", "2009"),
            *("--n-sim", "99", "--envelope-draws", "50", "--out", str(out), "--quiet"),
        ]
    )
    assert code == 0
    document = json.loads((out / "result.json").read_text())
    assert document["comparison"]["candidates"] == {
        "paper": [2009, 2019],
        "hypothesis 2": [2009],
    }
    with pytest.raises(SystemExit) as exit_:
        main(["study", "--hypothesis", "=2009", "--out", str(tmp_path / "x")])
    assert exit_.value.code == 2
    assert (
        main(
            [
                "study",
                "--hypothesis",
                "a=2009",
                "--hypothesis",
                "a=2015",
                "--out",
                str(tmp_path / "y"),
            ]
        )
        == 2
    )


def test_cli_study_window_title_and_vocabulary_of_other_data(tmp_path):
    """Simulated events with user-assigned codes (--extra-codes), a window wider than the
    data (--start/--end) and a title: the report uses all three."""
    events, _ = pz.simulate_events(
        1, range(1995, 2015), (2005,), base_rate=1.5, rate_ratios=(3.0,), rng=4
    )
    path = tmp_path / "simulated.csv"
    pz.write_events(events, path)
    out = tmp_path / "o"
    code = main(
        [
            *("study", "--events", str(path), "--hypothesis", "2005"),
            *("--extra-codes", "AAA,AAB", "--start", "1990", "--end", "2016"),
            *(
                "--title",
                "Simulated dyad",
                "--n-sim",
                "99",
                "--envelope-draws",
                "50",
                "--out",
                str(out),
                "--quiet",
            ),
        ]
    )
    assert code == 0
    document = json.loads((out / "result.json").read_text())
    assert document["title"] == "Simulated dyad"
    years = document["intensity"]["index"]
    assert str(years[0]) == "1990" and str(years[-1]) == "2016"
    assert (out / "report.md").read_text().startswith("# Periodization report: Simulated dyad")
    assert main(["study", "--levels", "a,b", "--out", str(tmp_path / "x")]) == 2


def _autocorrelated_dyad(years: range, seed: int) -> pd.DataFrame:
    """Events of an invented dyad whose yearly count follows a latent AR(1) log-rate (φ = 0.8,
    no change): bursts of years with many visits, then quiet ones."""
    rng = np.random.default_rng(seed)
    latent = np.zeros(len(years))
    for t in range(1, len(years)):
        latent[t] = 0.8 * latent[t - 1] + 0.6 * rng.standard_normal()
    counts = rng.poisson(3.0 * np.exp(latent - latent.mean()))
    rows = [
        {
            "event_id": f"e{year}-{i}",
            "date": str(year),
            "actor": "FRA" if i % 2 else "DEU",
            "target": "DEU" if i % 2 else "FRA",
            "level": "head_of_government",
            "kind": "official_visit",
        }
        for year, count in zip(years, counts, strict=True)
        for i in range(count)
    ]
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_report_of_an_autocorrelated_dyad_shows_the_diagnostics_and_the_null(tmp_path):
    """On a simulated dyad with serially dependent counts, the study's answer, report, HTML
    and JSON say that the residuals are autocorrelated and which null the p-values used, the
    robustness table holds the independent null beside it, and the posterior is flagged."""
    events = _autocorrelated_dyad(range(1950, 2021), seed=6)
    result = pz.study(
        events, (1980, 2000), n_sim=199, envelope_draws=50, rng=2, title="Invented dyad"
    )
    name = result.test.names[0]
    assert result.test.diagnostics.loc[name, "pvalue"] < 0.05
    assert result.test.dependence.loc[name, "order"] == 7  # the sieve order for 71 years
    answer = " ".join(result.to_dict()["answer"])
    assert "Serial dependence: The periods' residuals are autocorrelated" in answer
    fitted = "replicates are drawn with the dependence fitted to them (latent Gaussian AR(7)"
    assert fitted in answer
    assert "it assumes independent periods, which the residuals reject" in answer
    assert "dependence independent" in result.robustness.table.loc["dependence"].index
    paths = result.write(tmp_path / "out")
    report = Path(paths["report.md"]).read_text()
    assert "## Serial dependence" in report and "Ljung–Box p" in report
    assert "Serial dependence" in Path(paths["report.html"]).read_text()
    document = json.loads(Path(paths["result.json"]).read_text())
    series = document["test"]["series"][0]
    assert series["dependence"]["null"] == "latent Gaussian AR(7) copula"
    assert document["test"]["dependence"] == "auto"
    assert document["test"]["provenance"]["parameters"]["serial_null"]["series_by_order"] == {
        "7": 1
    }


def test_cli_study_takes_the_dependence_option(tmp_path, capsys):
    """--dependence reaches every test of the study and is recorded; a bad value is a usage
    error (exit 2, one line)."""
    events, _ = pz.simulate_events(
        1, range(1990, 2020), (2005,), base_rate=2.0, rate_ratios=(2.0,), rng=5
    )
    path = tmp_path / "simulated.csv"
    pz.write_events(events, path)
    out = tmp_path / "o"
    common = ["study", "--events", str(path), "--hypothesis", "2005", "--extra-codes", "AAA,AAB"]
    code = main(
        [
            *common,
            "--n-sim",
            "99",
            "--envelope-draws",
            "50",
            "--dependence",
            "independent",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    document = json.loads((out / "result.json").read_text())
    assert document["test"]["dependence"] == "independent"
    assert document["test"]["series"][0]["dependence"]["null"] == "independent periods"
    assert document["provenance"]["dependence"] == "independent"
    robustness = document["robustness"]["provenance"]["parameters"]
    assert robustness["dependence"] == "independent"
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:  # argparse's usage error
        main([*common, "--dependence", "blocks", "--out", str(tmp_path / "x")])
    assert stop.value.code == 2
    assert "argument --dependence: invalid choice: 'blocks'" in capsys.readouterr().err


def test_a_constant_intensity_is_refused_not_periodized():
    from periodize.events.vocabulary import KINDS

    events, _ = pz.simulate_events(1, range(1990, 2020), (2005,), base_rate=2.0,
                                   rate_ratios=(2.0,), rng=3)  # fmt: skip
    zero = pz.WeightingScheme("zero", kind_weights=dict.fromkeys(KINDS, 0.0))
    with pytest.raises(pz.ParameterError, match=r"'zero' scheme is 0 in every period"):
        pz.study(events, [2005], scheme=zero, n_sim=99, envelope_draws=50)


def test_each_step_is_announced_as_it_starts(monkeypatch):
    """The progress line names the step that is running (it came after each step, so the
    slowest ran under the previous one's name)."""
    import importlib

    study_module = importlib.import_module("periodize.study")  # the module, not the function
    seen = []
    for step in ("_test", "compare_periodizations", "posterior", "robustness"):
        work = getattr(study_module, step)

        def ran(*args, _work=work, _step=step, **kwargs):
            seen.append(f"ran {_step}")
            return _work(*args, **kwargs)

        monkeypatch.setattr(study_module, step, ran)
    pz.study(
        pz.datasets.mongolia_kazakhstan(),
        (2009, 2019),
        n_sim=99,
        envelope_draws=50,
        progress=seen.append,
    )
    steps = [line.split(" (")[0] for line in seen]
    assert steps == [
        "intensity and period tables",
        "free segmentation and hypothesis tests", "ran _test",
        "the directions jointly", "ran _test",
        "comparison of 1 periodization", "ran compare_periodizations",
        "exact posterior", "ran posterior",
        "robustness table", "ran robustness",
        seen[-1].split(" (")[0],
    ] and seen[-1].startswith("done in ")  # fmt: skip


def test_a_table_of_several_dyads_is_refused_unless_one_is_picked():
    events = pz.validate_events(
        pd.DataFrame(
            {
                "date": [str(y) for y in range(1990, 2010)] * 2,
                "actor": ["CHL"] * 20 + ["PER"] * 20,
                "target": ["ARG"] * 20 + ["CHL"] * 20,
                "level": "minister",
                "kind": "other",
            }
        )
    )
    with pytest.raises(pz.ParameterError, match=r"2 dyads \(ARG–CHL, CHL–PER\).*--dyad ARG,CHL"):
        pz.study(events, [2000], n_sim=99, envelope_draws=50)
    with pytest.raises(pz.ParameterError, match="No event of the table is between CHL and ECU"):
        pz.study(events, [2000], n_sim=99, envelope_draws=50, dyad=("CHL", "ECU"))
    picked = pz.study(events, [2000], n_sim=99, envelope_draws=50, dyad=("PER", "CHL"), min_size=4)
    assert set(picked.events["actor"]) == {"PER"} and picked.n_events == 20
    assert picked.test.min_size == 4


def test_results_have_a_short_repr_and_html_tables():
    """repr is one line (it printed the whole dataclass, 33 KB for a study); in a notebook
    the result's table is an HTML table and the summary is folded below it."""
    events, _ = pz.simulate_events(1, range(1990, 2016), (2003,), rates=(1.0, 3.0), rng=4)
    series = pz.intensity(events)
    fit = pz.segment(series, n_breaks=1)
    tested = pz.test_periodization(series, boundaries=(2003,), n_sim=99)
    compared = pz.compare_periodizations(series, {"one": (2003,)}, n_sim=99)
    for result in (series, fit, tested, compared, pz.posterior(series, max_breaks=1)):
        text = repr(result)
        assert text.startswith(f"<{type(result).__name__}: ") and "\n" not in text
        assert len(text) < 300
        page = result._repr_html_()
        assert "<table" in page and "<details><summary>summary()</summary><pre>" in page
    assert "Comparison of 1 periodization:" in compared.summary()


def test_json_provenance_is_typed_under_plain_keys():
    events, _ = pz.simulate_events(1, range(1990, 2016), (2003,), rates=(1.0, 3.0), rng=4)
    result = pz.study(events, hypothesis=(2003,), n_sim=99, envelope_draws=50, progress=False)
    record = json.loads(result.to_json())["provenance"]
    assert all(key.isidentifier() for key in record)  # no spaces
    assert record["seed"] == 0 and record["n_sim"] == 99 and record["min_size"] == 3
    assert record["hypothesis"] == [2003] and isinstance(record["versions"], dict)
    assert record["events_sha256"] == table_digest(pz.validate_events(events))


def test_study_tests_the_directions_jointly_and_says_so(tmp_path):
    """On a dyad that is not the bundled one (only one direction changes), the default study
    tests the shared periodization of both directions, names the direction that carries the
    boundary, writes it to every output and reads back; the pooled count is reported too."""
    events, _ = _two_directions(np.random.default_rng(4), {"CHL": (0.6, 3.0), "ARG": (1.0, 1.0)})
    result = pz.study(events, (1995,), n_sim=199, envelope_draws=50, rng=2, title="two directions")
    joint = result.joint
    assert joint is not None and set(joint.names) == {"CHL->ARG", "ARG->CHL"}
    assert joint.carriers()[1995] == "CHL->ARG"
    assert joint.contributions.loc[(1995, "CHL->ARG"), "share"] > 0.8
    lines = result.to_dict()["answer"]
    assert (
        lines[1].startswith("The 2 directions jointly") and "carried most by CHL->ARG" in lines[1]
    )
    assert lines[2].startswith("Pooled count (both directions added): ")
    assert result.provenance()["analysis"].startswith("the directions jointly")
    paths = result.write(tmp_path / "out")
    report = paths["report.md"].read_text()
    assert "## The directions jointly: which direction carries each boundary" in report
    saved = json.loads(paths["result.json"].read_text())
    assert saved["joint_test"]["contributions"][0]["series"] in joint.names
    back = pz.load(paths["result.json"])
    assert back.joint.to_json() == joint.to_json()
    one_way = events[events["actor"] == "CHL"]
    alone = pz.study(one_way, (1995,), n_sim=99, envelope_draws=50, rng=2)
    assert alone.joint is None and "one direction only" in alone.provenance()["analysis"]


def _two_directions(
    rng: np.random.Generator, rates: dict[str, tuple[float, float]]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Events of an invented dyad (CHL and ARG), 1980-2009: each actor's yearly visits
    Poisson with its rate before and from 1995; and whether each event is from 1995 on."""
    years = np.arange(1980, 2010)
    rows = []
    for actor, before_after in rates.items():
        target = "ARG" if actor == "CHL" else "CHL"
        for year, n in zip(years, rng.poisson(np.where(years < 1995, *before_after)), strict=True):
            rows += [(actor, target, year)] * int(n)
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "date": [f"{y}-06-01" for _, _, y in rows],
            "actor": [a for a, _, _ in rows],
            "target": [t for _, t, _ in rows],
            "level": "head_of_state",
            "kind": "official_visit",
            "source": "simulated",
        }
    )
    return events, np.array([y >= 1995 for _, _, y in rows])


def _dyad_with_indicators(seed: int) -> pd.DataFrame:
    """Both directions' visits, the signed documents and a per-event tone (a score that
    goes below zero) change in 1995."""
    rng = np.random.default_rng(seed)
    events, late = _two_directions(rng, {"CHL": (1.0, 2.5), "ARG": (1.0, 2.5)})
    return events.assign(
        documents_signed=rng.poisson(np.where(late, 2.0, 0.5)),
        tone=np.round(rng.normal(np.where(late, 1.0, -1.0), 1.0), 2),
    )


def test_study_tests_extra_indicators_jointly_each_under_its_model(tmp_path):
    """Indicators join the directions in the joint test: each the dyad's yearly total
    under its scheme, under the study's model for counts, quasi-Poisson for other
    non-negative totals and the normal model for a score below zero; the joint test is
    the one test_periodization gives on those series with those models, and the report,
    JSON and answer say which series were tested and how."""
    events = _dyad_with_indicators(5)
    documents = pz.WeightingScheme(name="documents", weight_column="documents_signed")
    tone = pz.WeightingScheme(name="tone", weight_column="tone")
    indicators = {"documents": documents, "tone": tone, "visits": "count"}
    result = pz.study(events, (1995,), n_sim=99, envelope_draws=50, rng=3, indicators=indicators)
    assert result.indicators["documents"]["model"] == "quasipoisson"
    assert result.indicators["tone"]["model"] == "normal"
    assert result.indicators["visits"]["model"] == "poisson"
    table = pz.validate_events(events)
    directions = pz.intensity(table, by="direction").data
    frame = directions.assign(
        documents=pz.intensity(table, documents).data.iloc[:, 0].to_numpy(),
        tone=pz.intensity(table, tone).data.iloc[:, 0].to_numpy(),
        visits=pz.intensity(table, "count").data.iloc[:, 0].to_numpy(),
    )
    assert frame["tone"].min() < 0
    models = dict.fromkeys(directions.columns, "poisson") | {
        "documents": "quasipoisson", "tone": "normal", "visits": "poisson",
    }  # fmt: skip
    expected = pz.test_periodization(
        frame, (1995,), joint=True, model=models, n_sim=99, rng=result.seed
    )
    assert result.joint.names == tuple(frame.columns)
    for name, test in expected.tests.items():
        assert result.joint.tests[name].statistic == pytest.approx(test.statistic, rel=1e-12)
        assert result.joint.tests[name].pvalue == test.pvalue
    assert result.to_dict()["answer"][1].startswith("The 5 series jointly")
    saved = json.loads(result.write(tmp_path / "out")["result.json"].read_text())
    assert saved["provenance"]["indicators"]["tone"]["model"] == "normal"
    assert "tone: tone under the normal model" in saved["provenance"]["analysis"]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## The series jointly: which series carries each boundary" in report
    assert pz.load(tmp_path / "out" / "result.json").indicators == result.indicators


@pytest.mark.parametrize(
    "options, message",
    [
        ({"indicators": {"tone": "count"}, "analysis": "pooled"}, "analysis='joint'"),
        ({"indicators": {"CHL->ARG": "count"}}, "a name of its own"),
        ({"indicators": ["count"]}, "must be a mapping of names"),
        ({"indicators": {"x": "no-such-scheme"}}, "scheme of the indicator 'x' of study"),
    ],
)
def test_study_indicators_are_checked(options, message):
    with pytest.raises(pz.ParameterError, match=message):
        pz.study(_dyad_with_indicators(1), (1995,), n_sim=99, envelope_draws=50, **options)


def test_cli_study_takes_indicators(tmp_path, capsys):
    path = tmp_path / "events.csv"
    pz.write_events(pz.validate_events(_dyad_with_indicators(2)), path)
    base = [
        "study",
        "--events",
        str(path),
        "--hypothesis",
        "1995",
        "--n-sim",
        "99",
        "--envelope-draws",
        "50",
        "--quiet",
    ]
    code = main([*base, "--indicator", "documents=column:documents_signed",
                 "--indicator", "all=count", "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 0
    saved = json.loads((tmp_path / "o" / "result.json").read_text())
    assert set(saved["provenance"]["indicators"]) == {"documents", "all"}
    with pytest.raises(SystemExit) as stop:  # argparse: one line, exit 2
        main([*base, "--indicator", "documents", "--out", str(tmp_path / "p")])
    assert stop.value.code == 2
    assert "expected NAME=SCHEME" in capsys.readouterr().err
    twice = ["--indicator", "a=count", "--indicator", "a=protocol"]
    assert main([*base, *twice, "--out", str(tmp_path / "q")]) == 2
    assert "--indicator a is given twice" in capsys.readouterr().err
    assert main([*base, "--indicator", "a=nosuch", "--out", str(tmp_path / "r")]) == 2
    assert "the scheme of the indicator 'a' of study must be one of" in (
        capsys.readouterr().err.lower()
    )


def test_the_free_segmentation_is_segment_s_default_rule():
    """study and explore (and panel: tests/distributed) segment with the default rule of
    segment: a steadily rising count is one period with a log-linear rate, where the named
    count model's levels make a staircase."""
    years = range(1981, 2021)
    rates = tuple(np.geomspace(0.5, 12.0, len(years)))
    events, _ = pz.simulate_events(1, years, tuple(years)[1:], rates=rates, rng=4)
    default = pz.segment(pz.intensity(events))
    assert default.model == "quasipoisson_trend" and default.boundaries == ()
    assert pz.segment(pz.intensity(events), model="poisson").boundaries  # a staircase
    explored = pz.explore(events, max_breaks=2)
    assert (explored.chosen.model, explored.chosen.boundaries) == ("quasipoisson_trend", ())
    studied = pz.study(events, (2001,), n_sim=99, envelope_draws=50, rng=1)
    assert (studied.free.model, studied.free.boundaries) == ("quasipoisson_trend", ())


def test_envelope_draws_set_the_robustness_envelope_and_zero_says_it_is_left_out(tmp_path, capsys):
    """``envelope_draws`` reaches the robustness table (its provenance and the answer's
    count of weight vectors); 0 leaves the envelope out and the answer says so; the CLI
    refuses a negative count in one line."""
    events = _dyad_with_indicators(4)
    drawn = pz.study(events, (1995,), n_sim=99, rng=1, envelope_draws=30)
    assert drawn.robustness.provenance.parameters["envelope_draws"] == 30
    assert drawn.to_dict()["provenance"]["envelope_draws"] == 30
    assert len(drawn.robustness.envelope) == 30
    robust = next(s for s in drawn.to_dict()["answer"] if s.startswith("Robustness"))
    assert "of 30 protocol weight vectors the hypothesis was rejected" in robust
    none = pz.study(events, (1995,), n_sim=99, rng=1, envelope_draws=0)
    assert none.robustness.envelope.empty
    sentence = next(s for s in none.to_dict()["answer"] if s.startswith("Robustness"))
    assert sentence.endswith("the protocol weight envelope is not computed: envelope_draws=0.")
    assert none.robustness.to_dict()["envelope"]["note"] == "not computed: envelope_draws=0"
    with pytest.raises(pz.ParameterError, match="'envelope_draws' parameter of study"):
        pz.study(events, (1995,), envelope_draws=-1)  # refused before any test runs
    path = tmp_path / "events.csv"
    pz.write_events(events, path)
    words = ["study", "--events", str(path), "--hypothesis", "1995", "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as stop:
        main([*words, "--envelope-draws", "-1"])
    assert stop.value.code == 2
    assert "--envelope-draws" in capsys.readouterr().err


def test_a_hypothesis_named_as_a_comparison_row_is_refused_before_any_work(monkeypatch):
    events, _ = pz.simulate_events(1, range(1990, 2020), (2005,), base_rate=2.0, rng=6)

    def no_work(*args, **kwargs):
        raise AssertionError("the study started its tests")

    monkeypatch.setattr(sys.modules["periodize.study"], "_test", no_work)
    with pytest.raises(pz.ParameterError, match=r"Candidate 'no change' of study .* rename it"):
        pz.study(events, {"paper": (2005,), "no change": (2000, 2010)}, n_sim=99)
