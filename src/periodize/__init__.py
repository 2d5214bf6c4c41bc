"""periodize: statistical periodization of bilateral relations.

Events in, zero-filled intensity series out, then change points and tests of hypothesised
periods. Convention: a boundary is the first year of a new period, so the periodization
1992–2008 / 2009–2018 / 2019– is ``boundaries=(2009, 2019)``.
"""

from importlib import metadata as _metadata

from . import adapters, datasets
from .adapters import concordance, read_gdelt, read_icews, read_phoenix, read_polecat
from .events import read_events, validate_events, write_events
from .exceptions import EventSchemaError, ParameterError, PeriodizeError
from .exploration import Exploration, explore
from .inference import (
    Comparison,
    HypothesisTestResult,
    JointPeriodizationTest,
    Monitoring,
    PeriodizationTest,
    Posterior,
    Robustness,
    benjamini_hochberg,
    compare_periodizations,
    holm,
    monitor,
    overdispersion,
    posterior,
    robustness,
    shared_boundary_test,
    test_periodization,
)
from .intensity import SCHEMES, IntensitySeries, WeightingScheme, intensity, period_summary
from .saved import load
from .segmentation import Segmentation, penalty_path, ruptures_cost, segment
from .study import Study, study
from .synthetic import power, simulate_events

try:
    __version__ = _metadata.version("periodize")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "SCHEMES",
    "Comparison",
    "EventSchemaError",
    "Exploration",
    "HypothesisTestResult",
    "IntensitySeries",
    "JointPeriodizationTest",
    "Monitoring",
    "ParameterError",
    "PeriodizationTest",
    "PeriodizeError",
    "Posterior",
    "Robustness",
    "Segmentation",
    "Study",
    "WeightingScheme",
    "__version__",
    "adapters",
    "benjamini_hochberg",
    "compare_periodizations",
    "concordance",
    "datasets",
    "explore",
    "holm",
    "intensity",
    "load",
    "monitor",
    "overdispersion",
    "penalty_path",
    "period_summary",
    "posterior",
    "power",
    "read_events",
    "read_gdelt",
    "read_icews",
    "read_phoenix",
    "read_polecat",
    "robustness",
    "ruptures_cost",
    "segment",
    "shared_boundary_test",
    "simulate_events",
    "study",
    "test_periodization",
    "validate_events",
    "write_events",
]
