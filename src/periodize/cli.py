"""The ``periodize`` command.

Exit codes: 0 success, 2 bad input or usage (the message says what and where), 1 internal
error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import datasets
from .events import read_events
from .exceptions import PeriodizeError
from .report.describe import describe_text

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.events is None:
            events = datasets.mongolia_kazakhstan()
            name = "Mongolia–Kazakhstan high-level visits and meetings (bundled dataset)"
            boundaries = args.boundaries or PAPER_BOUNDARIES
        else:
            events = read_events(args.events)
            name, boundaries = args.events, args.boundaries
        print(describe_text(events, name, boundaries))
    except PeriodizeError as error:
        print(f"periodize {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
