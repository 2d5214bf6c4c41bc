"""``robustness``: would the answer change with one event less, other weights, another window,
another minimum period length, another model, or without multilateral meetings?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._typing import RandomState
from ..._validation import check_int, check_probability
from ...events.schema import validate_events
from ...events.seal import events_sha256
from ...exceptions import EventSchemaError, ParameterError
from ...intensity import SCHEMES, intensity
from ...intensity.schemes import get_scheme
from ...results import Provenance
from ...segmentation import segment
from ...segmentation.inputs import resolve_model
from ..streams import root_seed
from ..tests.periodization import test_periodization
from .envelope import envelope_event_weights, unranked
from .robustness_result import Robustness

_P_COLUMNS = {
    "hypothesis_vs_none": "p_hypothesis_vs_none",
    "best_vs_none": "p_best_vs_none",
    "best_vs_hypothesis": "p_best_vs_hypothesis",
}


def robustness(
    events: pd.DataFrame,
    hypothesis: Sequence[int],
    *,
    scheme: Any = "count",
    model: str = "poisson",
    min_size: int = 3,
    n_sim: int = 999,
    rng: RandomState = 0,
    alpha: float = 0.05,
    envelope_draws: int = 500,
    envelope_n_sim: int = 99,
    truncations: Sequence[int] = (1, 2, 3),
    min_sizes: Sequence[int] = (2, 3, 4, 5),
    start: int | None = None,
    end: int | None = None,
    exposure: Any = None,
    dependence: str = "auto",
) -> Robustness:
    """Re-run the periodization test under every variation reviewers ask about.

    All events are aggregated into one yearly series (filter the table to one dyad first
    for a dyad of a larger dataset). Each variation is a series (or many), tested with
    :func:`periodize.test_periodization` through the batched engine:

    - ``leave_one_out``: every event removed in turn (by ``event_id``);
    - ``scheme``: every built-in weighting scheme (weighted ones with quasi-Poisson);
    - ``window``: the first or last 1–3 years dropped (``truncations``);
    - ``min_size``: each value of ``min_sizes``;
    - ``model``: the negative binomial instead of the Poisson model (counts only);
    - ``dependence``: the other serial-dependence null (replicates with independent periods
      when the baseline keeps the data's dependence, and the reverse);
    - ``multilateral``: without bilateral meetings held during multilateral events;
    - the ``protocol`` weight envelope: ``envelope_draws`` weight vectors drawn within the
      declared order (head of state > head of government > speaker, foreign minister >
      others; state > official > working > multilateral meeting > other), each tested with
      ``envelope_n_sim`` replicates.

    ``exposure`` (a Series of exposures by year, covering the window) is passed to every
    test, the negative binomial variant included; so is ``dependence`` (the serial
    dependence of the replicates, see :func:`periodize.test_periodization`).

    Returns
    -------
    Robustness
        ``table`` (one row per variant, with ``moved``: an estimated boundary lies outside
        the baseline's likelihood-ratio confidence set for it, and ``flips``: the test
        against no change is on the other side of ``alpha`` than the baseline's),
        ``influential`` (the events whose removal moves or flips), ``envelope`` and
        ``envelope_summary``, and a readable ``summary()``.

    Examples
    --------
    >>> import periodize as pz
    >>> result = pz.robustness(pz.datasets.mongolia_kazakhstan(), (2009, 2019), n_sim=99,
    ...                        envelope_draws=50)
    >>> result.table.loc["baseline", "estimated"].iloc[0]
    (2009, 2015)
    """
    func = "robustness"
    table = validate_events(events)
    n_sim = check_int(n_sim, name="n_sim", func=func, minimum=99)
    envelope_draws = check_int(envelope_draws, name="envelope_draws", func=func, minimum=0)
    alpha = check_probability(alpha, name="alpha", func=func)
    seed = root_seed(rng, func)
    resolved = get_scheme(scheme)
    base = intensity(table, resolved, by=None, start=start, end=end)
    years = base.data.index
    used = resolve_model(model, not base.is_count)
    if exposure is not None and not isinstance(exposure, pd.Series):
        raise ParameterError(
            f"The 'exposure' parameter of {func} must be a Series indexed by year (the "
            "variants cut the window by label)."
        )
    options: dict[str, Any] = {
        "hypothesis": hypothesis,
        "n_sim": n_sim,
        "rng": seed,
        "exposure": exposure,
        "dependence": dependence,
    }
    rows = _variants(
        base.data.rename(columns={"all": "baseline"}), "baseline", used, min_size, **options
    )
    baseline = rows.iloc[0]

    weights = resolved.weights(table)
    one_hot = np.zeros((len(table), len(years)))
    one_hot[np.arange(len(table)), table["year"].to_numpy(dtype=np.int64) - years[0]] = 1.0
    reduced = base.data["all"].to_numpy()[None, :] - weights[:, None] * one_hot
    loo = pd.DataFrame(reduced.T, index=years, columns=list(table["event_id"]))
    parts = [rows, _variants(loo, "leave_one_out", used, min_size, **options)]

    for name in SCHEMES:
        if name == resolved.name:
            continue  # the baseline already is this scheme
        try:
            series = intensity(table, name, by=None, start=years[0], end=years[-1])
        except EventSchemaError as error:
            unweighed = sorted({f"{p.column} {p.value!r}" for p in error.problems})
            why = f"the events use {', '.join(unweighed)}, which it does not weigh"
            parts.append(_not_applicable("scheme", name, why))
            continue
        parts.append(
            _variants(
                series.data.rename(columns={"all": name}),
                "scheme",
                resolve_model(model, not series.is_count),
                min_size,
                **options,
            )
        )
    for drop in truncations:
        for side, window in (("first", base.data.iloc[drop:]), ("last", base.data.iloc[:-drop])):
            label = f"drop {side} {drop}"
            parts.append(
                _guarded(
                    window.rename(columns={"all": label}), "window", used, min_size, **options
                )
            )
    for size in min_sizes:
        if size != min_size:
            parts.append(
                _guarded(
                    base.data.rename(columns={"all": f"min_size {size}"}),
                    "min_size",
                    used,
                    size,
                    **options,
                )
            )
    if base.is_count and model == "poisson":
        parts.append(
            _variants(
                base.data.rename(columns={"all": "negbin"}), "model", "negbin", min_size, **options
            )
        )
    other = "independent" if dependence != "independent" else "auto"
    parts.append(
        _guarded(
            base.data.rename(columns={"all": f"dependence {other}"}),
            "dependence",
            used,
            min_size,
            **{**options, "dependence": other},
        )
    )
    bilateral = table[table["kind"] != "multilateral_meeting"]
    if len(bilateral) < len(table):
        series = intensity(bilateral, scheme, by=None, start=years[0], end=years[-1])
        parts.append(
            _variants(
                series.data.rename(columns={"all": "without multilateral"}),
                "multilateral",
                used,
                min_size,
                **options,
            )
        )
    result = pd.concat(parts, ignore_index=True)
    result["moved"] = result["estimated"].map(lambda e: _outside(e, baseline.profile_sets))
    rejected = result["p_hypothesis_vs_none"] <= alpha
    result["flips"] = result["p_hypothesis_vs_none"].notna() & (
        rejected != (baseline.p_hypothesis_vs_none <= alpha)
    )
    result = result.drop(columns="profile_sets").set_index(["group", "variant"])
    loo_rows = result.loc["leave_one_out"]
    influential = loo_rows[loo_rows["moved"] | loo_rows["flips"]]

    envelope = _envelope(
        table,
        years,
        hypothesis,
        min_size,
        envelope_draws,
        envelope_n_sim,
        seed,
        alpha,
        exposure,
        dependence,
    )
    return Robustness(
        hypothesis=tuple(hypothesis),
        scheme=resolved.name,
        model=used,
        min_size=min_size,
        n_sim=n_sim,
        alpha=alpha,
        table=result,
        influential=influential,
        envelope=envelope,
        provenance=Provenance(
            function=func,
            parameters={
                "hypothesis": list(hypothesis),
                "scheme": resolved.name,
                "model": used,
                "min_size": min_size,
                "n_sim": n_sim,
                "alpha": alpha,
                "envelope_draws": envelope_draws,
                "envelope_n_sim": envelope_n_sim,
                "truncations": list(truncations),
                "min_sizes": list(min_sizes),
                "exposure": None if exposure is None else [float(v) for v in exposure],
                "dependence": dependence,
            },
            input_sha256=events_sha256(table),
            seed=seed,
        ),
    )


def _variants(
    frame: pd.DataFrame,
    group: str,
    model: str,
    min_size: int,
    *,
    hypothesis: Sequence[int],
    n_sim: int,
    rng: int,
    exposure: Any = None,
    dependence: str = "auto",
) -> pd.DataFrame:
    """Test every column of ``frame`` and tabulate the results."""
    tested = test_periodization(
        frame,
        hypothesis,
        model=model,
        min_size=min_size,
        n_sim=n_sim,
        rng=rng,
        exposure=exposure,
        dependence=dependence,
    )
    found = segment(frame, model=model, min_size=min_size, exposure=exposure)  # penalty auto
    pvalues = tested.test_table()["pvalue"].unstack("test")
    counts = found.by_series["n_breaks"]
    rows = []
    for name in tested.names:
        rows.append(
            {
                "group": group,
                "variant": name,
                "total": float(frame[name].sum()),
                "window": f"{frame.index[0]}–{frame.index[-1]}",
                "model": model,
                "min_size": min_size,
                "estimated": _estimated(tested.boundaries.loc[name]["estimated"]),
                "profile_sets": tuple(map(tuple, tested.boundaries.loc[name]["profile_set"])),
                "breaks_found": int(counts[name]),
                **{column: float(pvalues.loc[name, test]) for test, column in _P_COLUMNS.items()},
                "n_sim": n_sim,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def _estimated(boundaries: pd.Series) -> tuple[int, ...] | None:
    """A variant's estimated boundaries; None where its series ties everywhere (no
    segmentation fits better than none), which moves nothing."""
    return None if boundaries.isna().any() else tuple(int(b) for b in boundaries)


def _outside(estimated: tuple[int, ...] | None, sets: tuple[tuple[int, ...], ...]) -> bool:
    """Whether any estimated boundary lies outside the baseline's likelihood-ratio set for
    it (a move the baseline's own uncertainty does not cover)."""
    if estimated is None or not isinstance(estimated, tuple):
        return False
    return any(year not in members for year, members in zip(estimated, sets, strict=True))


def _guarded(
    frame: pd.DataFrame, group: str, model: str, min_size: int, **options: Any
) -> pd.DataFrame:
    """Like :func:`_variants`, with a row saying why when the hypothesis does not fit."""
    try:
        return _variants(frame, group, model, min_size, **options)
    except ParameterError as error:
        return _not_applicable(group, str(frame.columns[0]), str(error))


def _not_applicable(group: str, variant: str, why: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"group": group, "variant": variant, "estimated": None, "note": f"not computed: {why}"}]
    )


