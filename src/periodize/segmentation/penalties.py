"""Penalties for the number of breaks, on the deviance (-2 log-likelihood) scale.

With ``n`` periods and ``p`` parameters re-estimated in each new segment (1 for the
Poisson, negative binomial and normal mean models, 2 for ``normal_meanvar``), the penalty
per break is

- ``bic``: :math:`(p + 1)\\log n` (Schwarz 1978; the break location counts as a parameter,
  as in the R package changepoint);
- ``auto``: the ``bic`` value, on costs measured in the noise's long-run variance
  (:mod:`periodize.segmentation.noise`; only with the normal and quasi-Poisson models);
- ``mbic``: :math:`(p + 2)\\log n` per break plus :math:`\\sum_j \\log(n_j/n)` over the
  segments' lengths :math:`n_j` (Zhang & Siegmund 2007);
- ``aic``: :math:`2(p + 1)` (Akaike 1974);
- ``hq``: :math:`2(p + 1)\\log\\log n` (Hannan & Quinn 1979);
- a number: that value per break (``>= 0``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..exceptions import ParameterError

PENALTIES: tuple[str, ...] = ("auto", "bic", "mbic", "aic", "hq")


@dataclass(frozen=True)
class Penalty:
    """A resolved penalty: its name, value per break and optional segment-length term."""

    name: str
    per_break: float
    formula: str
    n_periods: int
    length_term: bool = False

    def segment_term(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """The term added to each segment's cost (mBIC), or None."""
        if not self.length_term:
            return None
        n = self.n_periods
        return lambda length: np.log(np.asarray(length, dtype=float) / n)


def resolve_penalty(penalty: object, n_periods: int, n_params: int, func: str) -> Penalty:
    """Turn a penalty name or number into its value for ``n_periods`` and ``n_params``.

    Examples
    --------
    >>> round(float(resolve_penalty("bic", 34, 1, "segment").per_break), 3)
    7.053
    """
    n, p = n_periods, n_params
    if isinstance(penalty, str):
        if penalty == "auto":  # the BIC on costs in long-run noise variances (noise.py)
            return Penalty("auto", float((p + 1) * np.log(n)), f"({p}+1)·log({n})", n)
        if penalty == "bic":
            return Penalty("bic", float((p + 1) * np.log(n)), f"({p}+1)·log({n})", n)
        if penalty == "mbic":
            return Penalty(
                "mbic", float((p + 2) * np.log(n)), f"({p}+2)·log({n}) + Σ log(n_j/{n})", n, True
            )
        if penalty == "aic":
            return Penalty("aic", 2.0 * (p + 1), f"2·({p}+1)", n)
        if penalty == "hq":
            return Penalty(
                "hq", float(2 * (p + 1) * np.log(np.log(n))), f"2·({p}+1)·log(log({n}))", n
            )
    elif isinstance(penalty, numbers.Real) and not isinstance(penalty, bool):
        value = float(penalty)
        if np.isfinite(value) and value >= 0:
            return Penalty("manual", value, f"{value:g}", n)
    raise ParameterError(
        f"The 'penalty' parameter of {func} must be one of {set(PENALTIES)} or a "
        f"non-negative number. Got {penalty!r} instead."
    )
