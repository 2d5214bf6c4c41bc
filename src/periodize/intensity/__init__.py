"""Intensity: weighting schemes, vectorised aggregation, IntensitySeries."""

from .aggregate import accumulate
from .compute import intensity
from .schemes import SCHEMES, WeightingScheme, get_scheme
from .series import IntensitySeries
from .summary import period_summary

__all__ = [
    "SCHEMES",
    "IntensitySeries",
    "WeightingScheme",
    "accumulate",
    "get_scheme",
    "intensity",
    "period_summary",
]
