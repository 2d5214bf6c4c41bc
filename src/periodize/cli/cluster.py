"""``periodize panel``: every dyad of an event archive segmented and tested on Dask."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._limits import check_memory
from .._output import refuse_input
from .._validation import check_int
from ..distributed._dask import need_dask
from ..distributed.reading import event_files
from ..events import read_events
from ..exceptions import ParameterError
from ..intensity import intensity
from ..results import to_json

#: Worker processes run the compiled kernels on one thread each (the workers are the
#: parallelism; threads in every worker would contend for the same cores).
ONE_THREAD = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


#: Memory one local worker process holds before any work (Python, numpy, pandas, Dask).
WORKER_BYTES = 256 * 2**20


def _client(args: argparse.Namespace) -> tuple[Any, Any]:
    need_dask()
    import distributed

    if args.scheduler:
        return distributed.Client(args.scheduler, timeout="10s"), None
    workers = args.workers or os.cpu_count() or 1
    check_memory(
        WORKER_BYTES * workers,
        f"A local cluster of {workers:,} worker processes",
        f"ask for at most the {os.cpu_count() or 1} cores here (--workers), or join a "
        "cluster that has them (--scheduler)",
    )
    # An error in the user's data raised on a worker comes back to the client as the clear
    # error it is; the workers' own log of it (a traceback per failed task) is shown only
    # under --debug.
    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
        env=ONE_THREAD, silence_logs=logging.WARNING if args.debug else logging.CRITICAL,
    )  # fmt: skip
    return distributed.Client(cluster), cluster


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start the local workers ignoring Ctrl-C, and hold a Ctrl-C pressed meanwhile until
    they run. A terminal's Ctrl-C goes to every process of the command, and each worker would
    print its own traceback; a process started while the signal is ignored keeps ignoring it
    (Dask spawns its workers with an empty signal mask, so blocking alone is not inherited).
    This process then closes the cluster, which stops them.

    Run as ``periodize``, every thread blocks the signal and the launcher's relay hears it
    (``_periodize_cli``), so an ignored Ctrl-C is still heard. Called in-process (tests, a
    notebook) the signal is blocked in this thread only: a thread that does not block it
    would swallow a Ctrl-C pressed during the start.
    """
    launcher = sys.modules.get("_periodize_cli")
    holding = launcher.held() if launcher is not None and launcher.relaying() else None
    if holding is None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with holding or contextlib.nullcontext():
            try:
                yield
            finally:
                signal.signal(signal.SIGINT, previous)
    finally:
        if holding is None:  # a Ctrl-C held meanwhile is raised here
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _check_without_data(args: argparse.Namespace) -> None:
    """What can be refused before any file is read or worker starts: hypothesised (and
    compared) boundaries out of order or closer than --min-size, outside --start/--end when
    given, and too few replicates."""
    import pandas as pd

    from ..inference.hypothesis import boundary_positions

    for years in [list(args.hypothesis), *(list(y) for _, y in args.compare or [])]:
        first = args.start if args.start is not None else min(years) - args.min_size
        last = args.end if args.end is not None else max(years) + args.min_size - 1
        window = pd.RangeIndex(first, max(first, last) + 1)
        boundary_positions(window, years, args.min_size, "panel")
    check_int(args.n_sim, name="n_sim", func="panel", minimum=99)


def _competing(given: list[tuple[str | None, tuple[int, ...]]] | None) -> dict | None:
    """``--compare [NAME=]YEARS`` as the panel's ``competing`` mapping (unnamed ones are
    numbered)."""
    if not given:
        return None
    return {name or f"periodization {i}": list(y) for i, (name, y) in enumerate(given, 1)}


def run_panel(args: argparse.Namespace) -> None:
    from ..distributed import panel, write_panel

    if Path(args.out).suffix.lower() != ".parquet":
        raise ParameterError(f"-o/--out must name a .parquet file; got {args.out!r}.")
    if Path(args.out).exists() and not args.force:
        raise ParameterError(f"{args.out} exists; pass --force to replace it.")
    refuse_input(Path(args.out), event_files(args.events))
    _check_without_data(args)
    if not args.debug:  # closing a client mid-run logs every gather it ends
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    # the files, their footers and the options are checked before any worker starts
    lazy = read_events(
        args.events, engine="dask", countries=args.countries, start=args.start,
        end=args.end, levels=args.levels, kinds=args.kinds, extra_codes=args.extra_codes,
    )  # fmt: skip
    client = cluster = None
    try:
        with _workers_ignore_ctrl_c():
            client, cluster = _client(args)
        print(f"dashboard: {client.dashboard_link}", file=sys.stderr)
        import distributed

        lazy = lazy.persist()
        with contextlib.redirect_stdout(sys.stderr):  # the bar goes to stderr
            try:
                distributed.progress(lazy)
            except KeyboardInterrupt:
                print()  # end the bar's line before the message
                raise
        series = intensity(lazy, args.scheme, by=args.by, start=args.start, end=args.end)
        result = panel(
            series, args.hypothesis, model=args.model, penalty=args.penalty,
            min_size=args.min_size, n_sim=args.n_sim, rng=args.rng,
            batch_size=args.batch_size, client=client, dependence=args.dependence,
            window=args.window, competing=_competing(args.compare),
            posterior_breaks=args.posterior_breaks, checkpoint=args.checkpoint,
        )  # fmt: skip
        path = write_panel(result, args.out, overwrite=args.force)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if args.json:
        document = {
            "written": str(path),
            "n_series": int(result.table["series"].nunique()),
            "parameters": result.parameters,
            "shared_boundary": result.shared.to_dict(),
        }
        print(to_json(document))
        return
    print(result.summary())
    print(f"written: {path}")
