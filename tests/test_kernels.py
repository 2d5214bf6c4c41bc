"""Each compiled kernel is compiled once per dtype, whatever the layout and the
writability of the arrays handed to it (read-only arrays are a type of their own to numba:
every combination would be another compilation of several seconds)."""

import numpy as np

from periodize._kernels import frozen
from periodize.inference import dependence
from periodize.segmentation.costs import negbin_offset


def read_only(array: np.ndarray) -> np.ndarray:
    out = array.copy()
    out.flags.writeable = False
    return out


def test_frozen_is_a_read_only_c_view_and_copies_only_to_convert():
    x = np.arange(6.0).reshape(2, 3)
    assert np.shares_memory(frozen(x), x) and not frozen(x).flags.writeable
    assert x.flags.writeable  # the caller's array is left writable
    converted = frozen(x.T)  # Fortran order: a C copy
    assert converted.flags.c_contiguous and not np.shares_memory(converted, x)
    np.testing.assert_array_equal(converted, x.T)
    assert frozen([1, 2], np.int64).dtype == np.int64


def test_negbin_segments_compile_once_for_any_input_arrays():
    rng = np.random.default_rng(3)
    values = rng.poisson(4.0, (3, 12)).astype(float)
    exposure, alpha = np.ones_like(values), np.full(3, 0.2)
    starts, ends = np.array([[0, 6]] * 3), np.array([[6, 12]] * 3)
    expected = negbin_offset.fit_segments(values, exposure, alpha, starts, ends)
    compiled = len(negbin_offset._every_segment.signatures)
    variants = [
        (read_only(values), exposure, alpha, starts, ends),
        (values, read_only(exposure), read_only(alpha), read_only(starts), ends),
        (np.asfortranarray(values), exposure, alpha, np.array([0, 6]), np.array([6, 12])),
    ]
    for arguments in variants:
        for got, want in zip(negbin_offset.fit_segments(*arguments), expected, strict=True):
            np.testing.assert_array_equal(got, want)
    assert len(negbin_offset._every_segment.signatures) == compiled


def test_count_scores_compile_once_for_any_input_arrays():
    rng = np.random.default_rng(4)
    values = rng.poisson(3.0, (4, 20)).astype(float)
    means = np.full_like(values, 3.0)
    spread = np.full((4, 1), 0.3)
    expected = dependence.normal_scores("negbin", values, means, spread)
    compiled = len(dependence._mid_distribution.signatures)
    for arguments in [
        (read_only(values), means, spread),
        (np.asfortranarray(values), read_only(means), spread),
        (values[:, ::1], np.broadcast_to(means[:1], values.shape), read_only(spread)),
    ]:
        np.testing.assert_array_equal(dependence.normal_scores("negbin", *arguments), expected)
    assert len(dependence._mid_distribution.signatures) == compiled
