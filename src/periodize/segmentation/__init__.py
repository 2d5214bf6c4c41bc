"""Change points: batched costs, exact searches, penalties, the Segmentation result."""

from .api import segment
from .penalties import PENALTIES, resolve_penalty
from .result import Segmentation
from .search.path import penalty_path
from .search.ruptures_adapter import ruptures_cost

__all__ = [
    "PENALTIES",
    "Segmentation",
    "penalty_path",
    "resolve_penalty",
    "ruptures_cost",
    "segment",
]
