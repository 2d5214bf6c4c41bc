"""Accuracy of the default choice of breaks, on real annotated series and on simulated ones.

``python -m benchmarks.accuracy [--tcpd PATH] [--series N] [--quick] [--out FILE] [--force]``

**Real series.** Every univariate series of a TCPD folder (van den Burg & Williams 2020,
"An Evaluation of Change Point Detection Algorithms", arXiv:2003.06222; the folder's
``README.md`` describes it) is segmented by ``pz.segment(values)`` with nothing else given
(the default: model and penalty ``"auto"``), and by the documented way before it (normal
model, ``penalty="bic"``); both are scored with the benchmark's F1 (margin 5) and cover,
written here from their definitions (:func:`f1_score`, :func:`cover_score`), beside the
published scores of every default method of TCPDBench on the same series and "zero" (no
change point). The data files are read from the folder, never copied.

**Simulated series** with known breaks, trends, autocorrelation, heavy tails, outliers and
counts, and smooth movement without any change (a random walk, an S-shaped rise, a
steadily rising count rate: where the default fails): for each design the share of series
whose number of breaks is right, and the precision and recall of the breaks found within
±2 periods; beside the default, the other models' own rules (levels, biweight, drift).

**Speed**: the default on 10^5 normal points against FPOP with a fixed penalty, and on a
panel of 10,000 yearly count series against the BIC choice, same data, same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import periodize as pz
from periodize._output import write_file

HERE = Path(__file__).parent
#: Where the TCPD subset sits beside the repository (``--tcpd`` or PERIODIZE_TCPD override).
DEFAULT_TCPD = HERE.parent.parent / "shared" / "tcpd"
MARGIN = 5
#: A simulated break counts as found when a break lies within this many periods.
TOLERANCE = 2


# --- the metrics, as TCPDBench defines them ----------------------------------------------


def _cleaned(predictions: Any, n_obs: int) -> set[int]:
    """Integer locations, duplicates removed, only 1 <= x <= n_obs - 2, plus 0."""
    return {int(x) for x in predictions if 1 <= int(x) <= n_obs - 2} | {0}


def _matched(truth: set[int], predictions: set[int], margin: int) -> int:
    """Annotated points with a prediction within ``margin``, each prediction used once
    (the closest free one; ties to the smaller location)."""
    free = set(predictions)
    found = 0
    for point in sorted(truth):
        near = sorted((abs(point - x), x) for x in free if abs(point - x) <= margin)
        if near:
            found += 1
            free.remove(near[0][1])
    return found


def f1_score(
    annotations: dict[str, list[int]], predictions: Any, n_obs: int, margin: int = MARGIN
) -> float:
    """TCPD's F1: precision over the union of the annotators' points, recall averaged
    over annotators, location 0 added to every set.

    Examples
    --------
    >>> f1_score({"a": [10], "b": []}, [], 100)  # zero: P = 1, R = (1/2 + 1) / 2
    0.8571428571428571
    >>> f1_score({"a": [10], "b": [10]}, [12], 100)
    1.0
    """
    predicted = _cleaned(predictions, n_obs)
    sets = [set(points) | {0} for points in annotations.values()]
    union = set().union(*sets)
    precision = _matched(union, predicted, margin) / len(predicted)
    recall = float(np.mean([_matched(s, predicted, margin) / len(s) for s in sets]))
    return 2 * precision * recall / (precision + recall)


def _partition(points: set[int], n_obs: int) -> list[tuple[int, int]]:
    edges = [*sorted(points - {0}), n_obs]
    return list(zip([0, *edges[:-1]], edges, strict=True))


def cover_score(annotations: dict[str, list[int]], predictions: Any, n_obs: int) -> float:
    """TCPD's cover: for each annotator, the length-weighted best Jaccard overlap of each of
    their segments with a predicted one, over ``n_obs``; averaged over annotators.

    Examples
    --------
    >>> cover_score({"a": [50]}, [], 100)  # two halves against one whole: 0.5 each
    0.5
    >>> cover_score({"a": [50]}, [50], 100)
    1.0
    """
    predicted = _partition(_cleaned(predictions, n_obs), n_obs)
    scores = []
    for points in annotations.values():
        total = 0.0
        for a, b in _partition(set(points) | {0}, n_obs):
            best = max(
                max(0, min(b, d) - max(a, c)) / (max(b, d) - min(a, c)) for c, d in predicted
            )
            total += (b - a) * best
        scores.append(total / n_obs)
    return float(np.mean(scores))


# --- real series ------------------------------------------------------------------------


def tcpd_series(
    folder: Path, only: list[str] | None = None
) -> Iterator[tuple[str, np.ndarray, dict[str, list[int]]]]:
    """(name, values (n_obs × n_dim, NaN for missing), annotations) of every series, or of
    the series named in ``only``."""
    annotations = json.loads((folder / "annotations.json").read_text())
    for name in sorted(annotations) if only is None else only:
        data = json.loads((folder / "datasets" / name / f"{name}.json").read_text())
        values = np.array(
            [[np.nan if v is None else v for v in dim["raw"]] for dim in data["series"]],
            dtype=float,
        ).T
        yield name, values, annotations[name]


def _positions(y: np.ndarray, **options: Any) -> list[int]:
    """Break positions in the full record (a skipped missing period keeps its place)."""
    series = pd.Series(y)  # labels are positions, so boundaries are positions
    return [int(b) for b in pz.segment(series, missing="skip", **options).boundaries]


METHODS: dict[str, Callable[[np.ndarray], list[int]]] = {
    "periodize default": lambda y: _positions(y),
    "periodize normal + BIC": lambda y: _positions(y, model="normal", penalty="bic"),
    "periodize biweight": lambda y: _positions(y, model="biweight"),
    "periodize normal_drift": lambda y: _positions(y, model="normal_drift"),
    "zero": lambda y: [],
}


def real_series(folder: Path, only: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Scores of :data:`METHODS` per univariate series (``missing`` marks those with
    missing values, segmented with ``missing="skip"``), and a note for every series left
    out and why (``only``: these series alone)."""
    rows, left_out = [], []
    for name, values, annotated in tcpd_series(folder, only):
        n_obs, n_dim = values.shape
        methods = METHODS if n_dim == 1 else JOINT_METHODS
        for method, run in methods.items():
            found = run(values[:, 0] if n_dim == 1 else values)
            rows.append(
                {
                    "series": name,
                    "method": method,
                    "n_obs": n_obs,
                    "n_dim": n_dim,
                    "missing": int(np.isnan(values).sum()),
                    "breaks": len(found),
                    "f1": f1_score(annotated, found, n_obs),
                    "cover": cover_score(annotated, found, n_obs),
                }
            )
    return pd.DataFrame(rows), left_out


