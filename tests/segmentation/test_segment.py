"""segment(): conventions, result object, and every bad-input path."""

import json

import numpy as np
import pandas as pd
import pytest

import periodize as pz
from periodize.exceptions import ParameterError, PeriodizeTypeError

YEARS = pd.RangeIndex(1992, 2026, name="year")
#: A hand-made series: rate 2 in 1992-2008, 0 in 2009-2018, 3 in 2019-2025.
STEPS = pd.Series([2.0] * 17 + [0.0] * 10 + [3.0] * 7, index=YEARS, name="visits")


def test_conventions_on_a_hand_made_series():
    fit = pz.segment(STEPS, n_breaks=2)
    assert fit.boundaries == (2009, 2019)
    assert fit.last_years == (2008, 2018)
    assert fit.indices == (17, 27)
    table = fit.to_frame()
    assert table["first"].tolist() == [1992, 2009, 2019]
    assert table["last"].tolist() == [2008, 2018, 2025]
    assert table["n"].tolist() == [17, 10, 7]
    assert table["estimate"].tolist() == [2.0, 0.0, 3.0]


def test_penalised_search_finds_the_same_periods_and_bic_path():
    fit = pz.segment(STEPS, penalty="bic")
    assert fit.boundaries == (2009, 2019)
    assert fit.bic.iloc[0].idxmin() == 2
    assert fit.costs.shape[1] == 34 // 3
    assert fit.penalty["name"] == "bic"


def test_loglik_of_the_fit_is_poisson_by_hand():
    from scipy import stats

    fit = pz.segment(STEPS, n_breaks=2)
    by_hand = sum(
        stats.poisson.logpmf(STEPS.loc[a:b], STEPS.loc[a:b].mean()).sum()
        for a, b in [(1992, 2008), (2009, 2018), (2019, 2025)]
    )
    assert fit.loglik.iloc[0] == pytest.approx(by_hand)


def test_many_series_give_dicts():
    frame = pd.DataFrame({"a": STEPS, "b": STEPS[::-1].to_numpy()}, index=YEARS)
    fit = pz.segment(frame, n_breaks=2)
    assert fit.by_series["boundaries"].to_dict() == {"a": (2009, 2019), "b": (1999, 2009)}
    assert set(fit.to_frame().index.get_level_values("series")) == {"a", "b"}


def test_weighted_intensity_uses_quasipoisson():
    series = pz.intensity(pz.datasets.mongolia_kazakhstan(), "goldstein")
    fit = pz.segment(series, n_breaks=2)
    assert fit.model == "quasipoisson"
    assert "dispersion" in fit.nuisance.columns
    with pytest.raises(
        ParameterError, match=r"integer counts for the poisson model.*quasipoisson"
    ):
        pz.segment(series.data, n_breaks=2, model="poisson")


