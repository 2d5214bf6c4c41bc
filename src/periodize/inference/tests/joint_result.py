"""JointPeriodizationTest: the result of ``periodize.test_periodization(..., joint=True)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...results import Provenance, ResultMixin, plain, records
from ...segmentation.diagnostics import format_p
from ..results import HypothesisTestResult


@dataclass(frozen=True, eq=False, repr=False)
class JointPeriodizationTest(ResultMixin):
    """Tests of one hypothesised periodization shared by several series.

    Attributes
    ----------
    names, index : series names and periods
    hypothesis : the hypothesised boundaries (first periods of new segments), shared
    model, min_size, n_sim, level, null : the options used
    tests : dict of :class:`HypothesisTestResult` named ``hypothesis_vs_none``,
        ``best_vs_none`` and ``best_vs_hypothesis``, each for all series together
    best : the best shared segmentation with as many breaks (its first periods)
    boundary_tests : DataFrame per hypothesised boundary: the likelihood ratio of the shared
        periodization against itself without it, summed over the series, with Monte Carlo,
        Holm-adjusted and asymptotic p-values
    contributions : DataFrame per (boundary, series): that series' likelihood ratio for the
        boundary, its ``share`` of the sum (which series carry the boundary) and the ratio
        (difference for normal models) of its rates across it with an interval
    periods : DataFrame of every series' rate (mean) per hypothesised period
    diagnostics : DataFrame per series: autocorrelation of the hypothesised periods'
        residuals, Ljung–Box test, dispersion and a plain ``verdict``
    dependence : DataFrame per series: the serial dependence replicates were drawn with
    correlation : DataFrame per pair of series: the correlation of their normal scores
        under the hypothesised fit, a p-value of none (assuming independent periods);
        ``attrs["kept_by"]`` says how replicates keep it (a Gaussian copula of the
        parametric draws, or permuting all series together)
    provenance : Provenance

    Examples
    --------
    >>> import numpy as np, pandas as pd, periodize as pz
    >>> rng = np.random.default_rng(3)
    >>> rates = np.r_[np.full(12, 2.0), np.full(12, 6.0)]
    >>> both = pd.DataFrame({"a_to_b": rng.poisson(rates), "b_to_a": rng.poisson(rates)},
    ...                     index=range(2001, 2025))
    >>> test = pz.test_periodization(both, (2013,), model="poisson", joint=True,
    ...                              n_sim=199, rng=1)
    >>> test.tests["hypothesis_vs_none"].pvalue
    0.005
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
    tests: dict[str, HypothesisTestResult]
    best: tuple[Any, ...]
    boundary_tests: pd.DataFrame
    contributions: pd.DataFrame
    periods: pd.DataFrame
    diagnostics: pd.DataFrame
    dependence: pd.DataFrame
    correlation: pd.DataFrame
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """Each series' contribution to each boundary."""
        return self.contributions.copy()

    def test_table(self) -> pd.DataFrame:
        """The three joint tests as a table (test × statistic and p-values)."""
        return pd.DataFrame(
            [
                {
                    "test": name,
                    "statistic": result.statistic,
                    "pvalue": result.pvalue,
                    "pvalue_asymptotic": result.pvalue_asymptotic,
                    "n_sim": result.n_sim,
                }
                for name, result in self.tests.items()
            ]
        ).set_index("test")

    def carriers(self) -> pd.Series:
        """The series with the largest share of each boundary's likelihood ratio (``None``
        where no series changes across the boundary: every share is undefined)."""
        shares = self.contributions["share"].unstack("series")
        carried = shares.fillna(-1.0).idxmax(axis=1).astype(object)
        return carried.where(shares.notna().any(axis=1), None).rename("carried_by")

    def carried_text(self, boundary: Any) -> str:
        """Who carries ``boundary``, in words: ``carried most by A->B (81% of its likelihood
        ratio)``, or that no series changes across it."""
        carrier = self.carriers()[boundary]
        if carrier is None:
            return "no series changes across it"
        share = self.contributions.loc[(boundary, carrier), "share"]
        return f"carried most by {carrier} ({share:.0%} of its likelihood ratio)"

    def summary(self) -> str:
        """A readable account of the joint tests, each boundary and who carries it."""
        fmt = lambda v: f"{v:.4g}"  # noqa: E731
        hypothesis = ", ".join(str(b) for b in self.hypothesis)
        lines = [
            f"Joint test of one periodization with new periods from {hypothesis}, shared by "
            f"{len(self.names)} series ({', '.join(self.names)})",
            f"{len(self.index)} periods ({self.index[0]}–{self.index[-1]}); model "
            f"{self.model}; min_size {self.min_size}; {self.n_sim} Monte Carlo replicates "
            f"({self.null}); seed {self.provenance.seed}",
            f"best shared segmentation with {len(self.best)} "
            f"{'break' if len(self.best) == 1 else 'breaks'}: "
            + ", ".join(str(b) for b in self.best),
            "",
            "Tests (all series together):",
            self.test_table().to_string(float_format=fmt),
            "",
            f"Each boundary ({self.boundary_tests.attrs.get('method', '')}):",
            self.boundary_tests.to_string(float_format=fmt),
            "",
            f"Contributions ({self.contributions.attrs.get('method', '')}):",
            self.contributions.to_string(float_format=fmt),
            "",
            "Serial dependence (residuals of the hypothesised periods; what replicates were "
            "drawn with):",
            *(
                f"  {name}: {self.diagnostics.loc[name, 'verdict']}; {row['null']} (latent "
                f"lag-1 {row['latent_lag1']:.2f})"
                for name, row in self.dependence.iterrows()
            ),
        ]
        if len(self.correlation):
            lines.append(
                "Correlation between the series (normal scores of the hypothesised fit; "
                f"kept in the replicates: {self.correlation.attrs.get('kept_by', '')}): "
                + "; ".join(
                    f"{a}–{b} {row['correlation']:.2f} ({format_p(row['pvalue'])})"
                    for (a, b), row in self.correlation.iterrows()
                )
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON types, with stable keys."""
        return {
            "joint": True,
            "series": list(self.names),
            "hypothesis": [plain(b) for b in self.hypothesis],
            "model": self.model,
            "min_size": self.min_size,
            "n_sim": self.n_sim,
            "level": self.level,
            "null": self.null,
            "tests": {name: result.to_dict() for name, result in self.tests.items()},
            "best": [plain(b) for b in self.best],
            "boundary_tests": records(self.boundary_tests),
            "boundary_test_method": self.boundary_tests.attrs.get("method", ""),
            "contributions": records(self.contributions),
            "periods": records(self.periods),
            "diagnostics": records(self.diagnostics),
            "dependence": records(self.dependence),
            "correlation": records(self.correlation),
            "correlation_kept_by": self.correlation.attrs.get("kept_by"),
            "provenance": self.provenance.to_dict(),
        }
