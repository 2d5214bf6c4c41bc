"""``posterior``: the exact Bayesian posterior over segmentations, without MCMC."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..._limits import check_memory, posterior_bytes
from ..._validation import check_choice, check_int, check_probability
from ...exceptions import ParameterError
from ...results import Provenance, matrix_sha256
from ...segmentation.inputs import (
    as_matrix,
    by_series,
    check_values,
    exposure_sha256,
    with_exposure,
)
from ...segmentation.models import describe
from ..hypothesis import boundary_positions
from ..tests.boundary_sets import credible_set
from ..tests.members import parts
from .marginals import log_marginals, resolve_prior, sensitivity_grid
from .posterior_result import Posterior
from .recursions import Sums, boundary_probabilities, segment_probabilities, sums

MODELS = ("poisson", "normal")


def posterior(
    series: Any,
    max_breaks: int = 3,
    *,
    model: str | Mapping[str, str] = "poisson",
    prior: Mapping[str, Any] | None = None,
    min_size: int = 3,
    hypothesis: Sequence[Any] | None = None,
    level: float = 0.95,
    exposure: Any = None,
    joint: bool = False,
) -> Posterior:
    """Exact posterior over all segmentations with at most ``max_breaks`` breaks.

    Conjugate marginal likelihoods (Poisson–Gamma for counts, Normal with a
    Normal-inverse-gamma prior) summed over every admissible segmentation by forward–backward
    recursions (Fearnhead 2006). Prior: uniform over the number of breaks k = 0..max_breaks,
    and uniform over the admissible positions given k (every segment at least ``min_size``
    long).

    Time and memory grow with the square of the series length: about
    ``(17 + 8·max_breaks) × 8`` bytes per pair of positions and series (300 MB for 1,000
    series of 34 years or one series of 1,000 periods with three breaks). A call that would
    exceed the memory budget (4 GiB, ``PERIODIZE_MEMORY_GB``) is refused before it starts.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
    max_breaks : int
        Largest number of breaks with prior mass.
    model : {"poisson", "normal"} or mapping
        With ``joint=True``, a mapping of every series to its model (visits counted beside
        a cooperation score): each series' marginal likelihood under its own model and
        default prior (no ``prior`` or ``exposure`` then); the sensitivity grid moves the
        models' priors together.
    prior : mapping, optional
        ``{"shape": a, "rate": b}`` (Poisson–Gamma) or ``{"mean", "kappa", "shape",
        "scale"}`` (Normal-inverse-gamma); scalars apply to every series. Default: see
        :func:`periodize.inference.bayes.marginals.default_prior`.
    min_size : int
        Minimum segment length.
    hypothesis : sequence, optional
        Hypothesised boundaries, for Bayes factors and boundary credible sets given their
        number of breaks.
    level : float
        Mass of credible sets and bands.
    exposure : Series, DataFrame or array, optional
        Exposure of every period (Poisson only): the rate of a segment multiplies each
        period's exposure, the Gamma prior stays conjugate, and rates are per unit of
        exposure.
    joint : bool
        One set of boundaries shared by all the series (the periods of a relationship
        read from several indicators, as ``segment(..., joint=True)``): the posterior over
        shared partitions, whose marginal likelihood is the product of the series' own
        (each with its own rates and prior in every period, the series independent given
        the partition). Every series' row then holds the same probabilities of ``k`` and
        of boundaries, credible sets and Bayes factors; the rate bands are each series'
        own.

    Returns
    -------
    Posterior

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> post = pz.posterior(counts, max_breaks=3, hypothesis=(2009, 2019))
    >>> post.k_probabilities.round(3).to_dict()
    {0: 0.408, 1: 0.203, 2: 0.193, 3: 0.196}
    """
    func = "posterior"
    matrix = as_matrix(series, func)
    if isinstance(model, Mapping):  # a model per series (joint only)
        models = _models_by_series(model, matrix, joint, exposure, prior, func)
    else:
        _check_model(model, matrix, func)
        matrix = with_exposure(matrix, exposure, model, func)
        models = (model,) * matrix.values.shape[0]
    mixed = len(set(models)) > 1
    values, index, exposure = matrix.values, matrix.index, matrix.exposure
    n_series, n = values.shape
    min_size = check_int(min_size, name="min_size", func=func, minimum=1)
    most = n // min_size - 1
    max_breaks = check_int(max_breaks, name="max_breaks", func=func, minimum=0)
    if max_breaks > most:
        raise ParameterError(
            f"The 'max_breaks' parameter of {func} must be at most {max(most, 0)} for {n} "
            f"periods with min_size={min_size}. Got {max_breaks} instead."
        )
    level = check_probability(level, name="level", func=func)
    check_posterior_size(n_series, n, max_breaks)
    kinds = np.asarray(models, dtype=object)
    resolved = [
        (family, rows, resolve_prior(family, prior, values[rows], func, _rows(exposure, rows)))
        for family, rows in parts(kinds)
    ]
    positions = (
        None if hypothesis is None else boundary_positions(index, hypothesis, min_size, func)
    )
    if positions is not None and len(positions) > max_breaks:
        raise ParameterError(
            f"The 'hypothesis' parameter of {func} has {len(positions)} boundaries, more than "
            f"max_breaks={max_breaks}: the prior gives it no mass. Raise max_breaks to at "
            f"least {len(positions)}."
        )
    if not isinstance(joint, bool):
        raise ParameterError(f"The 'joint' parameter of {func} must be True or False.")
    log_m = _shared(_log_marginals(values, resolved, min_size, exposure), joint)
    s = sums(log_m, max_breaks)
    log_post_k = _k_posterior(s)
    k_probabilities = np.exp(log_post_k)
    by_k = boundary_probabilities(s)  # (series, k, j, t); one row when joint
    given_k = by_k.sum(axis=2)
    marginal = np.einsum("ik,ikt->it", k_probabilities, given_k)
    segments = np.einsum("ik,ikab->iab", k_probabilities, segment_probabilities(s, log_m))
    k_star = (
        np.full(len(log_m), len(positions))
        if positions is not None
        else k_probabilities.argmax(axis=1)
    )
    names = pd.Index(matrix.names, name="series")
    if joint:  # the shared partition's posterior on every series' row
        row = np.zeros(n_series, dtype=np.intp)
        k_probabilities, given_k, marginal, by_k, segments, k_star = (
            a[row] for a in (k_probabilities, given_k, marginal, by_k, segments, k_star)
        )
    bayes = None
    if positions is not None:
        bayes = _bayes_factors(names[:1] if joint else names, log_m, s, positions)
        if joint:
            bayes = pd.DataFrame(bayes.to_numpy()[row], index=names, columns=bayes.columns)
    priors = _prior_record(resolved, n_series, mixed)
    if mixed:  # each model's rates from its own series (rates.py works per model)
        rate_inputs: tuple[Any, ...] = (
            "mixed",
            tuple(
                (
                    np.arange(n_series)[rows].tolist(),
                    (family, values[rows].copy(), prior_of, segments[rows], level, None),
                )
                for family, rows, prior_of in resolved
            ),
        )
    else:
        family, _, prior_of = resolved[0]
        rate_inputs = (family, values.copy(), prior_of, segments, level, exposure)
    return Posterior(
        names=matrix.names,
        index=index,
        model=describe(models, matrix.names) if mixed else models[0],
        min_size=min_size,
        max_breaks=max_breaks,
        level=level,
        prior=priors,
        k_probabilities_table=pd.DataFrame(
            k_probabilities, index=names, columns=pd.Index(range(max_breaks + 1), name="k")
        ),
        boundary_by_k=given_k,
        boundary_marginal=marginal,
        boundary_by_position=by_k,
        rate_inputs=rate_inputs,
        credible_sets=_credible_sets(matrix.names, index, by_k, k_star, level),
        bayes_factors=bayes,
        sensitivity=_sensitivity(
            kinds, values, names, min_size, max_breaks, positions, exposure, joint
        ),
        hypothesis=None if positions is None else tuple(index[p] for p in positions),
        provenance=Provenance(
            function=func,
            parameters={
                "max_breaks": max_breaks,
                "model": dict(zip(matrix.names, models, strict=True)) if mixed else models[0],
                "min_size": min_size,
                "prior": priors,
                "hypothesis": None if hypothesis is None else [str(h) for h in hypothesis],
                "exposure_sha256": exposure_sha256(matrix),
                "level": level,
                "k_prior": "uniform over 0..max_breaks",
                "joint": joint,
            },
            input_sha256=matrix_sha256(values, index, matrix.names),
        ),
        joint=joint,
    )


def _shared(log_m: np.ndarray, joint: bool) -> np.ndarray:
    """The segments' log marginal likelihoods; joint: summed over the series (the
    marginal likelihood of a shared segment is the product of the series' own)."""
    return log_m.sum(axis=0, keepdims=True) if joint else log_m


