"""The ``periodize`` command.

Exit codes: 0 success, 2 bad input or usage (the message says what and where), 1 internal
error, 130 interrupted, 141 when the reader of the output closed it (``... | head``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

from .. import _interrupt
from ..exceptions import EventSchemaError, PeriodizeError
from . import commands
from .messages import flags, in_cli_terms
from .parser import build

_FUNCTIONS = {"import": "import_events", "intensity": "write_intensity", "panel": "run_panel"}


def one_line(error: BaseException, debug: bool) -> str:
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
    usage, 130 interrupted). Every Ctrl-C is recorded as well as raised
    (:mod:`periodize._interrupt`): one swallowed where it was raised still stops the command
    before it writes anything, and an error that follows it is reported as the
    interruption."""
    _interrupt.reset()
    ours = (
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
        and threading.current_thread() is threading.main_thread()  # handlers live there
    )
    previous = signal.signal(signal.SIGINT, _interrupt.handler) if ours else None
    unraisable = sys.unraisablehook  # where Python drops a Ctrl-C raised in a callback
    sys.unraisablehook = _interrupt.quiet_unraisable(unraisable)
    try:
        return _run(argv)
    finally:
        sys.unraisablehook = unraisable
        _interrupt.reset()  # a caller that goes on in this process (a notebook) starts clean
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _run(argv: Sequence[str] | None) -> int:
    parser = build()
    try:
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        return 130
    name = f"periodize {args.command}"
    try:
        if args.command == "study":
            commands.study(args, argv)
        elif args.command == "bench":
            return commands.bench(args)
        else:
            getattr(commands, _FUNCTIONS.get(args.command, args.command))(args)
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output went away (... | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the final flush must not fail again
        return 128 + signal.SIGPIPE
    except PeriodizeError as error:
        message = in_cli_terms(one_line(error, args.debug), flags(parser, args.command))
        print(f"{name}: error: {message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if _interrupt.happened():  # the error followed a Ctrl-C swallowed where it was raised
            print(f"{name}: interrupted; nothing was written.", file=sys.stderr)
            return 130
        if args.debug:
            traceback.print_exc()
        print(
            f"{name}: internal error ({type(error).__name__}: {' '.join(str(error).split())}); "
            "please report it with the command and the output of --debug.",
            file=sys.stderr,
        )
        return 1
    if _interrupt.happened():  # swallowed, and the command had nothing left to commit
        print(f"{name}: interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
