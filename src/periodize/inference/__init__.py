"""Inference: tests of hypothesised periodizations, intervals, exact posterior."""

from .periodization import test_periodization
from .periodization_result import PeriodizationTest
from .results import HypothesisTestResult

__all__ = ["HypothesisTestResult", "PeriodizationTest", "test_periodization"]
