"""Size of the joint tests (``test_periodization(..., joint=True)``) with no change.

Designs: two independent Poisson directions over 34 years (the bundled dyad's length),
hypothesis (2009, 2019), at 0.4 and 2.0 events per direction and year; and two Gaussian
series correlated at 0.8 over 40 periods, hypothesis at the 14th and 27th period. Each
record is tested under ``dependence="auto"`` and ``"independent"``; the table gives the
share of records each joint test rejects at 5% (a boundary: the smaller Holm-adjusted
per-boundary p-value).

Usage: ``python -m benchmarks.joint_size [--records 400] [--n-sim 199] [--seed 20261207]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import periodize as pz

TESTS = ("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis")


def records(design: str, count: int, rng: np.random.Generator) -> list[pd.DataFrame]:
    """``count`` simulated records of ``design`` (no change)."""
    if design.startswith("poisson"):
        rate = float(design.split()[1])
        years = range(1992, 2026)
        return [
            pd.DataFrame(
                rng.poisson(rate, size=(34, 2)).astype(float),
                index=years,
                columns=["A->B", "B->A"],
            )
            for _ in range(count)
        ]
    root = np.linalg.cholesky(np.array([[1.0, 0.8], [0.8, 1.0]]))
    return [
        pd.DataFrame(
            rng.standard_normal((40, 2)) @ root.T, index=range(1980, 2020), columns=["x", "y"]
        )
        for _ in range(count)
    ]


def rejection(design: str, dependence: str, count: int, n_sim: int, seed: int) -> dict:
    """Rejection rates at 5% of every joint test on ``count`` records of ``design``."""
    rng = np.random.default_rng(seed)
    model, hypothesis = (
        ("poisson", (2009, 2019)) if design.startswith("poisson") else ("normal", (1993, 2006))
    )
    rejected = []
    clock = time.perf_counter()
    for r, frame in enumerate(records(design, count, rng)):
        test = pz.test_periodization(
            frame, hypothesis, model=model, joint=True, n_sim=n_sim, rng=r, dependence=dependence
        )
        row = [test.tests[name].pvalue <= 0.05 for name in TESTS]
        rejected.append([*row, test.boundary_tests["pvalue_holm"].min() <= 0.05])
    rates = np.mean(rejected, axis=0)
    return {
        "design": design,
        "dependence": dependence,
        "records": count,
        **{
            name: round(float(v), 4)
            for name, v in zip((*TESTS, "a boundary (Holm)"), rates, strict=True)
        },
        "seconds": round(time.perf_counter() - clock, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.joint_size")
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--n-sim", type=int, default=199)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument(
        "--design", nargs="+", default=["poisson 0.4", "poisson 2.0", "normal 0.8"]
    )
    parser.add_argument("--dependence", nargs="+", default=["auto", "independent"])
    args = parser.parse_args(argv)
    rows = [
        rejection(design, dependence, args.records, args.n_sim, args.seed)
        for design in args.design
        for dependence in args.dependence
    ]
    frame = pd.DataFrame(rows)
    print("| " + " | ".join(frame.columns) + " |")
    print("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
