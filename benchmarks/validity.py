"""Calibration of the Monte Carlo tests: size with no change, power with one.

``python -m benchmarks.validity [--quick] [--series N] [--jobs J] [--out docs/validity.md]``

Every cell simulates series with **no change** (or, for power, one change at the first
hypothesised boundary), runs :func:`periodize.test_periodization` on all of them at once with
``dependence="auto"`` and with ``dependence="independent"``, and records how often each test
rejects at the 5% level. The hypothesised boundaries sit at 50% and 80% of the record (where
the bundled study's 2009 and 2019 sit in 1992-2025), ``min_size`` 3, ``n_sim`` 199
replicates. Designs:

* Gaussian AR(1) noise, φ ∈ {0, 0.3, 0.5, 0.8}, unit marginal variance, model ``normal``;
* Student t noise with 3 degrees of freedom (heavy tails, independent), model ``normal``;
* counts: Poisson with a latent AR(1) log-rate (marginal sd 0.5, mean count 3),
  φ ∈ {0, 0.3, 0.6, 0.8}, model ``negbin``;
* overdispersed counts: independent NB2 (α = 0.5, mean 3), model ``negbin``.

Sizes are written with their Monte Carlo standard error; 2,000 series per cell give ±1.0
percentage point at 95% around a true 5%. The same seed gives the same table. A long cell
can be run in parts at different ``--seed`` values (different series) and the tables
pooled: ``--from-csv a.csv b.csv --csv pooled.csv`` weights each run's rates by its series.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import periodize as pz
from periodize._output import write_file

HERE = Path(__file__).parent
#: Where each hypothesised boundary sits, as a share of the record.
BOUNDARY_SHARES = (0.5, 0.8)
N_SIM = 199
LEVEL = 0.05
#: Size target for n >= 120 under dependence="auto" (issue: 3.5%-6.5% at the 5% level).
TARGET = (0.035, 0.065)
TESTS = ("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis", "each_boundary")


def ar1(phi: float, rows: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Stationary Gaussian AR(1) paths with unit marginal variance."""
    noise = rng.standard_normal((rows, n))
    out = np.empty_like(noise)
    out[:, 0] = noise[:, 0]
    scale = np.sqrt(1 - phi**2)
    for t in range(1, n):
        out[:, t] = phi * out[:, t - 1] + scale * noise[:, t]
    return out


@dataclass(frozen=True)
class Design:
    """A way to simulate series: name, model fitted, and a generator of ``(rows, n)``
    series given a multiplier of the mean (1 before the change, ``effect`` after)."""

    name: str
    family: str
    model: str
    make: Callable[[int, int, np.ndarray, np.random.Generator], np.ndarray]