def test_json_summary_and_plot(tmp_path):
    fit = pz.segment(STEPS, n_breaks=2)
    data = json.loads(fit.to_json())
    entry = data["series"][0]
    assert entry["boundaries"] == [2009, 2019] and entry["last_years"] == [2008, 2018]
    assert data["provenance"]["parameters"]["model"] == "quasipoisson"  # counts, model auto
    assert data["choice"]["model_reason"].endswith("non-negative integer: counts")
    assert data["choice"]["rule"] == "number of breaks given"
    assert fit.to_json() == pz.segment(STEPS.copy(), n_breaks=2).to_json()
    text = str(fit)
    assert "new periods start in 2009, 2019" in text
    import matplotlib

    matplotlib.use("Agg")
    figure = fit.plot()
    figure.savefig(tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 0


def test_period_index_and_dates():
    quarters = pd.Series(STEPS.to_numpy(), index=pd.period_range("2000Q1", periods=34, freq="Q"))
    assert pz.segment(quarters, n_breaks=2).boundaries == ("2004Q2", "2006Q4")


# --- bad input: each a specific error naming the parameter ---------------------------------


@pytest.mark.parametrize(
    ("values", "model", "match"),
    [
        ([1.0, np.nan, 2.0, 3.0, 1.0, 2.0], "poisson", "finite values.*nan"),
        ([1.0, np.inf, 2.0, 3.0, 1.0, 2.0], "normal", "finite values.*inf"),
        ([1.0, -1.0, 2.0, 3.0, 1.0, 2.0], "negbin", "non-negative values for 'negbin'"),
        ([1.0, 1.5, 2.0, 3.0, 1.0, 2.0], "poisson", "integer counts for the poisson model"),
    ],
)
def test_bad_values(values, model, match):
    with pytest.raises(ParameterError, match=match):
        pz.segment(values, n_breaks=1, model=model, min_size=2)


def test_series_too_short_for_k_and_min_size():
    with pytest.raises(ParameterError, match=r"at most 1 for 7 periods with min_size=3"):
        pz.segment(np.ones(7), n_breaks=2)
    with pytest.raises(ParameterError, match=r"fewer than min_size=3"):
        pz.segment(np.ones(2), penalty="bic")


def test_bad_parameters():
    y = np.ones(12)
    with pytest.raises(
        ParameterError, match=r"'n_breaks' parameter of segment must be an integer >= 0"
    ):
        pz.segment(y, n_breaks=-1)
    with pytest.raises(PeriodizeTypeError, match=r"'n_breaks' parameter.*integer"):
        pz.segment(y, n_breaks=1.5)
    with pytest.raises(
        ParameterError, match=r"'min_size' parameter of segment must be an integer >= 1"
    ):
        pz.segment(y, n_breaks=1, min_size=0)
    with pytest.raises(ParameterError, match=r"'min_size'.*>= 2"):
        pz.segment(y, n_breaks=1, model="normal_meanvar", min_size=1)
    with pytest.raises(ParameterError, match=r"'model' parameter of segment must be one of"):
        pz.segment(y, n_breaks=1, model="gauss")
    with pytest.raises(ParameterError, match=r"'penalty'.*one of .*'bic'.*Got 'bci'"):
        pz.segment(y, penalty="bci")
    with pytest.raises(ParameterError, match=r"'penalty'.*non-negative number. Got -1"):
        pz.segment(y, penalty=-1)
    with pytest.raises(ParameterError, match=r"'penalty'.*non-negative number. Got array"):
        pz.segment(y, penalty=np.array([1.0]))
    with pytest.raises(ParameterError, match=r"'n_breaks' .* or 'penalty' .*, not both"):
        pz.segment(y, n_breaks=1, penalty="bic")
    with pytest.raises(ParameterError, match=r"model 'normal_meanvar' takes n_breaks"):
        pz.segment(y, model="normal_meanvar")
    with pytest.raises(ParameterError, match=r"'auto' runs the exact searches; method"):
        pz.segment(y, model="normal", method="ruptures.Binseg")
    with pytest.raises(ParameterError, match=r"'method' parameter"):
        pz.segment(y, n_breaks=1, method="binseg")


def test_bad_time_index():
    gap = pd.Series(np.ones(9), index=[2000, 2001, 2002, 2004, 2005, 2006, 2007, 2008, 2009])
    with pytest.raises(ParameterError, match=r"2002 is followed by 2004"):
        pz.segment(gap, n_breaks=1)
    dup = pd.Series(np.ones(9), index=[2000, 2001, 2001, 2002, 2003, 2004, 2005, 2006, 2007])
    with pytest.raises(ParameterError, match=r"duplicate periods: \[2001\]"):
        pz.segment(dup, n_breaks=1)


def test_bad_series_types():
    with pytest.raises(PeriodizeTypeError, match=r"must be real numbers"):
        pz.segment(pd.DataFrame({"a": list("abcdef")}), n_breaks=1, min_size=2)
    with pytest.raises(PeriodizeTypeError, match=r"IntensitySeries, DataFrame, Series or array"):
        pz.segment("1,2,3", n_breaks=1)
    with pytest.raises(ParameterError, match=r"1-D or 2-D"):
        pz.segment(np.ones((2, 2, 2)), n_breaks=1)


def test_two_columns_of_one_name_are_refused_not_merged():
    values = np.arange(24.0).reshape(12, 2)
    frame = pd.DataFrame(values, columns=["MNG->KAZ", "MNG->KAZ"])
    with pytest.raises(ParameterError, match=r"two or more columns \['MNG->KAZ'\]"):
        pz.segment(frame, n_breaks=1)
    clash = pd.DataFrame(values, columns=[1, "1"])  # distinct labels, one name as text
    with pytest.raises(ParameterError, match=r"two or more columns \['1'\]"):
        pz.test_periodization(clash, boundaries=[5], n_sim=19, rng=0)


def test_results_do_not_alias_the_callers_array():
    rng = np.random.default_rng(0)
    y = np.asfortranarray(rng.poisson(2.0, (30, 3)).astype(float))
    fit = pz.segment(y, n_breaks=1)
    before = fit.values.copy()
    y[:] = -1.0
    assert np.array_equal(fit.values, before)
    assert fit.estimates["estimate"].min() >= 0  # built later, from the copy


def test_normal_models_give_the_same_answers_in_any_units_or_refuse():
    rng = np.random.default_rng(1)
    y = np.r_[rng.normal(0, 1, 15), rng.normal(3, 1, 15)]
    answers = set()
    for scale in (1.0, 1e90, 1e-90):  # within the stated range: unit-free results
        fit = pz.segment(y * scale, model="normal", n_breaks=1)
        test = pz.test_periodization(y * scale, boundaries=[15], model="normal", n_sim=99, rng=0)
        table = test.test_table().select_dtypes("number").round(9)
        answers.add((fit.boundaries, fit.identified, table.to_numpy().tobytes()))
    assert len(answers) == 1
    for scale in (1e200, 1e-200):  # squares would overflow or underflow: refused, not wrong
        with pytest.raises(ParameterError, match=r"divide the series by a power of ten"):
            pz.segment(y * scale, model="normal", n_breaks=1)
    flat = pz.segment(np.full(20, 1e250), model="normal", n_breaks=1)  # no spread: accepted
    assert flat.identified is False


def test_plot_draws_every_series_or_the_one_asked_for():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = pd.DataFrame(
        {"a": STEPS.to_numpy(), "b": STEPS.to_numpy()[::-1], "c": np.ones(len(STEPS))},
        index=STEPS.index,
    )
    fit = pz.segment(frame, n_breaks=1)
    figure = fit.plot()
    titles = [axis.get_title() for axis in figure.axes]
    assert [t.split(" ")[0] for t in titles] == ["a", "b", "c"]
    figure.canvas.draw()
    labels = [t.get_text() for t in figure.axes[-1].get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= 10 and set(labels) <= {str(y) for y in STEPS.index}
    _, ax = plt.subplots()
    assert fit.plot(ax=ax, series="b") is ax and ax.get_title().startswith("b ")
    with pytest.raises(ParameterError, match=r"draws one series on the Axes given.*series="):
        fit.plot(ax=ax)
    with pytest.raises(ParameterError, match=r"must be one of the fit's series"):
        fit.plot(series="z")
    many = pz.segment(pd.DataFrame(np.ones((34, 13)), index=STEPS.index), n_breaks=1)
    with pytest.raises(ParameterError, match=r"at most 12 series.*Pass series="):
        many.plot()
    plt.close("all")