def check_posterior_size(n_series: int, n_periods: int, max_breaks: int) -> None:
    """Refuse an exact posterior whose O(n²) tables would exceed the memory budget."""
    check_memory(
        posterior_bytes(n_series, n_periods, max_breaks),
        f"The exact posterior of {n_series} series × {n_periods} periods with max_breaks="
        f"{max_breaks}",
        "it grows with the square of the series length, so shorten the window (start/end), "
        "aggregate to a coarser frequency, pass fewer series per call or lower max_breaks",
    )


def _k_posterior(s: Sums) -> np.ndarray:
    """log P(k | y) with a uniform prior over k and over positions given k."""
    log_marginal_k = s.evidence - s.log_count[None, :]
    return log_marginal_k - logsumexp(log_marginal_k, axis=1, keepdims=True)


def _credible_sets(
    names: Sequence[str], index: pd.Index, by_k: np.ndarray, k_star: np.ndarray, level: float
) -> pd.DataFrame:
    rows = []
    for i, name in enumerate(names):
        k = int(k_star[i])
        for j in range(1, k + 1):
            p = by_k[i, k, j - 1]
            members = credible_set(p, level)
            rows.append(
                {
                    "series": name,
                    "boundary": j,
                    "given_k": k,
                    "mode": index[int(p.argmax())],
                    "p_mode": float(p.max()),
                    "credible_set": [index[t] for t in members],
                    "mass": float(p[members].sum()),
                }
            )
    columns = ["series", "boundary", "given_k", "mode", "p_mode", "credible_set", "mass"]
    return pd.DataFrame(rows, columns=columns).set_index(["series", "boundary"])


