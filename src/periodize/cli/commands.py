"""What each ``periodize`` subcommand does. Every one prints one JSON document on stdout with
``--json`` (progress and file lists then go to stderr)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import datasets
from .._output import OutputFolder
from ..events import read_events, write_events
from ..exceptions import ParameterError
from ..report.describe import describe_data, describe_text
from ..results import plain, to_json
from ..segmentation import segment
from .archives import import_events, intensity_series, write_intensity
from .cluster import run_panel
from .series_file import read_series

__all__ = ["import_events", "run_panel", "write_intensity"]


def penalty(text: str | None) -> str | float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def detect(args: argparse.Namespace) -> None:
    if (args.file is None) == (args.events is None):
        raise ParameterError("give either FILE (with --time and --value) or --events EVENTS.")
    if args.events is not None:
        if args.time or args.value or args.series:
            raise ParameterError("--time, --value and --series read FILE; --events needs none.")
        frame = intensity_series(args)  # segment reads its scheme (quasi-Poisson if weighted)
    else:
        if args.time is None or args.value is None:
            raise ParameterError("FILE needs --time COL and --value COL.")
        frame = read_series(args.file, args.time, args.value, args.series, args.missing == "skip")
    model, why = (args.model, "") if args.model else _series_model(frame)
    # levels or lines: the default rule's choice, for counts under the penalty "auto" only
    gaussian = bool(why) and model == "normal"
    default_rule = args.breaks is None and args.penalty in (None, "auto")
    counts = bool(why) and model == "poisson" and default_rule
    fit = segment(
        frame,
        n_breaks=args.breaks,
        penalty=penalty(args.penalty),
        model="auto" if gaussian or counts else model,
        min_size=args.min_size,
        method=args.method,
        missing=args.missing,
        joint=args.joint,
    )
    if why:  # the command chose the model, not the user: say so
        chosen = {**(fit.choice or {})}
        given = str(chosen.get("model_reason", ""))
        what = (
            "a Gaussian model (" + ("robust levels or lines" if default_rule else "levels") + ")"
            if gaussian
            else "a count model (constant or log-linear rates)"
            if counts
            else f"model {model!r}"
        )
        chosen["model_reason"] = f"periodize detect chose {what}: {why} (--model fixes it)" + (
            "" if given.endswith("as given") else f"; {given}"
        )
        fit = dataclasses.replace(fit, choice=chosen)
    if not args.json:
        print(fit.summary())
        return
    document = fit.to_dict()
    if args.series is None and len(fit.names) == 1:
        document.update({k: v for k, v in document["series"][0].items() if k not in ("name",)})
    document["n_series"] = len(fit.names)
    print(to_json(document))


def _series_model(frame: Any) -> tuple[str, str]:
    """detect's model when none is given, and why: ``poisson`` for counts (quasi-Poisson for
    the weighted intensities of ``--events``, as ``segment`` reads their scheme),
    quasi-Poisson for other non-negative values, normal where a value is negative (a
    Goldstein-scaled intensity with conflict among its events, too)."""
    if not isinstance(frame, pd.DataFrame):  # an intensity series of --events
        if (frame.data.to_numpy() < 0).any():
            return "normal", "the weighted intensity is negative in some period"
        return "poisson", "event counts"
    values = frame.to_numpy(dtype=float)
    values = values[~np.isnan(values)]  # missing periods (--missing skip) say nothing
    if (values < 0).any():
        return "normal", "a value is negative"
    if np.array_equal(values, np.round(values)):
        return "poisson", "every value is a non-negative integer"
    return "quasipoisson", "non-negative values that are not all integers"


def describe(args: argparse.Namespace) -> None:
    if args.events is None:
        given = [o for o, v in (("--extra-codes", args.extra_codes), ("--levels", args.levels),
                                 ("--kinds", args.kinds)) if v]  # fmt: skip
        if given:
            raise ParameterError(
                f"{', '.join(given)} {'describes' if len(given) == 1 else 'describe'} the "
                "table given with --events; the bundled dataset needs none."
            )
        events = datasets.mongolia_kazakhstan()
        name = "Mongolia–Kazakhstan high-level visits and meetings (bundled dataset)"
        boundaries = args.boundaries or datasets.PAPER_BOUNDARIES
    else:
        events = read_events(
            args.events, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes
        )
        name, boundaries = args.events, args.boundaries
    if args.json:
        print(to_json(describe_data(events, name, boundaries)))
    else:
        print(describe_text(events, name, boundaries))


def bench(args: argparse.Namespace) -> int:
    run, root = _benchmarks()
    options = ["--quick"] if args.quick else ["--large"] if args.large else []
    options += ["--force"] if args.force else []
    if not args.json:
        return run([*options, *(["--out", args.out] if args.out else [])])
    # where python -m benchmarks would write (a smoke run never replaces the recorded one)
    out = (
        Path(args.out)
        if args.out
        else Path(tempfile.mkdtemp(prefix="periodize-bench-"))
        if args.quick
        else root / "benchmarks"
    )
    with contextlib.redirect_stdout(sys.stderr):  # the tables go to stderr, JSON to stdout
        code = run([*options, "--out", str(out)])
    if code == 0:
        print((out / "results.json").read_text(encoding="utf-8"), end="")
    return code


def _benchmarks() -> tuple[Any, Path]:
    """The benchmark runner of the checkout this periodize was installed from (never a
    ``benchmarks`` folder of the current directory), and that checkout's root."""
    import importlib.util

    root = Path(__file__).resolve().parents[3]  # src/periodize/cli/commands.py
    main = root / "benchmarks" / "__main__.py"
    if not main.is_file():
        raise ParameterError(
            "periodize bench runs the benchmarks/ folder of the source checkout periodize was "
            f"installed from; {root} has none (install from a clone: pip install -e .)."
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    spec = importlib.util.find_spec("benchmarks")
    if spec is None or spec.origin is None or Path(spec.origin).resolve().parent != main.parent:
        raise ParameterError(
            f"Another module named benchmarks shadows {main.parent}; run periodize bench from "
            "a folder without one."
        )
    from benchmarks.__main__ import main as run

    return run, root


def study(args: argparse.Namespace, argv: Sequence[str] | None) -> None:
    from ..study import OUTPUT_FILES, quiet_progress, stderr_progress
    from ..study import study as run_study

    if args.events is None:
        given_options = [
            f"--{name.replace('_', '-')}"
            for name in ("levels", "kinds", "extra_codes")
            if getattr(args, name)
        ]
        if given_options:
            raise ParameterError(
                f"{', '.join(given_options)} describe the table given with --events; the "
                "bundled dataset has its own vocabularies."
            )
        events, title = datasets.mongolia_kazakhstan(), "Mongolia–Kazakhstan (bundled dataset)"
        given = args.hypothesis or [("paper", datasets.PAPER_BOUNDARIES)]
    else:
        if args.hypothesis is None:
            raise ParameterError(
                "a hypothesis is needed for your own data: give the first years of the "
                "hypothesised new periods, e.g. --hypothesis 1991,2004, or run `periodize "
                "explore --events FILE` for an exploratory segmentation that tests nothing."
            )
        events = read_events(
            args.events, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes
        )
        title, given = args.events, args.hypothesis
    hypothesis = hypotheses(given)
    folder = OutputFolder(args.out, OUTPUT_FILES, overwrite=args.force)
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        result = run_study(
            events,
            hypothesis,
            scheme=args.scheme,
            model=args.model,
            n_sim=args.n_sim,
            dependence=args.dependence,
            max_breaks=args.max_breaks,
            rng=args.rng,
            title=args.title or title,
            command="periodize " + " ".join(words),
            start=args.start,
            end=args.end,
            dyad=args.dyad,
            min_size=args.min_size,
            analysis=args.analysis,
            indicators=_indicators(args.indicator),
            envelope_draws=args.envelope_draws,
            progress=quiet_progress if args.quiet else stderr_progress,
        )
        paths = folder.publish(result.files())
    finally:
        folder.discard()
    written = "written: " + ", ".join(str(p) for p in paths.values())
    if args.json:
        print(result.to_json())
        print(written, file=sys.stderr)
        return
    print(result.summary())
    print("")
    print(written)


def _indicators(given: list[tuple[str, Any]] | None) -> dict[str, Any] | None:
    """``--indicator`` pairs as the study's mapping (a name given twice is refused)."""
    if not given:
        return None
    found: dict[str, Any] = {}
    for name, scheme in given:
        if name in found:
            raise ParameterError(f"--indicator {name} is given twice; give each name once.")
        found[name] = scheme
    return found


def hypotheses(
    given: list[tuple[str | None, tuple[int, ...]]],
) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
    """One unnamed hypothesis as years; otherwise names (default "hypothesis N") to years."""
    if len(given) == 1 and given[0][0] is None:
        return given[0][1]
    named: dict[str, tuple[int, ...]] = {}
    for number, (name, years) in enumerate(given, start=1):
        label = name or f"hypothesis {number}"
        if label in named:
            raise ParameterError(f"--hypothesis: the name {label!r} is given twice.")
        named[label] = years
    return named


def explore(args: argparse.Namespace) -> None:
    from ..exploration import explore as run_explore

    result = run_explore(
        read_events(
            args.events, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes
        ),
        scheme=args.scheme,
        model=args.model,
        min_size=args.min_size,
        max_breaks=args.max_breaks,
        start=args.start,
        end=args.end,
        title=args.title or args.events,
    )
    print(result.to_json() if args.json else result.summary())


def simulate(args: argparse.Namespace) -> None:
    from ..synthetic import simulate_events

    events, truth = simulate_events(
        args.dyads,
        args.years,
        args.boundaries,
        base_rate=args.base_rate,
        rate_ratios=args.rate_ratios,
        rates=args.rates,
        rng=args.rng,
    )
    path = write_events(events, args.out, overwrite=args.force)
    codes = sorted(set(events["actor"]) | set(events["target"]))
    if args.json:
        rows = [{k: plain(v) for k, v in row.items()} for row in truth.to_dict("records")]
        document = {"written": str(path), "n_events": len(events), "extra_codes": codes}
        print(to_json({**document, "truth": rows}))
        return
    print(truth.to_string(index=False))
    print(f"written: {path} ({len(events)} events)")
    print(
        "the dyads use ISO user-assigned codes, which no country has: read the file back "
        f"with --extra-codes {','.join(codes)}"
    )


def monitor(args: argparse.Namespace) -> None:
    from ..inference import monitor as run_monitor
    from .archives import period_label

    result = run_monitor(
        intensity_series(args),
        period_label(args.since, args.freq),
        horizon=args.horizon,
        model=args.model,
        level=args.level,
        min_size=args.min_size,
        n_sim=args.n_sim,
        rng=args.rng,
        dependence=args.dependence,
        stable_history=args.stable_history,
        history_breaks=None
        if args.history_breaks is None
        else [
            period_label(label.strip(), args.freq, "--history-breaks")
            for label in args.history_breaks.split(",")
        ],
    )
    print(result.to_json() if args.json else result.summary())


def power(args: argparse.Namespace) -> None:
    from ..synthetic import power as run_power

    result = run_power(
        args.years,
        args.boundaries,
        args.base_rates,
        args.rate_ratios,
        scheme=args.scheme,
        min_size=args.min_size,
        n_rep=args.n_rep,
        n_null=args.n_null,
        alpha=args.alpha,
        window=args.window,
        rng=args.rng,
    )
    print(result.to_json() if args.json else result.summary())
