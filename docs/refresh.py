"""Regenerate the outputs shown in the README and the docs, or check that they are current.

An output block is a fenced block whose opening fence follows a line ``<!-- output -->``
(the standard output of the Python block right before it, run from the repository root;
the Python blocks followed by an output share one namespace per file, in reading order, and
no other block runs) or ``<!-- output: periodize ARGS -->`` (the command line, standard
error and output together, in an empty temporary folder). ``python docs/refresh.py``
rewrites every output block of README.md and docs/*.md (``make docs``); ``--check``
rewrites nothing and exits 1 naming the stale blocks (the test suite runs it). Durations
(``5.4 s``) are compared as ``_ s``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!-- output(?::\s*(?P<command>.+?))?\s*-->$")
DURATION = re.compile(r"\b\d+(?:\.\d+)? s\b")


def blocks(lines: list[str]) -> list[tuple[str, int, int, str | None]]:
    """Every fenced block as (info string, first content line, closing fence line, output
    command), the command ``""`` for Python output and ``None`` for a block that is not an
    output."""
    found = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            info = lines[i][3:].strip()
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            marker = MARKER.match(lines[i - 1]) if i else None
            command = None if marker is None else (marker["command"] or "")
            found.append((info, i + 1, end, command))
            i = end + 1
        else:
            i += 1
    return found


def run_python(code: str, namespace: dict) -> str:
    """Standard output of ``code`` run in ``namespace``, from the repository root (so the
    pages can read ``examples/data``; the blocks that run write nothing)."""
    out = io.StringIO()
    with contextlib.chdir(ROOT):
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<docs>", "exec"), namespace)
    return out.getvalue()


def run_command(command: str) -> str:
    words = command.split()
    if words[0] != "periodize":
        raise SystemExit(f"output commands run periodize only, not {command!r}")
    program = Path(sys.executable).with_name("periodize")
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [str(program), *words[1:]],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    if done.returncode:
        raise SystemExit(f"{command!r} failed:\n{done.stdout}")
    return done.stdout


def refreshed(path: Path) -> tuple[list[str], list[str]]:
    """The file's lines with every output block regenerated, and the stale blocks' names."""
    lines = path.read_text(encoding="utf-8").splitlines()
    namespace: dict = {"__name__": "__docs__"}
    code = None  # the Python block just before, if the block before was one
    stale = []
    result = list(lines)
    shift = 0
    for info, first, end, command in blocks(lines):
        before, code = code, "\n".join(lines[first:end]) if info == "python" else None
        if command is None:
            continue
        if command:
            text = run_command(command)
        elif before is None:
            raise SystemExit(f"{path.name}:{first}: an output block follows no Python block")
        else:
            text = run_python(before, namespace)
        new = [line.rstrip() for line in text.rstrip("\n").splitlines()]
        old = lines[first:end]
        if [DURATION.sub("_ s", line.rstrip()) for line in old] != [
            DURATION.sub("_ s", line) for line in new
        ]:
            stale.append(
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{first}"
            )
        result[first + shift : end + shift] = new
        shift += len(new) - (end - first)
    return result, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list stale blocks")
    parser.add_argument("files", nargs="*", type=Path, help="default: README.md and docs/*.md")
    args = parser.parse_args(argv)
    stale_blocks = []
    for path in [p.resolve() for p in args.files] or FILES:
        lines, stale = refreshed(path)
        stale_blocks += stale
        if stale and not args.check:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in stale_blocks:
        print(("stale: " if args.check else "updated: ") + name)
    return 1 if stale_blocks and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
