"""The full Mongolia–Kazakhstan study through the API.

python examples/mongolia_kazakhstan.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import periodize as pz


def main(quick: bool = False, out: Path = Path("periodize-study")) -> pz.Study:
    events = pz.datasets.mongolia_kazakhstan()
    print(pz.period_summary(events, (2009, 2019))[["years", "events"]])
    study = pz.study(
        events,
        hypothesis=(2009, 2019),
        n_sim=199 if quick else 9999,
        envelope_draws=50 if quick else 500,
        rng=0,
        title="Mongolia–Kazakhstan",
    )
    study.write(out, overwrite=True)  # the example owns this folder
    print(study)
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("periodize-study"))
    args = parser.parse_args()
    main(args.quick, args.out)
