"""Exceptions raised by periodize.

Every error is a :class:`PeriodizeError`; each also subclasses the matching built-in
(``ValueError`` or ``TypeError``) so that ``except ValueError`` in user code keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "EventSchemaError",
    "ParameterError",
    "PeriodizeError",
    "PeriodizeTypeError",
    "Problem",
]

#: How many problems an :class:`EventSchemaError` message shows; all are kept in ``.problems``.
MAX_SHOWN_PROBLEMS = 50


class PeriodizeError(Exception):
    """Base class of every exception raised by periodize."""


class ParameterError(PeriodizeError, ValueError):
    """A function argument has a value outside what the function accepts."""


class PeriodizeTypeError(PeriodizeError, TypeError):
    """A function argument has the wrong type."""


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, or table) of an event table.

    ``row`` is the 0-based position of the row in the table (``None`` for table-level
    problems), ``line`` the line of the file it came from when known.
    """

    row: int | None
    column: str | None
    value: Any
    expected: str
    line: int | None = None

    def __str__(self) -> str:
        if self.row is None:
            place = "table" if self.line is None else f"line {self.line}"
        elif self.line is None:
            place = f"row {self.row}"
        else:
            place = f"row {self.row} (line {self.line})"
        column = "" if self.column is None else f", column {self.column!r}"
        value = "" if self.row is None and self.value is None else f": got {self.value!r}"
        return f"{place}{column}{value}; expected {self.expected}"


class EventSchemaError(PeriodizeError, ValueError):
    """An event table does not follow the schema.

    The message lists the problems (row, column, value, what was expected); the full list
    is in :attr:`problems` and, as a table, from :meth:`to_frame`.
    """

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = tuple(sorted(problems, key=_problem_order))
        self.source = source
        super().__init__(self._message())

    def __reduce__(self) -> tuple:
        # pickled whole (problems and source), so it crosses to and from Dask workers
        return (type(self), (self.problems, self.source))

    def _message(self) -> str:
        n = len(self.problems)
        origin = f" in {self.source}" if self.source else ""
        head = f"{n} problem{'s' if n != 1 else ''} in the event table{origin}:"
        lines = [f"  - {p}" for p in self.problems[:MAX_SHOWN_PROBLEMS]]
        if n > MAX_SHOWN_PROBLEMS:
            lines.append(
                f"  ... and {n - MAX_SHOWN_PROBLEMS} more (all of them: error.problems "
                "or error.to_frame())"
            )
        return "\n".join([head, *lines])

    def to_frame(self) -> pd.DataFrame:
        """All problems as a DataFrame with columns row, line, column, value, expected."""
        return pd.DataFrame(
            [(p.row, p.line, p.column, p.value, p.expected) for p in self.problems],
            columns=["row", "line", "column", "value", "expected"],
        )


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    row = -1 if problem.row is None else problem.row
    return (row, problem.line or 0, problem.column or "")
