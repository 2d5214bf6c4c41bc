"""One place for parameter checks and the format of their error messages.

Messages follow one pattern: ``The 'name' parameter of func must be <expected>. Got <value>
instead.``
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from .exceptions import ParameterError, PeriodizeTypeError


def type_name(value: Any) -> str:
    """The type of ``value`` as a reader knows it (``dask.dataframe.DataFrame``, not just
    ``DataFrame``), with the remedy for lazy collections."""
    kind = type(value)
    package = kind.__module__.split(".")[0]
    name = kind.__name__ if package == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    if package == "dask" or hasattr(value, "compute"):
        name += " (a lazy collection: call .compute() on it first)"
    return name


def _fail(name: str, func: str, expected: str, value: Any) -> ParameterError:
    return ParameterError(
        f"The {name!r} parameter of {func} must be {expected}. Got {value!r} instead."
    )


def check_choice(value: Any, options: Iterable[Any], *, name: str, func: str) -> Any:
    """Return ``value`` if it is one of ``options``, else raise a :class:`ParameterError`."""
    options = tuple(options)
    if value not in options:
        shown = "{" + ", ".join(repr(o) for o in options) + "}"
        raise _fail(name, func, f"one of {shown}", value)
    return value


def check_int(
    value: Any, *, name: str, func: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as int if it is an integer (not bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise PeriodizeTypeError(
            f"The {name!r} parameter of {func} must be an integer. Got {value!r} "
            f"({type(value).__name__}) instead."
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise _fail(name, func, f"an integer >= {minimum}", value)
    if maximum is not None and value > maximum:
        raise _fail(name, func, f"an integer <= {maximum}", value)
    return value


def check_probability(value: Any, *, name: str, func: str) -> float:
    """Return ``value`` if it is a number strictly between 0 and 1 (a level or alpha)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise _fail(name, func, "a number in (0, 1)", value)
    return float(value)


def check_boundaries(
    boundaries: Sequence[Any], *, start: int, end: int, func: str, min_size: int = 1
) -> tuple[int, ...]:
    """Check a periodization given as first years of new periods.

    Boundaries must be integers, strictly increasing, inside ``(start, end]`` and leave every
    period (first and last included) at least ``min_size`` periods long.
    """
    try:
        values = tuple(boundaries)
    except TypeError:
        raise _fail("boundaries", func, "a sequence of years", boundaries) from None
    if not values:
        raise _fail("boundaries", func, "at least one year (the first year of a new period)", [])
    years = tuple(check_int(b, name="boundaries", func=func) for b in values)
    for earlier, later in itertools.pairwise(years):
        if later <= earlier:
            raise _fail("boundaries", func, "strictly increasing", list(years))
    for b in years:
        if not start < b <= end:
            raise _fail(
                "boundaries",
                func,
                f"first years of new periods inside the window, i.e. in {start + 1}..{end}",
                list(years),
            )
    edges = (start, *years, end + 1)
    lengths = [b - a for a, b in itertools.pairwise(edges)]
    if min(lengths) < min_size:
        raise _fail(
            "boundaries",
            func,
            f"such that every period is at least min_size={min_size} long (periods of "
            f"{start}..{end} would have lengths {lengths})",
            list(years),
        )
    return years
