"""The seal of a validated table: an unchanged table is not validated again, and any change
(a cell, a column, its attributes, its index, its rows) is validated as if never sealed."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.events import schema
from periodize.events.digest import table_digest
from periodize.events.seal import SEAL, events_sha256, fingerprint, is_sealed


@pytest.fixture(scope="module")
def table():
    events, _ = pz.simulate_events(4, range(1990, 2020), (2005,), rates=(1.0, 3.0), rng=3)
    codes = sorted(set(events["actor"]) | set(events["target"]))
    return pz.validate_events(events.assign(source="simulated", note=None), extra_codes=codes)


def slow(frame):
    """Validation with the seal stripped: the reference path."""
    stripped = frame.copy()
    stripped.attrs.pop(SEAL, None)
    return schema._validate(stripped)


def test_a_sealed_table_is_not_validated_again(table, monkeypatch):
    assert is_sealed(table)
    calls = []
    original = schema.parse_dates
    monkeypatch.setattr(schema, "parse_dates", lambda *a: calls.append(1) or original(*a))
    again = schema._validate(table)
    assert not calls and again is not table and is_sealed(again)
    pd.testing.assert_frame_equal(again, table)
    schema._validate(table, extra_codes=["XKX"])  # a new vocabulary or code: checked again
    assert calls


CHANGES = {
    "cell": lambda t: t.assign(actor=t["actor"].where(t.index != 3, "ZZZ")),
    "derived year": lambda t: t.assign(year=t["year"].where(t.index != 0, 1800)),
    "rows filtered": lambda t: t.iloc[1:].reset_index(drop=True),
    "rows reordered": lambda t: t.iloc[::-1].reset_index(drop=True),
    "index": lambda t: t.set_axis(t.index + 10),
    "column dropped": lambda t: t.drop(columns="source"),
    "extra column": lambda t: t.assign(weight=1.0),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_table_is_checked_as_if_never_sealed(table, change):
    changed = CHANGES[change](table.copy())
    assert not is_sealed(changed)
    try:
        expected = slow(changed)
    except pz.EventSchemaError as error:
        with pytest.raises(pz.EventSchemaError) as caught:
            schema._validate(changed)
        assert str(caught.value) == str(error)
    else:
        pd.testing.assert_frame_equal(schema._validate(changed), expected)


def test_an_in_place_change_or_new_attributes_break_the_seal(table):
    changed = table.copy()
    changed.loc[2, "level"] = "minister"
    assert not is_sealed(changed)
    changed = table.copy()
    changed.attrs["periodize_vocabularies"] = {"level": ["minister"], "kind": ["visit"]}
    assert not is_sealed(changed)
    with pytest.raises(pz.EventSchemaError):
        schema._validate(changed)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["actor", "year", "date", "kind", "source"]))
def test_fast_path_equals_reference_path_on_random_single_cell_changes(table, seed, column):
    rng = np.random.default_rng(seed)
    changed = table.copy()
    row = int(rng.integers(len(changed)))
    values = changed[column].to_numpy(dtype=object)
    other = values[int(rng.integers(len(values)))]
    changed[column] = pd.array(
        [other if i == row else v for i, v in enumerate(values)], dtype=changed[column].dtype
    )
    unchanged = values[row] == other or (pd.isna(values[row]) and pd.isna(other))
    if not unchanged:  # equal content may or may not match (a rebuilt column's layout)
        assert fingerprint(changed) != fingerprint(table)
    try:
        expected = slow(changed)
    except pz.EventSchemaError as error:
        with pytest.raises(pz.EventSchemaError, match=None) as caught:
            schema._validate(changed)
        assert str(caught.value) == str(error)
        return
    pd.testing.assert_frame_equal(schema._validate(changed), expected)


def test_the_provenance_digest_is_remembered_only_for_the_same_content(table):
    assert events_sha256(table) == table_digest(table)
    assert events_sha256(table) == events_sha256(table.copy())  # same content, same seal
    changed = table.assign(source="other")
    assert events_sha256(changed) == table_digest(changed)
    assert events_sha256(changed) != events_sha256(table)


def test_a_seal_from_a_file_or_another_process_is_not_trusted(table, tmp_path):
    """pandas writes attrs into Parquet: the seal comes back, but it is keyed by the
    process that made it, so in another process the table read back is validated."""
    from periodize.events import seal as seal_module

    path = tmp_path / "sealed.parquet"
    table.to_parquet(path)
    back = pd.read_parquet(path)
    assert back.attrs.get(SEAL) == table.attrs[SEAL]
    key = seal_module._KEY
    try:
        seal_module._KEY = b"the key of another process, 32 b"
        assert not is_sealed(table) and not is_sealed(back)
    finally:
        seal_module._KEY = key


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(
        [
            "none",
            "repeated id",
            "missing id",
            "bad actor",
            "missing target",
            "actor is target",
            "unknown level",
            "numeric kind",
            "missing kind",
        ]
    ),
)
def test_arrow_text_columns_validate_like_python_strings(table, seed, damage):
    """A table read from Parquet or CSV holds Arrow text; its fast path (no Python string
    per row, Arrow's distinct count for the ids) gives what the object path gives, table or
    error alike."""
    rng = np.random.default_rng(seed)
    raw = table[["event_id", "date", "actor", "target", "level", "kind"]].astype(object).copy()
    row, other = (int(v) for v in rng.choice(len(raw), size=2, replace=False))
    if damage == "repeated id":
        raw.loc[row, "event_id"] = raw.loc[other, "event_id"]
    elif damage == "missing id":
        raw.loc[row, "event_id"] = None
    elif damage == "bad actor":
        raw.loc[row, "actor"] = "ZZZ"
    elif damage == "missing target":
        raw.loc[row, "target"] = None
    elif damage == "actor is target":
        raw.loc[row, "target"] = raw.loc[row, "actor"]
    elif damage == "unknown level":
        raw.loc[row, "level"] = "emperor"
    elif damage == "numeric kind":
        raw.loc[row, "kind"] = 3
    elif damage == "missing kind":
        raw.loc[row, "kind"] = None
    arrow = raw.astype({c: "str" for c in ("event_id", "date", "actor", "target")})
    codes = table.attrs["periodize_extra_codes"]
    try:
        expected = schema._validate(raw, extra_codes=codes)
    except pz.EventSchemaError as error:
        with pytest.raises(pz.EventSchemaError) as caught:
            schema._validate(arrow, extra_codes=codes)
        assert str(caught.value) == str(error)
    else:
        got = schema._validate(arrow, extra_codes=codes)
        pd.testing.assert_frame_equal(got, expected)


def test_columns_hashed_on_threads_give_the_serial_seal(table, monkeypatch):
    from periodize.events import seal as seal_module

    monkeypatch.setattr(seal_module, "_PARALLEL_BYTES", 1 << 60)
    serial = seal_module.fingerprint(table)
    monkeypatch.setattr(seal_module, "_PARALLEL_BYTES", 0)
    assert seal_module.fingerprint(table) == serial
    changed = table.copy()
    changed.loc[3, "source"] = "another"
    assert not is_sealed(changed) and is_sealed(table)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_the_rows_of_a_validated_table_are_one_validated_anew(table, data):
    """A subset of a validated table's rows is what validating those rows gives, and is
    sealed (nothing validates it again)."""
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(table), max_size=len(table))))
    if not mask.any():
        return
    subset = schema.rows_of(table, mask)
    expected = slow(table[mask].reset_index(drop=True))
    pd.testing.assert_frame_equal(subset, expected)
    assert is_sealed(subset) and schema.rows_of(table, np.ones(len(table), bool)) is table


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.data(), st.integers(0, 2**64 - 1))
def test_the_buffer_hash_sees_every_change_of_one_byte_and_of_the_length(data, draw, key):
    """Each step of the buffer hash is a bijection of its state, so changing any one byte
    (one word, or the tail) must change the hash, whatever the key; so must dropping the
    last byte or adding a zero byte (the length is hashed)."""
    from periodize.events.digest import buffers_hash

    position = draw.draw(st.integers(0, len(data) - 1))
    delta = draw.draw(st.integers(1, 255))
    changed = bytearray(data)
    changed[position] ^= delta
    original = buffers_hash([data, b"rest"], key)
    assert buffers_hash([bytes(data), b"rest"], key) == original
    assert buffers_hash([bytes(changed), b"rest"], key) != original
    assert buffers_hash([data[:-1], b"rest"], key) != original
    assert buffers_hash([data + b"\x00", b"rest"], key) != original
    assert buffers_hash([data, b"rest"], key ^ 1) != original  # keyed


def test_a_changed_copy_never_uses_what_validation_kept_for_the_original(table):
    """Codes and hashes kept for a sealed table are looked up by seal: a copy changed in
    place still carries the original's seal, and must be counted and digested from its own
    cells while the original (and what was kept for it) lives."""
    original = pz.validate_events(table)  # kept codes and id hashes for this content
    assert original.attrs[SEAL] == table.attrs[SEAL]
    changed = original.copy()
    other = "AAB" if changed.loc[0, "actor"] != "AAB" else "AAA"
    if changed.loc[0, "target"] == other:
        other = sorted(set(changed["actor"]) - {changed.loc[0, "actor"], other})[0]
    changed.loc[0, "actor"] = other
    changed.loc[0, "event_id"] = "a new id"
    assert changed.attrs[SEAL] == original.attrs[SEAL] and not is_sealed(changed)
    got = pz.intensity(changed, by="dyad")
    plain = changed.drop(columns=["year", "month", "day", "precision"]).astype(object)
    plain.attrs = {}
    expected = pz.intensity(
        pz.validate_events(plain, extra_codes=sorted(set(table["actor"]))), by="dyad"
    )
    pd.testing.assert_frame_equal(got.data, expected.data)
    assert got.provenance.input_sha256 == expected.provenance.input_sha256
    assert got.provenance.input_sha256 != pz.intensity(original, by="dyad").provenance.input_sha256


def test_a_change_in_place_of_a_buffer_shared_by_chunks_breaks_the_seal(table):
    """Ids as slices of one shared buffer (how a file's pages are read) are hashed with
    each buffer once; a byte changed in place, in any chunk's range, is still seen."""
    import pyarrow as pa

    n = len(table)
    text = [f"shared-{i:05d}" for i in range(n)]
    data = bytearray("".join(text).encode())
    offsets = np.arange(0, 12 * (n + 1), 12, dtype=np.int64)
    ids = pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    cuts = [0, n // 3, 2 * n // 3, n]
    chunks = pa.chunked_array([ids.slice(a, b - a) for a, b in itertools.pairwise(cuts)])
    plain = table.drop(columns=["year", "month", "day", "precision"]).astype(object)
    plain.attrs = {}
    plain["event_id"] = pd.arrays.ArrowStringArray(chunks)
    sealed = pz.validate_events(plain, extra_codes=sorted(set(table["actor"])))
    assert is_sealed(sealed)
    for row in (0, n // 2, n - 1):  # a byte in the first, middle and last chunk
        data[12 * row + 7] ^= 1
        assert not is_sealed(sealed)
        data[12 * row + 7] ^= 1
        assert is_sealed(sealed)