def _envelope(
    events: pd.DataFrame,
    years: pd.Index,
    hypothesis: Sequence[int],
    min_size: int,
    draws: int,
    n_sim: int,
    seed: int,
    alpha: float,
    exposure: Any = None,
    dependence: str = "auto",
) -> pd.DataFrame:
    """Per draw of the protocol envelope: the estimated boundaries and the test p-values."""
    if draws == 0:
        left_out = pd.DataFrame()
        left_out.attrs["note"] = "not computed: envelope_draws=0"
        return left_out
    missing = unranked(SCHEMES["protocol"], events)
    if missing:
        skipped = pd.DataFrame()
        skipped.attrs["note"] = (
            f"not computed: the events use {missing}, which the protocol scheme's declared "
            "order of levels and kinds does not rank"
        )
        return skipped
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(99,))))
    weights, levels, kinds = envelope_event_weights(SCHEMES["protocol"], events, draws, generator)
    periods = events["year"].to_numpy(dtype=np.int64) - years[0]
    series = np.zeros((draws, len(years)))
    np.add.at(series.T, periods, weights.T)
    frame = pd.DataFrame(series.T, index=years, columns=[f"draw{d}" for d in range(draws)])
    tested = test_periodization(
        frame,
        hypothesis,
        model="quasipoisson",
        min_size=min_size,
        n_sim=n_sim,
        rng=seed,
        exposure=exposure,
        dependence=dependence,
    )
    pvalues = tested.test_table()["pvalue"].unstack("test")
    estimated = tested.boundaries["estimated"].groupby(level="series", sort=False).agg(_estimated)
    out = pd.DataFrame(
        {
            "estimated": estimated.reindex(frame.columns).to_numpy(),
            "p_hypothesis_vs_none": pvalues.loc[frame.columns, "hypothesis_vs_none"].to_numpy(),
            "p_best_vs_hypothesis": pvalues.loc[frame.columns, "best_vs_hypothesis"].to_numpy(),
        },
        index=pd.Index(frame.columns, name="draw"),
    )
    out["hypothesis_rejected"] = out["p_best_vs_hypothesis"] <= alpha
    for name, values in {**levels, **kinds}.items():
        out[f"w_{name}"] = values
    out.attrs["alpha"] = alpha
    return out
