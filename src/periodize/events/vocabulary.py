"""Default vocabularies of the event schema and the ISO 3166-1 alpha-3 code list.

The vocabularies are open: :func:`periodize.validate_events` accepts other ``levels`` and
``kinds``, and a weighting scheme declares which values it knows.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

#: Role of the actor at the date of the event, highest first.
LEVELS: tuple[str, ...] = (
    "head_of_state",
    "head_of_government",
    "speaker",
    "deputy_head_of_government",
    "foreign_minister",
    "minister",
    "state_secretary",
    "other_official",
)

#: Kind of event. ``multilateral_meeting`` is a bilateral meeting held during a
#: multilateral event (summit, ministerial, forum).
KINDS: tuple[str, ...] = (
    "state_visit",
    "official_visit",
    "working_visit",
    "multilateral_meeting",
    "other",
)

#: How sure the encoder is of the row.
CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")

#: Precision of a date, coarsest first.
PRECISIONS: tuple[str, ...] = ("year", "month", "day")


@cache
def iso3166_alpha3() -> frozenset[str]:
    """The 249 officially assigned ISO 3166-1 alpha-3 country codes.

    The list ships with periodize (``events/iso3166_alpha3.csv``, taken from the
    ``iso-codes`` data as distributed in pycountry 26.2.16).

    Examples
    --------
    >>> "MNG" in iso3166_alpha3(), "XKX" in iso3166_alpha3()
    (True, False)
    """
    return frozenset(iso3166_names()["alpha_3"])


@cache
def iso3166_names() -> pd.DataFrame:
    """ISO 3166-1 alpha-3 codes and their short names (``alpha_3``, ``name``).

    Examples
    --------
    >>> iso3166_names().set_index("alpha_3").loc["VAT", "name"]
    'Holy See (Vatican City State)'
    """
    path = resources.files("periodize.events").joinpath("iso3166_alpha3.csv")
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)