def _joint_positions(values: np.ndarray) -> list[int]:
    """Break positions shared by every dimension: the default rule with ``joint=True``."""
    frame = pd.DataFrame(values, columns=[f"d{i}" for i in range(values.shape[1])])
    fit = pz.segment(frame, missing="skip", joint=True)
    return [int(b) for b in fit.by_series["boundaries"].iloc[0]]


def _joint_drift(values: np.ndarray) -> list[int]:
    """Break positions shared by every dimension under the drift model (``joint=True``)."""
    frame = pd.DataFrame(values, columns=[f"d{i}" for i in range(values.shape[1])])
    fit = pz.segment(frame, missing="skip", joint=True, model="normal_drift")
    return [int(b) for b in fit.by_series["boundaries"].iloc[0]]


def _dimension(d: int) -> Callable[[np.ndarray], list[int]]:
    """The drift model on dimension ``d`` alone (it searches one series at a time)."""
    return lambda values: _positions(values[:, d], model="normal_drift")


#: Multivariate series: one set of boundaries for all dimensions (and, for contrast, the
#: drift model on each dimension alone).
JOINT_METHODS: dict[str, Callable[[np.ndarray], list[int]]] = {
    "periodize default, joint": _joint_positions,
    "periodize normal_drift, joint": _joint_drift,
    **{f"periodize normal_drift, dimension {d} alone": _dimension(d) for d in range(2)},
    "zero": lambda y: [],
}


def published(folder: Path, names: list[str]) -> pd.DataFrame:
    """The published default scores of every TCPDBench method on ``names``."""
    table = pd.read_csv(folder / "published_default_scores.csv")
    return table[table["series"].isin(names)]


# --- simulated series -------------------------------------------------------------------


