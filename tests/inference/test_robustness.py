"""robustness: leave-one-event-out equals re-running the analysis, the envelope respects the
declared order, and every variation is reported."""

import itertools
import json

import numpy as np
import pandas as pd
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
    assert row["breaks_found"] == pz.segment(series, model="poisson").n_breaks


def test_moved_and_flips_follow_their_definitions():
    """On a dyad that is not the bundled one: `moved` is an estimated boundary outside the
    baseline's likelihood-ratio set (recomputed by test_periodization), `flips` the test
    against no change on the other side of alpha; the influential events are the
    leave-one-out rows with either."""
    events, _ = pz.simulate_events(
        n_dyads=1, years=range(1990, 2016), boundaries=(2000, 2008), rates=(0.6, 1.6, 0.5), rng=11
    )
    result = pz.robustness(events, (2000, 2008), n_sim=99, rng=2, envelope_draws=0)
    base = pz.test_periodization(pz.intensity(events), (2000, 2008), n_sim=99, rng=2)
    sets = base.boundaries["profile_set"].tolist()
    baseline_rejects = base.tests["hypothesis_vs_none"].pvalue <= 0.05
    table = result.table[result.table["estimated"].notna()]
    for (group, variant), row in table.iterrows():
        outside = any(year not in s for year, s in zip(row["estimated"], sets, strict=True))
        assert row["moved"] == outside, (group, variant)
        assert row["flips"] == ((row["p_hypothesis_vs_none"] <= 0.05) != baseline_rejects)
    loo = table.loc["leave_one_out"]
    assert list(result.influential.index) == list(loo[loo["moved"] | loo["flips"]].index)
    assert result.changing().index.equals(table[table["moved"] | table["flips"]].index)


def test_a_sharp_change_has_no_influential_event():
    events, _ = pz.simulate_events(
        n_dyads=1, years=range(1990, 2016), boundaries=(2003,), rates=(0.3, 6.0), rng=5
    )
    result = pz.robustness(events, (2003,), n_sim=99, rng=0, envelope_draws=0)
    assert result.table.loc[("baseline", "baseline"), "estimated"] == (2003,)
    assert result.influential.empty
    assert not result.table["moved"].any()


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
        "dependence",
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


def test_the_dependence_variant_is_the_independent_null(events, result):
    """The variant 'dependence independent' is the baseline's test with the periods drawn
    independently: the same numbers as test_periodization with dependence='independent'."""
    series = pz.intensity(events)
    alone = pz.test_periodization(series, (2009, 2019), n_sim=99, rng=4, dependence="independent")
    row = result.table.loc[("dependence", "dependence independent")]
    for test in ("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis"):
        assert row[f"p_{test}"] == alone.tests[test].pvalue
    assert result.provenance.parameters["dependence"] == "auto"


def test_an_own_vocabulary_skips_what_it_cannot_rank_with_a_true_note():
    """Levels and kinds of one's own (an ambassador, a phone call): the schemes that do not
    weigh them and the protocol envelope, whose order does not rank them, are skipped with a
    note naming the values; everything else runs."""
    rows = []
    for year in range(1995, 2015):
        n = 1 if year < 2005 else 4
        rows += [(str(year), "ambassador" if k % 2 else "minister",
                  "phone_call" if k % 3 == 0 else "official_visit") for k in range(n)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["date", "level", "kind"]).assign(actor="CHL", target="ARG")
    events = pz.validate_events(
        frame, levels=["minister", "ambassador"], kinds=["official_visit", "phone_call"]
    )
    result = pz.robustness(events, [2005], n_sim=99, envelope_draws=20)
    notes = result.table.xs("scheme", level="group")["note"]
    assert (
        notes["copdab"]
        == "not computed: the events use level 'ambassador', which it does not weigh"
    )
    assert "kind 'phone_call'" in notes["goldstein"]
    assert result.envelope.empty
    assert "['ambassador', 'phone_call']" in result.envelope.attrs["note"]
    ran = result.table[result.table["p_hypothesis_vs_none"].notna()]
    assert {"baseline", "leave_one_out", "window", "min_size"} <= set(
        ran.index.get_level_values(0)
    )
