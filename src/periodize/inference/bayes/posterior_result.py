"""Posterior: the result of :func:`periodize.posterior`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ...results import Provenance, ResultMixin, plain, records, several_series_warning
from .rates import posterior_rates


@dataclass(frozen=True, eq=False, repr=False)
class Posterior(ResultMixin):
    """Exact posterior over segmentations.

    Attributes
    ----------
    k_probabilities_table : DataFrame
        P(number of breaks = k | data), series × k.
    rates : ndarray
        ``(series, periods, 3)``: posterior mean and equal-tailed band of each period's
        rate (mean for the normal model); see :meth:`rate_frame`. Computed when first
        used (from ``rate_inputs``): the bands evaluate every segment's posterior CDF on a
        grid, most of the cost of a posterior, and many uses never need them.
    credible_sets : DataFrame
        Per boundary (given the hypothesised number of breaks, or the most probable one):
        mode, its probability, the smallest set of periods with the requested mass.
    bayes_factors : DataFrame or None
        log10 Bayes factors of the hypothesised partition against no change, against the
        free model with as many breaks, and against the free model over all k.
    sensitivity : DataFrame
        P(k) (and the Bayes factor against no change) under every prior of the documented
        grid.
    """

    names: tuple[str, ...]
    index: pd.Index
    model: str
    min_size: int
    max_breaks: int
    level: float
    prior: dict[str, list[float | None]]
    k_probabilities_table: pd.DataFrame
    boundary_by_k: np.ndarray
    boundary_marginal: np.ndarray
    boundary_by_position: np.ndarray
    rate_inputs: tuple[Any, ...]
    credible_sets: pd.DataFrame
    bayes_factors: pd.DataFrame | None
    sensitivity: pd.DataFrame
    hypothesis: tuple[Any, ...] | None
    provenance: Provenance
    joint: bool = False

    def _row(self, series: str | None) -> int:
        if series is None:
            if len(self.names) > 1:
                raise ValueError(f"Name a series: one of {list(self.names)}.")
            return 0
        return self.names.index(series)

    @property
    def k_probabilities(self) -> pd.Series | pd.DataFrame:
        """P(k | data) of a one-series result, a Series by k (``k_probabilities_table``,
        series × k, for several)."""
        if len(self.names) == 1:
            return self.k_probabilities_table.iloc[0].rename("probability")
        several_series_warning(
            "Posterior.k_probabilities", "a DataFrame", "post.k_probabilities_table"
        )
        return self.k_probabilities_table

    def boundary_probabilities(self, k: int | None = None, series: str | None = None) -> pd.Series:
        """P(a new period starts in each period | data), given k breaks or marginal over k
        when ``k`` is None. Indexed by period; the first period has probability 0."""
        i = self._row(series)
        values = self.boundary_marginal[i] if k is None else self.boundary_by_k[i, k]
        return pd.Series(values[: len(self.index)], index=self.index, name="probability")

    @cached_property
    def rates(self) -> np.ndarray:
        """Posterior mean and band of every period's rate, ``(series, periods, 3)``."""

        if self.rate_inputs[0] != "mixed":
            return posterior_rates(*self.rate_inputs)
        out = np.empty((len(self.names), len(self.index), 3))
        for rows, inputs in self.rate_inputs[1]:  # each model's series (a model per series)
            out[rows] = posterior_rates(*inputs)
        return out

    def rate_frame(self, series: str | None = None) -> pd.DataFrame:
        """Posterior mean and band of the rate in every period."""
        i = self._row(series)
        return pd.DataFrame(self.rates[i], index=self.index, columns=["mean", "lower", "upper"])

    def to_frame(self) -> pd.DataFrame:
        """Per series and period: boundary probability (marginal) and the rate band."""
        frames = []
        for i, name in enumerate(self.names):
            frame = self.rate_frame(name)
            frame.insert(0, "p_boundary", self.boundary_marginal[i][: len(self.index)])
            frame.insert(0, "series", name)
            frames.append(frame)
        label = self.index.name or "period"  # an unnamed index is named here
        table = pd.concat(frames).rename_axis(label).reset_index()
        return table.set_index(["series", label])

    def summary(self) -> str:
        fmt = lambda v: f"{v:.3g}"  # noqa: E731
        lines = [
            f"Exact posterior over segmentations: model {self.model}, at most "
            f"{self.max_breaks} breaks, min_size {self.min_size}"
            + (
                f"; joint: one set of boundaries shared by the {len(self.names)} series "
                "(the product of their marginal likelihoods), so every series' row "
                "shows the same probabilities"
                if self.joint
                else ""
            ),
            "prior over k: uniform; positions given k: uniform over admissible ones; "
            f"prior: {self._prior_text()}",
            "the likelihood treats periods as independent given the segmentation: with "
            "positive serial dependence (see the diagnostics of segment() or "
            "test_periodization()) these probabilities are overconfident",
            "",
            "P(number of breaks = k):",
            self.k_probabilities_table.to_string(float_format=fmt),
            "",
            f"Boundaries (credible sets at level {self.level}):",
            self.credible_sets.to_string(float_format=fmt),
        ]
        if self.bayes_factors is not None:
            hypothesis = ", ".join(str(plain(h)) for h in self.hypothesis or ())
            lines += [
                "",
                f"Bayes factors of the hypothesis ({hypothesis}) (log10):",
                self.bayes_factors.to_string(float_format=fmt),
            ]
        for _i, name in enumerate(self.names):
            top = self.boundary_probabilities(series=name).nlargest(5)
            lines += [
                "",
                f"{name}: most probable first years of new periods (marginal "
                "over k): " + ", ".join(f"{p} ({v:.2f})" for p, v in top.items()),
            ]
        lines += ["", "Prior sensitivity:", self.sensitivity.to_string(float_format=fmt)]
        return "\n".join(lines)

    def _prior_text(self) -> str:
        return "; ".join(
            f"{k} {', '.join('-' if v is None else f'{v:.3g}' for v in vals)}"
            for k, vals in self.prior.items()
        )

    def to_dict(self) -> dict[str, Any]:
        series = []
        for i, name in enumerate(self.names):
            series.append(
                {
                    "name": name,
                    "k_probabilities": [float(v) for v in self.k_probabilities_table.iloc[i]],
                    "boundary_probabilities": {
                        "marginal": [
                            float(v) for v in self.boundary_marginal[i][: len(self.index)]
                        ],
                        "given_k": [
                            [float(v) for v in self.boundary_by_k[i, k][: len(self.index)]]
                            for k in range(self.max_breaks + 1)
                        ],
                    },
                    "rates": records(self.rate_frame(name)),
                    "credible_sets": records(self.credible_sets.loc[[name]].droplevel(0))
                    if name in self.credible_sets.index.get_level_values(0)
                    else [],
                    "bayes_factors": None
                    if self.bayes_factors is None
                    else {k: float(v) for k, v in self.bayes_factors.loc[name].items()},
                    "sensitivity": records(self.sensitivity.loc[name]),
                }
            )
        return {
            "model": self.model,
            "max_breaks": self.max_breaks,
            "min_size": self.min_size,
            "level": self.level,
            "prior": self.prior,
            "periods": [plain(p) for p in self.index],
            "hypothesis": None if self.hypothesis is None else [plain(h) for h in self.hypothesis],
            "joint": self.joint,
            "series": series,
            "provenance": self.provenance.to_dict(),
        }
