"""Beyond one machine: event tables as Dask DataFrames, aggregation per partition, and the
per-dyad analyses shipped to a cluster in batches of series (optional extra
``periodize[dask]``; nothing here is imported until it is used)."""

from .aggregate import dask_intensity, is_dask
from .panel import PanelResult, panel, write_panel
from .reading import read_events_dask

__all__ = ["PanelResult", "dask_intensity", "is_dask", "panel", "read_events_dask", "write_panel"]
