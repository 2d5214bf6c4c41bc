"""The ``periodize`` command's parser: every subcommand and its options."""

from __future__ import annotations

import argparse

from ..segmentation.api import METHODS
from ..segmentation.costs import COSTS
from .arguments import (
    count,
    decimals,
    indicator,
    models,
    named_years,
    names,
    positive,
    probability,
    rate,
    seed,
    year_span,
    years,
)


def build() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="periodize", description="Statistical periodization of bilateral relations."
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    describe = commands.add_parser(
        "describe",
        help="validate an event table and print its summary and yearly intensity",
        description="Validate an event table (default: the bundled Mongolia–Kazakhstan "
        "dataset) and print its summary, the events per period and its yearly intensity "
        "under every built-in weighting scheme.",
    )
    describe.add_argument("--events", metavar="FILE", help="event table (.csv, .jsonl, .parquet)")
    describe.add_argument(
        "--boundaries",
        type=years,
        metavar="YEARS",
        help="first years of new periods, e.g. 2009,2019 (default for the bundled dataset: "
        "the paper's 2009,2019)",
    )
    _extra_codes(describe)
    _vocabulary(describe)
    study = commands.add_parser(
        "study",
        help="run the whole analysis and write a report",
        description="Run the whole periodization analysis (tests, exact posterior, "
        "robustness) and write report.md, report.html, result.json, figure.png and "
        "figure.svg. With no "
        "arguments: the bundled Mongolia–Kazakhstan dataset and the paper's periods.",
    )
    source = study.add_mutually_exclusive_group()
    source.add_argument("--events", metavar="FILE", help="event table (.csv, .jsonl, .parquet)")
    source.add_argument(
        "--dataset",
        choices=["mongolia-kazakhstan"],
        help="a bundled dataset (default: mongolia-kazakhstan)",
    )
    study.add_argument(
        "--hypothesis",
        type=named_years,
        action="append",
        metavar="[NAME=]YEARS",
        help="first years of the hypothesised new periods, e.g. 2009,2019 or paper=2009,2019; "
        "repeat to compare several (the first is tested in full). Required with --events; for "
        "the bundled dataset the paper's 2009,2019",
    )
    study.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    study.add_argument("--model", default="poisson", choices=["poisson", "negbin"])
    study.add_argument("--rng", type=seed, default=0, metavar="SEED", help="seed (default 0)")
    study.add_argument(
        "--max-breaks",
        type=count,
        metavar="K",
        help="most breaks in the exact posterior (default 3, or fewer when the window is "
        "too short for 3 periods of min-size years each)",
    )
    study.add_argument(
        "--n-sim",
        type=positive,
        default=9999,
        metavar="N",
        help="Monte Carlo replicates per test (default 9999)",
    )
    study.add_argument(
        "--envelope-draws",
        type=count,
        default=500,
        metavar="N",
        help="weight vectors of the robustness table's protocol envelope (default 500; 0 "
        "leaves it out)",
    )
    _dependence(study)
    study.add_argument(
        "--out",
        default="periodize-study",
        metavar="DIR",
        help="output folder (default ./periodize-study); must be new or empty",
    )
    study.add_argument(
        "--force",
        action="store_true",
        help="replace a previous study in --out (never files periodize did not write)",
    )
    study.add_argument("--title", help="title of the report (default: the file name)")
    study.add_argument(
        "--dyad", type=names, metavar="A,B", help="the dyad to study in a file of several"
    )
    study.add_argument("--min-size", type=positive, default=3, metavar="N")
    study.add_argument(
        "--analysis",
        choices=["joint", "pooled"],
        default="joint",
        help="joint (default): the two directions tested as one periodization shared by "
        "both, and the pooled count besides; pooled: the pooled count only",
    )
    study.add_argument(
        "--indicator",
        type=indicator,
        action="append",
        metavar="NAME=SCHEME",
        help="an extra series tested jointly with the directions: the dyad's yearly total "
        "under SCHEME (a built-in scheme, a scheme file, or column:COL for the sum of a "
        "numeric column), e.g. documents=column:documents_signed; repeat for several",
    )
    _window_and_codes(study)
    _vocabulary(study)
    study.add_argument("--quiet", action="store_true", help="no progress on stderr")
    bench = commands.add_parser(
        "bench",
        help="run the benchmarks (from a source checkout)",
        description="Run the benchmark suite (python -m benchmarks) and write "
        "benchmarks/RESULTS.md; needs the repository's benchmarks/ folder.",
    )
    size = bench.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    size.add_argument("--large", action="store_true", help="sizes beyond the default")
    bench.add_argument("--out", metavar="DIR", help="where to write the results")
    bench.add_argument("--force", action="store_true", help="replace results already in --out")
    detect = commands.add_parser(
        "detect",
        help="change points of the series in a CSV file",
        description="Exact change points of one or many series in a CSV file with a time "
        "column (integer years or ISO dates) and a numeric column.",
    )
    detect.add_argument("file", nargs="?", metavar="FILE", help="CSV file of series")
    detect.add_argument("--time", metavar="COL", help="time column (with FILE)")
    detect.add_argument("--value", metavar="COL", help="numeric column (with FILE)")
    detect.add_argument("--series", metavar="COL", help="column naming the series (long format)")
    detect.add_argument(
        "--model",
        type=models,
        metavar="MODEL",
        help=f"{', '.join(sorted([*COSTS, 'normal_drift']))}; with --joint also SERIES=MODEL "
        "pairs of the others, e.g. "
        "visits=poisson,goldstein=normal. Default: poisson for counts (under the default "
        "rule quasi-Poisson, which measures their dispersion, with constant or log-linear "
        "rates in each period), quasipoisson for other non-negative values (weighted "
        "intensities), normal (under the default rule robust levels or lines) when a "
        "value is negative",
    )
    how = detect.add_mutually_exclusive_group()  # neither: the default rule
    how.add_argument("--breaks", type=count, metavar="K", help="exact number of breaks")
    detect.add_argument(
        "--method", default="exact", choices=list(METHODS), help="search (default exact)"
    )
    how.add_argument(
        "--penalty", metavar="P",
        help="auto (the default without --breaks), bic, mbic, aic, hq or a number",
    )  # fmt: skip
    detect.add_argument("--min-size", type=positive, default=3, metavar="N")
    detect.add_argument(
        "--missing",
        choices=("refuse", "skip"),
        default="refuse",
        help="an empty value cell: refuse it (default) or skip the period",
    )
    detect.add_argument(
        "--joint",
        nargs="?",
        const=True,
        default=False,
        choices=[True, "dyad"],
        metavar="dyad",
        help="one set of boundaries shared by all the series (each keeps its own levels); "
        "--joint dyad: one set for the two directions A->B, B->A of every dyad",
    )
    detect.add_argument(
        "--events",
        metavar="EVENTS",
        help="an event table instead of FILE: its intensity series are segmented",
    )
    _series_options(detect, optional=True)
    archive = commands.add_parser(
        "import",
        help="read machine-coded archive files into an event table",
        description="Read ICEWS, POLECAT, GDELT or Phoenix files (plain or zipped, globs "
        "allowed) into the event schema, write the validated table and print the account of "
        "every row read (kept, merged, dropped and why).",
    )
    archive.add_argument(
        "--format", required=True, choices=["icews", "polecat", "gdelt", "phoenix"]
    )
    archive.add_argument("files", nargs="+", metavar="FILES", help="archive files or globs")
    archive.add_argument("--dyad", type=names, metavar="A,B", help="e.g. MNG,KAZ")
    archive.add_argument("--countries", type=names, metavar="A,B,...", help="keep only these")
    archive.add_argument("--start", metavar="YEAR|DATE", type=_year_or_date)
    archive.add_argument("--end", metavar="YEAR|DATE", type=_year_or_date)
    archive.add_argument(
        "--kinds",
        dest="kinds_preset",
        default="visits",
        choices=["visits", "diplomacy"],
        help="which event codes to keep and as which kinds (default visits)",
    )
    archive.add_argument(
        "--one-per-day", action="store_true", help="one event per day, dyad, code"
    )
    archive.add_argument(
        "--all-actors", action="store_true", help="keep non-state actors (default: drop them)"
    )
    archive.add_argument(
        "--exposure-by-country", action="store_true", help="count rows per country and day too"
    )
    archive.add_argument("-o", "--out", required=True, metavar="FILE", help=".parquet (or .csv)")
    archive.add_argument("--force", action="store_true", help="replace an existing FILE")
    cluster = commands.add_parser(
        "panel",
        help="segment and test every dyad of many event files on Dask",
        description="Read event files (globs, Parquet dataset folders) as partitions on a "
        "Dask cluster, aggregate every dyad's series, segment and test the hypothesis on "
        "each (batches of series per task), and write one tidy Parquet table. Needs "
        "periodize[dask].",
    )
    cluster.add_argument("events", nargs="+", metavar="EVENTS", help="event files or folders")
    cluster.add_argument("--hypothesis", type=years, required=True, metavar="YEARS")
    cluster.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    cluster.add_argument("--by", default="dyad", choices=["dyad", "direction"])
    cluster.add_argument(
        "--model", default="poisson", choices=["poisson", "negbin", "quasipoisson"]
    )
    cluster.add_argument(
        "--penalty", default="auto", help="for the boundaries found (default auto)"
    )
    cluster.add_argument("--min-size", type=positive, default=3, metavar="N")
    cluster.add_argument("--n-sim", type=positive, default=999, metavar="N")
    cluster.add_argument("--rng", type=seed, default=0, metavar="SEED")
    _dependence(cluster)
    cluster.add_argument("--batch-size", type=positive, default=512, metavar="N")
    cluster.add_argument(
        "--window",
        type=count,
        default=1,
        metavar="N",
        help="the shared-boundary test counts boundaries within ±N periods (default 1)",
    )
    cluster.add_argument(
        "--compare",
        type=named_years,
        action="append",
        metavar="NAME=YEARS",
        help="a competing periodization compared in every series (repeatable)",
    )
    cluster.add_argument(
        "--posterior-breaks",
        type=count,
        metavar="K",
        help="the exact posterior of every series with up to K breaks",
    )
    cluster.add_argument(
        "--checkpoint", metavar="DIR", help="keep finished batches here and resume from them"
    )  # fmt: skip
    cluster.add_argument("--countries", type=names, metavar="A,B,...", help="keep only these")
    cluster.add_argument("--start", type=int, metavar="YEAR")
    cluster.add_argument("--end", type=int, metavar="YEAR")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    where.add_argument("--workers", type=positive, metavar="N", help="local worker processes")
    _vocabularies(cluster)
    cluster.add_argument("-o", "--out", required=True, metavar="FILE", help=".parquet")
    cluster.add_argument("--force", action="store_true", help="replace an existing FILE")
    series = commands.add_parser(
        "intensity",
        help="turn an event table into intensity series (a CSV detect reads)",
        description="Weight and count the events of a table per period and series, and "
        "write the series in long format (period, label, series, value).",
    )
    series.add_argument("events", metavar="EVENTS", help="event table (.csv, .jsonl, .parquet)")
    _series_options(series, optional=False)
    series.add_argument("-o", "--out", required=True, metavar="FILE", help=".csv")
    series.add_argument("--force", action="store_true", help="replace an existing FILE")
    explore = commands.add_parser(
        "explore",
        help="segment an event table without a hypothesis (tests nothing)",
        description="An explicitly exploratory run: the number of breaks the default rule "
        "finds, the best segmentation with each number of breaks and the exact posterior. "
        "Nothing is tested, and the output says so.",
    )
    explore.add_argument("--events", required=True, metavar="FILE", help="event table")
    explore.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    explore.add_argument("--model", default="poisson", choices=["poisson", "negbin"])
    explore.add_argument("--max-breaks", type=count, default=3, metavar="K")
    explore.add_argument("--min-size", type=positive, default=3, metavar="N")
    explore.add_argument("--title", help="title of the run (default: the file name)")
    _window_and_codes(explore)
    _vocabulary(explore)
    simulate = commands.add_parser(
        "simulate",
        help="write a synthetic event table with known boundaries",
        description="Simulate events whose yearly rate changes at known boundaries (as "
        "periodize.simulate_events) and write them; the truth goes to stdout.",
    )
    simulate.add_argument("--dyads", type=positive, required=True, metavar="N")
    simulate.add_argument("--years", type=year_span, required=True, metavar="FIRST-LAST")
    simulate.add_argument(
        "--boundaries", type=years, required=True, metavar="YEARS", help="e.g. 2005,2012"
    )
    rates = simulate.add_mutually_exclusive_group(required=True)
    rates.add_argument(
        "--rates", type=decimals, metavar="R,...", help="events per year in each period"
    )
    rates.add_argument(
        "--rate-ratios",
        type=decimals,
        metavar="X,...",
        help="each period's rate over the one before (with --base-rate)",
    )
    simulate.add_argument(
        "--base-rate", type=rate, default=1.0, metavar="R", help="events per year at first"
    )
    simulate.add_argument("--rng", type=seed, default=0, metavar="SEED")
    simulate.add_argument("-o", "--out", required=True, metavar="FILE", help=".csv/.parquet")
    simulate.add_argument("--force", action="store_true", help="replace an existing FILE")
    power = commands.add_parser(
        "power",
        help="how often a design finds its periods (simulation)",
        description="Simulate a design at several base rates and report the power of the "
        "test against no change and how often each boundary is found (periodize.power).",
    )
    power.add_argument("--years", type=year_span, required=True, metavar="FIRST-LAST")
    power.add_argument("--boundaries", type=years, required=True, metavar="YEARS")
    power.add_argument("--base-rates", type=decimals, required=True, metavar="R,...")
    power.add_argument("--rate-ratios", type=decimals, required=True, metavar="X,...")
    power.add_argument("--scheme", default="count")
    power.add_argument("--min-size", type=positive, default=3, metavar="N")
    power.add_argument("--n-rep", type=positive, default=1000, metavar="N")
    power.add_argument(
        "--n-null", type=positive, default=2000, metavar="N", help="null replicates"
    )
    power.add_argument("--alpha", type=probability, default=0.05, metavar="P")
    power.add_argument(
        "--window", type=count, default=1, metavar="N", help="a boundary found within ±N"
    )
    power.add_argument("--rng", type=seed, default=0, metavar="SEED")
    watch = commands.add_parser(
        "monitor",
        help="has a new period begun since a given period?",
        description="From the last period of the history before --since, check every period "
        "since for the start of a new one, with a false-alarm probability held at --level "
        "over --horizon periods (periodize.monitor).",
    )
    watch.add_argument("--events", required=True, metavar="EVENTS", help="event table")
    watch.add_argument("--since", required=True, metavar="PERIOD", help="first period watched")
    watch.add_argument("--horizon", type=positive, default=10, metavar="N", help="default 10")
    watch.add_argument(
        "--model", default="auto", choices=["auto", "poisson", "quasipoisson", "normal"]
    )
    watch.add_argument("--level", type=probability, default=0.05, metavar="P", help="default 0.05")
    watch.add_argument("--min-size", type=positive, default=3, metavar="N")
    watch.add_argument("--n-sim", type=positive, default=999, metavar="N")
    watch.add_argument("--rng", type=seed, default=0, metavar="SEED")
    _dependence(watch)
    watch.add_argument(
        "--stable-history",
        action="store_true",
        help="the history is known to hold no change: the whole of it is the baseline "
        "(default: segment it and watch from its last period)",
    )
    watch.add_argument(
        "--history-breaks",
        metavar="PERIODS",
        help="the history's known periods, the first period of each new one, such as "
        "2009,2019: watched from the last of them, which is not doubted (default: segment "
        "the history)",
    )
    _series_options(watch, optional=False)
    for command in commands.choices.values():
        command.add_argument(
            "--json", action="store_true", help="print one JSON document on stdout"
        )
    return parser


