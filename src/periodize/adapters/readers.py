"""The four archive readers: ICEWS, POLECAT, GDELT (1.0 and 2.0) and Phoenix.

Each returns a validated event table in the project's schema with the archive's own
fields kept for provenance (``cameo_code`` or ``plover_type``/``plover_mode``,
``archive_goldstein``, ``quad_class``, ``story``, ``publisher``, ``n_reports``), and
attaches its row account (:func:`~periodize.adapters.row_account`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._engines import dask_engine
from .._typing import PathLike
from ..exceptions import ParameterError
from .files import Source, first_lines, sources
from .mapping import kind_mapping
from .pipeline import Layout, make_request, read_archive
from .tables import column_list

__all__ = ["read_gdelt", "read_icews", "read_phoenix", "read_polecat"]

ICEWS = Layout(
    archive="icews",
    event_id="Event ID",
    date="Event Date",
    actor_country="Source Country",
    target_country="Target Country",
    code="CAMEO Code",
    actor_level="Source Sectors",
    target_level="Target Sectors",
    level_rule="sectors",
    countries="icews",
    actor_name="Source Name",
    target_name="Target Name",
    story="Story ID",
    publisher="Publisher",
    archive_goldstein="Intensity",
)
GDELT = Layout(
    archive="gdelt",
    event_id="GLOBALEVENTID",
    date="SQLDATE",
    actor_country="Actor1CountryCode",
    target_country="Actor2CountryCode",
    code="EventCode",
    actor_level="Actor1Type1Code",
    target_level="Actor2Type1Code",
    level_rule="types",
    countries="cameo",
    compact_dates=True,
    actor_name="Actor1Name",
    target_name="Actor2Name",
    actor_code="Actor1Code",
    target_code="Actor2Code",
    story="SOURCEURL",
    archive_goldstein="GoldsteinScale",
    quad_class="QuadClass",
)
PHOENIX = Layout(
    archive="phoenix",
    event_id="EventID",
    date="Date",
    actor_country="SourceActorEntity",
    target_country="TargetActorEntity",
    code="EventCode",
    actor_level="SourceActorRole",
    target_level="TargetActorRole",
    level_rule="types",
    countries="cameo",
    compact_dates=True,
    actor_code="SourceActorFull",
    target_code="TargetActorFull",
    story="URLs",
    publisher="NewsSources",
    archive_goldstein="GoldsteinScore",
    quad_class="QuadClass",
)
POLECAT = Layout(
    archive="polecat",
    event_id="Event ID",
    date="Event Date",
    actor_country="Actor Country",
    target_country="Recipient Country",
    code="Event Type",
    mode="Event Mode",
    actor_level="Primary Actor Sector",
    target_level="Primary Recipient Sector",
    level_rule="sectors",
    countries="iso",
    actor_name="Actor Name",
    target_name="Recipient Name",
    story="Story ID",
    publisher="Source",
    archive_goldstein="Intensity",
    quad_class="Quad Code",
)
_COMMON = """
    Parameters
    ----------
    paths : path, glob or list of them
        Files as the archive publishes them; zip archives are read in place.
    kinds : {"visits", "diplomacy"} or mapping
        Which event codes become which ``kind`` (see :mod:`periodize.adapters.mapping`);
        ``(kind, "swap")`` makes the target the actor (CAMEO 043 "host a visit").
    dyad : pair of str, optional
        Keep only events between these two ISO alpha-3 codes (either direction).
    countries : list of str, optional
        Keep only events whose actor and target are both among these.
    start, end : int or date, optional
        Keep only events in this window (a year means its first/last day).
    states_only : bool
        Drop rows whose actor or target is not the state or one of its organs.
    one_per_day : bool
        Keep one event per (day, actor, target, code), as Phoenix does.
    country_map : mapping, optional
        More archive country values and their codes (``{"KSV": "XKX"}``).
    exposure_by : {"all", "country"}
        Count the archive's rows per day in all (default), or also per country, before any
        filter: the volume :func:`~periodize.adapters.exposure` turns into offsets.
    engine : {"pandas", "dask"}
        ``"dask"``: a Dask DataFrame with one partition per file, each read where it lies
        (``periodize[dask]``; see ``docs/cluster.md``); ``row_account`` adds up the files'
        accounts.

    Returns
    -------
    DataFrame
        The validated event table; ``periodize.adapters.row_account(table)`` is its
        account of every row read.

    Examples
    --------
    >>> import os, tempfile, periodize as pz
    >>> names = pz.adapters.column_list("gdelt2_61")
    >>> row = dict.fromkeys(names, "") | {"GLOBALEVENTID": "7", "SQLDATE": "20191024",
    ...     "Actor1Code": "MNGGOV", "Actor1CountryCode": "MNG", "Actor1Type1Code": "GOV",
    ...     "Actor2Code": "KAZ", "Actor2CountryCode": "KAZ", "EventCode": "042"}
    >>> path = os.path.join(tempfile.mkdtemp(), "20191024.export.CSV")
    >>> _ = open(path, "w").write("\\t".join(row[n] for n in names) + "\\n")
    >>> events = pz.read_gdelt(path, dyad=("MNG", "KAZ"))
    >>> events[["date", "actor", "target", "level", "kind", "cameo_code"]]
             date actor target       level   kind cameo_code
    0  2019-10-24   MNG    KAZ  government  visit        042
    >>> print(pz.adapters.row_account(events))
    gdelt: 1 rows read from 1 file(s)
      kept 1 events; merged 0 duplicate reports
