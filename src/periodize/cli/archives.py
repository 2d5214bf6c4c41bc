"""``periodize import`` (an archive into the event schema) and ``periodize intensity``
(an event table into series that ``periodize detect`` reads)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pandas as pd

from .. import adapters
from .._output import refuse_input, write_file
from ..adapters.files import expand
from ..events import read_events, write_events
from ..exceptions import ParameterError
from ..intensity import IntensitySeries, intensity
from ..results import to_json

READERS = {
    "icews": adapters.read_icews,
    "polecat": adapters.read_polecat,
    "gdelt": adapters.read_gdelt,
    "phoenix": adapters.read_phoenix,
}


def import_events(args: argparse.Namespace) -> None:
    reader = READERS[args.format]
    inputs = expand(args.files)
    refuse_input(Path(args.out), inputs)  # before the files are read
    events = reader(
        args.files,
        kinds=args.kinds_preset,
        dyad=args.dyad,
        countries=args.countries,
        start=args.start,
        end=args.end,
        states_only=not args.all_actors,
        one_per_day=args.one_per_day,
        exposure_by="country" if args.exposure_by_country else "all",
    )
    path = write_events(events, args.out, overwrite=args.force, inputs=inputs)
    account = adapters.row_account(events)
    if args.json:
        print(to_json({"written": str(path), "account": account.to_dict()}))
        return
    print(account.summary())
    print(f"written: {path} ({len(events)} events)")


def intensity_series(args: argparse.Namespace) -> IntensitySeries:
    """The series of ``--events`` under the options shared by intensity and detect."""
    events = read_events(
        args.events, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes
    )
    return intensity(
        events,
        args.scheme,
        freq=args.freq,
        start=_bound(args.start, args.freq),
        end=_bound(args.end, args.freq),
        by=None if args.by == "all" else args.by,
        stratify=args.stratify,
    )


def _bound(value: str | None, freq: str) -> int | str | None:
    return None if value is None else period_label(value, freq, "--start/--end")


def period_label(value: str, freq: str, flag: str = "--since") -> int | str:
    """A period given on the command line: a year (an int) when ``freq`` is year."""
    if freq != "year":
        return value
    if not value.lstrip("-").isdigit():
        raise ParameterError(f"{flag} must be a year when --freq is year; got {value!r}.")
    return int(value)


def long_format(series: IntensitySeries) -> pd.DataFrame:
    """One row per period and series: ``period`` (a year, or the period's first day),
    ``label``, ``series`` and ``value``."""
    data = series.data
    if isinstance(data.index, pd.PeriodIndex):
        period = data.index.to_timestamp(how="start").strftime("%Y-%m-%d")
    else:
        period = data.index.astype(str)
    wide = data.set_axis(pd.Index(period, name="period"))
    wide.insert(0, "label", data.index.astype(str))
    table = wide.melt(id_vars="label", ignore_index=False, var_name="series", value_name="value")
    return table.reset_index()[["period", "label", "series", "value"]]


def write_intensity(args: argparse.Namespace) -> None:
    refuse_input(Path(args.out), [args.events])  # before the events are read
    series = intensity_series(args)
    if Path(args.out).suffix.lower() != ".csv":
        raise ParameterError(f"-o/--out must name a .csv file; got {args.out!r}.")
    buffer = io.StringIO()
    long_format(series).to_csv(buffer, index=False)
    path = write_file(
        args.out, buffer.getvalue().encode("utf-8"), overwrite=args.force, inputs=[args.events]
    )
    if args.json:
        print(to_json({"written": str(path), "series": list(series.data.columns)}))
        return
    print(series.summary())
    print(
        f"written: {path} (read it with: periodize detect {path} --time period --value value "
        "--series series ...)"
    )
