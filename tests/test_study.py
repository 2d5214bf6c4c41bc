"""The study: one call from events to report, JSON and figure; the CLI; the shipped docs."""

import json
from pathlib import Path

import pytest

import periodize as pz
from periodize.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_study():
    return pz.study(pz.datasets.mongolia_kazakhstan(), (2009, 2019), n_sim=199, rng=3, title="MK")


def test_write_produces_every_file(small_study, tmp_path):
    paths = small_study.write(tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == [
        "figure.png",
        "figure.svg",
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


def test_same_seed_same_json():
    events = pz.datasets.mongolia_kazakhstan()
    a = pz.study(events, (2009, 2019), n_sim=99, rng=5).to_json()
    assert a == pz.study(events, (2009, 2019), n_sim=99, rng=5).to_json()


def test_cli_study_writes_and_prints(tmp_path, capsys):
    out = tmp_path / "study"
    assert main(["study", "--n-sim", "99", "--out", str(out), "--quiet"]) == 0
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
                *("--n-sim", "99", "--out", str(tmp_path / "o")),
            ]
        )
        == 0
    )
    assert "periodize study: exact posterior" in capsys.readouterr().err


def test_shipped_study_docs_are_current():
    """docs/study is made by `make docs-study`; its findings must match a fresh run."""
    shipped = json.loads((ROOT / "docs" / "study" / "result.json").read_text())
    fresh = pz.study(
        pz.datasets.mongolia_kazakhstan(),
        (2009, 2019),
        title="Mongolia–Kazakhstan (bundled dataset)",
    )
    assert shipped["answer"] == fresh.to_dict()["answer"]
