"""Series priced by different models in one batched cost (``segment(..., model={...})``).

A joint segmentation may read a relationship from indicators of different kinds: visit
counts (a count model) beside Goldstein-scaled cooperation (Gaussian). :func:`mixed_cost`
makes the cost class of such a matrix: every row keeps its own model, and each method
dispatches the rows of every model to that model's cost, so a row's segment costs,
estimates, log-likelihood and nuisance parameters are exactly those of its model alone.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from .base import Cost, GivenScale


class MixedCost(Cost):
    """Rows of one matrix priced by the models in :attr:`models` (one per row).

    ``n_params`` and ``n_shared`` are arrays, one entry per row (the BIC of every row
    counts its own model's parameters). Use :func:`mixed_cost` for a class bound to the
    models of a matrix's rows.
    """

    name = "mixed"
    #: The cost class of every row (set by :func:`mixed_cost`).
    classes: ClassVar[tuple[type[Cost], ...]] = ()

    def __init__(
        self,
        values: np.ndarray,
        exposure: np.ndarray | None = None,
        scale: np.ndarray | None = None,
        parts: list[tuple[np.ndarray, Cost]] | None = None,
    ) -> None:
        super().__init__(values, None)
        if len(self.classes) != self.n_series:
            raise ValueError(f"{self.n_series} rows for {len(self.classes)} models")
        self.exposure = None if exposure is None else np.asarray(exposure, dtype=float)
        self.parts: list[tuple[np.ndarray, Cost]] = [] if parts is None else list(parts)
        for cost_class in dict.fromkeys(self.classes) if parts is None else ():
            rows = np.flatnonzero([c is cost_class for c in self.classes])
            extra: dict[str, Any] = {}
            if scale is not None and issubclass(cost_class, GivenScale):
                extra["scale"] = np.asarray(scale)[rows]
            part_exposure = None if exposure is None else self.exposure[rows]  # type: ignore[index]
            self.parts.append((rows, cost_class(self.values[rows], part_exposure, **extra)))
        self.n_params = np.array([c.n_params for c in self.classes])  # type: ignore[misc,assignment]
        self.n_shared = np.array([c.n_shared for c in self.classes])  # type: ignore[misc,assignment]

    @classmethod
    def of_rows(cls, rows: Any) -> type[MixedCost]:
        """The class of this matrix's ``rows`` (a slice or indices) alone."""
        picked = np.arange(len(cls.classes))[rows]  # (an object array of 10^4 classes
        return mixed_cost(tuple(cls.classes[i] for i in picked))  # took 10 ms to build)

    def _columns(self, method: str, start: ArrayLike, end: ArrayLike) -> list[np.ndarray]:
        """``method(start, end)`` of every part, laid out ``(m, n_series)`` (series last)."""
        start, end = np.asarray(start), np.asarray(end)
        outputs: list[np.ndarray] = []
        for rows, part in self.parts:
            got = getattr(part, method)(*(a[rows] if a.ndim == 2 else a for a in (start, end)))
            got = got if isinstance(got, tuple) else (got,)
            if not outputs:  # the first part sets the layout
                outputs = [np.empty((g.shape[0], self.n_series)) for g in got]
            for out, g in zip(outputs, got, strict=True):
                out[:, rows] = g
        return outputs

    def _by_rows(self, method: str, *per_row: np.ndarray) -> np.ndarray:
        """``method(*per_row)`` of every part on its rows, laid out series first."""
        found = [
            (rows, getattr(part, method)(*(a[rows] for a in per_row))) for rows, part in self.parts
        ]
        out = np.empty((self.n_series, *np.shape(found[0][1])[1:]))
        for rows, got in found:
            out[rows] = got
        return out

    def _cost(self, start: ArrayLike, end: ArrayLike) -> np.ndarray:
        return self._columns("_cost", start, end)[0]

    def _estimates(self, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        estimate, se = self._columns("_estimates", start, end)
        return estimate, se

    def logpdf(self, fitted_mean: np.ndarray, edges: np.ndarray) -> np.ndarray:
        return self._by_rows("logpdf", fitted_mean, edges)

    def total_cost(self, edges: np.ndarray, compiled: bool = True) -> np.ndarray:
        out = np.empty(self.n_series)
        for rows, part in self.parts:
            out[rows] = part.total_cost(edges[rows], compiled)
        return out

    def fitted_means(self, edges: np.ndarray) -> np.ndarray:
        return self._by_rows("fitted_means", edges)

    def loglik(self, edges: np.ndarray) -> np.ndarray:
        return self._by_rows("loglik", edges)

    def partial_loglik(self, edges: np.ndarray) -> np.ndarray:
        return self._by_rows("partial_loglik", edges)

    def segment_columns(self, start: ArrayLike, end: ArrayLike) -> dict[str, np.ndarray]:
        """Every model's further segment estimates by column, NaN on the rows of other
        models (a line's slope beside levels)."""
        start, end = np.asarray(start), np.asarray(end)
        merged: dict[str, np.ndarray] = {}
        for rows, part in self.parts:
            got = part.segment_columns(*(a[rows] if a.ndim == 2 else a for a in (start, end)))
            for key, value in got.items():
                blank = np.full((self.n_series, value.shape[1]), np.nan)
                merged.setdefault(key, blank)[rows] = value
        return merged

    def nuisance(self) -> dict[str, np.ndarray]:
        """Every model's nuisance parameters by name, NaN on the rows of other models."""
        merged: dict[str, np.ndarray] = {}
        for rows, part in self.parts:
            for key, value in part.nuisance().items():
                merged.setdefault(key, np.full(self.n_series, np.nan))[rows] = value
        return merged


def of_parts(values: np.ndarray, parts: list[tuple[np.ndarray, Cost]]) -> MixedCost:
    """A mixed cost of costs already built on its rows (``parts``: the rows of ``values``
    and their cost), each with its own options, such as a fixed NB2 dispersion.

    Examples
    --------
    >>> from periodize.segmentation.costs import COSTS
    >>> values = np.array([[1.0, 2, 9, 8], [0.1, 0.3, -2, -2.2]])
    >>> parts = [(np.array([0]), COSTS["poisson"](values[:1])),
    ...          (np.array([1]), COSTS["normal"](values[1:]))]
    >>> bool(np.allclose(of_parts(values, parts).cost(0, 4)[:, 0],
    ...                  mixed_cost((COSTS["poisson"], COSTS["normal"]))(values).cost(0, 4)[:, 0]))
    True
    """
    of_row = {row: type(part) for rows, part in parts for row in np.asarray(rows).tolist()}
    return mixed_cost(tuple(of_row[row] for row in range(len(values))))(values, parts=parts)


def mixed_cost(classes: tuple[type[Cost], ...]) -> type[MixedCost]:
    """The cost class of a matrix whose row ``i`` is priced by ``classes[i]``.

    Examples
    --------
    >>> from periodize.segmentation.costs import COSTS
    >>> both = mixed_cost((COSTS["poisson"], COSTS["normal"]))
    >>> values = np.array([[1.0, 2, 9, 8], [0.1, 0.3, -2, -2.2]])
    >>> priced = both(values).cost(0, 4)[:, 0]
    >>> alone = [COSTS["poisson"](values[:1]).cost(0, 4)[0, 0],
    ...          COSTS["normal"](values[1:]).cost(0, 4)[0, 0]]
    >>> bool(np.allclose(priced, alone))
    True
    """
    return type(
        "MixedCost",
        (MixedCost,),
        {
            "classes": classes,
            "min_size": max(c.min_size for c in classes),
            "supports_exposure": any(c.supports_exposure for c in classes),
            "__module__": __name__,
        },
    )
