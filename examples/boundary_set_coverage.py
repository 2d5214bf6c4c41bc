"""How often do the confidence sets for a boundary contain the true boundary?

Simulates 34 yearly Poisson counts (1990–2023) with one change in 2007 at several pairs of
rates, runs ``test_periodization`` against the true boundary on all series at once, and
reports for each kind of set the share of series whose set contains 2007 (its coverage)
and the set's average size in years: the bootstrap sets at 90% and 95% and the
likelihood-ratio (profile) set at 95%.

    python examples/boundary_set_coverage.py [--quick]

docs/inference.md shows the output of the full run.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import periodize as pz

YEARS = pd.RangeIndex(1990, 2024, name="year")
BOUNDARY = 2007
RATE_PAIRS = ((1.0, 0.4), (2.0, 1.0), (5.0, 2.0), (10.0, 3.0))
SETS = {"bootstrap_90": 0.90, "bootstrap_95": 0.95, "profile_set": 0.95}


def main(quick: bool = False) -> pd.DataFrame:
    n_series, n_sim = (60, 199) if quick else (500, 999)
    before = BOUNDARY - YEARS[0]
    rows = []
    for seed, (first, second) in enumerate(RATE_PAIRS):
        rates = np.repeat([first, second], [before, len(YEARS) - before])
        counts = np.random.default_rng(seed).poisson(rates, size=(n_series, len(YEARS)))
        frame = pd.DataFrame(counts.T.astype(float), index=YEARS)
        frame.columns = [f"series{i}" for i in range(n_series)]
        sets = pz.test_periodization(frame, (BOUNDARY,), n_sim=n_sim, rng=0).boundaries
        row: dict[str, object] = {"rates": f"{first:g} -> {second:g}"}
        for column, level in SETS.items():
            row[f"{column} ({level:.0%}) covers"] = np.mean([BOUNDARY in s for s in sets[column]])
            row[f"{column} size"] = np.mean([len(s) for s in sets[column]])
        rows.append(row)
    table = pd.DataFrame(rows).set_index("rates")
    print(f"{n_series} series of 34 years per row, {n_sim} bootstrap replicates")
    print(table.to_string(float_format="{:.2f}".format))
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 series per row (a smoke run)")
    main(quick=parser.parse_args().quick)
