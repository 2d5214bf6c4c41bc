"""Table cells of the reports: a missing value is empty (never <NA>, None or nan), zero is
never -0, in Markdown and in HTML alike."""

from __future__ import annotations

import pandas as pd

from periodize.report import html, markdown


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim": ["a", "b"],
            "n_sim": pd.array([99, pd.NA], dtype="Int64"),
            "statistic": [-0.0, float("nan")],
            "note": [None, "x"],
        }
    )


def test_markdown_cells():
    table = markdown._table(frame())
    rows = table.splitlines()[2:]
    assert rows[0] == "| 0 | a | 99 | 0 |  |"
    assert rows[1] == "| 1 | b |  |  | x |"


def test_html_cells():
    page = html._table(frame())
    assert "NA" not in page and "None" not in page and "nan" not in page and "-0" not in page
    assert "<td>99</td>" in page and "<td>0</td>" in page
