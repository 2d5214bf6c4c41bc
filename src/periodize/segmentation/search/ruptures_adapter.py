"""periodize costs as ruptures costs, and ruptures' searches reachable from periodize.

``ruptures_cost("poisson")`` is a :class:`ruptures.base.BaseCost`, so ruptures users get
count likelihoods (ruptures issue #262)::

    import ruptures as rpt
    algo = rpt.Dynp(custom_cost=ruptures_cost("poisson"), min_size=3, jump=1)
"""

from __future__ import annotations

import numpy as np
import ruptures as rpt
from ruptures.base import BaseCost
from ruptures.costs import NotEnoughPoints

from ...exceptions import ParameterError
from ..costs import COSTS

RUPTURES_METHODS = ("ruptures.Binseg", "ruptures.BottomUp")


class RupturesCost(BaseCost):
    """A periodize cost behind ruptures' ``BaseCost`` interface (one series at a time).

    ``error(start, end)`` is the periodize segment cost (deviance scale) of
    ``signal[start:end]``, computed in O(1) from prefix sums made once in ``fit``.
    """

    def __init__(self, model: str = "poisson") -> None:
        if model not in COSTS:
            raise ParameterError(
                f"The 'model' parameter of ruptures_cost must be one of {sorted(COSTS)}. "
                f"Got {model!r} instead."
            )
        self._name = model
        self.min_size = COSTS[model].min_size
        self.signal: np.ndarray | None = None

    @property
    def model(self) -> str:  # type: ignore[override]
        return self._name

    def fit(self, signal: np.ndarray) -> RupturesCost:
        """Precompute the cost's prefix sums for a 1-D signal (or one column)."""
        array = np.asarray(signal, dtype=float)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ParameterError(
                f"periodize costs segment one series at a time; got a signal of shape "
                f"{np.shape(signal)}."
            )
        self.signal = array.reshape(-1, 1)
        self._cost = COSTS[self._name](array[None, :])
        return self

    def error(self, start: int, end: int) -> float:
        """Cost of ``signal[start:end]``."""
        if end - start < self.min_size:
            raise NotEnoughPoints
        return float(self._cost.cost(np.array([start]), np.array([end]))[0, 0])


def ruptures_cost(model: str = "poisson") -> RupturesCost:
    """A ruptures ``BaseCost`` for a periodize model.

    Examples
    --------
    >>> import numpy as np, ruptures as rpt
    >>> signal = np.array([1, 0, 2, 1, 6, 7, 5, 6, 8, 6], dtype=float)
    >>> rpt.Dynp(custom_cost=ruptures_cost("poisson"), min_size=3, jump=1).fit(
    ...     signal).predict(n_bkps=1)
    [4, 10]
    """
    return RupturesCost(model)


def ruptures_search(
    method: str,
    model: str,
    values: np.ndarray,
    n_breaks: int | None,
    penalty: float | None,
    min_size: int,
) -> list[list[int]]:
    """Run a ruptures search on every series (rows of ``values``); return break indices."""
    algorithm = getattr(rpt, method.split(".", 1)[1])
    found = []
    for row in values:
        fitted = algorithm(custom_cost=ruptures_cost(model), min_size=min_size, jump=1).fit(row)
        bkps = fitted.predict(n_bkps=n_breaks) if penalty is None else fitted.predict(pen=penalty)
        found.append([int(b) for b in bkps[:-1]])
    return found
