"""Beyond one machine: event tables as Dask DataFrames, aggregation per partition, and the
per-dyad analyses shipped to a cluster in batches of series (optional extra
``periodize[dask]``; nothing here is imported until it is used)."""

from .._engines import register
from .aggregate import dask_intensity, is_dask
from .panel import PanelResult, panel, write_panel
from .reading import partition_accounts, read_archive_dask, read_events_dask

register("read_events", read_events_dask)
register("read_archive", read_archive_dask)
register("intensity", dask_intensity)
register("partition_accounts", partition_accounts)

__all__ = ["PanelResult", "dask_intensity", "is_dask", "panel", "read_events_dask", "write_panel"]
