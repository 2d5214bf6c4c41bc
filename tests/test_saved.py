"""Results written with ``save`` (and a study's ``result.json``) read back exactly by
``pz.load``; every way a file can be wrong is refused with its reason."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import periodize as pz
from periodize.saved import KEY, _decode, _encode


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rates = {"up": [2.0] * 9 + [7.0] * 9, "down": [6.0] * 11 + [1.5] * 7}
    return pd.DataFrame(
        {name: rng.poisson(r) for name, r in rates.items()}, index=range(2001, 2019)
    )


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    table, _ = pz.simulate_events(
        n_dyads=1, years=range(1990, 2016), boundaries=(2003,), rates=(0.6, 2.4), rng=5
    )
    return table


def _results(counts, events):
    series = pz.intensity(events)
    yield pz.segment(counts["up"], n_breaks=1, model="poisson")
    yield pz.segment(counts)  # the default rule, two series
    yield pz.segment(counts.assign(down=counts["down"] - 3.5), n_breaks=1, joint=True,
                     model={"up": "poisson", "down": "normal"})  # fmt: skip
    months = pd.period_range("2020-01", periods=30, freq="M")
    yield pz.segment(pd.Series(np.linspace(0, 1, 30) ** 2, index=months), n_breaks=2)
    yield pz.test_periodization(counts, boundaries=(2010,), n_sim=99, rng=1)
    yield pz.test_periodization(counts, boundaries=(2010,), n_sim=99, rng=1, joint=True)
    yield pz.compare_periodizations(counts, {"a": (2010,), "b": (2012,)}, n_sim=99, rng=2)
    yield pz.posterior(counts, max_breaks=2, hypothesis=(2010,))
    yield pz.posterior(counts, max_breaks=2, hypothesis=(2010,), joint=True)
    yield pz.monitor(counts, since=2015, n_sim=99, rng=3)
    yield series
    yield pz.explore(events, title="simulated dyad")
    yield pz.robustness(events, (2003,), n_sim=99, rng=4, envelope_draws=0)
    yield pz.power(range(1990, 2010), (2000,), (1.0, 2.0), (2.0,), n_rep=20, n_null=99, rng=5)


def test_every_result_reads_back_exactly(counts, events, tmp_path):
    for i, result in enumerate(_results(counts, events)):
        path = result.save(tmp_path / f"{i}.json")
        back = pz.load(path)
        assert type(back) is type(result)
        assert back.to_json() == result.to_json()
        assert back.summary() == result.summary()
        assert repr(back) == repr(result)
        if hasattr(result, "to_frame"):
            pd.testing.assert_frame_equal(back.to_frame(), result.to_frame(), check_exact=True)
        # the file is the readable JSON plus the state, written the same way twice
        data = json.loads(path.read_text())
        assert {k: v for k, v in data.items() if k != KEY} == json.loads(result.to_json())
        assert back.save(tmp_path / f"{i}-again.json").read_bytes() == path.read_bytes()


def test_a_segmentation_read_back_keeps_values_and_plots(counts, tmp_path):
    fit = pz.segment(counts, n_breaks=1, model="poisson")
    back = pz.load(fit.save(tmp_path / "fit.json"))
    np.testing.assert_array_equal(back.values, fit.values)
    assert back.index.equals(fit.index) and back.index.dtype == fit.index.dtype
    assert back.by_series.equals(fit.by_series)
    pd.testing.assert_frame_equal(back.diagnostics, fit.diagnostics, check_exact=True)
    import matplotlib

    matplotlib.use("Agg")
    assert len(back.plot().axes) == 2


def test_a_written_study_result_json_reads_back(events, tmp_path):
    study = pz.study(events, {"h": (2003,)}, n_sim=99, envelope_draws=50, rng=0, title="simulated")
    paths = study.write(tmp_path / "out")
    back = pz.load(paths["result.json"])
    assert isinstance(back, pz.Study)
    assert back.to_json() == study.to_json()
    assert back.summary() == study.summary()
    assert back.files()["report.md"] == study.files()["report.md"]
    pd.testing.assert_frame_equal(back.events, study.events, check_exact=True)


def test_save_refuses_to_overwrite_unless_told(counts, tmp_path):
    fit = pz.segment(counts["up"], n_breaks=1, model="poisson")
    path = fit.save(tmp_path / "fit.json")
    before = path.read_bytes()
    with pytest.raises(pz.ParameterError, match="exists; pass overwrite=True"):
        pz.segment(counts["down"], n_breaks=1, model="poisson").save(path)
    assert path.read_bytes() == before
    pz.segment(counts["down"], n_breaks=1, model="poisson").save(path, overwrite=True)
    assert pz.load(path).names == ("down",)


def test_bad_files_are_refused_with_their_reason(counts, tmp_path):
    fit = pz.segment(counts["up"], n_breaks=1, model="poisson")
    good = json.loads(fit.save(tmp_path / "fit.json").read_text())

    def written(name, text):
        path = tmp_path / name
        path.write_text(text)
        return path

    cases = {
        "missing": (tmp_path / "none.json", "does not exist"),
        "folder": (tmp_path, "is not a saved result"),
        "not json": (written("a.json", "{oops"), "not JSON"),
        "readable only": (written("b.json", fit.to_json()), "written by to_json()"),
        "a list": (written("c.json", "[1, 2]"), "holds no 'periodize_restore' key"),
    }
    future = dict(good, **{KEY: dict(good[KEY], format=99)})
    cases["format"] = (written("d.json", json.dumps(future)), "format 99")
    edited = dict(good, model="normal")
    cases["edited"] = (written("e.json", json.dumps(edited)), "does not match")
    foreign = json.loads(json.dumps(good))
    foreign[KEY]["state"]["~object"]["type"] = "os:system"
    cases["foreign type"] = (written("f.json", json.dumps(foreign)), "not one of periodize's")
    not_result = json.loads(json.dumps(good))
    not_result[KEY]["state"] = {"~object": {"type": "periodize.saved:Stored", "fields": {}}}
    cases["not a result"] = (written("g.json", json.dumps(not_result)), "not a result type")
    unknown = json.loads(json.dumps(good))
    unknown[KEY]["state"] = {"~pickle": "..."}
    cases["unknown tag"] = (written("h.json", json.dumps(unknown)), "unknown entry '~pickle'")
    damaged = json.loads(json.dumps(good))
    del damaged[KEY]["state"]["~object"]["fields"]["index"]["~index"]["range"]
    cases["damaged"] = (written("i.json", json.dumps(damaged)), "saved state is damaged")
    for name, (path, message) in cases.items():
        with pytest.raises(pz.ParameterError, match=message):
            pz.load(path)
        assert name


_texts = st.one_of(st.none(), st.text(max_size=5))
_floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 6), data=st.data())
def test_any_table_round_trips_with_its_dtypes(n, data):
    """Every column kind the results hold comes back with the same values and dtype."""

    def column(elements):
        return data.draw(st.lists(elements, min_size=n, max_size=n))

    mixed = st.one_of(st.none(), st.tuples(st.integers()), st.text(max_size=3), _floats)
    frame = pd.DataFrame(
        {
            "int": data.draw(hnp.arrays(np.int64, n)),
            "float": data.draw(hnp.arrays(np.float64, n, elements=_floats)),
            "bool": data.draw(hnp.arrays(np.bool_, n)),
            "nullable": pd.array(column(st.one_of(st.none(), st.integers(-5, 5))), dtype="Int64"),
            "text": pd.array(column(_texts), dtype="string"),
            "str": pd.Series(column(_texts), dtype="str"),
            "object": pd.Series(column(mixed), dtype=object),
            "category": pd.Categorical(
                column(st.sampled_from(["a", "b", None])), categories=["b", "a", "z"]
            ),
            "period": pd.period_range("1999", periods=n, freq="Y"),
            "date": pd.date_range("2020-01-01", periods=n, freq="D", tz="Europe/Paris"),
        },
        index=pd.MultiIndex.from_arrays(
            [[f"s{i % 2}" for i in range(n)], range(n)], names=["series", "k"]
        ),
    )
    frame.attrs["note"] = {"by": ("x", 1)}
    back = _decode(json.loads(json.dumps(_encode(frame), allow_nan=False)))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back.dtypes.equals(frame.dtypes)
    assert back.attrs == frame.attrs
    for column in ("float", "object"):  # NaN and None stay apart, infinities survive
        assert [repr(v) for v in back[column]] == [repr(v) for v in frame[column]]


def test_arrays_scalars_and_containers_round_trip():
    value = {
        ("a", 1): [np.float32(1.5), np.int8(-3), np.bool_(True), float("-inf")],
        "array": np.arange(6, dtype=np.uint16).reshape(2, 3),
        "objects": np.array([(1, 2), None, "x"], dtype=object),
        "period": pd.Period("2001-03", freq="M"),
        "stamp": pd.Timestamp("2001-03-04 05:06", tz="UTC"),
        "na": pd.NA,
        "index": pd.Index([3, 1, 2], name="year"),
        "range": pd.RangeIndex(1990, 2000, 3),
        "series": pd.Series([1.0, np.nan], index=["p", "q"], name="s"),
    }
    back = _decode(json.loads(json.dumps(_encode(value), allow_nan=False)))
    assert list(back) == list(value)
    assert [type(v) for v in back[("a", 1)]] == [type(v) for v in value[("a", 1)]]
    assert back[("a", 1)] == value[("a", 1)]
    np.testing.assert_array_equal(back["array"], value["array"])
    assert back["array"].dtype == np.uint16
    assert back["objects"].tolist() == value["objects"].tolist()
    assert back["period"] == value["period"] and back["stamp"] == value["stamp"]
    assert back["na"] is pd.NA
    assert back["index"].equals(value["index"]) and back["index"].name == "year"
    assert isinstance(back["range"], pd.RangeIndex) and back["range"].equals(value["range"])
    pd.testing.assert_series_equal(back["series"], value["series"])


def test_an_unsavable_value_is_named():
    with pytest.raises(TypeError, match="cannot save a value of type complex"):
        _encode(1j)


def test_one_series_shortcuts_warn_on_several_and_match_the_tables(counts):
    """``by_series``, ``test_table()`` and ``k_probabilities_table`` have one shape for one
    series or many; the shortcuts keep their one-series values and warn on several."""
    both = pz.segment(counts, n_breaks=1, model="poisson")
    for name in counts.columns:
        alone = pz.segment(counts[name], n_breaks=1, model="poisson")
        assert both.by_series.loc[name, "boundaries"] == alone.boundaries
        assert alone.by_series.loc[name, "boundaries"] == alone.boundaries
        assert type(alone.n_breaks) is int and type(alone.identified) is bool
    for attribute in ("boundaries", "last_years", "indices", "n_breaks", "identified"):
        with pytest.warns(FutureWarning, match=f"fit.by_series\\['{attribute}'\\]"):
            shortcut = getattr(both, attribute)
        assert shortcut == both.by_series[attribute].to_dict()
    tested = pz.test_periodization(counts, boundaries=(2010,), n_sim=99, rng=0)
    with pytest.warns(FutureWarning, match=r"test.test_table\(\)"):
        by_name = tested.tests
    assert by_name["up"]["hypothesis_vs_none"].pvalue == tested.pvalues["up", "hypothesis_vs_none"]
    post = pz.posterior(counts, max_breaks=2)
    with pytest.warns(FutureWarning, match="post.k_probabilities_table"):
        table = post.k_probabilities
    assert table.equals(post.k_probabilities_table)
