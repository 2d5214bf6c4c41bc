"""Result objects of statistical tests (one vocabulary for every test)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HypothesisTestResult:
    """One test: ``statistic``, ``pvalue``, ``method``, ``null_hypothesis``, ``alternative``.

    ``pvalue`` is the Monte Carlo p-value ``(1 + #{T* >= T}) / (n_sim + 1)`` where the test
    is simulated; ``pvalue_asymptotic`` is given where an asymptotic law applies.
    """

    name: str
    statistic: float
    pvalue: float
    method: str
    null_hypothesis: str
    alternative: str
    pvalue_asymptotic: float | None = None
    n_sim: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "pvalue_asymptotic": self.pvalue_asymptotic,
            "method": self.method,
            "null_hypothesis": self.null_hypothesis,
            "alternative": self.alternative,
            "n_sim": self.n_sim,
        }

    def __str__(self) -> str:
        asymptotic = (
            ""
            if self.pvalue_asymptotic is None
            else f", asymptotic p = {self.pvalue_asymptotic:.4g}"
        )
        return (
            f"{self.name}: statistic {self.statistic:.4g}, p = {self.pvalue:.4g}{asymptotic}\n"
            f"  H0: {self.null_hypothesis}\n  H1: {self.alternative}\n  method: {self.method}"
        )
