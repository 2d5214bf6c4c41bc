"""Every dyad of a large event set, beyond one process: simulated events written as
Parquet partitioned by year, read, validated and aggregated per partition, then every
dyad segmented and tested against the hypothesis. A LocalCluster of 2 worker processes
(1 thread each) against the single-process streaming path (the same code under Dask's
synchronous scheduler, one partition at a time), in the same run, each in a fresh process.

Each process that aggregates first imports periodize and loads its compiled kernels on
the bundled dataset (``warm_up_s``, outside the timings: a fixed cost per worker, not per
event). The per-partition aggregation rate and the per-dyad test cost measured here give a cost
model, ``T(N, D, W) = N / (W r) + D c / W + t0``, checked by predicting the larger run from
the smaller one, then used for a GDELT-scale run (10^9 events, 40,000 dyads).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

YEARS = range(1992, 2026)
BOUNDARIES, RATIOS = (2009, 2019), (0.5, 2.0)
SIZES = {
    "quick": [(50_000, 200)],
    "default": [(10_000_000, 10_000), (100_000_000, 10_000)],
    "large": [(100_000_000, 10_000), (300_000_000, 40_000)],
}
ROWS_PER_FILE = 2_000_000
N_SIM = 99


def write_dataset(folder: Path, n_events: int, n_dyads: int) -> list[str]:
    """Simulated events as a Parquet dataset partitioned by year (hive layout); returns the
    dyads' codes (user-assigned, passed as extra codes)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    from periodize.events.vocabulary import KINDS, LEVELS
    from periodize.synthetic import simulate_events
    from periodize.synthetic.codes import dyad_codes

    segment = np.searchsorted(BOUNDARIES, np.asarray(YEARS), side="right")
    multiplier = np.concatenate([[1.0], np.cumprod(RATIOS)])[segment].sum()
    chunks, _ = simulate_events(
        n_dyads, YEARS, BOUNDARIES, base_rate=n_events / (n_dyads * multiplier),
        rate_ratios=RATIOS, columnar=True, stream=True, chunk_dyads=512, rng=5,
    )  # fmt: skip
    actors, targets = dyad_codes(n_dyads)
    years = pa.array([str(y) for y in YEARS])
    text = ("date", "actor", "target", "level", "kind")
    schema = pa.schema([*((name, pa.string()) for name in text), ("year", pa.int32())])

    def batches():
        for chunk in chunks:
            period = pa.array(chunk.period.astype(np.int32))
            dyad = pa.array(chunk.dyad.astype(np.int32))
            yield pa.record_batch(
                [
                    years.take(period),
                    pa.array(actors).take(dyad),
                    pa.array(targets).take(dyad),
                    pa.array(list(LEVELS)).take(pa.array(chunk.level.astype(np.int32))),
                    pa.array(list(KINDS)).take(pa.array(chunk.kind.astype(np.int32))),
                    pa.array(np.asarray(YEARS, dtype=np.int32)[chunk.period]),
                ],
                schema=schema,
            )

    ds.write_dataset(
        batches(), folder, schema=schema, format="parquet",
        partitioning=ds.partitioning(pa.schema([("year", pa.int32())]), flavor="hive"),
        max_rows_per_file=ROWS_PER_FILE, max_rows_per_group=ROWS_PER_FILE // 4,
        min_rows_per_group=ROWS_PER_FILE // 8,  # as Parquet writers group rows, not per batch
        existing_data_behavior="overwrite_or_ignore",
    )  # fmt: skip
    return sorted(set(actors) | set(targets))


_RUN = """
import json, os, sys, time
import dask, numpy as np
import periodize as pz
from periodize.distributed import panel
folder, codes, mode, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
processes = sys.argv[5] == "processes"
def hwm():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
client = None
if mode == "cluster":
    import distributed
    extra = {"env": {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}} if processes else {}
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                                       dashboard_address=None, **extra)
    client = distributed.Client(cluster)
else:
    dask.config.set(scheduler="synchronous")
def warm():  # imports and compiled kernels loaded, in every process that will aggregate
    import pyarrow.dataset
    import periodize as pz
    return pz.intensity(pz.datasets.mongolia_kazakhstan()).n_events
started = time.perf_counter()
client.run(warm) if client is not None else warm()
warm_s = time.perf_counter() - started
start = time.perf_counter()
lazy = pz.read_events(folder, engine="dask", extra_codes=codes)
series = pz.intensity(lazy)
aggregated = time.perf_counter()
result = panel(series, (2009, 2019), n_sim=N_SIM, rng=1, batch_size=1000, client=client)
done = time.perf_counter()
result.table.to_parquet(out)
workers = client.run(hwm) if client is not None else {}
print(json.dumps({"aggregate_s": aggregated - start, "panel_s": done - aggregated,
                  "warm_up_s": warm_s,
                  "partitions": lazy.npartitions, "events": series.n_events,
                  "dyads": series.data.shape[1], "peak_mib_client": hwm(),
                  "peak_mib_workers": sorted(workers.values())}))
if client is not None:
    client.close(); cluster.close()
"""


