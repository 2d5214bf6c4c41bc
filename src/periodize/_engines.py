"""The Dask engine, found by name. The readers and ``intensity`` sit below
:mod:`periodize.distributed` (which builds on them), so they do not import it: it registers
its functions here when it is imported, and the first call that needs one imports it.

Examples
--------
>>> dask_engine("read_events").__name__
'read_events_dask'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_REGISTERED: dict[str, Callable[..., Any]] = {}


def register(name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` the Dask engine's ``name`` (done by :mod:`periodize.distributed`)."""
    _REGISTERED[name] = function


def dask_engine(name: str) -> Callable[..., Any]:
    """The Dask engine's function ``name`` (``read_events``, ``read_archive``,
    ``intensity``, ``partition_accounts``), importing the engine on first use."""
    if name not in _REGISTERED:
        importlib.import_module("periodize.distributed")
    return _REGISTERED[name]
