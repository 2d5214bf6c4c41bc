"""Per-dyad analysis of a panel of series on a Dask cluster.

The series are cut into batches of columns and each batch is segmented and tested by the
batched in-memory functions on a worker: the batched kernels stay the unit of work, never
one Python task per dyad. Monte Carlo streams are keyed by each series' values
(:mod:`periodize.inference.streams`), so the numbers do not depend on the batches, the
number of workers or the order of the series. Benjamini–Hochberg q-values are computed
across all dyads once the batches are back, and the shared-boundary test on the whole
panel.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._output import write_file
from .._typing import RandomState
from .._validation import check_choice
from ..exceptions import ParameterError
from ..inference import (
    benjamini_hochberg,
    compare_periodizations,
    shared_boundary_test,
    test_periodization,
)
from ..inference import posterior as bayes_posterior
from ..inference.dependence import DEPENDENCE
from ..inference.hypothesis import boundary_positions, checked_inputs
from ..inference.results import HypothesisTestResult
from ..inference.streams import root_seed
from ..inference.tests.comparison import check_candidate_name
from ..intensity.series import IntensitySeries
from ..results import ResultMixin, records
from ..segmentation import segment
from ..segmentation.models import free_model

__all__ = ["PanelResult", "panel", "write_panel"]


@dataclass(frozen=True, eq=False, repr=False)
class PanelResult(ResultMixin):
    """Result of :func:`panel`.

    Attributes
    ----------
    table : DataFrame
        One row per series and test: ``series``, ``test``, ``statistic``, ``pvalue``,
        ``qvalue_bh`` (Benjamini–Hochberg across all series, per test), ``n_sim``, and the
        series' ``found`` boundaries (best segmentation under ``penalty``; with ``"auto"``
        the default rule, which for a count ``model`` weighs a log-linear rate per period
        against levels as ``segment`` does) and ``events``.
    shared : HypothesisTestResult
        Do the series' boundaries align more often than chance (:func:`shared_boundary_test`)?
    parameters : dict
        Hypothesis, model, penalty, min_size, n_sim, seed, batch size.
    comparison : DataFrame or None
        With ``competing``: :func:`compare_periodizations` of every series (its
        ``to_frame``, tidy).
    posterior : DataFrame or None
        With ``posterior_breaks``: per series and period, the exact posterior probability
        that a new period starts there (``p_boundary``), and per series ``p_k<k>``.
    """

    table: pd.DataFrame
    shared: HypothesisTestResult
    parameters: dict[str, Any]
    comparison: pd.DataFrame | None = None
    posterior: pd.DataFrame | None = None

    def summary(self) -> str:
        """How many series, and how many reject each test at FDR 5 %."""
        n = self.table["series"].nunique()
        lines = [f"Panel of {n} series; hypothesis {self.parameters['hypothesis']}"]
        for test, rows in self.table.groupby("test", sort=False):
            hits = int((rows["qvalue_bh"] <= 0.05).sum())
            lines.append(f"  {test}: {hits} of {n} series with q <= 0.05 (BH across series)")
        lines.append(f"  shared boundary: {self.shared.method}; p = {self.shared.pvalue:.4g}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The test table (one row per series and test)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Parameters, the shared-boundary test and every table, as plain JSON types."""
        return {
            "parameters": self.parameters,
            "shared": self.shared.to_dict(),
            "tests": records(self.table),
            "comparison": None if self.comparison is None else records(self.comparison),
            "posterior": None if self.posterior is None else records(self.posterior),
        }