def _run(folder: Path, codes: list[str], mode: str, out: Path, quick: bool) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", f"N_SIM = {N_SIM}\n{_RUN}", str(folder), ",".join(codes), mode,
         str(out), "threads" if quick else "processes"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def cluster(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """Both runs at every size, the cost model fitted on the smallest and checked on the
    largest, and its GDELT-scale prediction."""
    import pandas as pd

    runs = []
    for n_events, n_dyads in SIZES[size]:
        with tempfile.TemporaryDirectory(prefix="periodize-cluster-") as tmp:
            folder = Path(tmp) / "events"
            codes = write_dataset(folder, n_events, n_dyads)
            # the quick preset (a smoke run) starts its workers as threads, which is faster
            quick = size == "quick"
            single = _run(folder, codes, "single", Path(tmp) / "single.parquet", quick)
            local = _run(folder, codes, "cluster", Path(tmp) / "cluster.parquet", quick)
            same = pd.read_parquet(Path(tmp) / "single.parquet").equals(
                pd.read_parquet(Path(tmp) / "cluster.parquet")
            )
        if not same or single["events"] != local["events"]:
            raise RuntimeError("the cluster and the single process disagree")
        runs.append({"n_events": single["events"], "n_dyads": n_dyads, "single": single,
                     "cluster": local})  # fmt: skip
    model = _cost_model(runs[0])
    check = runs[-1]
    predicted = _predict(model, check["n_events"], check["n_dyads"], workers=2)
    measured = check["cluster"]["aggregate_s"] + check["cluster"]["panel_s"]
    result: dict[str, Any] = {
        "case": "every dyad on Dask: LocalCluster (2 workers) vs one process"
    }
    for run in runs:
        key = f"{run['n_events']:,} events, {run['n_dyads']:,} dyads"
        for mode in ("single", "cluster"):
            r = run[mode]
            total = r["aggregate_s"] + r["panel_s"]
            result[f"{key}, {mode}"] = {
                "warm_up_s": r["warm_up_s"], "aggregate_s": r["aggregate_s"],
                "panel_s": r["panel_s"], "total_s": total,
                "events_per_s": run["n_events"] / r["aggregate_s"],
                "partitions": r["partitions"],
                "peak_mib": max(r["peak_mib_workers"] or [r["peak_mib_client"]]),
            }  # fmt: skip
    result["cost_model"] = {
        "events_per_s_per_worker": model["rate"], "test_s_per_dyad_per_worker": model["per_dyad"],
        "overhead_s": model["overhead"],
    }  # fmt: skip
    result["cost_model_check"] = {"predicted_s": predicted, "measured_s": measured,
                                  "at": f"{check['n_events']:,} events on 2 workers"}  # fmt: skip
    result["gdelt_scale_prediction_s"] = {
        f"{w} workers": _predict(model, 10**9, 40_000, workers=w) for w in (2, 8, 32, 128)
    }
    result["agree"] = "single process and cluster give the same series and panel table"
    result["targets"] = "peak memory per worker < 4 GB; cost model checked at 10^7 and 10^8"
    return result


def _cost_model(run: dict[str, Any]) -> dict[str, float]:
    """Rates from the 2-worker run: events per second per worker, test seconds per dyad per
    worker, and the fixed cost (cluster start is outside the timings)."""
    local, single = run["cluster"], run["single"]
    rate = run["n_events"] / (2 * local["aggregate_s"])
    per_dyad = 2 * local["panel_s"] / run["n_dyads"]
    overhead = max(0.0, single["aggregate_s"] - run["n_events"] / rate)
    return {"rate": rate, "per_dyad": per_dyad, "overhead": min(overhead, 5.0)}


def _predict(model: dict[str, float], n_events: int, n_dyads: int, workers: int) -> float:
    return n_events / (workers * model["rate"]) + n_dyads * model["per_dyad"] / workers


CASES = (cluster,)
