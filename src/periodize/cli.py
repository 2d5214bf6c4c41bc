"""The ``periodize`` command.

Exit codes: 0 success, 2 bad input or usage (the message says what and where), 1 internal
error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import datasets
from ._output import OutputFolder
from ._textfiles import read_csv_text, read_text
from .events import read_events
from .events.numbers import DECIMAL
from .exceptions import EventSchemaError, ParameterError, PeriodizeError
from .report.describe import describe_text
from .results import to_json
from .segmentation import segment
from .segmentation.costs import COSTS
from .segmentation.inputs import check_time_index


def _years(text: str) -> tuple[int, ...]:
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isascii() and part.lstrip("-").isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected one or more years separated by commas, such as 2009,2019; got {text!r}"
        )
    return tuple(int(part) for part in parts)


def _named_years(text: str) -> tuple[str | None, tuple[int, ...]]:
    name, _, years = text.rpartition("=")
    if "=" in text and not name.strip():
        raise argparse.ArgumentTypeError(
            f"expected NAME=YEARS such as paper=2009,2019; got {text!r}"
        )
    return (name.strip() or None), _years(years)


def _names(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected names separated by commas; got {text!r}")
    return names


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed; got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer; got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
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
        type=_years,
        metavar="YEARS",
        help="first years of new periods, e.g. 2009,2019 (default for the bundled dataset: "
        "the paper's 2009,2019)",
    )
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
        type=_named_years,
        action="append",
        metavar="[NAME=]YEARS",
        help="first years of the hypothesised new periods, e.g. 2009,2019 or paper=2009,2019; "
        "repeat to compare several (the first is tested in full). Required with --events; for "
        "the bundled dataset the paper's 2009,2019",
    )
    study.add_argument("--scheme", default="count", help="weighting scheme (default count)")
    study.add_argument("--model", default="poisson", choices=["poisson", "negbin"])
    study.add_argument("--rng", type=_seed, default=0, metavar="SEED", help="seed (default 0)")
    study.add_argument(
        "--max-breaks",
        type=_count,
        metavar="K",
        help="most breaks in the exact posterior (default 3, or fewer when the window is "
        "too short for 3 periods of min-size years each)",
    )
    study.add_argument(
        "--n-sim",
        type=_positive,
        default=9999,
        metavar="N",
        help="Monte Carlo replicates per test (default 9999)",
    )
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
        "--start", type=int, metavar="YEAR", help="first year of the window (default: data)"
    )
    study.add_argument(
        "--end", type=int, metavar="YEAR", help="last year of the window (default: data)"
    )
    study.add_argument(
        "--levels",
        type=_names,
        metavar="A,B,...",
        help="the level vocabulary of --events (default: periodize's)",
    )
    study.add_argument(
        "--kinds", type=_names, metavar="A,B,...", help="the kind vocabulary of --events"
    )
    study.add_argument(
        "--extra-codes",
        type=_names,
        default=(),
        metavar="XKX,...",
        help="codes accepted in actor/target besides ISO 3166-1 alpha-3",
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
    how.add_argument("--breaks", type=_count, metavar="K", help="exact number of breaks")
    how.add_argument("--penalty", metavar="P", help="bic, mbic, aic, hq or a number")
    detect.add_argument("--min-size", type=_positive, default=3, metavar="N")
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
    """Periods × series from a CSV in long format, rows in any order; gaps, empty cells
    and duplicates are errors that name the line."""
    file, text = read_text(path)
    table, lines = read_csv_text(file, text)
    missing = [c for c in (time, value, series) if c is not None and c not in table.columns]
    if missing:
        raise ParameterError(f"{path}: no column {missing}; columns are {list(table.columns)}.")
    for column in (time, value, series):
        if column is not None and table[column].isna().any():
            i = int(np.flatnonzero(table[column].isna().to_numpy())[0])
            raise ParameterError(f"{path}, line {lines[i]}: the {column!r} cell is empty.")
    table[time] = _times(table[time], path, time, lines)
    table[value] = _numbers(table[value], path, value, lines)
    table = table.assign(_line=lines).sort_values(time, kind="stable")
    keys = [time] if series is None else [series, time]
    dup = table.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        first = table[dup].iloc[:2]
        label = "" if series is None else f"series {first[series].iat[0]!r} has "
        raise ParameterError(
            f"{path}: {label}two rows for {time} {first[time].iat[0]} (lines "
            f"{first['_line'].iat[0]} and {first['_line'].iat[1]})."
        )
    if series is None:
        frame = table.set_index(time)[[value]]
    else:
        frame = table.pivot(index=time, columns=series, values=value)
        holes = frame.isna()
        if holes.to_numpy().any():
            t, name = holes.stack()[lambda s: s].index[0]
            raise ParameterError(
                f"{path}: series {name!r} has no row for {time} {t} (each series needs a "
                "row for every period, with 0 where nothing happened)."
            )
    check_time_index(frame.index, f"{time!r} column of {path}")
    return frame


def _times(values: pd.Series, path: str, column: str, lines: np.ndarray) -> pd.Series:
    """Integer years, or ISO dates, from text cells (ASCII digits only)."""
    text = values.astype(str)
    years = text.str.fullmatch(r"-?[0-9]{1,9}")
    if years.all():
        return text.astype(np.int64)
    try:
        return pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError):
        i = int(np.flatnonzero(~years.to_numpy())[0])
        raise ParameterError(
            f"{path}, line {lines[i]}: column {column!r} must hold integer years or ISO dates "
            f"(YYYY-MM-DD); got {text.iat[i]!r}."
        ) from None


def _numbers(values: pd.Series, path: str, column: str, lines: np.ndarray) -> pd.Series:
    """Finite decimal numbers from text cells."""
    text = values.astype(str)
    ok = text.str.fullmatch(DECIMAL).to_numpy()
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise ParameterError(
            f"{path}, line {lines[i]}: column {column!r} must hold decimal numbers; got "
            f"{text.iat[i]!r}."
        )
    return text.astype(float)


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
        boundaries = args.boundaries or datasets.PAPER_BOUNDARIES
    else:
        events = read_events(args.events)
        name, boundaries = args.events, args.boundaries
    print(describe_text(events, name, boundaries))


def _bench(args: argparse.Namespace) -> int:
    root = Path.cwd()
    if (root / "benchmarks" / "__main__.py").is_file() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
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
    from .study import OUTPUT_FILES, stderr_progress, study

    if args.events is None:
        given_options = [
            f"--{name.replace('_', '-')}"
            for name in ("levels", "kinds", "extra_codes")
            if getattr(args, name)
        ]
        if given_options:
            raise ParameterError(
                f"{', '.join(given_options)} describe the table given with --events; the "
                "bundled dataset has its own vocabularies."
            )
        events, title = datasets.mongolia_kazakhstan(), "Mongolia–Kazakhstan (bundled dataset)"
        given = args.hypothesis or [("paper", datasets.PAPER_BOUNDARIES)]
    else:
        if args.hypothesis is None:
            raise ParameterError(
                "a hypothesis is needed for your own data: give the first years of the "
                "hypothesised new periods, e.g. --hypothesis 1991,2004."
            )
        events = read_events(
            args.events, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes
        )
        title, given = args.events, args.hypothesis
    hypothesis = _hypotheses(given)
    folder = OutputFolder(args.out, OUTPUT_FILES, overwrite=args.force)
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        result = study(
            events,
            hypothesis,
            scheme=args.scheme,
            model=args.model,
            n_sim=args.n_sim,
            max_breaks=args.max_breaks,
            rng=args.rng,
            title=args.title or title,
            command="periodize " + " ".join(words),
            start=args.start,
            end=args.end,
            progress=None if args.quiet else stderr_progress,
        )
        paths = folder.publish(result.files())
    finally:
        folder.discard()
    print(result.summary())
    print("")
    print("written: " + ", ".join(str(p) for p in paths.values()))


def _hypotheses(
    given: list[tuple[str | None, tuple[int, ...]]],
) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
    """One unnamed hypothesis as years; otherwise names (default "hypothesis N") to years."""
    if len(given) == 1 and given[0][0] is None:
        return given[0][1]
    named: dict[str, tuple[int, ...]] = {}
    for number, (name, years) in enumerate(given, start=1):
        label = name or f"hypothesis {number}"
        if label in named:
            raise ParameterError(f"--hypothesis: the name {label!r} is given twice.")
        named[label] = years
    return named


def _one_line(error: BaseException, debug: bool) -> str:
    """An error as one line (every problem of an event table is listed under --debug)."""
    if isinstance(error, EventSchemaError) and not debug:
        shown = "; ".join(str(p) for p in error.problems[:3])
        count = len(error.problems)
        origin = f" in {error.source}" if error.source else ""
        tail = (
            f" (and {count - 3} more; periodize --debug ... lists them all)" if count > 3 else ""
        )
        noun = "problem" if count == 1 else "problems"
        return f"{count} {noun} in the event table{origin}: {shown}{tail}"
    return str(error) if debug else " ".join(str(error).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 internal error, 2 bad input or
    usage, 130 interrupted)."""
    try:
        args = _parser().parse_args(argv)
    except KeyboardInterrupt:
        return 130
    name = f"periodize {args.command}"
    try:
        if args.command == "detect":
            _detect(args)
        elif args.command == "study":
            _study(args, argv)
        elif args.command == "bench":
            return _bench(args)
        else:
            _describe(args)
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except PeriodizeError as error:
        print(f"{name}: error: {_one_line(error, args.debug)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        print(
            f"{name}: internal error ({type(error).__name__}: {' '.join(str(error).split())}); "
            "please report it with the command and the output of --debug.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
