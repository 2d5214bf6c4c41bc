"""PeriodizationTest: the result of :func:`periodize.test_periodization`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...exceptions import ParameterError
from ...results import Provenance, ResultMixin, plain, records, several_series_warning
from ...segmentation.diagnostics import LEVEL, MIN_PERIODS, format_p
from ..results import HypothesisTestResult

TEST_NAMES = ("hypothesis_vs_none", "best_vs_none", "best_vs_hypothesis")


@dataclass(frozen=True, eq=False, repr=False)
class PeriodizationTest(ResultMixin):
    """Tests, intervals and boundary uncertainty for a hypothesised periodization.

    Attributes
    ----------
    names, index : series names and periods
    hypothesis : the hypothesised boundaries (first periods of new segments)
    model, min_size, n_sim, level, null : the options used
    tests : per series, a dict of :class:`HypothesisTestResult` named
        ``hypothesis_vs_none``, ``best_vs_none`` and ``best_vs_hypothesis`` (for one series
        the dict itself is returned by :attr:`tests`)
    periods : DataFrame of rates (or means) per hypothesised period with intervals, and
        the ratio (difference for normal models) to the period before
    boundary_tests : DataFrame per series and hypothesised boundary: the likelihood ratio
        of the periodization against itself without that boundary, its Monte Carlo p-value
        (replicates from the periods without it), the Holm-adjusted and asymptotic
        p-values, and the ratio (difference) across the boundary with its interval
    boundaries : DataFrame per hypothesised boundary: the estimated boundary of the best
        segmentation with as many breaks, the displacement, bootstrap 90% and 95% sets and
        the likelihood-profile set (Hansen 2000 critical value at ``level``)
    agreement : Hausdorff distance (periods) and Rand index between the hypothesised and
        estimated partitions
    model_checks : overdispersion checks at the hypothesised periods (integer counts only):
        Pearson dispersion and NB2-against-Poisson likelihood ratio, with p-values
    dispersion : per series, the Pearson dispersion of the hypothesised fit (quasi-Poisson)
        or the NB2 dispersion alpha held fixed (negative binomial); None otherwise
    provenance : Provenance
    diagnostics : DataFrame per series: autocorrelation of the hypothesised periods'
        Pearson residuals at lags 1..h, Ljung–Box statistic and p-value, dispersion and a
        plain ``verdict`` (:func:`periodize.segmentation.diagnostics.serial_diagnostics`)
    dependence : DataFrame per series: the serial dependence the replicates were drawn
        with (AR ``order``, latent lag-1 autocorrelation, ``null``;
        :mod:`periodize.inference.dependence`); ``attrs["dependence"]`` is the option used
    """

    names: tuple[str, ...]
    index: pd.Index
    hypothesis: tuple[Any, ...]
    hypothesis_indices: tuple[int, ...]
    model: str
    min_size: int
    n_sim: int
    level: float
    null: str
    tests_by_series: list[dict[str, HypothesisTestResult]]
    periods: pd.DataFrame
    boundary_tests: pd.DataFrame
    boundaries: pd.DataFrame
    agreement: pd.DataFrame
    model_checks: pd.DataFrame | None
    dispersion: pd.Series | None
    provenance: Provenance
    diagnostics: pd.DataFrame
    dependence: pd.DataFrame

    @property
    def tests(self) -> Any:
        """The tests of a one-series result, by name (``test_table()`` for several)."""
        if len(self.names) == 1:
            return self.tests_by_series[0]
        several_series_warning(
            "PeriodizationTest.tests", "a dict of dicts by series", "test.test_table()"
        )
        return dict(zip(self.names, self.tests_by_series, strict=True))

    def to_frame(self) -> pd.DataFrame:
        """The per-period table."""
        return self.periods.copy()

    @property
    def params(self) -> pd.Series:
        """The rate (the mean for normal models) of every hypothesised period, indexed by
        (series, period), as statsmodels names a fit's estimates."""
        return self.periods["estimate"].copy()

    @property
    def pvalues(self) -> pd.Series:
        """The Monte Carlo p-value of each test, indexed by (series, test)."""
        return self.test_table()["pvalue"]

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The interval of every period's rate (columns ``lower``, ``upper``), at the level
        the test was run with (``alpha`` must be ``1 - level``: intervals at another level
        need the test run at it, ``test_periodization(..., level=...)``)."""
        if alpha is not None and not np.isclose(1.0 - float(alpha), self.level):
            raise ParameterError(
                f"These intervals are at level {self.level:g} (alpha {1 - self.level:g}); "
                f"for alpha={alpha!r} run test_periodization(..., level={1 - float(alpha):g})."
            )
        return self.periods[["lower", "upper"]].copy()

    def test_table(self) -> pd.DataFrame:
        """All tests as a table: series × test with statistic, p-values, and the
        Benjamini–Hochberg q-value of each test across the series (false-discovery-rate
        control when many dyads are tested)."""
        from .multiple import benjamini_hochberg

        rows = [
            {
                "series": name,
                "test": test,
                "statistic": result.statistic,
                "pvalue": result.pvalue,
                "pvalue_asymptotic": result.pvalue_asymptotic,
                "n_sim": result.n_sim,
            }
            for name, tests in zip(self.names, self.tests_by_series, strict=True)
            for test, result in tests.items()
        ]
        table = pd.DataFrame(rows)
        table["qvalue_bh"] = table.groupby("test")["pvalue"].transform(
            lambda p: benjamini_hochberg(p.to_numpy())
        )
        return table.set_index(["series", "test"])

    def notes(self, series: str | None = None) -> list[str]:
        """Plain-language cautions for one series (default the first): a hypothesis within
        one period of the best segmentation may have been read off the same record."""
        name = series if series is not None else self.names[0]
        i = self.names.index(name)
        cautions = self._dependence_notes(name)
        if not self.agreement.loc[name, "hausdorff"] <= 1:  # far, or nothing estimated (NaN)
            return cautions
        best = self.tests_by_series[i]["best_vs_none"]
        estimated = ", ".join(str(b) for b in self.boundaries.loc[name, "estimated"])
        return [
            *cautions,
            f"The hypothesis lies within one period of the best segmentation ({estimated}): "
            "if its boundaries were read off this record, its tests are optimistic; the test "
            f"of the best segmentation against no change (p = {best.pvalue:.3f}, {self.n_sim} "
            "replicates) accounts for "
            "the search.",
        ]

    def _dependence_notes(self, name: str) -> list[str]:
        """A caution where the p-values assume independence the residuals reject."""
        row = self.diagnostics.loc[name]
        rejected = row["n"] >= MIN_PERIODS and row["pvalue"] < LEVEL
        if not rejected or self.dependence.loc[name, "order"] > 0:
            return []
        why = (
            "dependence='independent' was asked for"
            if self.dependence.attrs.get("dependence") == "independent"
            else "the fitted latent AR was not positively dependent overall"
        )
        return [
            f"The Monte Carlo p-values assume independent periods ({why}), but the "
            f"hypothesised periods' residuals are autocorrelated (lag 1: {row['acf_1']:.2f}; "
            f"Ljung–Box {format_p(row['pvalue'])}): with positive dependence they are too "
            "small. Use dependence='auto' (the default) or dependence='ar'."
        ]

    def summary(self) -> str:
        """A readable account of every part of the result."""
        fmt = lambda v: f"{v:.4g}"  # noqa: E731
        hypothesis = ", ".join(str(b) for b in self.hypothesis)
        lines = [
            f"Test of the periodization with new periods from {hypothesis}",
            f"{len(self.names)} series × {len(self.index)} periods ({self.index[0]}–"
            f"{self.index[-1]}); model {self.model}; min_size {self.min_size}; "
            f"{self.n_sim} Monte Carlo replicates ({self.null}); seed "
            f"{self.provenance.seed}",
        ]
        if self.dispersion is not None:
            lines.append(
                f"dispersion ({DISPERSION_METHODS[self.model]}): "
                + ", ".join(f"{n} {v:.3g}" for n, v in self.dispersion.items())
            )
        lines += ["", "Serial dependence (residuals of the hypothesised periods):"]
        for name in self.names:
            dependence = self.dependence.loc[name]
            drawn = (
                f"replicates from a {dependence['null']} (latent lag-1 autocorrelation "
                f"{dependence['latent_lag1']:.2f})"
                if dependence["order"] > 0
                else "replicates with independent periods"
            )
            lines.append(f"  {name}: {self.diagnostics.loc[name, 'verdict']}; {drawn}")
        lines += [
            "",
            "Tests:",
            self.test_table().to_string(float_format=fmt),
            "",
            f"Periods ({self.periods.attrs.get('method', '')}; level {self.level}):",
            self.periods.to_string(float_format=fmt),
            "",
            f"Each boundary ({self.boundary_tests.attrs.get('method', '')}):",
            self.boundary_tests.to_string(float_format=fmt),
            "",
            "Boundaries (estimated = best segmentation with as many breaks):",
            f"profile_set: likelihood-ratio confidence set at level {self.level}, the one to "
            "cite; bootstrap sets are narrower but under-cover when changes are small"
            + (
                "; estimated and bootstrap sets are None where no segmentation fits better "
                "than none (not identified: every placement ties)"
                if self.boundaries["estimated"].isna().any()
                else ""
            ),
            self.boundaries.to_string(),
            "",
            "Agreement between hypothesised and estimated periods:",
            self.agreement.to_string(float_format=fmt),
        ]
        for name in self.names:
            lines += [f"note ({name}): {note}" for note in self.notes(name)]
        if self.model_checks is not None:
            lines += [
                "",
                "Is the Poisson model adequate? (overdispersion at the hypothesised periods)",
                self.model_checks.to_string(float_format=fmt),
            ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON types, with stable keys."""
        series = []
        for i, name in enumerate(self.names):
            series.append(
                {
                    "name": name,
                    "tests": {t: r.to_dict() for t, r in self.tests_by_series[i].items()},
                    "periods": records(self.periods.loc[name]),
                    "boundary_tests": records(self.boundary_tests.loc[name]),
                    "notes": self.notes(name),
                    "boundaries": records(self.boundaries.loc[name]),
                    "agreement": {k: float(v) for k, v in self.agreement.loc[name].items()},
                    "dispersion": None
                    if self.dispersion is None
                    else float(self.dispersion[name]),
                    "model_checks": None
                    if self.model_checks is None
                    else {k: float(v) for k, v in self.model_checks.loc[name].items()},
                    "diagnostics": {k: plain(v) for k, v in self.diagnostics.loc[name].items()},
                    "dependence": {k: plain(v) for k, v in self.dependence.loc[name].items()},
                }
            )
        return {
            "hypothesis": [plain(b) for b in self.hypothesis],
            "model": self.model,
            "min_size": self.min_size,
            "n_sim": self.n_sim,
            "level": self.level,
            "null": self.null,
            "dependence": self.dependence.attrs.get("dependence"),
            "period_method": self.periods.attrs.get("method", ""),
            "boundary_test_method": self.boundary_tests.attrs.get("method", ""),
            "dispersion_method": DISPERSION_METHODS.get(self.model),
            "series": series,
            "provenance": self.provenance.to_dict(),
        }


#: How the dispersion reported for each model was estimated.
DISPERSION_METHODS = {
    "quasipoisson": "Pearson, hypothesised fit",
    "negbin": "NB2 alpha, moment estimate from the unsegmented series, held fixed",
}