def _bayes_factors(
    names: pd.Index, log_m: np.ndarray, s: Sums, positions: np.ndarray
) -> pd.DataFrame:
    """log10 Bayes factors of the hypothesised partition."""
    n = log_m.shape[1] - 1
    edges = [0, *positions.tolist(), n]
    log_h = sum(log_m[:, a, b] for a, b in itertools.pairwise(edges))
    k = len(positions)
    free_k = s.evidence[:, k] - s.log_count[k]
    free = logsumexp(s.evidence - s.log_count[None, :], axis=1) - np.log(s.log_count.size)
    ln10 = np.log(10)
    return pd.DataFrame(
        {
            "log10_bf_vs_none": (log_h - log_m[:, 0, n]) / ln10,
            f"log10_bf_vs_free_{k}": (log_h - free_k) / ln10,
            "log10_bf_vs_free": (log_h - free) / ln10,
        },
        index=names,
    )


def _sensitivity(
    kinds: np.ndarray,
    values: np.ndarray,
    names: pd.Index,
    min_size: int,
    max_breaks: int,
    positions: np.ndarray | None,
    exposure: np.ndarray | None = None,
    joint: bool = False,
) -> pd.DataFrame:
    """P(k) (and the Bayes factor against no change) under every prior of the documented
    grid; with a model per series, the grids of the models side by side (the i-th prior of
    each: their weights and locations move together)."""
    grids = [
        (family, rows, sensitivity_grid(family, values[rows], _rows(exposure, rows)))
        for family, rows in parts(kinds)
    ]
    rows_out = []
    for step in range(len(grids[0][2])):
        label = "; ".join(
            (f"{family}: " if len(grids) > 1 else "") + grid[step][0] for family, _, grid in grids
        )
        chosen = [(family, rows, grid[step][1]) for family, rows, grid in grids]
        log_m = _shared(_log_marginals(values, chosen, min_size, exposure), joint)
        s = sums(log_m, max_breaks)
        pk = np.exp(_k_posterior(s))
        scored = names[: len(log_m)]
        bf = None if positions is None else _bayes_factors(scored, log_m, s, positions)
        for i, name in enumerate(names):
            at = 0 if joint else i
            row = {"series": name, "prior": label, "map_k": int(pk[at].argmax())}
            row.update({f"p_k{k}": float(pk[at, k]) for k in range(max_breaks + 1)})
            if bf is not None:
                row["log10_bf_vs_none"] = float(bf.iloc[at, 0])
            rows_out.append(row)
    return pd.DataFrame(rows_out).set_index(["series", "prior"])


