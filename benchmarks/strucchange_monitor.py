"""Monitoring beside strucchange: false alarms and detection delay on the same Gaussian series.

``python -m benchmarks.strucchange_monitor [--series N] [--n-sim N] [--quick]``

Simulated Gaussian series (sd 1): a stable history (yearly: 20 periods; monthly: 120), then
a horizon (10; 60) observed in full, with no change or with the mean shifted by ``δ``
standard deviations from the first monitored period. Each series is watched by
``pz.monitor(..., model="normal")`` (nominal false-alarm probability 5% over the horizon,
Monte Carlo boundary; both serial-dependence options, and with ``stable_history=True``, the
assumption strucchange makes) and by R's strucchange (Zeileis,
Leisch, Kleiber & Hornik 2005): ``mefp(y ~ 1, type = "OLS-CUSUM", period = (n0 + H) / n0,
alpha = 0.05)`` then ``monitor()``, whose boundary is asymptotic, and ``type = "ME"``
(moving estimates, ``h = 0.5``; its critical values exist for ``period`` 2, 4, ..., 10 only,
so it runs with ``period = 2``: calibrated over twice the history, a longer span than the
horizon, so conservative here). Prints a Markdown table: the share of series with an alarm
within the horizon and the mean delay (periods from the first monitored period to the
alarm). Needs ``Rscript`` with the strucchange package (Debian: ``r-cran-strucchange``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import periodize as pz

from .harness import print_table

DESIGNS = {"yearly": (20, 10), "monthly": (120, 60)}
SHIFTS = (0.0, 0.5, 1.0, 2.0)
LEVEL = 0.05

R_SCRIPT = r"""
suppressMessages(library(strucchange))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
n0 <- as.integer(args[2]); H <- as.integer(args[3])
out <- NULL
for (s in unique(d$series)) {
  y <- d$y[d$series == s]
  history <- data.frame(y = y[1:n0])
  for (type in c("OLS-CUSUM", "ME")) {
    period <- if (type == "ME") 2 else (n0 + H) / n0
    m <- if (type == "ME") {
      mefp(y ~ 1, type = type, data = history, alpha = 0.05, period = period, h = 0.5)
    } else {
      mefp(y ~ 1, type = type, data = history, alpha = 0.05, period = period)
    }
    watched <- monitor(m, data = data.frame(y = y[1:(n0 + H)]), verbose = FALSE)
    out <- rbind(out, data.frame(series = s, type = type, breakpoint = watched$breakpoint))
  }
}
write.csv(out, args[4], row.names = FALSE)
"""


def available() -> bool:
    """Whether ``Rscript`` with strucchange is on this machine."""
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(
        ["Rscript", "-e", "library(strucchange)"], capture_output=True, check=False
    )
    return check.returncode == 0


def series(design: str, shift: float, n_series: int) -> np.ndarray:
    """``(series, n0 + H)`` Gaussian values, the mean shifted by ``shift`` after n0."""
    n0, horizon = DESIGNS[design]
    rng = np.random.default_rng([20261206, n0, int(shift * 10)])
    values = rng.standard_normal((n_series, n0 + horizon))
    values[:, n0:] += shift
    return values


def strucchange_alarms(values: np.ndarray, n0: int, horizon: int) -> dict[str, np.ndarray]:
    """The alarm period (0-based; NaN: none within the horizon) of every series, by
    strucchange's monitoring type."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        long = pd.DataFrame(
            {
                "series": np.repeat(np.arange(len(values)), values.shape[1]),
                "y": values.ravel(),
            }
        )
        long.to_csv(root / "series.csv", index=False)
        (root / "watch.R").write_text(R_SCRIPT)
        subprocess.run(
            ["Rscript", str(root / "watch.R"), str(root / "series.csv"), str(n0),
             str(horizon), str(root / "alarms.csv")],
            check=True, capture_output=True,
        )  # fmt: skip
        found = pd.read_csv(root / "alarms.csv")
    alarms = {}
    for kind, rows in found.groupby("type"):
        breakpoint = rows.sort_values("series")["breakpoint"].to_numpy(dtype=float)
        alarms[str(kind)] = breakpoint - 1  # strucchange counts periods from 1
    return alarms


def periodize_alarms(
    values: np.ndarray, n0: int, horizon: int, n_sim: int, dependence: str, stable: bool
) -> np.ndarray:
    """The alarm period (0-based; NaN: none) of every series under ``pz.monitor``."""
    frame = pd.DataFrame(values.T, columns=[f"s{i}" for i in range(len(values))])
    watch = pz.monitor(
        frame, since=n0, horizon=horizon, model="normal", level=LEVEL, n_sim=n_sim, rng=1,
        dependence=dependence, stable_history=stable,
    )  # fmt: skip
    return np.array([np.nan if a is None else a for a in watch.alarm.values()], dtype=float)


def rows(design: str, shift: float, n_series: int, n_sim: int) -> list[dict]:
    """One row per detector for one design and shift."""
    n0, horizon = DESIGNS[design]
    values = series(design, shift, n_series)
    detectors: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    for dependence, stable in (("auto", False), ("independent", False), ("independent", True)):
        name = f"periodize ({dependence}{', stable history' if stable else ''})"
        start = time.perf_counter()
        detectors[name] = periodize_alarms(values, n0, horizon, n_sim, dependence, stable)
        seconds[name] = time.perf_counter() - start
    start = time.perf_counter()
    for kind, alarms in strucchange_alarms(values, n0, horizon).items():
        detectors[f"strucchange {kind}"] = alarms
        seconds[f"strucchange {kind}"] = (time.perf_counter() - start) / 2
    out = []
    for name, alarms in detectors.items():
        found = ~np.isnan(alarms)
        out.append(
            {
                "design": design,
                "shift_sd": shift,
                "detector": name,
                "series": n_series,
                "alarm_rate": float(found.mean()),
                "mean_delay": float((alarms[found] - n0).mean()) if found.any() else np.nan,
                "seconds": seconds[name],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.strucchange_monitor")
    parser.add_argument("--series", type=int, default=500, help="series per design and shift")
    parser.add_argument("--n-sim", type=int, default=999)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args(argv)
    if not available():
        print("Rscript with the strucchange package is not on this machine: nothing to compare.")
        return 1
    if args.quick:
        args.series, args.n_sim = 5, 99
    table = pd.DataFrame(
        [
            row
            for d in DESIGNS
            for shift in SHIFTS
            for row in rows(d, shift, args.series, args.n_sim)
        ]
    )
    band = 1.96 * np.sqrt(LEVEL * (1 - LEVEL) / args.series)
    print(
        f"Nominal false-alarm probability {LEVEL:.0%} over the horizon (strucchange: "
        f"asymptotic); Monte Carlo band around a true 5%: ±{band:.1%}; {args.n_sim} "
        "replicates for periodize.\n"
    )
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
