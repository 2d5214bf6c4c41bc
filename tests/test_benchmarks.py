"""The benchmark harness runs at the --quick preset (through `periodize bench`) and its
compared methods agree. No timing is asserted: speed is measured by `python -m benchmarks`."""

import json

import numpy as np
import pandas as pd
import pytest

from periodize.cli import main


@pytest.mark.slow
def test_quick_benchmarks_run_and_agree(tmp_path):
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["preset"] == "quick"
    assert {"machine", "command", "date", "seed"} <= set(record)
    # aggregation, archives, user path, cluster, 6 engine (joint search, joint by dyad and
    # segment() against its search included), 4 peers, 8 inference, scaling
    assert len(record["results"]) == 23
    assert all("agree" in result for result in record["results"])
    assert (tmp_path / "scaling.png").exists()
    assert "--quick" in (tmp_path / "RESULTS.md").read_text()


def test_the_c_floor_agrees_with_periodize():
    """benchmarks/floor.c computes what periodize computes (when a C compiler is here)."""
    import numpy as np
    import pytest

    from benchmarks.floor import load
    from periodize.segmentation.costs import COSTS
    from periodize.segmentation.search.dynamic import exact_path
    from periodize.segmentation.search.fpop import fpop_breaks

    floor = load()
    if floor is None:
        pytest.skip("no C compiler")
    rng = np.random.default_rng(2)
    values = rng.normal(size=(50, 20))
    values[:, 9:] += 2.0
    path = exact_path(COSTS["normal"], values, 2, 3)
    assert np.array_equal(floor.dp2(values, 3), path.breaks[2])
    y = np.repeat([1.0, 5.0, 2.0], 300) + rng.normal(size=900)
    cost = COSTS["normal"](y[None])
    beta = 2 * np.log(900)
    assert floor.pelt(y, beta * cost.sigma2[0], "l2") == fpop_breaks(cost, beta, 1)[0]


@pytest.mark.slow
def test_validity_benchmark_runs_and_reports(tmp_path):
    """The calibration study runs on a tiny grid and writes its tables with the target line
    (its numbers are measured by `python -m benchmarks.validity`, not asserted here)."""
    from benchmarks import validity

    out, csv = tmp_path / "validity.md", tmp_path / "validity.csv"
    arguments = ["--quick", "--jobs", "1", "--designs", "0,5", "--power-series", "0"]
    assert validity.main([*arguments, "--out", str(out), "--csv", str(csv)]) == 0
    text = out.read_text()
    assert "## Size, n = 34 periods" in text and "auto: 20 series per cell" in text
    assert "| Gaussian AR(1), φ = 0 | auto |" in text
    assert "| counts, latent AR(1) log-rate, φ = 0 | independent |" in text
    assert "No cell with n ≥ 120 in this run" in text
    again = tmp_path / "again.md"
    assert validity.main(["--from-csv", str(csv), "--out", str(again)]) == 0
    assert "| Gaussian AR(1), φ = 0 | auto |" in again.read_text()
    assert validity.main([*arguments, "--out", str(out)]) == 2  # never replaces a file unasked
    # a second run of the same cells (another seed) is pooled, weighted by its series
    first = pd.read_csv(csv)
    second = first.assign(series=3 * first["series"], hypothesis_vs_none=0.5, command="later")
    second.to_csv(tmp_path / "later.csv", index=False)
    both = tmp_path / "both.csv"
    arguments = ["--from-csv", str(csv), str(tmp_path / "later.csv"), "--csv", str(both)]
    assert validity.main([*arguments, "--out", str(tmp_path / "both.md")]) == 0
    merged = pd.read_csv(both)
    assert len(merged) == len(first) and (merged["series"] == 4 * first["series"]).all()
    expected = (first["hypothesis_vs_none"] + 3 * 0.5) / 4
    np.testing.assert_allclose(merged["hypothesis_vs_none"], expected)
    assert (merged["best_vs_none"] == first["best_vs_none"]).all()
    assert (merged["command"] == first["command"] + " + later").all()
    header = (tmp_path / "both.md").read_text().splitlines()[2]
    assert header.count("`later`") == 1 and " + later" not in header  # each run named once
    # the same run read twice is refused, not counted twice
    twice = ["--from-csv", str(csv), str(csv), "--out", str(tmp_path / "twice.md")]
    assert validity.main(twice) == 2 and not (tmp_path / "twice.md").exists()


def test_validity_cells_without_size_series_are_power_cells_only():
    from benchmarks import validity

    tasks = validity.cells(0, (400,), 500, designs=(5,), options=("auto",))
    expected = [(i, "power", 400, 500, "auto", True) for i in range(4)]
    assert tasks == expected
    assert validity.cells(10, (34,), 0, designs=(5,), options=("auto",)) == [
        (5, "size", 34, 10, "auto", False)
    ]


@pytest.mark.slow
def test_monitoring_benchmark_runs_and_reports(capsys):
    """The monitoring benchmark runs at its smoke size and prints one row per design and
    rate ratio (its numbers are recorded in benchmarks/RESULTS.md, not asserted here)."""
    from benchmarks import monitoring

    assert monitoring.main(["--quick"]) == 0
    text = capsys.readouterr().out
    assert (
        "| yearly | auto | 1.5 | 10 |" in text and "| monthly Gaussian | auto | 1 | 10 |" in text
    )
    assert "| yearly AR φ=0.6 | independent | 1 | 10 |" in text
    assert "| yearly, history ¼ → 1 of the rate, its boundary given | auto | 2 | 10 |" in text


@pytest.mark.slow
def test_strucchange_comparison_runs_and_reports(capsys):
    """The comparison with strucchange's monitoring runs at its smoke size where R and
    strucchange are installed, and says so plainly where they are not."""
    from benchmarks import strucchange_monitor

    code = strucchange_monitor.main(["--quick"])
    text = capsys.readouterr().out
    if not strucchange_monitor.available():
        assert code == 1 and "not on this machine" in text
        return
    assert code == 0
    assert "| yearly | 0 | strucchange OLS-CUSUM | 5 |" in text
    assert "| monthly | 2 | periodize (auto) | 5 |" in text


def test_joint_size_benchmark_runs_and_reports(capsys):
    """The joint tests' size benchmark runs on a few records and prints one row per design
    and null (its numbers are recorded in docs/inference.md, not asserted here)."""
    from benchmarks import joint_size

    assert joint_size.main(["--records", "3", "--n-sim", "99", "--dependence", "auto"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| design | dependence | records | hypothesis_vs_none |")
    assert [line.split(" | ")[:3] for line in lines[2:]] == [
        ["| poisson 0.4", "auto", "3"],
        ["| poisson 2.0", "auto", "3"],
        ["| normal 0.8", "auto", "3"],
    ]
