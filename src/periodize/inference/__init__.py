"""Inference: tests of hypothesised periodizations, intervals, exact posterior."""

from .checks import overdispersion
from .periodization import test_periodization
from .periodization_result import PeriodizationTest
from .posterior import posterior
from .posterior_result import Posterior
from .results import HypothesisTestResult

__all__ = [
    "HypothesisTestResult",
    "PeriodizationTest",
    "Posterior",
    "overdispersion",
    "posterior",
    "test_periodization",
]