def _log_marginals(
    values: np.ndarray,
    resolved: list[tuple[str, Any, dict[str, np.ndarray]]],
    min_size: int,
    exposure: np.ndarray | None,
) -> np.ndarray:
    """Every series' segment log marginals under its own model and prior (``resolved``:
    each model, its rows and their prior)."""
    if len(resolved) == 1:
        family, _, prior_of = resolved[0]
        return log_marginals(family, values, prior_of, min_size, exposure)
    n_series, n = values.shape
    out = np.empty((n_series, n + 1, n + 1))
    for family, rows, prior_of in resolved:
        out[rows] = log_marginals(family, values[rows], prior_of, min_size, _rows(exposure, rows))
    return out


def _rows(exposure: np.ndarray | None, rows: Any) -> np.ndarray | None:
    return None if exposure is None else exposure[rows]


def _prior_record(
    resolved: list[tuple[str, Any, dict[str, np.ndarray]]], n_series: int, mixed: bool
) -> dict[str, list[float | None]]:
    """The priors used, per key and series; with a model per series the keys are named
    with their model (``poisson shape``) and a series of another model has ``None``."""
    if not mixed:
        return {k: v.tolist() for k, v in resolved[0][2].items()}
    record: dict[str, list[float | None]] = {}
    for family, rows, prior_of in resolved:
        for key, value in prior_of.items():
            cells = record.setdefault(f"{family} {key}", [None] * n_series)
            for row, v in zip(np.asarray(rows).tolist(), value.tolist(), strict=True):
                cells[row] = v
    return record


def _check_model(model: Any, matrix: Any, func: str) -> None:
    """One model for every series: a conjugate one the series' values allow."""
    check_choice(model, MODELS, name="model", func=func)
    if model == "poisson" and matrix.weighted:
        raise ParameterError(
            "The Poisson–Gamma posterior needs counts; this IntensitySeries is weighted. "
            "Use scheme='count' (or a stratified count), or model='normal'."
        )
    check_values(matrix, model, func)


def _models_by_series(
    model: Mapping[Any, Any],
    matrix: Any,
    joint: Any,
    exposure: Any,
    prior: Any,
    func: str,
) -> tuple[str, ...]:
    """The model of every series of a joint posterior (``model``: a mapping of every series
    to ``poisson`` or ``normal``), each checked on its own values; refusals naming the way
    out otherwise."""
    if joint is not True:
        raise ParameterError(
            f"A model per series (model={dict(model)!r}) is for the posterior of boundaries "
            f"shared by the series: pass joint=True, or call {func} on each series."
        )
    for given, name in ((exposure, "exposure"), (prior, "prior")):
        if given is not None:
            raise ParameterError(
                f"The '{name}' parameter of {func} is not taken with a model per series "
                "(each series gets its model's default prior, without exposure)."
            )
    models = tuple(by_series(model, matrix.names, "model", "model", func))
    for i, used in enumerate(models):
        row = replace(matrix, values=matrix.values[i : i + 1], names=(matrix.names[i],))
        _check_model(used, row, f"{func} (series {matrix.names[i]})")
    return models
