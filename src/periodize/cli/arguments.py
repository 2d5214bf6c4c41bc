"""Argument types of the ``periodize`` command: each turns text into a value or says what
it expected (argparse prints that line and exits 2)."""

from __future__ import annotations

import argparse
from typing import Any


def years(text: str) -> tuple[int, ...]:
    """Years separated by commas, e.g. 2009,2019."""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isascii() and part.lstrip("-").isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected one or more years separated by commas, such as 2009,2019; got {text!r}"
        )
    return tuple(int(part) for part in parts)


def named_years(text: str) -> tuple[str | None, tuple[int, ...]]:
    """``[NAME=]YEARS``, e.g. paper=2009,2019."""
    name, _, listed = text.rpartition("=")
    if "=" in text and not name.strip():
        raise argparse.ArgumentTypeError(
            f"expected NAME=YEARS such as paper=2009,2019; got {text!r}"
        )
    return (name.strip() or None), years(listed)


def indicator(text: str) -> tuple[str, Any]:
    """``NAME=SCHEME``: an extra series of a study, the dyad's yearly total under SCHEME (a
    built-in scheme, a scheme file, or ``column:COL`` for the sum of a numeric column)."""
    name, _, scheme = text.partition("=")
    if not name.strip() or not scheme.strip():
        raise argparse.ArgumentTypeError(
            "expected NAME=SCHEME such as documents=column:documents_signed or "
            f"weighted=protocol; got {text!r}"
        )
    kind, _, column = scheme.partition(":")
    if kind == "column":
        if not column.strip():
            raise argparse.ArgumentTypeError(f"expected column:COL after {name}=; got {text!r}")
        from ..intensity.schemes import WeightingScheme

        return name.strip(), WeightingScheme(name=name.strip(), weight_column=column.strip())
    return name.strip(), scheme.strip()


def names(text: str) -> tuple[str, ...]:
    """Names separated by commas."""
    found = tuple(part.strip() for part in text.split(","))
    if not all(found):
        raise argparse.ArgumentTypeError(f"expected names separated by commas; got {text!r}")
    return found


def models(text: str) -> str | dict[str, str]:
    """A model name, or ``SERIES=MODEL`` pairs separated by commas (a model per series of a
    joint segmentation)."""
    from ..segmentation.costs import COSTS

    known = sorted(COSTS)
    if "=" not in text:
        alone = sorted([*known, "normal_drift"])  # segments each series on its own
        if text not in alone:
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(alone)} or SERIES=MODEL pairs; got {text!r}"
            )
        return text
    pairs = [part.partition("=") for part in text.split(",")]
    wrong = [
        f"{a}{b}{c}" for a, b, c in pairs if not a.strip() or c.strip() not in (*known, "auto")
    ]
    if wrong:
        raise argparse.ArgumentTypeError(
            f"expected SERIES=MODEL pairs with models among auto, {', '.join(known)}; got "
            f"{', '.join(wrong)}"
        )
    return {a.strip(): c.strip() for a, _, c in pairs}


def seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed; got {text!r}")
    return int(text)


def positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return int(text)


def count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer; got {text!r}")
    return int(text)


def decimals(text: str) -> tuple[float, ...]:
    """Finite positive numbers separated by commas (rates, ratios)."""
    out = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            value = float("nan")
        if not (value > 0 and value != float("inf")):
            raise argparse.ArgumentTypeError(
                f"expected positive numbers separated by commas, such as 0.5,2; got {text!r}"
            )
        out.append(value)
    return tuple(out)


def probability(text: str) -> float:
    """A number strictly between 0 and 1 (a level such as 0.05)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}")
    return value


def rate(text: str) -> float:
    """One finite positive number."""
    found = decimals(text)
    if len(found) != 1:
        raise argparse.ArgumentTypeError(f"expected one positive number; got {text!r}")
    return found[0]


def year_span(text: str) -> range:
    """``FIRST-LAST`` (both included), e.g. 1992-2025."""
    first, _, last = text.partition("-")
    if not (first.isdigit() and last.isdigit() and first.isascii() and last.isascii()):
        raise argparse.ArgumentTypeError(f"expected FIRST-LAST such as 1992-2025; got {text!r}")
    if int(last) <= int(first):
        raise argparse.ArgumentTypeError(f"the last year must follow the first; got {text!r}")
    return range(int(first), int(last) + 1)
