"""Monitoring: false-alarm probability and detection delay of :func:`periodize.monitor`.

``python -m benchmarks.monitoring [--series N] [--n-sim N] [--quick]``

Simulated dyads: a history with no change (yearly: 20 years, monthly: 120 months) at a
constant rate (3 events per year, 1 per month), then the whole horizon observed (10 years, 60
months): with no change (false alarms; also Gaussian series), or with the rate multiplied by
1.5, 2 or 3 from the first monitored period (the share detected within the horizon and the
mean delay, in periods from the change to the alarm, of those detected); and yearly counts
whose history changed half-way, segmented or with that boundary given. Nominal false-alarm
probability 5% over the horizon. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import periodize as pz

from .harness import print_table

DESIGNS = {"yearly": (20, 10, 3.0), "monthly": (120, 60, 1.0)}
RATIOS = (1.0, 1.5, 2.0, 3.0)
LEVEL = 0.05


def latent_ar(rng: np.random.Generator, phi: float, shape: tuple[int, int]) -> np.ndarray:
    """Stationary unit-variance Gaussian AR(1) paths (rows × periods)."""
    noise = rng.standard_normal(shape)
    path = noise.copy()
    for t in range(1, shape[1]):
        path[:, t] = phi * path[:, t - 1] + np.sqrt(1 - phi**2) * noise[:, t]
    return path


def run(
    design: str,
    ratio: float,
    series: int,
    n_sim: int,
    gaussian: bool = False,
    phi: float = 0.0,
    dependence: str = "auto",
    history_change: bool = False,
    given: bool = False,
) -> dict:
    """One cell: the alarm rate and the mean delay of the alarms. ``phi``: lag-1
    autocorrelation of the Gaussian noise, or of the latent log-rate (sd 0.5) of counts.
    ``history_change``: counts whose history changes half-way, from a quarter of the rate to
    its level (a real last boundary before the monitoring); ``given``: that boundary is
    passed as ``history_breaks``."""
    history, horizon, rate = DESIGNS[design]
    seed = [20261205, int(ratio * 10), history, int(gaussian), int(phi * 10)]
    seed += [1] if history_change else []
    rng = np.random.default_rng(seed)
    n = history + horizon
    shape = (series, n)
    if history_change:
        rate = np.where(np.arange(n) < history // 2, rate / 4, rate)
    if gaussian:  # a rate ratio r shifts the level by r - 1 noise standard deviations
        values = 10.0 + (latent_ar(rng, phi, shape) if phi else rng.normal(0.0, 1.0, shape))
        values += np.where(np.arange(n) < history, 0.0, ratio - 1.0)
    else:
        rates = np.where(np.arange(n) < history, rate, rate * ratio) * np.ones(shape)
        if phi:
            rates = rates * np.exp(0.5 * latent_ar(rng, phi, shape) - 0.125)
        values = rng.poisson(rates).astype(float)
    frame = pd.DataFrame(values.T, columns=[f"s{i}" for i in range(series)])
    start = time.perf_counter()
    watch = pz.monitor(
        frame, since=history, horizon=horizon, level=LEVEL, n_sim=n_sim, rng=1,
        dependence=dependence, history_breaks=(history // 2,) if given else None,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    alarms = np.array([np.nan if a is None else a for a in watch.alarm.values()], dtype=float)
    found = ~np.isnan(alarms)
    name = design + (" Gaussian" if gaussian else "") + (f" AR φ={phi:g}" if phi else "")
    return {
        "design": name
        + (", history ¼ → 1 of the rate" if history_change else "")
        + (", its boundary given" if given else ""),
        "dependence": dependence,
        "rate_ratio": ratio,
        "series": series,
        "alarm_rate": float(found.mean()),
        "mean_delay": float((alarms[found] - history).mean()) if found.any() else np.nan,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.monitoring")
    parser.add_argument("--series", type=int, default=1000, help="yearly series per row")
    parser.add_argument(
        "--monthly-series",
        type=int,
        default=300,
        help="monthly series per row (each segments n_sim 120-month histories again)",
    )
    parser.add_argument("--n-sim", type=int, default=999)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.series, args.monthly_series, args.n_sim = 10, 10, 99
    count = {"yearly": args.series, "monthly": args.monthly_series}
    rows = [run(d, r, count[d], args.n_sim) for d in DESIGNS for r in RATIOS]
    rows += [run(d, 1.0, count[d], args.n_sim, gaussian=True) for d in DESIGNS]
    for d in DESIGNS:  # serial dependence with no change: the dependent null against none
        for gaussian, phi in ((False, 0.6), (True, 0.5)):
            rows += [
                run(d, 1.0, count[d], args.n_sim, gaussian, phi, option)
                for option in ("auto", "independent")
            ]
    rows += [  # a history that changed: segmented (its last boundary doubted) or given
        run("yearly", r, count["yearly"], args.n_sim, history_change=True, given=given)
        for given in (False, True)
        for r in (1.0, 2.0)
    ]
    table = pd.DataFrame(rows)
    bands = ", ".join(
        f"{d} ±{1.96 * np.sqrt(LEVEL * (1 - LEVEL) / count[d]):.1%}" for d in DESIGNS
    )
    print(
        f"Nominal false-alarm probability {LEVEL:.0%} over the horizon; Monte Carlo band "
        f"around a true 5%: {bands}; {args.n_sim} replicates.\n"
    )
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
