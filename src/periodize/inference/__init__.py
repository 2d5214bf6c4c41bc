"""Inference: tests of hypothesised periodizations, intervals, exact posterior."""

from .checks import overdispersion
from .comparison import compare_periodizations
from .comparison_result import Comparison
from .multiple import benjamini_hochberg, holm, shared_boundary_test
from .periodization import test_periodization
from .periodization_result import PeriodizationTest
from .posterior import posterior
from .posterior_result import Posterior
from .results import HypothesisTestResult
from .robustness import robustness
from .robustness_result import Robustness

__all__ = [
    "Comparison",
    "HypothesisTestResult",
    "PeriodizationTest",
    "Posterior",
    "Robustness",
    "benjamini_hochberg",
    "compare_periodizations",
    "holm",
    "overdispersion",
    "posterior",
    "robustness",
    "shared_boundary_test",
    "test_periodization",
]
