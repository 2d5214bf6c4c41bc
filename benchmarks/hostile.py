"""The pieces every table of hostile inputs is made of: a case, a captured run of the
command line, and a file written for a case."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from periodize.cli import main as cli


@dataclass(frozen=True)
class Case:
    """One hostile input: ``run(folder)`` does it; ``expect`` is an error fragment (the
    case must fail with it) or a check of the result (the case must succeed)."""

    group: str
    name: str
    run: Callable[[Path], Any]
    expect: str | Callable[[Any, Path], bool]


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> CliRun:
    """The CLI in this process, its exit code and output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return CliRun(code, out.getvalue(), err.getvalue())


def case_file(folder: Path, name: str, content: str | bytes) -> str:
    """Write ``content`` to ``folder / name``; its path as text."""
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)
