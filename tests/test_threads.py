"""The compiled kernels give the same answers on one thread as on two.

``make test`` runs each test worker with one numba thread (two workers share the two
cores); this test runs the parallel kernels of the search, the costs, the Monte Carlo
replicates and the dependent null in fresh processes with one and with two threads.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import hashlib, json
import numpy as np, pandas as pd
import numba
import periodize as pz

assert numba.config.NUMBA_NUM_THREADS == int(__import__("os").environ["NUMBA_NUM_THREADS"])
rng = np.random.default_rng(8)
rates = np.where(np.arange(60) < 25, 2.0, 5.0)
counts = pd.DataFrame(rng.poisson(rates, size=(40, 60)).T, index=range(1950, 2010),
                      columns=[f"s{i}" for i in range(40)])
levels = pd.DataFrame(rng.normal(size=(300, 12)).cumsum(axis=0) * 0.1,
                      columns=[f"g{i}" for i in range(12)])
out = []
for fit in (pz.segment(counts, n_breaks=2, model="poisson"),
            pz.segment(counts, model="negbin", penalty="bic"),
            pz.segment(levels, model="normal", penalty="bic"),
            pz.segment(levels),
            pz.segment(levels, model="biweight"),
            pz.segment(levels, model="normal_trend", penalty="bic"),
            pz.segment(counts, n_breaks=1, model="poisson", joint=True)):
    out.append([fit.break_indices, np.round(fit.costs.to_numpy(), 8).tolist()])
tested = pz.test_periodization(counts.iloc[:, :6], (1975,), n_sim=199, rng=1)
out.append(tested.test_table()["pvalue"].tolist())
tested = pz.test_periodization(levels.iloc[:, :3], (100,), model="normal", n_sim=199, rng=2)
out.append(tested.test_table()["pvalue"].tolist())
print(hashlib.sha256(json.dumps(out, default=str).encode()).hexdigest())
"""


def _digest(threads: int) -> str:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


@pytest.mark.slow  # two fresh processes, each loading (on a new clone: compiling) the kernels
def test_one_thread_and_two_give_the_same_results():
    assert _digest(1) == _digest(2)
