"""robustness: leave-one-event-out equals re-running the analysis, the envelope respects the
declared order, and every variation is reported."""

import itertools
import json

import numpy as np
import pytest

import periodize as pz
from periodize.exceptions import ParameterError
from periodize.intensity import SCHEMES


@pytest.fixture(scope="module")
def events():
    return pz.datasets.mongolia_kazakhstan()


@pytest.fixture(scope="module")
def result(events):
    return pz.robustness(events, (2009, 2019), n_sim=99, rng=4, envelope_draws=60)


@pytest.mark.parametrize(
    "event_id", ["mk-1992-tereshchenko", "mk-2015-sagintayev", "mk-2025-amarbayasgalan"]
)
def test_leave_one_out_equals_rerunning_on_the_reduced_table(events, result, event_id):
    reduced = events[events["event_id"] != event_id]
    series = pz.intensity(reduced, by=None, start=1992, end=2025).data.rename(
        columns={"all": event_id}
    )
    rerun = pz.test_periodization(series, (2009, 2019), n_sim=99, rng=4)
    row = result.table.loc[("leave_one_out", event_id)]
    assert row["estimated"] == tuple(rerun.boundaries["estimated"])
    for test, p in rerun.tests.items():
        assert row[f"p_{test}"] == pytest.approx(p.pvalue)
    assert row["total"] == len(reduced)
    assert row["bic_breaks"] == pz.segment(series, penalty="bic").n_breaks


def test_influential_events_are_those_that_move_the_estimate(result):
    loo = result.table.loc["leave_one_out"]
    baseline = result.table.loc[("baseline", "baseline")]
    moved = loo[
        (loo["estimated"] != baseline["estimated"]) | (loo["bic_breaks"] != baseline["bic_breaks"])
    ]
    assert list(result.influential.index) == list(moved.index)
    assert len(loo) == 26


def test_envelope_respects_the_declared_order_in_every_draw(result):
    env = result.envelope
    assert len(env) == 60
    scheme = SCHEMES["protocol"]
    for order in (scheme.level_order, scheme.kind_order):
        tiers = [[env[f"w_{name}"].to_numpy() for name in tier] for tier in order]
        for tier in tiers:
            for member in tier[1:]:
                np.testing.assert_array_equal(member, tier[0])  # equal within a tier
        for higher, lower in itertools.pairwise(tiers):
            assert np.all(higher[0] > lower[0])  # strictly above the next tier
    summary = result.envelope_summary()
    assert summary["share_optimal"].sum() == pytest.approx(1.0)


def test_every_variation_is_reported(result):
    groups = set(result.table.index.get_level_values("group"))
    assert groups == {
        "baseline",
        "leave_one_out",
        "scheme",
        "window",
        "min_size",
        "model",
        "multilateral",
    }
    assert set(result.table.loc["scheme"].index) == {"goldstein", "copdab", "protocol"}
    assert result.table.loc[("scheme", "protocol"), "model"] == "quasipoisson"
    windows = result.table.loc["window"]["window"].tolist()
    assert "1995–2025" in windows and "1992–2022" in windows
    assert result.table.loc[("multilateral", "without multilateral"), "total"] == 20
    text = str(result)
    assert "Leave one event out (26 events)" in text and "weight envelope" in text
    data = json.loads(result.to_json())
    assert data["envelope"]["draws"] == 60


def test_a_variant_that_breaks_the_hypothesis_says_so(events):
    result = pz.robustness(
        events, (2009, 2019), n_sim=99, envelope_draws=0, truncations=(), min_sizes=(3, 8)
    )
    row = result.table.loc[("min_size", "min_size 8")]
    assert row["note"].startswith("not computed") and "shorter than min_size=8" in row["note"]


def test_bad_parameters(events):
    with pytest.raises(ParameterError, match="'n_sim'"):
        pz.robustness(events, (2009, 2019), n_sim=10)
    with pytest.raises(ParameterError, match="'alpha'"):
        pz.robustness(events, (2009, 2019), n_sim=99, alpha=2)
