"""The canonical digest of an event table: the same for any order or split of its rows
(what lets the Dask path and the in-memory path agree), different for any changed cell."""

import itertools

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.events.digest import combine, partial_digest, table_digest


@pytest.fixture(scope="module")
def table():
    events, _ = pz.simulate_events(5, range(1990, 2020), (2005,), rates=(1.0, 3.0), rng=7)
    return events.assign(
        note=pd.array([None, "x"] * (len(events) // 2) + [None] * (len(events) % 2), dtype=object)
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_any_order_and_any_split_give_the_same_digest(table, seed, parts):
    rng = np.random.default_rng(seed)
    shuffled = table.iloc[rng.permutation(len(table))].reset_index(drop=True)
    cuts = np.sort(rng.choice(np.arange(1, len(table)), size=parts - 1, replace=False))
    edges = [0, *cuts.tolist(), len(table)]
    pieces = [shuffled.iloc[a:b] for a, b in itertools.pairwise(edges)]
    assert table_digest(shuffled) == table_digest(table)
    assert combine(list(table.columns), [partial_digest(p) for p in pieces]) == table_digest(table)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["event_id", "actor", "year", "level", "note"]))
def test_a_changed_cell_changes_the_digest(table, seed, column):
    rng = np.random.default_rng(seed)
    row = int(rng.integers(len(table)))
    changed = table.copy()
    if column == "level":  # another category of the same column
        categories = list(table["level"].cat.categories)
        current = categories.index(table["level"].iat[row])
        changed.loc[row, "level"] = categories[(current + 1) % len(categories)]
    else:
        other = {"event_id": "changed", "actor": "ZZZ", "year": 1800, "note": "changed"}
        changed.loc[row, column] = other[column]
    assert table_digest(changed) != table_digest(table)


def test_the_dask_path_and_the_in_memory_path_record_the_same_digest(table):
    expected = pz.intensity(table).provenance.input_sha256
    for n in (1, 3, 7):
        lazy = dd.from_pandas(table, npartitions=n)
        assert pz.intensity(lazy).provenance.input_sha256 == expected


def test_kinds_of_values_are_told_apart():
    base = pd.DataFrame({"a": [1, 2]})
    assert table_digest(base) != table_digest(base.astype(float))  # 1 and 1.0
    assert table_digest(base) != table_digest(base.astype(str))  # 1 and "1"
    assert table_digest(base) != table_digest(base.rename(columns={"a": "b"}))
    with_missing = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    assert table_digest(with_missing) != table_digest(pd.DataFrame({"a": [1, 0]}))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(2, 2**64 - 1), max_size=40), st.integers(0, 3))
def test_the_repeat_screen_finds_exactly_the_repeated_hashes(values, copies):
    """The compiled open-addressing set says "repeat" exactly when a value occurs twice
    (values from 2: 0 is stored as 1, the one documented false alarm)."""
    from periodize.events.digest import has_repeat

    hashes = np.array(values + values[:copies], dtype=np.uint64)
    assert has_repeat(hashes) == (len(set(hashes.tolist())) < len(hashes))
    assert has_repeat(np.array([0, 1], dtype=np.uint64))  # a screen: the caller checks


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=30))
def test_ids_proved_distinct_are_distinct(ids):
    from periodize.events.digest import distinct_hashes

    values = pd.array(ids, dtype="string[pyarrow]")
    present = [v for v in ids if v is not None]
    repeated = len(set(present)) < len(present) or ids.count(None) > 1
    proved = distinct_hashes(values) is not None
    assert proved == (not repeated)  # no hash collision among so few


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(65_537, 400_000),
    st.sampled_from(["none", "first-last", "neighbours", "top-bits"]),
)
def test_the_repeat_screen_over_many_buckets_equals_set_semantics(seed, n, repeat):
    """Above one bucket's worth of values the screen spreads them into buckets by their
    top bits; a repeat is found wherever it sits, and distinct values (also ones that
    share their top bits, so land in one bucket) are never called repeated."""
    from periodize.events.digest import has_repeat

    rng = np.random.default_rng(seed)
    hashes = rng.integers(1, 2**63, n, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    if repeat == "first-last":
        hashes[-1] = hashes[0]
    elif repeat == "neighbours":
        at = int(rng.integers(0, n - 1))
        hashes[at + 1] = hashes[at]
    elif repeat == "top-bits":  # many distinct values in one bucket
        hashes[: n // 2] = (hashes[: n // 2] >> np.uint64(8)) | np.uint64(1)
    assert has_repeat(hashes) == (len(np.unique(hashes)) < n)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), st.integers(0, 1200))
def test_numbered_id_hashes_equal_the_hashes_of_the_ids_built(prefix, n):
    """Generated ids' hashes, computed from the prefix once and each number's digits,
    equal the hashes of the ids as text (the digest and the repeat screen use them)."""
    from periodize.events.digest import cell_hashes, numbered_hashes
    from periodize.events.schema import _ROW, numbered_ids

    built = cell_hashes(pd.Series(numbered_ids(n, prefix)))
    np.testing.assert_array_equal(numbered_hashes(n, prefix + _ROW), built)


def test_numbered_id_hashes_at_many_digits():
    from periodize.events.digest import cell_hashes, numbered_hashes
    from periodize.events.schema import numbered_ids

    n = 1_000_001
    built = cell_hashes(pd.Series(numbered_ids(n, "part-7.parquet#")))
    np.testing.assert_array_equal(numbered_hashes(n, "part-7.parquet#row"), built)


def _fnv_mixed(text: str | None) -> int:
    """FNV-1a over the UTF-8 bytes, then splitmix64's finaliser, written out in Python
    (missing cells: the golden-ratio constant)."""
    mask = 2**64 - 1
    if text is None:
        return 0x9E3779B97F4A7C15
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & mask
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & mask
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & mask
    return h ^ (h >> 31)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=40),
    st.lists(st.integers(0, 40), max_size=4),
    st.booleans(),
    st.integers(0, 3),
)
def test_text_hashes_of_chunks_and_slices_equal_the_hashes_written_out(values, cuts, large, lead):
    """Arrow text in several chunks, each a slice of a larger array (as a Parquet file's
    pages are read), hashes cell by cell as the reference written in Python."""
    import pyarrow as pa

    from periodize.events.digest import cell_hashes

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(["pad"] * lead + values + ["pad"], type=kind)
    bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
    chunks = [whole.slice(lead + a, b - a) for a, b in itertools.pairwise(bounds)]
    column = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=kind)))
    expected = np.array([_fnv_mixed(v) for v in values], dtype=np.uint64)
    np.testing.assert_array_equal(cell_hashes(column), expected)