def _ar1(rng: np.random.Generator, rows: int, n: int, phi: float) -> np.ndarray:
    """Stationary Gaussian AR(1) paths with unit marginal variance, ``rows × n``."""
    z = rng.standard_normal((rows, n))
    out = np.empty_like(z)
    out[:, 0] = z[:, 0]
    for t in range(1, n):
        out[:, t] = phi * out[:, t - 1] + np.sqrt(1 - phi**2) * z[:, t]
    return out


def _steps(n: int, cuts: list[int], levels: list[float]) -> np.ndarray:
    return np.repeat(levels, np.diff([0, *cuts, n]))


def designs(rng: np.random.Generator, rows: int) -> Iterator[tuple[str, np.ndarray, list[int]]]:
    """(name, series × periods, true break indices). Shifts are in noise standard
    deviations (marginal ones for AR noise); counts are yearly-length or monthly-length."""
    n, cuts = 120, [40, 80]
    mean = _steps(n, cuts, [0.0, 2.0, 0.5])
    yield "normal, independent, no change", rng.standard_normal((rows, n)), []
    yield "normal, independent, 2 shifts", mean + rng.standard_normal((rows, n)), cuts
    yield "normal, AR(1) 0.5, no change", _ar1(rng, rows, n, 0.5), []
    yield "normal, AR(1) 0.5, 2 shifts (2, 1.5 × 2 sd)", 2 * mean + _ar1(rng, rows, n, 0.5), cuts
    yield "normal, AR(1) 0.8, no change", _ar1(rng, rows, n, 0.8), []
    yield (
        "normal, linear trend of 4 sd, no change",
        (np.linspace(0.0, 4.0, n) + rng.standard_normal((rows, n))),
        [],
    )
    t = np.arange(n)
    yield (
        "normal, linear trend of 4 sd and a jump of 2 sd",
        np.linspace(0.0, 4.0, n) + 2.0 * (t >= 60) + rng.standard_normal((rows, n)),
        [60],
    )
    yield (
        "normal, change of slope (up 3 sd, then down 3 sd)",
        np.where(t < 60, t / 60 * 3.0, 3.0 - (t - 60) / 60 * 3.0) + rng.standard_normal((rows, n)),
        [60],
    )
    yield (
        "normal, linear trend of 4 sd, AR(1) 0.5, no change",
        np.linspace(0.0, 4.0, n) + _ar1(rng, rows, n, 0.5),
        [],
    )
    yield (
        "normal, Student t (3 df), 2 shifts",
        (mean + rng.standard_t(3, size=(rows, n)) / np.sqrt(3.0)),
        cuts,
    )
    outliers = rng.random((rows, n)) < 0.05
    noise = np.where(
        outliers, rng.choice([-8.0, 8.0], size=(rows, n)), rng.standard_normal((rows, n))
    )
    yield "normal, 5% outliers of 8 sd, 2 shifts", mean + noise, cuts
    short, short_cuts = 34, [12, 24]
    yield "normal, 34 periods, no change", rng.standard_normal((rows, short)), []
    yield (
        "normal, 34 periods, shift of 2 sd",
        2.0 * (np.arange(short) >= 17) + rng.standard_normal((rows, short)),
        [17],
    )
    yield (
        "normal, 34 periods, linear trend of 2 sd",
        np.linspace(0.0, 2.0, short) + rng.standard_normal((rows, short)),
        [],
    )
    yield "counts, 34 years, Poisson mean 3, no change", rng.poisson(3.0, (rows, short)), []
    yield (
        "counts, 34 years, Poisson 1.5 → 5 → 1.5",
        rng.poisson(_steps(short, short_cuts, [1.5, 5.0, 1.5]), (rows, short)),
        short_cuts,
    )
    rates = _steps(n, cuts, [4.0, 10.0, 4.0])
    yield (
        "counts, NB2 α 0.3, 4 → 10 → 4",
        rng.poisson(rng.gamma(1 / 0.3, 0.3 * rates, (rows, n))),
        cuts,
    )
    yield (
        "counts, NB2 α 0.3 mean 6, no change",
        rng.poisson(rng.gamma(1 / 0.3, 1.8, (rows, n))),
        [],
    )
    latent = np.exp(np.log(5.0) + 0.5 * _ar1(rng, rows, n, 0.6) - 0.125)
    yield "counts, latent AR(1) 0.6 log-rate, no change", rng.poisson(latent), []
    # smooth movement, no abrupt change: neither levels nor lines describe it
    walk = np.cumsum(0.3 * rng.standard_normal((rows, n)), axis=1)
    yield (
        "normal, random walk (steps of 0.3 sd) plus noise, no change",
        walk + rng.standard_normal((rows, n)),
        [],
    )
    long = 400
    curve = 4.0 / (1.0 + np.exp(-(np.arange(long) - long / 2) / (long / 10)))
    yield (
        "normal, 400 periods, S-shaped rise of 4 sd, no change",
        curve + rng.standard_normal((rows, long)),
        [],
    )
    # a count series whose rate rises steadily (coverage growing)
    rising = np.exp(np.linspace(np.log(2.0), np.log(8.0), n))
    yield "counts, 120 months, rate rising 2 → 8, no change", rng.poisson(rising, (rows, n)), []
    # a smoothed indicator: the two shifts of design 2 seen through a centred moving average
    # of 5 periods (noise that is smooth, not AR(1): its long-run variance is overstated)
    padded = np.pad(mean, 2, mode="edge") + rng.standard_normal((rows, n + 4))
    smoothed = sum(padded[:, k : k + n] for k in range(5)) / 5.0
    yield "normal, moving average of 5 periods, 2 shifts", smoothed, cuts
    # monthly event counts whose rate doubles, with one to three months of a burst (a
    # summit, a crisis) of 25 events more: the quasi-Poisson levels are not robust
    counts = rng.poisson(_steps(n, [60], [4.0, 8.0]), (rows, n)).astype(float)
    bursts = rng.integers(1, 4, rows)
    months = rng.random((rows, n)).argsort(axis=1)  # distinct months per series
    for k in range(3):
        hit = np.flatnonzero(bursts > k)
        counts[hit, months[hit, k]] += 25.0
    yield "counts, 120 months, rate 4 → 8, 1–3 bursts of 25 events", counts, [60]


