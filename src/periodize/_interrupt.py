"""Ctrl-C that is not lost.

Python raises :class:`KeyboardInterrupt` wherever the interpreter happens to be when the
signal is handled. Inside a ctypes callback (numba's compiler calls one for every kernel it
compiles or caches) or a finalizer, the exception is printed as "Exception ignored" and
dropped: the command then goes on, and either fails later with a confusing internal error
(measured: "no compiled object yet" from numba, exit 1) or finishes and writes its files.

The command line therefore records every Ctrl-C here as well as raising it
(:func:`handler`; the console-script launcher records its own). :func:`check` raises it again
at the points where work is committed (each progress step of a study, every output write),
and the command line asks :func:`happened` when an error or a normal end follows one. Outside
the command line nothing is recorded, so the library's behaviour is unchanged.

Examples
--------
>>> reset(); happened()
False
"""

from __future__ import annotations

import sys
from typing import Any

_state = {"pressed": False}


def handler(signum: int, frame: Any) -> None:
    """The command line's SIGINT handler: record the Ctrl-C, then raise it."""
    _state["pressed"] = True
    raise KeyboardInterrupt


def quiet_unraisable(default: Any) -> Any:
    """A :data:`sys.unraisablehook` that takes a dropped Ctrl-C as pressed, silently (Python
    would print "Exception ignored" and its traceback), and passes anything else to
    ``default``."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _state["pressed"] = True
            return
        default(unraisable)

    return hook


def reset() -> None:
    """Forget earlier Ctrl-Cs (each command-line run starts clean)."""
    _state["pressed"] = False
    launcher = sys.modules.get("_periodize_cli")
    if launcher is not None:
        launcher._state["pressed"] = False


def happened() -> bool:
    """Whether a Ctrl-C was pressed during this command-line run."""
    launcher = sys.modules.get("_periodize_cli")
    return _state["pressed"] or bool(launcher is not None and launcher._state.get("pressed"))


def check() -> None:
    """Raise a Ctrl-C that was pressed but swallowed where it was first raised."""
    if happened():
        raise KeyboardInterrupt
