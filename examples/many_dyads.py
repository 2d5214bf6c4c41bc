"""Many dyads at once: per-dyad tests with false-discovery-rate control and a test of
whether the dyads start new periods together.

The event table is simulated: 24 dyads among user-assigned codes over 30 years; half of
them (the "aligned" ones) go from 0.4 to 2 visits a year in 2010, the others keep one
rate.

    python examples/many_dyads.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import periodize as pz

CODES = [f"X{a}{b}" for a in "ABCDEFGH" for b in "AB"]  # user-assigned ISO codes


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    years = np.arange(1995, 2025)
    for d in range(24):
        actor, target = CODES[d % len(CODES)], CODES[(d + 1 + d // len(CODES)) % len(CODES)]
        aligned = d % 2 == 0
        rate = np.where(aligned & (years >= 2010), 2.0, 0.4)
        for year, count in zip(years, rng.poisson(rate), strict=True):
            for _ in range(count):
                rows.append(
                    {
                        "date": str(year),
                        "actor": actor,
                        "target": target,
                        "level": "foreign_minister",
                        "kind": "official_visit",
                    }
                )
    return pd.DataFrame(rows)


def main(quick: bool = False) -> tuple[pd.DataFrame, pz.HypothesisTestResult]:
    events = pz.validate_events(simulate(np.random.default_rng(7)), extra_codes=CODES)
    series = pz.intensity(events, by="dyad", start=1995, end=2024)
    print(series)
    tested = pz.test_periodization(series, (2010,), n_sim=199 if quick else 1999, rng=0)
    table = tested.test_table().xs("hypothesis_vs_none", level="test")
    print(table.sort_values("pvalue").round(4))
    print(
        f"dyads with a change in 2010 at a 5% false-discovery rate: "
        f"{int((table['qvalue_bh'] <= 0.05).sum())} of {len(table)}"
    )
    shared = pz.shared_boundary_test(series, window=1, n_sim=999 if quick else 9999, rng=0)
    print(shared)
    return table, shared


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)
