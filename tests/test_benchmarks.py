"""The benchmark harness runs at the --quick preset and its compared methods agree.

No timing is asserted: speed is measured by ``python -m benchmarks``, not by tests.
"""

import json

from benchmarks.__main__ import main


def test_quick_benchmarks_run_and_agree(tmp_path):
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["preset"] == "quick"
    assert len(record["results"]) == 7  # aggregation, 3 engine, 2 inference, scaling
    assert (tmp_path / "scaling.png").exists()
    assert all("agree" in result for result in record["results"])
    text = (tmp_path / "RESULTS.md").read_text()
    assert "python -m benchmarks --quick" in text
