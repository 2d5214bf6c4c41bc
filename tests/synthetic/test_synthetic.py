"""Synthetic events: deterministic, chunk-independent, consistent with their truth; power."""

import numpy as np
import pytest

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.synthetic import stream_intensity

YEARS = range(2000, 2020)


def test_same_seed_same_events_whatever_the_chunk_size():
    whole, _ = pz.simulate_events(300, YEARS, (2010,), base_rate=3, columnar=True, rng=4)
    for chunk in (1, 64, 100, 1000):
        parts, _ = pz.simulate_events(
            300, YEARS, (2010,), base_rate=3, columnar=True, rng=4, stream=True, chunk_dyads=chunk
        )
        parts = list(parts)
        for field in ("dyad", "period", "level", "kind", "documents"):
            np.testing.assert_array_equal(
                getattr(whole, field), np.concatenate([getattr(p, field) for p in parts])
            )
    other, _ = pz.simulate_events(300, YEARS, (2010,), base_rate=3, columnar=True, rng=5)
    assert len(other) != len(whole) or not np.array_equal(other.period, whole.period)


def test_tables_are_valid_events_and_match_the_columns():
    events, truth = pz.simulate_events(5, YEARS, (2010,), base_rate=2, rng=1)
    columns, _ = pz.simulate_events(5, YEARS, (2010,), base_rate=2, rng=1, columnar=True)
    assert len(events) == len(columns) and set(truth["dyad"]) == {
        "-".join(sorted(pair)) for pair in zip(events["actor"], events["target"], strict=True)
    }
    by_table = pz.intensity(events, by="dyad", start=2000, end=2019).data
    by_columns = stream_intensity(iter([columns]), 5, 20)
    np.testing.assert_array_equal(by_table.to_numpy(), by_columns)


def test_counts_follow_the_true_rates():
    columns, truth = pz.simulate_events(
        2000, YEARS, (2008, 2014), base_rate=2.0, rate_ratios=(0.25, 6.0), columnar=True, rng=2
    )
    assert truth["rates"].iloc[0] == (2.0, 0.5, 3.0)
    counts = stream_intensity(iter([columns]), 2000, 20)
    per_year = counts.mean(axis=1)
    np.testing.assert_allclose(per_year[:8], 2.0, rtol=0.05)
    np.testing.assert_allclose(per_year[8:14], 0.5, rtol=0.08)
    np.testing.assert_allclose(per_year[14:], 3.0, rtol=0.05)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"boundaries": (1999,)}, "'boundaries'"),
        ({"boundaries": (2010,), "rate_ratios": (1.0, 2.0)}, "one ratio per boundary"),
        ({"boundaries": (2010,), "rates": (1.0, -2.0)}, "non-negative finite rate"),
        ({"level_mix": {"king": 1.0}}, "'level_mix'"),
        ({"years": [2000, 2002]}, "consecutive years"),
    ],
)
def test_bad_parameters(kwargs, match):
    arguments = {"n_dyads": 2, "years": YEARS, "boundaries": (2010,), **kwargs}
    with pytest.raises(ParameterError, match=match):
        pz.simulate_events(**arguments)


def test_power_is_at_the_level_without_change_and_grows_with_the_rate():
    flat = pz.power(YEARS, (2010,), [2.0], (1.0,), n_rep=1500, n_null=3000, rng=1)
    assert flat.table["power"].iloc[0] == pytest.approx(0.05, abs=0.02)
    curve = pz.power(YEARS, (2010,), [0.5, 2.0, 8.0], (3.0,), n_rep=600, n_null=1500, rng=1)
    powers = curve.table["power"].to_numpy()
    assert powers[0] < powers[1] < powers[2] and powers[2] > 0.99
    assert curve.table["found_1"].iloc[-1] > 0.8
    assert "Power of the test" in str(curve)


def test_power_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    result = pz.power(YEARS, (2010,), [1.0, 4.0], (3.0,), n_rep=100, n_null=200, rng=0)
    result.plot().savefig(tmp_path / "power.png")
    assert (tmp_path / "power.png").stat().st_size > 0
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert result.plot(ax=ax) is ax and ax.get_title() == "Power of the design"
    plt.close("all")


def test_power_errors_name_power():
    with pytest.raises(ParameterError, match="parameter of power must be increasing years"):
        pz.power(YEARS, (1990,), [1.0], (2.0,), n_rep=10, n_null=99)
    with pytest.raises(ParameterError, match="'rate_ratios' parameter of power"):
        pz.power(YEARS, (2010,), [1.0], (2.0, 3.0), n_rep=10, n_null=99)