def _found_share(found: list[tuple[int, ...]], truth: list[int], of_found: bool) -> float:
    """Precision (``of_found``: breaks found near a true one) or recall (true breaks with
    one found near them), pooled over series, within :data:`TOLERANCE`."""
    hits = total = 0
    for breaks in found:
        first, second = (breaks, truth) if of_found else (truth, breaks)
        total += len(first)
        hits += sum(any(abs(a - b) <= TOLERANCE for b in second) for a in first)
    return hits / total if total else float("nan")


def _lines_share(model: Any, rows: int) -> float:
    """The share of series the default described by a line (a log-linear rate for counts)
    in each period."""
    models = model.values() if isinstance(model, dict) else [model] * rows
    return sum(m in ("normal_trend", "quasipoisson_trend") for m in models) / rows


def simulated(rows: int, seed: int) -> pd.DataFrame:
    """Per design: the default's share of series with the right number of breaks, its
    precision and recall within ±2, its mean number of breaks, and the BIC's (same model,
    named penalty) beside it."""
    rng = np.random.default_rng(seed)
    out = []
    for name, values, truth in designs(rng, rows):
        fit = pz.segment(values.T)  # periods × series
        family = "normal" if name.startswith("normal") else "quasipoisson"
        bic = pz.segment(values.T, model=family, penalty="bic")
        gaussian = family == "normal"
        levels = pz.segment(values.T, model=family)  # the default rule, levels only
        robust = pz.segment(values.T, model="biweight") if gaussian else None
        drift = pz.segment(values.T, model="normal_drift") if gaussian else None
        counts = (
            None if gaussian else pz.segment(values.T, model="quasipoisson_trend", penalty="bic")
        )
        record = {"design": name, "series": rows, "true_breaks": len(truth), "model": family}
        record["default_lines"] = _lines_share(fit.choice["model"], rows)
        for label, result in (
            ("default", fit),
            ("levels", levels),
            ("biweight", robust),
            ("drift", drift),
            ("count_trend", counts),
            ("bic", bic),
        ):
            if result is None:  # the Gaussian models on counts, the count trend on others
                continue
            found = list(result.break_indices)
            counts = np.array([len(b) for b in found])
            record[f"{label}_right"] = float(np.mean(counts == len(truth)))
            record[f"{label}_mean_breaks"] = float(counts.mean())
            record[f"{label}_precision"] = _found_share(found, truth, True)
            record[f"{label}_recall"] = _found_share(found, truth, False)
        out.append(record)
    return pd.DataFrame(out)


