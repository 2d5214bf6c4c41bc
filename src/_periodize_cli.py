"""The ``periodize`` console script's launcher, and how it hears Ctrl-C.

Ctrl-C is blocked in every thread of the command (the block is set before anything is
imported, so every thread inherits it) and received by one relay thread, which passes it on
to the main thread as ``SIGUSR1``, whose handler raises :class:`KeyboardInterrupt` there:
the same exit 130 and one line at any moment, even while numpy, pandas and scipy are still
importing (about two seconds). While the panel's local workers start, the relay holds a
Ctrl-C back until they have started (see :func:`held`): they are started ignoring it, and a
Ctrl-C raised in the middle of the start would leave a half-built cluster behind. Because
no thread can take the signal, none can swallow it while it is ignored.

A command started with Ctrl-C ignored (a background job of a script) keeps ignoring it. The
launcher lives outside the package because importing anything in the package imports
the whole library first.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

_state = {"holding": False, "pending": False, "pressed": False}


def _interrupt(signum: int, frame: Any) -> None:
    _state["pressed"] = True  # read by periodize._interrupt, should the raise be swallowed
    raise KeyboardInterrupt


def _relay(main: int) -> None:
    while True:
        signal.sigwait({signal.SIGINT})
        if _state["holding"]:
            _state["pending"] = True
        else:
            signal.pthread_kill(main, signal.SIGUSR1)


def relaying() -> bool:
    """Whether this process hears Ctrl-C through the relay (it runs as ``periodize``)."""
    return any(t.name == "periodize-ctrl-c" for t in threading.enumerate())


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold a Ctrl-C back until the block ends, then raise it in the main thread."""
    _state["holding"] = True
    try:
        yield
    finally:
        _state["holding"] = False
        pending, _state["pending"] = _state["pending"], False
        if pending:
            raise KeyboardInterrupt


def main() -> int:
    """Import the command line, then run it (exit 130 when interrupted while importing)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started ignoring it (cmd &)
        from periodize.cli import main as run

        return run()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGUSR1, _interrupt)
    threading.Thread(
        target=_relay, args=(threading.get_ident(),), name="periodize-ctrl-c", daemon=True
    ).start()
    try:
        from periodize.cli import main as run
    except KeyboardInterrupt:
        print("periodize: interrupted while starting; nothing was done.", file=sys.stderr)
        return 130
    return run()
