"""The ``periodize`` console script's launcher.

Ctrl-C while the library is still importing (about two seconds of numpy, pandas and scipy)
exits 130 with one line, like Ctrl-C at any later moment, instead of a traceback. The signal
is blocked while importing: the threads that the imports start (Arrow's and the compiled
kernels' pools) inherit the block, so a Ctrl-C always reaches the main thread, which alone
handles it in Python. The launcher lives outside the package because importing anything in
the package imports the whole library first.
"""

from __future__ import annotations

import signal
import sys


def main() -> int:
    """Import the command line, then run it (exit 130 when interrupted while importing)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        from periodize.cli import main as run

        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending Ctrl-C: now
    except KeyboardInterrupt:
        print("periodize: interrupted while starting; nothing was done.", file=sys.stderr)
        return 130
    return run()