"""


def _other_engine(reader: Any, paths: Any, engine: str, options: dict[str, Any]) -> Any:
    if engine != "dask":
        raise ParameterError(f"The 'engine' parameter must be 'pandas' or 'dask'. Got {engine!r}.")
    return dask_engine("read_archive")(reader, paths, options)


def _read(
    layout: Layout,
    streams: Sequence[tuple[Source, Sequence[str], int]],
    options: dict[str, Any],
    **kwargs: Any,
) -> pd.DataFrame:
    request = make_request(kind_mapping(options.pop("kinds")), **options)
    events, _ = read_archive(layout, streams, request, **kwargs)
    return events


_OPTIONS = ("kinds", "dyad", "countries", "start", "end", "states_only", "one_per_day",
            "country_map", "exposure_by")  # fmt: skip


def _options(arguments: dict[str, Any]) -> dict[str, Any]:
    """The reader options among a reader's arguments (its ``locals()``)."""
    return {name: arguments[name] for name in _OPTIONS}


def read_icews(
    paths: PathLike | Sequence[PathLike],
    *,
    kinds: str | Mapping[str, Any] = "visits",
    dyad: Sequence[str] | None = None,
    countries: Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
    states_only: bool = True,
    one_per_day: bool = False,
    country_map: Mapping[str, str] | None = None,
    exposure_by: str = "all",
    engine: str = "pandas",
) -> Any:
    if engine != "pandas":
        return _other_engine(read_icews, paths, engine, _options(locals()))
    streams = []
    expected = column_list("icews")
    for source in sources(paths):
        lines = first_lines(source, 1)
        if not lines:
            streams.append((source, expected, 1))
            continue
        if tuple(lines[0]) != expected:
            raise ParameterError(
                f"{source.label} is not an ICEWS event file: its header is "
                f"{lines[0][:4]}..., expected the 20 columns {list(expected[:4])}..."
            )
        streams.append((source, expected, 1))
    options = _options(locals())
    return _read(ICEWS, streams, options, null_values=("", "NA"))


def read_gdelt(
    paths: PathLike | Sequence[PathLike],
    *,
    kinds: str | Mapping[str, Any] = "visits",
    dyad: Sequence[str] | None = None,
    countries: Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
    states_only: bool = True,
    one_per_day: bool = False,
    country_map: Mapping[str, str] | None = None,
    exposure_by: str = "all",
    engine: str = "pandas",
) -> Any:
    if engine != "pandas":
        return _other_engine(read_gdelt, paths, engine, _options(locals()))
    layouts = {57: "gdelt1_57", 58: "gdelt1_58", 61: "gdelt2_61"}
    streams = []
    for source in sources(paths):
        lines = first_lines(source, 1)
        count = len(lines[0]) if lines else 58
        if count not in layouts:
            raise ParameterError(
                f"{source.label} is not a GDELT event file: its first line has {count} "
                "tab-separated fields; GDELT 1.0 has 57 (before April 2013) or 58, GDELT 2.0 "
                "has 61."
            )
        streams.append((source, list(column_list(layouts[count])), 0))
    options = _options(locals())
    layout = GDELT
    # GDELT 1.0 before April 2013 has no SOURCEURL: no story to merge mirrored reports on
    if any("SOURCEURL" not in names for _, names, _ in streams):
        if not all("SOURCEURL" not in names for _, names, _ in streams):
            raise ParameterError(
                "These GDELT files mix the 57-field layout (no SOURCEURL) with the newer "
                "ones; read them in two calls and concatenate the tables."
            )
        layout = Layout(**{**GDELT.__dict__, "story": None})
    return _read(layout, streams, options)


