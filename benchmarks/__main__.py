"""Run the benchmarks: ``python -m benchmarks [--quick | --large] [--out DIR]``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from periodize._output import write_file

from . import aggregation, archives, cluster, engine, inference, peers, scaling, user_path
from .harness import machine

HERE = Path(__file__).parent
#: Every case after the aggregation benchmark, in the order they run.
CASES = (
    *archives.CASES,
    *user_path.CASES,
    *cluster.CASES,
    *engine.CASES,
    *peers.CASES,
    *inference.CASES,
)


def _markdown(record: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{record['command']}`  ",
        f"Date: {record['date']}  ",
        f"Machine: {record['machine']['platform']}, {record['machine']['cpus']} CPUs  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in record["machine"]["versions"].items()),
        "",
        "Every ratio compares periodize with its baseline on the same data in the same run, "
        "after checking that both give the same answer. Peak memory is traced allocation "
        "(Python objects and numpy buffers, via tracemalloc).",
        "",
        "![scaling curves](scaling.png)",
        "",
    ]
    for result in record["results"]:
        lines.append(f"## {result['case']}")
        lines.append("")
        for key, value in result.items():
            if key == "case":
                continue
            shown = f"{value:,.4g}" if isinstance(value, float) else str(value)
            if isinstance(value, dict):
                shown = ", ".join(
                    f"{k}: {v:,.4g}" if isinstance(v, float) else f"{k}: {v}"
                    for k, v in value.items()
                )
            lines.append(f"- {key}: {shown}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    preset = parser.add_mutually_exclusive_group()
    preset.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    preset.add_argument("--large", action="store_true", help="sizes beyond the default")
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the results (default: benchmarks/ for a full run, a new "
        "temporary folder for --quick, so a smoke run never replaces the recorded results)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace results already in --out (a full run into benchmarks/ re-records them "
        "without it)",
    )
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument(
        "--cases",
        help="run only these cases (names of the case functions, comma-separated, e.g. "
        "dependent_null,many_tests); the report then holds only them",
    )
    args = parser.parse_args(argv)
    if args.cases is not None:
        return _some_cases(args, argv)
    size = "quick" if args.quick else "large" if args.large else "default"
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="periodize-bench-")) if args.quick else HERE
    present = [name for name in OUTPUTS if (args.out / name).exists()]
    if present and not args.force and args.out.resolve() != HERE.resolve():
        print(
            f"python -m benchmarks: error: {args.out} already holds {', '.join(present)}; "
            "pass --force to replace them or give a new --out folder",
            file=sys.stderr,
        )
        return 2
    results = []
    print(f"running aggregation ({size})...", file=sys.stderr)
    results.extend(aggregation.aggregation(size, np.random.default_rng(args.seed)))
    for case in CASES:
        print(f"running {case.__name__} ({size})...", file=sys.stderr)
        results.append(case(size, np.random.default_rng(args.seed)))
    print(f"running scaling ({size})...", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    results.append(scaling.scaling(size, np.random.default_rng(args.seed), args.out))
    record = _record(args, argv, size, results)
    args.out.mkdir(parents=True, exist_ok=True)
    document = json.dumps(record, indent=2) + "\n"
    write_file(args.out / "results.json", document.encode(), overwrite=True)
    write_file(args.out / "RESULTS.md", (_markdown(record) + "\n").encode(), overwrite=True)
    print(_markdown(record))
    print(f"written: {args.out / 'RESULTS.md'}", file=sys.stderr)
    return 0


#: What a full run writes into --out.
OUTPUTS = ("results.json", "RESULTS.md", "scaling.png")


def _record(
    args: argparse.Namespace, argv: list[str] | None, size: str, results: list[Any]
) -> dict[str, Any]:
    """What a run records: its command line, date, preset, seed, machine and results."""
    words = argv if argv is not None else sys.argv[1:]
    return {
        "command": " ".join(["python -m benchmarks", *words]),
        "date": dt.date.today().isoformat(),
        "preset": size,
        "seed": args.seed,
        "machine": machine(),
        "results": results,
    }


def _some_cases(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the named cases only, into ``--out`` (required: the recorded results describe a
    whole run and are never replaced by part of one)."""
    cases = {case.__name__: case for case in CASES}
    wanted = args.cases.split(",")
    unknown = [name for name in wanted if name not in cases]
    why = None
    if unknown:
        why = f"unknown case(s) {', '.join(unknown)}; known: {', '.join(cases)}"
    elif args.out is None or args.out.resolve() == HERE.resolve():
        why = "--cases needs --out DIR outside benchmarks/ (a partial run never replaces "
        why += "the recorded results)"
    elif (args.out / "RESULTS.md").exists():
        why = f"{args.out / 'RESULTS.md'} exists; give a new --out folder"
    if why is not None:
        print(f"python -m benchmarks: error: {why}", file=sys.stderr)
        return 2
    size = "quick" if args.quick else "large" if args.large else "default"
    results = []
    for name in wanted:
        print(f"running {name} ({size})...", file=sys.stderr)
        results.append(cases[name](size, np.random.default_rng(args.seed)))
    record = _record(args, argv, size, results)
    args.out.mkdir(parents=True, exist_ok=True)
    text = _markdown(record).replace("![scaling curves](scaling.png)\n\n", "")
    write_file(args.out / "RESULTS.md", (text + "\n").encode())
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
