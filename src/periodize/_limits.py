"""Resource guards: work that would exhaust memory is refused before anything is allocated.

One budget, :func:`memory_budget`, bounds what a single call may plan to allocate: 4 GiB by
default (a sixth of this project's reference machine, so two calls side by side and the
rest of a session still fit), or ``PERIODIZE_MEMORY_GB`` from the environment. Each guard
estimates its call's peak from measured costs, and the error names the remedy.
"""

from __future__ import annotations

import os

from .exceptions import ParameterError

DEFAULT_MEMORY_GB = 4.0
GIB = 2**30


def memory_budget() -> int:
    """Bytes one call may plan to allocate (``PERIODIZE_MEMORY_GB``, default 4)."""
    text = os.environ.get("PERIODIZE_MEMORY_GB", "")
    try:
        gigabytes = float(text) if text else DEFAULT_MEMORY_GB
    except ValueError:
        raise ParameterError(
            f"PERIODIZE_MEMORY_GB must be a number of GiB such as 8. Got {text!r} instead."
        ) from None
    if not gigabytes > 0:
        raise ParameterError(f"PERIODIZE_MEMORY_GB must be positive. Got {text!r} instead.")
    return int(gigabytes * GIB)


def check_memory(needed: float, what: str, remedy: str) -> None:
    """Raise a :class:`ParameterError` if ``needed`` bytes exceed the budget.

    Examples
    --------
    >>> check_memory(10 * GIB, "a test", "ask for less")
    Traceback (most recent call last):
    ...
    periodize.exceptions.ParameterError: a test would need about 10.0 GiB, more than the ...
    """
    budget = memory_budget()
    if needed > budget:
        raise ParameterError(
            f"{what} would need about {needed / GIB:.1f} GiB, more than the "
            f"{budget / GIB:.1f} GiB budget (set PERIODIZE_MEMORY_GB to change it); {remedy}."
        )


def posterior_bytes(n_series: int, n_periods: int, max_breaks: int) -> float:
    """Peak memory of the exact posterior, measured: about (17 + 8·K) doubles per pair of
    positions and series (130 bytes per pair at K = 0, 300 at K = 3)."""
    return 8.0 * n_series * (n_periods + 1) ** 2 * (17 + 8 * max_breaks)