def read_phoenix(
    paths: PathLike | Sequence[PathLike],
    *,
    kinds: str | Mapping[str, Any] = "visits",
    dyad: Sequence[str] | None = None,
    countries: Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
    states_only: bool = True,
    one_per_day: bool = False,
    country_map: Mapping[str, str] | None = None,
    exposure_by: str = "all",
    engine: str = "pandas",
) -> Any:
    if engine != "pandas":
        return _other_engine(read_phoenix, paths, engine, _options(locals()))
    names = column_list("phoenix")
    streams = []
    for source in sources(paths):
        lines = first_lines(source, 1)
        if lines and len(lines[0]) != len(names):
            raise ParameterError(
                f"{source.label} is not a Phoenix event file: its first line has "
                f"{len(lines[0])} tab-separated fields, expected {len(names)}."
            )
        streams.append((source, names, 0))
    options = _options(locals())
    return _read(PHOENIX, streams, options)


#: POLECAT columns the reader needs (the files have about 40; the rest are not read).
POLECAT_REQUIRED = (
    "Event ID",
    "Event Date",
    "Event Type",
    "Event Mode",
    "Actor Country",
    "Recipient Country",
)


def read_polecat(
    paths: PathLike | Sequence[PathLike],
    *,
    kinds: str | Mapping[str, Any] = "visits",
    dyad: Sequence[str] | None = None,
    countries: Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
    states_only: bool = True,
    one_per_day: bool = False,
    country_map: Mapping[str, str] | None = None,
    exposure_by: str = "all",
    engine: str = "pandas",
) -> Any:
    if engine != "pandas":
        return _other_engine(read_polecat, paths, engine, _options(locals()))
    streams = []
    layout_fields = set(POLECAT.columns)
    for source in sources(paths):
        lines = first_lines(source, 2)
        if not lines:
            continue
        header = [name.strip() for name in lines[0]]
        missing = [c for c in POLECAT_REQUIRED if c not in header]
        if missing:
            raise ParameterError(
                f"{source.label} is not a POLECAT event file: its header lacks {missing}."
            )
        fields = len(lines[1]) if len(lines) > 1 else len(header)
        # known malformations: trailing tabs (empty names), or names without data at the end
        names = [n if n else f"_empty{i}" for i, n in enumerate(header)][:fields]
        names += [f"_extra{i}" for i in range(len(names), fields)]
        cut = [c for c in POLECAT_REQUIRED if c not in names]
        if cut:
            raise ParameterError(
                f"{source.label}: line 2 has {fields} fields but the header names "
                f"{len(header)}, so {cut} would have no values; fix or remove the short lines."
            )
        absent = layout_fields - set(names)
        streams.append((source, names, 1, absent))
    optional_absent = set.union(set(), *(s[3] for s in streams)) if streams else set()
    layout = Layout(
        **{
            **POLECAT.__dict__,
            **{
                key: None
                for key, value in POLECAT.__dict__.items()
                if isinstance(value, str) and value in optional_absent
            },
        }
    )
    if layout.actor_level is None or layout.target_level is None:
        layout = Layout(
            **{
                **layout.__dict__,
                "actor_level": "Actor Country",
                "target_level": "Recipient Country",
            }
        )
    options = _options(locals())
    plain = [(s[0], s[1], s[2]) for s in streams]
    return _read(layout, plain, options, header=POLECAT_REQUIRED)


for _reader, _name in (
    (read_icews, "ICEWS (doi:10.7910/DVN/28075), tab-separated with a header, `NA` missing"),
    (read_gdelt, "GDELT 1.0 (57 or 58 fields) or 2.0 (61 fields), tab-separated, no header"),
    (read_phoenix, "Phoenix daily files (26 tab-separated fields, no header)"),
    (read_polecat, "POLECAT (doi:10.7910/DVN/AJGVIT), tab-separated with a header"),
):
    _reader.__doc__ = f"Read {_name} into the event schema.\n{_COMMON}"
