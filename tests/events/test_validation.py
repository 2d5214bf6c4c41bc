"""Every path of event validation: each bad input gets a specific, located error."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import EventSchemaError, PeriodizeTypeError


def problems(frame, **kwargs):
    with pytest.raises(EventSchemaError) as info:
        pz.validate_events(frame, **kwargs)
    return [(p.row, p.column, p.value) for p in info.value.problems], info.value


def with_value(frame, column, row, value):
    frame = frame.astype(object).copy()
    frame.loc[row, column] = value
    return frame


def test_valid_table_is_typed_and_keeps_precision(good_events):
    out = pz.validate_events(good_events)
    assert list(out["precision"]) == ["month", "day", "year"]
    assert list(out["year"]) == [1993, 1998, 2024]
    assert out["month"].tolist() == [10, 3, pd.NA]
    assert out["day"].tolist() == [pd.NA, 17, pd.NA]
    assert list(out["date"]) == ["1993-10", "1998-03-17", "2024"]
    assert out["documents_signed"].dtype == "Int64"
    assert out["documents_signed"].tolist() == [1, pd.NA, pd.NA]
    assert isinstance(out["level"].dtype, pd.CategoricalDtype)
    assert list(out["level"].cat.categories) == list(pz.events.LEVELS)


def test_caller_data_is_not_modified(good_events):
    before = good_events.copy(deep=True)
    pz.validate_events(good_events)
    pd.testing.assert_frame_equal(good_events, before)


def test_validation_is_idempotent(good_events):
    once = pz.validate_events(good_events)
    pd.testing.assert_frame_equal(pz.validate_events(once), once)


def test_not_a_dataframe():
    with pytest.raises(PeriodizeTypeError, match="DataFrame; got list"):
        pz.validate_events([{"date": "1993"}])


def test_empty_table(good_events):
    found, error = problems(good_events.iloc[:0])
    assert found == [(None, None, None)]
    assert "the table is empty" in str(error)


def test_missing_required_columns_are_all_named(good_events):
    found, error = problems(good_events.drop(columns=["level", "kind"]))
    assert found == [(None, "level, kind", None)]
    assert "required columns" in str(error)


def test_missing_required_value(good_events):
    found, _ = problems(with_value(good_events, "actor", 1, None))
    assert found == [(1, "actor", None)]


@pytest.mark.parametrize("bad", ["1993/10", "93", "1993-1", "October 1993", "1993-10-01T00:00"])
def test_unparsable_dates(good_events, bad):
    found, error = problems(with_value(good_events, "date", 2, bad))
    assert found == [(2, "date", bad)]
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in str(error)


@pytest.mark.parametrize("bad", ["2023-02-30", "2023-02-29", "2019-13", "2019-00", "2019-04-31"])
def test_impossible_dates(good_events, bad):
    found, error = problems(with_value(good_events, "date", 0, bad))
    assert found == [(0, "date", bad)]
    assert "real calendar date" in str(error)


def test_leap_day_is_a_real_date(good_events):
    out = pz.validate_events(with_value(good_events, "date", 0, "2024-02-29"))
    assert out.loc[0, "day"] == 29


def test_integer_years_and_timestamps_are_dates(good_events):
    frame = good_events.copy()
    frame["date"] = [1993, 1998, 2024]
    assert list(pz.validate_events(frame)["precision"]) == ["year"] * 3
    frame["date"] = pd.to_datetime(["1993-10-01", "1998-03-17", "2024-07-04"])
    assert list(pz.validate_events(frame)["date"]) == ["1993-10-01", "1998-03-17", "2024-07-04"]


def test_float_date_is_not_coerced(good_events):
    found, _ = problems(with_value(good_events, "date", 0, 1993.0))
    assert found == [(0, "date", 1993.0)]


def test_end_before_start(good_events):
    frame = good_events.assign(date_end=["1993-09", "1998-03-17", "2023-12-31"])
    found, error = problems(frame)
    assert found == [(0, "date_end", "1993-09"), (2, "date_end", "2023-12-31")]
    assert "on or after the start date '1993-10'" in str(error)


def test_end_at_coarser_precision_is_consistent(good_events):
    frame = good_events.assign(date_end=["1993", "1998-03", "2024-12-31"])
    assert list(pz.validate_events(frame)["date_end"]) == ["1993", "1998-03", "2024-12-31"]


def test_unknown_level_and_kind(good_events):
    frame = with_value(with_value(good_events, "level", 0, "president"), "kind", 1, "visit")
    found, error = problems(frame)
    assert found == [(0, "level", "president"), (1, "kind", "visit")]
    assert "'head_of_state'" in str(error)


def test_custom_vocabulary(good_events):
    frame = with_value(good_events, "level", 0, "president")
    out = pz.validate_events(frame, levels=["president", "head_of_state"])
    assert list(out["level"].cat.categories) == ["president", "head_of_state"]


def test_actor_equal_to_target(good_events):
    found, error = problems(with_value(good_events, "target", 0, "KAZ"))
    assert found == [(0, "target", "KAZ")]
    assert "different from the actor ('KAZ')" in str(error)


@pytest.mark.parametrize("bad", ["mng", "MN", "XXX", "MNG ", "Mongolia", 496])
def test_codes_that_are_not_iso_alpha3(good_events, bad):
    found, error = problems(with_value(good_events, "actor", 1, bad))
    assert found == [(1, "actor", bad)]
    assert "ISO 3166-1 alpha-3" in str(error)


def test_extra_codes_are_accepted(good_events):
    out = pz.validate_events(with_value(good_events, "actor", 1, "XKX"), extra_codes={"XKX"})
    assert out.loc[1, "actor"] == "XKX"


@pytest.mark.parametrize("bad", [-1, 2.5, "2.5", "-1", "two", "1e3"])
def test_bad_documents_signed(good_events, bad):
    found, error = problems(with_value(good_events, "documents_signed", 1, bad))
    assert found == [(1, "documents_signed", bad)]
    assert "non-negative integer" in str(error)


def test_integral_float_documents_from_a_nan_column_are_kept(good_events):
    frame = good_events.assign(documents_signed=[1.0, np.nan, 11.0])
    assert pz.validate_events(frame)["documents_signed"].tolist() == [1, pd.NA, 11]


def test_duplicate_event_id_names_the_first_row(good_events):
    frame = with_value(with_value(good_events, "event_id", 2, "a"), "event_id", 1, "a")
    found, error = problems(frame)
    assert found == [(1, "event_id", "a"), (2, "event_id", "a")]
    assert "same as row 0" in str(error)


def test_missing_event_id(good_events):
    found, _ = problems(with_value(good_events, "event_id", 1, None))
    assert found == [(1, "event_id", None)]


def test_event_id_is_generated_when_absent(good_events):
    out = pz.validate_events(good_events.drop(columns="event_id"))
    assert list(out["event_id"]) == ["row0", "row1", "row2"]


def test_unknown_confidence(good_events):
    found, _ = problems(good_events.assign(confidence=["high", "sure", None]))
    assert found == [(1, "confidence", "sure")]


def test_weight_must_be_finite_number(good_events):
    found, _ = problems(good_events.assign(weight=[1.0, np.inf, "three"]))
    assert found == [(1, "weight", np.inf), (2, "weight", "three")]


def test_weight_as_decimal_text_is_read_exactly(good_events):
    out = pz.validate_events(good_events.assign(weight=["1.5", "2", "1e-1"]))
    assert out["weight"].tolist() == [1.5, 2.0, 0.1]
    found, _ = problems(good_events.assign(weight=["1.5 ", "nan", "١"]))
    assert [f[0] for f in found] == [0, 1, 2]


def test_text_columns_are_not_converted(good_events):
    found, error = problems(good_events.assign(cameo_code=["042", 43, None]))
    assert found == [(1, "cameo_code", 43)]
    assert "numbers are not converted" in str(error)


def test_derived_columns_must_agree(good_events):
    found, _ = problems(good_events.assign(year=[1993, 1999, 2024]))
    assert found == [(1, "year", 1999)]


def test_every_bad_row_is_listed_at_once(good_events):
    frame = good_events.astype(object)
    frame.loc[0, "date"] = "2023-02-30"
    frame.loc[1, "actor"] = "mng"
    frame.loc[2, "kind"] = "summit"
    found, error = problems(frame)
    assert found == [(0, "date", "2023-02-30"), (1, "actor", "mng"), (2, "kind", "summit")]
    assert str(error).startswith("3 problems in the event table:")
    assert len(error.to_frame()) == 3


def test_long_error_lists_are_shortened_but_kept(good_events):
    frame = pd.concat([good_events] * 40, ignore_index=True).drop(columns="event_id")
    frame["kind"] = "summit"
    found, error = problems(frame)
    assert len(found) == 120
    assert "and 70 more" in str(error)


def test_other_columns_are_kept_unchanged(good_events):
    out = pz.validate_events(good_events.assign(my_code=[7, 8, 9]))
    assert out["my_code"].tolist() == [7, 8, 9]


_cells = st.one_of(
    st.none(),
    st.sampled_from(["AAA", "AAB", "MNG", "head_of_state", "minister", ""]),
    st.integers(-2, 2),
    st.lists(st.integers(0, 1), max_size=1),  # unhashable: the row-by-row path
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_cells, _cells), min_size=1, max_size=12), st.booleans())
def test_columns_compared_by_distinct_values_equal_row_by_row(rows, as_text):
    """The comparisons and categoricals computed once per distinct value equal the same
    computed cell by cell (missing equals nothing; unknown values become missing)."""
    from periodize.events import schema

    first = pd.Series([a for a, _ in rows], dtype=object, name="actor")
    second = pd.Series([b for _, b in rows], dtype=object, name="target")
    if as_text and all(v is None or isinstance(v, str) for v in [*first, *second]):
        first, second = first.astype("str"), second.astype("str")
    distinct = {"actor": schema._distinct(first), "target": schema._distinct(second)}

    def same(a, b):
        missing = a is None or b is None or (isinstance(a, float) and a != a)
        return not missing and type(a) is type(b) and a == b

    expected = np.array([same(a, b) for a, b in zip(first, second, strict=True)], dtype=bool)
    expected &= first.notna().to_numpy()
    np.testing.assert_array_equal(schema._equal(first, second, distinct), expected)
    vocabulary = ("head_of_state", "minister", "MNG")
    known = schema._isin(first, vocabulary, distinct["actor"])
    by_cell = [isinstance(v, str) and v in vocabulary for v in first]
    np.testing.assert_array_equal(known, by_cell)
    unknown = first.notna().to_numpy() & ~known
    got = schema._categorical(first, vocabulary, unknown, distinct["actor"])
    reference = pd.Categorical(
        [v if ok else None for v, ok in zip(first, by_cell, strict=True)],
        categories=list(vocabulary),
    )
    pd.testing.assert_extension_array_equal(got, reference)


def test_a_validated_tables_attributes_are_shared_by_the_frames_derived_from_it(good_events):
    """pandas deep-copies ``attrs`` into every derived frame; the vocabularies and extra
    codes are immutable, so the copy is the value itself (thousands of extra codes were
    copied once per operation on every partition)."""
    import copy

    table = pz.validate_events(good_events, extra_codes=[f"X{a}{b}" for a in "AB" for b in "CD"])
    codes = table.attrs["periodize_extra_codes"]
    assert list(codes) == ["XAC", "XAD", "XBC", "XBD"]
    assert copy.deepcopy(codes) is codes
    derived = table[table["year"] > 0].head(2)
    assert derived.attrs["periodize_extra_codes"] is codes
    assert (
        derived.attrs["periodize_vocabularies"]["kind"]
        is table.attrs["periodize_vocabularies"]["kind"]
    )
    again = pz.validate_events(derived)  # what it carries is read back as before
    assert list(again.attrs["periodize_extra_codes"]) == list(codes)


def test_text_ids_are_kept_without_a_copy_unless_a_slice_would_hold_a_larger_buffer():
    """Ids read as slices of shared buffers (a Parquet file's pages), which together use
    them all, are kept as they are; a few rows sliced from a large buffer are copied, so
    the table does not keep the large buffer alive."""
    import pyarrow as pa

    n = 3_000
    frame = pd.DataFrame(
        {
            "date": ["2001-02-03"] * n,
            "actor": ["MNG"] * n,
            "target": ["KAZ"] * n,
            "level": ["head_of_state"] * n,
            "kind": ["working_visit"] * n,
        }
    )
    ids = pa.array([f"id-{i}" for i in range(n)], type=pa.large_string())
    pages = pa.chunked_array([ids.slice(a, 1_000) for a in (0, 1_000, 2_000)])
    frame["event_id"] = pd.arrays.ArrowStringArray(pages)
    kept = pz.validate_events(frame)["event_id"].array._pa_array
    data = {chunk.buffers()[2].address for chunk in kept.chunks}
    assert data == {ids.buffers()[2].address}  # the same bytes, no copy

    few = frame.iloc[:10].copy()
    few["event_id"] = pd.arrays.ArrowStringArray(pa.chunked_array([ids.slice(5, 10)]))
    taken = pz.validate_events(few)["event_id"].array._pa_array
    held = sum(chunk.get_total_buffer_size() for chunk in taken.chunks)
    assert held < 2 * taken.nbytes < ids.get_total_buffer_size() / 10
    assert taken.to_pylist() == [f"id-{i}" for i in range(5, 15)]
