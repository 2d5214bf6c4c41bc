"""The Mongolia–Kazakhstan high-level visits and meetings, 1992–2025.

Encoded row by row from Shugatai, *The Periodization of Mongolia–Kazakhstan Political
Relations* (Tables 1–3 and the text). Every row names its sources; conflicts between the
paper's tables and text are marked in ``note`` (``CONFLICT C<n>``) and ``confidence``, and
every decision is explained in ``docs/data.md``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from .._textfiles import read_csv_text
from ..events.schema import _validate

__all__ = ["PAPER_BOUNDARIES", "mongolia_kazakhstan", "mongolia_kazakhstan_sources"]

#: The paper's periodization of this dataset (1992–2008, 2009–2018, 2019–) as boundaries:
#: the hypothesis of the bundled study, and of nothing else.
PAPER_BOUNDARIES = (2009, 2019)

_PACKAGE = "periodize.datasets"


def _read(name: str) -> pd.DataFrame:
    with resources.files(_PACKAGE).joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])


def mongolia_kazakhstan() -> pd.DataFrame:
    """High-level visits between Mongolia and Kazakhstan and bilateral meetings held during
    multilateral events, 1992–2025, one row per event (validated).

    Returns
    -------
    DataFrame
        The event schema (see ``docs/data.md``); ``source`` holds ``;``-separated keys into
        :func:`mongolia_kazakhstan_sources`.

    Examples
    --------
    >>> events = mongolia_kazakhstan()
    >>> len(events), int(events["year"].min()), int(events["year"].max())
    (26, 1992, 2025)
    >>> events["kind"].value_counts().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'official_visit': 13, 'multilateral_meeting': 6, 'working_visit': 4,
     'state_visit': 3, 'other': 0}
    """
    name = "mongolia_kazakhstan.csv"
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    frame, lines = read_csv_text(Path(name), text)
    return _validate(frame, source=name, lines=lines)


def mongolia_kazakhstan_sources() -> pd.DataFrame:
    """The sources table: ``key``, ``type`` (section of the paper or reference), full
    ``citation`` and ``url``.

    Examples
    --------
    >>> mongolia_kazakhstan_sources().set_index("key").loc["khurmetkhan2009", "url"]
    'https://doi.org/10.5564/jis.v3i3-4.1970'
    """
    return _read("mongolia_kazakhstan_sources.csv")
