"""``test_periodization``: does a hypothesised periodization fit the data?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast, overload

import numpy as np
import pandas as pd
from scipy import stats

from ..._typing import RandomState
from ..._validation import check_probability
from ...exceptions import ParameterError
from ...segmentation.costs import COSTS
from ...segmentation.costs.negbin import moment_alpha
from ...segmentation.inputs import (
    SeriesMatrix,
)
from ..dependence import check_dependence, fit_dependence
from ..fits import (
    edges_of,
    fitted,
    fixed_alpha,
    profile_scale,
    refit_periods,
    replicate_alpha,
    statistics,
)
from ..hypothesis import (
    boundary_positions,
    checked_inputs,
    checked_member_inputs,
    exposed,
    fit_diagnostics,
    test_provenance,
)
from ..least_favourable import least_favourable
from ..results import HypothesisTestResult
from ..simulate import count_at_least, repeat_rows, replicates
from ..streams import root_seed
from .agreement import hausdorff, rand_index
from .boundary_sets import boundary_table, profile_sets
from .boundary_tests import boundary_tests
from .joint import joint_periodization_test
from .joint_result import JointPeriodizationTest
from .period_table import period_table
from .periodization_result import PeriodizationTest
from .trend import TREND_SIMULATION, design, trend_pvalues

#: Working memory for one batch of replicates (bytes).
BATCH_BYTES = 64 * 2**20
_NULL_SIM, _HYPOTHESIS_SIM, _BEST_SIM = 0, 1, 2


@overload
def test_periodization(
    series: Any,
    boundaries: Sequence[Any],
    *,
    model: str = ...,
    min_size: int = ...,
    n_sim: int = ...,
    rng: RandomState = ...,
    level: float = ...,
    null: str = ...,
    exposure: Any = ...,
    dependence: str = ...,
    joint: Literal[False] = ...,
) -> PeriodizationTest: ...


@overload
def test_periodization(
    series: Any,
    boundaries: Sequence[Any],
    *,
    model: str | Mapping[str, str] = ...,
    min_size: int = ...,
    n_sim: int = ...,
    rng: RandomState = ...,
    level: float = ...,
    null: str = ...,
    exposure: Any = ...,
    dependence: str = ...,
    joint: Literal[True],
) -> JointPeriodizationTest: ...


def test_periodization(
    series: Any,
    boundaries: Sequence[Any],
    *,
    model: str | Mapping[str, str] = "poisson",
    min_size: int = 3,
    n_sim: int = 9999,
    rng: RandomState = 0,
    level: float = 0.95,
    null: str = "parametric",
    exposure: Any = None,
    dependence: str = "auto",
    joint: bool = False,
) -> PeriodizationTest | JointPeriodizationTest:
    """Test a hypothesised periodization against no change and against the best alternative.

    Parameters
    ----------
    series : IntensitySeries, DataFrame, Series or array
        One or many series (periods × series).
    boundaries : sequence
        Hypothesised first periods of new segments, e.g. ``(2009, 2019)``.
    model : str or mapping
        ``poisson`` (``quasipoisson`` for weighted intensities), ``negbin``, ``normal`` or
        ``normal_meanvar``. With ``joint=True``, a mapping of every series (column) to its
        own model, such as ``{"visits": "negbin", "cooperation": "normal"}``: each series'
        likelihood, replicates and diagnostics are its model's (no exposure then).
    min_size : int
        Minimum segment length for the best alternative segmentations (the hypothesis must
        respect it too).
    n_sim : int
        Monte Carlo replicates per simulated test (at least 99).
    rng : int, Generator or None
        Seed of the Monte Carlo streams (results do not depend on chunk sizes).
    level : float
        Confidence level of the rate intervals and the likelihood-profile sets.
    null : {"parametric", "permutation", "trend"}
        How replicates are drawn for the tests: from the fitted model (parametric
        bootstrap) or by permuting the series (within hypothesised periods for the test
        against the best alternative); permutation needs no distributional assumption.
        The parametric replicates of the test against the best alternative merge the
        levels across every hypothesised boundary the data do not support (likelihood
        ratio against dropping it under ``log n``): its null includes "no change at those
        boundaries", the case where the search finds most
        (:mod:`periodize.inference.least_favourable`).
        ``"trend"`` adds the test ``hypothesis_vs_trend``: a level shift at each boundary on
        top of a log-linear trend (a linear one for ``normal``) against the trend alone,
        and tests each boundary on top of the trend too; the other tests are parametric
        (see :mod:`periodize.inference.tests.trend`).
    exposure : Series, DataFrame or array, optional
        Exposure of every period for ``poisson``/``quasipoisson`` (offset ``log E_t``):
        rates are events per unit of exposure and replicates are drawn with the same
        exposures. Not with ``null="permutation"`` (periods with different exposures are
        not exchangeable).
    dependence : {"auto", "independent", "ar"}
        Serial dependence of the parametric replicates (:mod:`periodize.inference.dependence`):
        ``"auto"`` fits a latent process to the hypothesised periods' residuals (an AR of
        the order BIC chooses for the normal models, an AR(1) signal plus noise for
        counts) and draws every replicate with it (independent periods on a record under
        10 periods); ``"ar"`` is ``"auto"`` that refuses so short a record;
        ``"independent"`` draws the periods independently. The permutation null assumes
        exchangeable periods: with it, use ``"independent"`` (``"auto"`` becomes
        ``"independent"`` and the diagnostics say whether the residuals reject that).
    joint : bool
        Test one periodization shared by all the series (columns) instead of each series
        on its own (:mod:`periodize.inference.tests.joint`): every series keeps its own
        rates per period; the likelihood ratios are summed over the series, the best
        alternative is the best shared segmentation, each boundary is tested jointly and
        each series' share of it is reported. Replicates keep the correlation between the
        series (and each series' serial dependence unless ``dependence="independent"``);
        the permutation null permutes all series together. Not with ``null="trend"``.

    Returns
    -------
    PeriodizationTest
        or :class:`~periodize.inference.tests.joint_result.JointPeriodizationTest` with
        ``joint=True``.

    Examples
    --------
    >>> import periodize as pz
    >>> counts = pz.intensity(pz.datasets.mongolia_kazakhstan())
    >>> result = pz.test_periodization(counts, (2009, 2019), n_sim=999, rng=1)
    >>> test = result.tests["hypothesis_vs_none"]
    >>> round(test.pvalue, 3), round(test.pvalue_asymptotic, 3)
    (0.276, 0.091)
    >>> alone = pz.test_periodization(counts, (2009, 2019), n_sim=999, rng=1,
    ...                               dependence="independent")
    >>> round(alone.tests["hypothesis_vs_none"].pvalue, 3)
    0.097
    """
    func = "test_periodization"
    together = _check_joint(joint, null, func)
    if isinstance(model, Mapping) and together:  # a model per series
        matrix, models, min_size, n_sim = checked_member_inputs(
            series, model, min_size, n_sim, null, exposure, func
        )
    else:
        # (a mapping without joint=True is refused there, with the way out)
        matrix, used, min_size, n_sim = checked_inputs(
            series, cast(str, model), min_size, n_sim, null, func
        )
        matrix = exposed(matrix, exposure, used, null, func)
        models = (used,) * matrix.values.shape[0]
    level = check_probability(level, name="level", func=func)
    positions = boundary_positions(matrix.index, boundaries, min_size, func)
    seed = root_seed(rng, func)
    dependence = check_dependence(dependence, null, func, matrix.values.shape[1])
    if together:
        return joint_periodization_test(
            matrix, models, positions, boundaries, min_size=min_size, n_sim=n_sim, seed=seed,
            level=level, null=null, dependence=dependence, func=func,
        )  # fmt: skip
    values = matrix.values
    n_series, n = values.shape
    k = positions.size
    exposure_rows = matrix.exposure
    draws = "parametric" if null == "trend" else null  # how the three tests draw replicates
    hyp_edges = edges_of(np.broadcast_to(positions, (n_series, k)), n)
    null_edges = edges_of(np.empty((n_series, 0), dtype=np.int64), n)
    hypothesis_fit = fitted(used, values, hyp_edges, exposure_rows)
    serial = fit_dependence(
        dependence,
        used,
        values,
        hypothesis_fit,
        refit_periods(used, hyp_edges, exposure_rows, fixed_alpha(used, hypothesis_fit)),
        seed,
    )
    observed = statistics(used, values, positions, min_size, exposure_rows, orders=serial.order)

    exceed = np.zeros((3, n_series))
    boot_breaks = np.empty((n_series, n_sim, k), dtype=np.int64)
    best_edges = edges_of(observed.best_breaks, n)
    fits = {
        _NULL_SIM: fitted(used, values, null_edges, exposure_rows),
        _HYPOTHESIS_SIM: least_favourable(
            used,
            values,
            positions,
            hypothesis_fit,
            observed.scale,
            observed.omega_hypothesis,
            exposure_rows,
        ),
        _BEST_SIM: fitted(used, values, best_edges, exposure_rows),
    }
    studentized = observed.studentized()
    groups = np.searchsorted(positions, np.arange(n), side="right").astype(float)
    per_group = max(1, BATCH_BYTES // (n_sim * n * 8))
    for first in range(0, n_series, per_group):
        members = range(first, min(first + per_group, n_series))
        for simulation, fit in fits.items():
            drawn = replicates(
                used,
                values,
                fit,
                members,
                n_sim,
                seed,
                simulation,
                "parametric" if simulation == _BEST_SIM else draws,
                groups if simulation == _HYPOTHESIS_SIM else np.zeros(n),
                serial,
            )
            simulated = _batched_statistics(
                used,
                drawn,
                positions,
                min_size,
                repeat_rows(exposure_rows, members, n_sim),
                replicate_alpha(used, fit, members, n_sim),
                np.repeat(serial.order[members.start : members.stop], n_sim),
            )
            rows = slice(members.start, members.stop)
            replicated = simulated.studentized()
            if simulation == _NULL_SIM:
                for test in (0, 1):
                    exceed[test, rows] = count_at_least(
                        replicated[test], studentized[test][rows], n_sim
                    )
            elif simulation == _HYPOTHESIS_SIM:
                exceed[2, rows] = count_at_least(replicated[2], studentized[2][rows], n_sim)
            else:
                boot_breaks[rows] = simulated.best_breaks.reshape(len(members), n_sim, k)
    pvalues = (1 + exceed) / (n_sim + 1)
    profile = profile_sets(
        used,
        values,
        observed.best_breaks,
        k,
        min_size,
        level,
        exposure_rows,
        profile_scale(used, values, best_edges, serial.order, exposure_rows),
    )
    periods = period_table(used, matrix, hyp_edges, observed.scale, level)
    each = boundary_tests(
        used,
        matrix,
        positions,
        periods,
        n_sim=n_sim,
        seed=seed,
        null=null,
        level=level,
        serial=serial,
    )
    tests = _tests(used, observed, pvalues, k, n_sim, draws)
    known = observed.identified(values)
    if null == "trend":
        statistic, trend_p = trend_pvalues(
            used,
            matrix,
            design(n, positions),
            design(n, positions[:0]),
            n_sim=n_sim,
            seed=seed,
            simulation=TREND_SIMULATION,
            batch_bytes=BATCH_BYTES,
            dependence=dependence,
        )
        for i, by_test in enumerate(tests):
            by_test["hypothesis_vs_trend"] = _trend_result(
                used, float(statistic[i]), float(trend_p[i]), k, n_sim
            )
    return PeriodizationTest(
        names=matrix.names,
        index=matrix.index,
        hypothesis=tuple(matrix.index[p] for p in positions),
        hypothesis_indices=tuple(int(p) for p in positions),
        model=used,
        min_size=min_size,
        n_sim=n_sim,
        level=level,
        null=null,
        tests_by_series=tests,
        periods=periods,
        boundary_tests=each,
        boundaries=boundary_table(
            matrix, positions, observed.best_breaks, boot_breaks, profile, known
        ),
        agreement=pd.DataFrame(
            {
                "hausdorff": [
                    hausdorff(positions, b) if ok else np.nan
                    for b, ok in zip(observed.best_breaks, known, strict=True)
                ],
                "rand_index": [
                    rand_index(positions, b, n) if ok else np.nan
                    for b, ok in zip(observed.best_breaks, known, strict=True)
                ],
            },
            index=pd.Index(matrix.names, name="series"),
        ),
        model_checks=_model_checks(used, matrix, positions),
        diagnostics=fit_diagnostics(used, matrix, hypothesis_fit, k + 1),
        dependence=serial.frame(matrix.names),
        dispersion=_dispersion(used, matrix, observed.scale),
        provenance=test_provenance(
            func,
            matrix,
            boundaries,
            seed,
            serial,
            model=used,
            min_size=min_size,
            n_sim=n_sim,
            level=level,
            null=null,
            dependence=dependence,
        ),
    )


def _check_joint(joint: Any, null: str, func: str) -> bool:
    """``joint`` checked: a bool, with a null the joint test draws from."""
    if not isinstance(joint, bool | np.bool_):
        raise ParameterError(
            f"The 'joint' parameter of {func} must be True or False. Got {joint!r} instead."
        )
    if joint and null == "trend":
        raise ParameterError(
            f"The 'joint' parameter of {func} tests a shared periodization under the "
            "parametric or permutation null; null='trend' tests each series on its own. "
            "Use null='parametric' or joint=False."
        )
    return bool(joint)


test_periodization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _dispersion(model: str, matrix: SeriesMatrix, scale: np.ndarray) -> pd.Series | None:
    """The dispersion each model estimated (see ``DISPERSION_METHODS``), per series."""
    if model == "quasipoisson":
        values = scale
    elif model == "negbin":
        values = moment_alpha(matrix.values, matrix.exposure)
    else:
        return None
    return pd.Series(values, index=pd.Index(matrix.names, name="series"), name="dispersion")


def _model_checks(model: str, matrix: SeriesMatrix, positions: np.ndarray) -> pd.DataFrame | None:
    """Overdispersion checks at the hypothesised periods, for integer counts."""
    from .checks import overdispersion

    if model not in ("poisson", "negbin") or np.any(matrix.values != np.round(matrix.values)):
        return None
    if matrix.exposure is not None:  # the checks assume one mean per period
        return None
    frame = pd.DataFrame(matrix.values.T, index=matrix.index, columns=list(matrix.names))
    return overdispersion(frame, [matrix.index[p] for p in positions])


def _batched_statistics(
    model: str,
    replicates: np.ndarray,
    positions: np.ndarray,
    min_size: int,
    exposure: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
    orders: np.ndarray | None = None,
) -> Any:
    """Statistics of many replicates, in batches of bounded memory."""
    rows = max(1, BATCH_BYTES // (replicates.shape[1] * 8 * 16))
    parts = [
        statistics(
            model,
            replicates[a : a + rows],
            positions,
            min_size,
            None if exposure is None else exposure[a : a + rows],
            None if alpha is None else alpha[a : a + rows],
            None if orders is None else orders[a : a + rows],
        )
        for a in range(0, len(replicates), rows)
    ]
    if len(parts) == 1:
        return parts[0]
    return type(parts[0])(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in parts[0].__dataclass_fields__)
    )


def _trend_result(
    model: str, statistic: float, pvalue: float, k: int, n_sim: int
) -> HypothesisTestResult:
    params = COSTS[model].n_params
    scaled = " (divided by the Pearson dispersion)" if model == "quasipoisson" else ""
    return HypothesisTestResult(
        "hypothesis_vs_trend",
        statistic,
        pvalue,
        f"likelihood ratio of a log-linear trend plus a level shift at each hypothesised "
        f"boundary against the trend alone{scaled}; Monte Carlo p-value ({n_sim} "
        f"replicates, parametric bootstrap from the fitted trend, both models refitted); "
        f"asymptotic chi-squared with {k * params} df",
        "the intensity follows a smooth log-linear trend over the whole window",
        "the intensity shifts at the hypothesised boundaries on top of the trend",
        pvalue_asymptotic=float(stats.chi2.sf(statistic, k * params)),
        n_sim=n_sim,
    )


def _tests(
    model: str, observed: Any, pvalues: np.ndarray, k: int, n_sim: int, null: str
) -> list[dict[str, HypothesisTestResult]]:
    params = COSTS[model].n_params
    how = (
        "parametric bootstrap from the fitted model"
        if null == "parametric"
        else "permutation of the series"
    )
    scaled = (
        " (divided by the Pearson dispersion of the hypothesised fit)"
        if (model == "quasipoisson")
        else ""
    )
    results = []
    for i in range(len(observed.scale)):
        lr = float(observed.hypothesis_vs_none[i])
        results.append(
            {
                "hypothesis_vs_none": HypothesisTestResult(
                    "hypothesis_vs_none",
                    lr,
                    float(pvalues[0, i]),
                    f"likelihood ratio{scaled}; Monte Carlo p-value ({n_sim} replicates, {how} "
                    f"under no change); asymptotic chi-squared with {k * params} df",
                    "the intensity is constant over the whole window",
                    "the intensity changes at the hypothesised boundaries",
                    pvalue_asymptotic=float(stats.chi2.sf(lr, k * params)),
                    n_sim=n_sim,
                ),
                "best_vs_none": HypothesisTestResult(
                    "best_vs_none",
                    float(observed.best_vs_none[i]),
                    float(pvalues[1, i]),
                    f"sup-likelihood ratio over all {k}-break segmentations{scaled}; Monte Carlo "
                    f"p-value ({n_sim} replicates, {how} under no change); its asymptotic law "
                    "is not chi-squared",
                    "the intensity is constant over the whole window",
                    f"the intensity changes at some {k} boundaries",
                    n_sim=n_sim,
                ),
                "best_vs_hypothesis": HypothesisTestResult(
                    "best_vs_hypothesis",
                    float(observed.best_vs_hypothesis[i]),
                    float(pvalues[2, i]),
                    f"likelihood-ratio gap between the best {k}-break segmentation and the "
                    f"hypothesis{scaled}; Monte Carlo p-value ({n_sim} replicates, "
                    + (
                        "parametric bootstrap from the hypothesised fit, the levels merged "
                        "across every boundary whose likelihood ratio against dropping it is "
                        "under log n"
                        if null == "parametric"
                        else "permutation within the hypothesised periods"
                    )
                    + ")",
                    "the hypothesised periodization is the true one",
                    f"other {k} boundaries fit better than the hypothesised ones",
                    n_sim=n_sim,
                ),
            }
        )
    return results
