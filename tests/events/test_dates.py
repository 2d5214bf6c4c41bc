"""Date parsing: the compiled (Arrow) reading of ISO parts equals Python's."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.events.dates import _iso_parts, _iso_parts_python

_PIECES = st.sampled_from(
    ["2019", "-", "10", "01", "0", "1", "9", "\n", " ", "T", "\u0663", "\ud800"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.lists(_PIECES, max_size=6).map("".join), st.text(max_size=12)),
        min_size=1,
        max_size=20,
    )
)
def test_iso_parts_equal_pythons_regular_expression(cells):
    """Arrow's RE2 pattern (``$``) and Python's (``\\Z``) accept the same cells and read the
    same year, month and day, missing cells and hostile ones (a trailing newline, Arabic
    digits, a lone surrogate, which sends the column to Python) included."""
    text = pd.Series(cells, dtype=object)  # (Arrow-backed text cannot hold a surrogate)
    for got, expected in zip(_iso_parts(text), _iso_parts_python(text), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_iso_parts_read_each_form():
    text = pd.Series(
        ["2019", "2019-10", "2019-10-01", "2019-1", None, "2019-10-01\n"], dtype="string"
    )
    matched, year, month, day, given_month, given_day = _iso_parts(text)
    assert matched.tolist() == [True, True, True, False, False, False]
    assert year.tolist() == [2019, 2019, 2019, 0, 0, 0]
    assert month.tolist() == [0, 10, 10, 0, 0, 0] and day.tolist() == [0, 0, 1, 0, 0, 0]
    assert given_month.tolist() == [False, True, True, False, False, False]
    assert given_day.tolist() == [False, False, True, False, False, False]
