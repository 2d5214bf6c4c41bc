"""The SHA-256 of a series matrix: the same labels hash alike however they are held, labels
of different kinds or values never do (the index is hashed in binary, not as text)."""

import hashlib

import numpy as np
import pandas as pd

from periodize.results import matrix_sha256

VALUES = np.arange(10.0)[None]


def digest(index):
    return matrix_sha256(VALUES, index, ("s",))


def test_the_same_labels_hash_alike_in_any_container():
    years = list(range(2000, 2010))
    assert digest(pd.RangeIndex(2000, 2010)) == digest(pd.Index(years))
    assert digest(pd.Index(years, dtype="int32")) == digest(pd.Index(years))


def test_other_labels_or_kinds_hash_differently():
    base = digest(pd.RangeIndex(2000, 2010))
    others = [
        pd.RangeIndex(2001, 2011),
        pd.Index([*range(2000, 2009), 2010]),  # one label off: labels hashed one by one
        pd.period_range("2000", periods=10, freq="Y"),
        pd.period_range("2000-01", periods=10, freq="M"),
        pd.date_range("2000-01-01", periods=10, freq="YS"),
        pd.Index([str(y) for y in range(2000, 2010)]),
    ]
    digests = {base, *(digest(index) for index in others)}
    assert len(digests) == len(others) + 1


def test_values_and_names_are_in_the_digest():
    index = pd.RangeIndex(10)
    expected = hashlib.sha256(b"s")
    expected.update(b"int:0:1:10")
    expected.update(VALUES.tobytes())
    assert matrix_sha256(VALUES, index, ("s",)) == expected.hexdigest()
    assert matrix_sha256(VALUES + 1, index, ("s",)) != expected.hexdigest()
    assert matrix_sha256(VALUES, index, ("t",)) != expected.hexdigest()