def _batch(
    series: IntensitySeries,
    hypothesis: tuple[int, ...],
    options: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """Segment, test, and optionally compare and the posterior, for one batch of series
    (runs on a worker)."""
    _one_thread_on_a_worker()
    common = {"model": options["model"], "min_size": options["min_size"]}
    serial = {"dependence": options["dependence"]}
    tested = test_periodization(
        series,
        boundaries=hypothesis,
        n_sim=options["n_sim"],
        rng=options["seed"],
        **common,
        **serial,
    )
    table = tested.test_table().drop(columns="qvalue_bh").reset_index()
    table["ar_order"] = table["series"].map(tested.dependence["order"])
    table["residual_lag1"] = table["series"].map(tested.diagnostics["acf_1"])
    free = free_model(options["model"]) if options["penalty"] == "auto" else options["model"]
    fit = segment(series, penalty=options["penalty"], model=free, min_size=options["min_size"])
    found = {name: ",".join(map(str, b)) for name, b in fit.by_series["boundaries"].items()}
    table["found"] = table["series"].map(found)
    table["events"] = table["series"].map(series.data.sum())
    out = {"tests": table}
    if options["competing"]:
        compared = compare_periodizations(
            series,
            options["competing"],
            n_sim=options["n_sim"],
            rng=options["seed"],
            **common,
            **serial,
        )
        frame = compared.to_frame().reset_index()
        frame["boundaries"] = frame["boundaries"].map(  # None: not identified
            lambda b: None if b is None else ",".join(map(str, b))
        )
        out["comparison"] = frame
    if options["posterior_breaks"] is not None:
        post = bayes_posterior(series, max_breaks=options["posterior_breaks"], **common)
        index = [str(p) for p in post.index]
        marginal = np.asarray(post.boundary_marginal)[:, : len(index)]
        long = pd.DataFrame(
            {
                "series": np.repeat(list(post.names), len(index)),
                "period": np.tile(index, len(post.names)),
                "p_boundary": marginal.ravel(),
            }
        )
        k = post.k_probabilities_table.add_prefix("p_k").reset_index()
        out["posterior"] = long.merge(k, on="series")
    return out


def _one_thread_on_a_worker() -> None:
    """On a Dask worker the compiled kernels run on one thread: the workers are the
    parallelism, and kernels spawning threads in every worker process would contend for the
    same cores (measured: 8× slower on 2 workers of a 2-core machine)."""
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return
    import numba

    numba.set_num_threads(1)


def panel(
    series: IntensitySeries,
    hypothesis: Sequence[int],
    *,
    model: str = "poisson",
    penalty: str | float = "auto",
    min_size: int = 3,
    n_sim: int = 999,
    rng: RandomState = 0,
    batch_size: int = 512,
    client: Any = None,
    window: int = 1,
    competing: Mapping[str, Sequence[int]] | None = None,
    posterior_breaks: int | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    dependence: str = "auto",
) -> PanelResult:
    """Test a hypothesised periodization on every series of a panel, on Dask.

    Parameters
    ----------
    series : IntensitySeries
        The panel (for example from ``pz.intensity`` of a Dask DataFrame).
    hypothesis : sequence of int
        First periods of the hypothesised new periods.
    model, penalty, min_size, n_sim
        As in :func:`periodize.test_periodization` and :func:`periodize.segment`.
    rng : int or Generator
        Seed (a Generator is drawn from once, here).
    batch_size : int
        Series per task.
    client : distributed.Client, optional
        Where to run; by default Dask's current scheduler (a ``Client`` made earlier, or
        the local threads).
    window : int
        Half-width of the shared-boundary test's alignment window.
    competing : mapping, optional
        Named periodizations to compare on every series (:func:`compare_periodizations`).
    posterior_breaks : int, optional
        Also compute the exact posterior with at most this many breaks.
    checkpoint : folder, optional
        Keep every finished batch here (Parquet tables and a checksummed manifest, keyed by
        the batch's series and options) and reuse it when run again with the same series
        and options: an interrupted run resumes where it stopped. A damaged or edited batch
        is computed again, with a warning.
    dependence : {"auto", "independent", "ar"}
        Serial dependence of the Monte Carlo replicates of every test and comparison (see
        :func:`periodize.test_periodization`); the table's ``ar_order`` column says which
        null ran for each series. The shared-boundary test's null is about independence
        across series, not within them, and does not take it.

    Returns
    -------
    PanelResult
        The same numbers as the in-memory functions on the whole panel (tested).

    Examples
    --------
    >>> import periodize as pz
    >>> events, _ = pz.simulate_events(6, range(1990, 2020), (2005,), base_rate=2.0,
    ...                                rate_ratios=(3.0,), rng=1)
    >>> result = panel(pz.intensity(events), (2005,), n_sim=99, rng=1, batch_size=4)
    >>> tests = result.table.set_index("test").loc["hypothesis_vs_none"]
    >>> bool(tests["qvalue_bh"].max() < 0.05), len(tests)
    (True, 6)
    """
    if not isinstance(series, IntensitySeries):
        raise ParameterError(
            f"panel expects an IntensitySeries (from periodize.intensity); got "
            f"{type(series).__name__}."
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ParameterError(f"'batch_size' must be a positive int; got {batch_size!r}.")
    import dask

    seed = root_seed(rng, "panel")
    check_choice(dependence, DEPENDENCE, name="dependence", func="panel")
    # what the workers would refuse, checked here, before any batch is sent
    first = dataclasses.replace(series, data=series.data.iloc[:, :1])  # keeps is_count
    checked_inputs(first, model, min_size, n_sim, "parametric", "panel")
    for periods in (hypothesis, *(competing or {}).values()):
        boundary_positions(series.data.index, periods, int(min_size), "panel")
    for name in competing or {}:
        check_candidate_name(str(name), "panel")
    hypothesis = tuple(int(h) for h in hypothesis)
    options = {"model": model, "penalty": penalty, "min_size": min_size, "n_sim": n_sim,
               "seed": seed, "posterior_breaks": posterior_breaks, "dependence": dependence,
               "competing": {k: tuple(v) for k, v in (competing or {}).items()}}  # fmt: skip
    names = list(series.data.columns)
    batches = [
        dataclasses.replace(series, data=series.data[names[i : i + batch_size]])
        for i in range(0, len(names), batch_size)
    ]
    store = None if checkpoint is None else _Checkpoint(checkpoint)
    keys = [_key(b, hypothesis, options) for b in batches]
    kept = {i: store.get(key) for i, key in enumerate(keys)} if store is not None else {}
    todo = [i for i in range(len(batches)) if kept.get(i) is None]
    tasks = [dask.delayed(_batch)(batches[i], hypothesis, options) for i in todo]

    def finished(i: int, value: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        return value if store is None else store.put(keys[i], value)

    if client is not None:
        futures = client.compute(tasks)
        done = {i: finished(i, f.result()) for i, f in zip(todo, futures, strict=True)}
    else:
        computed = dask.compute(*tasks)
        done = {i: finished(i, value) for i, value in zip(todo, computed, strict=True)}
    parts: list[dict[str, pd.DataFrame]] = [
        done[i] if i in done else kept[i] or {} for i in range(len(batches))
    ]
    table = pd.concat([p["tests"] for p in parts], ignore_index=True)
    table["qvalue_bh"] = table.groupby("test")["pvalue"].transform(
        lambda p: benjamini_hochberg(p.to_numpy())
    )
    order = ["series", "test", "statistic", "pvalue", "qvalue_bh", "n_sim", "found", "events"]
    rest = [c for c in table.columns if c not in order]
    table = table[order + rest].sort_values(["series", "test"], ignore_index=True)
    shared = shared_boundary_test(
        series, window=window, penalty=penalty, model=model, min_size=min_size, n_sim=n_sim,
        rng=seed,
    )  # fmt: skip
    parameters: dict[str, Any] = {**options, "hypothesis": list(hypothesis),
                                  "batch_size": batch_size, "window": window}  # fmt: skip
    parameters["competing"] = {k: list(v) for k, v in (competing or {}).items()}
    comparison = (
        pd.concat([p["comparison"] for p in parts], ignore_index=True) if competing else None
    )
    posterior = (
        pd.concat([p["posterior"] for p in parts], ignore_index=True)
        if posterior_breaks is not None
        else None
    )
    return PanelResult(table, shared, parameters, comparison, posterior)


def _key(series: IntensitySeries, hypothesis: tuple[int, ...], options: dict[str, Any]) -> str:
    """What a batch's results depend on: its series (names and values) and the options."""
    digest = hashlib.sha256()
    digest.update(repr((list(series.data.columns), [str(i) for i in series.data.index])).encode())
    digest.update(np.ascontiguousarray(series.data.to_numpy(dtype=float)).tobytes())
    digest.update(repr((hypothesis, sorted(options.items()), series.is_count)).encode())
    return digest.hexdigest()[:32]


class _Checkpoint:
    """Finished batches in a folder: each table a Parquet file, and a manifest with the
    SHA-256 of each, written last (all atomically). Nothing in it can run code when read; a
    batch whose files are missing, damaged or edited is computed again, with a warning."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(os.fspath(folder))
        if self.folder.exists() and not self.folder.is_dir():
            raise ParameterError(
                f"checkpoint={os.fspath(folder)!r} is a file; give a folder to keep the "
                "finished batches in."
            )
        self.folder.mkdir(parents=True, exist_ok=True)

    def _manifest(self, key: str) -> Path:
        return self.folder / f"batch-{key}.json"

    def _table(self, key: str, name: str) -> Path:
        return self.folder / f"batch-{key}.{name}.parquet"

    def get(self, key: str) -> dict[str, pd.DataFrame] | None:
        """The batch's tables, or ``None`` when it has not been kept or does not check."""
        path = self._manifest(key)
        if not path.is_file():
            return None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if manifest["key"] != key:
                raise ValueError(f"the manifest is for batch {manifest['key']}")
            tables = {}
            for name, digest in manifest["tables"].items():
                data = self._table(key, name).read_bytes()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise ValueError(f"{self._table(key, name).name} does not match its checksum")
                tables[name] = pd.read_parquet(io.BytesIO(data))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            warnings.warn(
                f"Checkpoint batch {key} in {self.folder} is damaged or edited ({error}); "
                "computing it again.",
                stacklevel=3,
            )
            return None
        return tables

    def put(self, key: str, value: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """Keep the batch; return its tables as they read back (the same types either way)."""
        digests, tables = {}, {}
        for name, frame in value.items():
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            data = buffer.getvalue()
            write_file(self._table(key, name), data, overwrite=True)
            digests[name] = hashlib.sha256(data).hexdigest()
            tables[name] = pd.read_parquet(io.BytesIO(data))
        manifest = json.dumps({"key": key, "tables": digests}, sort_keys=True).encode()
        write_file(self._manifest(key), manifest, overwrite=True)
        return tables


def write_panel(
    result: PanelResult, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the panel's test table as one Parquet file, atomically (parameters in its
    metadata); the comparison and posterior tables, when computed, beside it as
    ``<name>.comparison.parquet`` and ``<name>.posterior.parquet``."""
    import pyarrow as pa

    table = pa.Table.from_pandas(result.table, preserve_index=False)
    metadata = {b"periodize": str(result.parameters).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    target = Path(os.fspath(path))
    for name, extra in (("comparison", result.comparison), ("posterior", result.posterior)):
        if extra is not None:
            side = target.with_name(f"{target.stem}.{name}.parquet")
            _write_parquet(pa.Table.from_pandas(extra, preserve_index=False), side, overwrite)
    return _write_parquet(table, target, overwrite)


def _write_parquet(table: Any, path: Path, overwrite: bool) -> Path:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return write_file(path, buffer.getvalue(), overwrite=overwrite)
