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
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._output import write_file
from .._typing import RandomState
from ..exceptions import ParameterError
from ..inference import benjamini_hochberg, shared_boundary_test, test_periodization
from ..inference.results import HypothesisTestResult
from ..inference.streams import root_seed
from ..intensity.series import IntensitySeries
from ..segmentation import segment

__all__ = ["PanelResult", "panel", "write_panel"]


@dataclass(frozen=True)
class PanelResult:
    """Result of :func:`panel`.

    Attributes
    ----------
    table : DataFrame
        One row per series and test: ``series``, ``test``, ``statistic``, ``pvalue``,
        ``qvalue_bh`` (Benjamini–Hochberg across all series, per test), ``n_sim``, and the
        series' ``found`` boundaries (best segmentation under ``penalty``) and ``events``.
    shared : HypothesisTestResult
        Do the series' boundaries align more often than chance (:func:`shared_boundary_test`)?
    parameters : dict
        Hypothesis, model, penalty, min_size, n_sim, seed, batch size.
    """

    table: pd.DataFrame
    shared: HypothesisTestResult
    parameters: dict[str, Any]

    def summary(self) -> str:
        """How many series, and how many reject each test at FDR 5 %."""
        n = self.table["series"].nunique()
        lines = [f"Panel of {n} series; hypothesis {self.parameters['hypothesis']}"]
        for test, rows in self.table.groupby("test", sort=False):
            hits = int((rows["qvalue_bh"] <= 0.05).sum())
            lines.append(f"  {test}: {hits} of {n} series with q <= 0.05 (BH across series)")
        lines.append(f"  shared boundary: {self.shared.method}; p = {self.shared.pvalue:.4g}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _batch(
    series: IntensitySeries,
    hypothesis: tuple[int, ...],
    options: dict[str, Any],
) -> pd.DataFrame:
    """Segment and test one batch of series (runs on a worker)."""
    tested = test_periodization(
        series,
        boundaries=hypothesis,
        model=options["model"],
        min_size=options["min_size"],
        n_sim=options["n_sim"],
        rng=options["seed"],
    )
    table = tested.test_table().drop(columns="qvalue_bh").reset_index()
    fit = segment(series, penalty=options["penalty"], model=options["model"],
                  min_size=options["min_size"])  # fmt: skip
    found = {name: ",".join(map(str, b)) for name, b in fit.boundaries.items()}
    table["found"] = table["series"].map(found)
    table["events"] = table["series"].map(series.data.sum())
    return table


def panel(
    series: IntensitySeries,
    hypothesis: Sequence[int],
    *,
    model: str = "poisson",
    penalty: str | float = "bic",
    min_size: int = 3,
    n_sim: int = 999,
    rng: RandomState = 0,
    batch_size: int = 512,
    client: Any = None,
    window: int = 1,
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

    Returns
    -------
    PanelResult
        The same numbers as the in-memory functions on the whole panel (tested).
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
    hypothesis = tuple(int(h) for h in hypothesis)
    options = {"model": model, "penalty": penalty, "min_size": min_size, "n_sim": n_sim,
               "seed": seed}  # fmt: skip
    names = list(series.data.columns)
    batches = [
        dataclasses.replace(series, data=series.data[names[i : i + batch_size]])
        for i in range(0, len(names), batch_size)
    ]
    tasks = [dask.delayed(_batch)(b, hypothesis, options) for b in batches]
    parts = client.gather(client.compute(tasks)) if client is not None else dask.compute(*tasks)
    table = pd.concat(parts, ignore_index=True)
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
    parameters = {**options, "hypothesis": list(hypothesis), "batch_size": batch_size,
                  "window": window}  # fmt: skip
    return PanelResult(table, shared, parameters)


def write_panel(result: PanelResult, path: str | os.PathLike[str], *, overwrite: bool = False):
    """Write the panel table as one Parquet file, atomically (parameters in its metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(result.table, preserve_index=False)
    metadata = {b"periodize": str(result.parameters).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return write_file(path, buffer.getvalue(), overwrite=overwrite)