def _dependence(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--dependence",
        default="auto",
        choices=["auto", "independent", "ar"],
        help="serial dependence of the Monte Carlo replicates: auto (default) fits a latent "
        "AR to the residuals and keeps it where found; independent draws periods "
        "independently; ar always fits one",
    )


def _year_or_date(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _series_options(command: argparse.ArgumentParser, *, optional: bool) -> None:
    """How an event table becomes series (intensity, and detect --events)."""
    command.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    command.add_argument(
        "--freq", default="year", choices=["year", "quarter", "month", "week", "day"]
    )
    command.add_argument(
        "--by", default="dyad", choices=["dyad", "direction", "all"], help="default dyad"
    )
    command.add_argument("--stratify", choices=["level", "kind", "quad_class"])
    when = "with --events: " if optional else ""
    command.add_argument("--start", metavar="PERIOD", help=f"{when}first period (a year, ...)")
    command.add_argument("--end", metavar="PERIOD", help=f"{when}last period")
    _vocabularies(command)


def _vocabularies(command: argparse.ArgumentParser) -> None:
    """The vocabularies of an event table read from a file, and its extra country codes."""
    command.add_argument(
        "--levels", type=names, metavar="A,B,...", help="the level vocabulary of the events"
    )
    command.add_argument(
        "--kinds", type=names, metavar="A,B,...", help="the kind vocabulary of the events"
    )
    _extra_codes(command)


def _window_and_codes(command: argparse.ArgumentParser) -> None:
    """The options that say how to read an event table: window and extra country codes."""
    command.add_argument(
        "--start", type=int, metavar="YEAR", help="first year of the window (default: data)"
    )
    command.add_argument(
        "--end", type=int, metavar="YEAR", help="last year of the window (default: data)"
    )
    _extra_codes(command)


def _vocabulary(command: argparse.ArgumentParser) -> None:
    """The level and kind vocabularies of the event table read (default: periodize's)."""
    command.add_argument(
        "--levels",
        type=names,
        metavar="A,B,...",
        help="the level vocabulary of --events (default: periodize's)",
    )
    command.add_argument(
        "--kinds", type=names, metavar="A,B,...", help="the kind vocabulary of --events"
    )


def _extra_codes(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--extra-codes",
        type=names,
        default=(),
        metavar="XKX,...",
        help="codes accepted in actor/target besides ISO 3166-1 alpha-3",
    )
