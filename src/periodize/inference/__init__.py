"""Inference: tests of hypothesised periodizations, intervals, exact posterior."""

from .bayes.posterior import posterior
from .bayes.posterior_result import Posterior
from .monitor import monitor
from .monitor_result import Monitoring
from .results import HypothesisTestResult
from .robust.robustness import robustness
from .robust.robustness_result import Robustness
from .tests.checks import overdispersion
from .tests.comparison import compare_periodizations
from .tests.comparison_result import Comparison
from .tests.joint_result import JointPeriodizationTest
from .tests.multiple import benjamini_hochberg, holm, shared_boundary_test
from .tests.periodization import test_periodization
from .tests.periodization_result import PeriodizationTest

__all__ = [
    "Comparison",
    "HypothesisTestResult",
    "JointPeriodizationTest",
    "Monitoring",
    "PeriodizationTest",
    "Posterior",
    "Robustness",
    "benjamini_hochberg",
    "compare_periodizations",
    "holm",
    "monitor",
    "overdispersion",
    "posterior",
    "robustness",
    "shared_boundary_test",
    "test_periodization",
]
