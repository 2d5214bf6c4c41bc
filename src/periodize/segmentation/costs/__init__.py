"""Batched segment costs, one model per module, and their registry."""

from .base import Cost
from .biweight import BiweightCost
from .negbin import NegativeBinomialCost
from .normal import NormalCost, NormalMeanVarCost
from .poisson import PoissonCost, QuasiPoissonCost
from .poisson_trend import PoissonTrendCost, QuasiPoissonTrendCost
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
        BiweightCost,
        PoissonTrendCost,
        QuasiPoissonTrendCost,
    )
}
#: Models for segment only: the tests' Monte Carlo nulls draw constant levels with
#: Gaussian or count noise, which these do not describe.
SEGMENT_ONLY = ("normal_trend", "biweight", "poisson_trend", "quasipoisson_trend")
#: Models for counts: values must be non-negative.
COUNT_MODELS = ("poisson", "quasipoisson", "negbin", "poisson_trend", "quasipoisson_trend")

__all__ = [
    "COSTS",
    "COUNT_MODELS",
    "SEGMENT_ONLY",
    "BiweightCost",
    "Cost",
    "NegativeBinomialCost",
    "NormalCost",
    "NormalMeanVarCost",
    "PoissonCost",
    "PoissonTrendCost",
    "QuasiPoissonCost",
    "QuasiPoissonTrendCost",
    "TrendNormalCost",
]
