"""Inference: tests of hypothesised periodizations, intervals, exact posterior."""

from .checks import overdispersion
from .multiple import benjamini_hochberg, shared_boundary_test
from .periodization import test_periodization
from .periodization_result import PeriodizationTest
from .posterior import posterior
from .posterior_result import Posterior
from .results import HypothesisTestResult

__all__ = [
    "HypothesisTestResult",
    "PeriodizationTest",
    "Posterior",
    "benjamini_hochberg",
    "overdispersion",
    "posterior",
    "shared_boundary_test",
    "test_periodization",
]
