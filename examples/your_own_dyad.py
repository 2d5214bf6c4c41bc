"""From a CSV in the event schema to a study of your own dyad.

The CSV holds synthetic example rows between two user-assigned codes (XAA, XBB); replace
it with your own table. Every bad row is reported at once, with its line and column.

    python examples/your_own_dyad.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import periodize as pz

DATA = Path(__file__).parent / "data" / "example_dyad.csv"


def main(quick: bool = False, out: Path = Path("example-dyad-study")) -> pz.Study:
    events = pz.read_events(DATA, extra_codes={"XAA", "XBB"})
    print(pz.intensity(events, "protocol", by="direction"))
    study = pz.study(
        events,
        hypothesis=(2009,),
        min_size=3,
        n_sim=199 if quick else 9999,
        envelope_draws=50 if quick else 500,
        rng=1,
        title="example dyad XAA–XBB (synthetic)",
    )
    study.write(out, overwrite=True)  # the example owns this folder
    print(study)
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("example-dyad-study"))
    args = parser.parse_args()
    main(args.quick, args.out)
