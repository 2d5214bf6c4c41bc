"""The Dask path gives the in-memory numbers: counts, boundaries, p-values, q-values; for
any partitioning and order; with a worker killed mid-run; bad rows named by file and line.
Run on a LocalCluster of 2 worker processes with 1 thread each."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import periodize as pz
from periodize.exceptions import EventSchemaError

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")
from periodize.distributed import panel, write_panel  # noqa: E402

YEARS, BOUNDARIES = range(1990, 2020), (2005, 2012)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def dyads(n: int) -> pd.DataFrame:
    """Events of ``n`` simulated dyads whose rates change at BOUNDARIES."""
    events, _ = pz.simulate_events(
        n, YEARS, BOUNDARIES, base_rate=1.5, rate_ratios=(2.5, 0.4), rng=11
    )
    return events


@pytest.fixture(scope="module")
def simulated():
    events = dyads(60)
    codes = sorted(set(events["actor"]) | set(events["target"]))
    return events, codes


def write_parts(events, folder, n_parts, suffix="csv", seed=0):
    shuffled = events.sample(frac=1, random_state=seed)
    for i in range(n_parts):
        pz.write_events(shuffled.iloc[i::n_parts], folder / f"part{i}.{suffix}")
    return str(folder / f"part*.{suffix}")


@pytest.mark.parametrize(
    ("n_parts", "suffix"),
    [
        pytest.param(1, "csv", marks=pytest.mark.slow),  # (the default run's time)
        (3, "parquet"),
        pytest.param(7, "jsonl", marks=pytest.mark.slow),
    ],
)
def test_dask_intensity_equals_in_memory_for_any_partitioning(
    client, simulated, tmp_path, n_parts, suffix
):
    events, codes = simulated
    pattern = write_parts(events, tmp_path, n_parts, suffix, seed=n_parts)
    lazy = pz.read_events(pattern, engine="dask", extra_codes=codes)
    assert lazy.npartitions == n_parts
    for scheme, by in (("count", "dyad"), ("protocol", "direction")):
        expected = pz.intensity(events, scheme, by=by)
        got = pz.intensity(lazy, scheme, by=by)
        pd.testing.assert_frame_equal(got.data, expected.data)
        assert got.n_events == expected.n_events == len(events)
        assert got.provenance.parameters["engine"] == "dask"


def test_digest_does_not_depend_on_partitions(client, simulated, tmp_path):
    events, codes = simulated
    digests = set()
    for n_parts in (2, 5):
        folder = tmp_path / str(n_parts)
        folder.mkdir()
        lazy = pz.read_events(write_parts(events, folder, n_parts, seed=n_parts),
                              engine="dask", extra_codes=codes)  # fmt: skip
        digests.add(pz.intensity(lazy).provenance.input_sha256)
    assert len(digests) == 1


@pytest.mark.slow
def test_panel_equals_in_memory_tests_and_bh_across_all_series(client, simulated, tmp_path):
    events, codes = simulated
    lazy = pz.read_events(write_parts(events, tmp_path, 4), engine="dask", extra_codes=codes)
    series = pz.intensity(lazy)
    result = panel(series, BOUNDARIES, n_sim=199, rng=5, batch_size=16, client=client)
    expected = pz.test_periodization(pz.intensity(events), boundaries=BOUNDARIES, n_sim=199, rng=5)
    table = expected.test_table()
    got = result.table.set_index(["series", "test"]).loc[table.index]
    np.testing.assert_allclose(got["statistic"], table["statistic"])
    np.testing.assert_allclose(got["pvalue"], table["pvalue"])
    np.testing.assert_allclose(got["qvalue_bh"], table["qvalue_bh"])
    fit = pz.segment(pz.intensity(events))  # the default rule, as the panel's
    found = {name: ",".join(map(str, b)) for name, b in fit.by_series["boundaries"].items()}
    assert result.table.groupby("series")["found"].first().to_dict() == found
    shared = pz.shared_boundary_test(pz.intensity(events), n_sim=199, rng=5)
    assert result.shared.pvalue == shared.pvalue
    one_batch = panel(series, BOUNDARIES, n_sim=199, rng=5, batch_size=1000)
    pd.testing.assert_frame_equal(one_batch.table, result.table)
    path = write_panel(result, tmp_path / "results.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), result.table)
    back = pz.load(result.save(tmp_path / "panel.json"))  # the result vocabulary
    assert back.to_json() == result.to_json() and str(back) == str(result)
    pd.testing.assert_frame_equal(back.to_frame(), result.table, check_exact=True)
    assert repr(result).startswith("<PanelResult: Panel of ") and "\n" not in repr(result)


@pytest.mark.slow
def test_a_killed_worker_does_not_change_the_result(client, simulated):
    events, _ = simulated
    series = pz.intensity(events)
    expected = panel(series, BOUNDARIES, n_sim=999, rng=3, batch_size=2)
    pids = client.run(os.getpid)

    def kill_one() -> None:
        time.sleep(1.0)
        os.kill(next(iter(pids.values())), signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    got = panel(series, BOUNDARIES, n_sim=999, rng=3, batch_size=2, client=client)
    killer.join()
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
    for _ in range(50):
        try:
            after = client.run(os.getpid)
            break
        except (OSError, distributed.comm.CommClosedError):
            time.sleep(0.2)
    assert after != pids  # a worker was replaced
    pd.testing.assert_frame_equal(got.table, expected.table)


def test_a_bad_row_is_named_by_file_and_line(client, simulated, tmp_path):
    events, codes = simulated
    write_parts(events, tmp_path, 3)
    bad = tmp_path / "part1.csv"
    lines = bad.read_text().splitlines()
    lines[5] = lines[5].replace(",", ",,", 1)  # a shifted row: its date moves to event_id
    lines[5] = "x" + lines[5][1:]
    bad.write_text("\n".join(lines) + "\n")
    lazy = pz.read_events(str(tmp_path / "part*.csv"), engine="dask", extra_codes=codes)
    with pytest.raises(EventSchemaError) as error:
        pz.intensity(lazy)
    assert error.value.source.endswith("part1.csv")
    assert {p.line for p in error.value.problems} == {6}


def test_filters_are_pushed_into_parquet_reads(client, simulated, tmp_path):
    events, codes = simulated
    pattern = write_parts(events, tmp_path, 3, "parquet")
    pair = sorted({*events["actor"].iloc[:1], *events["target"].iloc[:1]})
    lazy = pz.read_events(pattern, engine="dask", extra_codes=codes, countries=pair, start=2000,
                          end=2009)  # fmt: skip
    keep = events["actor"].isin(pair) & events["target"].isin(pair)
    keep &= events["year"].between(2000, 2009)
    expected = pz.intensity(events[keep.to_numpy()])
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, expected.data)


def test_cli_panel_writes_the_api_result(client, simulated, tmp_path, capsys):
    import json

    from periodize.cli import main

    events, codes = simulated
    pattern = write_parts(events, tmp_path, 3, "parquet")
    out = tmp_path / "results.parquet"
    argv = ["panel", pattern, "--hypothesis", "2005,2012", "--n-sim", "199", "--rng", "4",
            "--scheduler", client.scheduler.address, "--extra-codes", ",".join(codes),
            "-o", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["n_series"] == events.pipe(pz.intensity).data.shape[1]
    assert "dashboard:" in captured.err
    expected = panel(pz.intensity(events), BOUNDARIES, n_sim=199, rng=4)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected.table)
    assert main(argv) == 2  # the file exists
    assert "exists" in capsys.readouterr().err
    assert main([*argv[:-3], "-o", str(tmp_path / "results.csv")]) == 2
    assert ".parquet" in capsys.readouterr().err
    part = tmp_path / "part0.parquet"  # an input file as the output: refused even so
    before = part.read_bytes()
    assert main([*argv[:-3], "-o", str(part), "--force"]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert part.read_bytes() == before


def test_raw_dask_frames_and_a_missing_dask_are_explained(client, simulated, monkeypatch):
    import sys

    events, codes = simulated
    columns = ["date", "actor", "target", "level", "kind"]
    raw = pd.DataFrame({c: events[c].astype(str).to_numpy() for c in columns})  # no attrs
    lazy = dd.from_pandas(raw, npartitions=4)
    with pytest.raises(EventSchemaError, match="partition"):
        pz.intensity(lazy)  # simulated codes are not ISO: named with the partition
    frame = pz.validate_events(raw, extra_codes=codes)
    got = pz.intensity(dd.from_pandas(frame, npartitions=4))
    pd.testing.assert_frame_equal(got.data, pz.intensity(events).data)
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(pz.ParameterError, match=r"pip install 'periodize\[dask\]'"):
        pz.read_events("events.parquet", engine="dask")


def test_panel_comparison_posterior_and_resume(client, tmp_path):
    series = pz.intensity(dyads(9))  # three batches of 3
    competing = {"paper": BOUNDARIES, "one": (2005,)}
    folder = tmp_path / "checkpoint"
    first = panel(series, BOUNDARIES, n_sim=99, rng=2, batch_size=3, client=client,
                  competing=competing, posterior_breaks=2, checkpoint=folder)  # fmt: skip
    compared = pz.compare_periodizations(series, competing, n_sim=99, rng=2).to_frame()
    got = first.comparison.set_index(["series", "name"]).loc[compared.index]
    np.testing.assert_allclose(got["loglik"], compared["loglik"])
    np.testing.assert_allclose(got["p_vs_best"].fillna(-1), compared["p_vs_best"].fillna(-1))
    post = pz.posterior(series, max_breaks=2)
    expected = post.boundary_probabilities(series=post.names[3])
    rows = first.posterior[first.posterior["series"] == post.names[3]]
    np.testing.assert_allclose(rows["p_boundary"].to_numpy(), expected.to_numpy())
    manifests = sorted(folder.glob("batch-*.json"))
    assert len(manifests) == 3 and not list(folder.glob("*.pkl"))  # nothing that runs code
    # a rerun reuses every batch: remove one and only it is computed again
    manifests[0].unlink()
    again = panel(series, BOUNDARIES, n_sim=99, rng=2, batch_size=3, client=client,
                  competing=competing, posterior_breaks=2, checkpoint=folder)  # fmt: skip
    pd.testing.assert_frame_equal(again.table, first.table)
    pd.testing.assert_frame_equal(again.posterior, first.posterior)
    assert len(list(folder.glob("batch-*.json"))) == 3
    back = pz.load(first.save(tmp_path / "panel.json"))
    assert back.to_json() == first.to_json()
    pd.testing.assert_frame_equal(back.comparison, first.comparison, check_exact=True)
    pd.testing.assert_frame_equal(back.posterior, first.posterior, check_exact=True)
    # an edited or damaged batch is computed again, with a warning, never used as it is
    edited = sorted(folder.glob("batch-*.tests.parquet"))[1]
    table = pd.read_parquet(edited)
    table["pvalue"] = 0.0
    table.to_parquet(edited, index=False)
    damaged = sorted(folder.glob("batch-*.tests.parquet"))[2]
    damaged.write_bytes(b"not parquet")
    with pytest.warns(UserWarning, match=r"damaged or edited.*computing it again"):
        third = panel(series, BOUNDARIES, n_sim=99, rng=2, batch_size=3, client=client,
                      competing=competing, posterior_breaks=2, checkpoint=folder)  # fmt: skip
    pd.testing.assert_frame_equal(third.table, first.table)
    with pytest.raises(pz.ParameterError, match=r"is a file; give a folder"):
        panel(series, BOUNDARIES, n_sim=99, rng=2, checkpoint=edited)
    path = write_panel(again, tmp_path / "out.parquet")
    assert (tmp_path / "out.comparison.parquet").exists() and path.exists()


def test_a_lazy_panel_stays_on_the_cluster_and_sums_to_the_same(client, simulated, tmp_path):
    from periodize.distributed import dask_intensity

    events, codes = simulated
    lazy = pz.read_events(write_parts(events, tmp_path, 3), engine="dask", extra_codes=codes)
    long = dask_intensity(lazy, lazy=True)
    assert type(long).__module__.startswith("dask")
    frame = long.compute()
    wide = frame.pivot(index="period", columns="series", values="value").fillna(0.0)
    expected = pz.intensity(events).data
    wide = wide.reindex(index=expected.index, columns=expected.columns, fill_value=0.0)
    np.testing.assert_allclose(wide.to_numpy(), expected.to_numpy())
    assert frame["events"].sum() == len(events)


def test_archive_files_read_on_the_cluster(client, tmp_path):
    import sys as _sys
    from pathlib import Path as _Path

    _sys.path.insert(0, str(_Path(__file__).parent.parent / "adapters"))
    import archive_files as af

    rows = [
        af.gdelt_row(i, f"201{i % 6}0{1 + i % 9}1{i % 9}", "MNGGOV", "KAZGOV",
                     "042" if i % 2 else "043", f"s{i}")
        for i in range(60)
    ]  # fmt: skip
    for k in range(3):
        af.gdelt(tmp_path / f"day{k}.export.CSV", rows[k::3])
    af.gdelt(tmp_path / "day9.export.CSV", [af.gdelt_row(900, "20150101", "USAGOV", "CHN", "042")])
    pattern = str(tmp_path / "day*.export.CSV")
    in_memory = pz.read_gdelt(pattern, dyad=("MNG", "KAZ"))
    lazy = pz.read_gdelt(pattern, dyad=("MNG", "KAZ"), engine="dask")
    assert lazy.npartitions == 4
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, pz.intensity(in_memory).data)
    total, single = pz.adapters.row_account(lazy), pz.adapters.row_account(in_memory)
    assert (total.read, total.kept + total.merged, total.dropped) == (
        single.read, single.kept + single.merged, single.dropped,
    )  # fmt: skip
    assert total.exposure == single.exposure


def test_year_folders_outside_the_window_are_not_read(client, simulated, tmp_path):
    events, codes = simulated
    for year in (1995, 2005, 2015):
        folder = tmp_path / f"year={year}"
        folder.mkdir()
        pz.write_events(events[events["year"] == year], folder / "part.parquet")
    lazy = pz.read_events(str(tmp_path), engine="dask", extra_codes=codes, start=2000, end=2010)
    assert lazy.npartitions == 1
    expected = pz.intensity(events[events["year"] == 2005])
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, expected.data)
    after = pz.read_events(str(tmp_path), engine="dask", extra_codes=codes, start=2020)
    assert after.npartitions == 1 and len(after.compute()) == 0  # empty, as from a CSV file
    with pytest.raises(pz.ParameterError, match="holds no events: every partition is empty"):
        pz.intensity(after)


def test_a_folder_name_is_checked_against_the_dates_never_trusted(client, simulated, tmp_path):
    events, codes = simulated
    misfiled = events[events["year"] == 2009]
    for year, part in ((2010, misfiled), (2011, events[events["year"] == 2011])):
        folder = tmp_path / f"year={year}"
        folder.mkdir()
        pz.write_events(part, folder / "part.parquet")
    # the 2009 events filed under year=2010 are found by their dates, and named
    with pytest.raises(pz.ParameterError, match=r"year=2010 but holds events dated 2009"):
        pz.read_events(
            str(tmp_path), engine="dask", extra_codes=codes, start=2009, end=2009
        ).compute()
    # a window that holds the 2011 file alone reads it alone (the other by its statistics)
    lazy = pz.read_events(str(tmp_path), engine="dask", extra_codes=codes, start=2011)
    assert lazy.npartitions == 1 and set(lazy.compute()["year"]) == {2011}


def test_dask_filters_follow_the_in_memory_rules(simulated, tmp_path):
    events, codes = simulated
    path = pz.write_events(events, tmp_path / "events.parquet")
    pair = sorted(set(events["actor"]))[:2]
    one = pz.read_events(path, engine="dask", extra_codes=codes, countries=pair).compute()
    assert set(one["actor"]) | set(one["target"]) <= set(pair) and len(one)
    with pytest.raises(pz.ParameterError, match="only domestic events"):
        pz.read_events(path, engine="dask", extra_codes=codes, countries=pair[0])
    with pytest.raises(pz.ParameterError, match="precedes 'start'"):
        pz.read_events(path, engine="dask", extra_codes=codes, start=2010, end=2000)
    with pytest.raises(pz.ParameterError, match="must be a year"):
        pz.read_events(path, engine="dask", extra_codes=codes, start="2010")


def test_the_same_events_in_two_files_are_refused_not_counted_twice(client, simulated, tmp_path):
    events, codes = simulated
    pattern = write_parts(events, tmp_path, 3)
    copy = tmp_path / "part0-copy.csv"
    copy.write_bytes((tmp_path / "part0.csv").read_bytes())  # one file read twice
    lazy = pz.read_events(pattern, engine="dask", extra_codes=codes)
    assert lazy.npartitions == 4
    first = pz.read_events(tmp_path / "part0.csv", extra_codes=codes)["event_id"]
    with pytest.raises(pz.ParameterError, match=r"occur in more than one partition") as caught:
        pz.intensity(lazy)
    assert f"{len(first):,} event ids" in str(caught.value)
    assert any(repr(i) in str(caught.value) for i in first)


def test_a_panel_of_one_series_or_batches_of_one(simulated):
    import dataclasses

    events, _ = simulated
    series = pz.intensity(events)
    first = series.data.columns[0]
    one = dataclasses.replace(series, data=series.data[[first]])
    alone = panel(one, BOUNDARIES, n_sim=99, rng=2, competing={"a": [2000]})
    expected = pz.test_periodization(one, boundaries=BOUNDARIES, n_sim=99, rng=2).test_table()
    got = alone.table.set_index(["series", "test"]).loc[expected.index]
    np.testing.assert_allclose(got["pvalue"], expected["pvalue"])
    fit = pz.segment(one)  # the default rule, as the panel's
    assert alone.table["found"].iloc[0] == ",".join(map(str, fit.boundaries))
    few = dataclasses.replace(series, data=series.data.iloc[:, :8])
    pd.testing.assert_frame_equal(
        panel(few, BOUNDARIES, n_sim=99, rng=2, batch_size=1).table,
        panel(few, BOUNDARIES, n_sim=99, rng=2, batch_size=1000).table,
    )


def test_a_local_cluster_beyond_the_memory_budget_is_refused_before_it_starts(
    simulated, tmp_path, capsys
):
    from periodize.cli import main

    events, codes = simulated
    pattern = write_parts(events, tmp_path, 2, "parquet")
    argv = ["panel", pattern, "--hypothesis", "2005,2012", "--workers", "100000",
            "--extra-codes", ",".join(codes), "-o", str(tmp_path / "out.parquet")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "100,000 worker processes" in err and "--workers" in err
    assert len(err.strip().splitlines()) == 1


def test_panel_checks_what_workers_would_refuse_before_sending_a_batch(simulated, monkeypatch):
    import importlib

    panel_module = importlib.import_module("periodize.distributed.panel")

    events, _ = simulated
    series = pz.intensity(events)
    sent = []
    monkeypatch.setattr(panel_module, "_batch", lambda *a: sent.append(a))
    for kwargs, message in (
        ({"hypothesis": (2050,)}, r"must name periods of the series"),
        ({"hypothesis": (2012, 2005)}, r"strictly increasing"),
        ({"hypothesis": BOUNDARIES, "min_size": 1000}, r"shorter than\s+min_size=1000"),
        ({"hypothesis": BOUNDARIES, "n_sim": 5}, r"'n_sim' parameter of panel"),
        ({"hypothesis": BOUNDARIES, "competing": {"late": (2099,)}}, r"2099 is not one"),
        ({"hypothesis": BOUNDARIES, "competing": {"no change": (2005,)}}, r"rename it"),
    ):
        with pytest.raises(pz.ParameterError, match=message):
            panel(series, **kwargs)
    assert sent == []
    monkeypatch.undo()  # the checks take a weighted series as the workers do (quasi-Poisson)
    weighted = pz.intensity(events, "goldstein")
    assert len(panel(weighted, BOUNDARIES, n_sim=99, rng=1).table) == 3 * weighted.data.shape[1]


def test_ids_are_checked_in_buckets_however_many(simulated, tmp_path, monkeypatch):
    """Every partition's id hashes are split by value into buckets, each checked on its
    own: with one bucket per partition the same file read twice is still found, and
    distinct files still give the in-memory result."""
    from periodize.distributed import aggregate

    monkeypatch.setattr(aggregate, "PARTITIONS_PER_BUCKET", 1)
    events, codes = simulated
    pattern = write_parts(events, tmp_path, 3)
    lazy = pz.read_events(pattern, engine="dask", extra_codes=codes)
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, pz.intensity(events).data)
    (tmp_path / "part1-copy.csv").write_bytes((tmp_path / "part1.csv").read_bytes())
    with pytest.raises(pz.ParameterError, match=r"occur in more than one partition"):
        pz.intensity(pz.read_events(pattern, engine="dask", extra_codes=codes))


def test_files_without_ids_are_not_mistaken_for_repeated_events(simulated, tmp_path):
    events, codes = simulated
    plain = events.drop(columns=["event_id"])[["date", "actor", "target", "level", "kind"]]
    for i in range(3):  # each file's rows get ids row0, row1, ... of their own
        plain.iloc[i::3].to_csv(tmp_path / f"part{i}.csv", index=False)
    lazy = pz.read_events(str(tmp_path / "part*.csv"), engine="dask", extra_codes=codes,
                          start=2000, end=2015)  # fmt: skip
    expected = pz.intensity(events[(events["year"] >= 2000) & (events["year"] <= 2015)])
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, expected.data)


DAMAGES = ["cut short", "a CSV under a .parquet name", "in a year folder"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_or_foreign_parquet_file_is_named_before_anything_runs(
    simulated, tmp_path, damage
):
    events, codes = simulated
    good = pz.write_events(events, tmp_path / "good.parquet")
    if damage == "cut short":
        bad = tmp_path / "bad.parquet"
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        given = str(bad)
    elif damage == "a CSV under a .parquet name":
        bad = tmp_path / "bad.parquet"
        pz.write_events(events, tmp_path / "events.csv")
        bad.write_bytes((tmp_path / "events.csv").read_bytes())
        given = str(bad)
    else:
        folder = tmp_path / "dataset" / "year=2002"
        folder.mkdir(parents=True)
        pz.write_events(events[events["year"] == 2002], folder / "part0.parquet")
        (folder / "notes.txt").write_text("not read: not a .parquet file")
        bad = folder / "part1.parquet"
        bad.write_text("junk")
        given = str(tmp_path / "dataset")
    for window in ({}, {"start": 2000}):
        with pytest.raises(pz.ParameterError, match="is not a readable Parquet file") as caught:
            pz.read_events(given, engine="dask", extra_codes=codes, **window)  # no compute
        assert str(caught.value).startswith(f"{bad} is not a readable Parquet file")


@pytest.mark.parametrize("dates", ["years as integers", "timestamps"])
def test_dates_of_other_types_are_filtered_like_the_in_memory_table(simulated, tmp_path, dates):
    events, codes = simulated
    frame = events.drop(columns=["year", "month", "day", "precision"])
    if dates == "years as integers":
        frame = frame.assign(date=events["year"].astype("int64"))
    else:
        frame = frame.assign(date=pd.to_datetime(events["date"]))
    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    whole = pz.read_events(path, extra_codes=codes)
    pair = sorted(set(events["actor"]))[:3]
    got = pz.read_events(
        path, engine="dask", extra_codes=codes, countries=pair, start=1995, end=2004
    ).compute(scheduler="synchronous")
    kept = whole["year"].between(1995, 2004) & whole["actor"].isin(pair)
    kept &= whole["target"].isin(pair)
    assert sorted(got["event_id"]) == sorted(whole.loc[kept, "event_id"]) and kept.any()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(["csv", "jsonl", "parquet"]), min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(1988, 2021)),
    st.one_of(st.none(), st.integers(0, 8)),
    st.one_of(st.none(), st.integers(2, 6)),
    st.integers(0, 2**16),
)
@example(["parquet"], 1988, 0, None, 0)  # every file outside the window: an empty table
def test_the_dask_reader_equals_the_in_memory_reader(
    simulated, tmp_path_factory, formats, start, span, n_countries, seed
):
    """Any split of the events into files of any format, any window and any countries:
    the Dask reader keeps exactly the events the in-memory table keeps under the rules."""
    events, codes = simulated
    folder = tmp_path_factory.mktemp("split")
    shuffled = events.sample(frac=1, random_state=seed)
    for i, suffix in enumerate(formats):
        pz.write_events(shuffled.iloc[i :: len(formats)], folder / f"part{i}.{suffix}")
    end = None if start is None or span is None else start + span
    pair = None if n_countries is None else sorted(set(events["actor"]))[:n_countries]
    got = pz.read_events(
        [str(p) for p in sorted(folder.iterdir())], engine="dask", extra_codes=codes,
        countries=pair, start=start, end=end,
    ).compute(scheduler="synchronous")  # fmt: skip
    kept = pd.Series(True, index=events.index)
    if pair is not None:
        kept &= events["actor"].isin(pair) & events["target"].isin(pair)
    if start is not None:
        kept &= events["year"] >= start
    if end is not None:
        kept &= events["year"] <= end
    expected = events[kept].sort_values("event_id").reset_index(drop=True)
    got = got.sort_values("event_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_ids_whose_hashes_collide_are_not_taken_for_repeated_events(
    simulated, tmp_path, monkeypatch
):
    """Repeated hashes are read back and compared as ids: distinct ids that share a hash
    (here every id hashes to one of two values) are no error; a real repeat still is."""
    from periodize.distributed import aggregate

    events, codes = simulated
    pattern = write_parts(events, tmp_path, 3)
    real = aggregate.cell_hashes
    monkeypatch.setattr(aggregate, "cell_hashes", lambda column: real(column) % np.uint64(2))
    lazy = pz.read_events(pattern, engine="dask", extra_codes=codes)
    pd.testing.assert_frame_equal(pz.intensity(lazy).data, pz.intensity(events).data)
    (tmp_path / "part0-copy.csv").write_bytes((tmp_path / "part0.csv").read_bytes())
    first = set(pz.read_events(tmp_path / "part0.csv", extra_codes=codes)["event_id"])
    with pytest.raises(pz.ParameterError, match=r"occur in more than one partition") as caught:
        pz.intensity(pz.read_events(pattern, engine="dask", extra_codes=codes))
    assert any(repr(i) in str(caught.value) for i in first)