def gaussian(phi: float) -> Design:
    def make(rows: int, n: int, shift: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return 10.0 + shift + ar1(phi, rows, n, rng)

    return Design(f"Gaussian AR(1), φ = {phi:g}", "gaussian", "normal", make)


def student() -> Design:
    def make(rows: int, n: int, shift: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return 10.0 + shift + rng.standard_t(3, size=(rows, n)) / np.sqrt(3.0)

    return Design("Student t, 3 df, independent", "gaussian", "normal", make)


def latent_counts(phi: float) -> Design:
    def make(rows: int, n: int, ratio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        log_rate = 0.5 * ar1(phi, rows, n, rng) - 0.125  # mean of exp(.) is 1
        return rng.poisson(3.0 * ratio * np.exp(log_rate)).astype(float)

    return Design(f"counts, latent AR(1) log-rate, φ = {phi:g}", "counts", "negbin", make)


def overdispersed() -> Design:
    def make(rows: int, n: int, ratio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mean = 3.0 * ratio
        return rng.negative_binomial(2.0, 2.0 / (2.0 + mean), size=(rows, n)).astype(float)

    return Design("counts, independent NB2 (α = 0.5)", "counts", "negbin", make)


SIZE_DESIGNS = (
    *(gaussian(phi) for phi in (0.0, 0.3, 0.5, 0.8)),
    student(),
    *(latent_counts(phi) for phi in (0.0, 0.3, 0.6, 0.8)),
    overdispersed(),
)
#: Power: one change at the first hypothesised boundary (rate ratio 2 for counts, a shift
#: of one noise standard deviation for Gaussian series).
POWER_DESIGNS = (gaussian(0.0), gaussian(0.5), latent_counts(0.0), latent_counts(0.6))


def positions(n: int) -> tuple[int, ...]:
    return tuple(round(share * n) for share in BOUNDARY_SHARES)


def run_cell(task: tuple[int, str, int, int, str, bool, int]) -> dict[str, Any]:
    """Rejection rates of every test in one cell (design × n × dependence × size/power)."""
    design_index, kind, n, series, dependence, power, seed = task
    designs = POWER_DESIGNS if power else SIZE_DESIGNS
    design = designs[design_index]
    rng = np.random.default_rng([seed, design_index, n, int(power)])
    first = positions(n)[0]
    after = np.arange(n) >= first
    if design.family == "counts":
        effect = np.where(after, 2.0, 1.0) if power else np.ones(n)
    else:
        effect = np.where(after, 1.0, 0.0) if power else np.zeros(n)
    values = design.make(series, n, effect, rng)
    frame = pd.DataFrame(values.T, index=pd.RangeIndex(n, name="period"))
    frame.columns = [f"s{i}" for i in range(series)]
    start = time.perf_counter()
    result = pz.test_periodization(
        frame,
        positions(n),
        model=design.model,
        n_sim=N_SIM,
        rng=seed,
        dependence=dependence,
    )
    elapsed = time.perf_counter() - start
    table = result.test_table()["pvalue"].unstack("test")
    rates = {test: float((table[test] <= LEVEL).mean()) for test in TESTS[:3]}
    rates["each_boundary"] = float((result.boundary_tests["pvalue"] <= LEVEL).mean())
    order = result.dependence["order"]
    return {
        "design": design.name,
        "kind": kind,
        "n": n,
        "dependence": dependence,
        "series": series,
        "seconds": elapsed,
        "dependent_share": float((order > 0).mean()),
        **rates,
    }


def cells(
    series: int,
    lengths: tuple[int, ...],
    power_series: int,
    designs: tuple[int, ...] | None = None,
    options: tuple[str, ...] = ("auto", "independent"),
    independent_series: int | None = None,
) -> list[tuple]:
    """Every (design, kind, n, series, dependence, power) cell, size cells first (none with
    ``series=0``, as ``power_series=0`` runs no power cell)."""
    chosen = range(len(SIZE_DESIGNS)) if designs is None else designs
    tasks = []
    for n in lengths if series else ():
        for i in chosen:
            for dependence in options:
                count = series
                if dependence == "independent" and independent_series is not None:
                    count = independent_series
                tasks.append((i, "size", n, count, dependence, False))
    if power_series:
        for n in lengths:
            for i in range(len(POWER_DESIGNS)):
                for dependence in options:
                    tasks.append((i, "power", n, power_series, dependence, True))
    return tasks


def markdown(frame: pd.DataFrame, command: str) -> str:
    """The report: size tables per n, then power, with the target and its verdict."""
    pooled_runs = frame["command"].dropna() if "command" in frame else []
    runs = list(dict.fromkeys(run for runs in pooled_runs for run in runs.split(" + ")))
    made = "; ".join(f"`{run}`" for run in runs)
    lines = [
        "# Validity: size and power of the Monte Carlo tests",
        "",
        f"Generated by `{command}` (benchmarks/validity.py; do not edit by hand)"
        + (f" from the tables of {made}" if runs else "")
        + ".",
        "",
        "Each cell: series simulated **without any change** (size) or with one change at the "
        "first hypothesised boundary (power: rate ratio 2 for counts, a shift of one noise "
        "standard deviation for Gaussian series), tested with "
        f"`pz.test_periodization(..., n_sim={N_SIM})` at hypothesised boundaries at "
        f"{', '.join(f'{s:.0%}' for s in BOUNDARY_SHARES)} of the record, min_size 3. "
        "Entries are the share of series whose p-value is at most 5%. `auto` is the "
        "default (replicates keep the data's serial dependence), `independent` draws the "
        "periods independently. *dependent* is the share of series drawn with a fitted AR "
        "(under `auto`, every series: it always fits one). Each boundary: the per-boundary "
        "tests of both boundaries, pooled.",
        "",
    ]
    size = frame[frame["kind"] == "size"]
    for n, part in size.groupby("n"):
        counts = part.groupby("dependence", sort=False)["series"].agg(["min", "max"])
        bands = "; ".join(
            f"{option}: {_series_and_band(int(low), int(high))}"
            for option, (low, high) in counts.iterrows()
        )
        lines += [
            f"## Size, n = {n} periods",
            "",
            f"{bands} (the 95% Monte Carlo band around a true 5%).",
            "",
            "| design | dependence | " + " | ".join(TESTS) + " | dependent |",
            "|---|---|" + "---|" * len(TESTS) + "---|",
        ]
        for row in part.itertuples():
            rates = " | ".join(f"{getattr(row, t):.1%}" for t in TESTS)
            lines.append(
                f"| {row.design} | {row.dependence} | {rates} | {row.dependent_share:.0%} |"
            )
        lines.append("")
    auto = size[(size["dependence"] == "auto") & (size["n"] >= 120)]
    worst = auto[list(TESTS)].to_numpy()
    target = f"**Target** (n ≥ 120, `auto`): every size within {TARGET[0]:.1%}–{TARGET[1]:.1%}."
    if worst.size:
        held = bool(np.all((worst >= TARGET[0]) & (worst <= TARGET[1])))
        target += f" Observed range {worst.min():.1%}–{worst.max():.1%}: " + (
            "**met**." if held else "**not met**."
        )
    else:
        target += " (No cell with n ≥ 120 in this run.)"
    lines += [target, ""]
    power = frame[frame["kind"] == "power"]
    if len(power):
        lines += [
            "## Power (one change at the first hypothesised boundary)",
            "",
            "| design | n | dependence | series | " + " | ".join(TESTS) + " |",
            "|---|---|---|---|" + "---|" * len(TESTS),
        ]
        for row in power.itertuples():
            rates = " | ".join(f"{getattr(row, t):.1%}" for t in TESTS)
            lines.append(
                f"| {row.design} | {row.n} | {row.dependence} | {row.series:,} | {rates} |"
            )
        lines += [
            "",
            "Power under `independent` on dependent series is not power: its size there is "
            "far above 5% (tables above).",
            "",
        ]
    seconds = frame["seconds"].sum()
    lines += [f"Total test time: {seconds / 60:.1f} min.", ""]
    return "\n".join(lines)


def figure(frame: pd.DataFrame, path: Path, force: bool) -> None:
    """Size against the latent autocorrelation φ (Gaussian and count designs side by side):
    every test, ``auto`` (solid) against ``independent`` (dashed), one colour per n, with
    the target band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = frame[(frame["kind"] == "size") & frame["design"].str.contains("φ")].copy()
    size["phi"] = size["design"].str.extract(r"φ = ([0-9.]+)")[0].astype(float)
    fig, axes = plt.subplots(2, 4, figsize=(13, 6), sharex=True, sharey=True)
    for row, family in enumerate(("Gaussian", "counts")):
        part = size[size["design"].str.startswith(family)]
        for column, test in enumerate(TESTS):
            ax = axes[row, column]
            ax.axhspan(TARGET[0], TARGET[1], color="0.9")
            ax.axhline(LEVEL, color="0.5", linewidth=0.8)
            for colour, (n, cells) in zip(("C0", "C1", "C2"), part.groupby("n"), strict=False):
                for option, style in (("auto", "-"), ("independent", "--")):
                    line = cells[cells["dependence"] == option].sort_values("phi")
                    ax.plot(line["phi"], line[test], style, color=colour, marker="o",
                            markersize=3, label=f"n = {n}, {option}")  # fmt: skip
            ax.set_yscale("log")
            ax.set_title(f"{family}: {test}", fontsize=9)
            if row == 1:
                ax.set_xlabel("latent lag-1 autocorrelation φ")
        axes[row, 0].set_ylabel("rejection rate at 5%, no change")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    buffer = __import__("io").BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    write_file(path, buffer.getvalue(), overwrite=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.validity")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument(
        "--series", type=int, default=2000, help="series per size cell (0: power cells only)"
    )
    parser.add_argument("--power-series", type=int, default=1000, help="series per power cell")
    parser.add_argument("--lengths", default="34,120,400", help="record lengths n")
    parser.add_argument("--jobs", type=int, default=2, help="cells run in parallel")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument(
        "--designs", help="indices of the size designs to run (default all), e.g. 0,3,8"
    )
    parser.add_argument(
        "--dependence", default="auto,independent", help="options to run (default both)"
    )
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV")
    parser.add_argument(
        "--independent-series", type=int, help="series per size cell of the independent null"
    )
    parser.add_argument(
        "--from-csv",
        type=Path,
        nargs="+",
        help=(
            "only render the report from tables written earlier with --csv (a cell run more "
            "than once, at different seeds, is pooled; --csv writes the pooled table)"
        ),
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out/--csv")
    args = parser.parse_args(argv)
    refused = _refused(args)
    if refused:
        print(f"python -m benchmarks.validity: error: {refused}", file=sys.stderr)
        return 2
    words = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m benchmarks.validity", *words])
    if args.from_csv:
        parts = pd.concat([pd.read_csv(path) for path in args.from_csv])
        repeated = _repeated_run(parts)
        if repeated:
            print(f"python -m benchmarks.validity: error: {repeated}", file=sys.stderr)
            return 2
        frame = pooled(parts)
        _report(args.out, frame, command, args.force)
        if args.csv is not None:
            write_file(args.csv, frame.to_csv(index=False).encode(), overwrite=args.force)
        return 0
    if args.quick:
        args.series, args.power_series, args.lengths = 20, 20, "34"
    lengths = tuple(int(v) for v in args.lengths.split(","))
    designs = None if args.designs is None else tuple(int(v) for v in args.designs.split(","))
    options = tuple(args.dependence.split(","))
    chosen = cells(
        args.series, lengths, args.power_series, designs, options, args.independent_series
    )
    tasks = [(*t, args.seed) for t in chosen]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(run_cell, tasks))
    else:
        rows = [run_cell(t) for t in tasks]
    frame = pd.DataFrame(rows)
    frame["command"] = command
    _report(args.out, frame, command, args.force)
    if args.csv is not None:
        write_file(args.csv, frame.to_csv(index=False).encode(), overwrite=args.force)
    return 0


#: What identifies a cell of the table.
CELL = ["design", "kind", "n", "dependence"]


def pooled(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: the runs of a cell (at different seeds: independent series)
    pooled, every rate weighted by its run's series, series and seconds summed, the
    commands joined by " + ".

    Examples
    --------
    >>> runs = pd.DataFrame({"design": ["a", "a"], "kind": "size", "n": 400,
    ...     "dependence": "auto", "series": [1000, 3000], "seconds": [1.0, 2.0],
    ...     "dependent_share": 1.0, "hypothesis_vs_none": [0.04, 0.06],
    ...     "best_vs_none": 0.05, "best_vs_hypothesis": 0.05, "each_boundary": 0.05,
    ...     "command": ["one", "two"]})
    >>> row = pooled(runs).iloc[0]
    >>> int(row["series"]), round(float(row["hypothesis_vs_none"]), 4), row["command"]
    (4000, 0.055, 'one + two')
    """
    rates = ["dependent_share", *TESTS]
    weighted = frame[rates].mul(frame["series"], axis=0)
    parts = frame[CELL].assign(series=frame["series"], seconds=frame["seconds"])
    summed = pd.concat([parts, weighted], axis=1).groupby(CELL, sort=False).sum()
    out = summed[rates].div(summed["series"], axis=0)
    out.insert(0, "seconds", summed["seconds"])
    out.insert(0, "series", summed["series"])
    if "command" in frame:
        commands = frame.groupby(CELL, sort=False)["command"]
        out["command"] = commands.agg(lambda c: " + ".join(dict.fromkeys(c.dropna())))
    return out.reset_index()[list(frame.columns)]


def _repeated_run(frame: pd.DataFrame) -> str | None:
    """Why pooling would count one run's series twice: two parts of a cell with the same
    series and the same rates are the same run (the same seed), not independent runs.

    Examples
    --------
    >>> run = pd.DataFrame({"design": ["a"], "kind": "size", "n": 400, "dependence": "auto",
    ...     "series": 1000, "dependent_share": 1.0, "hypothesis_vs_none": 0.05,
    ...     "best_vs_none": 0.05, "best_vs_hypothesis": 0.05, "each_boundary": 0.05})
    >>> _repeated_run(pd.concat([run, run.assign(best_vs_none=0.06)])) is None
    True
    >>> _repeated_run(pd.concat([run, run]))[:40]
    'the cell a, size, n = 400, auto appears '
    """
    same = frame.duplicated([*CELL, "series", "dependent_share", *TESTS], keep=False)
    if not same.any():
        return None
    design, kind, n, dependence = frame.loc[same.to_numpy(), CELL].iloc[0]
    return (
        f"the cell {design}, {kind}, n = {n}, {dependence} appears twice with the same series "
        "and rates (one run read twice, or two runs at one seed); pool runs at different "
        "--seed values only."
    )


def _series_and_band(low: int, high: int) -> str:
    """Series per cell and the 95% Monte Carlo band around a true 5%, as a range where the
    cells of one table ran different numbers of series.

    Examples
    --------
    >>> _series_and_band(2000, 2000)
    '2,000 series per cell, ±1.0%'
    >>> _series_and_band(400, 1000).endswith("±2.1% to ±1.4%")
    True
    """

    def band(count: int) -> str:
        return f"±{1.96 * np.sqrt(0.05 * 0.95 / count):.1%}"

    if low == high:
        return f"{low:,} series per cell, {band(low)}"
    return (
        f"{low:,} to {high:,} series per cell (the run of each design in "
        f"benchmarks/validity.csv), {band(low)} to {band(high)}"
    )


def _report(out: Path | None, frame: pd.DataFrame, command: str, force: bool) -> None:
    """The report to ``out`` with its figure beside it (``<out stem>.png``; atomically, an
    existing file only with ``--force``), or the text to stdout without ``out``."""
    if out is None:
        print(markdown(frame, command))
        return
    image = out.with_suffix(".png")
    figure(frame, image, force)
    text = markdown(frame, command).replace(
        "## Size,", f"![size against φ]({image.name})\n\n## Size,", 1
    )
    write_file(out, text.encode(), overwrite=force)


def _refused(args: argparse.Namespace) -> str | None:
    """Why the run would replace a file it was not told to replace (checked before running)."""
    image = None if args.out is None else args.out.with_suffix(".png")
    for path in (args.out, args.csv, image):
        if path is not None and path.exists() and not args.force:
            return f"{path} exists; pass --force to replace it."
    return None


if __name__ == "__main__":
    raise SystemExit(main())
