"""Import Dask only when it is used, with the remedy named when it is missing."""

from __future__ import annotations

from typing import Any

from ..exceptions import ParameterError


def need_dask() -> Any:
    """The ``dask.dataframe`` module, or an error naming the extra to install."""
    try:
        import dask.dataframe as dd
    except ImportError:
        raise ParameterError(
            "This needs Dask, which is not installed: pip install 'periodize[dask]' "
            "(dask[dataframe] and distributed)."
        ) from None
    return dd
