"""The ``periodize`` command.

Exit codes: 0 success, 2 bad input or usage (the message says what and where), 1 internal
error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from . import datasets
from .events import read_events
from .exceptions import ParameterError, PeriodizeError
from .report.describe import describe_text
from .results import to_json
from .segmentation import segment
from .segmentation.costs import COSTS
from .segmentation.inputs import check_time_index

#: The paper's periodization of the bundled dataset: 1992–2008, 2009–2018, 2019–.
PAPER_BOUNDARIES = (2009, 2019)


def _years(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected years separated by commas, such as 2009,2019; got {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="periodize", description="Statistical periodization of bilateral relations."
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
        type=_years,
        metavar="YEARS",
        help="first years of new periods, e.g. 2009,2019 (default for the bundled dataset: "
        "the paper's 2009,2019)",
    )
    study = commands.add_parser(
        "study",
        help="run the whole analysis and write a report",
        description="Run the whole periodization analysis (tests, exact posterior, "
        "robustness) and write report.md, result.json, figure.png and figure.svg. With no "
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
        type=_years,
        default=PAPER_BOUNDARIES,
        metavar="YEARS",
        help="first years of the hypothesised new periods (default 2009,2019)",
    )
    study.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    study.add_argument("--model", default="poisson", choices=["poisson", "negbin"])
    study.add_argument("--rng", type=int, default=0, metavar="SEED", help="seed (default 0)")
    study.add_argument(
        "--n-sim",
        type=int,
        default=9999,
        metavar="N",
        help="Monte Carlo replicates per test (default 9999)",
    )
    study.add_argument(
        "--out",
        default="periodize-study",
        metavar="DIR",
        help="output folder (default ./periodize-study)",
    )
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
    detect = commands.add_parser(
        "detect",
        help="change points of the series in a CSV file",
        description="Exact change points of one or many series in a CSV file with a time "
        "column (integer years or ISO dates) and a numeric column.",
    )
    detect.add_argument("file", metavar="FILE", help="CSV file")
    detect.add_argument("--time", required=True, metavar="COL", help="time column")
    detect.add_argument("--value", required=True, metavar="COL", help="numeric column")
    detect.add_argument("--series", metavar="COL", help="column naming the series (long format)")
    detect.add_argument("--model", default="poisson", choices=sorted(COSTS))
    how = detect.add_mutually_exclusive_group(required=True)
    how.add_argument("--breaks", type=int, metavar="K", help="exact number of breaks")
    how.add_argument("--penalty", metavar="P", help="bic, mbic, aic, hq or a number")
    detect.add_argument("--min-size", type=int, default=3, metavar="N")
    detect.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def _penalty(text: str | None) -> str | float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _read_series(path: str, time: str, value: str, series: str | None) -> pd.DataFrame:
    """Periods × series from a CSV in long format; gaps and duplicates are errors."""
    table = pd.read_csv(path)
    missing = [c for c in (time, value, series) if c is not None and c not in table.columns]
    if missing:
        raise ParameterError(f"{path}: no column {missing}; columns are {list(table.columns)}.")
    if not pd.api.types.is_integer_dtype(table[time]):
        try:
            table[time] = pd.to_datetime(table[time], format="ISO8601")
        except (ValueError, TypeError):
            raise ParameterError(
                f"{path}: column {time!r} must hold integer years or ISO dates."
            ) from None
    if series is None:
        frame = table.set_index(time)[[value]]
    else:
        dup = table.duplicated([series, time])
        if dup.any():
            row = table[dup].iloc[0]
            raise ParameterError(
                f"{path}: series {row[series]!r} has two rows for {time} {row[time]}."
            )
        frame = table.pivot(index=time, columns=series, values=value)
        holes = frame.isna() & ~frame.index.to_series().isna().to_numpy()[:, None]
        if holes.to_numpy().any():
            t, name = holes.stack()[lambda s: s].index[0]
            raise ParameterError(f"{path}: series {name!r} has no row for {time} {t}.")
    check_time_index(frame.index, f"{time!r} column of {path}")
    return frame


def _detect(args: argparse.Namespace) -> None:
    frame = _read_series(args.file, args.time, args.value, args.series)
    fit = segment(
        frame,
        n_breaks=args.breaks,
        penalty=_penalty(args.penalty),
        model=args.model,
        min_size=args.min_size,
    )
    if not args.json:
        print(fit.summary())
        return
    document = fit.to_dict()
    if args.series is None:
        document.update({k: v for k, v in document["series"][0].items() if k not in ("name",)})
    document["n_series"] = len(fit.names)
    print(to_json(document))


def _describe(args: argparse.Namespace) -> None:
    if args.events is None:
        events = datasets.mongolia_kazakhstan()
        name = "Mongolia–Kazakhstan high-level visits and meetings (bundled dataset)"
        boundaries = args.boundaries or PAPER_BOUNDARIES
    else:
        events = read_events(args.events)
        name, boundaries = args.events, args.boundaries
    print(describe_text(events, name, boundaries))


def _bench(args: argparse.Namespace) -> int:
    try:
        from benchmarks.__main__ import main as run
    except ImportError:
        raise ParameterError(
            "periodize bench needs the benchmarks/ folder of a source checkout: run it from "
            "the repository root."
        ) from None
    options = ["--quick"] if args.quick else ["--large"] if args.large else []
    return run([*options, *(["--out", args.out] if args.out else [])])


def _study(args: argparse.Namespace, argv: Sequence[str] | None) -> None:
    from .study import stderr_progress, study

    if args.events is None:
        events, title = datasets.mongolia_kazakhstan(), "Mongolia–Kazakhstan (bundled dataset)"
    else:
        events, title = read_events(args.events), args.events
    words = list(sys.argv[1:] if argv is None else argv)
    result = study(
        events,
        args.hypothesis,
        scheme=args.scheme,
        model=args.model,
        n_sim=args.n_sim,
        rng=args.rng,
        title=title,
        command="periodize " + " ".join(words),
        progress=None if args.quiet else stderr_progress,
    )
    paths = result.write(args.out)
    print(result.summary())
    print("")
    print("written: " + ", ".join(str(p) for p in paths.values()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "detect":
            _detect(args)
        elif args.command == "study":
            _study(args, argv)
        elif args.command == "bench":
            return _bench(args)
        else:
            _describe(args)
    except (PeriodizeError, FileNotFoundError) as error:
        print(f"periodize {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
