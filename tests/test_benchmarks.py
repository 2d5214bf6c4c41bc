"""The benchmark harness runs at the --quick preset (through `periodize bench`) and its
compared methods agree. No timing is asserted: speed is measured by `python -m benchmarks`."""

import json

from periodize.cli import main


def test_quick_benchmarks_run_and_agree(tmp_path):
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["preset"] == "quick"
    assert {"machine", "command", "date", "seed"} <= set(record)
    assert len(record["results"]) == 11  # aggregation, 3 engine, 6 inference, scaling
    assert all("agree" in result for result in record["results"])
    assert (tmp_path / "scaling.png").exists()
    assert "--quick" in (tmp_path / "RESULTS.md").read_text()
