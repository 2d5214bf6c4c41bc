"""Batched segment costs, one model per module, and their registry."""

from .base import Cost
from .negbin import NegativeBinomialCost
from .normal import NormalCost, NormalMeanVarCost
from .poisson import PoissonCost, QuasiPoissonCost
from .trend import TrendNormalCost

#: Cost classes by model name.
COSTS: dict[str, type[Cost]] = {
    cls.name: cls
    for cls in (
        PoissonCost,
        QuasiPoissonCost,
        NegativeBinomialCost,
        NormalCost,
        NormalMeanVarCost,
        TrendNormalCost,
    )
}
#: Models for counts: values must be non-negative.
COUNT_MODELS = ("poisson", "quasipoisson", "negbin")

__all__ = [
    "COSTS",
    "COUNT_MODELS",
    "Cost",
    "NegativeBinomialCost",
    "NormalCost",
    "NormalMeanVarCost",
    "PoissonCost",
    "QuasiPoissonCost",
    "TrendNormalCost",
]