# --- speed ------------------------------------------------------------------------------


def _best_of(run: Callable[[], Any], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def speed(long: int = 100_000, panel: int = 10_000, seed: int = 5) -> pd.DataFrame:
    """Seconds of the default against its baseline on the same data (best of 3)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(rng.normal(0, 3, long // 2000), 2000) + rng.standard_normal(long)
    counts = rng.poisson(3.0, (34, panel))
    beta = float(2 * np.log(long))
    cases = [
        (
            f"{long:,} normal points",
            lambda: pz.segment(y),
            f"FPOP, fixed penalty {beta:.1f}",
            lambda: pz.segment(y, model="normal", penalty=beta),
        ),
        (
            f"{panel:,} yearly count series",
            lambda: pz.segment(counts),
            "poisson, penalty bic",
            lambda: pz.segment(counts, model="poisson", penalty="bic"),
        ),
    ]
    rows = []
    for data, default, base_name, base in cases:
        default(), base()  # compile and warm up
        first, second = _best_of(default), _best_of(base)
        rows.append(
            {
                "data": data,
                "default_s": first,
                "baseline": base_name,
                "baseline_s": second,
                "ratio": first / second,
            }
        )
    return pd.DataFrame(rows)


# --- the report -------------------------------------------------------------------------


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    frame = frame.copy()
    for column in frame.columns:  # counts of breaks print as counts (a median may be .5)
        if "breaks" in str(column) and "mean" not in str(column):
            frame[column] = [
                "" if pd.isna(v) else f"{v:g}" for v in frame[column].to_numpy(dtype=float)
            ]

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def markdown(
    scores: pd.DataFrame | None,
    left_out: list[str],
    others_all: pd.DataFrame | None,
    sims: pd.DataFrame,
    times: pd.DataFrame | None,
    command: str,
) -> str:
    """The report: means and per-series scores, simulated designs, speed."""
    others = None
    if scores is not None and others_all is not None:
        complete = scores.loc[(scores["missing"] == 0) & (scores["n_dim"] == 1), "series"].unique()
        others = others_all[others_all["series"].isin(complete)]
    lines = [
        "# Accuracy of the default choice of breaks",
        "",
        f"Generated by `{command}` (benchmarks/accuracy.py; do not edit by hand).",
        "",
    ]
    if scores is not None and others is not None and len(scores):
        several = scores[scores["n_dim"] > 1]
        scores = scores[scores["n_dim"] == 1]
        gaps = scores[scores["missing"] > 0]
        scores = scores[scores["missing"] == 0]  # the published comparison's series
        ours = scores.groupby("method")[["f1", "cover"]].mean()
        theirs = others.groupby("method")[["f1", "cover"]].mean()
        means = pd.concat([ours, theirs.drop(index="zero", errors="ignore")])
        means = means.sort_values("f1", ascending=False).reset_index()
        means["breaks (median)"] = means["method"].map(scores.groupby("method")["breaks"].median())
        n = scores["series"].nunique()
        lines += [
            f"## Real series: TCPD, {n} univariate series",
            "",
            "F1 (margin 5) and cover, means over the series; periodize's rows computed here, "
            "the others the published scores of TCPDBench's default runs.",
            "",
            _table(means),
            "",
        ]
        if left_out:
            lines += ["Not scored: " + "; ".join(left_out) + ".", ""]
        for name, rows in gaps.groupby("series"):
            theirs_here = others_all[
                (others_all["series"] == name) & (others_all["method"] != "zero")
            ][["method", "f1", "cover"]]
            table = pd.concat([rows[["method", "f1", "cover"]], theirs_here])
            lines += [
                f"{name} ({int(rows['missing'].iloc[0])} missing values; periodize segments "
                'the observed periods, `missing="skip"`; not in the means above):',
                "",
                _table(table.sort_values("f1", ascending=False)),
                "",
            ]
        for name, rows in several.groupby("series"):
            theirs_here = others_all[
                (others_all["series"] == name) & (others_all["method"] != "zero")
            ][["method", "f1", "cover"]]
            table = pd.concat([rows[["method", "breaks", "f1", "cover"]], theirs_here])
            lines += [
                f"{name} ({int(rows['n_dim'].iloc[0])} dimensions; periodize's default rule "
                "with one set of boundaries for all dimensions, `joint=True`; the drift model "
                "with `joint=True` and on each dimension alone; not in the means above):",
                "",
                _table(table.sort_values("f1", ascending=False)),
                "",
            ]
        wide = scores.pivot(index="series", columns="method", values=["f1", "cover", "breaks"])
        wide.columns = [f"{m} {what}" for what, m in wide.columns]
        order = [f"{m} {w}" for m in METHODS for w in ("breaks", "f1", "cover")]
        lines += ["Per series:", "", _table(wide[order].reset_index()), ""]
    lines += [
        f"## Simulated series ({int(sims['series'].iloc[0]):,} per design)",
        "",
        "`right`: share of series with the right number of breaks; precision and recall of "
        f"the breaks within ±{TOLERANCE} periods; `lines`: share of series the default "
        "described by a straight line (a log-linear rate for counts) in each period; `levels`: "
        'the default rule with levels only (`model="normal"` or `"quasipoisson"`); '
        "`biweight`: the robust levels "
        '(`model="biweight"`, the penalty "auto"); `drift`: level shifts under a drifting '
        'level and AR(1) noise (`model="normal_drift"`); `count_trend`: counts with a '
        'log-linear rate per period and a dispersion (`model="quasipoisson_trend"`, '
        '`penalty="bic"`); `bic`: the '
        "same model as the default with the named BIC penalty (difference-based noise "
        "scale), for contrast.",
        "",
        _table(
            sims[
                [
                    "design",
                    "model",
                    "true_breaks",
                    "default_right",
                    "default_lines",
                    "default_precision",
                    "default_recall",
                    "default_mean_breaks",
                    "levels_right",
                    "levels_mean_breaks",
                    "biweight_right",
                    "biweight_mean_breaks",
                    "drift_right",
                    "drift_mean_breaks",
                    "count_trend_right",
                    "count_trend_mean_breaks",
                    "bic_right",
                    "bic_mean_breaks",
                ]
            ],
            2,
        ),
        "",
    ]
    if times is not None:
        lines += ["## Speed (best of 3, seconds)", "", _table(times), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy")
    parser.add_argument("--tcpd", type=Path, help=f"the TCPD folder (default {DEFAULT_TCPD})")
    parser.add_argument("--series", type=int, default=1000, help="simulated series per design")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument(
        "--quick", action="store_true", help="at most 20 series per design, no timing (smoke run)"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="score these TCPD series only (default: all)"
    )
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--force", action="store_true", help="replace an existing --out")
    args = parser.parse_args(argv)
    if args.out is not None and args.out.exists() and not args.force:
        print(
            f"python -m benchmarks.accuracy: error: {args.out} exists; pass --force.",
            file=sys.stderr,
        )
        return 2
    folder = args.tcpd or Path(os.environ.get("PERIODIZE_TCPD", DEFAULT_TCPD))
    if not (folder / "annotations.json").is_file():
        print(
            f"python -m benchmarks.accuracy: error: {folder} holds no TCPD annotations.json; "
            "pass --tcpd PATH.",
            file=sys.stderr,
        )
        return 2
    known = json.loads((folder / "annotations.json").read_text())
    unknown = sorted(set(args.only or ()) - set(known))
    if unknown:
        print(
            f"python -m benchmarks.accuracy: error: --only names {', '.join(unknown)}, not "
            f"series of {folder} (it holds {', '.join(sorted(known))}).",
            file=sys.stderr,
        )
        return 2
    words = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m benchmarks.accuracy", *words])
    scores, left_out = real_series(folder, args.only)
    others = published(folder, sorted(scores["series"].unique()))
    sims = simulated(min(args.series, 20) if args.quick else args.series, args.seed)
    times = None if args.quick else speed()
    text = markdown(scores, left_out, others, sims, times, command)
    if args.out is None:
        print(text)
    else:
        write_file(args.out, text.encode(), overwrite=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
